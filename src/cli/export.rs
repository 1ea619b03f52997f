//! Tables written for files, meetings and tickets: CSV (RFC 4180) and
//! Markdown. Each cell goes through [`safe_text`](crate::fleet::safe_text)
//! first, since such a file is as likely to be printed on a terminal as
//! opened elsewhere; then through the format's own quoting, which also
//! keeps a backend's text from being read as a spreadsheet formula or as
//! Markdown.

use crate::fleet::safe_text;

/// One CSV field: escaped, kept from starting a formula, and quoted when it
/// holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    let text = safe_text::escape(s);
    // A spreadsheet runs a cell that starts with one of these as a formula
    // (`=HYPERLINK(…)`); a leading apostrophe makes it plain text (OWASP's
    // advice for CSV injection).
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.into_owned()
    };
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// One CSV record, ended with CRLF as RFC 4180 has it.
pub fn csv_record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// Backslash-escapes what Markdown would read as table structure, markup,
/// links or HTML; line breaks become spaces, since a table row is one line.
fn md_text(s: &str) -> String {
    let text = safe_text::escape(s);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// One Markdown table cell made of `lines`, shown one under the other.
pub fn md_cell<S: AsRef<str>>(lines: &[S]) -> String {
    lines
        .iter()
        .map(|l| md_text(l.as_ref()))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// A Markdown (GitHub-flavoured) table; each row's cells come from
/// [`md_cell`].
pub fn md_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n", header.join(" | "));
    out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An RFC 4180 reader, enough to read back what [`csv_record`] wrote.
    pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
        let mut records = Vec::new();
        let mut record = Vec::new();
        let mut field = String::new();
        let mut chars = text.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') => quoted = true,
                (false, ',') => record.push(std::mem::take(&mut field)),
                (false, '\r') => {}
                (false, '\n') => {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                (false, c) => field.push(c),
            }
        }
        records
    }

    #[test]
    fn plain_fields_stay_plain() {
        assert_eq!(csv_field("support-bot"), "support-bot");
        assert_eq!(
            csv_field("Ada Lovelace <ada@corp.example>"),
            "Ada Lovelace <ada@corp.example>"
        );
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_field("42"), "42");
    }

    #[test]
    fn commas_and_quotes_are_quoted_and_quotes_doubled() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        let record = csv_record(&["a,b", "c\"d", "plain"]);
        assert_eq!(record, "\"a,b\",\"c\"\"d\",plain\r\n");
        assert_eq!(parse_csv(&record), [["a,b", "c\"d", "plain"]]);
    }

    #[test]
    fn line_breaks_and_control_characters_never_reach_the_file_raw() {
        let f = csv_field("one\r\ntwo\x1b[2J\u{202e}");
        assert!(!f.contains(['\r', '\n', '\x1b', '\u{202e}']), "{f:?}");
        assert_eq!(parse_csv(&csv_record(&[f.as_str()])).len(), 1);
    }

    #[test]
    fn formulas_are_neutralised() {
        for (raw, want) in [
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+1+1", "'+1+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(csv_field(raw), want, "{raw}");
        }
        let back = parse_csv(&csv_record(&["=1+1, x"]));
        assert_eq!(back, [["'=1+1, x"]]);
    }

    #[test]
    fn markdown_cells_escape_pipes_markup_and_line_breaks() {
        assert_eq!(md_cell(&["a|b"]), "a\\|b");
        assert_eq!(md_cell(&["<script>"]), "\\<script\\>");
        assert_eq!(
            md_cell(&["[x](http://e) **b**"]),
            "\\[x\\](http://e) \\*\\*b\\*\\*"
        );
        assert_eq!(md_cell(&["one", "two"]), "one<br>two");
        let c = md_cell(&["line\nbreak\x1b[31m"]);
        assert!(!c.contains(['\n', '\r', '\x1b']), "{c:?}");
        assert_eq!(md_cell(&["a\\b"]), "a\\\\b");
    }

    #[test]
    fn a_markdown_table_has_a_header_and_one_line_per_row() {
        let t = md_table(
            &["Agent", "Case"],
            &[vec![md_cell(&["x|y"]), md_cell(&["z"])]],
        );
        assert_eq!(t, "| Agent | Case |\n| --- | --- |\n| x\\|y | z |\n");
    }
}
