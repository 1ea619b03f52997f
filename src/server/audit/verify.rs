//! The walk that verifies a chain: every entry links to the one before and
//! hashes to what it carries, nothing is missing, and, when there are
//! signed checkpoints, the chain is the one they signed. A chain that is
//! consistent in itself but disagrees with a checkpoint was attacked by
//! someone who could write the database; the disagreement names how.

use super::checkpoint::signature_holds;
use super::{GENESIS, recomputed};
use crate::api::{AuditCheckpoint, AuditVerification};
use crate::model::AuditEntry;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Walks the chain in order. Feed it every entry by ascending `seq`, then
/// call [`Verifier::finish`] with the head the store recorded.
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    count: i64,
    bad: Option<(i64, String)>,
    witness: Option<Witness>,
}

/// What the checkpoints say, and how the chain compared with them.
#[derive(Default)]
struct Witness {
    total: i64,
    by_seq: HashMap<i64, Vec<AuditCheckpoint>>,
    /// The first checkpoint that does not hold, and why.
    refused: Option<(AuditCheckpoint, String)>,
    /// Checkpoints the chain agrees with: (seq, key).
    matched: Vec<(i64, String)>,
    /// Checkpoints naming another hash than the chain's entry, with the
    /// time that entry says it was written.
    mismatched: Vec<(AuditCheckpoint, DateTime<Utc>)>,
    last_seen: i64,
}

/// Why a chain fails, and the name of the attack.
struct Finding {
    attack: &'static str,
    first_bad: i64,
    problem: String,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
            count: 0,
            bad: None,
            witness: None,
        }
    }
}

fn short(key: &str) -> &str {
    key.get(..12).unwrap_or(key)
}

impl Verifier {
    /// Checks the chain against `checkpoints` too; one not signed by one of
    /// `trusted` keys (hex), or whose signature fails, fails the chain.
    pub fn with_checkpoints(checkpoints: Vec<AuditCheckpoint>, trusted: &[String]) -> Verifier {
        let mut w = Witness {
            total: checkpoints.len() as i64,
            ..Witness::default()
        };
        for cp in checkpoints {
            let why = if !trusted.iter().any(|k| k.eq_ignore_ascii_case(&cp.key)) {
                Some(format!(
                    "checkpoint #{} is signed by key {}…, which is not a trusted key",
                    cp.seq,
                    short(&cp.key)
                ))
            } else if !signature_holds(&cp) {
                Some(format!(
                    "checkpoint #{}'s signature does not verify: the checkpoint was altered",
                    cp.seq
                ))
            } else {
                None
            };
            match why {
                Some(why) => {
                    if w.refused.is_none() {
                        w.refused = Some((cp, why));
                    }
                }
                None => w.by_seq.entry(cp.seq).or_default().push(cp),
            }
        }
        Verifier {
            witness: Some(w),
            ..Verifier::default()
        }
    }

    pub fn push(&mut self, e: &AuditEntry) {
        self.count += 1;
        if let Some(w) = &mut self.witness {
            w.last_seen = w.last_seen.max(e.seq);
            for cp in w.by_seq.get(&e.seq).into_iter().flatten() {
                if cp.hash == e.hash {
                    w.matched.push((cp.seq, cp.key.clone()));
                } else {
                    w.mismatched.push((cp.clone(), e.at));
                }
            }
        }
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
    pub fn finish(self, head: i64) -> AuditVerification {
        self.finish_at(head, None)
    }

    /// As [`Verifier::finish`], with the database's change-feed revision
    /// now: a database behind a checkpoint's revision was rolled back.
    pub fn finish_at(mut self, head: i64, rev: Option<i64>) -> AuditVerification {
        if self.bad.is_none() && head >= self.expected_seq {
            self.bad = Some((
                self.expected_seq,
                format!(
                    "entries {} to {} are missing from the end of the chain",
                    self.expected_seq, head
                ),
            ));
        }
        let checkpoints = self.witness.as_ref().map(|w| w.total);
        let finding = match (&self.bad, &self.witness) {
            (None, Some(w)) => w.judge(rev),
            _ => None,
        };
        let (attack, bad) = match finding {
            Some(f) => (Some(f.attack.to_string()), Some((f.first_bad, f.problem))),
            None => (None, self.bad),
        };
        AuditVerification {
            ok: bad.is_none(),
            entries: self.count,
            first_bad: bad.as_ref().map(|b| b.0),
            problem: bad.map(|b| b.1),
            attack,
            checkpoints,
        }
    }
}

impl Witness {
    /// The chain is consistent in itself; what do the checkpoints say?
    fn judge(&self, rev: Option<i64>) -> Option<Finding> {
        if let Some((cp, why)) = &self.refused {
            return Some(Finding {
                attack: "bad_checkpoint",
                first_bad: cp.seq,
                problem: why.clone(),
            });
        }
        self.conflicting_checkpoints()
            .or_else(|| self.disagreement())
            .or_else(|| self.cut_tail(rev))
    }

