//! The values that flow through the dashboard: actions a key produces and
//! a dialog gates, effects the app asks the runner to carry out, and the
//! messages that come back from sources and action tasks.

use crate::api::guardrails::GuardrailAction;
use crate::api::{AuditVerification, TriageReport};
use crate::model::{Agent, AgentDetail, Alert, AuditEntry, Credential, Operation};
use crate::sources::{SourceEvent, SourceMsg};
use crate::tui::guardrails::GuardrailsRead;
use crate::tui::popups::secret::SecretText;
use crate::tui::strings;

/// Something to do on the backend. Every one carries a reason, for the
/// audit chain.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Suspend {
        agent_id: String,
        name: String,
        reason: String,
    },
    Resume {
        agent_id: String,
        name: String,
        reason: String,
    },
    Kill {
        agent_id: String,
        name: String,
        reason: String,
        cascade: bool,
        /// The Vault credentials the kill revokes beside Warden's own: the
        /// agent's (and with `cascade` its delegates'), as the app's ids.
        vault: Vec<String>,
    },
    Revoke {
        credential_id: String,
        reason: String,
    },
    /// A replacement for the credential; the old one is retired after
    /// `grace_seconds` (0: at once). `agent_name` is for the words only.
    Rotate {
        credential_id: String,
        agent_name: String,
        grace_seconds: u64,
        reason: String,
    },
    Reassign {
        agent_id: String,
        name: String,
        owner: String,
        reason: String,
    },
    /// Acknowledge an open alert: someone is on it. The reason is audited.
    Ack { alert_id: String, reason: String },
    /// Quiet a Warden alert for `seconds`; it wakes early if it escalates.
    Snooze {
        alert_id: String,
        seconds: u64,
        reason: String,
    },
    /// Stop a guardrail's pending automatic action; `label` ("freeze of
    /// refund-bot by freeze-spikes") is for the words only.
    StopGuardrail {
        action_id: String,
        label: String,
        reason: String,
    },
    /// Run a guardrail's pending action now instead of at its due time.
    RunGuardrail {
        action_id: String,
        label: String,
        reason: String,
    },
}

impl Action {
    /// The id of what it acts on: the agent, the credential or the alert.
    pub fn subject_id(&self) -> &str {
        match self {
            Action::Suspend { agent_id, .. }
            | Action::Resume { agent_id, .. }
            | Action::Kill { agent_id, .. }
            | Action::Reassign { agent_id, .. } => agent_id,
            Action::Revoke { credential_id, .. } | Action::Rotate { credential_id, .. } => {
                credential_id
            }
            Action::Ack { alert_id, .. } | Action::Snooze { alert_id, .. } => alert_id,
            Action::StopGuardrail { action_id, .. } | Action::RunGuardrail { action_id, .. } => {
                action_id
            }
        }
    }

    /// Every id it carries, the subject's first (and a new owner's), for
    /// rewriting them in place.
    pub fn ids_mut(&mut self) -> Vec<&mut String> {
        match self {
            Action::Suspend { agent_id, .. }
            | Action::Resume { agent_id, .. }
            | Action::Kill { agent_id, .. } => vec![agent_id],
            Action::Reassign {
                agent_id, owner, ..
            } => vec![agent_id, owner],
            Action::Revoke { credential_id, .. } | Action::Rotate { credential_id, .. } => {
                vec![credential_id]
            }
            Action::Ack { alert_id, .. } | Action::Snooze { alert_id, .. } => vec![alert_id],
            Action::StopGuardrail { action_id, .. } | Action::RunGuardrail { action_id, .. } => {
                vec![action_id]
            }
        }
    }

    /// What the flash line says while it runs.
    pub fn describe(&self) -> String {
        match self {
            Action::Suspend { name, .. } => format!("{} {name}", strings::FREEZING),
            Action::Resume { name, .. } => format!("{} {name}", strings::UNFREEZING),
            Action::Kill { name, cascade, .. } => {
                let delegates = if *cascade {
                    strings::AND_ITS_DELEGATES
                } else {
                    ""
                };
                format!("{} {name}{delegates}", strings::KILLING)
            }
            Action::Revoke { credential_id, .. } => {
                format!("{} {credential_id}", strings::REVOKING)
            }
            Action::Rotate { credential_id, .. } => {
                format!("{} {credential_id}", strings::ROTATING)
            }
            Action::Reassign { name, .. } => format!("{} {name}", strings::REASSIGNING),
            Action::Ack { alert_id, .. } => format!("{} {alert_id}", strings::ACKNOWLEDGING),
            Action::Snooze { alert_id, .. } => format!("{} {alert_id}", strings::SNOOZING),
            Action::StopGuardrail { label, .. } => strings::stopping_guardrail(label),
            Action::RunGuardrail { label, .. } => strings::running_guardrail(label),
        }
    }
}

