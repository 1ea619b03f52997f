//! The wire shapes of guardrails (`GET /v1/guardrails`, stop and run):
//! the configured policies and the automatic actions they planned.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An automatic action a guardrail planned on an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GuardrailAction {
    pub id: String,
    /// The policy's name; the audit's actor is `guardrail:NAME`.
    pub policy: String,
    /// `freeze`, `revoke` or `kill`.
    pub action: String,
    pub alert_id: String,
    pub rule: String,
    pub agent_id: String,
    pub agent_name: String,
    /// What `revoke` revokes: the credentials the alert names.
    pub credentials: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// When it acts unless stopped.
    pub due_at: DateTime<Utc>,
    /// `pending` (in its grace period), `running`, `done`, `stopped` (by a
    /// person), `skipped` (a person acted on the agent, or the alert
    /// resolved), `held` (circuit breaker) or `failed`.
    pub status: String,
    pub finished_at: Option<DateTime<Utc>>,
    /// What happened, or why not; how to undo it where it can be.
    pub outcome: Option<String>,
    /// Who stopped it or ran it early, and why.
    pub decided_by: Option<String>,
}

/// A configured policy, as `GET /v1/guardrails` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GuardrailPolicy {
    pub name: String,
    pub action: String,
    /// Rule ids it matches; empty: any.
    pub rule: Vec<String>,
    pub grace_seconds: u64,
    pub max_per_hour: u32,
}

/// `GET /v1/guardrails`: the policies, then the actions, pending first
/// (soonest due first), then the latest finished ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Guardrails {
    pub policies: Vec<GuardrailPolicy>,
    pub actions: Vec<GuardrailAction>,
}
