//! The one confirmation component every dangerous action goes through.
//! It shows the blast radius, asks for what the action needs (the agent's
//! name for a kill, always a reason), and while
//! the action runs it shows each step as the backend reports it. Nothing is
//! shown as done before the backend confirms it; a failure stays on screen.
//!
//! It never loses what is typed: focus starts on the first field that
//! needs input, typing on a button goes to that field, and Enter submits
//! when everything is there, or else moves to the next field still missing.
//! Esc cancels. The dangerous button is never where focus starts: Enter
//! only sends once the name and reason are typed.
//!
//! With marks, one dialog gates many agents: a bulk kill asks for `kill N`
//! typed instead of a name, and while the N actions run it shows each
//! agent's answer as it arrives; it is done only when all N have answered.

use crate::model::{Operation, StepStatus};
use crate::tui::components::input::LineInput;
use crate::tui::msg::{Action, Outcome};
use crate::tui::strings;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod bulk;
mod flow;

pub use flow::snooze_seconds;

#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Kill {
        agent_id: String,
        name: String,
        cascade: bool,
    },
    Revoke {
        credential_id: String,
        agent_name: String,
    },
    /// A replacement for the credential, the old one retired after the
    /// grace period typed in the dialog.
    Rotate {
        credential_id: String,
        agent_name: String,
    },
    Reassign {
        agent_id: String,
        name: String,
        owner_id: String,
        owner_label: String,
    },
    /// Acknowledge an open alert; `label` is "RULE on AGENT".
    Ack { alert_id: String, label: String },
    /// Quiet a Warden alert for the time typed in the dialog.
    Snooze { alert_id: String, label: String },
    /// Stop a guardrail's pending action; `label` is "ACTION of AGENT by
    /// POLICY".
    StopGuardrail { action_id: String, label: String },
    /// Run a guardrail's pending action now.
    RunGuardrail { action_id: String, label: String },
    /// Kill every marked agent still alive; `skipped` were already killed.
    BulkKill {
        targets: Vec<MarkedAgent>,
        skipped: Vec<MarkedAgent>,
    },
    /// Give every marked agent one owner; `skipped` already have it.
    BulkReassign {
        targets: Vec<MarkedAgent>,
        skipped: Vec<MarkedAgent>,
        owner_id: String,
        owner_label: String,
    },
}

/// One marked agent a bulk action goes to.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkedAgent {
    pub agent_id: String,
    pub name: String,
}

/// Where one agent of a bulk action stands.
#[derive(Debug, Clone, PartialEq)]
pub enum RowState {
    Waiting,
    Ok,
    /// The backend's message.
    Failed(String),
}

/// One agent's line while a bulk action runs: sent as action `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkRow {
    pub id: u64,
    pub agent_id: String,
    pub name: String,
    pub state: RowState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    /// A rotation's grace period.
    Grace,
    Reason,
    Cascade,
    Cancel,
    Confirm,
}

/// What a kill will do, from the backend's dry run.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    NotNeeded,
    Loading,
    Ready(Operation),
    Failed(String),
}

