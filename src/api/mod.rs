//! API v1 on the wire: request bodies, answers that are not model objects,
//! the JSON error shape, and the HTTP client that speaks it.

mod audit;
pub mod client;
pub mod discovery;
pub mod guardrails;
pub mod lean;
pub use discovery::{DiscoveredAgent, DiscoveryOutcome, DiscoveryReport};

pub use audit::{AuditCheckpoint, AuditCheckpoints, AuditQuery};

use crate::model::*;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `{"error": {"code": "not_found", "message": "…"}}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: `bad_request`, `unauthorized`,
    /// `forbidden`, `not_found`, `conflict`, `unprocessable`,
    /// `token_revoked`, `token_expired` (a person token),
    /// `credential_revoked`, `credential_expired`, `agent_suspended`,
    /// `agent_killed`, `internal`.
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// Who the caller is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WhoAmI {
    /// `person` or `agent`.
    pub kind: String,
    /// A person token's role; absent for an agent.
    pub role: Option<Role>,
    /// The token's name, or the agent's name.
    pub name: String,
    pub person: Option<Person>,
    pub agent_id: Option<String>,
    pub credential_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    /// A person id or email the token speaks for.
    pub person: Option<String>,
    /// Lifetime in seconds; absent: the token works until it is revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<u64>,
}

/// A token, shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IssuedToken {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub person: Option<String>,
    /// When it stops working; absent: when it is revoked.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    pub token: String,
}

/// Where a person token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenOrigin {
    /// `POST /v1/tokens` (`warden token create`).
    Api,
    /// `WARDEN_ADMIN_TOKEN` at the server's start; retired when it changes.
    Bootstrap,
    /// Minted by Warden for its own in-process dashboard, demo or bench.
    Session,
}

impl TokenOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenOrigin::Api => "api",
            TokenOrigin::Bootstrap => "bootstrap",
            TokenOrigin::Session => "session",
        }
    }
}

impl std::str::FromStr for TokenOrigin {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "api" => Ok(TokenOrigin::Api),
            "bootstrap" => Ok(TokenOrigin::Bootstrap),
            "session" => Ok(TokenOrigin::Session),
            other => Err(format!("unknown token origin {other:?}")),
        }
    }
}

/// Whether a person token works now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    Active,
    /// Past its `expires_at`: refused with `token_expired`.
    Expired,
    /// Refused with `token_revoked`.
    Revoked,
}

impl std::fmt::Display for TokenStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TokenStatus::Active => "active",
            TokenStatus::Expired => "expired",
            TokenStatus::Revoked => "revoked",
        })
    }
}

/// A person token as `GET /v1/tokens` lists it: never its secret or hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The person it speaks for (id), if any.
    pub person: Option<String>,
    /// That person's email.
    #[serde(default)]
    pub person_email: Option<String>,
    pub origin: TokenOrigin,
    pub status: TokenStatus,
    pub created_at: DateTime<Utc>,
    /// Who created it, as the audit trail names them.
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub revoked_reason: Option<String>,
    /// True for the token that made this request.
    #[serde(default)]
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub name: String,
    pub email: String,
    pub team: Option<String>,
    /// The manager's id or email.
    pub manager: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub name: String,
    pub kind: AgentKind,
    pub environment: String,
    /// The owner's person id or email.
    pub owner: Option<String>,
    pub description: Option<String>,
    pub runtime: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AgentPage {
    pub items: Vec<Agent>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCredential {
    pub scopes: Vec<String>,
    /// Absent: the credential never expires.
    pub ttl_seconds: Option<u64>,
}

/// A credential with its secret, shown once at issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IssuedCredential {
    #[serde(flatten)]
    pub credential: Credential,
    pub secret: String,
}

/// `POST /v1/credentials/{id}/rotate`: a replacement now, the old
/// credential retired after the grace period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateRequest {
    pub reason: String,
    /// How long the old credential keeps working, in seconds (at most
    /// [`MAX_GRACE_SECONDS`]); absent or 0: it is revoked at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_seconds: Option<u64>,
}

/// `POST /v1/alerts/{id}/snooze`: quiet the alert for `seconds`, saying
/// why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnoozeRequest {
    /// How long, from now: 1 to [`MAX_SNOOZE_SECONDS`] (7 days).
    pub seconds: u64,
    pub reason: String,
}

/// The longest snooze: 7 days. An alert to be quiet for longer wants an
/// acknowledgement, or the rule's threshold changed.
pub const MAX_SNOOZE_SECONDS: u64 = 7 * 24 * 3600;

/// The longest grace period a rotation takes: 30 days. Longer, and the
/// "old" credential is simply a second live one.
pub const MAX_GRACE_SECONDS: u64 = 30 * 24 * 3600;

/// The replacement with its secret, shown once, and the credential it
/// replaces as it now stands: revoked, or expiring when the grace ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RotatedCredential {
    #[serde(flatten)]
    pub credential: Credential,
    pub secret: String,
    pub previous: Credential,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGrant {
    pub resource: String,
    pub scope: String,
    pub level: GrantLevel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDelegation {
    /// The delegating agent (id or name); give this or `parent_person`.
    pub parent_agent: Option<String>,
    /// The delegating person (id or email).
    pub parent_person: Option<String>,
    pub child_agent: String,
    /// The person at the start of the chain (id or email).
    pub on_behalf_of: Option<String>,
    pub scopes: Vec<String>,
    /// Why an admin approves a delegation in the name of a person who is
    /// not at the start of the parent agent's chain (recorded in the audit
    /// chain); a person delegating with their own token needs none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOwner {
    /// The new owner's person id or email.
    pub owner: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KillRequest {
    pub reason: String,
    /// Also kill every agent this one delegated to, recursively.
    #[serde(default)]
    pub cascade: bool,
    /// Answer with the planned steps and change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntrospectRequest {
    pub token: String,
}

/// RFC 7662 shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Introspection {
    pub active: bool,
    pub agent_id: Option<String>,
    /// Space-separated scopes, as in RFC 7662.
    pub scope: Option<String>,
    /// Expiry as Unix seconds.
    pub exp: Option<i64>,
    pub client_id: Option<String>,
    /// Why the token is not active, when it is known: `revoked`, `expired`,
    /// `agent_suspended`, `agent_killed` (for an exchanged token also
    /// `person_departed`, `invalid`, `unknown`).
    pub reason: Option<String>,
    /// Exchanged tokens only: who started the chain (a person or agent id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Exchanged tokens only: the audiences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Vec<String>>,
    /// Exchanged tokens only: the actors, nested per RFC 8693 §4.1 (the
    /// current actor outermost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
}

/// One thing an agent did, reported with its own credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentEvent {
    /// When it happened; absent: when it was received.
    pub time: Option<DateTime<Utc>>,
    pub action: String,
    /// The host or tool acted on.
    pub target: String,
    pub scope: Option<String>,
    /// `ok`, `denied`, `error`…
    pub result: Option<String>,
    /// Whom it acts for, outermost first (person, then agents).
    #[serde(default)]
    pub on_behalf_of: Vec<String>,
    /// True when a human drove the client interactively.
    #[serde(default)]
    pub interactive: bool,
    /// SHA-256 (64 hex digits, `sha256:` prefix allowed) of the secret this
    /// call presented to its target: a key the agent holds for a system
    /// outside Warden. Never the secret itself. The backend keeps the latest
    /// one per credential and destination; rule R07 compares them across
    /// agents. Absent: the call presented no secret worth naming.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_fingerprint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Accepted {
    pub accepted: usize,
}

/// A row deleted after the cursor, for the client to drop from its copy.
/// The reference backend deletes grants (`DELETE
/// /v1/agents/{id}/grants/{grant}`); other backends may name any kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Removed {
    /// `agent`, `person`, `credential`, `grant`, `delegation` or `alert`.
    pub kind: String,
    pub id: String,
    pub rev: i64,
}

