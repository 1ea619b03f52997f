//! Display-safe text: everything a backend sends is untrusted, and a name or
//! description could carry terminal escapes (recolour the screen, move the
//! cursor, rewrite the title), bidi overrides (make `exe.txt` read
//! `txt.exe`) or invisible characters (two agents that look the same, or an
//! instruction smuggled past a human reviewer). [`escape`] turns those into
//! visible escapes such as `\x1b` or `\u{202e}` and leaves ordinary text,
//! including non-ASCII letters and emoji, untouched.
//!
//! A backslash is left as it is, so a literal `\x1b` typed into a name reads
//! the same as an escaped ESC: the point is that nothing invisible or active
//! reaches the terminal, not a reversible encoding.
//!
//! [`width`] gives the number of terminal columns a string takes, close
//! enough to align tables of names in any script.

use std::borrow::Cow;
use std::fmt::Write as _;

/// True when `c` must not reach a terminal as it is.
#[inline]
pub fn is_unsafe(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        // C0 controls (including ESC, CR, LF, tab) and DEL.
        return u < 0x20 || u == 0x7f;
    }
    matches!(
        u,
        // C1 controls: CSI (U+009B) alone can start an escape sequence.
        0x80..=0x9f
        // Arabic letter mark.
        | 0x061c
        // Mongolian vowel separator: invisible.
        | 0x180e
        // Zero-width space, non-joiner, joiner; LRM, RLM.
        | 0x200b..=0x200f
        // Line and paragraph separators: break lines where none shows.
        | 0x2028..=0x2029
        // Bidi embeddings and overrides.
        | 0x202a..=0x202e
        // Word joiner and the invisible operators.
        | 0x2060..=0x2064
        // Bidi isolates.
        | 0x2066..=0x2069
        // Deprecated format characters (symmetric swapping and friends).
        | 0x206a..=0x206f
        // Byte order mark / zero-width no-break space.
        | 0xfeff
        // Interlinear annotation controls.
        | 0xfff9..=0xfffb
        // Tag characters: invisible, used to smuggle ASCII past a reader.
        | 0xe0000..=0xe007f
        // Soft hyphen and the combining grapheme joiner: invisible.
        | 0x00ad
        | 0x034f
        // Hangul and Khmer fillers: blank, and as wide as a terminal likes.
        | 0x115f..=0x1160
        | 0x17b4..=0x17b5
        | 0x3164
        | 0xffa0
        // Noncharacters.
        | 0xfffe..=0xffff
        // Mathematical letters: `𝐫𝐞𝐯𝐦𝐞` reads as `revme`.
        | 0x1d400..=0x1d7ff
        // Emoji and text presentation selectors and skin-tone modifiers:
        // they change the width of the character before them, and each
        // terminal decides differently whether to follow.
        | 0xfe0e..=0xfe0f
        | 0x1f3fb..=0x1f3ff
        // Private use: no font agrees on their width, or their look.
        | 0xe000..=0xf8ff
        | 0xf0000..=0x10ffff
    )
}

/// Combining marks kept on one character; more are escaped, so a pile of
/// 240 accents cannot climb over the rows above and below.
pub const MAX_MARKS: usize = 2;

/// True for a mark drawn onto the character before it (no columns of its
/// own), as opposed to an unsafe one.
fn is_mark(c: char) -> bool {
    (c as u32) >= 0x300 && !is_unsafe(c) && char_width(c) == 0
}

/// Where `s` first needs escaping at or after byte `from` (a char
/// boundary after which no mark continues a run from before).
fn first_to_escape(s: &str, from: usize) -> Option<usize> {
    let mut marks = 0;
    for (i, c) in s[from..].char_indices() {
        if is_unsafe(c) {
            return Some(from + i);
        }
        if is_mark(c) {
            marks += 1;
            if marks > MAX_MARKS {
                return Some(from + i);
            }
        } else {
            marks = 0;
        }
    }
    None
}

