//! The filter language of every list but the agents table (alerts,
//! credentials, people, triage, audit): the same syntax as
//! [`crate::fleet::filter`] — terms separated by spaces, all of which must
//! match, `!` to negate one, double quotes to group words — over each
//! list's own fields.
//!
//! A term is free text (a case-insensitive substring of any of the row's
//! texts: `R17`, `paste.example`) or `field:value` with a field of the
//! list ([`FieldSpec`]): the field contains the value, case aside;
//! `field:none` matches a row without one. A severity field matches that
//! severity and above (`severity:high` finds high and critical), as the
//! agents' `risk:` does. An unknown field is an error naming the list's
//! fields, so a typo is never a silent empty list.

use super::filter::{Needle, tokenize};
use crate::model::Severity;

/// How a field's value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Contains the value, case aside.
    Text,
    /// This severity or above.
    Severity,
}

/// One field a list can be filtered on.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    /// Other words for it (`sev` for `severity`).
    pub aliases: &'static [&'static str],
    pub kind: FieldKind,
}

impl FieldSpec {
    pub const fn text(name: &'static str, aliases: &'static [&'static str]) -> FieldSpec {
        FieldSpec {
            name,
            aliases,
            kind: FieldKind::Text,
        }
    }

    pub const fn severity(name: &'static str, aliases: &'static [&'static str]) -> FieldSpec {
        FieldSpec {
            name,
            aliases,
            kind: FieldKind::Severity,
        }
    }
}

/// What one field of a row holds.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Text(&'a str),
    Severity(Severity),
    /// The row has none (`field:none` matches it).
    None,
}

/// A row of a list, as its filter sees it. `field(i)` answers the field
/// `fields[i]` of the list's [`FieldSpec`]s.
pub trait Row {
    fn field(&self, i: usize) -> Value<'_>;
    /// Calls `hit` with each text free text searches, until it answers true;
    /// true when one did.
    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool;
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pred {
    Text(Needle),
    Field { at: usize, needle: Needle },
    FieldNone { at: usize },
    AtLeast { at: usize, severity: Severity },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    negate: bool,
    pred: Pred,
}

/// A parsed filter over one list; the empty one matches every row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowFilter {
    terms: Vec<Term>,
}

const SEVERITIES: &[(&str, Severity)] = &[
    ("info", Severity::Info),
    ("low", Severity::Low),
    ("medium", Severity::Medium),
    ("med", Severity::Medium),
    ("high", Severity::High),
    ("critical", Severity::Critical),
    ("crit", Severity::Critical),
];

impl RowFilter {
    /// Parses `input` against the list's `fields`; the error is one line a
    /// prompt can show.
    pub fn parse(input: &str, fields: &[FieldSpec]) -> Result<RowFilter, String> {
        let mut terms = Vec::new();
        for raw in tokenize(input).map_err(|e| e.to_string())? {
            let (negate, body) = match raw.text.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, raw.text.as_str()),
            };
            if body.is_empty() && negate && !raw.quoted_start {
                return Err("a lone `!` must be followed by a term to negate".into());
            }
            let field = (!raw.quoted_start)
                .then(|| body.split_once(':'))
                .flatten()
                // `a-b:c` cannot be a field; quotes make any text free text.
                .filter(|(name, _)| name.chars().all(|c| c.is_ascii_alphabetic()));
            let pred = match field {
                None => Pred::Text(Needle::new(body)),
                Some((name, value)) => {
                    let lower = name.to_ascii_lowercase();
                    let Some(at) = fields
                        .iter()
                        .position(|f| f.name == lower || f.aliases.contains(&lower.as_str()))
                    else {
                        let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
                        return Err(format!(
                            "unknown field {name:?} here; this list has: {}",
                            names.join(", ")
                        ));
                    };
                    field_pred(at, &fields[at], value)?
                }
            };
            terms.push(Term { negate, pred });
        }
        // All must match, so the cheap comparisons go first.
        terms.sort_by_key(|t| matches!(t.pred, Pred::Text(_)));
        Ok(RowFilter { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn matches<R: Row + ?Sized>(&self, row: &R) -> bool {
        self.terms.iter().all(|t| t.pred.matches(row) != t.negate)
    }
}

fn field_pred(at: usize, spec: &FieldSpec, value: &str) -> Result<Pred, String> {
    if value.is_empty() {
        return Err(format!(
            "{}: needs a value, e.g. {}:none",
            spec.name, spec.name
        ));
    }
    if value.eq_ignore_ascii_case("none") {
        return Ok(Pred::FieldNone { at });
    }
    match spec.kind {
        FieldKind::Text => Ok(Pred::Field {
            at,
            needle: Needle::new(value),
        }),
        FieldKind::Severity => {
            let lower = value.to_ascii_lowercase();
            SEVERITIES
                .iter()
                .find(|(word, _)| *word == lower)
                .map(|&(_, severity)| Pred::AtLeast { at, severity })
                .ok_or_else(|| {
                    format!(
                        "{}: {value:?} is not a severity; one of info, low, medium, high, \
                         critical (and above)",
                        spec.name
                    )
                })
        }
    }
}

impl Pred {
    fn matches<R: Row + ?Sized>(&self, row: &R) -> bool {
        match self {
            Pred::Text(needle) => row.any_text(&mut |t| needle.is_substring_of(t)),
            Pred::Field { at, needle } => match row.field(*at) {
                Value::Text(t) => needle.is_substring_of(t),
                Value::Severity(s) => needle.is_substring_of(&s.to_string()),
                Value::None => false,
            },
            Pred::FieldNone { at } => match row.field(*at) {
                Value::None => true,
                Value::Text(t) => t.is_empty(),
                Value::Severity(_) => false,
            },
            Pred::AtLeast { at, severity } => match row.field(*at) {
                Value::Severity(s) => s >= *severity,
                _ => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[FieldSpec] = &[
        FieldSpec::text("rule", &[]),
        FieldSpec::severity("severity", &["sev"]),
        FieldSpec::text("agent", &[]),
    ];

    struct Alert {
        rule: &'static str,
        severity: Severity,
        agent: Option<&'static str>,
        summary: &'static str,
    }

    impl Row for Alert {
        fn field(&self, i: usize) -> Value<'_> {
            match i {
                0 => Value::Text(self.rule),
                1 => Value::Severity(self.severity),
                _ => self.agent.map_or(Value::None, Value::Text),
            }
        }
        fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
            hit(self.rule) || hit(self.summary) || self.agent.is_some_and(&mut *hit)
        }
    }

    const R17: Alert = Alert {
        rule: "R17",
        severity: Severity::Critical,
        agent: Some("relay-bot"),
        summary: "acts for shadow-agent, not in the registry",
    };
    const R01: Alert = Alert {
        rule: "R01",
        severity: Severity::High,
        agent: None,
        summary: "no owner",
    };

    fn finds(filter: &str) -> Vec<&'static str> {
        let f = RowFilter::parse(filter, FIELDS).unwrap();
        [R17, R01]
            .into_iter()
            .filter(|a| f.matches(a))
            .map(|a| a.rule)
            .collect()
    }

    #[test]
    fn free_text_fields_severities_and_negation() {
        assert_eq!(finds(""), ["R17", "R01"]);
        assert_eq!(finds("r17"), ["R17"]);
        assert_eq!(finds("SHADOW"), ["R17"]);
        assert_eq!(finds("rule:R01"), ["R01"]);
        assert_eq!(finds("sev:high"), ["R17", "R01"]);
        assert_eq!(finds("severity:critical"), ["R17"]);
        assert_eq!(finds("agent:none"), ["R01"]);
        assert_eq!(finds("!agent:none"), ["R17"]);
        assert_eq!(finds("\"not in the\""), ["R17"]);
        assert_eq!(finds("rule:R relay"), ["R17"]);
    }

    #[test]
    fn mistakes_are_named() {
        let e = RowFilter::parse("owner:ada", FIELDS).unwrap_err();
        assert!(e.contains("rule, severity, agent"), "{e}");
        let e = RowFilter::parse("sev:urgent", FIELDS).unwrap_err();
        assert!(e.contains("not a severity"), "{e}");
        assert!(RowFilter::parse("rule:", FIELDS).is_err());
        assert!(RowFilter::parse("!", FIELDS).is_err());
        assert!(RowFilter::parse("\"open", FIELDS).is_err());
        // As in the agents' filter, a colon names a field; quotes make it
        // text (a URL, a scope).
        assert!(RowFilter::parse("db:read", FIELDS).is_err());
        assert!(RowFilter::parse("\"db:read\"", FIELDS).is_ok());
        assert!(RowFilter::parse("\"https://x\"", FIELDS).is_ok());
    }
}
