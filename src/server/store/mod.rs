//! The store: the system of record behind `warden serve`, as one trait so
//! the routes do not know which database they run on. Every write is one
//! transaction that also bumps the change-feed revision and appends to the
//! audit chain, so the three can never disagree.
//!
//! One implementation, [`sql::SqlStore`], runs the same SQL on SQLite
//! ([`sqlite`]) or PostgreSQL ([`postgres`]) through the portable layer in
//! [`db`].

pub mod db;
pub mod postgres;
pub mod sql;
pub mod sqlite;

use crate::api::{AuditVerification, Changes, NewAgent, NewGrant, NewPerson};
use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// Which audit entries to read (`GET /v1/audit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSelect {
    /// Only entries whose `seq` is greater.
    pub after: i64,
    /// At most this many.
    pub count: usize,
    /// The newest `count` rather than the oldest (still answered oldest
    /// first): a trail's last page, without paging through its history.
    pub newest: bool,
    /// Ids one of which the entry's target must name, as a whole word
    /// (`crd_1` is not named by `crd_12`); empty: every entry.
    pub names: Vec<String>,
}

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
    /// SHA-256 of the secret the call presented to its target, 64 lowercase
    /// hex digits.
    pub credential_fingerprint: Option<String>,
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

// ---- What the rule engine (`server::rules`) asks of the store. ----

pub use crate::model::ACTIVITY_MINUTES;

/// An agent named in a fact: enough to write an evidence line.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRef {
    pub id: String,
    pub name: String,
}

/// Calls an agent made in one minute (Unix minute: seconds / 60).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinuteCount {
    pub minute: i64,
    pub calls: u32,
}

/// A batch of events, summarised in memory for the store: what it adds to
/// the agent's activity series and known destinations, and the identities
/// its delegation chains name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchObservation {
    pub minutes: Vec<MinuteCount>,
    /// Each destination (host or tool) once, with its earliest event time.
    pub destinations: Vec<(String, DateTime<Utc>)>,
    /// Each identity named in an `on_behalf_of` chain, once.
    pub identities: Vec<String>,
    /// The usual rate of a minute is taken over this many minutes before it.
    pub baseline_minutes: u32,
    /// Activity before this Unix minute is dropped.
    pub keep_from_minute: i64,
}

/// One minute of the batch, against the agent's usual rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinuteFact {
    pub minute: i64,
    /// Calls in that minute so far, this batch included.
    pub calls: u32,
    /// Mean calls over the active minutes of the baseline window before it.
    pub usual: f64,
    /// Minutes with any call in that window.
    pub active_minutes: u32,
}

/// What an identity in a chain turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityFact {
    pub key: String,
    /// A person with that id or email, and the scopes they delegated.
    pub person: Option<(Person, Vec<String>)>,
    /// An agent with that id or name.
    pub agent: Option<AgentRef>,
}

/// What the store knows that a batch is judged against.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchFacts {
    pub minutes: Vec<MinuteFact>,
    /// The agent's first event before this batch; none if this is its first.
    pub first_activity: Option<DateTime<Utc>>,
    /// Destinations of the batch never seen for this agent before it.
    pub new_destinations: Vec<String>,
    /// Destinations known for this agent, this batch included.
    pub known_destinations: usize,
    pub identities: Vec<IdentityFact>,
}

/// The cut-off times of the sweep's time-based rules, worked out by the
/// rules from "now" (injectable, so tests need not wait thirty days).
#[derive(Debug, Clone, PartialEq)]
pub struct SweepQuery {
    pub now: DateTime<Utc>,
    /// R03: last activity at or before this.
    pub dormant_before: DateTime<Utc>,
    /// R05: issued at or before this.
    pub rotation_before: DateTime<Utc>,
    /// R06: write/admin grant last used (or granted) at or before this.
    pub unused_before: DateTime<Utc>,
    /// R13: granted after this.
    pub new_grant_after: DateTime<Utc>,
    /// R14: chains longer than this many agents.
    pub max_chain_depth: usize,
}

/// R01: an agent with no owner, or whose owner has left.
#[derive(Debug, Clone, PartialEq)]
pub struct UnownedFact {
    pub agent: AgentRef,
    /// Since when: registration (no owner) or the owner's departure.
    pub since: DateTime<Utc>,
    /// The departed owner's email, if there was one.
    pub departed_owner: Option<String>,
}

/// A live credential (active, not expired) with what a rule needs of it.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialFact {
    pub agent: AgentRef,
    pub credential: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// R02: a live credential of an agent whose owner has left.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartedOwnerFact {
    pub credential: CredentialFact,
    pub owner_email: String,
    pub departed_at: DateTime<Utc>,
}

/// R03: a live credential of an agent quiet since `last_active`.
#[derive(Debug, Clone, PartialEq)]
pub struct DormantFact {
    pub credential: CredentialFact,
    /// Last seen, or registered if never seen.
    pub last_active: DateTime<Utc>,
    pub ever_seen: bool,
}

/// R07: a live credential whose fingerprint another agent's live
/// credential shares.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedFact {
    pub credential: CredentialFact,
    /// SHA-256 of the secret, hex.
    pub fingerprint: String,
    /// Where the agent said it presented that secret, when it reported it
    /// in its events (none for a fingerprint found by a discovery source,
    /// or a Warden secret itself).
    pub presented_to: Option<String>,
}

