//! One dialog over many agents: the rows of a bulk action, each with the
//! backend's answer as it arrives, and the verdict once all have answered.

use super::{BulkRow, Confirm, MarkedAgent, Phase, RowState, StepLine, Subject, verdict};
use crate::model::StepStatus;
use crate::tui::msg::Outcome;
use crate::tui::strings;

impl Confirm {
    /// A bulk action was sent: `sent` pairs each action's id with its agent.
    pub fn running_many(&mut self, sent: Vec<(u64, MarkedAgent)>) {
        self.rows = sent
            .into_iter()
            .map(|(id, t)| BulkRow {
                id,
                agent_id: t.agent_id,
                name: t.name,
                state: RowState::Waiting,
            })
            .collect();
        self.phase = Phase::RunningMany;
        self.problem = None;
    }

    /// Whether action `id` is one of this dialog's bulk rows still waiting.
    pub fn tracks(&self, id: u64) -> bool {
        matches!(self.phase, Phase::RunningMany)
            && self
                .rows
                .iter()
                .any(|r| r.id == id && r.state == RowState::Waiting)
    }

    /// How many bulk rows the backend has answered.
    pub fn answered(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.state != RowState::Waiting)
            .count()
    }

    /// One agent of a bulk action answered. The dialog is done only when
    /// every agent has: until then the rows say who is still waiting.
    pub fn finished_one(&mut self, id: u64, result: &Result<Outcome, String>) {
        let Some(row) = self.rows.iter_mut().find(|r| r.id == id) else {
            return;
        };
        row.state = match verdict(result) {
            Ok(()) => RowState::Ok,
            Err(e) => RowState::Failed(e),
        };
        if self.answered() < self.rows.len() {
            return;
        }
        let failed = self
            .rows
            .iter()
            .filter(|r| matches!(r.state, RowState::Failed(_)))
            .count();
        let ok = self.rows.len() - failed;
        let (verb, skipped_why) = match &self.subject {
            Subject::BulkKill { .. } => (strings::KILLED, strings::ALREADY_KILLED),
            _ => (strings::REASSIGNED, strings::ALREADY_HAS_OWNER),
        };
        let skipped = match &self.subject {
            Subject::BulkKill { skipped, .. } | Subject::BulkReassign { skipped, .. } => {
                skipped.as_slice()
            }
            _ => &[],
        };
        let mut steps = self.row_lines();
        steps.extend(skipped.iter().map(|t| StepLine {
            status: StepStatus::Skipped,
            text: format!("{}: {skipped_why}, skipped", t.name),
        }));
        let message = if failed == 0 {
            strings::bulk_confirmed(verb, ok, self.rows.len())
        } else {
            strings::bulk_some_failed(verb, ok, self.rows.len(), failed)
        };
        let kill = matches!(self.subject, Subject::BulkKill { .. });
        self.phase = Phase::Done {
            ok: failed == 0,
            steps,
            message,
            verified: (kill && ok > 0).then_some(false),
        };
    }

    /// The bulk rows as progress lines: failures first, so that one in a
    /// long list stays on screen, then the waiting, then the confirmed.
    pub fn row_lines(&self) -> Vec<StepLine> {
        let done = match &self.subject {
            Subject::BulkKill { .. } => strings::KILLED,
            _ => strings::REASSIGNED,
        };
        let rank = |r: &BulkRow| match r.state {
            RowState::Failed(_) => 0,
            RowState::Waiting => 1,
            RowState::Ok => 2,
        };
        let mut rows: Vec<&BulkRow> = self.rows.iter().collect();
        rows.sort_by_key(|r| rank(r));
        rows.into_iter()
            .map(|r| match &r.state {
                RowState::Waiting => StepLine {
                    status: StepStatus::Pending,
                    text: format!("{}: {}", r.name, strings::WAITING_FOR_BACKEND),
                },
                RowState::Ok => StepLine {
                    status: StepStatus::Ok,
                    text: format!("{}: {done}", r.name),
                },
                RowState::Failed(e) => StepLine {
                    status: StepStatus::Failed,
                    text: format!("{}: {}", r.name, strings::failed(e)),
                },
            })
            .collect()
    }
}
