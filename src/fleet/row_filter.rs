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
    /// Either text may hold it (a person's name or email).
    Either(&'a str, &'a str),
    /// Any of these may hold it (a credential's scopes); none is `none`.
    List(&'a [String]),
    Severity(Severity),
    /// The row has none (`field:none` matches it).
    None,
}

/// A row of a list, as its filter sees it. `field(i)` answers the field
/// `fields[i]` of the list's [`FieldSpec`]s.
pub trait Row {
    fn field(&self, i: usize) -> Value<'_>;
    /// Calls `hit` with each text free text searches, until it answers true;
    /// true when one did. Leaves out [`shared_text`](Row::shared_text).
    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool;

    /// All the row's free text, its own and what it shares, in one string,
    /// lower-cased ASCII and joined by newlines, when the row keeps it so:
    /// free text then searches it alone, with no case folding.
    fn lower_text(&self) -> Option<&str> {
        None
    }

    /// The key of what this row shares with other rows (the index of a
    /// credential's or an alert's agent): over one pass of a long list, a
    /// term that reads only shared text is asked once per key, not once
    /// per row ([`Pass`]). At 300,000 credentials of 100,000 agents, each
    /// agent's name was read three times a keystroke, from memory far from
    /// the credential's own.
    fn shared(&self) -> Option<u32> {
        None
    }

    /// The free text this row shares with others, searched after
    /// [`any_text`](Row::any_text)'s.
    fn shared_text(&self) -> Option<&str> {
        None
    }

    /// Whether field `i` is read from what the row shares.
    fn field_is_shared(&self, _i: usize) -> bool {
        false
    }

    /// Field `i`'s value as a small number that stands for it (an enum's
    /// place, an index into the few values a list holds), when the row
    /// knows one without reading the value: over a pass, a term on that
    /// field is asked once per value, not once per row ([`Pass`]).
    fn field_code(&self, _i: usize) -> Option<u32> {
        None
    }
}

/// What one pass of a filter over a list learned of the rows' shared
/// texts ([`Row::shared`]) and of their coded fields ([`Row::field_code`]):
/// for each term, each key's or code's answer. Valid for one pass: the
/// list may change between.
#[derive(Debug, Default)]
pub struct Pass {
    shared: Memo,
    coded: Memo,
}

/// For each term, each key's answer (0 not asked yet, 1 kept, 2 not).
#[derive(Debug, Default)]
struct Memo {
    seen: Vec<Vec<u8>>,
}

impl Memo {
    fn once(&mut self, term: usize, key: u32, ask: impl FnOnce() -> bool) -> bool {
        if self.seen.len() <= term {
            self.seen.resize_with(term + 1, Vec::new);
        }
        let seen = &mut self.seen[term];
        let k = key as usize;
        if seen.len() <= k {
            seen.resize(k + 1, 0);
        }
        match seen[k] {
            1 => true,
            2 => false,
            _ => {
                let hit = ask();
                seen[k] = if hit { 1 } else { 2 };
                hit
            }
        }
    }
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

