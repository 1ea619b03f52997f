//! The triage view's queue: the agents with no owner or whose owner left,
//! each with the owner suggestions its backend ranked from evidence (see
//! `GET /v1/triage`). One report per backend, merged most urgent first;
//! the selection follows the agent, so when an assignment takes an agent
//! out of the queue the next one is selected.

use super::cases::{CaseKey, Cases};
use crate::api::{TriageCase, TriageReport};
use crate::fleet::row_filter::{FieldSpec, Row, Value};
use crate::tui::components::list_filter::ListFilter;
use crate::tui::components::row_texts::RowTexts;
use crate::fleet::safe_text::escape;
use crate::fleet::state::{Fleet, Sanitize};
use crate::model::PersonStatus;
use crate::tui::components::selection::{Cursor, Selection};
use crate::tui::screens::ListState;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct TriageQueue {
    /// Every backend's cases, merged; those shown in display order.
    pub cases: Cases,
    pub sel: Selection,
    /// Reports asked for and not answered yet.
    pub waiting: usize,
    /// The last failure of each backend that failed, by backend index.
    pub errors: BTreeMap<usize, String>,
    /// Owners assigned from this view since the dashboard started.
    pub assigned: usize,
    /// Whether any report has arrived.
    pub loaded: bool,
    /// `/`: the cases shown are those it keeps.
    pub filter: ListFilter,
    filtered_with: Option<u64>,
    /// The fleet generation the cases were last checked against.
    settled_for: Option<u64>,
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
                self.cases.replace(backend, cases);
                self.errors.remove(&backend);
                self.loaded = true;
            }
            Err(e) => {
                // The last good report stays: a failed refresh loses nothing.
                self.errors.insert(backend, escape(&e).into_owned());
            }
        }
        self.rebuild(true);
    }

    /// Takes an agent out at once when the backend confirmed its new owner;
    /// the next report agrees.
    pub fn resolved(&mut self, agent_id: &str) {
        let before = self.cases.total();
        self.cases.retain(|c| c.agent.id != agent_id);
        self.show(true);
        if self.cases.total() < before {
            self.assigned += 1;
        }
    }

    /// Shows the cases the filter keeps, if it changed since the last time.
    pub fn refilter(&mut self) {
        if self.filtered_with != Some(self.filter.version) {
            self.rebuild(false);
        }
    }

    /// `reports` when the cases changed (sorted again, and checked against
    /// the fleet again); else only the filter moved.
    fn rebuild(&mut self, reports: bool) {
        if reports {
            self.cases.sort();
            self.settled_for = None;
        }
        self.show(reports);
    }

    /// Shows the cases the filter keeps: all of them looked at again when
    /// `changed` (the cases did), else only what the filter moved needs.
    fn show(&mut self, changed: bool) {
        self.filtered_with = Some(self.filter.version);
        self.cases.filter(&self.filter, changed);
        self.filter.counted(self.cases.len(), self.cases.total());
        // Gone (assigned): the same place now holds the next agent.
        let cases = &self.cases;
        self.sel
            .restore(cases.len(), |id| cases.position(id), key_in(cases));
    }

    /// Drops cases the fleet shows settled since the report: an agent that
    /// has an active owner now, or is gone. Checked once per fleet change
    /// or report, not on every key.
    pub fn settle(&mut self, fleet: &Fleet) {
        if self.settled_for == Some(fleet.generation) {
            return;
        }
        let owned = |a: &crate::model::Agent| {
            fleet
                .owner_of(a)
                .is_some_and(|p| p.status == PersonStatus::Active)
        };
        // One poll since the last check that changed only agents (no
        // person, nothing removed): only those agents can have settled, so
        // the queue is not checked case by case (a million lookups a poll
        // at a million cases).
        if let Some(changed) = self.settled_for.and_then(|g| fleet.changed_since(g)) {
            let settled: std::collections::HashSet<&str> = changed
                .iter()
                .filter_map(|&i| fleet.agents().get(i))
                .filter(|a| owned(a))
                .map(|a| a.id.as_str())
                .collect();
            if !settled.is_empty() && self.cases.all().any(|c| settled.contains(c.agent.id.as_str()))
            {
                self.cases.retain(|c| !settled.contains(c.agent.id.as_str()));
                self.show(true);
            }
            self.settled_for = Some(fleet.generation);
            return;
        }
        let settled = |c: &TriageCase| match fleet.agent(&c.agent.id) {
            None => true,
            Some(a) => owned(a),
        };
        if self.cases.all().any(settled) {
            self.cases.retain(|c| !settled(c));
            self.show(true);
        }
        self.settled_for = Some(fleet.generation);
    }

    pub fn selected_case(&self) -> Option<&TriageCase> {
        self.cases.get(self.sel.selected)
    }

    pub fn case_of(&self, agent_id: &str) -> Option<&TriageCase> {
        self.cases.iter().find(|c| c.agent.id == agent_id)
    }

    /// Keeps the selection inside a window `rows` high.
    pub fn scroll_to_selection(&mut self, rows: usize) {
        self.sel.scroll(rows, self.cases.len());
    }
}

