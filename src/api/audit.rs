//! The audit trail's query (`GET /v1/audit`), and the chain's signed
//! checkpoints as the API answers them (`GET /v1/audit/checkpoints`) and as
//! the checkpoint file holds them, one JSON object a line.

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

/// The parameters of `GET /v1/audit`: the server reads them, the client
/// sends them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Only entries whose `seq` is greater; 0 (the default): from the start.
    #[serde(default)]
    pub after: i64,
    /// The first `limit` entries after `after` (default 1000, at most 10000).
    pub limit: Option<usize>,
    /// The last `tail` entries after `after` instead, still oldest first
    /// (at most 10000); not together with `limit`.
    pub tail: Option<usize>,
    /// Only entries whose target names this id (an agent, credential,
    /// alert… as a whole word).
    pub target: Option<String>,
    /// Only entries about this agent (id or name) or one of its
    /// credentials.
    pub agent: Option<String>,
    /// Only entries by this actor: exactly, or its person's email (the
    /// part before ` (token …)`).
    pub actor: Option<String>,
    /// Only this action (`agent.kill`), or every action under a prefix
    /// ending in `.` or `*` (`credential.`, `alert.*`).
    pub action: Option<String>,
    /// Only entries written at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only entries written before this time.
    pub until: Option<DateTime<Utc>>,
    /// `jsonl` (or `ndjson`), `ocsf` or `cef`: one event a line
    /// (`application/x-ndjson`, CEF as `text/plain`) instead of a JSON
    /// array, read to the end of the chain unless `limit` says otherwise.
    pub format: Option<String>,
}

impl AuditQuery {
    /// The query string's pairs, leaving out what is not set.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![("after", self.after.to_string())];
        if let Some(n) = self.limit {
            v.push(("limit", n.to_string()));
        }
        if let Some(n) = self.tail {
            v.push(("tail", n.to_string()));
        }
        if let Some(t) = &self.target {
            v.push(("target", t.clone()));
        }
        if let Some(a) = &self.agent {
            v.push(("agent", a.clone()));
        }
        if let Some(a) = &self.actor {
            v.push(("actor", a.clone()));
        }
        if let Some(a) = &self.action {
            v.push(("action", a.clone()));
        }
        if let Some(t) = self.since {
            v.push(("since", t.to_rfc3339()));
        }
        if let Some(t) = self.until {
            v.push(("until", t.to_rfc3339()));
        }
        if let Some(f) = &self.format {
            v.push(("format", f.clone()));
        }
        v
    }
}
