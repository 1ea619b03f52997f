//! The alerts view's order: every alert the fleet holds, open ones first,
//! then the most severe, then the newest. Kept as alert ids and rebuilt only
//! when the fleet changes, never on a frame; the selection follows the
//! alert's id, so a poll that adds or reorders alerts does not move it.

use crate::fleet::state::Fleet;
use crate::model::{Alert, AlertStatus};
use std::cmp::Reverse;

#[derive(Debug, Default)]
pub struct AlertList {
    /// Alert ids, in display order.
    pub order: Vec<String>,
    /// Position in `order`.
    pub selected: usize,
    /// First visible position.
    pub offset: usize,
    /// The selected alert's id, which survives a rebuild.
    selected_id: Option<String>,
    /// The fleet generation `order` was built from.
    built_for: Option<u64>,
    /// `:ctx`: only alerts whose id starts with this (a backend's name and
    /// the separator).
    scope: Option<String>,
}

/// Open before acknowledged before resolved: what still needs someone.
fn status_rank(s: AlertStatus) -> u8 {
    match s {
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

    /// Rebuilds the order if the fleet changed since the last time.
    pub fn refresh(&mut self, fleet: &Fleet) {
        if self.built_for == Some(fleet.generation) {
            return;
        }
        self.built_for = Some(fleet.generation);
        let scope = self.scope.as_deref().unwrap_or("");
        let mut alerts: Vec<&Alert> = fleet.alerts().filter(|a| a.id.starts_with(scope)).collect();
        // The id last, so that equal alerts keep one order across polls
        // (the fleet's map has none).
        alerts.sort_by(|a, b| {
            (
                status_rank(a.status),
                Reverse(a.severity as usize),
                Reverse(a.created_at),
                &a.id,
            )
                .cmp(&(
                    status_rank(b.status),
                    Reverse(b.severity as usize),
                    Reverse(b.created_at),
                    &b.id,
                ))
        });
        self.order = alerts.into_iter().map(|a| a.id.clone()).collect();
        let kept = self
            .selected_id
            .as_ref()
            .and_then(|id| self.order.iter().position(|o| o == id));
        self.select(kept.unwrap_or(self.selected));
    }

    fn select(&mut self, at: usize) {
        self.selected = at.min(self.order.len().saturating_sub(1));
        self.selected_id = self.order.get(self.selected).cloned();
    }

    /// The selected alert's id, if there is any alert.
    pub fn selected_id(&self) -> Option<&str> {
        self.order.get(self.selected).map(String::as_str)
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.order.is_empty() {
            return;
        }
        let last = self.order.len() as isize - 1;
        self.select((self.selected as isize + delta).clamp(0, last) as usize);
    }

    pub fn top(&mut self) {
        self.select(0);
    }

    pub fn bottom(&mut self) {
        self.select(self.order.len().saturating_sub(1));
    }

    /// Keeps the selection inside a window `rows` high.
    pub fn scroll_to_selection(&mut self, rows: usize) {
        let rows = rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        self.offset = self.offset.min(self.order.len().saturating_sub(rows));
    }
}
