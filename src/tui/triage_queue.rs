//! The triage view's queue: the agents with no owner or whose owner left,
//! each with the owner suggestions its backend ranked from evidence (see
//! `GET /v1/triage`). One report per backend, merged most urgent first;
//! the selection follows the agent, so when an assignment takes an agent
//! out of the queue the next one is selected.

use crate::api::{TriageCase, TriageReport};
use crate::fleet::safe_text::escape;
use crate::fleet::state::{Fleet, Sanitize};
use crate::model::PersonStatus;
use std::cmp::Reverse;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct TriageQueue {
    /// Every backend's cases, merged and in display order.
    pub cases: Vec<TriageCase>,
    pub selected: usize,
    pub offset: usize,
    /// Reports asked for and not answered yet.
    pub waiting: usize,
    /// The last failure of each backend that failed, by backend index.
    pub errors: BTreeMap<usize, String>,
    /// Owners assigned from this view since the dashboard started.
    pub assigned: usize,
    /// Whether any report has arrived.
    pub loaded: bool,
    reports: BTreeMap<usize, Vec<TriageCase>>,
    selected_id: Option<String>,
}

fn sanitize(case: &mut TriageCase) {
    case.agent.sanitize();
    if let Some(p) = &mut case.departed_owner {
        p.sanitize();
    }
    for s in &mut case.suggestions {
        s.person.sanitize();
        for r in &mut s.reasons {
            r.text = escape(&r.text).into_owned();
        }
    }
}

impl TriageQueue {
    /// A backend's report arrived: it replaces that backend's cases.
    pub fn report(&mut self, backend: usize, result: Result<TriageReport, String>) {
        self.waiting = self.waiting.saturating_sub(1);
        match result {
            Ok(report) => {
                let mut cases = report.cases;
                cases.iter_mut().for_each(sanitize);
                self.reports.insert(backend, cases);
                self.errors.remove(&backend);
                self.loaded = true;
            }
            Err(e) => {
                // The last good report stays: a failed refresh loses nothing.
                self.errors.insert(backend, escape(&e).into_owned());
            }
        }
        self.rebuild();
    }

    /// Takes an agent out at once when the backend confirmed its new owner;
    /// the next report agrees.
    pub fn resolved(&mut self, agent_id: &str) {
        let before = self.cases.len();
        for cases in self.reports.values_mut() {
            cases.retain(|c| c.agent.id != agent_id);
        }
        self.rebuild();
        if self.cases.len() < before {
            self.assigned += 1;
        }
    }

    fn rebuild(&mut self) {
        let mut cases: Vec<TriageCase> = self.reports.values().flatten().cloned().collect();
        cases.sort_by(|a, b| {
            (
                Reverse(a.risk),
                Reverse(a.highest_level),
                &a.agent.name,
                &a.agent.id,
            )
                .cmp(&(
                    Reverse(b.risk),
                    Reverse(b.highest_level),
                    &b.agent.name,
                    &b.agent.id,
                ))
        });
        self.cases = cases;
        let kept = self
            .selected_id
            .as_ref()
            .and_then(|id| self.cases.iter().position(|c| &c.agent.id == id));
        // Gone (assigned): the same place now holds the next agent.
        self.select(kept.unwrap_or(self.selected));
    }

    /// Drops cases the fleet shows settled since the report: an agent that
    /// has an active owner now, or is gone.
    pub fn settle(&mut self, fleet: &Fleet) {
        let settled = |c: &TriageCase| match fleet.agent(&c.agent.id) {
            None => true,
            Some(a) => fleet
                .owner_of(a)
                .is_some_and(|p| p.status == PersonStatus::Active),
        };
        if self.cases.iter().any(settled) {
            for cases in self.reports.values_mut() {
                cases.retain(|c| !settled(c));
            }
            self.rebuild();
        }
    }

    fn select(&mut self, at: usize) {
        self.selected = at.min(self.cases.len().saturating_sub(1));
        self.selected_id = self.cases.get(self.selected).map(|c| c.agent.id.clone());
    }

    pub fn selected_case(&self) -> Option<&TriageCase> {
        self.cases.get(self.selected)
    }

    pub fn case_of(&self, agent_id: &str) -> Option<&TriageCase> {
        self.cases.iter().find(|c| c.agent.id == agent_id)
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.cases.is_empty() {
            return;
        }
        let last = self.cases.len() as isize - 1;
        self.select((self.selected as isize + delta).clamp(0, last) as usize);
    }

    pub fn top(&mut self) {
        self.select(0);
    }

    pub fn bottom(&mut self) {
        self.select(self.cases.len().saturating_sub(1));
    }

    /// Keeps the selection inside a window `rows` high.
    pub fn scroll_to_selection(&mut self, rows: usize) {
        let rows = rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        self.offset = self.offset.min(self.cases.len().saturating_sub(rows));
    }
}
