//! The detection rules of `rules.md`, and the engine that runs them.
//!
//! This file owns the catalog (id, name, the OWASP risks each maps to),
//! the two ways rules run, and the life of an alert:
//!
//! - **On ingest** ([`on_events`]): each batch of events is summarised in
//!   memory, the store adds it to the agent's activity and answers what it
//!   is judged against (usual rate, known destinations, the identities its
//!   chains name), and R08, R09, R11, R12, R13 (MCP calls), R14 (chains
//!   used) and R17 judge it. Per batch, through indexes; never per event.
//! - **In the sweep** ([`sweep`], every `sweep_interval_seconds`, and on
//!   demand with an injected "now" for tests): one set-based query per
//!   condition for R01–R07, R06, R13 (grants, MCP servers), R14
//!   (delegations) and R21 (tokens), and the self-resolution of what
//!   ingest raised.
//!
//! One cause keeps one alert: a rule that sees its cause again brings the
//! live alert up to date (and takes a revision only if something a reader
//! sees changed). When the cause is gone the alert resolves itself, and its
//! evidence says why. Alerts raised by behaviour resolve after a quiet
//! period without it. Opening, a change of severity and resolving are
//! audited as `rule:Rxx`.
//!
//! One file per family: [`ownership`] (R01, R02), [`credentials`] (R03,
//! R04, R05, R07), [`privilege`] (R06, R13, R14), [`activity`] (R08, R09,
//! R11, R12, R17), [`killswitch`] (R18), [`tokens`] (R21, a person token
//! that speaks for no person); thresholds in [`config`].

mod activity;
mod credentials;
mod deadlines;
mod exchange;
mod judge;
mod killswitch;
mod ownership;
mod privilege;
pub mod scheduler;
pub mod scope;
mod scoped;
mod shadows;
mod tokens;
mod writing;

/// The thresholds, read with the rest of the config file.
pub use crate::config::rules as config;
pub use activity::destination;
pub use exchange::exchange_refused;
pub use killswitch::{agent_resumed, killed_but_trying};
pub use scope::Touched;
pub use scoped::evaluate;
pub use shadows::relay_refused;
pub use tokens::{RULE as TOKEN_RULE, token_revoked};

use crate::model::{Agent, Credential, Severity};
use crate::server::AppState;
use crate::server::store::{AlertInput, AlertsApplied, EventRecord, Finding, StoreResult};
use chrono::{DateTime, Duration, Utc};
use judge::{Verdict, gone_or_killed};
use std::collections::BTreeMap;

/// A rule of `rules.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    /// OWASP Top 10 Non-Human Identities (NHI) and Agentic Applications (ASI).
    pub maps_to: &'static [&'static str],
}

/// Every rule Warden implements. R10, R15, R16, R19 and R20 are kept for
/// sources Warden does not read yet, so the token rule took R21.
pub const CATALOG: &[Rule] = &[
    rule("R01", "Unowned agent", &["NHI1", "ASI10"]),
    rule("R02", "Owner offboarded", &["NHI1"]),
    rule("R03", "Dormant with live credentials", &["NHI1", "NHI7"]),
    rule("R04", "Non-expiring credential", &["NHI7"]),
    rule("R05", "Rotation overdue", &["NHI7"]),
    rule("R06", "Excess privilege", &["NHI5", "ASI03"]),
    rule("R07", "Credential reuse", &["NHI9"]),
    rule("R08", "Environment crossing", &["NHI8"]),
    rule("R09", "Human use of an agent identity", &["NHI10"]),
    rule("R11", "Activity spike", &["ASI02", "ASI08"]),
    rule("R12", "New destination", &["ASI02", "NHI3"]),
    rule("R13", "New integration", &["ASI04", "NHI3"]),
    rule("R14", "Delegation escalation", &["ASI03"]),
    rule("R17", "Shadow agent", &["ASI10", "NHI3"]),
    rule("R18", "Suspended or killed but still trying", &["ASI10"]),
    rule("R21", "Token with no person", &["NHI1"]),
];