    /// Two signed checkpoints of the same entry with different hashes: two
    /// histories were signed.
    fn conflicting_checkpoints(&self) -> Option<Finding> {
        let mut seqs: Vec<_> = self.by_seq.keys().copied().collect();
        seqs.sort_unstable();
        for seq in seqs {
            let cps = &self.by_seq[&seq];
            let first = &cps[0];
            let Some(other) = cps.iter().find(|c| c.hash != first.hash) else {
                continue;
            };
            return Some(if other.key != first.key {
                Finding {
                    attack: "fork",
                    first_bad: seq,
                    problem: format!(
                        "fork between two servers: key {}… and key {}… each signed a different \
                         entry {seq}; the servers wrote two histories",
                        short(&first.key),
                        short(&other.key)
                    ),
                }
            } else {
                Finding {
                    attack: "rollback",
                    first_bad: seq,
                    problem: format!(
                        "rolled-back database: key {}… signed two different entries {seq} (at \
                         {} and {}); the database was restored from an older copy and written \
                         again",
                        short(&first.key),
                        first.at.to_rfc3339(),
                        other.at.to_rfc3339()
                    ),
                }
            });
        }
        None
    }

    /// An entry whose hash is not the one a checkpoint signed.
    fn disagreement(&self) -> Option<Finding> {
        let (cp, entry_at) = self.mismatched.iter().min_by_key(|(c, _)| c.seq)?;
        let seq = cp.seq;
        if let Some((agreed, other)) = self
            .matched
            .iter()
            .filter(|(s, k)| *s >= seq && *k != cp.key)
            .max_by_key(|(s, _)| *s)
        {
            return Some(Finding {
                attack: "fork",
                first_bad: seq,
                problem: format!(
                    "fork between two servers: key {}… signed another entry {seq} than this \
                     chain holds, while key {}… signed this chain up to entry {agreed}; the \
                     servers wrote two histories",
                    short(&cp.key),
                    short(other)
                ),
            });
        }
        if *entry_at > cp.at {
            return Some(Finding {
                attack: "rollback",
                first_bad: seq,
                problem: format!(
                    "rolled-back database: entry {seq} was written at {}, after checkpoint {seq} \
                     signed another entry {seq} at {}; the database was restored from an older \
                     copy and written again",
                    entry_at.to_rfc3339(),
                    cp.at.to_rfc3339()
                ),
            });
        }
        let from = self
            .matched
            .iter()
            .map(|(s, _)| *s)
            .filter(|s| *s < seq)
            .max()
            .unwrap_or(0)
            + 1;
        Some(Finding {
            attack: "rewrite",
            first_bad: from,
            problem: format!(
                "rewritten chain: entries {from} to {seq} were changed and their hashes \
                 recomputed; entry {seq}'s hash is not the one signed at {}",
                cp.at.to_rfc3339()
            ),
        })
    }