/// One line of progress.
#[derive(Debug, Clone, PartialEq)]
pub struct StepLine {
    pub status: StepStatus,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Editing,
    /// Sent as action `id`; waiting for the backend.
    Running {
        id: u64,
    },
    /// A bulk action sent; each agent's answer lands in `Confirm::rows`.
    RunningMany,
    /// The backend answered. `verified` is set for a kill once the
    /// dashboard's own copy shows the agent killed with no live credential.
    Done {
        ok: bool,
        steps: Vec<StepLine>,
        message: String,
        verified: Option<bool>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub subject: Subject,
    pub blast: Vec<String>,
    pub plan: Plan,
    pub name: LineInput,
    /// A rotation's grace period, as typed; "0" (at once) to start with.
    pub grace: LineInput,
    pub reason: LineInput,
    pub focus: Field,
    pub phase: Phase,
    /// Why Confirm was refused, shown under the fields.
    pub problem: Option<String>,
    /// A bulk action's agents and their answers, in the order sent.
    pub rows: Vec<BulkRow>,
}

/// What a key in the dialog asks of the app.
#[derive(Debug, Clone, PartialEq)]
pub enum DialogOutcome {
    Stay,
    Close,
    /// Send this action (the app gives it an id and calls [`Confirm::running`]).
    Submit(Action),
    /// Send these, one per agent (the app gives each an id and calls
    /// [`Confirm::running_many`]).
    SubmitMany(Vec<Action>),
    /// The cascade box changed: ask for a new plan.
    Replan {
        agent_id: String,
        cascade: bool,
    },
}

impl Confirm {
    pub fn new(subject: Subject, blast: Vec<String>) -> Self {
        let plan = match subject {
            Subject::Kill { .. } => Plan::Loading,
            _ => Plan::NotNeeded,
        };
        let grace = match subject {
            Subject::Snooze { .. } => strings::SNOOZE_DEFAULT,
            _ => "0",
        };
        Confirm {
            subject,
            blast,
            plan,
            name: LineInput::new(),
            grace: LineInput::with_text(grace),
            reason: LineInput::new(),
            focus: Field::Reason,
            phase: Phase::Editing,
            problem: None,
            rows: Vec::new(),
        }
        .focused_on_first_missing()
    }

    fn focused_on_first_missing(mut self) -> Self {
        self.focus = self.first_missing().unwrap_or(Field::Reason);
        self
    }

    /// What must be typed in the name field: the agent's name, or
    /// `kill N` for N marked agents (a name cannot stand for many).
    pub fn phrase(&self) -> Option<String> {
        match &self.subject {
            Subject::Kill { name, .. } => Some(name.clone()),
            Subject::BulkKill { targets, .. } => Some(strings::kill_phrase(targets.len())),
            _ => None,
        }
    }

    pub fn is_bulk(&self) -> bool {
        matches!(
            self.subject,
            Subject::BulkKill { .. } | Subject::BulkReassign { .. }
        )
    }

    pub fn title(&self) -> String {
        match &self.subject {
            Subject::Kill { name, .. } => format!("{} {name}", strings::KILL),
            Subject::Revoke { credential_id, .. } => {
                format!("{} {credential_id}", strings::REVOKE)
            }
            Subject::Rotate { credential_id, .. } => {
                format!("{} {credential_id}", strings::ROTATE)
            }
            Subject::Reassign { name, .. } => format!("{} {name}", strings::REASSIGN),
            Subject::Ack { label, .. } => format!("{} {label}", strings::ACKNOWLEDGE),
            Subject::Snooze { label, .. } => format!("{} {label}", strings::SNOOZE),
            Subject::StopGuardrail { label, .. } => {
                format!("{} the {label}", strings::STOP_GUARDRAIL)
            }
            Subject::RunGuardrail { label, .. } => strings::run_guardrail_title(label),
            Subject::BulkKill { targets, .. } => {
                format!(
                    "{} {}",
                    strings::KILL,
                    strings::marked_agents(targets.len())
                )
            }
            Subject::BulkReassign { targets, .. } => {
                format!(
                    "{} {}",
                    strings::REASSIGN,
                    strings::marked_agents(targets.len())
                )
            }
        }
    }

    pub fn confirm_label(&self) -> &'static str {
        match self.subject {
            Subject::Kill { .. } | Subject::BulkKill { .. } => strings::KILL,
            Subject::Revoke { .. } => strings::REVOKE,
            Subject::Rotate { .. } => strings::ROTATE,
            Subject::Reassign { .. } | Subject::BulkReassign { .. } => strings::REASSIGN,
            Subject::Ack { .. } => strings::ACKNOWLEDGE,
            Subject::Snooze { .. } => strings::SNOOZE,
            Subject::StopGuardrail { .. } => strings::STOP_GUARDRAIL,
            Subject::RunGuardrail { .. } => strings::RUN_GUARDRAIL,
        }
    }

