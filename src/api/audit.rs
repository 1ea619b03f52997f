//! The audit chain's signed checkpoints as the API answers them
//! (`GET /v1/audit/checkpoints`) and as the checkpoint file holds them, one
//! JSON object a line.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A server's signed statement that the chain held `seq` entries ending in
/// `hash` at time `at`, while the database was at revision `rev`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditCheckpoint {
    pub seq: i64,
    /// The hash of entry `seq`, the head of the chain when signed.
    pub hash: String,
    /// When it was signed (whole milliseconds: the signature covers them).
    pub at: DateTime<Utc>,
    /// The database's change-feed revision when it was signed: a database
    /// found below it was restored from an older copy.
    pub rev: i64,
    /// The Ed25519 public key that signed it, hex.
    pub key: String,
    /// The Ed25519 signature, hex, over the canonical text of the fields
    /// above (see `warden::server::audit::checkpoint::signed_text`).
    pub sig: String,
}

/// `GET /v1/audit/checkpoints`: this server's checkpoints of the chain, and
/// where the chain is now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditCheckpoints {
    /// This server's public key (hex); absent when it keeps no checkpoints.
    pub key: Option<String>,
    /// The last entry's sequence number in the database now.
    pub head_seq: i64,
    /// The database's change-feed revision now.
    pub rev: i64,
    /// Oldest first.
    pub checkpoints: Vec<AuditCheckpoint>,
}