/// What the app asks the outside world to do. The app never waits: each
/// effect's result comes back as a [`Msg`].
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Run an action; its result comes back as [`Msg::Action`] with `id`.
    Run {
        id: u64,
        action: Action,
    },
    /// Ask the backend what a kill would do (a dry run).
    PlanKill {
        agent_id: String,
        cascade: bool,
    },
    /// Poll the backend now instead of at the next interval.
    PollNow,
    /// Ask every backend for its ownership triage queue; each answers as
    /// [`Msg::Triage`].
    FetchTriage,
    /// Read every credential of backend number `backend` (one that syncs
    /// in the summary form), for the lists of them all, a page at a time:
    /// each page but the last answers [`Msg::CredentialsPage`], the last
    /// (or the error that ends the read) [`Msg::Credentials`].
    FetchCredentials {
        backend: usize,
    },
    Quit,
    /// Read the audit chain after `after`: its newest `tail` entries when
    /// set (opening the audit view), else the next page. Answers
    /// [`Msg::Audit`].
    FetchAudit {
        /// The backend whose chain it is, by its place in the list.
        backend: usize,
        after: i64,
        tail: Option<usize>,
    },
    /// Verify backend `backend`'s audit chain; answers [`Msg::AuditVerified`].
    VerifyAudit {
        backend: usize,
    },
    /// Read one agent as the backend has it now, for what the changes feed
    /// does not carry (its activity); answers [`Msg::Detail`].
    FetchDetail {
        agent_id: String,
    },
    /// Read one alert in full (`GET /v1/alerts/{id}`: its evidence, which
    /// the lean first sync leaves out); answers [`Msg::AlertRead`].
    FetchAlert {
        alert_id: String,
    },
    /// Read one agent's audit trail, its newest `tail` entries; answers
    /// [`Msg::Trail`].
    FetchTrail {
        agent_id: String,
        tail: usize,
    },
    /// Read Warden backend `backend`'s guardrail actions; answers
    /// [`Msg::Guardrails`] with the same `seq`.
    FetchGuardrails {
        backend: usize,
        seq: u64,
    },
}

/// What a finished action answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Agent(Agent),
    Credential(Credential),
    Operation(Operation),
    Alert(Alert),
    /// An Alertmanager alert acknowledged by a silence: the alert as it
    /// now stands, and the silence's id.
    Silenced {
        alert: Alert,
        silence_id: String,
    },
    /// A rotation: the replacement, its secret (shown once), and the old
    /// credential as it now stands. Boxed: two credentials would make
    /// every message that size.
    Rotated {
        credential: Box<Credential>,
        previous: Box<Credential>,
        secret: SecretText,
    },
    /// A guardrail action as the backend has it after a stop or a run.
    Guardrail(Box<GuardrailAction>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// What the source of backend number `backend` (in the dashboard's
    /// list, from 0) has to say.
    Source { backend: usize, event: SourceEvent },
    /// The backend's answer to action `id`: what it did, or its error message.
    Action {
        id: u64,
        result: Result<Outcome, String>,
    },
    /// Backend number `backend`'s triage queue, ids qualified as the
    /// fleet's.
    Triage {
        backend: usize,
        result: Result<TriageReport, String>,
    },
    /// A page of backend number `backend`'s credentials, more to come,
    /// ids qualified as the fleet's.
    CredentialsPage {
        backend: usize,
        page: Vec<Credential>,
    },
    /// Every credential of backend number `backend`, or the last page of
    /// them, ids qualified as the fleet's; or why the read stopped.
    Credentials {
        backend: usize,
        result: Result<Vec<Credential>, String>,
    },
    /// The plan of a kill (a dry run), for the dialog's blast radius.
    KillPlan {
        agent_id: String,
        cascade: bool,
        result: Result<Operation, String>,
    },
    /// Audit entries, oldest first, or why they could not be read.
    Audit(Result<Vec<AuditEntry>, String>),
    /// Whether the audit chain verifies.
    AuditVerified(Result<AuditVerification, String>),
    /// One agent as `GET /v1/agents/{id}` answered.
    Detail {
        agent_id: String,
        result: Result<Box<AgentDetail>, String>,
    },
    /// One alert as `GET /v1/alerts/{id}` answered, or why it could not
    /// be read.
    AlertRead {
        alert_id: String,
        result: Result<Box<Alert>, String>,
    },
    /// One agent's audit trail, oldest first.
    Trail {
        agent_id: String,
        result: Result<Vec<AuditEntry>, String>,
    },
    /// Backend `backend`'s guardrail actions, read number `seq`.
    Guardrails {
        backend: usize,
        seq: u64,
        read: GuardrailsRead,
    },
}

/// A source's news reaches the app as [`Msg::Source`]: the source owns
/// what it says, the dashboard how it handles it.
impl From<SourceMsg> for Msg {
    fn from(SourceMsg { backend, event }: SourceMsg) -> Self {
        Msg::Source { backend, event }
    }
}