    /// The fields in focus order.
    pub fn fields(&self) -> Vec<Field> {
        match self.subject {
            Subject::Kill { .. } => vec![
                Field::Name,
                Field::Reason,
                Field::Cascade,
                Field::Cancel,
                Field::Confirm,
            ],
            // No cascade: the backend plans one agent at a time, and a bulk
            // kill reaches exactly the agents that were marked.
            Subject::BulkKill { .. } => {
                vec![Field::Name, Field::Reason, Field::Cancel, Field::Confirm]
            }
            Subject::Rotate { .. } | Subject::Snooze { .. } => {
                vec![Field::Grace, Field::Reason, Field::Cancel, Field::Confirm]
            }
            _ => vec![Field::Reason, Field::Cancel, Field::Confirm],
        }
    }

    fn move_focus(&mut self, delta: isize) {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        let n = fields.len() as isize;
        self.focus = fields[((at + delta) % n + n) as usize % fields.len()];
    }

    /// The action, if every requirement is met; else what is missing.
    fn action(&self) -> Result<Action, String> {
        let reason = self.reason.text().trim().to_string();
        if reason.is_empty() {
            return Err(strings::REASON_REQUIRED.into());
        }
        Ok(match &self.subject {
            Subject::Kill {
                agent_id,
                name,
                cascade,
            } => {
                if self.name.text().trim() != name {
                    return Err(strings::type_name_to_confirm(name));
                }
                match &self.plan {
                    Plan::Ready(_) => {}
                    Plan::Loading => return Err(strings::WAITING_FOR_PLAN.into()),
                    Plan::Failed(e) => return Err(strings::no_plan(e)),
                    Plan::NotNeeded => {}
                }
                Action::Kill {
                    agent_id: agent_id.clone(),
                    name: name.clone(),
                    reason,
                    cascade: *cascade,
                    // The app adds them as it sends: it knows the links.
                    vault: Vec::new(),
                }
            }
            Subject::Revoke { credential_id, .. } => Action::Revoke {
                credential_id: credential_id.clone(),
                reason,
            },
            Subject::Rotate {
                credential_id,
                agent_name,
            } => Action::Rotate {
                credential_id: credential_id.clone(),
                agent_name: agent_name.clone(),
                grace_seconds: crate::duration::parse_grace(self.grace.text())
                    .map_err(strings::bad_grace)?,
                reason,
            },
            Subject::Reassign {
                agent_id,
                name,
                owner_id,
                ..
            } => Action::Reassign {
                agent_id: agent_id.clone(),
                name: name.clone(),
                owner: owner_id.clone(),
                reason,
            },
            Subject::Ack { alert_id, .. } => Action::Ack {
                alert_id: alert_id.clone(),
                reason,
            },
            Subject::Snooze { alert_id, .. } => Action::Snooze {
                alert_id: alert_id.clone(),
                seconds: snooze_seconds(self.grace.text())?,
                reason,
            },
            Subject::StopGuardrail { action_id, label } => Action::StopGuardrail {
                action_id: action_id.clone(),
                label: label.clone(),
                reason,
            },
            Subject::RunGuardrail { action_id, label } => Action::RunGuardrail {
                action_id: action_id.clone(),
                label: label.clone(),
                reason,
            },
            Subject::BulkKill { .. } | Subject::BulkReassign { .. } => {
                return Err(strings::BULK_SENDS_MANY.into());
            }
        })
    }

