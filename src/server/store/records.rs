//! The values the routes hand the store and get back that are not part of
//! the API: who acts, what a bearer secret turned out to be, resolved
//! inputs for a write, which audit entries to read, and a whole fleet to
//! import at once.

use crate::api::{TokenOrigin, TokenStatus};
use crate::model::*;
use chrono::{DateTime, Utc};

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
    /// Who, what and when (`GET /v1/audit?actor=&action=&since=&until=`).
    pub filter: AuditFilter,
}

/// The filters of `warden audit list`, applied by the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The actor exactly, or the person before ` (token …)`.
    pub actor: Option<String>,
    /// An action exactly, or a prefix when it ends in `.` (a trailing `*`
    /// is taken off first).
    pub action: Option<String>,
    /// Milliseconds since the epoch: at or after.
    pub since_ms: Option<i64>,
    /// Milliseconds since the epoch: before.
    pub until_ms: Option<i64>,
}

/// The chain's last entry (seq 0 and the genesis hash when empty) and the
/// database's change-feed revision, read in one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
    pub rev: i64,
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

/// How one step of an operation is audited when it is recorded done: in
/// the same transaction, so the step and its audit entry never disagree.
/// The entry's reason is the operation's.
#[derive(Debug, Clone, PartialEq)]
pub struct StepAudit {
    pub actor: Actor,
    /// e.g. `vault.revoke`.
    pub action: String,
    /// What the step acted on, e.g. `vault:token:<accessor> of <agent id>`;
    /// the operation's id is added.
    pub target: String,
}

/// A person token as the store knows it (never the secret).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub person: Option<Person>,
    pub origin: TokenOrigin,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
    /// When, by whom and why, once revoked.
    pub revoked: Option<(DateTime<Utc>, String, String)>,
}

impl TokenRecord {
    pub fn status(&self, now: DateTime<Utc>) -> TokenStatus {
        if self.revoked.is_some() {
            TokenStatus::Revoked
        } else if self.expires_at.is_some_and(|t| t <= now) {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        }
    }
}

/// A person token to create: everything but who creates it.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenSpec {
    pub name: String,
    pub role: Role,
    /// A person id or email.
    pub person: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub origin: TokenOrigin,
    /// The secret's hash and display prefix; never the secret.
    pub hash: String,
    pub prefix: String,
}

impl TokenSpec {
    /// A token Warden mints for its own in-process dashboard, demo or
    /// bench, for `secret`, with no person and no expiry.
    pub fn session(name: &str, role: Role, secret: &str) -> Self {
        TokenSpec {
            name: name.to_string(),
            role,
            person: None,
            expires_at: None,
            origin: TokenOrigin::Session,
            hash: crate::secrets::hash(secret),
            prefix: crate::secrets::display_prefix(secret),
        }
    }
}

/// What `WARDEN_ADMIN_TOKEN` turned out to be at start.
#[derive(Debug, Clone, PartialEq)]
pub struct Bootstrap {
    /// Its token's id.
    pub id: String,
    /// It was revoked before (through the API): it stays revoked.
    pub revoked: bool,
    /// Earlier bootstrap tokens revoked now, because the value changed.
    pub retired: Vec<String>,
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
    /// An admin's approval of a delegation in the name of a person who did
    /// not make it, recorded in the audit chain.
    pub approval: Option<String>,
    /// The person whose own token asks for the delegation, if any.
    pub by_person: Option<String>,
    /// Whether an admin's token asks for it.
    pub by_admin: bool,
}

/// A rotation as the route has checked it: the replacement's secret,
/// already hashed, and how long the old credential keeps working.
#[derive(Debug, Clone, PartialEq)]
pub struct Rotation {
    pub reason: String,
    pub grace_seconds: u64,
    pub secret_hash: String,
    pub prefix: String,
}

/// What storing a batch of events did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recorded {
    pub accepted: usize,
    /// A secret this batch presented is new, or another than the one its
    /// credential last presented there (R07 judges its holders again).
    pub new_fingerprints: bool,
    /// The agents that hold a secret this batch's credential no longer
    /// presents (rotated at the target): their R07 may be over.
    pub former_holders: Vec<String>,
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
    /// Told how far the import has come, every [`ImportProgress::EVERY`] rows.
    pub progress: ImportProgress,
}

impl Import {
    /// Every row the import writes.
    pub fn rows(&self) -> usize {
        self.people.len()
            + self.agents.len()
            + self.credentials.len()
            + self.grants.len()
            + self.delegations.len()
    }
}

/// Who wants to know how far an import has come: called from the store's
/// own thread with each [`ImportStage`], so that a demo of 100,000 agents
/// can say "importing n of N" instead of going quiet for seconds.
#[derive(Clone, Default)]
pub struct ImportProgress(Option<std::sync::Arc<dyn Fn(ImportStage) + Send + Sync>>);

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStage {
    /// `done` of `total` rows written.
    Rows { done: usize, total: usize },
    /// Every row is in; the indexes set aside are being built.
    Indexing,
}

impl std::fmt::Display for ImportStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportStage::Rows { done, total } => write!(f, "importing: {done} of {total} rows"),
            ImportStage::Indexing => f.write_str("importing: every row in; building the indexes"),
        }
    }
}

impl ImportProgress {
    /// How many rows between two reports.
    pub const EVERY: usize = 50_000;

    pub fn new(report: impl Fn(ImportStage) + Send + Sync + 'static) -> ImportProgress {
        ImportProgress(Some(std::sync::Arc::new(report)))
    }

    /// Tells `done` of `total` rows.
    pub fn tell(&self, done: usize, total: usize) {
        self.stage(ImportStage::Rows { done, total });
    }

    /// Tells a stage.
    pub fn stage(&self, stage: ImportStage) {
        if let Some(report) = &self.0 {
            report(stage);
        }
    }
}

impl std::fmt::Debug for ImportProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ImportProgress(told)"
        } else {
            "ImportProgress(none)"
        })
    }
}