const fn rule(id: &'static str, name: &'static str, maps_to: &'static [&'static str]) -> Rule {
    Rule { id, name, maps_to }
}

/// The catalog entry of `id`.
pub fn lookup(id: &str) -> Option<&'static Rule> {
    CATALOG.iter().find(|r| r.id == id)
}

/// A cause a rule sees on `agent`: the summary is prefixed with the rule's
/// name, and the mapping comes from the catalog.
fn finding(
    rule: &'static str,
    agent: &str,
    cause: String,
    severity: Severity,
    summary: String,
    evidence: String,
    seen_at: DateTime<Utc>,
) -> Finding {
    let (name, mapping) = match lookup(rule) {
        Some(r) => (r.name, r.maps_to.iter().map(|m| m.to_string()).collect()),
        None => (rule, Vec::new()),
    };
    Finding {
        alert: AlertInput {
            agent_id: Some(agent.to_string()),
            rule: rule.to_string(),
            cause,
            severity,
            summary: format!("{name}: {summary}"),
            evidence,
        },
        mapping,
        seen_at,
    }
}

/// A time in an evidence line.
fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A date in an evidence line: stable from one sweep to the next, so an
/// unchanged cause does not rewrite its alert.
fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Text an agent reported, as an evidence line shows it: as is, or quoted
/// with escapes if it holds a control or invisible character.
fn shown(text: &str) -> String {
    if text.chars().any(crate::fleet::safe_text::is_unsafe) {
        format!("{text:?}")
    } else {
        text.to_string()
    }
}

/// At most `max` items, then how many more.
fn list(items: impl IntoIterator<Item = String>, max: usize) -> String {
    list_sep(items, max, ", ")
}

fn list_sep(items: impl IntoIterator<Item = String>, max: usize, sep: &str) -> String {
    let items: Vec<String> = items.into_iter().collect();
    let shown = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(sep);
    match items.len().saturating_sub(max) {
        0 => shown,
        more => format!("{shown} (+{more} more)"),
    }
}

/// `n` and the noun that goes with it.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `now` minus a span, clamped instead of overflowing.
fn before(now: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    now.checked_sub_signed(span)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn days(n: u64) -> Duration {
    Duration::try_days(i64::try_from(n).unwrap_or(i64::MAX)).unwrap_or(Duration::MAX)
}

fn hours(n: u64) -> Duration {
    Duration::try_hours(i64::try_from(n).unwrap_or(i64::MAX)).unwrap_or(Duration::MAX)
}

fn minutes(n: u64) -> Duration {
    Duration::try_minutes(i64::try_from(n).unwrap_or(i64::MAX)).unwrap_or(Duration::MAX)
}

/// Runs the ingest rules on a batch the store has just accepted. A failure
/// is logged, never answered: the events are stored, and a client that
/// retried would store them twice.
pub async fn on_events(
    state: &AppState,
    agent: &Agent,
    credential: &Credential,
    events: &[EventRecord],
) {
    if events.is_empty() {
        return;
    }
    let t = &state.config.rules;
    let now = Utc::now();
    let batch = activity::Batch::summarise(events, t, now);
    let facts = match state
        .store
        .observe_batch(&agent.id, &batch.observation)
        .await
    {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, agent = %agent.id, "could not record activity for the rules");
            return;
        }
    };
    let sightings = shadows::sightings(&batch, &facts);
    let entries = if sightings.is_empty() {
        Vec::new()
    } else {
        match state.store.record_shadows(agent, sightings.clone()).await {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, agent = %agent.id, "could not keep the shadow entries");
                Vec::new()
            }
        }
    };
    let raise: Vec<Finding> = [
        activity::environment_crossing(agent, &batch, t),
        activity::human_use(agent, credential, &batch),
        activity::spike(agent, &batch, &facts, t),
        activity::new_destination(agent, &batch, &facts, t),
        privilege::mcp_calls(agent, &batch, t),
        privilege::delegation_use(agent, &batch, &facts, t),
    ]
    .into_iter()
    .flatten()
    .chain(shadows::findings(agent, &sightings, &entries))
    .collect();
    match state.store.apply_alerts(&raise, &[], now).await {
        Ok(applied) => crate::server::guardrails::on_raised(state, &applied.raised).await,
        Err(e) => {
            tracing::warn!(error = %e, agent = %agent.id, "could not raise the ingest alerts")
        }
    }
}

