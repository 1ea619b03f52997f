//! A long list's rows (alerts, credentials): every item's id once, in
//! display order, and the rows shown as small indices into them. A `/`
//! keystroke keeps indices; it never copies an id (at 300,000
//! credentials, copying the ids a filter kept, and finding each
//! credential again by its id, cost half a second). The list keeps what
//! its filter reads of each item beside the ids, by the same index
//! ([`Ranked`] keys, which also hold the item's sort rank).
//!
//! The order is made in full ([`IdOrder::sort`]: each key made once, each
//! id copied once) when the fleet changed in ways that move many rows,
//! and otherwise ([`IdOrder::merge`]) only the items a poll changed are
//! taken out and merged back at their places: a poll that changes one
//! alert of 150,000 moves the rows, it does not sort or copy them again.

use std::cell::Cell;

/// What a list keeps of each row beside its id: where the item is in the
/// fleet, and its place in the order less the id (which breaks ties).
pub(crate) trait Ranked: Copy {
    type Rank: Ord + Copy;
    fn rank(&self) -> Self::Rank;
    /// The item's index in the fleet.
    fn at(&self) -> u32;
}

/// The rows (positions in the order) of `rows` that `keep` answers true
/// for, in their order; `keep` is asked in the order of the items' indices
/// in the fleet, so that a pass over 300,000 of them reads the fleet's
/// items (and their text) in the order they sit in memory, not scattered
/// as the display order visits them.
pub(crate) fn keep_in_fleet_order<K: Ranked>(
    keys: &[K],
    rows: &[u32],
    mut keep: impl FnMut(u32) -> bool,
) -> Vec<u32> {
    let span = rows
        .iter()
        .map(|&p| keys[p as usize].at() as usize + 1)
        .max()
        .unwrap_or(0);
    let mut slot = vec![u32::MAX; span];
    for &p in rows {
        slot[keys[p as usize].at() as usize] = p;
    }
    let mut kept = vec![false; keys.len()];
    for p in slot.into_iter().filter(|&p| p != u32::MAX) {
        kept[p as usize] = keep(p);
    }
    rows.iter().copied().filter(|&p| kept[p as usize]).collect()
}

/// A pass this long is split between two threads: each half of the rows
/// is filtered on its own (a thread costs tens of microseconds; a pass
/// over a million rows, tens of milliseconds).
const SPLIT_FROM: usize = 50_000;

/// The rows of `rows` that the filters `make` makes keep, in their order.
/// A long pass is split in two, the second half filtered on a thread of
/// its own with its own filter (each keeps its own [`Pass`] memo):
/// a laptop's second core halves a keystroke over millions of rows.
///
/// [`Pass`]: crate::fleet::row_filter::Pass
pub(crate) fn keep_rows<F>(rows: &[u32], make: impl Fn() -> F + Sync) -> Vec<u32>
where
    F: FnMut(&u32) -> bool,
{
    let one = |rows: &[u32]| {
        let mut keep = make();
        let mut kept = Vec::with_capacity(rows.len());
        kept.extend(rows.iter().copied().filter(|p| keep(p)));
        kept
    };
    if rows.len() < SPLIT_FROM {
        return one(rows);
    }
    let (first, second) = rows.split_at(rows.len() / 2);
    std::thread::scope(|s| {
        let other = std::thread::Builder::new()
            .name("list-filter".into())
            .spawn_scoped(s, || one(second));
        let mut kept = one(first);
        match other {
            Ok(handle) => match handle.join() {
                Ok(rest) => kept.extend(rest),
                Err(panic) => std::panic::resume_unwind(panic),
            },
            // No thread to be had: this one does both halves.
            Err(_) => kept.extend(one(second)),
        }
        kept
    })
}

fn by_rank<K: Ranked>(a: (&K, &str), b: (&K, &str)) -> std::cmp::Ordering {
    a.0.rank().cmp(&b.0.rank()).then_with(|| a.1.cmp(b.1))
}

/// The sorted ids and the rows the filter shows.
#[derive(Debug, Default)]
pub struct IdOrder {
    /// Every credential's id, in display order.
    pub(crate) ids: Vec<String>,
    /// The rows shown: indices into `ids`, in order.
    pub(crate) shown: Vec<u32>,
    /// The index into `ids` of the last id handed to a selection
    /// ([`key_at`](Self::key_at)): where [`position`](Self::position)
    /// looks first.
    selected: Cell<Option<u32>>,
}

