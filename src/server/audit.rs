//! The audit chain's arithmetic: the canonical form of an entry, its hash,
//! and the walk that verifies a chain. Stores append and read rows; the
//! rules of the chain live here so every store follows the same ones.

use crate::api::AuditVerification;
use crate::model::AuditEntry;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Fixed field order, timestamps as integers: the same entry always hashes
/// the same, whatever serialises it.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    at_ms: i64,
    actor: &'a str,
    action: &'a str,
    target: &'a str,
    reason: Option<&'a str>,
    result: &'a str,
    prev_hash: &'a str,
}

/// The hash an entry must carry, from its fields and its predecessor's hash.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    seq: i64,
    at_ms: i64,
    actor: &str,
    action: &str,
    target: &str,
    reason: Option<&str>,
    result: &str,
    prev_hash: &str,
) -> String {
    let canonical = Canonical {
        seq,
        at_ms,
        actor,
        action,
        target,
        reason,
        result,
        prev_hash,
    };
    // Serialising a struct of strings and integers cannot fail.
    let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

fn recomputed(e: &AuditEntry) -> String {
    entry_hash(
        e.seq,
        e.at.timestamp_millis(),
        &e.actor,
        &e.action,
        &e.target,
        e.reason.as_deref(),
        &e.result,
        &e.prev_hash,
    )
}

/// Walks the chain in order. Feed it every entry by ascending `seq`, then
/// call [`Verifier::finish`] with the head the store recorded.
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    count: i64,
    bad: Option<(i64, String)>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
            count: 0,
            bad: None,
        }
    }
}

impl Verifier {
    pub fn push(&mut self, e: &AuditEntry) {
        self.count += 1;
        if self.bad.is_some() {
            return;
        }
        if e.seq != self.expected_seq {
            self.bad = Some((
                self.expected_seq,
                format!(
                    "entry {} is missing (the next entry found is {})",
                    self.expected_seq, e.seq
                ),
            ));
            return;
        }
        if e.prev_hash != self.prev_hash {
            self.bad = Some((
                e.seq,
                format!("entry {} does not link to the entry before it", e.seq),
            ));
            return;
        }
        if recomputed(e) != e.hash {
            self.bad = Some((
                e.seq,
                format!("entry {} was changed after it was written", e.seq),
            ));
            return;
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
    }

    /// `head` is the last sequence number the store says it wrote; entries
    /// deleted from the end of the chain show up as missing against it.
    pub fn finish(mut self, head: i64) -> AuditVerification {
        if self.bad.is_none() && head >= self.expected_seq {
            self.bad = Some((
                self.expected_seq,
                format!(
                    "entries {} to {} are missing from the end of the chain",
                    self.expected_seq, head
                ),
            ));
        }
        AuditVerification {
            ok: self.bad.is_none(),
            entries: self.count,
            first_bad: self.bad.as_ref().map(|b| b.0),
            problem: self.bad.map(|b| b.1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let at = Utc.timestamp_millis_opt(1_700_000_000_000 + seq).unwrap();
                let hash = entry_hash(
                    seq,
                    at.timestamp_millis(),
                    "alice",
                    "agent.kill",
                    "agt_1",
                    Some("why"),
                    "ok",
                    &prev,
                );
                let e = AuditEntry {
                    seq,
                    at,
                    actor: "alice".into(),
                    action: "agent.kill".into(),
                    target: "agt_1".into(),
                    reason: Some("why".into()),
                    result: "ok".into(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], head: i64) -> AuditVerification {
        let mut v = Verifier::default();
        entries.iter().for_each(|e| v.push(e));
        v.finish(head)
    }

    #[test]
    fn intact_chain_verifies() {
        let r = verify(&chain(5), 5);
        assert!(r.ok);
        assert_eq!(r.entries, 5);
    }

    #[test]
    fn edited_entry_is_named() {
        let mut c = chain(5);
        c[2].reason = Some("changed".into());
        let r = verify(&c, 5);
        assert!(!r.ok);
        assert_eq!(r.first_bad, Some(3));
    }

    #[test]
    fn rehashed_entry_breaks_the_next_link() {
        let mut c = chain(5);
        c[1].actor = "mallory".into();
        c[1].hash = recomputed(&c[1]);
        let r = verify(&c, 5);
        assert_eq!(r.first_bad, Some(3));
    }

    #[test]
    fn deleted_entries_are_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(&c, 5).first_bad, Some(2));
        let c = chain(5);
        assert_eq!(verify(&c[..3], 5).first_bad, Some(4));
    }
}
