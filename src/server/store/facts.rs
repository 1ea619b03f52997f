//! What the server's own machinery asks of the store, set-based and read
//! at one revision: the facts the rule engine (`server::rules`) judges and
//! the alerts it applies, the evidence of the ownership triage
//! (`server::triage`), and the counts of `GET /metrics`.

use super::AlertInput;
use crate::model::*;
use chrono::{DateTime, Utc};

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

/// An identity a relay's chains named that no registered agent or person
/// is: what the store needs to keep its shadow entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ShadowSighting {
    pub key: String,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    /// Events of the batch whose chain named it.
    pub calls: u64,
}

/// What an identity in a chain turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityFact {
    pub key: String,
    /// A person with that id or email, and the scopes they delegated.
    pub person: Option<(Person, Vec<String>)>,
    /// An agent with that id or name.
    pub agent: Option<AgentRef>,
    /// That agent is a shadow entry: in the inventory only because
    /// registered agents act for it.
    pub shadow: bool,
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
    /// R21: live tokens issued through the API that speak for no person.
    pub unpersoned_tokens: Vec<super::TokenRecord>,
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertsApplied {
    pub opened: usize,
    pub updated: usize,
    pub resolved: usize,
    /// The alerts opened, or whose severity rose: what guardrails judge.
    pub raised: Vec<RaisedAlert>,
}

/// An alert just opened or escalated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaisedAlert {
    pub id: String,
    pub rule: String,
    pub severity: crate::model::Severity,
    pub agent_id: Option<String>,
    pub evidence: String,
}

impl std::ops::AddAssign for AlertsApplied {
    fn add_assign(&mut self, other: Self) {
        self.opened += other.opened;
        self.updated += other.updated;
        self.resolved += other.resolved;
        self.raised.extend(other.raised);
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
    /// Open and acknowledged alerts that are not snoozed (resolved ones
    /// are not counted).
    pub alerts: Vec<(AlertStatus, Severity, u64)>,
    /// Snoozed alerts, open or acknowledged.
    pub snoozed: Vec<(Severity, u64)>,
}