    /// A bulk action's actions, one per target, if every requirement is
    /// met; else what is missing.
    fn actions(&self) -> Result<Vec<Action>, String> {
        let reason = self.reason.text().trim().to_string();
        match &self.subject {
            Subject::BulkKill { targets, .. } => {
                let phrase = strings::kill_phrase(targets.len());
                if self.name.text().trim() != phrase {
                    return Err(strings::type_phrase_to_confirm(phrase));
                }
                if reason.is_empty() {
                    return Err(strings::REASON_REQUIRED.into());
                }
                Ok(targets
                    .iter()
                    .map(|t| Action::Kill {
                        agent_id: t.agent_id.clone(),
                        name: t.name.clone(),
                        reason: reason.clone(),
                        cascade: false,
                        vault: Vec::new(),
                    })
                    .collect())
            }
            Subject::BulkReassign {
                targets, owner_id, ..
            } => {
                if reason.is_empty() {
                    return Err(strings::REASON_REQUIRED.into());
                }
                Ok(targets
                    .iter()
                    .map(|t| Action::Reassign {
                        agent_id: t.agent_id.clone(),
                        name: t.name.clone(),
                        owner: owner_id.clone(),
                        reason: reason.clone(),
                    })
                    .collect())
            }
            _ => self.action().map(|a| vec![a]),
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> DialogOutcome {
        match &self.phase {
            Phase::Running { .. } | Phase::RunningMany => {
                // The action goes on; Esc only hides the dialog, and its
                // result then reaches the flash line.
                return if key.code == KeyCode::Esc {
                    DialogOutcome::Close
                } else {
                    DialogOutcome::Stay
                };
            }
            Phase::Done { .. } => {
                return if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                    DialogOutcome::Close
                } else {
                    DialogOutcome::Stay
                };
            }
            Phase::Editing => {}
        }
        let shift_tab = key.code == KeyCode::BackTab
            || (key.code == KeyCode::Tab && key.modifiers.contains(KeyModifiers::SHIFT));
        match key.code {
            KeyCode::Esc => return DialogOutcome::Close,
            _ if shift_tab => self.move_focus(-1),
            KeyCode::Tab | KeyCode::Down => self.move_focus(1),
            KeyCode::Up => self.move_focus(-1),
            KeyCode::Left | KeyCode::Right
                if matches!(self.focus, Field::Cancel | Field::Confirm) =>
            {
                self.focus = if self.focus == Field::Cancel {
                    Field::Confirm
                } else {
                    Field::Cancel
                };
            }
            KeyCode::Enter if self.focus == Field::Cancel => return DialogOutcome::Close,
            KeyCode::Enter => return self.submit_or_next(),
            KeyCode::Char(' ') if self.focus == Field::Cascade => return self.toggle_cascade(),
            _ => {
                // Typed on a button: it belongs in the field that needs it.
                if let KeyCode::Char(_) = key.code
                    && !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    && matches!(self.focus, Field::Cancel | Field::Confirm | Field::Cascade)
                {
                    self.focus = self.first_missing().unwrap_or(Field::Reason);
                }
                let input = match self.focus {
                    Field::Name => &mut self.name,
                    Field::Grace => &mut self.grace,
                    Field::Reason => &mut self.reason,
                    _ => return DialogOutcome::Stay,
                };
                input.handle(key);
                self.problem = None;
            }
        }
        DialogOutcome::Stay
    }

    fn toggle_cascade(&mut self) -> DialogOutcome {
        if let Subject::Kill {
            agent_id, cascade, ..
        } = &mut self.subject
        {
            *cascade = !*cascade;
            self.plan = Plan::Loading;
            return DialogOutcome::Replan {
                agent_id: agent_id.clone(),
                cascade: *cascade,
            };
        }
        DialogOutcome::Stay
    }

    pub fn running(&mut self, id: u64) {
        self.phase = Phase::Running { id };
        self.problem = None;
    }

    /// The backend answered the action.
    pub fn finished(&mut self, result: &Result<Outcome, String>) {
        self.phase = match result {
            Ok(Outcome::Operation(op)) => {
                let ok = op.status != crate::model::OperationStatus::Failed;
                let steps = op
                    .steps
                    .iter()
                    .map(|s| StepLine {
                        status: s.status,
                        text: format!("{}: {}", s.name.replace('_', " "), s.detail),
                    })
                    .collect();
                let message = if ok {
                    strings::KILL_CONFIRMED.into()
                } else {
                    strings::KILL_FAILED.into()
                };
                Phase::Done {
                    ok,
                    steps,
                    message,
                    verified: if ok { Some(false) } else { None },
                }
            }
            // Done only as the backend says: a run that failed, failed.
            Ok(Outcome::Guardrail(a)) => Phase::Done {
                ok: a.status != "failed",
                steps: Vec::new(),
                message: strings::guardrail_now(
                    strings::AN_ACTION,
                    &a.status,
                    a.outcome.as_deref(),
                ),
                verified: None,
            },
            Ok(Outcome::Silenced { silence_id, .. }) => Phase::Done {
                ok: true,
                steps: Vec::new(),
                message: strings::silence_made(silence_id),
                verified: None,
            },
            Ok(_) => Phase::Done {
                ok: true,
                steps: Vec::new(),
                message: strings::BACKEND_CONFIRMED.into(),
                verified: None,
            },
            Err(e) => Phase::Done {
                ok: false,
                steps: Vec::new(),
                message: e.clone(),
                verified: None,
            },
        };
    }

    /// The id of the action this dialog waits for.
    pub fn waiting_for(&self) -> Option<u64> {
        match self.phase {
            Phase::Running { id } => Some(id),
            _ => None,
        }
    }
}

/// What one answer means for one agent: confirmed, or the backend's
/// message. A kill that answers with a failed operation failed, whatever
/// the HTTP status said.
pub fn verdict(result: &Result<Outcome, String>) -> Result<(), String> {
    match result {
        Err(e) => Err(e.clone()),
        Ok(Outcome::Operation(op)) if op.status == crate::model::OperationStatus::Failed => Err(op
            .steps
            .iter()
            .find(|s| s.status == StepStatus::Failed)
            .map(|s| format!("{}: {}", s.name.replace('_', " "), s.detail))
            .unwrap_or_else(|| strings::A_STEP_FAILED.into())),
        Ok(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_text(d: &mut Confirm, s: &str) {
        s.chars().for_each(|c| {
            d.handle_key(key(KeyCode::Char(c)));
        });
    }

    fn kill_dialog() -> Confirm {
        let mut d = Confirm::new(
            Subject::Kill {
                agent_id: "agt_1".into(),
                name: "bot".into(),
                cascade: false,
            },
            vec![],
        );
        d.plan = Plan::Ready(Operation {
            id: "op".into(),
            kind: "agent.kill".into(),
            target: "agt_1".into(),
            actor: "me".into(),
            reason: "r".into(),
            status: crate::model::OperationStatus::Planned,
            steps: vec![],
            created_at: Utc::now(),
            finished_at: None,
        });
        d
    }

    #[test]
    fn focus_starts_on_the_name_and_enter_walks_to_submit() {
        let mut d = kill_dialog();
        assert_eq!(d.focus, Field::Name);
        type_text(&mut d, "bot");
        // The name matches; Enter goes on to the reason, saying nothing.
        assert_eq!(d.handle_key(key(KeyCode::Enter)), DialogOutcome::Stay);
        assert_eq!(d.focus, Field::Reason);
        assert_eq!(d.problem, None);
        // Enter on an empty reason stays, and says why.
        assert_eq!(d.handle_key(key(KeyCode::Enter)), DialogOutcome::Stay);
        assert!(d.problem.as_deref().unwrap().contains("reason"));
        type_text(&mut d, "INC-1");
        assert_eq!(
            d.handle_key(key(KeyCode::Enter)),
            DialogOutcome::Submit(Action::Kill {
                agent_id: "agt_1".into(),
                name: "bot".into(),
                reason: "INC-1".into(),
                cascade: false,
                vault: vec![],
            })
        );
    }

    #[test]
    fn kill_needs_the_name_and_a_reason() {
        let mut d = kill_dialog();
        d.focus = Field::Confirm;
        assert_eq!(d.handle_key(key(KeyCode::Enter)), DialogOutcome::Stay);
        assert!(d.problem.as_deref().unwrap().contains("name"));
        assert_eq!(d.focus, Field::Name, "Enter went to what is missing");
        type_text(&mut d, "bo");
        assert_eq!(d.handle_key(key(KeyCode::Enter)), DialogOutcome::Stay);
        assert!(d.problem.as_deref().unwrap().contains("name"));
        type_text(&mut d, "t");
        d.handle_key(key(KeyCode::Enter));
        assert_eq!(d.focus, Field::Reason);
        type_text(&mut d, "INC-1");
        d.focus = Field::Confirm;
        assert!(matches!(
            d.handle_key(key(KeyCode::Enter)),
            DialogOutcome::Submit(Action::Kill { .. })
        ));
    }

    #[test]
    fn typing_on_a_button_goes_to_the_field_that_needs_it() {
        let mut d = kill_dialog();
        d.focus = Field::Cancel;
        type_text(&mut d, "bot");
        assert_eq!(d.name.text(), "bot");
        assert_eq!(d.focus, Field::Name);
        d.focus = Field::Confirm;
        type_text(&mut d, "why");
        assert_eq!(d.reason.text(), "why");
    }

    #[test]
    fn cancel_and_esc_close_and_the_dangerous_button_is_never_first() {
        let mut d = kill_dialog();
        assert_ne!(d.focus, Field::Confirm);
        assert_eq!(d.handle_key(key(KeyCode::Esc)), DialogOutcome::Close);
        d.focus = Field::Cancel;
        assert_eq!(d.handle_key(key(KeyCode::Enter)), DialogOutcome::Close);
        // Nothing to type but a reason: focus starts there.
        let ack = Confirm::new(
            Subject::Ack {
                alert_id: "alr_1".into(),
                label: "R01 on bot".into(),
            },
            vec![],
        );
        assert_eq!(ack.focus, Field::Reason);
    }

    #[test]
    fn failure_stays_on_screen() {
        let mut d = kill_dialog();
        d.running(3);
        assert_eq!(d.handle_key(key(KeyCode::Enter)), DialogOutcome::Stay);
        d.finished(&Err("forbidden: this needs the responder role".into()));
        match &d.phase {
            Phase::Done { ok, message, .. } => {
                assert!(!ok);
                assert!(message.contains("responder"));
            }
            other => panic!("{other:?}"),
        }
    }

    fn bulk_kill_dialog() -> Confirm {
        let t = |id: &str| MarkedAgent {
            agent_id: id.into(),
            name: format!("bot-{id}"),
        };
        Confirm::new(
            Subject::BulkKill {
                targets: vec![t("a"), t("b")],
                skipped: vec![t("z")],
            },
            vec![],
        )
    }

    #[test]
    fn bulk_kill_needs_kill_n_not_a_name() {
        let mut d = bulk_kill_dialog();
        assert_eq!(d.phrase().as_deref(), Some("kill 2"));
        d.focus = Field::Reason;
        type_text(&mut d, "INC-9");
        d.focus = Field::Name;
        type_text(&mut d, "bot-a");
        d.focus = Field::Confirm;
        assert_eq!(d.handle_key(key(KeyCode::Enter)), DialogOutcome::Stay);
        assert!(d.problem.as_deref().unwrap().contains("kill 2"));
        d.name = LineInput::with_text("kill 2");
        match d.handle_key(key(KeyCode::Enter)) {
            DialogOutcome::SubmitMany(actions) => assert_eq!(actions.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bulk_is_done_only_when_every_row_answered() {
        let mut d = bulk_kill_dialog();
        let targets = match &d.subject {
            Subject::BulkKill { targets, .. } => targets.clone(),
            _ => unreachable!(),
        };
        d.running_many(vec![(7, targets[0].clone()), (8, targets[1].clone())]);
        assert!(d.tracks(7) && d.tracks(8) && !d.tracks(9));
        d.finished_one(8, &Err("boom".into()));
        assert_eq!(d.phase, Phase::RunningMany);
        assert!(!d.tracks(8), "answered once is answered");
        assert_eq!(
            d.row_lines()[0].status,
            StepStatus::Failed,
            "failures first"
        );
        assert_eq!(d.handle_key(key(KeyCode::Enter)), DialogOutcome::Stay);
        d.finished_one(7, &Err("boom too".into()));
        match &d.phase {
            Phase::Done {
                ok, steps, message, ..
            } => {
                assert!(!ok);
                assert_eq!(message, "killed 0 of 2, 2 failed: see above");
                assert_eq!(steps.last().unwrap().status, StepStatus::Skipped);
            }
            other => panic!("{other:?}"),
        }
    }
}
