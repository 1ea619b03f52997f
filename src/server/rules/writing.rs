//! Verdicts written: what a sweep or an evaluation decided, handed to the
//! store in bounded transactions, and the planner told when a sweep has
//! grown the alerts a lot.
//!
//! A first sweep of a large fleet opens hundreds of thousands of alerts
//! (about 240,000 at 100,000 agents). One transaction for all of them
//! would hold the database, and so ingest and every action, for seconds;
//! many small ones rewrite the same index pages again and again (each
//! new alert lands in three indexes of ever larger tables, and every
//! page a transaction touches is written once more at its commit). So a
//! sweep's transactions are paced by time: as many alerts as write in
//! about [`TARGET`], between [`APPLY_CHUNK`] and [`MAX_CHUNK`], in the
//! order of the live-cause index.

use super::scope::Touched;
use crate::server::AppState;
use crate::server::store::{AlertsApplied, Finding, Resolution, Store, StoreResult};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Fewest alerts a sweep's transaction opens or updates, and the most it
/// resolves (a resolution is written a row at a time).
const APPLY_CHUNK: usize = 2_000;

/// Most alerts one transaction of a sweep opens or updates.
const MAX_CHUNK: usize = 25_000;

/// About how long one transaction of a sweep holds the writers' lock:
/// an action's evaluation made meanwhile waits at most this long for it.
const TARGET: Duration = Duration::from_millis(250);

/// Fewest alerts a sweep opens before the planner is told of them.
const ANALYZE_FROM: usize = 1_000;

/// Opens, updates and resolves in bounded transactions (see the module's
/// text).
///
/// A whole-fleet sweep (`whole`) leaves alone the agents an action's
/// evaluation judged while it ran: that verdict read the facts after the
/// action, the sweep's may have read them before. One judged while a
/// transaction of the sweep was under way is judged again after it.
pub(super) async fn apply(
    state: &AppState,
    mut raise: Vec<Finding>,
    resolve: Vec<Resolution>,
    now: DateTime<Utc>,
    whole: bool,
) -> StoreResult<AlertsApplied> {
    let store = &state.store;
    let mut applied = AlertsApplied::default();
    if !whole {
        for (raise, resolve) in chunks(&raise, &resolve, APPLY_CHUNK) {
            applied += store.apply_alerts(raise, resolve, now).await?;
        }
        crate::server::guardrails::on_raised(state, &applied.raised).await;
        return Ok(applied);
    }
    // Neighbours in the live-cause index written together; a stable sort
    // keeps a cause found twice in the order it was found.
    raise.sort_by(|a, b| (&a.alert.rule, &a.alert.cause).cmp(&(&b.alert.rule, &b.alert.cause)));
    let mut pace = Pace::default();
    let mut statistics = Statistics::default();
    let mut rest = &raise[..];
    while !rest.is_empty() {
        let (chunk, after) = rest.split_at(pace.size.min(rest.len()));
        rest = after;
        let started = Instant::now();
        applied += apply_beside_evaluations(state, chunk, &[], now).await?;
        pace.wrote(chunk.len(), started.elapsed());
        statistics
            .after(store.as_ref(), applied.opened, false)
            .await;
    }
    for resolve in resolve.chunks(APPLY_CHUNK) {
        applied += apply_beside_evaluations(state, &[], resolve, now).await?;
    }
    statistics.after(store.as_ref(), applied.opened, true).await;
    crate::server::guardrails::on_raised(state, &applied.raised).await;
    Ok(applied)
}

/// `raise` then `resolve`, `size` at a time.
fn chunks<'a>(
    raise: &'a [Finding],
    resolve: &'a [Resolution],
    size: usize,
) -> impl Iterator<Item = (&'a [Finding], &'a [Resolution])> {
    raise
        .chunks(size)
        .map(|c| (c, &[][..]))
        .chain(resolve.chunks(size).map(|c| (&[][..], c)))
}

