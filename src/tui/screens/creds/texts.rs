//! The credentials' free text (id, prefix, scopes and the agent's name),
//! lower-cased and joined by newlines into one buffer, in the list's
//! display order: what `/`'s free text reads of a credential, where a pass
//! over the list reads next. Read from each credential and its agent, the
//! same text was five strings, each behind its own pointer, and a
//! keystroke at 300,000 credentials spent most of its time reaching them.
//! A filter's text holds no newline, so searching the joined text finds
//! what searching each part would. An agent renamed, added or removed
//! sorts the list again, and so makes the buffer again.
//!
//! Each row's [`Span`] is kept in the sort's key, so it moves with the row
//! when a poll's changes are merged in; a changed credential's text is
//! appended, and the buffer is copied again in display order once what
//! was appended since the last copy outgrows it. A credential with text
//! that is not ASCII has an empty span, and its filter reads the
//! credential itself.

use crate::model::Credential;

/// Where a row's text is in [`CredTexts`]; empty when it has none there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Span {
    start: u32,
    end: u32,
}

#[derive(Debug, Default)]
pub(super) struct CredTexts {
    /// ASCII only, so that any span is a slice of it.
    bytes: String,
    /// Its length when last made whole, in display order.
    made: usize,
}

fn parts<'a>(c: &'a Credential, agent: Option<&'a str>) -> impl Iterator<Item = &'a str> {
    [c.id.as_str(), c.prefix.as_str()]
        .into_iter()
        .chain(c.scopes.iter().map(String::as_str))
        .chain(agent)
}

impl CredTexts {
    /// Starts again, for a sort's rows to be pushed in their order.
    pub(super) fn clear(&mut self) {
        self.bytes.clear();
        self.made = 0;
    }

    /// The rows pushed since [`clear`](Self::clear) are all the list's.
    pub(super) fn made(&mut self) {
        self.made = self.bytes.len();
    }

    /// Appends `c`'s text and its agent's name; where they are.
    pub(super) fn push(&mut self, c: &Credential, agent: Option<&str>) -> Span {
        let len: usize = parts(c, agent).map(|p| p.len() + 1).sum();
        if parts(c, agent).any(|p| !p.is_ascii()) || self.bytes.len() + len > u32::MAX as usize {
            return Span::default();
        }
        let start = self.bytes.len();
        for (i, p) in parts(c, agent).enumerate() {
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
    pub(super) fn get(&self, span: Span) -> Option<&str> {
        if span.start == span.end {
            return None;
        }
        self.bytes.get(span.start as usize..span.end as usize)
    }

    /// After a merge: copies the texts `spans` point at, in their order,
    /// once what was appended since the last copy is more than half.
    pub(super) fn compact<'a>(&mut self, spans: impl Iterator<Item = &'a mut Span>) {
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
    use crate::model::fixtures::credential;

    #[test]
    fn lower_cased_parts_joined_and_replaced_text_dropped() {
        let mut a = credential("crd_A", "agt_1");
        a.prefix = "WDN_1234".into();
        a.scopes = vec!["Tickets:Read".into(), "db:write".into()];
        let mut texts = CredTexts::default();
        let mut spans = [
            texts.push(&a, Some("Support-Bot")),
            texts.push(&credential("crd_b", "agt_2"), None),
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
            a.prefix = format!("wdn_{i:04}");
            spans[0] = texts.push(&a, None);
            texts.compact(spans.iter_mut());
        }
        assert_eq!(
            texts.get(spans[0]),
            Some("crd_a\nwdn_9999\ntickets:read\ndb:write")
        );
        assert_eq!(texts.get(spans[1]).map(str::to_string), second);
        assert!(texts.bytes.len() < 4096 + 200, "{}", texts.bytes.len());
        // Not ASCII: read from the credential itself.
        a.prefix = "wdn_é".into();
        let span = texts.push(&a, None);
        assert_eq!(texts.get(span), None);
    }
}
