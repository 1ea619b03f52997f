//! The one confirmation component every dangerous action goes through.
//! Focus starts on Cancel. It shows the blast radius, asks for what the
//! action needs (the agent's name for a kill, always a reason), and while
//! the action runs it shows each step as the backend reports it. Nothing is
//! shown as done before the backend confirms it; a failure stays on screen.

use super::input::LineInput;
use super::msg::{Action, Outcome};
use crate::model::{Operation, StepStatus};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
    Reassign {
        agent_id: String,
        name: String,
        owner_id: String,
        owner_label: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
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
    pub reason: LineInput,
    pub focus: Field,
    pub phase: Phase,
    /// Why Confirm was refused, shown under the fields.
    pub problem: Option<String>,
}

/// What a key in the dialog asks of the app.
#[derive(Debug, Clone, PartialEq)]
pub enum DialogOutcome {
    Stay,
    Close,
    /// Send this action (the app gives it an id and calls [`Confirm::running`]).
    Submit(Action),
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
        Confirm {
            subject,
            blast,
            plan,
            name: LineInput::new(),
            reason: LineInput::new(),
            focus: Field::Cancel,
            phase: Phase::Editing,
            problem: None,
        }
    }

    pub fn title(&self) -> String {
        match &self.subject {
            Subject::Kill { name, .. } => format!("Kill {name}"),
            Subject::Revoke { credential_id, .. } => format!("Revoke {credential_id}"),
            Subject::Reassign { name, .. } => format!("Reassign {name}"),
        }
    }

    pub fn confirm_label(&self) -> &'static str {
        match self.subject {
            Subject::Kill { .. } => "Kill",
            Subject::Revoke { .. } => "Revoke",
            Subject::Reassign { .. } => "Reassign",
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
            return Err("a reason is required: it goes into the audit chain".into());
        }
        Ok(match &self.subject {
            Subject::Kill {
                agent_id,
                name,
                cascade,
            } => {
                if self.name.text().trim() != name {
                    return Err(format!("type the agent's name ({name}) to confirm"));
                }
                match &self.plan {
                    Plan::Ready(_) => {}
                    Plan::Loading => return Err("waiting for the backend's plan".into()),
                    Plan::Failed(e) => return Err(format!("no plan from the backend: {e}")),
                    Plan::NotNeeded => {}
                }
                Action::Kill {
                    agent_id: agent_id.clone(),
                    name: name.clone(),
                    reason,
                    cascade: *cascade,
                }
            }
            Subject::Revoke { credential_id, .. } => Action::Revoke {
                credential_id: credential_id.clone(),
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
        })
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> DialogOutcome {
        match &self.phase {
            Phase::Running { .. } => {
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
            KeyCode::Enter => match self.focus {
                Field::Cancel => return DialogOutcome::Close,
                Field::Confirm => match self.action() {
                    Ok(action) => return DialogOutcome::Submit(action),
                    Err(problem) => self.problem = Some(problem),
                },
                Field::Cascade => return self.toggle_cascade(),
                Field::Name | Field::Reason => self.move_focus(1),
            },
            KeyCode::Char(' ') if self.focus == Field::Cascade => return self.toggle_cascade(),
            _ => {
                let input = match self.focus {
                    Field::Name => &mut self.name,
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
                    "the backend confirmed the kill".into()
                } else {
                    "the kill failed; see the steps".into()
                };
                Phase::Done {
                    ok,
                    steps,
                    message,
                    verified: if ok { Some(false) } else { None },
                }
            }
            Ok(_) => Phase::Done {
                ok: true,
                steps: Vec::new(),
                message: "the backend confirmed it".into(),
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
    fn focus_starts_on_cancel_and_enter_there_closes() {
        let mut d = kill_dialog();
        assert_eq!(d.focus, Field::Cancel);
        assert_eq!(d.handle_key(key(KeyCode::Enter)), DialogOutcome::Close);
    }

    #[test]
    fn kill_needs_the_name_and_a_reason() {
        let mut d = kill_dialog();
        d.focus = Field::Confirm;
        assert_eq!(d.handle_key(key(KeyCode::Enter)), DialogOutcome::Stay);
        assert!(d.problem.as_deref().unwrap().contains("reason"));
        d.focus = Field::Reason;
        type_text(&mut d, "INC-1");
        d.focus = Field::Name;
        type_text(&mut d, "bo");
        d.focus = Field::Confirm;
        d.handle_key(key(KeyCode::Enter));
        assert!(d.problem.as_deref().unwrap().contains("name"));
        d.focus = Field::Name;
        type_text(&mut d, "t");
        d.focus = Field::Confirm;
        let out = d.handle_key(key(KeyCode::Enter));
        assert_eq!(
            out,
            DialogOutcome::Submit(Action::Kill {
                agent_id: "agt_1".into(),
                name: "bot".into(),
                reason: "INC-1".into(),
                cascade: false
            })
        );
    }

    #[test]
    fn typing_on_cancel_does_nothing() {
        let mut d = kill_dialog();
        type_text(&mut d, "bot");
        assert_eq!(d.name.text(), "");
        assert_eq!(d.focus, Field::Cancel);
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
}
