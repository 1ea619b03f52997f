//! The vocabulary both sides share: agents, people, credentials, grants,
//! delegations, alerts, operations and audit entries, as they travel over
//! API v1. The server stores them; the client and the dashboard read them.

mod enums;
#[cfg(test)]
pub(crate) mod fixtures;
mod labels;

pub use enums::*;
pub use labels::Labels;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A non-human identity that acts on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Agent {
    pub id: String,
    pub name: String,
    pub kind: AgentKind,
    pub environment: String,
    /// The owning person's id, or none.
    pub owner: Option<String>,
    pub description: Option<String>,
    /// Where the agent runs and how to stop it, e.g. `k8s:prod/support-bot`.
    pub runtime: Option<String>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub labels: Labels,
    pub status: AgentStatus,
    /// Who registered it: a token name or person.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// The change-feed revision of this row.
    pub rev: i64,
}

/// Where an agent came from, by its `origin` label: [`ORIGIN_SHADOW`]
/// (seen acting in other agents' delegation chains, registered by nobody),
/// `discovered` (reported by `warden discover --register`), else
/// `registered`.
pub const ORIGIN_LABEL: &str = "origin";
/// The `origin` of an identity Warden put in the inventory itself because
/// registered agents act for it: a shadow entry.
pub const ORIGIN_SHADOW: &str = "shadow";

impl Agent {
    /// `shadow`, `discovered`, `claimed` or `registered`: see [`ORIGIN_LABEL`].
    pub fn origin(&self) -> &str {
        match self.labels.get(ORIGIN_LABEL).map(String::as_str) {
            Some(o @ ("shadow" | "discovered" | "claimed")) => o,
            _ => "registered",
        }
    }

    /// An identity nobody registered, that Warden keeps in the inventory
    /// because others act for it.
    pub fn is_shadow(&self) -> bool {
        self.origin() == ORIGIN_SHADOW
    }
}

/// A human in the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: String,
    pub team: Option<String>,
    /// The manager's person id: the successor when this person leaves.
    pub manager: Option<String>,
    pub status: PersonStatus,
    pub created_at: DateTime<Utc>,
    pub departed_at: Option<DateTime<Utc>>,
    pub rev: i64,
}

/// A secret an agent holds. The secret itself never leaves the server after
/// issue; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Credential {
    pub id: String,
    pub agent_id: String,
    pub scopes: Vec<String>,
    /// The first characters of the secret, enough to recognise it in a log.
    pub prefix: String,
    pub issued_at: DateTime<Utc>,
    /// None: never expires.
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub status: CredentialStatus,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    /// The credential that replaced this one in a rotation; absent if none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
    /// The SHA-256 of a secret `warden discover` found in plaintext, as 64
    /// lowercase hex digits: the fingerprint rule R07 compares, never the
    /// secret. Absent on a credential Warden issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    pub rev: i64,
}

/// A permission an agent holds on a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Grant {
    pub id: String,
    pub agent_id: String,
    pub resource: String,
    pub scope: String,
    pub level: GrantLevel,
    pub granted_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub rev: i64,
}

/// Agent `child_agent` acts for a person or for another agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Delegation {
    pub id: String,
    pub parent_agent: Option<String>,
    pub parent_person: Option<String>,
    pub child_agent: String,
    /// The person at the start of the chain.
    pub on_behalf_of: Option<String>,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub rev: i64,
}

/// A rule that fired on an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Alert {
    pub id: String,
    pub agent_id: Option<String>,
    /// The rule id of `rules.md`, e.g. `R18`.
    pub rule: String,
    pub severity: Severity,
    pub summary: String,
    /// A line a responder can read: what was seen, against what was usual.
    /// A resolved alert's evidence starts with `resolved:` and says why.
    pub evidence: String,
    /// The risks the rule answers, e.g. `["NHI1", "ASI10"]`: OWASP Top 10
    /// Non-Human Identities (NHI) and Agentic Applications (ASI).
    #[serde(default)]
    pub mapping: Vec<String>,
    pub status: AlertStatus,
    /// Where the alert comes from: `warden` or an Alertmanager backend.
    #[serde(default = "default_alert_source")]
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub acknowledged_by: Option<String>,
    pub ack_reason: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Snoozed until this time (`POST /v1/alerts/{id}/snooze`): while it is
    /// in the future the alert is not counted as open and rings no bell. It
    /// ends by itself at that time, or at once when the alert escalates;
    /// absent when not snoozed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<DateTime<Utc>>,
    /// Who snoozed it (a person's email or a token's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_by: Option<String>,
    /// Why it was snoozed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snooze_reason: Option<String>,
    pub rev: i64,
}

impl Alert {
    /// Snoozed at `now`: not resolved, and its snooze not over yet.
    pub fn snoozed_at(&self, now: DateTime<Utc>) -> bool {
        self.status != AlertStatus::Resolved && self.snoozed_until.is_some_and(|t| t > now)
    }
}

fn default_alert_source() -> String {
    "warden".into()
}

/// One step of an operation, with its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OperationStep {
    pub name: String,
    /// The agent this step acts on.
    pub agent_id: String,
    pub status: StepStatus,
    pub detail: String,
}

/// An action taken, by whom, why, and the result of each step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Operation {
    pub id: String,
    pub kind: String,
    pub target: String,
    pub actor: String,
    pub reason: String,
    pub status: OperationStatus,
    pub steps: Vec<OperationStep>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One link of the append-only, hash-chained audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub reason: Option<String>,
    pub result: String,
    pub prev_hash: String,
    pub hash: String,
}

/// An agent with everything attached to it: what `GET /v1/agents/{id}` answers.
/// Minutes in an agent's activity series ([`AgentDetail::activity`]): the
/// hour the dashboard draws.
pub const ACTIVITY_MINUTES: usize = 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AgentDetail {
    #[serde(flatten)]
    pub agent: Agent,
    pub owner_person: Option<Person>,
    pub credentials: Vec<Credential>,
    pub grants: Vec<Grant>,
    /// Delegations in which this agent is the child or the parent.
    pub delegations: Vec<Delegation>,
    pub alerts: Vec<Alert>,
    /// Events reported per minute over the last hour, oldest first; the
    /// last entry is the current (partial) minute.
    #[serde(default)]
    pub activity: Vec<u32>,
    /// The identities this agent's reported chains named that nobody had
    /// registered (shadow entries, R17), and how often: it acts for them
    /// without any delegation on record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen_acting_for: Vec<SeenActingFor>,
    /// Live access tokens issued by token exchange whose chain passes
    /// through this agent (as the subject or an actor); a kill ends them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanged_tokens: Vec<LiveExchangedToken>,
}

/// A shadow entry (or one since claimed) an agent was seen acting for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeenActingFor {
    pub agent_id: String,
    pub name: String,
    pub status: AgentStatus,
    /// `shadow` while nobody registered it, else how it was claimed.
    pub origin: String,
    /// Events whose chain named it.
    pub events: u64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

/// An access token issued by token exchange (RFC 8693), still live: not
/// expired and every link of its chain live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LiveExchangedToken {
    pub jti: String,
    /// Who started the chain: a person id or an agent id.
    pub sub: String,
    /// The acting agents' ids, first actor first.
    pub act: Vec<String>,
    pub scopes: Vec<String>,
    pub audience: Vec<String>,
    pub expires_at: DateTime<Utc>,
}
