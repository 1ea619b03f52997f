//! A list's `/` filter (every list but the agents table, which has its
//! own language): the text as typed, the parsed [`RowFilter`] over the
//! list's fields, and how many rows it kept of how many, for the title and
//! the prompt. A list rebuilds its rows when [`ListFilter::version`] moves.

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
