//! A long list's free text, lower-cased and joined by newlines into one
//! buffer in the list's display order: what `/`'s free text reads of a
//! row, where a pass over the list reads next. Read from each item (and
//! its agent) the same text was several strings, each behind its own
//! pointer, and a keystroke over 300,000 credentials or a million alerts
//! spent most of its time reaching them. A filter's text holds no
//! newline, so searching the joined text finds what searching each part
//! would. The credentials, alerts and triage lists keep one each.
//!
//! Each row's [`Span`] is kept in the list's sort key, so it moves with the
//! row when a poll's changes are merged in; a changed item's text is
//! appended, and the buffer is copied again in display order once what
//! was appended since the last copy outgrows it. An item with text that is
//! not ASCII has an empty span, and its filter reads the item itself.

/// Where a row's text is in [`RowTexts`]; empty when it has none there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    start: u32,
    end: u32,
}

#[derive(Debug, Default)]
pub(crate) struct RowTexts {
    /// ASCII only, so that any span is a slice of it.
    bytes: String,
    /// Its length when last made whole, in display order.
    made: usize,
}

impl RowTexts {
    /// Starts again, for a sort's rows to be pushed in their order.
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.made = 0;
    }

    /// The rows pushed since [`clear`](Self::clear) are all the list's.
    pub(crate) fn made(&mut self) {
        self.made = self.bytes.len();
    }

    /// Appends a row's `parts`, lower-cased; where they are.
    pub(crate) fn push<'a>(&mut self, parts: impl Iterator<Item = &'a str> + Clone) -> Span {
        let len: usize = parts.clone().map(|p| p.len() + 1).sum();
        if parts.clone().any(|p| !p.is_ascii()) || self.bytes.len() + len > u32::MAX as usize {
            return Span::default();
        }
        let start = self.bytes.len();
        for (i, p) in parts.enumerate() {
            if i > 0 {
                self.bytes.push('\n');
            }
            self.bytes.extend(p.chars().map(|c| c.to_ascii_lowercase()));
        }
        Span {
            start: start as u32,
            end: self.bytes.len() as u32,
        }
    }

    /// The text at `span`, if it has one here.
    pub(crate) fn get(&self, span: Span) -> Option<&str> {
        if span.start == span.end {
            return None;
        }
        self.bytes.get(span.start as usize..span.end as usize)
    }

    /// After a merge: copies the texts `spans` point at, in their order,
    /// once what was appended since the last copy is more than half.
    pub(crate) fn compact<'a>(&mut self, spans: impl Iterator<Item = &'a mut Span>) {
        if self.bytes.len() <= 2 * self.made + 4096 {
            return;
        }
        let mut bytes = String::with_capacity(self.made + self.made / 4);
        for span in spans {
            if span.start == span.end {
                continue;
            }
            let from = bytes.len() as u32;
            bytes.push_str(&self.bytes[span.start as usize..span.end as usize]);
            *span = Span {
                start: from,
                end: bytes.len() as u32,
            };
        }
        self.bytes = bytes;
        self.made();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_cased_parts_joined_and_replaced_text_dropped() {
        let mut a = ["crd_A", "WDN_1234", "Tickets:Read", "db:write"].map(String::from);
        let mut texts = RowTexts::default();
        let mut spans = [
            texts.push(a.iter().map(String::as_str).chain(Some("Support-Bot"))),
            texts.push(["crd_b", "wdn_x"].into_iter()),
        ];
        texts.made();
        assert_eq!(
            texts.get(spans[0]),
            Some("crd_a\nwdn_1234\ntickets:read\ndb:write\nsupport-bot")
        );
        let second = texts.get(spans[1]).map(str::to_string);
        // Replaced over and over: the buffer stays about what is live, and
        // every span still reads its own text.
        for i in 0..10_000 {
            a[1] = format!("wdn_{i:04}");
            spans[0] = texts.push(a.iter().map(String::as_str));
            texts.compact(spans.iter_mut());
        }
        assert_eq!(
            texts.get(spans[0]),
            Some("crd_a\nwdn_9999\ntickets:read\ndb:write")
        );
        assert_eq!(texts.get(spans[1]).map(str::to_string), second);
        assert!(texts.bytes.len() < 4096 + 200, "{}", texts.bytes.len());
        // Not ASCII: read from the item itself.
        a[1] = "wdn_é".into();
        let span = texts.push(a.iter().map(String::as_str));
        assert_eq!(texts.get(span), None);
    }
}