    /// The terms of this filter that `earlier` does not have: what a row
    /// `earlier` kept must still pass to be kept by this one (the terms
    /// are all required, so a term `earlier` had, its rows pass already).
    pub fn since(&self, earlier: &RowFilter) -> RowFilter {
        RowFilter {
            terms: self
                .terms
                .iter()
                .filter(|t| !earlier.terms.contains(t))
                .cloned()
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether a term reads field `at` (of the list's [`FieldSpec`]s).
    pub fn reads_field(&self, at: usize) -> bool {
        self.terms.iter().any(|t| match t.pred {
            Pred::Field { at: a, .. } | Pred::FieldNone { at: a } | Pred::AtLeast { at: a, .. } => {
                a == at
            }
            Pred::Text(_) => false,
        })
    }

    /// Whether a term is free text.
    pub fn has_text(&self) -> bool {
        self.terms.iter().any(|t| matches!(t.pred, Pred::Text(_)))
    }

    pub fn matches<R: Row + ?Sized>(&self, row: &R) -> bool {
        self.terms.iter().all(|t| t.pred.matches(row) != t.negate)
    }

    /// [`matches`](Self::matches), for one row of a pass over a list:
    /// what the rows share is looked at once per key of the pass.
    pub fn matches_in<R: Row + ?Sized>(&self, row: &R, pass: &mut Pass) -> bool {
        let key = row.shared();
        self.terms.iter().enumerate().all(|(n, t)| {
            let hit = match &t.pred {
                Pred::Text(needle) => text_hit(row, needle, || {
                    let ask = || row.shared_text().is_some_and(|s| needle.is_substring_of(s));
                    match key {
                        Some(key) => pass.shared.once(n, key, ask),
                        None => ask(),
                    }
                }),
                Pred::Field { at, .. } | Pred::FieldNone { at } | Pred::AtLeast { at, .. } => {
                    let ask = || t.pred.matches(row);
                    match (row.field_code(*at), key) {
                        (Some(code), _) => pass.coded.once(n, code, ask),
                        (None, Some(key)) if row.field_is_shared(*at) => {
                            pass.shared.once(n, key, ask)
                        }
                        _ => ask(),
                    }
                }
            };
            hit != t.negate
        })
    }
}

/// Whether `needle` is in the row's free text: its lower-cased copy when
/// it keeps one (all of it), else its own texts and then, when none
/// matched, what it shares (`shared` answers that).
fn text_hit<R: Row + ?Sized>(row: &R, needle: &Needle, shared: impl FnOnce() -> bool) -> bool {
    match row.lower_text() {
        Some(text) => needle.is_in_lowercase(text),
        None => row.any_text(&mut |t| needle.is_substring_of(t)) || shared(),
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
            Pred::Text(needle) => text_hit(row, needle, || {
                row.shared_text().is_some_and(|t| needle.is_substring_of(t))
            }),
            Pred::Field { at, needle } => match row.field(*at) {
                Value::Text(t) => needle.is_substring_of(t),
                Value::Either(a, b) => needle.is_substring_of(a) || needle.is_substring_of(b),
                Value::List(all) => all.iter().any(|t| needle.is_substring_of(t)),
                Value::Severity(s) => needle.is_substring_of(&s.to_string()),
                Value::None => false,
            },
            Pred::FieldNone { at } => match row.field(*at) {
                Value::None => true,
                Value::Text(t) => t.is_empty(),
                Value::List(all) => all.is_empty(),
                Value::Either(..) | Value::Severity(_) => false,
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

    /// A row whose `agent` field and name it shares with the rows of the
    /// same agent.
    struct Cred {
        own: &'static str,
        agent: u32,
        name: &'static str,
        /// `own` and `name` lower-cased, for some rows.
        lower: Option<&'static str>,
    }

    impl Row for Cred {
        fn field(&self, i: usize) -> Value<'_> {
            match i {
                0 => Value::Text(self.own),
                _ => Value::Text(self.name),
            }
        }
        fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
            self.own.split(' ').any(hit)
        }
        fn lower_text(&self) -> Option<&str> {
            self.lower
        }
        fn shared(&self) -> Option<u32> {
            Some(self.agent)
        }
        fn shared_text(&self) -> Option<&str> {
            Some(self.name)
        }
        fn field_is_shared(&self, i: usize) -> bool {
            i == 2
        }
    }

    #[test]
    fn a_pass_asks_what_rows_share_once_and_agrees_with_each_row_alone() {
        let rows = [
            Cred {
                own: "crd_1 tickets:read",
                agent: 0,
                name: "support-bot",
                lower: None,
            },
            Cred {
                own: "crd_2 db:write",
                agent: 0,
                name: "support-bot",
                lower: Some("crd_2\ndb:write\nsupport-bot"),
            },
            Cred {
                own: "crd_3 support:all",
                agent: 1,
                name: "billing",
                lower: None,
            },
            Cred {
                own: "crd_4 tickets:write",
                agent: 1,
                name: "billing",
                lower: Some("crd_4\ntickets:write\nbilling"),
            },
            Cred {
                own: "crd_5",
                agent: 7,
                name: "",
                lower: Some("crd_5"),
            },
        ];
        for text in [
            "support",
            "bill",
            "tickets",
            "!support",
            "agent:bill",
            "!agent:bill",
            "agent:none",
            "tickets agent:support",
            "crd_ !bot",
            "write bill",
            "zzz",
        ] {
            let f = RowFilter::parse(text, FIELDS).unwrap();
            let alone: Vec<bool> = rows.iter().map(|r| f.matches(r)).collect();
            // Its own texts one by one, as a row without a lower-cased copy.
            let parts: Vec<bool> = rows
                .iter()
                .map(|r| {
                    f.matches(&Alert {
                        rule: r.own,
                        severity: Severity::Info,
                        agent: Some(r.name).filter(|n| !n.is_empty()),
                        summary: "",
                    })
                })
                .collect();
            assert_eq!(alone, parts, "{text}");
            let mut pass = Pass::default();
            let passed: Vec<bool> = rows.iter().map(|r| f.matches_in(r, &mut pass)).collect();
            assert_eq!(passed, alone, "{text}");
        }
        // The second row of an agent is answered from the first.
        let f = RowFilter::parse("agent:bot", FIELDS).unwrap();
        let mut pass = Pass::default();
        assert!(f.matches_in(&rows[0], &mut pass));
        let liar = Cred {
            name: "not it",
            ..rows[1]
        };
        assert!(
            f.matches_in(&liar, &mut pass),
            "read from the pass, not the row"
        );
    }

    /// A row whose severity is coded: its value stands for it in a pass.
    struct Coded {
        severity: Severity,
        rule: &'static str,
    }

    impl Row for Coded {
        fn field(&self, i: usize) -> Value<'_> {
            match i {
                1 => Value::Severity(self.severity),
                _ => Value::Text(self.rule),
            }
        }
        fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
            hit(self.rule)
        }
        fn field_code(&self, i: usize) -> Option<u32> {
            (i == 1).then_some(self.rule.len() as u32)
        }
    }

    #[test]
    fn a_pass_asks_a_coded_field_once_per_code() {
        let f = RowFilter::parse("sev:high r", FIELDS).unwrap();
        let mut pass = Pass::default();
        let high = Coded {
            severity: Severity::High,
            rule: "R17",
        };
        assert!(f.matches_in(&high, &mut pass));
        // Coded as `high` was: answered from the pass. Free text is still
        // read from each row.
        let liar = Coded {
            severity: Severity::Info,
            rule: "R01",
        };
        assert!(f.matches_in(&liar, &mut pass), "read from the pass");
        let other = Coded {
            severity: Severity::Info,
            rule: "x",
        };
        assert!(!f.matches_in(&other, &mut pass));
        let f = RowFilter::parse("!sev:high", FIELDS).unwrap();
        let mut pass = Pass::default();
        assert!(!f.matches_in(&high, &mut pass));
        assert!(!f.matches_in(&liar, &mut pass), "negated after the pass");
        assert!(f.matches_in(&other, &mut pass));
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