/// R06, R13: a grant.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantFact {
    pub agent: AgentRef,
    pub grant: String,
    pub resource: String,
    pub scope: String,
    pub level: GrantLevel,
    pub granted_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// R14: a delegation from an agent, for a person, of a scope that person
/// never delegated.
#[derive(Debug, Clone, PartialEq)]
pub struct EscalationFact {
    pub agent: AgentRef,
    pub delegation: String,
    pub parent: AgentRef,
    pub person_email: String,
    pub scope: String,
}

/// Everything the sweep judges. Each list holds only the rows that meet a
/// rule's condition, found through an index, so a healthy fleet costs
/// little to read. The lists may be read one at a time (each condition is
/// judged on its own), so that a sweep does not hold up ingest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweepFacts {
    pub unowned: Vec<UnownedFact>,
    pub departed_owner: Vec<DepartedOwnerFact>,
    pub dormant: Vec<DormantFact>,
    pub no_expiry: Vec<CredentialFact>,
    pub rotation_overdue: Vec<CredentialFact>,
    pub shared: Vec<SharedFact>,
    pub unused_grants: Vec<GrantFact>,
    pub new_grants: Vec<GrantFact>,
    /// Agents of kind `mcp-server` that are not killed.
    pub mcp_servers: Vec<AgentRef>,
    pub escalations: Vec<EscalationFact>,
    /// Agents at the end of a delegation chain longer than the limit, with
    /// the chain's length in agents.
    pub deep_chains: Vec<(AgentRef, usize)>,
}

/// An alert that is open or acknowledged, as the rules compare it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveAlert {
    pub id: String,
    pub agent_id: Option<String>,
    pub rule: String,
    pub cause: String,
    pub severity: Severity,
    pub summary: String,
    pub evidence: String,
    pub mapping: Vec<String>,
    pub status: AlertStatus,
    /// When the rule last saw the cause.
    pub seen_at: DateTime<Utc>,
}

/// A cause a rule sees now: opens its alert or brings the live one up to date.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub alert: AlertInput,
    pub mapping: Vec<String>,
    /// When the cause was last seen (an event's time, or the sweep's now).
    pub seen_at: DateTime<Utc>,
}

/// A live alert whose cause is gone.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub id: String,
    pub rule: String,
    pub agent_id: Option<String>,
    /// Why, for the evidence line and the audit.
    pub why: String,
    /// The `seen_at` the rule judged: if the cause was seen again since,
    /// the alert stays up.
    pub seen_at: DateTime<Utc>,
}

/// What applying findings and resolutions changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertsApplied {
    pub opened: usize,
    pub updated: usize,
    pub resolved: usize,
}

impl std::ops::AddAssign for AlertsApplied {
    fn add_assign(&mut self, other: Self) {
        self.opened += other.opened;
        self.updated += other.updated;
        self.resolved += other.resolved;
    }
}

/// R18: refused attempts of one agent in the current episode.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusalCount {
    pub attempts: u32,
    pub first_at: DateTime<Utc>,
}

/// An agent as the rules explain a resolution: its owner and how many
/// live credentials it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentState {
    pub agent: Agent,
    pub owner: Option<Person>,
    pub live_credentials: usize,
}

// ---- What the ownership triage (`server::triage`) asks of the store. ----

/// The evidence about one agent of the triage queue (not killed; no owner,
/// or an owner who left).
#[derive(Debug, Clone, PartialEq)]
pub struct TriageAgentFacts {
    pub agent: Agent,
    /// The most severe of its open alerts.
    pub risk: Option<Severity>,
    /// The highest level among its grants.
    pub highest_level: Option<GrantLevel>,
    /// Each person id a delegation to this agent names (as the delegating
    /// person or the person it acts for), with how many delegations do.
    pub delegators: Vec<(String, u32)>,
    /// Each identity (as reported: a person id or email, or an agent)
    /// named in the `on_behalf_of` chain of the agent's events since the
    /// window's start, with how many events name it.
    pub acted_for: Vec<(String, u32)>,
}

/// Everything the triage ranking weighs, read at one revision.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TriageFacts {
    /// The whole directory, active and departed: managers and teams are
    /// followed through it.
    pub people: Vec<Person>,
    pub agents: Vec<TriageAgentFacts>,
}

// ---- What `GET /metrics` asks of the store. ----

/// How many agents and live alerts there are of each kind, for `GET
/// /metrics`: one `GROUP BY` per table, no rows read out. A pair that
/// counts nothing may be left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetCounts {
    pub agents: Vec<(AgentStatus, u64)>,
    /// Open and acknowledged alerts (resolved ones are not counted).
    pub alerts: Vec<(AlertStatus, Severity, u64)>,
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
    async fn audit_verify(&self) -> StoreResult<AuditVerification>;

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
    /// Opens, updates and resolves alerts in one transaction. An update
    /// that changes nothing a reader sees takes no revision; every open,
    /// resolution and change of severity is audited as `rule:Rxx`.
    async fn apply_alerts(
        &self,
        raise: &[Finding],
        resolve: &[Resolution],
        now: DateTime<Utc>,
    ) -> StoreResult<AlertsApplied>;
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

    // Operations.
    /// Agents by status and live alerts by status and severity, counted
    /// with plain `GROUP BY` queries (for `GET /metrics`).
    async fn fleet_counts(&self) -> StoreResult<FleetCounts>;
}