/// `s` with every unsafe character replaced by a visible escape; borrowed
/// (no allocation) when there is nothing to escape.
pub fn escape(s: &str) -> Cow<'_, str> {
    // Nearly everything a backend sends is printable ASCII: checked 16
    // bytes at a time, with no decoding, before looking char by char from
    // the first byte that is not (an ASCII byte, so a char boundary).
    let bytes = s.as_bytes();
    let printable = |b: u8| b.wrapping_sub(0x20) < 0x5f;
    let clean_chunks = bytes
        .chunks(16)
        .take_while(|c| c.iter().fold(true, |ok, &b| ok & printable(b)))
        .count();
    let from = clean_chunks * 16;
    if from >= bytes.len() {
        return Cow::Borrowed(s);
    }
    let Some(first) = first_to_escape(s, from) else {
        return Cow::Borrowed(s);
    };
    // The run of marks the first escape may be part of.
    let mut marks = s[..first].chars().rev().take_while(|&c| is_mark(c)).count();
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if is_mark(c) {
            marks += 1;
            if marks > MAX_MARKS {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
                continue;
            }
        } else {
            marks = 0;
        }
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Appends `c` to `out`, escaped if it is unsafe.
pub fn push_escaped(out: &mut String, c: char) {
    if !is_unsafe(c) {
        out.push(c);
        return;
    }
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Terminal columns taken by `s` once escaped: wide (CJK, emoji) characters
/// count two, combining marks and joiners none. An approximation of
/// Unicode's East Asian Width good enough to align table columns.
pub fn width(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let u = c as u32;
    if is_unsafe(c) {
        // Rendered as an escape: `\x1b` is 4 columns, `\u{202e}` up to 9.
        let mut tmp = String::new();
        push_escaped(&mut tmp, c);
        return tmp.len();
    }
    if u < 0x300 {
        return 1;
    }
    match u {
        // Combining marks, variation selectors, and the emoji modifiers that
        // merge with the previous character.
        0x0300..=0x036f
        | 0x0483..=0x0489
        | 0x0591..=0x05bd
        | 0x0610..=0x061a
        | 0x064b..=0x065f
        | 0x1ab0..=0x1aff
        | 0x1dc0..=0x1dff
        | 0x20d0..=0x20ff
        | 0xfe00..=0xfe0f
        | 0xfe20..=0xfe2f
        | 0x1f3fb..=0x1f3ff
        | 0xe0100..=0xe01ef => 0,
        // Wide: Hangul Jamo, CJK, Hangul syllables, full-width forms, emoji.
        0x1100..=0x115f
        | 0x231a..=0x231b
        | 0x2329..=0x232a
        | 0x23e9..=0x23ec
        | 0x23f0
        | 0x23f3
        | 0x25fd..=0x25fe
        | 0x2614..=0x2615
        | 0x2648..=0x2653
        | 0x267f
        | 0x2693
        | 0x26a1
        | 0x26aa..=0x26ab
        | 0x26bd..=0x26be
        | 0x26c4..=0x26c5
        | 0x26ce
        | 0x26d4
        | 0x26ea
        | 0x26f2..=0x26f3
        | 0x26f5
        | 0x26fa
        | 0x26fd
        | 0x2705
        | 0x270a..=0x270b
        | 0x2728
        | 0x274c
        | 0x274e
        | 0x2753..=0x2755
        | 0x2757
        | 0x2795..=0x2797
        | 0x27b0
        | 0x27bf
        | 0x2b1b..=0x2b1c
        | 0x2b50
        | 0x2b55
        | 0x2e80..=0x303e
        | 0x3041..=0x33ff
        | 0x3400..=0x4dbf
        | 0x4e00..=0x9fff
        | 0xa000..=0xa4cf
        | 0xa960..=0xa97f
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe10..=0xfe19
        | 0xfe30..=0xfe6f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x16fe0..=0x16fe4
        | 0x17000..=0x18cff
        | 0x1b000..=0x1b2ff
        | 0x1f004
        | 0x1f0cf
        | 0x1f18e
        | 0x1f191..=0x1f19a
        | 0x1f200..=0x1f251
        | 0x1f300..=0x1f64f
        | 0x1f680..=0x1f6ff
        | 0x1f7e0..=0x1f7eb
        | 0x1f90c..=0x1f9ff
        | 0x1fa70..=0x1faff
        | 0x20000..=0x3fffd => 2,
        _ => 1,
    }
}

/// `s` escaped, then cut to at most `max` columns with `…` at the end when
/// something was cut.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    let escaped = escape(s);
    if width(&escaped) <= max {
        return escaped;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in escaped.chars() {
        let w = char_width(c);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_fillers_private_use_and_mark_floods_are_escaped() {
        assert_eq!(escape("rev\u{ad}me"), "rev\\u{ad}me");
        assert_eq!(escape("a\u{3164}b"), "a\\u{3164}b");
        assert_eq!(escape("\u{1d42b}\u{1d41e}"), "\\u{1d42b}\\u{1d41e}");
        assert_eq!(escape("x\u{e000}"), "x\\u{e000}");
        // Presentation selectors and skin tones: each terminal widens (or
        // not) the character before them as it likes.
        assert_eq!(escape("\u{2764}\u{fe0f}"), "\u{2764}\\u{fe0f}");
        assert_eq!(escape("\u{1f44d}\u{1f3fd}"), "\u{1f44d}\\u{1f3fd}");
        // Two marks stay (a letter with a diacritic or two); more do not.
        assert_eq!(escape("e\u{301}\u{302}"), "e\u{301}\u{302}");
        let flood = format!("z{}", "\u{301}".repeat(240));
        let shown = escape(&flood);
        assert_eq!(shown.matches('\u{301}').count(), MAX_MARKS, "{shown}");
        assert_eq!(shown.matches("\\u{301}").count(), 240 - MAX_MARKS);
        // A run is counted across the first escape, and ends at a letter.
        let mixed = "a\u{301}\u{301}\u{301}b\u{301}\u{301}";
        assert_eq!(escape(mixed), "a\u{301}\u{301}\\u{301}b\u{301}\u{301}");
        // Ordinary text in any script is left alone.
        for ok in [
            "Ada Lovelace",
            "Ольга",
            "李雷",
            "café",
            "🚀 deploy",
            "ñandú",
        ] {
            assert!(matches!(escape(ok), Cow::Borrowed(_)), "{ok}");
        }
    }

    #[test]
    fn ordinary_text_is_borrowed_untouched() {
        for s in [
            "support-bot",
            "Zoë Ångström",
            "Дмитрий",
            "数据助手",
            "🤖 agent 🚀",
            "k8s:prod/bot",
            "path\\with\\backslashes",
            "",
        ] {
            assert!(matches!(escape(s), Cow::Borrowed(_)), "{s:?}");
        }
    }

    #[test]
    fn terminal_escapes_are_made_visible() {
        assert_eq!(escape("a\x1b[31mred"), "a\\x1b[31mred");
        assert_eq!(escape("line\nbreak\r\ttab"), "line\\nbreak\\r\\ttab");
        assert_eq!(
            escape("bell\x07 del\x7f nul\0"),
            "bell\\x07 del\\x7f nul\\x00"
        );
        assert_eq!(escape("csi\u{9b}2J"), "csi\\u{9b}2J");
        assert_eq!(escape("\u{85}"), "\\u{85}");
    }

    #[test]
    fn bidi_controls_are_made_visible() {
        assert_eq!(escape("invoice\u{202e}fdp.exe"), "invoice\\u{202e}fdp.exe");
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{061c}',
        ] {
            let s = format!("x{c}y");
            let e = escape(&s);
            assert!(!e.contains(c), "{c:?} survived");
            assert_eq!(e, format!("x\\u{{{:x}}}y", c as u32));
        }
    }

    #[test]
    fn invisible_characters_are_made_visible() {
        for c in [
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{feff}',
            '\u{2028}',
            '\u{e0041}',
        ] {
            let s = format!("ad{c}min");
            let e = escape(&s);
            assert!(!e.contains(c), "{c:?} survived");
            assert!(e.starts_with("ad\\u{") && e.ends_with("}min"), "{e}");
        }
    }

    #[test]
    fn escaping_is_idempotent_on_its_output() {
        let once = escape("\x1b]0;owned\x07\u{202e}");
        let twice = escape(&once);
        assert_eq!(once, twice);
        assert!(matches!(twice, Cow::Borrowed(_)));
    }

    #[test]
    fn width_counts_columns() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("Zoë"), 3);
        assert_eq!(width("数据"), 4);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("🤖"), 2);
        assert_eq!(width(&escape("\x1b")), 4);
    }

    #[test]
    fn truncate_cuts_on_columns() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("a-very-long-name", 8), "a-very-…");
        assert_eq!(truncate("数据数据数据", 5), "数据…");
        assert_eq!(truncate("\x1b[2J", 20), "\\x1b[2J");
    }
}
