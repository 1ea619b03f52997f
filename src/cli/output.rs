//! Printing: aligned tables, detail views with sections, JSON documents, and
//! times as people read them. Every cell and value goes through
//! [`safe_text`](crate::fleet::safe_text) here, so a command cannot forget
//! to escape what a backend sent; JSON needs no such care, serde escapes it.

use super::error::CliError;
use crate::fleet::safe_text;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::io::Write;

/// Text built up for stdout, written in one go by [`emit`].
#[derive(Default)]
pub struct Out {
    buf: String,
}

impl Out {
    pub fn new() -> Out {
        Out::default()
    }

    /// A line of our own words with backend values already made safe (by
    /// [`safe`] or a [`Table`]).
    pub fn line(&mut self, s: impl AsRef<str>) {
        self.buf.push_str(s.as_ref());
        self.buf.push('\n');
    }

    pub fn blank(&mut self) {
        self.buf.push('\n');
    }

    /// A section heading with a count, e.g. `Credentials (2)`.
    pub fn section(&mut self, title: &str, count: usize) {
        if !self.buf.is_empty() {
            self.blank();
        }
        self.line(format!("{title} ({count})"));
    }

    /// `  label   value` lines with the values aligned; values are escaped.
    pub fn fields(&mut self, fields: &[(&str, String)]) {
        let w = fields.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
        for (label, value) in fields {
            self.line(format!("  {label:<w$}  {}", safe(value)));
        }
    }

    pub fn table(&mut self, t: &Table) {
        self.buf.push_str(&t.render());
    }

    /// A table inside a section: indented, or `  none` when it is empty.
    pub fn section_table(&mut self, t: &Table) {
        if t.is_empty() {
            self.line("  none");
            return;
        }
        for line in t.render().lines() {
            self.line(format!("  {line}"));
        }
    }

    pub fn emit(self) -> Result<(), CliError> {
        emit(&self.buf)
    }

    /// The text built so far, for a test to read.
    pub fn into_string(self) -> String {
        self.buf
    }
}

/// Writes `text` to stdout. A closed pipe (`warden agents | head`) is not an
/// error worth a message.
pub fn emit(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::failed(format!("cannot write to stdout: {e}"))),
    }
}

/// One JSON document on stdout.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::failed(format!("cannot encode JSON: {e}")))?;
    text.push('\n');
    emit(&text)
}

/// A backend string made safe to print.
pub fn safe(s: &str) -> std::borrow::Cow<'_, str> {
    safe_text::escape(s)
}

/// A table with a header row; columns are aligned on terminal width, the
/// last column is not padded.
pub struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&'static str]) -> Table {
        Table {
            header: header.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; each cell is escaped.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.rows.push(
            cells
                .into_iter()
                .map(|c| safe_text::escape(c.as_ref()).into_owned())
                .collect(),
        );
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn render(&self) -> String {
        let cols = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.len()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(cols) {
                widths[i] = widths[i].max(safe_text::width(cell));
            }
        }
        let mut out = String::new();
        let mut push_row = |cells: &mut dyn Iterator<Item = &str>| {
            let mut line = String::new();
            for (i, cell) in cells.enumerate().take(cols) {
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(cell);
                if i + 1 < cols {
                    let pad = widths[i].saturating_sub(safe_text::width(cell));
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        };
        push_row(&mut self.header.iter().copied());
        for row in &self.rows {
            push_row(&mut row.iter().map(String::as_str));
        }
        out
    }
}

/// `3m ago`, `in 29d`, or `never` for none.
pub fn ago(t: Option<DateTime<Utc>>) -> String {
    match t {
        None => "never".into(),
        Some(t) => relative(t, Utc::now()),
    }
}

/// `t` relative to `now`, in the largest whole unit.
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds();
    let (n, future) = if secs >= 0 {
        (secs, false)
    } else {
        (-secs, true)
    };
    // Past times round down ("3m ago" until it is 4), future ones up, so a
    // credential issued for 30d does not read "in 29d" a second later.
    let unit = |u: i64| if future { (n + u - 1) / u } else { n / u };
    let span = if n < 60 {
        format!("{n}s")
    } else if n < 3600 {
        format!("{}m", unit(60))
    } else if n < 86_400 {
        format!("{}h", unit(3600))
    } else {
        format!("{}d", unit(86_400))
    };
    if future {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

/// `1 agent`, `2 agents`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A timestamp as people read it, with how long ago: `2024-05-01 12:00 UTC (3d ago)`.
pub fn when(t: DateTime<Utc>) -> String {
    format!(
        "{} ({})",
        t.format("%Y-%m-%d %H:%M UTC"),
        relative(t, Utc::now())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn table_aligns_and_escapes() {
        let mut t = Table::new(&["NAME", "OWNER"]);
        t.row(["bot\x1b[31m", "ada"]);
        t.row(["数据", "-"]);
        let s = t.render();
        assert!(!s.contains('\x1b'));
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "NAME         OWNER");
        assert_eq!(lines[1], "bot\\x1b[31m  ada");
        assert_eq!(lines[2], "数据         -");
    }

    #[test]
    fn relative_times() {
        let now = Utc::now();
        assert_eq!(relative(now - Duration::seconds(5), now), "5s ago");
        assert_eq!(relative(now - Duration::minutes(3), now), "3m ago");
        assert_eq!(relative(now - Duration::hours(5), now), "5h ago");
        assert_eq!(
            relative(now + Duration::days(30) - Duration::seconds(1), now),
            "in 30d"
        );
        assert_eq!(count(1, "agent"), "1 agent");
        assert_eq!(count(0, "agent"), "0 agents");
        assert_eq!(ago(None), "never");
    }
}
