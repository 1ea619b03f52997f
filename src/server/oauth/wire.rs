//! The token endpoint's form and answer as the OpenAPI document shows
//! them; the handler reads the form field by field (RFC 6749 allows each
//! parameter once, and `audience`/`resource` more than once).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `application/x-www-form-urlencoded`, RFC 8693 §2.1.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)] // a schema for the document, not a value anything reads
pub struct TokenExchangeForm {
    /// `urn:ietf:params:oauth:grant-type:token-exchange`.
    pub grant_type: String,
    /// What the actor acts on: a person's token (the person who delegated),
    /// an agent credential, or an access token issued here before.
    pub subject_token: String,
    /// `urn:ietf:params:oauth:token-type:access_token` (or `…:jwt` for a
    /// token issued here).
    pub subject_token_type: String,
    /// The acting agent's own credential.
    pub actor_token: String,
    /// `urn:ietf:params:oauth:token-type:access_token`.
    pub actor_token_type: String,
    /// Space-separated scopes; within the subject's and the delegation's,
    /// else `invalid_scope`. All of them when left out.
    pub scope: Option<String>,
    /// The service the token is for (`aud`); may repeat.
    pub audience: Option<String>,
    /// An absolute URI of the service (RFC 8707), added to `aud`; may repeat.
    pub resource: Option<String>,
    /// `urn:ietf:params:oauth:token-type:access_token` or `…:jwt`: both give
    /// a JWT access token.
    pub requested_token_type: Option<String>,
    /// If given, the acting agent's id or name (or its credential's id).
    pub client_id: Option<String>,
}

/// `POST /v1/oauth/revoke`, form-encoded, RFC 7009 §2.1.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)] // a schema for the document, not a value anything reads
pub struct TokenRevocationForm {
    /// An access token issued by `POST /v1/oauth/token`.
    pub token: String,
    /// `access_token` (the only kind issued here) or left out.
    pub token_type_hint: Option<String>,
    /// Why, for the audit chain (a Warden addition; RFC 7009 clients send
    /// none, and the entry says so).
    pub reason: Option<String>,
}

/// What `POST /v1/oauth/revoke` revoked (RFC 7009 clients read only the
/// status).
#[derive(Debug, Serialize, JsonSchema)]
#[allow(dead_code)]
pub struct TokenRevocationAnswer {
    /// The token's jti and those exchanged from it, revoked by this
    /// request; empty if the token was already revoked, expired or not
    /// one of this server's.
    pub revoked: Vec<String>,
}

/// RFC 8693 §2.2.1.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TokenExchangeAnswer {
    /// A JWT access token (RFC 9068, `typ: at+jwt`, EdDSA), verifiable with
    /// `/.well-known/jwks.json`.
    pub access_token: String,
    pub issued_token_type: String,
    /// `Bearer`.
    pub token_type: String,
    /// Seconds until `exp`: at most 15 minutes by default, never past the
    /// subject's or the actor credential's expiry.
    pub expires_in: i64,
    pub scope: String,
}
