//! When the rules run besides ingest: at once after an API action, at the
//! moment a time threshold passes, and in a periodic sweep kept as a
//! safety net.
//!
//! - **After an action**: every successful write through the API (except
//!   the agents' own events, judged on ingest) tells the [`Detector`] what
//!   it touched ([`Touched`], answered by its handler). An evaluator task
//!   judges those agents alone ([`super::scoped`]), folding the actions
//!   that arrive meanwhile into its next evaluation; it never waits for a
//!   whole-fleet sweep. A write whose handler cannot say what it touched
//!   asks for a sweep of the whole fleet, at once, and nudges that arrive
//!   during a sweep are folded into one more.
//! - **At a threshold**: each sweep (and each evaluation) answers what
//!   crosses a time threshold before the next safety-net sweep, and when
//!   (dormancy, expiry, rotation age, grace periods, behaviour going
//!   quiet: [`super::deadlines`]). The scheduler sleeps until the first
//!   such moment and hands what crosses then to the evaluator, like an
//!   action's agents: a threshold costs its own agents, not a whole-fleet
//!   sweep. Only when the store's answer was cut short (thousands crossing
//!   at once) does a whole sweep stand for the rest.
//! - **Safety net**: the periodic sweep judges the whole fleet every
//!   `sweep_interval_seconds` and plans the thresholds anew.
//! - **One sweeper**: servers sharing one database take turns through a
//!   lease in the store; only its holder runs the periodic sweep and
//!   schedules the whole fleet's thresholds. A server that dies stops
//!   renewing it, and another takes over (and sweeps at once) within
//!   `sweep_lease_seconds`. A server still judges the actions made through
//!   it, and schedules the thresholds of the agents those evaluations
//!   judged, whoever holds the lease: the holder may not have seen them
//!   before its next sweep. A threshold the holder also found is then
//!   judged twice, which is harmless: one cause keeps one live alert (a
//!   unique index), so the second evaluation finds it up to date and
//!   writes nothing (or, at the very same instant, is refused by the
//!   database and its server sweeps instead).
//!
//! `sweep_interval_seconds = 0` turns all three off (the rules on ingest
//! still run): the rules suites sweep by hand at the "now" they choose.

use super::deadlines::Due;
use super::scope::Touched;
use super::sweep_planned;
use crate::server::AppState;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::sync::Notify;
use tokio::time::Instant;

/// The lease's name in the store.
const LEASE: &str = "rules";

/// A threshold is acted on this long after it passes, so the clock the
/// sweep reads is surely past it.
const AFTER_THRESHOLD: std::time::Duration = std::time::Duration::from_millis(20);

/// Most agents and people one evaluation judges; past it, a whole sweep
/// costs less than the lookups.
const MAX_SCOPE: usize = 10_000;

/// How many periods ahead the thresholds are planned: beyond one, so what
/// crosses while the next periodic sweep runs is planned too.
const LOOK_AHEAD_PERIODS: u32 = 2;

/// What the actions asked for since the scheduler last looked.
#[derive(Default)]
struct Requests {
    /// A sweep of the whole fleet.
    whole: bool,
    /// Agents and people to judge, folded.
    scope: Touched,
    /// What crosses a threshold, as evaluations found it.
    due: Due,
}

/// How the API tells the scheduler something changed, and what it counts.
pub struct Detector {
    /// Wakes the scheduler: a whole sweep or a threshold is asked for.
    wake: Notify,
    /// Wakes the evaluator: agents to judge.
    judge: Notify,
    requests: Mutex<Requests>,
    /// While a whole sweep runs: what evaluations judged meanwhile (`None`
    /// standing for the tokens, whose alerts are on no agent).
    meanwhile: Mutex<Option<HashSet<Option<String>>>>,
    /// This server's name in the lease.
    pub holder: String,
    sweeps: AtomicU64,
    evaluations: AtomicU64,
    leader: AtomicBool,
}

impl Default for Detector {
    fn default() -> Self {
        Detector {
            wake: Notify::new(),
            judge: Notify::new(),
            requests: Mutex::default(),
            meanwhile: Mutex::default(),
            holder: crate::secrets::new_id("srv"),
            sweeps: AtomicU64::new(0),
            evaluations: AtomicU64::new(0),
            leader: AtomicBool::new(false),
        }
    }
}

