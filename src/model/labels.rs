//! An agent's labels, shared: most agents of a fleet carry one of a few
//! label sets (a team, a cost centre), so identical sets are one copy.
//!
//! A `BTreeMap<String, String>` of two labels is a 540-byte B-tree node
//! and four strings: at a million agents the largest part of the
//! dashboard's memory (issue 18). [`Labels`] reads and writes as that map
//! (it dereferences to it; a write copies a shared set first) and travels
//! as the same JSON object, but a set read from JSON is interned: the
//! same set read again on the same thread is the same allocation.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

type Map = BTreeMap<String, String>;

/// The empty set, for agents with no labels: no allocation.
static EMPTY: Map = BTreeMap::new();

/// How many distinct sets a thread remembers before it starts over: a
/// fleet with more distinct sets than this shares less, and nothing grows
/// without bound.
const REMEMBERED: usize = 4096;

thread_local! {
    static SEEN: RefCell<HashSet<Arc<Map>>> = RefCell::new(HashSet::new());
}

/// An agent's labels: a map of strings, shared with every equal set read
/// on the same thread (copy on write).
#[derive(Clone, Default)]
pub struct Labels(Option<Arc<Map>>);

impl Labels {
    /// The set shared with the equal sets interned before it.
    pub fn interned(map: Map) -> Labels {
        if map.is_empty() {
            return Labels(None);
        }
        SEEN.with(|seen| {
            let mut seen = seen.borrow_mut();
            if let Some(kept) = seen.get(&map) {
                return Labels(Some(kept.clone()));
            }
            if seen.len() >= REMEMBERED {
                seen.clear();
            }
            let kept = Arc::new(map);
            seen.insert(kept.clone());
            Labels(Some(kept))
        })
    }

    /// Whether the two share one copy (equal sets read on one thread do).
    pub fn shares_with(&self, other: &Labels) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl Deref for Labels {
    type Target = Map;
    fn deref(&self) -> &Map {
        self.0.as_deref().unwrap_or(&EMPTY)
    }
}

impl DerefMut for Labels {
    fn deref_mut(&mut self) -> &mut Map {
        Arc::make_mut(self.0.get_or_insert_with(Default::default))
    }
}

impl From<Map> for Labels {
    fn from(map: Map) -> Labels {
        if map.is_empty() {
            Labels(None)
        } else {
            Labels(Some(Arc::new(map)))
        }
    }
}

impl<const N: usize> From<[(String, String); N]> for Labels {
    fn from(pairs: [(String, String); N]) -> Labels {
        Map::from(pairs).into()
    }
}

impl FromIterator<(String, String)> for Labels {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Labels {
        Map::from_iter(iter).into()
    }
}

impl IntoIterator for Labels {
    type Item = (String, String);
    type IntoIter = std::collections::btree_map::IntoIter<String, String>;
    fn into_iter(self) -> Self::IntoIter {
        match self.0 {
            Some(map) => Arc::unwrap_or_clone(map).into_iter(),
            None => Map::new().into_iter(),
        }
    }
}

impl<'a> IntoIterator for &'a Labels {
    type Item = (&'a String, &'a String);
    type IntoIter = std::collections::btree_map::Iter<'a, String, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl PartialEq for Labels {
    fn eq(&self, other: &Labels) -> bool {
        self.shares_with(other) || **self == **other
    }
}

impl PartialEq<Map> for Labels {
    fn eq(&self, other: &Map) -> bool {
        **self == *other
    }
}

impl std::fmt::Debug for Labels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Labels, D::Error> {
        Map::deserialize(d).map(Labels::interned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Map {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn equal_sets_read_from_json_share_one_copy() {
        let a: Labels = serde_json::from_str(r#"{"team":"pay","cc":"1"}"#).unwrap();
        let b: Labels = serde_json::from_str(r#"{"cc":"1","team":"pay"}"#).unwrap();
        let c: Labels = serde_json::from_str(r#"{"team":"ops"}"#).unwrap();
        assert!(a.shares_with(&b));
        assert!(!a.shares_with(&c));
        assert_eq!(a, pairs(&[("team", "pay"), ("cc", "1")]));
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"cc":"1","team":"pay"}"#
        );
        let empty: Labels = serde_json::from_str("{}").unwrap();
        assert!(empty.is_empty() && empty == Labels::default());
    }

    #[test]
    fn a_write_copies_a_shared_set_first() {
        let a = Labels::interned(pairs(&[("team", "pay")]));
        let mut b = Labels::interned(pairs(&[("team", "pay")]));
        assert!(a.shares_with(&b));
        b.insert("origin".into(), "discovered".into());
        assert_eq!(a.len(), 1, "the other copy is untouched");
        assert_eq!(b.get("origin").map(String::as_str), Some("discovered"));
        assert_ne!(a, b);
        let mut e = Labels::default();
        e.insert("k".into(), "v".into());
        assert_eq!(
            e.into_iter().collect::<Vec<_>>(),
            [("k".into(), "v".into())]
        );
    }

    #[test]
    fn the_remembered_sets_are_bounded() {
        for i in 0..REMEMBERED + 10 {
            Labels::interned(pairs(&[("n", &i.to_string())]));
        }
        assert!(SEEN.with(|s| s.borrow().len()) <= REMEMBERED);
    }
}
