//! An action judged on its own agents: the sweep's rules restricted to the
//! agents it reaches (see [`crate::server::store::Store::rule_reach`]),
//! and the self-resolution of those agents' live alerts alone. Its cost is
//! those agents', not the fleet's, so an action's alert comes within a
//! second whatever the size of the fleet, and it never waits for a
//! whole-fleet sweep under way (which leaves these agents to it). The
//! scheduler runs one the same way when a time threshold passes, on what
//! crosses it.

use super::deadlines::{self, Due, Soonest};
use super::judge;
use super::scope::Touched;
use crate::server::AppState;
use crate::server::store::{AlertsApplied, StoreResult};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashSet};

/// Judges what `touched` reaches as if the clock read `now`; answers what
/// changed and what crosses a threshold before `horizon` (nothing if the
/// horizon is `now`): the whole fleet's if this server holds the lease on
/// the scheduled rules, else only what this evaluation judged.
pub async fn evaluate(
    state: &AppState,
    touched: &Touched,
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
) -> StoreResult<(AlertsApplied, Due)> {
    let t = &state.config.rules;
    let store = &state.store;
    let agents: Vec<String> = touched.agents.iter().cloned().collect();
    let people: Vec<String> = touched.people.iter().cloned().collect();
    let (agents, facts, alerts) = store
        .evaluation_facts(&judge::query(t, now), &agents, &people, touched.tokens)
        .await?;
    // Before applying: a whole sweep under way drops its verdicts on these
    // from now on, and judges again those it was writing meanwhile.
    state.detector.note_judged(&agents, touched.tokens);
    let mut soonest = Soonest::within(now, horizon);
    let mut applied = AlertsApplied::default();
    if !agents.is_empty() || touched.tokens {
        let mut live: BTreeMap<String, Vec<_>> = BTreeMap::new();
        for a in alerts {
            live.entry(a.rule.clone()).or_default().push(a);
        }
        let (mut raise, resolve) = judge::judge(state, &facts, &live, now, &mut soonest).await?;
        // A shared secret's query names its other holders' other secrets
        // too: what is said about agents outside the scope is not ours.
        let inside: HashSet<&str> = agents.iter().map(String::as_str).collect();
        raise.retain(|f| match &f.alert.agent_id {
            Some(a) => inside.contains(a.as_str()),
            None => touched.tokens,
        });
        applied = super::writing::apply(state, raise, resolve, now, false).await?;
    }
    if horizon > now {
        deadlines::from_store(&mut soonest, store.as_ref(), t, now, horizon).await?;
        if !state.detector.leader() {
            let judged = agents.iter().cloned().collect();
            soonest.due.keep_only(&judged, touched.tokens);
        }
    }
    state.detector.count_evaluation();
    Ok((applied, soonest.due))
}
