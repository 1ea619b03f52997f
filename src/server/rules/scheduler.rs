//! When the rules run besides ingest: at once after an API action, at the
//! moment a time threshold passes, and in a periodic sweep kept as a
//! safety net.
//!
//! - **After an action**: every successful write through the API (except
//!   the agents' own events, judged on ingest) nudges the [`Detector`]; the
//!   scheduler sweeps at once, and nudges that arrive during a sweep are
//!   folded into one more.
//! - **At a threshold**: each sweep answers the next moment a time rule
//!   changes its mind (dormancy, expiry, rotation age, grace periods,
//!   behaviour going quiet), and the scheduler sleeps until then, not until
//!   the next period.
//! - **One sweeper**: servers sharing one database take turns through a
//!   lease in the store; only its holder runs the periodic sweep and the
//!   thresholds it found. A server that dies stops renewing it, and another
//!   takes over within `sweep_lease_seconds`. A server still sweeps after
//!   the actions made through it, and once at the thresholds those sweeps
//!   found, whoever holds the lease.
//!
//! `sweep_interval_seconds = 0` turns all three off (the rules on ingest
//! still run): the rules suites sweep by hand at the "now" they choose.

use super::sweep_planned;
use crate::server::AppState;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::sync::Notify;
use tokio::time::Instant;

/// The lease's name in the store.
const LEASE: &str = "rules";

/// A threshold is acted on this long after it passes, so the clock the
/// sweep reads is surely past it.
const AFTER_THRESHOLD: std::time::Duration = std::time::Duration::from_millis(20);

/// How the API tells the scheduler something changed, and what it counts.
pub struct Detector {
    wake: Notify,
    /// This server's name in the lease.
    pub holder: String,
    sweeps: AtomicU64,
    leader: AtomicBool,
}

impl Default for Detector {
    fn default() -> Self {
        Detector {
            wake: Notify::new(),
            holder: crate::secrets::new_id("srv"),
            sweeps: AtomicU64::new(0),
            leader: AtomicBool::new(false),
        }
    }
}

impl Detector {
    /// Asks for a sweep as soon as the one running (if any) ends.
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    pub(super) fn count_sweep(&self) {
        self.sweeps.fetch_add(1, Ordering::Relaxed);
    }

    /// Sweeps this server has finished since it started.
    pub fn sweeps(&self) -> u64 {
        self.sweeps.load(Ordering::Relaxed)
    }

    /// Whether this server holds the lease on the scheduled rules.
    pub fn leader(&self) -> bool {
        self.leader.load(Ordering::Relaxed)
    }
}

/// The scheduler's lines of `GET /metrics`.
pub fn render_metrics(detector: &Detector, out: &mut String) {
    use std::fmt::Write;
    let _ = write!(
        out,
        "# HELP warden_rule_sweeps_total Rule sweeps this server ran (at start, after actions, at thresholds, periodic).\n\
         # TYPE warden_rule_sweeps_total counter\n\
         warden_rule_sweeps_total {}\n\
         # HELP warden_rule_sweeper Whether this server holds the lease on the scheduled rules (1) or not (0).\n\
         # TYPE warden_rule_sweeper gauge\n\
         warden_rule_sweeper {}\n",
        detector.sweeps(),
        u8::from(detector.leader())
    );
}

/// Routes whose writes the rules on ingest judge already (a token
/// exchange raises its own R14; it changes nothing a sweep reads).
fn judged_on_ingest(path: &str) -> bool {
    matches!(
        path,
        "/v1/agent/events" | "/v1/agent/heartbeat" | "/v1/introspect" | "/v1/oauth/token"
    )
}

/// Middleware: nudges the scheduler after each successful API write.
pub async fn after_action(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let write = req.method() != Method::GET && req.method() != Method::HEAD;
    let watched = write && !judged_on_ingest(req.uri().path());
    let response = next.run(req).await;
    if watched && response.status().is_success() {
        state.detector.nudge();
    }
    response
}

/// `t` on the monotonic clock, a little after it.
fn instant_of(t: DateTime<Utc>) -> Instant {
    let wait = (t - Utc::now()).to_std().unwrap_or_default();
    Instant::now() + wait + AFTER_THRESHOLD
}

/// Runs the scheduler until `stop` fires. None if the sweep is off.
pub fn spawn(
    state: AppState,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> Option<tokio::task::JoinHandle<()>> {
    let seconds = state.config.rules.sweep_interval_seconds;
    if seconds == 0 {
        return None;
    }
    Some(tokio::spawn(run(state, seconds, stop)))
}

async fn run(state: AppState, interval: u64, mut stop: tokio::sync::oneshot::Receiver<()>) {
    let period = std::time::Duration::from_secs(interval);
    let lease = std::time::Duration::from_secs(state.config.rules.sweep_lease_seconds);
    let renew = lease / 3;
    let detector = state.detector.clone();
    let mut leader = false;
    let mut lease_due = Instant::now();
    // The leader's next periodic sweep: at once when it takes the lease.
    let mut periodic = Instant::now();
    let mut threshold: Option<Instant> = None;
    loop {
        let mut wake = lease_due.min(threshold.unwrap_or(lease_due));
        if leader {
            wake = wake.min(periodic);
        }
        let nudged = tokio::select! {
            _ = &mut stop => break,
            _ = detector.wake.notified() => true,
            _ = tokio::time::sleep_until(wake) => false,
        };
        let now = Instant::now();
        if now >= lease_due {
            let was = leader;
            leader = take_lease(&state, lease).await;
            detector.leader.store(leader, Ordering::Relaxed);
            lease_due = now + renew;
            if leader && !was {
                tracing::info!(holder = %detector.holder, "this server runs the scheduled rules");
                periodic = now;
            }
        }
        let at_threshold = threshold.is_some_and(|t| now >= t);
        let at_period = leader && now >= periodic;
        if !(nudged || at_threshold || at_period) {
            continue;
        }
        let next = sweep_once(&state, period, !nudged).await;
        if leader {
            periodic = Instant::now() + period;
            threshold = next.map(instant_of);
        } else if nudged {
            // The thresholds an action brought closer, once; the leader's
            // sweeps find the rest.
            threshold = next.map(instant_of);
        } else {
            threshold = None;
        }
    }
    if leader {
        if let Err(e) = state.store.release_lease(LEASE, &detector.holder).await {
            tracing::warn!(error = %e, "could not release the rules lease");
        }
    }
}

async fn take_lease(state: &AppState, lease: std::time::Duration) -> bool {
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    match state
        .store
        .take_lease(LEASE, &state.detector.holder, now, until)
        .await
    {
        Ok(held) => held,
        Err(e) => {
            tracing::warn!(error = %e, "could not take the rules lease");
            false
        }
    }
}

/// One sweep now; the next threshold before the next periodic sweep.
async fn sweep_once(
    state: &AppState,
    period: std::time::Duration,
    housekeeping: bool,
) -> Option<DateTime<Utc>> {
    let started = std::time::Instant::now();
    let now = Utc::now();
    let horizon = now + chrono::Duration::from_std(period).unwrap_or(chrono::Duration::MAX);
    match sweep_planned(state, now, horizon, housekeeping).await {
        Ok((a, next)) => {
            tracing::debug!(
                opened = a.opened, updated = a.updated, resolved = a.resolved,
                ms = started.elapsed().as_millis() as u64, next = ?next, "rules sweep"
            );
            next
        }
        Err(e) => {
            tracing::warn!(error = %e, "rules sweep failed");
            None
        }
    }
}