impl Detector {
    fn requests(&self) -> std::sync::MutexGuard<'_, Requests> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn meanwhile(&self) -> std::sync::MutexGuard<'_, Option<HashSet<Option<String>>>> {
        self.meanwhile.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks for a sweep of the whole fleet as soon as the one running (if
    /// any) ends.
    pub fn nudge(&self) {
        self.requests().whole = true;
        self.wake.notify_one();
    }

    /// Asks for the rules on what an action touched: judged alone, or with
    /// the whole fleet if unknown (`None`) or too large.
    pub fn judge(&self, touched: Option<Touched>) {
        let Some(touched) = touched else {
            return self.nudge();
        };
        if touched.is_empty() {
            return;
        }
        let mut r = self.requests();
        r.scope.fold(touched);
        if r.scope.len() > MAX_SCOPE {
            r.scope = Touched::default();
            drop(r);
            return self.nudge();
        }
        drop(r);
        self.judge.notify_one();
    }

    fn take_scope(&self) -> Touched {
        std::mem::take(&mut self.requests().scope)
    }

    /// What an evaluation found crossing a threshold: the scheduler has it
    /// judged then.
    fn schedule(&self, due: Due) {
        if due.is_empty() {
            return;
        }
        self.requests().due.merge(due);
        self.wake.notify_one();
    }

    /// Whether a whole sweep was asked for, and what evaluations found
    /// crossing a threshold, each once.
    fn take_requests(&self) -> (bool, Due) {
        let mut r = self.requests();
        (std::mem::take(&mut r.whole), std::mem::take(&mut r.due))
    }

    pub(super) fn sweep_started(&self) {
        *self.meanwhile() = Some(HashSet::new());
    }

    pub(super) fn sweep_ended(&self) {
        *self.meanwhile() = None;
    }

    /// An evaluation is about to judge these agents (and the tokens).
    pub(super) fn note_judged(&self, agents: &[String], tokens: bool) {
        if let Some(set) = self.meanwhile().as_mut() {
            set.extend(agents.iter().cloned().map(Some));
            if tokens {
                set.insert(None);
            }
        }
    }

    /// What evaluations have judged since the whole sweep under way began.
    pub(super) fn judged_meanwhile(&self) -> HashSet<Option<String>> {
        self.meanwhile().clone().unwrap_or_default()
    }

    pub(super) fn count_sweep(&self) {
        self.sweeps.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn count_evaluation(&self) {
        self.evaluations.fetch_add(1, Ordering::Relaxed);
    }

    /// Sweeps of the whole fleet this server has finished since it started.
    pub fn sweeps(&self) -> u64 {
        self.sweeps.load(Ordering::Relaxed)
    }

    /// Evaluations of an action's agents this server has finished.
    pub fn evaluations(&self) -> u64 {
        self.evaluations.load(Ordering::Relaxed)
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
        "# HELP warden_rule_sweeps_total Whole-fleet rule sweeps this server ran (at start, periodic, and when an action or the thresholds ask for one).\n\
         # TYPE warden_rule_sweeps_total counter\n\
         warden_rule_sweeps_total {}\n\
         # HELP warden_rule_evaluations_total Evaluations of the agents an API action touched or a time threshold reached (the rules on those agents alone).\n\
         # TYPE warden_rule_evaluations_total counter\n\
         warden_rule_evaluations_total {}\n\
         # HELP warden_rule_sweeper Whether this server holds the lease on the scheduled rules (1) or not (0).\n\
         # TYPE warden_rule_sweeper gauge\n\
         warden_rule_sweeper {}\n",
        detector.sweeps(),
        detector.evaluations(),
        u8::from(detector.leader())
    );
}

/// Routes whose writes the rules on ingest judge already, or that change
/// nothing a rule reads: a token exchange raises its own R14, and an
/// exchanged token's revocation or a signing-key rotation touch no agent,
/// credential, grant or person (each would otherwise cost a whole-fleet
/// sweep).
fn judged_on_ingest(path: &str) -> bool {
    matches!(
        path,
        "/v1/agent/events"
            | "/v1/agent/heartbeat"
            | "/v1/introspect"
            | "/v1/oauth/token"
            | "/v1/oauth/revoke"
            | "/v1/oauth/keys/rotate"
    )
}

/// Middleware: after each successful API write, asks for the rules on
/// what its handler says it touched (the whole fleet if it says nothing).
pub async fn after_action(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let write = req.method() != Method::GET && req.method() != Method::HEAD;
    let watched = write && !judged_on_ingest(req.uri().path());
    // Where an action's detection time goes before the evaluator, and
    // which other requests held it up; the path is copied only when that
    // is logged, not for every poll and ingest batch.
    let timed = tracing::enabled!(tracing::Level::DEBUG)
        .then(|| (std::time::Instant::now(), req.uri().path().to_owned()));
    let mut response = next.run(req).await;
    if let Some((started, path)) = timed {
        let ms = started.elapsed().as_millis() as u64;
        if watched || ms >= 250 {
            tracing::debug!(%path, status = response.status().as_u16(), ms, watched, "request answered");
        }
    }
    let touched = response.extensions_mut().remove::<Touched>();
    if watched && response.status().is_success() && state.config.rules.sweep_interval_seconds > 0 {
        state.detector.judge(touched);
    }
    response
}

/// `t` on the monotonic clock, a little after it.
fn instant_of(t: DateTime<Utc>) -> Instant {
    let wait = (t - Utc::now()).to_std().unwrap_or_default();
    Instant::now() + wait + AFTER_THRESHOLD
}

/// Until when a sweep or an evaluation at `now` plans the thresholds.
fn horizon(now: DateTime<Utc>, period: std::time::Duration) -> DateTime<Utc> {
    let ahead = period.saturating_mul(LOOK_AHEAD_PERIODS);
    now + chrono::Duration::from_std(ahead).unwrap_or(chrono::Duration::MAX)
}

/// Runs the scheduler and the evaluator until `stop` fires. None if the
/// sweep is off.
pub fn spawn(
    state: AppState,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> Option<tokio::task::JoinHandle<()>> {
    let seconds = state.config.rules.sweep_interval_seconds;
    if seconds == 0 {
        return None;
    }
    Some(tokio::spawn(async move {
        let (quit, quitting) = tokio::sync::watch::channel(false);
        let period = std::time::Duration::from_secs(seconds);
        let evaluator = tokio::spawn(evaluate(state.clone(), period, quitting));
        run(state, period, stop).await;
        let _ = quit.send(true);
        let _ = evaluator.await;
    }))
}

async fn run(
    state: AppState,
    period: std::time::Duration,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let lease = std::time::Duration::from_secs(state.config.rules.sweep_lease_seconds);
    let renew = lease / 3;
    let detector = state.detector.clone();
    let mut leader = false;
    let mut lease_due = Instant::now();
    // The leader's next periodic sweep: at once when it takes the lease.
    let mut periodic = Instant::now();
    let mut due = Due::default();
    loop {
        let mut wake = lease_due;
        if let Some(t) = due.soonest() {
            wake = wake.min(instant_of(t));
        }
        if leader {
            wake = wake.min(periodic);
        }
        tokio::select! {
            _ = &mut stop => break,
            _ = detector.wake.notified() => {}
            _ = tokio::time::sleep_until(wake) => {}
        };
        let (nudged, found) = detector.take_requests();
        due.merge(found);
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
        let (crossing, sweep_due) = due.take_passed(Utc::now());
        let at_period = leader && now >= periodic;
        if nudged || at_period || sweep_due {
            // The sweep judges what crosses now as well.
            let next = sweep_once(&state, period, !nudged).await;
            if leader {
                periodic = Instant::now() + period;
            }
            match next {
                // A whole sweep plans the whole fleet: what the holder
                // planned before is in it.
                Some(next) if leader => due = next,
                Some(next) => due.merge(next),
                // What crosses now is still judged, on its own.
                None => detector.judge(Some(crossing)),
            }
            continue;
        }
        if !crossing.is_empty() {
            detector.judge(Some(crossing));
        }
    }
    if leader {
        if let Err(e) = state.store.release_lease(LEASE, &detector.holder).await {
            tracing::warn!(error = %e, "could not release the rules lease");
        }
    }
}

/// The evaluator: judges what the actions touched, folding those that
/// arrive during an evaluation into the next, beside (never behind) the
/// sweeps. A failed evaluation asks for a whole sweep instead.
async fn evaluate(
    state: AppState,
    period: std::time::Duration,
    mut quit: tokio::sync::watch::Receiver<bool>,
) {
    let detector = state.detector.clone();
    loop {
        tokio::select! {
            _ = quit.changed() => break,
            _ = detector.judge.notified() => {}
        };
        let touched = detector.take_scope();
        if touched.is_empty() {
            continue;
        }
        let started = std::time::Instant::now();
        let now = Utc::now();
        match super::scoped::evaluate(&state, &touched, now, horizon(now, period)).await {
            Ok((a, due)) => {
                tracing::debug!(
                    agents = touched.agents.len(), people = touched.people.len(),
                    opened = a.opened, updated = a.updated, resolved = a.resolved,
                    ms = started.elapsed().as_millis() as u64, next = ?due.soonest(),
                    "rules evaluation"
                );
                detector.schedule(due);
            }
            Err(e) => {
                tracing::warn!(error = %e, "rules evaluation failed; sweeping the fleet instead");
                detector.nudge();
            }
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

/// One sweep now; what crosses a threshold before the horizon (none if
/// the sweep failed: what was planned stays).
async fn sweep_once(
    state: &AppState,
    period: std::time::Duration,
    housekeeping: bool,
) -> Option<Due> {
    let started = std::time::Instant::now();
    let now = Utc::now();
    match sweep_planned(state, now, horizon(now, period), housekeeping).await {
        Ok((a, due)) => {
            tracing::debug!(
                opened = a.opened, updated = a.updated, resolved = a.resolved,
                ms = started.elapsed().as_millis() as u64, next = ?due.soonest(), "rules sweep"
            );
            Some(due)
        }
        Err(e) => {
            tracing::warn!(error = %e, "rules sweep failed");
            None
        }
    }
}
