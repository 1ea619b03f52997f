//! JSON as editors write it: `//` and `/* */` comments and trailing commas
//! (VS Code, Cursor, Zed and Gemini CLI read their settings that way). The
//! text is reduced to plain JSON, keeping every byte offset's line, so
//! serde_json's error positions still point at the user's file.

/// Parses `text` as JSON with comments and trailing commas.
pub fn parse(text: &str) -> Result<serde_json::Value, serde_json::Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(&strip(text))
}

/// Comments become spaces (newlines kept), and a comma followed only by
/// whitespace or comments before `}` or `]` becomes a space.
fn strip(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    // Index in `out` of the last comma outside strings not yet followed by
    // a value: removed if a closing bracket comes next.
    let mut pending_comma: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                pending_comma = None;
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                out.extend_from_slice(&bytes[start..i]);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                out.extend_from_slice(b"  ");
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    out.push(if bytes[i] == b'\n' { b'\n' } else { b' ' });
                    i += 1;
                }
                if i < bytes.len() {
                    out.extend_from_slice(b"  ");
                    i += 2;
                }
                continue;
            }
            b',' => pending_comma = Some(out.len()),
            b'}' | b']' => {
                if let Some(at) = pending_comma.take() {
                    out[at] = b' ';
                }
            }
            b if b.is_ascii_whitespace() => {}
            _ => pending_comma = None,
        }
        out.push(b);
        i += 1;
    }
    // Only ASCII bytes were replaced by ASCII bytes, outside strings.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn comments_and_trailing_commas_are_read() {
        let text = r#"{
            // a line comment
            "a": "http://x//y", /* block
            comment */ "b": [1, 2,],
            "c": {"d": "/* not a comment */",},
        }"#;
        assert_eq!(
            parse(text).unwrap(),
            json!({"a": "http://x//y", "b": [1, 2], "c": {"d": "/* not a comment */"}})
        );
    }

    #[test]
    fn escaped_quotes_stay_inside_strings() {
        assert_eq!(
            parse(r#"{"a": "say \"hi\" // still text",}"#).unwrap(),
            json!({"a": "say \"hi\" // still text"})
        );
    }

    #[test]
    fn errors_point_at_the_right_line() {
        let err = parse("{\n// c\n\"a\": nope\n}").unwrap_err();
        assert_eq!(err.line(), 3);
    }
}