/// Everything changed after a cursor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Changes {
    pub cursor: i64,
    /// True when this answer replaces the client's copy.
    pub full: bool,
    pub agents: Vec<Agent>,
    pub people: Vec<Person>,
    pub credentials: Vec<Credential>,
    pub grants: Vec<Grant>,
    pub delegations: Vec<Delegation>,
    pub alerts: Vec<Alert>,
    pub removed: Vec<Removed>,
    /// True in the summary form (`form=summary`): a full answer lists no
    /// credential or grant, only `summaries`; a later answer lists the
    /// credentials and grants that changed and the summaries they changed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub summary: bool,
    /// The summary form's per-agent credentials and grants, one for every
    /// agent holding any (full answer) or touched by the answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summaries: Vec<Holdings>,
}

/// What an agent holds, counted by the backend: what the agents table, its
/// header and a kill's blast radius read, without every credential and
/// grant in full (`GET /v1/agents/{id}` lists those).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Holdings {
    pub agent_id: String,
    /// Every credential, whatever its status.
    pub credentials: u32,
    /// Active and not expired when the answer was read.
    pub live_credentials: u32,
    /// The soonest expiry among the live credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_expiry: Option<DateTime<Utc>>,
    pub grants: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highest_level: Option<GrantLevel>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.summaries.is_empty()
            && self.agents.is_empty()
            && self.people.is_empty()
            && self.credentials.is_empty()
            && self.grants.is_empty()
            && self.delegations.is_empty()
            && self.alerts.is_empty()
            && self.removed.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditVerification {
    pub ok: bool,
    pub entries: i64,
    /// The sequence number of the first entry that is missing or whose hash
    /// does not match.
    pub first_bad: Option<i64>,
    /// What is wrong with it.
    pub problem: Option<String>,
    /// The attack the signed checkpoints point to, when the chain disagrees
    /// with them: `truncation`, `rewrite`, `fork`, `rollback`, or
    /// `bad_checkpoint` (a checkpoint whose signature does not verify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attack: Option<String>,
    /// How many signed checkpoints the chain was checked against; absent
    /// when the server keeps none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoints: Option<i64>,
}

