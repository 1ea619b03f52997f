//! The alerts view's order: every alert the fleet holds, open ones first,
//! then the most severe, then the newest. Kept as alert ids and rebuilt only
//! when the fleet changes, never on a frame; the selection follows the
//! alert's id, so a poll that adds or reorders alerts does not move it.

use crate::fleet::state::Fleet;
use crate::model::{Alert, AlertStatus};
use crate::tui::components::selection::{Cursor, Selection};
use crate::tui::screens::ListState;
use std::cmp::Reverse;

#[derive(Debug, Default)]
pub struct AlertList {
    /// Alert ids, in display order.
    pub order: Vec<String>,
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
        self.sel.restore_ids(&self.order);
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
