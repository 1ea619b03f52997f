//! The agents' free text, lower-cased into one buffer, that the filter
//! scans: kept up to date agent by agent as polls apply.

use crate::fleet::filter::SearchKey;
use crate::model::Agent;

/// Every agent's free-text fields lower-cased, in one buffer, so that a
/// filter keystroke scans contiguous bytes instead of four strings per
/// agent scattered over the heap. An agent with non-ASCII text has none
/// (its filter takes the Unicode path). A replaced agent's old bytes stay
/// until they are half the buffer, then the buffer is rebuilt.
#[derive(Debug, Default)]
pub(super) struct SearchKeys {
    bytes: Vec<u8>,
    /// Per agent: where its name, id, description and runtime start, and
    /// where the runtime ends.
    spans: Vec<Option<[u32; 5]>>,
    /// Bytes some agent still points at.
    live: usize,
}

impl SearchKeys {
    pub(super) fn build(agents: &[Agent]) -> SearchKeys {
        let mut keys = SearchKeys::default();
        keys.spans.reserve(agents.len());
        for a in agents {
            keys.push(a);
        }
        keys
    }

    fn make(&mut self, a: &Agent) -> Option<[u32; 5]> {
        let fields = [
            a.name.as_str(),
            a.id.as_str(),
            a.description.as_deref().unwrap_or(""),
            a.runtime.as_deref().unwrap_or(""),
        ];
        let total: usize = fields.iter().map(|f| f.len()).sum();
        if !fields.iter().all(|f| f.is_ascii()) || self.bytes.len() + total > u32::MAX as usize {
            return None;
        }
        let mut span = [self.bytes.len() as u32; 5];
        for (k, f) in fields.iter().enumerate() {
            self.bytes.extend(f.bytes().map(|b| b.to_ascii_lowercase()));
            span[k + 1] = self.bytes.len() as u32;
        }
        self.live += total;
        Some(span)
    }

    pub(super) fn push(&mut self, a: &Agent) {
        let span = self.make(a);
        self.spans.push(span);
    }

    fn release(&mut self, i: usize) {
        if let Some(Some(s)) = self.spans.get(i) {
            self.live -= (s[4] - s[0]) as usize;
        }
    }

    pub(super) fn set(&mut self, i: usize, a: &Agent) {
        self.release(i);
        self.spans[i] = self.make(a);
        self.compact_if_sparse();
    }

    fn compact_if_sparse(&mut self) {
        if self.bytes.len() <= 2 * self.live + 64 * 1024 {
            return;
        }
        let mut bytes = Vec::with_capacity(self.live);
        for span in self.spans.iter_mut().flatten() {
            let base = bytes.len() as u32;
            bytes.extend_from_slice(&self.bytes[span[0] as usize..span[4] as usize]);
            let old = span[0];
            for x in span.iter_mut() {
                *x = *x - old + base;
            }
        }
        self.bytes = bytes;
    }

    pub(super) fn get(&self, i: usize) -> Option<SearchKey<'_>> {
        let s = (*self.spans.get(i)?)?;
        let part = |k: usize| &self.bytes[s[k] as usize..s[k + 1] as usize];
        Some(SearchKey {
            name: part(0),
            id: part(1),
            description: part(2),
            runtime: part(3),
        })
    }
}
