//! The alerts view's order: every alert the fleet holds, open ones first,
//! then the most severe, then the newest. Kept as alert ids and rebuilt only
//! when the fleet changes, never on a frame; the selection follows the
//! alert's id, so a poll that adds or reorders alerts does not move it.
//! `/` narrows it ([`FIELDS`]); a keystroke filters the sorted ids again
//! without sorting them again.

use crate::fleet::row_filter::{FieldSpec, Row, Value};
use crate::fleet::state::Fleet;
use crate::model::{Agent, Alert, AlertStatus, Person};
use chrono::{DateTime, Utc};
use crate::tui::components::list_filter::{ListFilter, Narrowing};
use crate::tui::components::selection::{Cursor, Selection};
use crate::tui::screens::ListState;
use std::cell::OnceCell;
use std::cmp::Reverse;

#[derive(Debug, Default)]
pub struct AlertList {
    /// Alert ids, in display order, the filter applied.
    pub order: Vec<String>,
    /// Every alert's id in display order, before the filter, while a
    /// filter hides some; with none, `order` holds them (one copy, not two,
    /// of a list that may be 200,000 long).
    sorted: Vec<String>,
    /// Whether `order` is the whole sorted list (and `sorted` empty).
    order_is_all: bool,
    pub filter: ListFilter,
    /// The filter version `order` was built with.
    filtered_with: Option<u64>,
    /// What `order` was filtered with, so the next keystroke can narrow it.
    narrowing: Narrowing<String>,
    /// An alert being acknowledged from its row, and that row: once it is
    /// no longer open (and sorts further down), the cursor stays on the
    /// row instead of following it.
    stay: Option<(String, usize)>,
    /// Position in `order`, the first on screen, and the selected alert's
    /// id, which survives a rebuild.
    pub sel: Selection,
    /// The fleet generation `order` was built from.
    built_for: Option<u64>,
    /// `:ctx`: only alerts whose id starts with this (a backend's name and
    /// the separator).
    scope: Option<String>,
}

/// Open before acknowledged before resolved: what still needs someone.
/// A snoozed alert waits with the acknowledged ones.
fn status_rank(a: &Alert, now: DateTime<Utc>) -> u8 {
    match a.status {
        AlertStatus::Open if a.snoozed_at(now) => 1,
        AlertStatus::Open => 0,
        AlertStatus::Acknowledged => 1,
        AlertStatus::Resolved => 2,
    }
}

impl AlertList {
    /// Shows only the alerts of ids starting with `prefix`, or all.
    pub fn set_scope(&mut self, prefix: Option<String>) {
        if self.scope != prefix {
            self.scope = prefix;
            self.built_for = None;
        }
    }

    /// Rebuilds the order if the fleet or the filter changed since the
    /// last time.
    pub fn refresh(&mut self, fleet: &Fleet) {
        if self.built_for != Some(fleet.generation) {
            self.built_for = Some(fleet.generation);
            self.sort(fleet);
            self.filtered_with = None;
            self.narrowing.rebuilt("");
        }
        if self.filtered_with == Some(self.filter.version) {
            return;
        }
        self.filtered_with = Some(self.filter.version);
        let total = if self.filter.is_empty() {
            if !self.order_is_all {
                self.order = std::mem::take(&mut self.sorted);
                self.order_is_all = true;
            }
            self.narrowing.rebuilt("");
            self.order.len()
        } else if !self.order_is_all && {
            let filter = &self.filter;
            self.narrowing
                .narrow(filter, &mut self.order, kept_by(fleet, filter, Utc::now()))
        } {
            self.sorted.len()
        } else {
            if self.order_is_all {
                self.sorted = std::mem::take(&mut self.order);
                self.order_is_all = false;
            }
            let keep = kept_by(fleet, &self.filter, Utc::now());
            self.order = self.sorted.iter().filter(|id| keep(id)).cloned().collect();
            self.narrowing.rebuilt(&self.filter.text);
            self.sorted.len()
        };
        self.filter.counted(self.order.len(), total);
        let settled = self.stay.as_ref().filter(|(id, _)| {
            fleet
                .alert(id)
                .is_none_or(|a| a.status != AlertStatus::Open || a.snoozed_at(Utc::now()))
        });
        if let Some(&(_, row)) = settled {
            self.stay = None;
            let order = &self.order;
            self.sel.select(row, order.len(), |i| order.get(i).cloned());
        } else {
            self.sel.restore_ids(&self.order);
        }
    }

    /// `alert_id`, selected, is being acknowledged: keep the cursor on its
    /// row when it settles.
    pub fn stay_when_settled(&mut self, alert_id: &str) {
        self.stay = Some((alert_id.to_string(), self.sel.selected));
    }

