//! A list's `/` filter (every list but the agents table, which has its
//! own language): the text as typed, the parsed [`RowFilter`] over the
//! list's fields, and how many rows it kept of how many, for the title and
//! the prompt. A list rebuilds its rows when [`ListFilter::version`] moves.
//!
//! A long list need not filter all its rows on every keystroke:
//! [`Narrowing`] filters the rows of the last text again when the new text
//! only narrows it (a letter added to a term, a term added), checking only
//! the terms the last text did not have, and gives the rows of a shorter
//! text back at once on Backspace.

use crate::fleet::row_filter::{FieldSpec, Row, RowFilter};
use crate::fleet::safe_text::escape;
use crate::tui::strings;

#[derive(Debug, Default)]
pub struct ListFilter {
    pub text: String,
    filter: RowFilter,
    /// Moves on every change, so the list knows to rebuild.
    pub version: u64,
    /// Rows kept, and rows there were, at the last rebuild.
    pub shown: usize,
    pub total: usize,
}

impl ListFilter {
    /// Takes `text` as the filter when it parses against `fields`; else
    /// keeps the last good one and answers why.
    pub fn set(&mut self, text: &str, fields: &[FieldSpec]) -> Result<(), String> {
        let filter = RowFilter::parse(text, fields)?;
        if self.text != text {
            self.text = text.to_string();
            self.filter = filter;
            self.version += 1;
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.filter.is_empty()
    }

    /// The filter, parsed.
    pub fn row_filter(&self) -> &RowFilter {
        &self.filter
    }

    /// Whether a term reads field `at` (see [`RowFilter::reads_field`]).
    pub fn reads_field(&self, at: usize) -> bool {
        self.filter.reads_field(at)
    }

    /// Whether a term is free text.
    pub fn has_text(&self) -> bool {
        self.filter.has_text()
    }

    pub fn keeps<R: Row + ?Sized>(&self, row: &R) -> bool {
        self.filter.matches(row)
    }

    /// Records a rebuild's counts.
    pub fn counted(&mut self, shown: usize, total: usize) {
        self.shown = shown;
        self.total = total;
    }

    /// "· 12 of 340 match /R17 " while it hides rows, else nothing: to
    /// follow a list's title.
    pub fn of_total(&self) -> String {
        if self.is_empty() {
            String::new()
        } else {
            strings::filtered_title(self.shown, self.total, escape(&self.text))
        }
    }
}

/// A list's filtered rows across keystrokes: see the module's doc. `K` is
/// the list's row key (an id).
#[derive(Debug)]
pub struct Narrowing<K> {
    /// The filter text the list's rows hold now; empty for all of them.
    text: String,
    /// `text`, parsed.
    filter: RowFilter,
    /// The rows of the shorter texts the current one narrowed from, the
    /// shortest first.
    stack: Vec<(String, RowFilter, Vec<K>)>,
}

impl<K> Default for Narrowing<K> {
    fn default() -> Self {
        Narrowing {
            text: String::new(),
            filter: RowFilter::default(),
            stack: Vec::new(),
        }
    }
}

impl<K: Clone> Narrowing<K> {
    /// The rows are all the list's (a new sort, or no filter): nothing
    /// earlier is worth keeping.
    pub fn reset(&mut self) {
        self.text.clear();
        self.filter = RowFilter::default();
        self.stack.clear();
    }

    /// The rows were rebuilt from scratch, a full pass with `filter`.
    pub fn rebuilt(&mut self, filter: &ListFilter) {
        self.text = filter.text.clone();
        self.filter = filter.filter.clone();
        self.stack.clear();
    }

