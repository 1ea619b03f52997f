//! What crosses a time threshold, and when: the moments the scheduler
//! wakes the rules for, each with the agents (or the tokens) to judge then,
//! instead of finding them at a later sweep. From the facts a sweep or an
//! evaluation has read (R01's grace, R03's step to high, R13's new grants
//! ageing out, behaviour alerts going quiet) and from the store, in bounded
//! windows up to the horizon (R03 dormancy, R05 rotation, R06 unused
//! grants, and credential and token expiry, which end R02, R03, R05 and R21
//! alerts).

use super::scope::Touched;
use super::{before, days, hours};
use crate::config::RuleThresholds;
use crate::server::store::scheduling::{Crossing, ThresholdWindows};
use crate::server::store::{Store, StoreResult, SweepFacts};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// Most rows the store answers per kind of threshold. Past it, what
/// crosses later is unknown: a whole sweep at the last moment answered
/// stands for it (a fleet where thousands cross within the horizon).
const MAX_CROSSINGS: usize = 1000;

/// What crosses a threshold, moment by moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Due {
    at: BTreeMap<DateTime<Utc>, Touched>,
    /// From this moment on the store's answer was cut short: a whole
    /// sweep then.
    sweep_at: Option<DateTime<Utc>>,
}

impl Due {
    /// The next moment something is due.
    pub fn soonest(&self) -> Option<DateTime<Utc>> {
        let first = self.at.keys().next().copied();
        match (first, self.sweep_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.soonest().is_none()
    }

    pub fn merge(&mut self, other: Due) {
        for (t, touched) in other.at {
            self.at.entry(t).or_default().fold(touched);
        }
        if let Some(t) = other.sweep_at {
            self.sweep(t);
        }
    }

    fn sweep(&mut self, t: DateTime<Utc>) {
        self.sweep_at = Some(self.sweep_at.map_or(t, |s| s.min(t)));
    }

    /// Takes what has passed by `now`: the agents and tokens to judge, and
    /// whether a whole sweep is due.
    pub fn take_passed(&mut self, now: DateTime<Utc>) -> (Touched, bool) {
        let later = match now.checked_add_signed(Duration::nanoseconds(1)) {
            Some(after) => self.at.split_off(&after),
            None => BTreeMap::new(),
        };
        let mut passed = Touched::default();
        for (_, touched) in std::mem::replace(&mut self.at, later) {
            passed.fold(touched);
        }
        let sweep = self.sweep_at.is_some_and(|t| t <= now);
        if sweep {
            self.sweep_at = None;
        }
        (passed, sweep)
    }

    /// Keeps only what concerns `agents` (and the tokens if `tokens`):
    /// what a server that does not hold the lease schedules of an
    /// evaluation it ran, leaving the rest of the fleet to the holder.
    pub fn keep_only(&mut self, agents: &BTreeSet<String>, tokens: bool) {
        for touched in self.at.values_mut() {
            touched.agents.retain(|a| agents.contains(a));
            touched.tokens &= tokens;
        }
        self.at.retain(|_, touched| !touched.is_empty());
        self.sweep_at = None;
    }
}

/// What crosses a threshold after `now` and up to `horizon`, as found.
#[derive(Debug, Clone)]
pub struct Soonest {
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
    pub due: Due,
}

impl Soonest {
    pub fn within(now: DateTime<Utc>, horizon: DateTime<Utc>) -> Soonest {
        Soonest {
            now,
            horizon,
            due: Due::default(),
        }
    }

    fn counts(&self, t: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        t.filter(|t| *t > self.now && *t <= self.horizon)
    }

    /// `agent` (the tokens if none) crosses a threshold at `t`; counted if
    /// `t` is still to come, before the horizon.
    pub fn on(&mut self, agent: Option<&str>, t: Option<DateTime<Utc>>) {
        let Some(t) = self.counts(t) else {
            return;
        };
        let touched = match agent {
            Some(a) => Touched::agent(a),
            None => Touched::tokens(),
        };
        self.due.at.entry(t).or_default().fold(touched);
    }