impl IdOrder {
    /// The rows shown.
    pub fn len(&self) -> usize {
        self.shown.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    /// Every credential, shown or not.
    pub fn total(&self) -> usize {
        self.ids.len()
    }

    /// The id shown at row `i`.
    pub fn get(&self, i: usize) -> Option<&String> {
        self.shown.get(i).map(|&at| &self.ids[at as usize])
    }

    pub fn first(&self) -> Option<&String> {
        self.get(0)
    }

    pub fn last(&self) -> Option<&String> {
        self.get(self.len().wrapping_sub(1))
    }

    /// The ids shown, in order.
    pub fn iter(&self) -> impl Iterator<Item = &String> + '_ {
        self.shown.iter().map(|&at| &self.ids[at as usize])
    }

    /// The id at row `i`, for a selection to remember.
    pub fn key_at(&self, i: usize) -> Option<String> {
        let at = *self.shown.get(i)?;
        self.selected.set(Some(at));
        Some(self.ids[at as usize].clone())
    }

    /// The row showing `id`. The selection's own id is found by its index
    /// (a filter keystroke moves no id), not by comparing it with every
    /// id shown: at 150,000 rows that comparison was most of a keystroke
    /// whose filter hid the selected row.
    pub fn position(&self, id: &str) -> Option<usize> {
        if let Some(at) = self.selected.get()
            && self.ids.get(at as usize).is_some_and(|o| o == id)
        {
            return self.shown.iter().position(|&s| s == at);
        }
        self.iter().position(|o| o == id)
    }

    /// Shows every row.
    pub(crate) fn show_all(&mut self) {
        self.shown = (0..self.ids.len() as u32).collect();
    }

    /// The order of `rows` (each item's key and id), by rank then id, its
    /// keys in `keys`; each id copied once. No row is shown until the
    /// filter runs.
    pub(crate) fn sort<K: Ranked>(&mut self, keys: &mut Vec<K>, mut rows: Vec<(K, &str)>) {
        rows.sort_unstable_by(|a, b| by_rank((&a.0, a.1), (&b.0, b.1)));
        *keys = rows.iter().map(|r| r.0).collect();
        self.ids = rows.into_iter().map(|(_, id)| id.to_string()).collect();
        self.shown.clear();
    }

    /// The order again after a poll that changed the items at `changed`
    /// (fleet indices) and moved no other: their rows leave, and `fresh`
    /// (those of them the list still shows, key and id) are merged in at
    /// their places, in one pass that copies no other id.
    pub(crate) fn merge<K: Ranked>(
        &mut self,
        keys: &mut Vec<K>,
        changed: &[u32],
        mut fresh: Vec<(K, String)>,
    ) {
        // A poll that changed none of the list's items (most polls, for
        // most lists) moves no row: rebuilding every id and key of three
        // million rows to find that out took hundreds of milliseconds.
        if changed.is_empty() && fresh.is_empty() {
            self.shown.clear();
            return;
        }
        fresh.sort_unstable_by(|a, b| by_rank((&a.0, &a.1), (&b.0, &b.1)));
        let mut gone = vec![0u64; changed.last().map_or(0, |&m| m as usize / 64 + 1)];
        for &c in changed {
            gone[c as usize / 64] |= 1 << (c % 64);
        }
        let leaves = |k: &K| {
            let at = k.at() as usize;
            gone.get(at / 64).is_some_and(|w| w & (1 << (at % 64)) != 0)
        };
        let old_ids = std::mem::take(&mut self.ids);
        let old_keys = std::mem::take(keys);
        let size = old_ids.len() + fresh.len();
        let (mut ids, mut kept) = (Vec::with_capacity(size), Vec::with_capacity(size));
        let mut fresh = fresh.into_iter().peekable();
        for (id, key) in old_ids.into_iter().zip(old_keys) {
            if leaves(&key) {
                continue;
            }
            while let Some((k, f)) = fresh.next_if(|(k, f)| by_rank((k, f), (&key, &id)).is_lt()) {
                kept.push(k);
                ids.push(f);
            }
            kept.push(key);
            ids.push(id);
        }
        for (k, f) in fresh {
            kept.push(k);
            ids.push(f);
        }
        self.ids = ids;
        *keys = kept;
        self.shown.clear();
    }
}

impl std::ops::Index<usize> for IdOrder {
    type Output = String;

    fn index(&self, i: usize) -> &String {
        &self.ids[self.shown[i] as usize]
    }
}

