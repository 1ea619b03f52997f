//! The store: the system of record behind `warden serve`, as one trait so
//! the routes do not know which database they run on. Every write is one
//! transaction that also bumps the change-feed revision and appends to the
//! audit chain, so the three can never disagree.
//!
//! One implementation, [`sql::SqlStore`], runs the same SQL on SQLite
//! ([`sqlite`]) or PostgreSQL ([`postgres`]) through the portable layer in
//! [`db`].
//!
//! This file owns the [`Store`] trait and its errors; the values it takes
//! and answers are in `records` (what the routes write and who acts) and
//! `facts` (what the rules, the triage and `/metrics` read).

pub mod db;
mod exchanges;
mod facts;
pub mod guardrails;
pub mod postgres;
mod records;
pub mod scheduling;
pub mod sql;
pub mod sqlite;

pub use exchanges::{ExchangeRecord, ExchangeState};
pub use facts::{
    ACTIVITY_MINUTES, AgentRef, AgentState, AlertsApplied, BatchFacts, BatchObservation,
    CredentialFact, DepartedOwnerFact, DormantFact, EscalationFact, Finding, FleetCounts,
    GrantFact, IdentityFact, LiveAlert, MinuteCount, MinuteFact, RaisedAlert, RefusalCount,
    Resolution, ShadowSighting, SharedFact, SweepFacts, SweepQuery, TriageAgentFacts, TriageFacts,
    UnownedFact,
};
pub use records::{
    Actor, AlertInput, AuditFilter, AuditHead, AuditSelect, Bootstrap, DelegationInput,
    EventRecord, Import, ImportProgress, ImportStage, Principal, Recorded, Rotation, StepAudit,
    TokenRecord, TokenSpec,
};