impl ListState for TriageQueue {
    fn move_by(&mut self, delta: isize) {
        self.sel
            .move_by(delta, self.cases.len(), key_in(&self.cases));
    }

    fn top(&mut self) {
        self.sel.select(0, self.cases.len(), key_in(&self.cases));
    }

    fn bottom(&mut self) {
        let last = self.cases.len().saturating_sub(1);
        self.sel.select(last, self.cases.len(), key_in(&self.cases));
    }

    fn cursor(&self) -> Cursor {
        self.sel.cursor(self.cases.len())
    }

    fn rows_on_screen(&self, rows: usize) -> usize {
        crate::tui::views::triage_rows(rows)
    }
}

/// The key a case is followed by: its agent's id.
fn key_in(cases: &Cases) -> impl Fn(usize) -> Option<String> + '_ {
    |i| cases.key_at(i)
}
/// What `/` knows of a triage case.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("agent", &[]),
    FieldSpec::text("env", &[]),
    FieldSpec::text("owner", &["departed"]),
    FieldSpec::text("suggests", &["suggestion"]),
    FieldSpec::severity("risk", &[]),
];

/// A case as its filter sees it: its environment, risk and free text from
/// the keys the queue keeps beside its order (when it has them), the case
/// itself only for the terms they do not answer.
pub(super) struct CaseRow<'a> {
    pub(super) case: &'a TriageCase,
    pub(super) key: Option<&'a CaseKey>,
    pub(super) envs: &'a [String],
    pub(super) texts: &'a RowTexts,
}

impl Row for CaseRow<'_> {
    fn field(&self, i: usize) -> Value<'_> {
        match (i, self.key) {
            (1, Some(k)) => self
                .envs
                .get(k.env as usize)
                .map_or(Value::None, |e| Value::Text(e)),
            (4, Some(k)) => k.risk.map_or(Value::None, Value::Severity),
            _ => self.read(i),
        }
    }

    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
        let c = self.case;
        hit(&c.agent.name)
            || hit(&c.agent.id)
            || c.departed_owner.as_ref().is_some_and(|p| hit(&p.name))
            || c.suggestions.iter().any(|s| hit(&s.person.name))
    }

    fn lower_text(&self) -> Option<&str> {
        self.texts.get(self.key?.text)
    }

    /// `env:` and `risk:`, from the keys.
    fn field_code(&self, i: usize) -> Option<u32> {
        let k = self.key?;
        match i {
            1 => Some(k.env),
            4 => Some(k.risk.map_or(0, |r| r as u32 + 1)),
            _ => None,
        }
    }
}

impl CaseRow<'_> {
    /// Field `i`, read from the case itself.
    fn read(&self, i: usize) -> Value<'_> {
        let c = self.case;
        match i {
            0 => Value::Either(&c.agent.name, &c.agent.id),
            1 => Value::Text(&c.agent.environment),
            2 => c
                .departed_owner
                .as_ref()
                .map_or(Value::None, |p| Value::Either(&p.name, &p.email)),
            3 => c
                .suggestions
                .first()
                .map_or(Value::None, |s| Value::Either(&s.person.name, &s.person.email)),
            _ => c.risk.map_or(Value::None, Value::Severity),
        }
    }
}