/// One sweep as if the clock read `now`: judges the whole fleet with
/// set-based queries, opens and updates what it sees, resolves what it no
/// longer sees (and what behaviour raised, once quiet), and drops old
/// activity. Sweeps of one server never overlap.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> StoreResult<AlertsApplied> {
    sweep_planned(state, now, now, true)
        .await
        .map(|(applied, _)| applied)
}

/// A sweep that also answers what crosses a time threshold up to
/// `horizon`, and when (the scheduler has those judged then). Without
/// `housekeeping` it only judges: old activity and snoozes left over wait
/// for a periodic sweep.
pub async fn sweep_planned(
    state: &AppState,
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
    housekeeping: bool,
) -> StoreResult<(AlertsApplied, deadlines::Due)> {
    let _one_at_a_time = state.sweep_lock.lock().await;
    let t = &state.config.rules;
    let store = &state.store;
    state.detector.sweep_started();
    let clock = std::time::Instant::now();
    let facts = store.sweep_facts(&judge::query(t, now)).await?;
    let facts_ms = clock.elapsed().as_millis() as u64;
    let mut live = BTreeMap::new();
    for rule in CATALOG {
        live.insert(rule.id.to_string(), store.live_alerts(rule.id).await?);
    }
    let live_ms = clock.elapsed().as_millis() as u64;
    let mut soonest = deadlines::Soonest::within(now, horizon);
    let (raise, resolve) = judge::judge(state, &facts, &live, now, &mut soonest).await?;
    let judge_ms = clock.elapsed().as_millis() as u64;
    let applied = writing::apply(state, raise, resolve, now, true).await?;
    state.detector.sweep_ended();
    tracing::debug!(
        facts_ms,
        live_ms,
        judge_ms,
        apply_ms = clock.elapsed().as_millis() as u64,
        opened = applied.opened,
        "rules sweep phases (cumulative)"
    );

    if housekeeping {
        // Snoozes over by now: their timers died with an earlier process.
        store.end_snoozes(now).await?;
        // An injected future "now" must not throw away today's activity.
        let keep_from = before(now.min(Utc::now()), minutes(u64::from(t.keep_minutes())));
        store.prune_activity(keep_from).await?;
    }
    if horizon > now {
        deadlines::from_store(&mut soonest, store.as_ref(), t, now, horizon).await?;
    }
    state.detector.count_sweep();
    Ok((applied, soonest.due))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_is_the_table_of_rules_md() {
        let ids: Vec<&str> = CATALOG.iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            [
                "R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09", "R11", "R12", "R13",
                "R14", "R17", "R18", "R21"
            ]
        );
        assert_eq!(
            lookup("R01").map(|r| r.maps_to),
            Some(&["NHI1", "ASI10"][..])
        );
        assert!(lookup("R10").is_none(), "R10 is reserved");
    }

    #[test]
    fn a_list_says_how_many_it_left_out() {
        let items = (1..=7).map(|i| format!("c{i}"));
        assert_eq!(list(items, 3), "c1, c2, c3 (+4 more)");
        assert_eq!(list(["a".to_string()], 3), "a");
    }

    #[test]
    fn reported_text_with_control_characters_is_escaped() {
        assert_eq!(shown("paste.example"), "paste.example");
        assert_eq!(shown("evil\u{1b}[2J.example"), "\"evil\\u{1b}[2J.example\"");
    }

    #[test]
    fn clock_arithmetic_clamps() {
        let now = Utc::now();
        assert_eq!(before(now, days(u64::MAX)), DateTime::<Utc>::MIN_UTC);
        assert_eq!(before(now, minutes(10)), now - Duration::minutes(10));
    }
}
