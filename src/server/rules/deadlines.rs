//! When the next time threshold passes: the moment the scheduler wakes the
//! rules for, instead of finding it at a later sweep. From the facts a
//! sweep has read (R01's grace, R03's step to high, R13's new grants
//! ageing out, behaviour alerts going quiet) and from the store, in
//! bounded windows up to the next safety-net sweep (R03 dormancy, R05
//! rotation, R06 unused grants, and credential expiry, which ends R02, R03
//! and R05 alerts).

use super::{before, days, hours};
use crate::config::RuleThresholds;
use crate::server::store::scheduling::ThresholdWindows;
use crate::server::store::{Store, StoreResult, SweepFacts};
use chrono::{DateTime, Duration, Utc};

/// The earliest moment after `now` seen so far.
#[derive(Debug, Clone, Copy)]
pub struct Soonest {
    now: DateTime<Utc>,
    pub at: Option<DateTime<Utc>>,
}

impl Soonest {
    pub fn after(now: DateTime<Utc>) -> Soonest {
        Soonest { now, at: None }
    }

    /// Counts `t` if it is still to come.
    pub fn at(&mut self, t: Option<DateTime<Utc>>) {
        if let Some(t) = t.filter(|t| *t > self.now) {
            self.at = Some(self.at.map_or(t, |a| a.min(t)));
        }
    }
}

fn plus(t: DateTime<Utc>, span: Duration) -> Option<DateTime<Utc>> {
    t.checked_add_signed(span)
}

/// The thresholds the sweep's own facts will cross.
pub fn from_facts(soonest: &mut Soonest, f: &SweepFacts, t: &RuleThresholds) {
    for u in &f.unowned {
        soonest.at(plus(u.since, hours(t.unowned_grace_hours)));
    }
    for d in &f.dormant {
        soonest.at(plus(d.last_active, days(t.dormant_high_days)));
    }
    for g in &f.new_grants {
        soonest.at(plus(g.granted_at, hours(t.new_grant_hours)));
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

/// The thresholds in the store that pass before `horizon`.
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
    };
    let next = store.next_thresholds(&windows).await?;
    soonest.at(next.dormant.and_then(|d| plus(d, days(t.dormant_days))));
    soonest.at(next.rotation.and_then(|r| plus(r, days(t.rotation_days))));
    soonest.at(next.unused.and_then(|u| plus(u, days(t.unused_grant_days))));
    soonest.at(next.expiry);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_moment_still_to_come_counts() {
        let now = Utc::now();
        let mut s = Soonest::after(now);
        s.at(Some(now - Duration::seconds(1)));
        s.at(Some(now));
        assert_eq!(s.at, None);
        s.at(Some(now + Duration::seconds(9)));
        s.at(Some(now + Duration::seconds(3)));
        s.at(None);
        assert_eq!(s.at, Some(now + Duration::seconds(3)));
    }

    #[test]
    fn a_window_holds_what_crosses_before_the_horizon() {
        let now = Utc::now();
        let (lo, hi) = window(now, now + Duration::seconds(60), Duration::days(30));
        assert_eq!(lo, now - Duration::days(30));
        assert_eq!(hi, now + Duration::seconds(60) - Duration::days(30));
    }
}
