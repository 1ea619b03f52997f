//! Ownership rules, judged in the sweep: R01 (an agent with no owner, or
//! whose owner left: high, critical after the grace period) and R02 (the
//! owner left while the agent still holds live credentials: critical).

use super::{Verdict, day, finding, gone_or_killed, hours, list};
use crate::model::{PersonStatus, Severity};
use crate::server::store::{AgentState, LiveAlert, SweepFacts};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use super::config::RuleThresholds;

pub(super) fn unowned(f: &SweepFacts, t: &RuleThresholds, now: DateTime<Utc>) -> Verdict {
    let grace = hours(t.unowned_grace_hours);
    let findings = f
        .unowned
        .iter()
        .map(|u| {
            let late = now.signed_duration_since(u.since) >= grace;
            let severity = if late {
                Severity::Critical
            } else {
                Severity::High
            };
            let (summary, start) = match &u.departed_owner {
                Some(email) => (
                    format!("{}'s owner {email} has left", u.agent.name),
                    format!("owner {email} left on {}", day(u.since)),
                ),
                None => (
                    format!("{} has no owner", u.agent.name),
                    format!("no owner since it was registered on {}", day(u.since)),
                ),
            };
            let evidence = if late {
                format!(
                    "{start}; unowned longer than the {} h grace period",
                    t.unowned_grace_hours
                )
            } else {
                format!(
                    "{start}; critical once unowned for {} h",
                    t.unowned_grace_hours
                )
            };
            finding(
                "R01",
                &u.agent.id,
                format!("R01:{}", u.agent.id),
                severity,
                summary,
                evidence,
                now,
            )
        })
        .collect();
    Verdict {
        rule: "R01",
        prefix: "R01:",
        findings,
        explain: explain_unowned,
    }
}

fn explain_unowned(_: &LiveAlert, s: Option<&AgentState>, _: &RuleThresholds) -> String {
    if let Some(why) = gone_or_killed(s) {
        return why;
    }
    match s.and_then(|s| s.owner.as_ref()) {
        Some(p) if p.status == PersonStatus::Active => format!("owned by {} now", p.email),
        _ => "the agent has an active owner".into(),
    }
}

pub(super) fn owner_offboarded(f: &SweepFacts, now: DateTime<Utc>) -> Verdict {
    let mut by_agent: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for d in &f.departed_owner {
        by_agent
            .entry(d.credential.agent.id.as_str())
            .or_default()
            .push(d);
    }
    let findings = by_agent
        .into_iter()
        .filter_map(|(agent, facts)| {
            let first = facts.first()?;
            let name = &first.credential.agent.name;
            let n = facts.len();
            Some(finding(
                "R02",
                agent,
                format!("R02:{agent}"),
                Severity::Critical,
                format!(
                    "{name}'s owner {} has left; it still holds live credentials",
                    first.owner_email
                ),
                format!(
                    "owner {} left on {}; {n} live credential{}: {}",
                    first.owner_email,
                    day(first.departed_at),
                    if n == 1 { "" } else { "s" },
                    list(facts.iter().map(|d| d.credential.credential.clone()), 5)
                ),
                now,
            ))
        })
        .collect();
    Verdict {
        rule: "R02",
        prefix: "R02:",
        findings,
        explain: explain_offboarded,
    }
}

fn explain_offboarded(_: &LiveAlert, s: Option<&AgentState>, _: &RuleThresholds) -> String {
    if let Some(why) = gone_or_killed(s) {
        return why;
    }
    match s {
        Some(s) if s.live_credentials == 0 => "no live credential left".into(),
        Some(AgentState { owner: Some(p), .. }) if p.status == PersonStatus::Active => {
            format!("the owner is now {}", p.email)
        }
        _ => "the owner is active or the credentials are gone".into(),
    }
}