/// One transaction of a whole sweep, without what evaluations judged
/// since the sweep began; what they judge while it is written is judged
/// again after it.
async fn apply_beside_evaluations(
    state: &AppState,
    raise: &[Finding],
    resolve: &[Resolution],
    now: DateTime<Utc>,
) -> StoreResult<AlertsApplied> {
    let detector = &state.detector;
    let before = detector.judged_meanwhile();
    let raise: Vec<Finding> = raise
        .iter()
        .filter(|f| !before.contains(&f.alert.agent_id))
        .cloned()
        .collect();
    let resolve: Vec<Resolution> = resolve
        .iter()
        .filter(|r| !before.contains(&r.agent_id))
        .cloned()
        .collect();
    let applied = state.store.apply_alerts(&raise, &resolve, now).await?;
    let after = detector.judged_meanwhile();
    let raced: HashSet<&Option<String>> = raise
        .iter()
        .map(|f| &f.alert.agent_id)
        .chain(resolve.iter().map(|r| &r.agent_id))
        .filter(|a| after.contains(*a) && !before.contains(*a))
        .collect();
    if !raced.is_empty() {
        detector.judge(Some(Touched::again(raced)));
    }
    Ok(applied)
}

/// How many findings the next transaction of a sweep takes.
struct Pace {
    size: usize,
}

impl Default for Pace {
    fn default() -> Self {
        Pace { size: APPLY_CHUNK }
    }
}

impl Pace {
    /// `n` findings took `took` (waiting for the writers' lock included,
    /// so a busy database gets shorter transactions): the next takes as
    /// many as write in [`TARGET`] at that rate, at most twice as many.
    fn wrote(&mut self, n: usize, took: Duration) {
        if n < self.size {
            return;
        }
        let per_second = n as f64 / took.as_secs_f64().max(1e-3);
        let fits = (per_second * TARGET.as_secs_f64()) as usize;
        self.size = fits.clamp(APPLY_CHUNK, (self.size * 2).min(MAX_CHUNK));
    }
}

/// When a sweep that opens many alerts has the store refresh the planner's
/// statistics ([`Store::refresh_statistics`]): each time the alerts it
/// opened have grown fourfold since the last time, and once at its end,
/// so the plans of its own lookups, of ingest and of the evaluations do
/// not stay those made for a table a fraction of its size.
#[derive(Default)]
struct Statistics {
    /// Alerts opened when last refreshed.
    told: usize,
}

impl Statistics {
    async fn after(&mut self, store: &dyn Store, opened: usize, end: bool) {
        let due = if end {
            opened >= self.told + ANALYZE_FROM
        } else {
            opened >= ANALYZE_FROM.max(self.told * 4)
        };
        if !due {
            return;
        }
        let clock = Instant::now();
        match store.refresh_statistics().await {
            Ok(()) => {
                self.told = opened;
                let ms = clock.elapsed().as_millis() as u64;
                tracing::debug!(opened, ms, "planner statistics refreshed");
            }
            Err(e) => tracing::warn!(error = %e, "could not refresh the planner's statistics"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_paces_its_transactions_by_time() {
        let mut pace = Pace::default();
        // Fast: grows, at most doubling each time, up to the cap.
        pace.wrote(APPLY_CHUNK, Duration::from_millis(10));
        assert_eq!(pace.size, APPLY_CHUNK * 2);
        for _ in 0..10 {
            pace.wrote(pace.size, Duration::from_millis(10));
        }
        assert_eq!(pace.size, MAX_CHUNK);
        // Slow (a busy database): shrinks to what fits, not below the floor.
        pace.wrote(MAX_CHUNK, Duration::from_millis(500));
        assert_eq!(pace.size, MAX_CHUNK / 2);
        pace.wrote(pace.size, Duration::from_secs(60));
        assert_eq!(pace.size, APPLY_CHUNK);
        // A short last chunk says nothing of the rate.
        pace.wrote(10, Duration::from_secs(60));
        assert_eq!(pace.size, APPLY_CHUNK);
    }
}
