//! How long each text a client writes may be, checked on every JSON body
//! before it is read into its type: a 1.9 MB description would otherwise
//! be stored and then sent back on every page of `GET /v1/agents`. A text
//! over its limit is a 422 naming the field (with its place in the body)
//! and the limit. The walk reads the body once and keeps nothing.

use crate::server::error::{ApiError, ApiResult};
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;

/// Most characters in a field, by its name; every other text field is held
/// to [`OTHER`]. The README lists these.
pub const FIELDS: &[(&str, usize)] = &[
    ("name", 256),
    // A person is named by email, so a reference to one is as long.
    ("email", 320),
    ("team", 256),
    ("environment", 256),
    ("runtime", 256),
    ("owner", 320),
    ("manager", 320),
    ("person", 320),
    ("parent_agent", 256),
    ("parent_person", 320),
    ("child_agent", 256),
    ("on_behalf_of", 512),
    ("description", 8192),
    ("reason", 1000),
    ("resource", 512),
    ("scope", 512),
    ("scopes", 512),
    ("action", 512),
    ("target", 512),
    ("result", 512),
    // An exchanged JWT access token carries its chain of actors in `act`.
    ("token", 8192),
    ("credential_fingerprint", 128),
];
/// Any other text field.
pub const OTHER: usize = 1024;
/// A label's key, and its value.
pub const LABEL_KEY: usize = 256;
pub const LABEL_VALUE: usize = 1024;
/// Most labels on one agent, and most scopes in one list.
pub const MAX_LABELS: usize = 64;
pub const MAX_SCOPES: usize = 256;

fn limit(field: &str) -> usize {
    FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(OTHER, |(_, n)| *n)
}

/// Refuses a body with a text over its limit; anything else (broken JSON
/// included) is left for the typed read to judge.
pub fn check(body: &[u8]) -> ApiResult<()> {
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(body);
    let walk = Walk {
        at: Place::Root,
        field: "",
        found: &found,
    };
    let _ = walk.deserialize(&mut de);
    match found.into_inner() {
        Some(message) => Err(ApiError::unprocessable(message)),
        None => Ok(()),
    }
}

/// Where a value sits in the body, for the message.
#[derive(Clone, Copy)]
enum Place<'a> {
    Root,
    Key(&'a Place<'a>, &'a str),
    Index(&'a Place<'a>, usize),
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Root => Ok(()),
            Place::Key(Place::Root, k) => write!(f, "{k}"),
            Place::Key(parent, k) => write!(f, "{parent}.{k}"),
            Place::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

struct Walk<'a> {
    at: Place<'a>,
    /// The name limits are looked up by: the nearest key (a list's items
    /// go by the list's name).
    field: &'a str,
    found: &'a RefCell<Option<String>>,
}

impl Walk<'_> {
    fn refuse<E: serde::de::Error>(&self, message: String) -> E {
        *self.found.borrow_mut() = Some(message);
        E::custom("over a limit")
    }

    fn text<E: serde::de::Error>(&self, v: &str, max: usize, what: &str) -> Result<(), E> {
        let n = v.chars().count();
        if n > max {
            return Err(self.refuse(format!(
                "{what} `{}` is {n} characters long; at most {max}",
                self.at
            )));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        if self.field == "labels" {
            return self.text(v, LABEL_VALUE, "label");
        }
        self.text(v, limit(self.field), "field")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            if self.field == "scopes" && i >= MAX_SCOPES {
                return Err(
                    self.refuse(format!("`{}` has more than {MAX_SCOPES} entries", self.at))
                );
            }
            let item = Walk {
                at: Place::Index(&self.at, i),
                field: self.field,
                found: self.found,
            };
            if seq.next_element_seed(item)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let labels = self.field == "labels";
        let mut n = 0;
        while let Some(key) = map.next_key::<String>()? {
            n += 1;
            let at = Place::Key(&self.at, &key);
            if labels {
                if n > MAX_LABELS {
                    return Err(
                        self.refuse(format!("`{}` has more than {MAX_LABELS} labels", self.at))
                    );
                }
                let k = key.chars().count();
                if k > LABEL_KEY {
                    return Err(self.refuse(format!(
                        "the label key `{at}` is {k} characters long; at most {LABEL_KEY}"
                    )));
                }
            } else if key.chars().count() > OTHER {
                return Err(A::Error::custom("a key over any field's length"));
            }
            map.next_value_seed(Walk {
                at,
                // A label's value goes by `labels`, not by its own key.
                field: if labels { "labels" } else { &key },
                found: self.found,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(body: &str) -> String {
        check(body.as_bytes()).unwrap_err().message
    }

    #[test]
    fn a_text_over_its_limit_is_named_with_its_place() {
        let long = "x".repeat(8193);
        let m = message(&format!(r#"{{"name":"a","description":"{long}"}}"#));
        assert_eq!(
            m,
            "field `description` is 8193 characters long; at most 8192"
        );
        let m = message(&format!(
            r#"[{{"action":"a"}},{{"target":"{}"}}]"#,
            "t".repeat(513)
        ));
        assert!(m.starts_with("field `[1].target` is 513"), "{m}");
        let m = message(&format!(
            r#"{{"labels":{{"team":"{}"}}}}"#,
            "v".repeat(1025)
        ));
        assert!(m.starts_with("label `labels.team` is 1025"), "{m}");
        let m = message(&format!(r#"{{"scopes":["a","{}"]}}"#, "s".repeat(513)));
        assert!(m.starts_with("field `scopes[1]`"), "{m}");
    }

    #[test]
    fn real_sizes_pass_and_broken_json_is_left_alone() {
        let desc = "d".repeat(8192);
        assert!(
            check(format!(r#"{{"description":"{desc}","labels":{{"a":"b"}}}}"#).as_bytes()).is_ok()
        );
        assert!(check(b"{\"name\": ").is_ok());
        assert!(check(b"").is_ok());
        assert!(check(r#"{"reason":"caf\u00e9 \"quoted\""}"#.as_bytes()).is_ok());
    }

    #[test]
    fn counts_are_held_too() {
        let labels: Vec<String> = (0..65).map(|i| format!(r#""k{i}":"v""#)).collect();
        let m = message(&format!(r#"{{"labels":{{{}}}}}"#, labels.join(",")));
        assert!(m.contains("more than 64 labels"), "{m}");
        let scopes: Vec<String> = (0..257).map(|i| format!(r#""s{i}""#)).collect();
        let m = message(&format!(r#"{{"scopes":[{}]}}"#, scopes.join(",")));
        assert!(m.contains("more than 256 entries"), "{m}");
    }
}
