//! One text policy at the API boundary: what a string a client sends may
//! hold, by the kind of field it fills. Warden's own outputs escape
//! whatever they show ([`crate::fleet::safe_text`]), but every other API
//! client gets the strings as stored, so hostile ones are refused here,
//! with the field named, before they are stored:
//! - a **name** (agent, person, token): nothing invisible, control, bidi,
//!   filler, look-alike letter, private-use or piled-up mark (all that the
//!   dashboard would escape), and no padding;
//! - a **line** (email, team, environment, runtime, a label, a scope, a
//!   resource): the same but spaces inside are fine;
//! - a **text** (description, reason): lines and tabs are fine, controls,
//!   bidi overrides and invisible characters are not.
//!
//! And two names that look alike are the same name: [`skeleton`] (UTS #39
//! confusable skeletons) is what [`collides`] compares, so `раураl` (with
//! Cyrillic letters) cannot sit beside `paypal`.

use crate::fleet::safe_text::{self, escape};

/// The kind of field a string fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Name,
    Line,
    Text,
}

/// Why `value` cannot fill `field`, if it cannot: one line naming the
/// field and the first offending character.
pub fn check(field: &str, value: &str, kind: Kind) -> Result<(), String> {
    // Emoji presentation and skin tones are fine in prose: only their width
    // is in doubt, and the dashboard escapes them.
    let allowed = |c: char| {
        kind == Kind::Text
            && matches!(
                c,
                '\n' | '\t' | '\u{fe0e}' | '\u{fe0f}' | '\u{1f3fb}'..='\u{1f3ff}'
            )
    };
    if let Some(c) = value
        .chars()
        .find(|&c| safe_text::is_unsafe(c) && !allowed(c))
    {
        return Err(format!(
            "{field} holds U+{:04X}, a control, invisible, bidi or look-alike character; \
             {}",
            c as u32,
            match kind {
                Kind::Text => "text may hold line breaks and tabs, not those",
                _ => "it must read as what it is",
            }
        ));
    }
    // A pile of marks is escaped on screen; in a name or line it is refused.
    if kind != Kind::Text && escape(value).contains("\\u{") {
        return Err(format!(
            "{field} piles more than {} combining marks on one letter",
            safe_text::MAX_MARKS
        ));
    }
    if kind == Kind::Name && value.trim() != value {
        return Err(format!("{field} must not start or end with spaces"));
    }
    Ok(())
}

/// The UTS #39 skeleton of `name`, case-folded: two names with the same
/// skeleton look alike.
pub fn skeleton(name: &str) -> String {
    unicode_security::skeleton(&name.to_lowercase()).collect()
}

/// The first of `existing` that `name` would be mistaken for: a different
/// name with the same skeleton.
pub fn collides<'a>(name: &str, existing: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mine = skeleton(name);
    existing
        .into_iter()
        .find(|other| *other != name && skeleton(other) == mine)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_presentation_is_prose_not_a_name() {
        assert!(
            check(
                "description",
                "ship it \u{2764}\u{fe0f}\u{1f44d}\u{1f3fd}",
                Kind::Text
            )
            .is_ok()
        );
        assert!(check("name", "bot\u{2764}\u{fe0f}", Kind::Name).is_err());
    }

    #[test]
    fn names_lines_and_texts_refuse_what_they_must() {
        for bad in [
            "evil\u{1b}]0;PWNED\u{7}",
            "exe.\u{202e}txt",
            "rev\u{ad}me",
            "zw\u{200b}",
            "\u{3164}",
            "\u{1d42b}ev",
            "pua\u{e000}",
            "nul\u{0}",
        ] {
            for kind in [Kind::Name, Kind::Line, Kind::Text] {
                let e = check("name", bad, kind).unwrap_err();
                assert!(e.starts_with("name holds U+"), "{bad:?}: {e}");
            }
        }
        assert!(check("description", "two\nlines\tand a tab", Kind::Text).is_ok());
        assert!(check("team", "two\nlines", Kind::Line).is_err());
        let flood = format!("z{}", "\u{301}".repeat(5));
        assert!(
            check("name", &flood, Kind::Name)
                .unwrap_err()
                .contains("combining")
        );
        assert!(check("name", " padded", Kind::Name).is_err());
        assert!(check("reason", " padded is fine in text", Kind::Text).is_ok());
        for ok in [
            "support-bot",
            "Ольга Петрова",
            "李雷",
            "café crème",
            "🚀 deploys",
        ] {
            assert!(check("name", ok, Kind::Name).is_ok(), "{ok}");
        }
    }

    #[test]
    fn look_alike_names_collide_and_different_ones_do_not() {
        // Cyrillic а, р and у in place of Latin a, p and y.
        let cyrillic = "\u{440}\u{430}\u{443}\u{440}\u{430}l";
        assert_eq!(collides(cyrillic, ["paypal", "other"]), Some("paypal"));
        assert_eq!(collides("PayPal", ["paypal"]), Some("paypal"));
        assert_eq!(collides("rn-bot", ["m-bot"]), Some("m-bot"));
        assert_eq!(
            collides("paypal", ["paypal"]),
            None,
            "the same name is no look-alike"
        );
        assert_eq!(collides("support-bot", ["sales-bot", "billing"]), None);
    }
}