use crate::api::{AuditVerification, Changes, NewAgent, NewGrant, NewPerson};
use crate::model::*;
use crate::server::audit::Verifier;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::watch;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A conflict with a code of its own, for a client to tell apart.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Internal(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// One alert in full, for a client whose first sync had it lean
/// (`GET /v1/alerts/{id}`). A supertrait of [`Store`].
#[async_trait]
pub trait AlertReads: Send + Sync {
    /// The alert with this id, whatever its status; `NotFound` if none.
    async fn alert(&self, id: &str) -> StoreResult<Alert>;
}

#[async_trait]
pub trait Store:
    scheduling::Scheduling + guardrails::GuardrailStore + AlertReads + Send + Sync + 'static
{
    // Identity of callers.
    async fn authenticate(&self, token_hash: &str) -> StoreResult<Option<Principal>>;
    /// Creates the bootstrap admin token if its hash is not known yet, and
    /// revokes every other live bootstrap token (the value changed); a
    /// bootstrap token revoked through the API is not revived.
    async fn ensure_admin_token(&self, token_hash: &str, prefix: &str) -> StoreResult<Bootstrap>;
    async fn create_token(&self, actor: &Actor, spec: &TokenSpec) -> StoreResult<TokenRecord>;
    /// Every person token, oldest first.
    async fn list_tokens(&self) -> StoreResult<Vec<TokenRecord>>;
    async fn get_token(&self, id: &str) -> StoreResult<TokenRecord>;
    /// Revokes a person token, with a reason: refused from then on.
    /// Revoking a revoked token changes nothing.
    async fn revoke_token(&self, actor: &Actor, id: &str, reason: &str)
    -> StoreResult<TokenRecord>;

    /// Deletes a person token: its secret is refused from then on.
    async fn delete_token(&self, actor: &Actor, id: &str) -> StoreResult<()>;

    // People.
    async fn create_person(&self, actor: &Actor, new: &NewPerson) -> StoreResult<Person>;
    async fn list_people(&self) -> StoreResult<Vec<Person>>;
    /// By id or email.
    async fn resolve_person(&self, key: &str) -> StoreResult<Person>;
    async fn offboard_person(&self, actor: &Actor, id: &str, reason: &str) -> StoreResult<Person>;

    // Agents.
    async fn create_agent(&self, actor: &Actor, new: &NewAgent) -> StoreResult<Agent>;
    /// A page in registration order; the second value continues after it.
    async fn list_agents(
        &self,
        limit: usize,
        after: Option<i64>,
    ) -> StoreResult<(Vec<Agent>, Option<i64>)>;
    /// By id or unique name.
    async fn resolve_agent(&self, key: &str) -> StoreResult<Agent>;
    async fn agent_detail(&self, id: &str) -> StoreResult<AgentDetail>;
    async fn set_owner(
        &self,
        actor: &Actor,
        agent_id: &str,
        person_id: &str,
        reason: &str,
    ) -> StoreResult<Agent>;
    /// Suspend (`true`) or resume (`false`). Credentials are untouched.
    async fn set_suspended(
        &self,
        actor: &Actor,
        agent_id: &str,
        suspended: bool,
        reason: &str,
    ) -> StoreResult<Agent>;
    /// Agents that `agent_id` delegated to, directly.
    async fn delegated_children(&self, agent_id: &str) -> StoreResult<Vec<String>>;

    // Credentials, grants, delegations.
    async fn issue_credential(
        &self,
        actor: &Actor,
        agent_id: &str,
        scopes: &[String],
        expires_at: Option<DateTime<Utc>>,
        secret_hash: &str,
        prefix: &str,
    ) -> StoreResult<Credential>;
    async fn get_credential(&self, id: &str) -> StoreResult<Credential>;
    /// Issues a replacement for credential `id` (same agent, scopes and
    /// lifetime) under `secret_hash`, and retires `id`: revoked at once
    /// when `grace_seconds` is 0, else expiring then at the latest.
    /// Answers the new credential and the old one as it now stands.
    async fn rotate_credential(
        &self,
        actor: &Actor,
        id: &str,
        rotation: &Rotation,
    ) -> StoreResult<(Credential, Credential)>;
    async fn revoke_credential(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
    ) -> StoreResult<Credential>;
    async fn add_grant(
        &self,
        actor: &Actor,
        agent_id: &str,
        grant: &NewGrant,
    ) -> StoreResult<Grant>;
    /// Removes one grant of the agent, with a reason; answers it as it
    /// was. `NotFound` when the agent holds no grant with that id.
    async fn remove_grant(
        &self,
        actor: &Actor,
        agent_id: &str,
        grant_id: &str,
        reason: &str,
    ) -> StoreResult<Grant>;
    async fn add_delegation(
        &self,
        actor: &Actor,
        delegation: &DelegationInput,
    ) -> StoreResult<Delegation>;

    // The kill switch, in durable steps.
    /// Records the operation and its planned steps before anything runs.
    async fn begin_operation(&self, actor: &Actor, op: &Operation) -> StoreResult<()>;
    /// Records a step's result; with `audit`, appends its audit entry in
    /// the same transaction.
    async fn update_step(
        &self,
        op_id: &str,
        index: usize,
        status: StepStatus,
        detail: &str,
        audit: Option<&StepAudit>,
    ) -> StoreResult<()>;
    async fn finish_operation(
        &self,
        actor: &Actor,
        op_id: &str,
        status: OperationStatus,
    ) -> StoreResult<Operation>;
    async fn unfinished_operations(&self) -> StoreResult<Vec<Operation>>;
    /// How the most recent step named `step` for `agent_id` of a finished
    /// kill ended, if one ever ran: a failed runtime hook is run again by
    /// the next kill.
    async fn last_step_status(&self, agent_id: &str, step: &str)
    -> StoreResult<Option<StepStatus>>;
    /// Revokes every active credential of the agent; answers how many.
    async fn revoke_all_credentials(
        &self,
        actor: &Actor,
        agent_id: &str,
        reason: &str,
    ) -> StoreResult<usize>;
    /// Marks the agent killed; answers false if it already was.
    async fn mark_killed(&self, actor: &Actor, agent_id: &str, reason: &str) -> StoreResult<bool>;

    // What agents report.
    async fn touch(
        &self,
        agent_id: &str,
        credential_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn record_events(
        &self,
        agent_id: &str,
        credential_id: &str,
        events: &[EventRecord],
    ) -> StoreResult<Recorded>;

    // Alerts.
    async fn list_alerts(&self) -> StoreResult<Vec<Alert>>;
    /// Opens the alert for `(rule, cause)` or brings the open one up to date.
    async fn raise_alert(&self, alert: &AlertInput) -> StoreResult<Alert>;
    async fn ack_alert(&self, actor: &Actor, id: &str, reason: &str) -> StoreResult<Alert>;
    /// Snoozes a live alert until `until` (replacing an earlier snooze);
    /// audited as `alert.snooze` with the reason.
    async fn snooze_alert(
        &self,
        actor: &Actor,
        id: &str,
        until: DateTime<Utc>,
        reason: &str,
    ) -> StoreResult<Alert>;
    /// Ends an alert's snooze now, audited as `alert.unsnooze` with `why`.
    async fn unsnooze_alert(&self, actor: &Actor, id: &str, why: &str) -> StoreResult<Alert>;
    /// Ends every snooze that is over at `now`; answers how many.
    async fn end_snoozes(&self, now: DateTime<Utc>) -> StoreResult<usize>;
    /// When the next snooze ends, if one is pending.
    async fn next_snooze_end(&self) -> StoreResult<Option<DateTime<Utc>>>;

    /// Writes every row of `import` in one transaction, with one audit
    /// entry that counts them.
    async fn import(&self, actor: &Actor, import: Import) -> StoreResult<()>;
    /// The findings of one discovery scan, as unowned agents: created,
    /// updated by key, or marked gone when their source no longer reports
    /// them (`POST /v1/discoveries`).
    async fn record_discoveries(
        &self,
        actor: &Actor,
        report: &crate::api::DiscoveryReport,
    ) -> StoreResult<crate::api::DiscoveryOutcome>;

    // The changes feed.
    async fn changes(&self, since: i64) -> StoreResult<Changes>;
    /// The same in the summary form (`form=summary`): credentials and
    /// grants counted per agent instead of listed in a full answer.
    async fn changes_summary(&self, since: i64) -> StoreResult<Changes>;
    /// Up to `limit` credentials of every agent whose id sorts after
    /// `after` (every one with "" and `usize::MAX`), by id
    /// (`GET /v1/credentials?after=&limit=`).
    async fn credentials(
        &self,
        after: String,
        limit: usize,
    ) -> StoreResult<Vec<crate::model::Credential>>;
    /// Yields the latest revision after every commit. `GET /v1/changes`
    /// answers "nothing changed" from it without a query when a client's
    /// cursor equals it, so it must see every commit to the database, other
    /// processes' too where several servers share one (e.g. through
    /// PostgreSQL's LISTEN/NOTIFY), and must never run ahead of a commit.
    fn subscribe(&self) -> watch::Receiver<i64>;

    // The audit chain.
    async fn audit_after(&self, after: i64, limit: usize) -> StoreResult<Vec<AuditEntry>>;
    /// The entries `select` asks for, in `seq` order.
    async fn audit_select(&self, select: &AuditSelect) -> StoreResult<Vec<AuditEntry>>;
    /// Walks the whole chain through `verifier` (which may hold signed
    /// checkpoints), with the recorded head and revision.
    async fn audit_verify(&self, verifier: Verifier) -> StoreResult<AuditVerification>;
    /// The last entry and the change-feed revision, read together.
    async fn audit_head(&self) -> StoreResult<AuditHead>;

    // The rule engine.
    /// Adds a batch to the agent's activity series and known destinations,
    /// and answers what the batch is judged against. Costs the batch's
    /// minutes, destinations and identities, not the agent's history.
    async fn observe_batch(
        &self,
        agent_id: &str,
        batch: &BatchObservation,
    ) -> StoreResult<BatchFacts>;
    /// Calls per minute of the hour up to `now`, oldest first (60 values).
    async fn activity(&self, agent_id: &str, now: DateTime<Utc>) -> StoreResult<Vec<u32>>;
    /// Drops per-minute activity before `before`; answers how many rows.
    async fn prune_activity(&self, before: DateTime<Utc>) -> StoreResult<usize>;
    /// The rows of the whole fleet that meet a sweep rule's condition.
    async fn sweep_facts(&self, query: &SweepQuery) -> StoreResult<SweepFacts>;
    /// Open and acknowledged alerts of one rule.
    async fn live_alerts(&self, rule: &str) -> StoreResult<Vec<LiveAlert>>;
    /// What an action's evaluation reads, in one read: the agents whose
    /// sweep rules an action on `agents` and `people` (ids) can change
    /// (those agents, the people's agents (owned, or delegated to by or for
    /// them), everything delegated down from them, and the other holders of
    /// a secret one of them holds); the conditions of
    /// [`Store::sweep_facts`] for those agents only (and R21's tokens if
    /// `tokens`), through per-agent indexes; and their open and
    /// acknowledged alerts (and R21's if `tokens`).
    async fn evaluation_facts(
        &self,
        query: &SweepQuery,
        agents: &[String],
        people: &[String],
        tokens: bool,
    ) -> StoreResult<(Vec<String>, SweepFacts, Vec<LiveAlert>)>;
    /// Opens, updates and resolves alerts in one transaction. An update
    /// that changes nothing a reader sees takes no revision; every open,
    /// resolution and change of severity is audited as `rule:Rxx`.
    async fn apply_alerts(
        &self,
        raise: &[Finding],
        resolve: &[Resolution],
        now: DateTime<Utc>,
    ) -> StoreResult<AlertsApplied>;
    /// Keeps the shadow entries of identities `relay` acts for that nobody
    /// registered ([`ShadowSighting`]): creates missing ones, brings known
    /// ones up to date; answers the entries.
    async fn record_shadows(
        &self,
        relay: &Agent,
        sightings: Vec<ShadowSighting>,
    ) -> StoreResult<Vec<Agent>>;
    /// The agents among `keys` (ids or names) that are suspended or killed.
    async fn stopped_agents(&self, keys: Vec<String>) -> StoreResult<Vec<Agent>>;
    /// Counts a refused attempt of a suspended or killed agent; attempts
    /// before `episode_start` belong to an earlier episode and are forgotten.
    async fn note_refusal(
        &self,
        agent_id: &str,
        credential_id: &str,
        at: DateTime<Utc>,
        episode_start: DateTime<Utc>,
    ) -> StoreResult<RefusalCount>;
    /// The agents among `ids` that exist, with their owner and count of
    /// credentials live at `now`.
    async fn agent_states(
        &self,
        ids: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<AgentState>>;

    // Ownership triage.
    /// The triage queue's agents with their evidence, and the directory;
    /// events before `activity_since` are not counted. A few set-based
    /// queries for the whole queue, never one per agent.
    async fn triage_facts(&self, activity_since: DateTime<Utc>) -> StoreResult<TriageFacts>;

    // Token exchange (RFC 8693).
    /// The delegations whose child is `agent_id`.
    async fn delegations_to(&self, agent_id: &str) -> StoreResult<Vec<Delegation>>;
    /// Records an exchanged token and audits its issue, in one write.
    async fn record_exchange(&self, actor: &Actor, token: &ExchangeRecord) -> StoreResult<()>;
    /// Audits a rotation of the token signing key (`token.keys.rotate`),
    /// done or refused: `outcome` is the result the entry states.
    async fn audit_key_rotation(
        &self,
        actor: &Actor,
        kid: &str,
        reason: &str,
        outcome: &str,
    ) -> StoreResult<()>;
    /// Revokes an exchanged token and every token derived from it
    /// (RFC 7009), audited as `token.exchange.revoke`; the jtis revoked
    /// now (none if it was already).
    async fn revoke_exchange(
        &self,
        actor: &Actor,
        jti: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<String>>;
    /// An exchanged token with every link of its chain as it stands now.
    async fn exchange_state(&self, jti: &str) -> StoreResult<Option<ExchangeState>>;
    /// Exchanged tokens not expired at `now`, newest first.
    async fn live_exchanges(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<ExchangeRecord>>;

    // Operations.
    /// Agents by status and live alerts by status and severity, counted
    /// with plain `GROUP BY` queries (for `GET /metrics`).
    async fn fleet_counts(&self) -> StoreResult<FleetCounts>;
    /// Tells the query planner how large the alerts have grown, after a
    /// sweep that wrote many (PostgreSQL; a no-op on
    /// SQLite, whose plans do not outlive a statement's table sizes).
    async fn refresh_statistics(&self) -> StoreResult<()>;
}