    /// The store's rows, `span` after each stored time; a full list sweeps
    /// the fleet from its last moment on.
    fn crossings(&mut self, rows: &[Crossing], span: Duration) {
        for (stored, agent) in rows {
            self.on(Some(agent), plus(*stored, span));
        }
        if rows.len() >= MAX_CROSSINGS {
            let last = rows.last().and_then(|(t, _)| plus(*t, span));
            if let Some(t) = self.counts(last) {
                self.due.sweep(t);
            }
        }
    }
}

fn plus(t: DateTime<Utc>, span: Duration) -> Option<DateTime<Utc>> {
    t.checked_add_signed(span)
}

/// The thresholds the facts read will cross.
pub fn from_facts(soonest: &mut Soonest, f: &SweepFacts, t: &RuleThresholds) {
    for u in &f.unowned {
        soonest.on(
            Some(&u.agent.id),
            plus(u.since, hours(t.unowned_grace_hours)),
        );
    }
    for d in &f.dormant {
        let agent = &d.credential.agent.id;
        soonest.on(Some(agent), plus(d.last_active, days(t.dormant_high_days)));
    }
    for g in &f.new_grants {
        soonest.on(
            Some(&g.agent.id),
            plus(g.granted_at, hours(t.new_grant_hours)),
        );
    }
}

/// `(now - span, horizon - span]`: the stored times that cross `span`
/// between now and the horizon.
fn window(
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
    span: Duration,
) -> (DateTime<Utc>, DateTime<Utc>) {
    (before(now, span), before(horizon, span))
}

/// What crosses a threshold in the store before `horizon`.
pub async fn from_store(
    soonest: &mut Soonest,
    store: &dyn Store,
    t: &RuleThresholds,
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
) -> StoreResult<()> {
    let windows = ThresholdWindows {
        now,
        horizon,
        dormant: window(now, horizon, days(t.dormant_days)),
        rotation: window(now, horizon, days(t.rotation_days)),
        unused: window(now, horizon, days(t.unused_grant_days)),
        limit: MAX_CROSSINGS,
    };
    let due = store.due_thresholds(&windows).await?;
    soonest.crossings(&due.dormant, days(t.dormant_days));
    soonest.crossings(&due.rotation, days(t.rotation_days));
    soonest.crossings(&due.unused, days(t.unused_grant_days));
    soonest.crossings(&due.expiry, Duration::zero());
    soonest.on(None, due.token_expiry);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_moment_still_to_come_and_before_the_horizon_counts() {
        let now = Utc::now();
        let mut s = Soonest::within(now, now + Duration::seconds(60));
        s.on(Some("agt_1"), Some(now - Duration::seconds(1)));
        s.on(Some("agt_1"), Some(now));
        s.on(Some("agt_1"), Some(now + Duration::seconds(61)));
        s.on(Some("agt_1"), None);
        assert!(s.due.is_empty());
        s.on(Some("agt_9"), Some(now + Duration::seconds(9)));
        s.on(Some("agt_3"), Some(now + Duration::seconds(3)));
        s.on(None, Some(now + Duration::seconds(3)));
        assert_eq!(s.due.soonest(), Some(now + Duration::seconds(3)));

        let (passed, sweep) = s.due.take_passed(now + Duration::seconds(3));
        let mut want = Touched::agent("agt_3");
        want.tokens = true;
        assert_eq!(passed, want);
        assert!(!sweep);
        assert_eq!(s.due.soonest(), Some(now + Duration::seconds(9)));
    }

    #[test]
    fn a_full_answer_sweeps_from_its_last_moment() {
        let now = Utc::now();
        let mut s = Soonest::within(now, now + Duration::seconds(60));
        let rows: Vec<Crossing> = (0..MAX_CROSSINGS as i64)
            .map(|i| (now + Duration::milliseconds(i + 1), format!("agt_{i}")))
            .collect();
        s.crossings(&rows, Duration::zero());
        let last = now + Duration::milliseconds(MAX_CROSSINGS as i64);
        let (_, sweep) = s.due.clone().take_passed(last - Duration::milliseconds(1));
        assert!(!sweep);
        let (passed, sweep) = s.due.take_passed(last);
        assert!(sweep);
        assert_eq!(passed.agents.len(), MAX_CROSSINGS);
    }

    #[test]
    fn a_server_without_the_lease_keeps_its_own_agents() {
        let now = Utc::now();
        let mut s = Soonest::within(now, now + Duration::seconds(60));
        s.on(Some("agt_mine"), Some(now + Duration::seconds(1)));
        s.on(Some("agt_other"), Some(now + Duration::seconds(2)));
        s.on(None, Some(now + Duration::seconds(3)));
        s.due.keep_only(&["agt_mine".to_string()].into(), false);
        assert_eq!(s.due.soonest(), Some(now + Duration::seconds(1)));
        let (passed, _) = s.due.take_passed(now + Duration::seconds(5));
        assert_eq!(passed, Touched::agent("agt_mine"));
    }

    #[test]
    fn a_window_holds_what_crosses_before_the_horizon() {
        let now = Utc::now();
        let (lo, hi) = window(now, now + Duration::seconds(60), Duration::days(30));
        assert_eq!(lo, now - Duration::days(30));
        assert_eq!(hi, now + Duration::seconds(60) - Duration::days(30));
    }
}
