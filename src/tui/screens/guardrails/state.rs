//! The `:guardrails` list's rows: every automatic action the backends
//! reported, the pending ones soonest first, then the finished ones newest
//! first, rebuilt only when what is known changes; the selection follows
//! the action. `/` keeps the rows that match ([`FIELDS`]).

use crate::api::guardrails::GuardrailAction;
use crate::fleet::row_filter::{FieldSpec, Row, Value};
use crate::tui::components::list_filter::ListFilter;
use crate::tui::components::selection::{Cursor, Selection};
use crate::tui::guardrails::Guardrails;
use crate::tui::screens::ListState;

#[derive(Debug, Default)]
pub struct GuardrailList {
    /// In display order, the filter applied.
    pub rows: Vec<GuardrailAction>,
    /// Every row in display order, before the filter.
    sorted: Vec<GuardrailAction>,
    pub filter: ListFilter,
    filtered_with: Option<u64>,
    pub sel: Selection,
    built_for: Option<u64>,
}

impl GuardrailList {
    /// Rebuilds the rows if what is known changed since the last time.
    pub fn refresh(&mut self, known: &Guardrails) {
        if self.built_for != Some(known.generation) {
            self.built_for = Some(known.generation);
            self.sorted = known.all().into_iter().cloned().collect();
            self.filtered_with = None;
        }
        if self.filtered_with == Some(self.filter.version) {
            return;
        }
        self.filtered_with = Some(self.filter.version);
        let filter = &self.filter;
        self.rows = self
            .sorted
            .iter()
            .filter(|r| filter.is_empty() || filter.keeps(&ActionFields(r)))
            .cloned()
            .collect();
        self.filter.counted(self.rows.len(), self.sorted.len());
        let rows = &self.rows;
        self.sel.restore(
            rows.len(),
            |id| rows.iter().position(|r| r.id == id),
            |i| rows.get(i).map(|r| r.id.clone()),
        );
    }

    pub fn selected(&self) -> Option<&GuardrailAction> {
        self.rows.get(self.sel.selected)
    }
}

/// What `/` knows of an action.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("status", &[]),
    FieldSpec::text("policy", &[]),
    FieldSpec::text("action", &[]),
    FieldSpec::text("agent", &[]),
    FieldSpec::text("rule", &[]),
];

struct ActionFields<'a>(&'a GuardrailAction);

impl Row for ActionFields<'_> {
    fn field(&self, i: usize) -> Value<'_> {
        let a = self.0;
        Value::Text(match i {
            0 => &a.status,
            1 => &a.policy,
            2 => &a.action,
            3 => &a.agent_name,
            _ => &a.rule,
        })
    }

    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
        let a = self.0;
        [
            &a.policy,
            &a.agent_name,
            &a.action,
            &a.status,
            &a.rule,
            &a.id,
            &a.alert_id,
        ]
        .into_iter()
        .any(|t| hit(t))
            || a.outcome.as_deref().is_some_and(&mut *hit)
            || a.decided_by.as_deref().is_some_and(&mut *hit)
    }
}

impl ListState for GuardrailList {
    fn move_by(&mut self, delta: isize) {
        let rows = &self.rows;
        self.sel
            .move_by(delta, rows.len(), |i| rows.get(i).map(|r| r.id.clone()));
    }

    fn cursor(&self) -> Cursor {
        self.sel.cursor(self.rows.len())
    }
}