impl<const N: usize> PartialEq<[&str; N]> for IdOrder {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.len() == N && self.iter().zip(other).all(|(a, b)| a == b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Key {
        at: u32,
        rank: u8,
    }

    impl Ranked for Key {
        type Rank = u8;
        fn rank(&self) -> u8 {
            self.rank
        }
        fn at(&self) -> u32 {
            self.at
        }
    }

    fn ranked(items: &[(u8, &str)]) -> Vec<(Key, String)> {
        items
            .iter()
            .enumerate()
            .map(|(at, &(rank, id))| {
                (
                    Key {
                        at: at as u32,
                        rank,
                    },
                    id.to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn kept_in_fleet_order_and_shown_in_display_order() {
        // Display positions 0..4 hold fleet items 3, 0, 2, 1.
        let keys: Vec<Key> = [3, 0, 2, 1].map(|at| Key { at, rank: 0 }).to_vec();
        let mut asked = Vec::new();
        let kept = keep_in_fleet_order(&keys, &[0, 1, 3], |p| {
            asked.push(keys[p as usize].at);
            p != 1
        });
        assert_eq!(asked, [0, 1, 3], "fleet order, only the rows given");
        assert_eq!(kept, [0, 3], "display order");
        assert!(keep_in_fleet_order(&keys, &[], |_| true).is_empty());
    }

    #[test]
    fn the_selected_id_is_found_by_its_index_and_any_other_by_its_text() {
        let mut order = IdOrder::default();
        let mut keys = Vec::new();
        let rows = ranked(&[(0, "a"), (1, "b"), (2, "c"), (3, "d")]);
        order.sort(
            &mut keys,
            rows.iter().map(|(k, id)| (*k, id.as_str())).collect(),
        );
        order.show_all();
        assert_eq!(order.key_at(2).as_deref(), Some("c"));
        order.shown = vec![0, 2, 3];
        assert_eq!(order.position("c"), Some(1));
        order.shown = vec![0, 3];
        assert_eq!(order.position("c"), None, "hidden by the filter");
        assert_eq!(
            order.position("d"),
            Some(1),
            "not the selection: by its text"
        );
        // Sorted again: the index remembered now holds another id.
        let rows = ranked(&[(3, "a"), (2, "b"), (1, "c"), (0, "d")]);
        order.sort(
            &mut keys,
            rows.iter().map(|(k, id)| (*k, id.as_str())).collect(),
        );
        order.show_all();
        assert_eq!(order.position("c"), Some(1));
        assert_eq!(order.position("zz"), None);
    }

    #[test]
    fn a_merge_is_the_sort_of_the_changed_items() {
        // The fleet's items, by index: a rank and an id.
        let mut items = vec![(2, "b"), (1, "z"), (2, "a"), (3, "c"), (1, "y"), (2, "d")];
        let mut order = IdOrder::default();
        let mut keys = Vec::new();
        let rows = ranked(&items);
        order.sort(
            &mut keys,
            rows.iter().map(|(k, id)| (*k, id.as_str())).collect(),
        );
        order.show_all();
        assert_eq!(order, ["y", "z", "a", "b", "d", "c"]);
        // A poll changes items 0 and 3 and adds item 6; the list no
        // longer shows item 5 (a scope that leaves it out, say).
        items[0] = (3, "b");
        items[3] = (1, "c");
        items.push((2, "aa"));
        let all = ranked(&items);
        let changed = [0, 3, 5, 6];
        let fresh: Vec<(Key, String)> = [0, 3, 6].iter().map(|&i| all[i].clone()).collect();
        order.merge(&mut keys, &changed, fresh);
        order.show_all();
        assert_eq!(order, ["c", "y", "z", "a", "aa", "b"]);
        // A poll that changed none of them leaves the order as it was.
        order.merge(&mut keys, &[], Vec::new());
        assert!(order.is_empty(), "shown again only by the filter");
        order.show_all();
        assert_eq!(order, ["c", "y", "z", "a", "aa", "b"]);
        // The same as sorting what the list shows from scratch.
        let mut again = IdOrder::default();
        let mut again_keys = Vec::new();
        let shown: Vec<(Key, &str)> = all
            .iter()
            .filter(|(k, _)| k.at != 5)
            .map(|(k, id)| (*k, id.as_str()))
            .collect();
        again.sort(&mut again_keys, shown);
        assert_eq!(again.ids, order.ids);
        assert_eq!(again_keys, keys);
    }
}
