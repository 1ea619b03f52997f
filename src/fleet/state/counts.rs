//! The header's counts: the agents' tallied as they change, the alerts'
//! counted when asked.

use super::{Counts, Fleet};
use crate::model::*;

/// The agents' part of [`Counts`], kept up to date as agents change.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Tally {
    active: usize,
    unowned: usize,
    suspended: usize,
    killed: usize,
}

impl Fleet {
    /// Adds agent `i` to the tally, or takes it out.
    pub(super) fn count(&mut self, i: usize, add: bool) {
        let a = &self.agents[i];
        let owned = self
            .owner_of(a)
            .is_some_and(|p| p.status == PersonStatus::Active);
        let t = &mut self.tally;
        let field = match a.status {
            AgentStatus::Active => Some(&mut t.active),
            AgentStatus::Suspended => Some(&mut t.suspended),
            AgentStatus::Killed => Some(&mut t.killed),
            AgentStatus::Dormant => None,
        };
        let unowned = !owned && a.status != AgentStatus::Killed;
        for f in field.into_iter().chain(unowned.then_some(&mut t.unowned)) {
            if add {
                *f += 1;
            } else {
                *f = f.saturating_sub(1);
            }
        }
    }

    pub(super) fn recount(&mut self) {
        self.tally = Tally::default();
        for i in 0..self.agents.len() {
            self.count(i, true);
        }
    }

    /// Counts for the header: the agents' kept as they change, the
    /// alerts' in one pass over the alerts.
    pub fn counts(&self) -> Counts {
        let now = chrono::Utc::now();
        let t = self.tally;
        let mut c = Counts {
            agents: self.agents.len(),
            active: t.active,
            unowned: t.unowned,
            suspended: t.suspended,
            killed: t.killed,
            ..Counts::default()
        };
        for a in self
            .alerts
            .items()
            .iter()
            // A snoozed alert waits, as an acknowledged one does.
            .filter(|a| a.status == AlertStatus::Open && !a.snoozed_at(now))
        {
            c.alerts[a.severity as usize] += 1;
        }
        c
    }
}