    fn sort(&mut self, fleet: &Fleet) {
        let scope = self.scope.as_deref().unwrap_or("");
        let now = Utc::now();
        // Each key made once, not on every comparison (a snooze is read
        // against the clock); the id last, so that equal alerts keep one
        // order across polls (the fleet's map has none).
        let mut keyed: Vec<(u8, Reverse<u8>, Reverse<i64>, &str)> = fleet
            .alerts()
            .filter(|a| a.id.starts_with(scope))
            .map(|a| {
                (
                    status_rank(a, now),
                    Reverse(a.severity as u8),
                    Reverse(a.created_at.timestamp_micros()),
                    a.id.as_str(),
                )
            })
            .collect();
        keyed.sort_unstable();
        self.sorted = keyed.into_iter().map(|k| k.3.to_string()).collect();
        self.order_is_all = false;
    }

    /// The selected alert's id, if there is any alert.
    pub fn selected_id(&self) -> Option<&str> {
        self.order.get(self.sel.selected).map(String::as_str)
    }

    /// Keeps the selection inside a window `rows` high.
    pub fn scroll_to_selection(&mut self, rows: usize) {
        self.sel.scroll(rows, self.order.len());
    }
}

impl ListState for AlertList {
    fn move_by(&mut self, delta: isize) {
        self.sel.move_in(delta, &self.order);
    }

    fn cursor(&self) -> Cursor {
        self.sel.cursor(self.order.len())
    }
}

/// What `/` knows of an alert.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("rule", &[]),
    FieldSpec::severity("severity", &["sev"]),
    FieldSpec::text("status", &[]),
    FieldSpec::text("agent", &[]),
    FieldSpec::text("owner", &[]),
    FieldSpec::text("source", &[]),
];

/// An alert with its agent and the agent's owner, as `/` sees it.
/// Whether `filter` keeps the alert of an id; the clock is read once for
/// the whole pass.
fn kept_by<'a>(
    fleet: &'a Fleet,
    filter: &'a ListFilter,
    now: DateTime<Utc>,
) -> impl Fn(&String) -> bool + 'a {
    move |id| {
        fleet
            .alert(id)
            .is_some_and(|a| filter.keeps(&AlertRow::new(a, fleet, now)))
    }
}

/// An alert as its filter sees it. Its agent and owner are looked up only
/// when a term asks for them: most terms (`rule:`, `sev:`, most free text)
/// are answered by the alert alone, and a pass reads 200,000 of them.
struct AlertRow<'a> {
    alert: &'a Alert,
    fleet: &'a Fleet,
    agent: OnceCell<Option<&'a Agent>>,
    /// Whether it is snoozed, read once for the whole filtering pass.
    now: DateTime<Utc>,
}

impl<'a> AlertRow<'a> {
    fn new(alert: &'a Alert, fleet: &'a Fleet, now: DateTime<Utc>) -> Self {
        AlertRow {
            alert,
            fleet,
            agent: OnceCell::new(),
            now,
        }
    }

    fn agent(&self) -> Option<&'a Agent> {
        *self.agent.get_or_init(|| {
            self.alert
                .agent_id
                .as_deref()
                .and_then(|id| self.fleet.agent(id))
        })
    }

    fn owner(&self) -> Option<&'a Person> {
        self.agent()
            .and_then(|a| a.owner.as_deref())
            .and_then(|id| self.fleet.person(id))
    }
}

/// The word the alerts list shows, and `status:` matches: a snoozed alert
/// reads `snoozed`.
pub fn status_word(a: &Alert, now: DateTime<Utc>) -> &'static str {
    if a.snoozed_at(now) {
        return "snoozed";
    }
    match a.status {
        AlertStatus::Open => "open",
        AlertStatus::Acknowledged => "acknowledged",
        AlertStatus::Resolved => "resolved",
    }
}

impl Row for AlertRow<'_> {
    fn field(&self, i: usize) -> Value<'_> {
        match i {
            0 => Value::Text(&self.alert.rule),
            1 => Value::Severity(self.alert.severity),
            2 => Value::Text(status_word(self.alert, self.now)),
            3 => self
                .agent()
                .map_or(Value::None, |a| Value::Either(&a.name, &a.id)),
            4 => self
                .owner()
                .map_or(Value::None, |p| Value::Either(&p.name, &p.email)),
            _ => Value::Text(&self.alert.source),
        }
    }

    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
        hit(&self.alert.rule)
            || hit(&self.alert.summary)
            || hit(&self.alert.id)
            || self.agent().is_some_and(|a| hit(&a.name))
    }
}
