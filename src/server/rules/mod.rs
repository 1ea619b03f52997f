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
mod killswitch;
mod ownership;
mod privilege;
pub mod scheduler;
mod shadows;
mod tokens;

/// The thresholds, read with the rest of the config file.
pub use crate::config::rules as config;
pub use activity::destination;
pub use exchange::exchange_refused;
pub use killswitch::{agent_resumed, killed_but_trying};
pub use shadows::relay_refused;
pub use tokens::token_revoked;

use crate::model::{Agent, AgentStatus, Credential, Severity};
use crate::server::AppState;
use crate::server::store::{
    AgentState, AlertInput, AlertsApplied, EventRecord, Finding, LiveAlert, Resolution,
    StoreResult, SweepQuery,
};
use chrono::{DateTime, Duration, Utc};
use config::RuleThresholds;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// Why a live alert a sweep check no longer sees is resolved, given the
/// agent as it is now (none if it is gone).
type Explain = fn(&LiveAlert, Option<&AgentState>, &RuleThresholds) -> String;

/// What one sweep check concluded.
struct Verdict {
    rule: &'static str,
    /// The causes this check owns start with this; a live alert under it
    /// that the check no longer sees is resolved.
    prefix: &'static str,
    findings: Vec<Finding>,
    explain: Explain,
}

/// An alert raised by behaviour: resolved after `window` without it.
struct Quiet {
    rule: &'static str,
    prefix: &'static str,
    window: u64,
    /// What stopped, as in "no {what} for 60 min".
    what: &'static str,
}

/// How a stale alert is explained.
enum Why {
    Check(Explain),
    Quiet(&'static str, u64),
    Said(String),
}

/// The explanation every sweep check shares for an agent that is gone or
/// killed; `None` if neither.
fn gone_or_killed(state: Option<&AgentState>) -> Option<String> {
    match state {
        None => Some("the agent is no longer in the inventory".into()),
        Some(s) if s.agent.status == AgentStatus::Killed => Some(format!(
            "agent {} was killed; its credentials are revoked",
            s.agent.name
        )),
        Some(_) => None,
    }
}

fn same(alert: &LiveAlert, f: &Finding) -> bool {
    alert.severity == f.alert.severity
        && alert.summary == f.alert.summary
        && alert.evidence == f.alert.evidence
        && alert.mapping == f.mapping
}

fn query(t: &RuleThresholds, now: DateTime<Utc>) -> SweepQuery {
    SweepQuery {
        now,
        dormant_before: before(now, days(t.dormant_days)),
        rotation_before: before(now, days(t.rotation_days)),
        unused_before: before(now, days(t.unused_grant_days)),
        new_grant_after: before(now, hours(t.new_grant_hours)),
        max_chain_depth: t.max_chain_depth,
    }
}

/// Most alerts a sweep opens, updates or resolves in one transaction.
const APPLY_CHUNK: usize = 500;

/// One sweep as if the clock read `now`: judges the whole fleet with
/// set-based queries, opens and updates what it sees, resolves what it no
/// longer sees (and what behaviour raised, once quiet), and drops old
/// activity. Sweeps of one server never overlap.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> StoreResult<AlertsApplied> {
    sweep_planned(state, now, now, true)
        .await
        .map(|(applied, _)| applied)
}

