//! What the store keeps of an access token issued by token exchange
//! (RFC 8693): who it speaks for, the agents it passed through, and the
//! links whose revocation must end it at once.

use super::TokenRecord;
use crate::model::{Agent, Credential};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One exchanged token as recorded when it was issued.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExchangeRecord {
    pub jti: String,
    /// Who started the chain: a person id or an agent id.
    pub sub: String,
    /// `person` or `agent`.
    pub subject_kind: String,
    /// The agent the token was issued to (the outermost `act`).
    pub actor_agent: String,
    /// The acting agents, first actor first, ending with `actor_agent`.
    pub act_chain: Vec<String>,
    /// Every agent credential the token was derived from, the subject's
    /// and each actor's.
    pub credentials: Vec<String>,
    /// The person token the chain started with, when a person started it.
    pub person_token: Option<String>,
    /// The exchanged token this one was derived from, if any.
    pub parent_jti: Option<String>,
    pub scopes: Vec<String>,
    pub audience: Vec<String>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A recorded token with the links of its chain as they stand now.
#[derive(Debug, Clone)]
pub struct ExchangeState {
    pub record: ExchangeRecord,
    /// Each credential of `record.credentials` with its agent; a link that
    /// no longer exists is missing.
    pub links: Vec<(Credential, Agent)>,
    pub person_token: Option<TokenRecord>,
    /// When the token itself was revoked (RFC 7009), or one it was
    /// derived from, and by whom.
    pub revoked: Option<(DateTime<Utc>, String)>,
}
