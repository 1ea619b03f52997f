//! The agents' free text, lower-cased, that the filter scans: kept up to
//! date agent by agent as polls apply.

use crate::fleet::filter::SearchKey;
use crate::model::Agent;

/// Every agent's free-text fields (name, id, description, runtime)
/// lower-cased. A field that is lower-case already (most names,
/// descriptions and runtimes) is read from the agent itself, in the order
/// the agents arrived and so mostly in the order their text was
/// allocated; the others are copied, lower-cased, into one buffer (at a
/// million agents, copying every field was 140 MB). An agent with
/// non-ASCII text has no key (its filter takes the Unicode path). A
/// replaced agent's old bytes stay until they are half the buffer, then
/// the buffer is rebuilt.
#[derive(Debug, Default)]
pub(super) struct SearchKeys {
    bytes: Vec<u8>,
    spans: Vec<Option<Span>>,
    /// Bytes some agent still points at.
    live: usize,
}

/// Where an agent's copied fields start in the buffer, and where the last
/// ends; a field the agent's own text serves (bit `k` of `own`) takes no
/// bytes there.
#[derive(Debug, Clone, Copy)]
struct Span {
    at: [u32; 5],
    own: u8,
}

fn fields(a: &Agent) -> [&str; 4] {
    [
        a.name.as_str(),
        a.id.as_str(),
        a.description.as_deref().unwrap_or(""),
        a.runtime.as_deref().unwrap_or(""),
    ]
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

    fn make(&mut self, a: &Agent) -> Option<Span> {
        let fields = fields(a);
        if !fields.iter().all(|f| f.is_ascii()) {
            return None;
        }
        let own = |f: &str| !f.bytes().any(|b| b.is_ascii_uppercase());
        let total: usize = fields.iter().filter(|f| !own(f)).map(|f| f.len()).sum();
        if self.bytes.len() + total > u32::MAX as usize {
            return None;
        }
        let mut span = Span {
            at: [self.bytes.len() as u32; 5],
            own: 0,
        };
        for (k, f) in fields.iter().enumerate() {
            if own(f) {
                span.own |= 1 << k;
            } else {
                self.bytes.extend(f.bytes().map(|b| b.to_ascii_lowercase()));
            }
            span.at[k + 1] = self.bytes.len() as u32;
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
            self.live -= (s.at[4] - s.at[0]) as usize;
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
            bytes.extend_from_slice(&self.bytes[span.at[0] as usize..span.at[4] as usize]);
            let old = span.at[0];
            for x in span.at.iter_mut() {
                *x = *x - old + base;
            }
        }
        self.bytes = bytes;
    }

    /// Agent `i`'s key; `a` is that agent (its own text serves the
    /// fields that needed no lowering).
    pub(super) fn get<'a>(&'a self, i: usize, a: &'a Agent) -> Option<SearchKey<'a>> {
        let s = (*self.spans.get(i)?)?;
        let fields = fields(a);
        let part = |k: usize| -> &'a [u8] {
            if s.own & (1 << k) != 0 {
                fields[k].as_bytes()
            } else {
                &self.bytes[s.at[k] as usize..s.at[k + 1] as usize]
            }
        };
        Some(SearchKey {
            name: part(0),
            id: part(1),
            description: part(2),
            runtime: part(3),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::agent;

    #[test]
    fn keys_are_the_fields_lower_cased_copied_or_not() {
        let mut a = agent("agt_AbC", "ticket-triage");
        a.description = Some("Triage for Support".into());
        a.runtime = Some("k8s:prod/x".into());
        let mut b = agent("agt_lower", "Mixed-Name");
        b.description = None;
        let mut keys = SearchKeys::build(&[a.clone(), b.clone()]);
        let k = keys.get(0, &a).unwrap();
        assert_eq!(k.name, b"ticket-triage");
        assert_eq!(k.id, b"agt_abc");
        assert_eq!(k.description, b"triage for support");
        assert_eq!(k.runtime, b"k8s:prod/x");
        let k = keys.get(1, &b).unwrap();
        assert_eq!(
            (k.name, k.id, k.description),
            (&b"mixed-name"[..], &b"agt_lower"[..], &b""[..])
        );
        // Only the fields with capitals were copied.
        assert_eq!(
            keys.bytes.len(),
            "agt_abc".len() + "triage for support".len() + "mixed-name".len()
        );
        // A rename to capitals copies the new name; the old bytes are let go.
        a.name = "Ticket-Triage-2".into();
        keys.set(0, &a);
        assert_eq!(keys.get(0, &a).unwrap().name, b"ticket-triage-2");
        a.name = "é".into();
        keys.set(0, &a);
        assert!(
            keys.get(0, &a).is_none(),
            "non-ASCII takes the Unicode path"
        );
    }
}
