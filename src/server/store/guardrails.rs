//! What guardrails ask of the store: their planned actions, from pending
//! to done, each step audited with the policy (or the person who stopped
//! or ran it) as the actor. A supertrait of [`super::Store`].

use super::{Actor, StoreResult};
use crate::api::guardrails::GuardrailAction;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// An action a policy plans on an alert.
#[derive(Debug, Clone)]
pub struct PlannedAction {
    pub policy: String,
    pub action: String,
    pub alert_id: String,
    pub rule: String,
    pub agent_id: String,
    pub agent_name: String,
    pub credentials: Vec<String>,
    pub due_at: DateTime<Utc>,
}

/// A person's audited act on an agent or its alert.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonActed {
    pub actor: String,
    pub action: String,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait GuardrailStore: Send + Sync {
    /// Records the plan as pending (once per policy and alert: a plan
    /// already made is answered as none) and audits it.
    async fn plan_guardrail(
        &self,
        actor: &Actor,
        plan: &PlannedAction,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<GuardrailAction>>;
    /// The pending actions (soonest first), then up to `recent` finished.
    async fn guardrail_actions(&self, recent: usize) -> StoreResult<Vec<GuardrailAction>>;
    async fn guardrail_action(&self, id: &str) -> StoreResult<GuardrailAction>;
    /// Pending actions due at `now`.
    async fn due_guardrails(&self, now: DateTime<Utc>) -> StoreResult<Vec<GuardrailAction>>;
    /// The soonest due pending action.
    async fn next_guardrail_due(&self) -> StoreResult<Option<DateTime<Utc>>>;
    /// Moves a pending action to running; none if it is no longer pending
    /// (another server took it, or a person stopped it). `by` (a person
    /// running it early) is audited with `why`.
    async fn claim_guardrail(
        &self,
        id: &str,
        by: Option<(&Actor, &str)>,
    ) -> StoreResult<Option<GuardrailAction>>;
    /// Ends a running action with `status` and `outcome`, audited as
    /// `guardrail.STATUS` by `actor`.
    async fn finish_guardrail(
        &self,
        actor: &Actor,
        id: &str,
        status: &str,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<GuardrailAction>;
    /// A person stops a pending action, with a reason.
    async fn stop_guardrail(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<GuardrailAction>;
    /// Actions of `policy` done since `since` (the circuit breaker's count).
    async fn guardrail_done_since(&self, policy: &str, since: DateTime<Utc>) -> StoreResult<u64>;
    /// The first act of a person (not a rule, guardrail or the system) on
    /// the agent or the alert of `action` since it was planned.
    async fn person_acted(&self, action: &GuardrailAction) -> StoreResult<Option<PersonActed>>;
    /// Whether the alert is still open or acknowledged.
    async fn alert_live(&self, alert_id: &str) -> StoreResult<bool>;
}
