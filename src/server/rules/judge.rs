//! Judging a sweep's facts against the live alerts: what to open or bring
//! up to date, and what to resolve and why. Shared by the whole fleet's
//! sweep and an action's evaluation of its own agents; each hands over the
//! facts and the live alerts of what it judges, so neither can resolve an
//! alert outside what it read.

use super::config::RuleThresholds;
use super::deadlines::Soonest;
use super::{
    before, credentials, days, deadlines, hours, killswitch, minutes, ownership, privilege,
    shadows, tokens, when,
};
use crate::model::AgentStatus;
use crate::server::AppState;
use crate::server::store::{
    AgentState, Finding, LiveAlert, Resolution, StoreResult, SweepFacts, SweepQuery,
};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Why a live alert a sweep check no longer sees is resolved, given the
/// agent as it is now (none if it is gone).
pub(super) type Explain = fn(&LiveAlert, Option<&AgentState>, &RuleThresholds) -> String;

/// What one sweep check concluded.
pub(super) struct Verdict {
    pub rule: &'static str,
    /// The causes this check owns start with this; a live alert under it
    /// that the check no longer sees is resolved.
    pub prefix: &'static str,
    pub findings: Vec<Finding>,
    pub explain: Explain,
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
pub(super) fn gone_or_killed(state: Option<&AgentState>) -> Option<String> {
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

pub(super) fn query(t: &RuleThresholds, now: DateTime<Utc>) -> SweepQuery {
    SweepQuery {
        now,
        dormant_before: before(now, days(t.dormant_days)),
        rotation_before: before(now, days(t.rotation_days)),
        unused_before: before(now, days(t.unused_grant_days)),
        new_grant_after: before(now, hours(t.new_grant_hours)),
        max_chain_depth: t.max_chain_depth,
    }
}

/// What to raise and what to resolve, given the facts and the live alerts
/// (by rule) of what is judged; the thresholds the facts will cross go to
/// `soonest`.
pub(super) async fn judge(
    state: &AppState,
    facts: &SweepFacts,
    live: &BTreeMap<String, Vec<LiveAlert>>,
    now: DateTime<Utc>,
    soonest: &mut Soonest,
) -> StoreResult<(Vec<Finding>, Vec<Resolution>)> {
    let t = &state.config.rules;
    let store = &state.store;
    let verdicts = [
        ownership::unowned(facts, t, now),
        ownership::owner_offboarded(facts, now),
        credentials::dormant(facts, t, now),
        credentials::no_expiry(facts, now),
        credentials::rotation_overdue(facts, t, now),
        credentials::reuse(facts, now),
        privilege::excess(facts, t, now),
        privilege::new_grants(facts, now),
        privilege::mcp_servers(facts, t, now),
        privilege::delegations(facts, t, now),
        tokens::unpersoned(facts, now),
    ];
    deadlines::from_facts(soonest, facts, t);
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
            let quiet_at = a.seen_at.checked_add_signed(minutes(q.window));
            soonest.on(a.agent_id.as_deref(), quiet_at);
        }
    }
    // R17 and R18 also end after the quiet period without them.
    let quiet_at = |a: &LiveAlert| a.seen_at.checked_add_signed(minutes(t.quiet_minutes));
    for a in r18 {
        if let Some(why) = killswitch::resolved(a, state_of(a), t, now) {
            stale.push((a, Why::Said(why)));
        } else {
            soonest.on(a.agent_id.as_deref(), quiet_at(a));
        }
    }
    for a in r17 {
        if let Some(why) = shadows::resolved(store.as_ref(), a, t, now).await? {
            stale.push((a, Why::Said(why)));
        } else {
            soonest.on(a.agent_id.as_deref(), quiet_at(a));
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
    Ok((raise, resolve))
}