/// A sweep that also answers the next moment a time threshold passes, up
/// to `horizon` (the scheduler wakes the rules then). Without
/// `housekeeping` it only judges: old activity and snoozes left over wait
/// for a periodic sweep, so an action's sweep writes no more than it must
/// while agents ingest.
pub async fn sweep_planned(
    state: &AppState,
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
    housekeeping: bool,
) -> StoreResult<(AlertsApplied, Option<DateTime<Utc>>)> {
    let _one_at_a_time = state.sweep_lock.lock().await;
    let t = &state.config.rules;
    let store = &state.store;
    let facts = store.sweep_facts(&query(t, now)).await?;
    let verdicts = [
        ownership::unowned(&facts, t, now),
        ownership::owner_offboarded(&facts, now),
        credentials::dormant(&facts, t, now),
        credentials::no_expiry(&facts, now),
        credentials::rotation_overdue(&facts, t, now),
        credentials::reuse(&facts, now),
        privilege::excess(&facts, t, now),
        privilege::new_grants(&facts, now),
        privilege::mcp_servers(&facts, t, now),
        privilege::delegations(&facts, t, now),
        tokens::unpersoned(&facts, now),
    ];
    let mut soonest = deadlines::Soonest::after(now);
    deadlines::from_facts(&mut soonest, &facts, t);
    let quiet = [
        Quiet {
            rule: "R08",
            prefix: "R08:",
            window: t.quiet_minutes,
            what: "call to a production target",
        },
        Quiet {
            rule: "R09",
            prefix: "R09:",
            window: t.quiet_minutes,
            what: "interactive use",
        },
        Quiet {
            rule: "R11",
            prefix: "R11:",
            window: t.spike_quiet_minutes,
            what: "minute above the spike threshold",
        },
        Quiet {
            rule: "R12",
            prefix: "R12:",
            window: t.quiet_minutes,
            what: "new destination",
        },
        Quiet {
            rule: "R13",
            prefix: "R13:call:",
            window: t.quiet_minutes,
            what: "call to an MCP server off the allow list",
        },
        Quiet {
            rule: "R14",
            prefix: "R14:call:",
            window: t.quiet_minutes,
            what: "event beyond the delegated scopes or the chain limit",
        },
        Quiet {
            rule: "R14",
            prefix: "R14:exchange:",
            window: t.quiet_minutes,
            what: "token exchange refused beyond the delegated scopes or the chain limit",
        },
    ];

    let rules: BTreeSet<&str> = verdicts
        .iter()
        .map(|v| v.rule)
        .chain(quiet.iter().map(|q| q.rule))
        .chain(["R17", "R18"])
        .collect();
    let mut live: BTreeMap<&str, Vec<LiveAlert>> = BTreeMap::new();
    for rule in rules {
        live.insert(rule, store.live_alerts(rule).await?);
    }
    let live_of = |rule: &str| live.get(rule).map(Vec::as_slice).unwrap_or_default();

    let mut raise = Vec::new();
    let mut stale: Vec<(&LiveAlert, Why)> = Vec::new();
    for v in &verdicts {
        let mine: HashMap<&str, &LiveAlert> = live_of(v.rule)
            .iter()
            .filter(|a| a.cause.starts_with(v.prefix))
            .map(|a| (a.cause.as_str(), a))
            .collect();
        let seen: BTreeSet<&str> = v.findings.iter().map(|f| f.alert.cause.as_str()).collect();
        raise.extend(
            v.findings
                .iter()
                .filter(|f| !mine.get(f.alert.cause.as_str()).is_some_and(|a| same(a, f)))
                .cloned(),
        );
        stale.extend(
            mine.values()
                .filter(|a| !seen.contains(a.cause.as_str()))
                .map(|a| (*a, Why::Check(v.explain))),
        );
    }
    // Behaviour: quiet for long enough, or its agent killed.
    let mut watched: Vec<(&LiveAlert, &Quiet)> = Vec::new();
    for q in &quiet {
        watched.extend(
            live_of(q.rule)
                .iter()
                .filter(|a| a.cause.starts_with(q.prefix))
                .map(|a| (a, q)),
        );
    }
    let r18 = live_of("R18");
    let r17 = live_of("R17");

    let ids: BTreeSet<String> = stale
        .iter()
        .map(|(a, _)| *a)
        .chain(watched.iter().map(|(a, _)| *a))
        .chain(r18)
        .filter_map(|a| a.agent_id.clone())
        .collect();
    let ids: Vec<String> = ids.into_iter().collect();
    let states: HashMap<String, AgentState> = store
        .agent_states(&ids, now)
        .await?
        .into_iter()
        .map(|s| (s.agent.id.clone(), s))
        .collect();
    let state_of = |a: &LiveAlert| a.agent_id.as_ref().and_then(|id| states.get(id));

    for (a, q) in watched {
        let s = state_of(a);
        if s.is_some_and(|s| s.agent.status == AgentStatus::Killed) {
            stale.push((a, Why::Said(gone_or_killed(s).unwrap_or_default())));
        } else if a.seen_at <= before(now, minutes(q.window)) {
            stale.push((a, Why::Quiet(q.what, q.window)));
        } else {
            soonest.at(a.seen_at.checked_add_signed(minutes(q.window)));
        }
    }
    for a in r18 {
        if let Some(why) = killswitch::resolved(a, state_of(a), t, now) {
            stale.push((a, Why::Said(why)));
        }
    }
    for a in r17 {
        if let Some(why) = shadows::resolved(store.as_ref(), a, t, now).await? {
            stale.push((a, Why::Said(why)));
        }
    }

    let resolve: Vec<Resolution> = stale
        .into_iter()
        .map(|(a, why)| {
            let why = match why {
                Why::Check(explain) => explain(a, state_of(a), t),
                Why::Quiet(what, window) => {
                    format!("no {what} for {window} min (last seen {})", when(a.seen_at))
                }
                Why::Said(s) => s,
            };
            Resolution {
                id: a.id.clone(),
                rule: a.rule.clone(),
                agent_id: a.agent_id.clone(),
                why,
                seen_at: a.seen_at,
            }
        })
        .collect();
    // Bounded transactions: a first sweep over a large fleet opens
    // thousands of alerts, and one transaction for all of them would hold
    // the database, and so ingest, for seconds.
    let mut applied = AlertsApplied::default();
    for chunk in raise.chunks(APPLY_CHUNK) {
        applied += store.apply_alerts(chunk, &[], now).await?;
    }
    for chunk in resolve.chunks(APPLY_CHUNK) {
        applied += store.apply_alerts(&[], chunk, now).await?;
    }
    crate::server::guardrails::on_raised(state, &applied.raised).await;

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
    Ok((applied, soonest.at))
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