/// The ownership triage queue: `GET /v1/triage`. Every agent that is not
/// killed and has no owner, or whose owner has left, with owner suggestions
/// ranked from evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TriageReport {
    pub generated_at: DateTime<Utc>,
    /// Events older than this many days are not counted as evidence.
    pub activity_days: u32,
    /// Most urgent first: the worst open alert, then the highest grant
    /// level, then the name.
    pub cases: Vec<TriageCase>,
}

/// Why an agent is in the triage queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriageReason {
    /// It was registered without an owner, or lost it.
    Unowned,
    /// Its owner has left the company.
    OwnerDeparted,
}

impl TriageReason {
    pub fn as_str(self) -> &'static str {
        match self {
            TriageReason::Unowned => "unowned",
            TriageReason::OwnerDeparted => "owner_departed",
        }
    }
}

/// One agent of the triage queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TriageCase {
    pub agent: Agent,
    pub reason: TriageReason,
    /// The owner who left, for `owner_departed`.
    pub departed_owner: Option<Person>,
    /// Since when it has had no active owner: its registration, or the
    /// owner's departure.
    pub since: DateTime<Utc>,
    /// The most severe of its open alerts.
    pub risk: Option<Severity>,
    /// The highest level among its grants.
    pub highest_level: Option<GrantLevel>,
    /// Active people only, best first (highest score, then name, then id);
    /// at most five. Empty when no evidence points at anyone.
    pub suggestions: Vec<Suggestion>,
}

/// A person suggested as an agent's owner, with every piece of evidence
/// that points at them; the score is the sum of its points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Suggestion {
    pub person: Person,
    pub score: u32,
    /// Strongest first.
    pub reasons: Vec<OwnerEvidence>,
}

/// One reason to suggest a person, with its weight and a line a person
/// can read, e.g. `registered it` or `manager of Ada Lovelace, who left`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OwnerEvidence {
    pub kind: EvidenceKind,
    pub points: u32,
    pub text: String,
}

/// The kinds of evidence the triage ranking weighs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// They registered the agent.
    Creator,
    /// A delegation to the agent comes from them or acts for them.
    Delegation,
    /// The agent's recent events acted on their behalf.
    Activity,
    /// They manage the departed owner (or are the next active manager up).
    Manager,
    /// They are on the departed owner's team, or the team the agent's
    /// `team` label names.
    Team,
}
