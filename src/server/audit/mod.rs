//! The audit chain's arithmetic: the canonical form of an entry and its
//! hash. Stores append and read rows; the rules of the chain live here so
//! every store follows the same ones. The walk that verifies a chain is in
//! [`verify`], the signed checkpoints that pin its tail in [`checkpoint`],
//! and the task that writes them in [`checkpointer`].

pub mod checkpoint;
pub mod checkpointer;
pub mod export;
pub mod sinks;
pub mod verify;

pub use verify::Verifier;

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

pub(crate) fn recomputed(e: &AuditEntry) -> String {
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