    /// Checkpoints of entries the chain no longer has.
    fn cut_tail(&self, rev: Option<i64>) -> Option<Finding> {
        let beyond = self
            .by_seq
            .values()
            .flatten()
            .filter(|c| c.seq > self.last_seen)
            .max_by_key(|c| c.seq)?;
        let from = self.last_seen + 1;
        let to = beyond.seq;
        let at = beyond.at.to_rfc3339();
        if let Some(rev) = rev.filter(|r| *r < beyond.rev) {
            return Some(Finding {
                attack: "rollback",
                first_bad: from,
                problem: format!(
                    "rolled-back database: it is at revision {rev}, behind revision {} that \
                     checkpoint {to} signed at {at}; it was restored from an older copy, and \
                     entries {from} to {to} are lost",
                    beyond.rev
                ),
            });
        }
        Some(Finding {
            attack: "truncation",
            first_bad: from,
            problem: format!(
                "truncated chain: entries {from} to {to} were cut from the end (checkpoint {to}, \
                 signed at {at}, names them)"
            ),
        })
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::audit::checkpoint::SigningKey;
    use crate::server::audit::entry_hash;
    use chrono::TimeZone;

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

    fn key(n: u8) -> SigningKey {
        SigningKey::from_seed_for_tests(n)
    }

    fn checked(
        entries: &[AuditEntry],
        cps: Vec<AuditCheckpoint>,
        keys: &[&SigningKey],
        rev: i64,
    ) -> AuditVerification {
        let trusted: Vec<String> = keys.iter().map(|k| k.public_hex().to_string()).collect();
        let mut v = Verifier::with_checkpoints(cps, &trusted);
        entries.iter().for_each(|e| v.push(e));
        let head = entries.last().map_or(0, |e| e.seq);
        v.finish_at(head, Some(rev))
    }

    fn cp(k: &SigningKey, e: &AuditEntry, rev: i64) -> AuditCheckpoint {
        k.sign(e.seq, &e.hash, rev, e.at + chrono::Duration::seconds(1))
    }

    #[test]
    fn a_chain_that_matches_its_checkpoints_verifies() {
        let c = chain(10);
        let k = key(1);
        let r = checked(&c, vec![cp(&k, &c[4], 5), cp(&k, &c[9], 10)], &[&k], 10);
        assert!(r.ok, "{r:?}");
        assert_eq!(r.checkpoints, Some(2));
    }

    #[test]
    fn a_cut_tail_is_truncation_and_an_older_database_is_a_rollback() {
        let c = chain(10);
        let k = key(1);
        let cps = vec![cp(&k, &c[9], 10)];
        let r = checked(&c[..7], cps.clone(), &[&k], 12);
        assert_eq!(r.attack.as_deref(), Some("truncation"), "{r:?}");
        assert_eq!(r.first_bad, Some(8));
        let r = checked(&c[..7], cps, &[&k], 7);
        assert_eq!(r.attack.as_deref(), Some("rollback"), "{r:?}");
    }

    #[test]
    fn a_rehashed_chain_is_a_rewrite() {
        let c = chain(10);
        let k = key(1);
        let cps = vec![cp(&k, &c[3], 4), cp(&k, &c[9], 10)];
        let mut forged = c.clone();
        forged[5].actor = "mallory".into();
        for i in 5..10 {
            if i > 5 {
                forged[i].prev_hash = forged[i - 1].hash.clone();
            }
            forged[i].hash = recomputed(&forged[i]);
        }
        let r = checked(&forged, cps, &[&k], 10);
        assert_eq!(r.attack.as_deref(), Some("rewrite"), "{r:?}");
        assert_eq!(r.first_bad, Some(5));
    }

    #[test]
    fn two_servers_signing_two_histories_is_a_fork() {
        let c = chain(10);
        let (a, b) = (key(1), key(2));
        let mut other = c.clone();
        other[7].hash = "f".repeat(64);
        let cps = vec![cp(&a, &c[9], 10), cp(&b, &other[7], 8)];
        let r = checked(&c, cps, &[&a, &b], 10);
        assert_eq!(r.attack.as_deref(), Some("fork"), "{r:?}");
        assert_eq!(r.first_bad, Some(8));
    }

    #[test]
    fn a_forged_or_untrusted_checkpoint_fails() {
        let c = chain(3);
        let k = key(1);
        let mut bad = cp(&k, &c[2], 3);
        bad.rev = 99;
        let r = checked(&c, vec![bad], &[&k], 3);
        assert_eq!(r.attack.as_deref(), Some("bad_checkpoint"), "{r:?}");
        let r = checked(&c, vec![cp(&key(2), &c[2], 3)], &[&k], 3);
        assert!(r.problem.unwrap().contains("not a trusted key"));
    }
}