    /// Brings `rows` (which hold this narrowing's text) to `filter`'s text
    /// without a pass over the whole list, if it can: back to a shorter
    /// text's rows, or the rows `pass` keeps of the current ones. `pass`
    /// is handed only the terms the rows' text did not have (the rows pass
    /// the others already), and may visit the rows in another order than
    /// shown. Answers false when the list must filter all its rows (then
    /// call [`rebuilt`](Self::rebuilt)).
    pub fn narrow_by(
        &mut self,
        filter: &ListFilter,
        rows: &mut Vec<K>,
        pass: impl FnOnce(&[K], &RowFilter) -> Vec<K>,
    ) -> bool {
        let new = filter.text.as_str();
        if let Some(i) = self.stack.iter().rposition(|(t, _, _)| t == new) {
            self.stack.truncate(i + 1);
            if let Some((text, parsed, kept)) = self.stack.pop() {
                *rows = kept;
                self.text = text;
                self.filter = parsed;
                return true;
            }
        }
        if self.text.is_empty() || !narrows(&self.text, new) {
            return false;
        }
        let added = filter.filter.since(&self.filter);
        let kept: Vec<K> = if added.is_empty() {
            rows.clone()
        } else {
            pass(rows, &added)
        };
        let before = std::mem::replace(rows, kept);
        let text = std::mem::replace(&mut self.text, new.to_string());
        let parsed = std::mem::replace(&mut self.filter, filter.filter.clone());
        self.stack.push((text, parsed, before));
        true
    }
}

/// Whether every row `new` keeps, `old` keeps too: `new` is `old` with a
/// term added, or with letters added to its last term when that term is a
/// plain or field substring (not negated, not quoted, and not on its way to
/// `none`, which means "has none").
fn narrows(old: &str, new: &str) -> bool {
    let Some(added) = new.strip_prefix(old) else {
        return false;
    };
    if added.is_empty() || old.contains('"') || added.contains('"') {
        return false;
    }
    if old.ends_with(char::is_whitespace) || added.starts_with(char::is_whitespace) {
        return true;
    }
    let last = old.split_whitespace().last().unwrap_or("");
    let continued = added.split_whitespace().next().unwrap_or("");
    // `rule` then `rule:R`: free text became a field term.
    if last.starts_with('!') || (!last.contains(':') && continued.contains(':')) {
        return false;
    }
    match last.split_once(':') {
        Some((_, value)) => {
            let extended = format!("{value}{}", added.split_whitespace().next().unwrap_or(""));
            !"none".starts_with(&extended.to_ascii_lowercase())
                && !extended.eq_ignore_ascii_case("none")
        }
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_narrows() {
        for (old, new) in [
            ("r", "r1"),
            ("rule:R1", "rule:R17"),
            ("rule:R17", "rule:R17 sev:high"),
            ("rule:R17 ", "rule:R17 !agent:x"),
            ("agent:n", "agent:nx"),
        ] {
            assert!(narrows(old, new), "{old} -> {new}");
        }
        for (old, new) in [
            ("r1", "r"),
            ("r1", "x1"),
            ("!r", "!r1"),
            ("agent:n", "agent:no"),
            ("agent:no", "agent:none"),
            ("\"a b", "\"a b\""),
            ("x", "x"),
            ("rule", "rule:R"),
        ] {
            assert!(!narrows(old, new), "{old} -> {new}");
        }
    }

    #[test]
    fn typing_narrows_the_rows_and_backspace_gives_them_back() {
        use crate::fleet::row_filter::{FieldSpec, Value};
        const FIELDS: &[FieldSpec] = &[FieldSpec::text("name", &[])];
        struct Name<'a>(&'a str);
        impl Row for Name<'_> {
            fn field(&self, _: usize) -> Value<'_> {
                Value::Text(self.0)
            }
            fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
                hit(self.0)
            }
        }
        let all: Vec<String> = ["alpha", "alps", "beta", "alto"].map(String::from).to_vec();
        let mut f = ListFilter::default();
        let mut n = Narrowing::default();
        let mut rows = all.clone();
        let mut passes = 0;
        let handed = std::cell::RefCell::new(Vec::new());
        let mut apply = |f: &ListFilter, n: &mut Narrowing<String>, rows: &mut Vec<String>| {
            let pass = |rows: &[String], terms: &RowFilter| {
                assert!(!terms.is_empty(), "a pass with nothing to check");
                handed.borrow_mut().push(terms.clone());
                rows.iter()
                    .filter(|k| terms.matches(&Name(k)))
                    .cloned()
                    .collect()
            };
            if !n.narrow_by(f, rows, pass) {
                passes += 1;
                *rows = all.iter().filter(|k| f.keeps(&Name(k))).cloned().collect();
                n.rebuilt(f);
            }
        };
        for (text, want) in [
            ("a", vec!["alpha", "alps", "beta", "alto"]),
            ("al", vec!["alpha", "alps", "alto"]),
            ("alp", vec!["alpha", "alps"]),
            ("al", vec!["alpha", "alps", "alto"]),
            ("alt", vec!["alto"]),
            ("a", vec!["alpha", "alps", "beta", "alto"]),
            ("b", vec!["beta"]),
            ("alp", vec!["alpha", "alps"]),
            ("alp ", vec!["alpha", "alps"]),
            ("alp s", vec!["alps"]),
        ] {
            f.set(text, FIELDS).unwrap();
            apply(&f, &mut n, &mut rows);
            assert_eq!(rows, want, "{text}");
        }
        assert_eq!(passes, 3, "only the first letter and the changed ones");
        // A term added: only it is checked of the rows the others kept.
        let last = handed.borrow().last().cloned();
        assert_eq!(last, Some(RowFilter::parse("s", FIELDS).unwrap()));
    }
}
