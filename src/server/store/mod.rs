//! The store: the system of record behind `warden serve`, as one trait so
//! the routes do not know which database they run on. Every write is one
//! transaction that also bumps the change-feed revision and appends to the
//! audit chain, so the three can never disagree.

pub mod sqlite;

use crate::api::{AuditVerification, Changes, NewAgent, NewGrant, NewPerson};
use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// Who is acting, as written into the audit chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// e.g. `alice@corp.example` or `token:ci-bot`.
    pub label: String,
}

impl Actor {
    pub fn new(label: impl Into<String>) -> Self {
        Actor {
            label: label.into(),
        }
    }

    /// The server itself, for work it does on its own (resumed operations).
    pub fn system() -> Self {
        Actor::new("system")
    }
}

/// A person token as the store knows it (never the secret).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub person: Option<Person>,
}

/// Whatever a presented bearer secret turned out to be. It lives for one
/// request, so the size difference of the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    Person(TokenRecord),
    Agent {
        credential: Credential,
        agent: Agent,
    },
}

/// A delegation whose references are already resolved to ids.
#[derive(Debug, Clone, PartialEq)]
pub struct DelegationInput {
    pub parent_agent: Option<String>,
    pub parent_person: Option<String>,
    pub child_agent: String,
    pub on_behalf_of: Option<String>,
    pub scopes: Vec<String>,
}

/// An event that has passed validation, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub at: DateTime<Utc>,
    pub action: String,
    pub target: String,
    pub scope: Option<String>,
    pub result: Option<String>,
    pub on_behalf_of: Vec<String>,
    pub interactive: bool,
}

/// An alert a rule wants raised; one `(rule, cause)` keeps one alert.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertInput {
    pub agent_id: Option<String>,
    pub rule: String,
    pub cause: String,
    pub severity: Severity,
    pub summary: String,
    pub evidence: String,
}

/// A whole fleet written in one transaction: how a demo or a benchmark
/// seeds thousands of rows without a transaction each. Ids are the
/// caller's; `rev` fields are ignored and set by the store.
#[derive(Debug, Clone, Default)]
pub struct Import {
    pub people: Vec<Person>,
    pub agents: Vec<Agent>,
    /// Each with the hash of its secret.
    pub credentials: Vec<(Credential, String)>,
    pub grants: Vec<Grant>,
    pub delegations: Vec<Delegation>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Internal(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // Identity of callers.
    async fn authenticate(&self, token_hash: &str) -> StoreResult<Option<Principal>>;
    /// Creates the bootstrap admin token if its hash is not known yet.
    async fn ensure_admin_token(&self, token_hash: &str, prefix: &str) -> StoreResult<()>;
    async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        role: Role,
        person_id: Option<&str>,
        token_hash: &str,
        prefix: &str,
    ) -> StoreResult<TokenRecord>;

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
    async fn add_delegation(
        &self,
        actor: &Actor,
        delegation: &DelegationInput,
    ) -> StoreResult<Delegation>;

    // The kill switch, in durable steps.
    /// Records the operation and its planned steps before anything runs.
    async fn begin_operation(&self, actor: &Actor, op: &Operation) -> StoreResult<()>;
    async fn update_step(
        &self,
        op_id: &str,
        index: usize,
        status: StepStatus,
        detail: &str,
    ) -> StoreResult<()>;
    async fn finish_operation(
        &self,
        actor: &Actor,
        op_id: &str,
        status: OperationStatus,
    ) -> StoreResult<Operation>;
    async fn unfinished_operations(&self) -> StoreResult<Vec<Operation>>;
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
    ) -> StoreResult<usize>;

    // Alerts.
    async fn list_alerts(&self) -> StoreResult<Vec<Alert>>;
    /// Opens the alert for `(rule, cause)` or brings the open one up to date.
    async fn raise_alert(&self, alert: &AlertInput) -> StoreResult<Alert>;
    async fn ack_alert(&self, actor: &Actor, id: &str, reason: &str) -> StoreResult<Alert>;

    /// Writes every row of `import` in one transaction, with one audit
    /// entry that counts them.
    async fn import(&self, actor: &Actor, import: Import) -> StoreResult<()>;

    // The changes feed.
    async fn changes(&self, since: i64) -> StoreResult<Changes>;
    /// Yields the latest revision after every commit.
    fn subscribe(&self) -> watch::Receiver<i64>;

    // The audit chain.
    async fn audit_after(&self, after: i64, limit: usize) -> StoreResult<Vec<AuditEntry>>;
    async fn audit_verify(&self) -> StoreResult<AuditVerification>;
}
