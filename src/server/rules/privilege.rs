//! Privilege rules: R06 (a write or admin grant unused for 30 days), R13
//! (a new grant; an MCP server not on the allow list, registered or
//! called) and R14 (delegation escalation: a scope the person at the start
//! of the chain never delegated, or a chain deeper than the limit), both
//! as recorded delegations (sweep) and as chains agents report (ingest).

use super::activity::{Batch, Use, identities, split_chain};
use super::config::RuleThresholds;
use super::credentials::by_agent;
use super::{Verdict, day, finding, gone_or_killed, list, list_sep, plural, shown, when};
use crate::model::{Agent, Severity};
use crate::server::store::{AgentState, BatchFacts, Finding, GrantFact, LiveAlert, SweepFacts};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

fn on_allow_list(server: &str, t: &RuleThresholds) -> bool {
    t.mcp_allow_list
        .iter()
        .any(|a| a.trim().eq_ignore_ascii_case(server.trim()))
}

fn grant_text(g: &GrantFact) -> String {
    format!("{} grant {} on {}", g.level, g.scope, g.resource)
}

/// R06.
pub(super) fn excess(f: &SweepFacts, t: &RuleThresholds, now: DateTime<Utc>) -> Verdict {
    let findings = by_agent(&f.unused_grants, |g| g.agent.id.as_str())
        .into_iter()
        .filter_map(|(agent, rows)| {
            let name = &rows.first()?.agent.name;
            let parts = rows.iter().map(|g| match g.last_used_at {
                Some(used) => format!("{} unused since {}", grant_text(g), day(used)),
                None => format!(
                    "{} never used since granted on {}",
                    grant_text(g),
                    day(g.granted_at)
                ),
            });
            Some(finding(
                "R06",
                agent,
                format!("R06:{agent}"),
                Severity::High,
                format!("{name} holds write or admin grants it does not use"),
                format!(
                    "{} (over {} days)",
                    list_sep(parts, 5, "; "),
                    t.unused_grant_days
                ),
                now,
            ))
        })
        .collect();
    Verdict {
        rule: "R06",
        prefix: "R06:",
        findings,
        explain: explain_excess,
    }
}

fn explain_excess(_: &LiveAlert, s: Option<&AgentState>, t: &RuleThresholds) -> String {
    gone_or_killed(s).unwrap_or_else(|| {
        format!(
            "every write or admin grant was used in the last {} days",
            t.unused_grant_days
        )
    })
}

/// R13, grants.
pub(super) fn new_grants(f: &SweepFacts, now: DateTime<Utc>) -> Verdict {
    let findings = by_agent(&f.new_grants, |g| g.agent.id.as_str())
        .into_iter()
        .filter_map(|(agent, rows)| {
            let name = &rows.first()?.agent.name;
            Some(finding(
                "R13",
                agent,
                format!("R13:grant:{agent}"),
                Severity::High,
                format!("{name} was given a new grant"),
                format!(
                    "new {}",
                    list_sep(
                        rows.iter()
                            .map(|g| format!("{} at {}", grant_text(g), when(g.granted_at))),
                        5,
                        "; "
                    )
                ),
                now,
            ))
        })
        .collect();
    Verdict {
        rule: "R13",
        prefix: "R13:grant:",
        findings,
        explain: explain_new_grant,
    }
}

fn explain_new_grant(_: &LiveAlert, s: Option<&AgentState>, t: &RuleThresholds) -> String {
    gone_or_killed(s).unwrap_or_else(|| {
        format!(
            "its grants are older than {} h and part of its baseline now",
            t.new_grant_hours
        )
    })
}

/// R13, registered MCP servers.
pub(super) fn mcp_servers(f: &SweepFacts, t: &RuleThresholds, now: DateTime<Utc>) -> Verdict {
    let findings = if t.mcp_allow_list.is_empty() {
        Vec::new()
    } else {
        f.mcp_servers
            .iter()
            .filter(|a| !on_allow_list(&a.name, t))
            .map(|a| {
                finding(
                    "R13",
                    &a.id,
                    format!("R13:mcp:{}", a.id),
                    Severity::High,
                    format!("MCP server {} is not on the allow list", a.name),
                    format!(
                        "registered MCP server {} is not on the allow list ({})",
                        a.name,
                        list(t.mcp_allow_list.iter().cloned(), 5)
                    ),
                    now,
                )
            })
            .collect()
    };
    Verdict {
        rule: "R13",
        prefix: "R13:mcp:",
        findings,
        explain: explain_mcp_server,
    }
}

fn explain_mcp_server(_: &LiveAlert, s: Option<&AgentState>, t: &RuleThresholds) -> String {
    if let Some(why) = gone_or_killed(s) {
        return why;
    }
    match s {
        Some(s) if t.mcp_allow_list.is_empty() => {
            format!(
                "no MCP allow list is configured; {} is not judged",
                s.agent.name
            )
        }
        Some(s) => format!("{} is on the MCP allow list now", s.agent.name),
        None => "on the MCP allow list now".into(),
    }
}

/// R13, MCP servers called (ingest).
pub(super) fn mcp_calls(agent: &Agent, batch: &Batch, t: &RuleThresholds) -> Option<Finding> {
    if t.mcp_allow_list.is_empty() {
        return None;
    }
    let off: Vec<(&String, &Use)> = batch
        .mcp
        .iter()
        .filter(|(s, _)| !on_allow_list(s, t))
        .collect();
    let (first, _) = off.first()?;
    let last = off.iter().map(|(_, u)| u.last).max()?;
    Some(finding(
        "R13",
        &agent.id,
        format!("R13:call:{}", agent.id),
        Severity::High,
        format!(
            "{} calls MCP server {first}, not on the allow list",
            agent.name
        ),
        format!(
            "called MCP server{} {} not on the allow list ({}); latest {}",
            if off.len() == 1 { "" } else { "s" },
            list(
                off.iter().map(|(s, u)| format!(
                    "{} ({})",
                    shown(s),
                    plural(u.calls as usize, "call", "calls")
                )),
                5
            ),
            list(t.mcp_allow_list.iter().cloned(), 5),
            when(last)
        ),
        last,
    ))
}

/// R14, recorded delegations.
pub(super) fn delegations(f: &SweepFacts, t: &RuleThresholds, now: DateTime<Utc>) -> Verdict {
    let mut problems: BTreeMap<&str, (&str, Vec<String>)> = BTreeMap::new();
    for e in &f.escalations {
        problems
            .entry(e.agent.id.as_str())
            .or_insert((e.agent.name.as_str(), Vec::new()))
            .1
            .push(format!(
                "delegation {} from {} passes {} for {}, who never delegated it",
                e.delegation, e.parent.name, e.scope, e.person_email
            ));
    }
    for (a, depth) in &f.deep_chains {
        problems
            .entry(a.id.as_str())
            .or_insert((a.name.as_str(), Vec::new()))
            .1
            .push(format!(
                "it sits at the end of a delegation chain of {depth} agents (limit {})",
                t.max_chain_depth
            ));
    }
    let findings = problems
        .into_iter()
        .map(|(agent, (name, parts))| {
            finding(
                "R14",
                agent,
                format!("R14:delegation:{agent}"),
                Severity::High,
                format!("{name} holds more than the person at the start of its chain"),
                list_sep(parts, 3, "; "),
                now,
            )
        })
        .collect();
    Verdict {
        rule: "R14",
        prefix: "R14:delegation:",
        findings,
        explain: explain_delegations,
    }
}

fn explain_delegations(_: &LiveAlert, s: Option<&AgentState>, t: &RuleThresholds) -> String {
    gone_or_killed(s).unwrap_or_else(|| {
        format!(
            "every delegation it holds is within its person's scopes and {} agents deep at most",
            t.max_chain_depth
        )
    })
}

/// R14, chains reported in events (ingest). Depth counts the agents of the
/// chain and the reporting agent itself.
pub(super) fn delegation_use(
    agent: &Agent,
    batch: &Batch,
    facts: &BatchFacts,
    t: &RuleThresholds,
) -> Option<Finding> {
    let ids = identities(facts);
    let mut problems: Vec<String> = Vec::new();
    let mut last: Option<DateTime<Utc>> = None;
    for ((chain, scope), u) in &batch.chains {
        let (person, agents) = split_chain(chain, &ids);
        let depth = agents.len() + 1;
        let mut bad = false;
        if depth > t.max_chain_depth {
            bad = true;
            problems.push(format!(
                "chain of {depth} agents (limit {}): {} → {} ({})",
                t.max_chain_depth,
                chain
                    .iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(" → "),
                agent.name,
                plural(u.calls as usize, "event", "events")
            ));
        }
        if let (Some(person), Some(scope)) = (person, scope) {
            let used = shown(scope);
            let held = ids.get(person).and_then(|f| f.person.as_ref());
            let problem = match held {
                Some((p, scopes)) if scopes.is_empty() => Some(format!(
                    "scope {used} used for {} ({}), who delegated no scopes",
                    p.email,
                    plural(u.calls as usize, "event", "events")
                )),
                Some((p, scopes)) if !scopes.iter().any(|s| s == scope) => Some(format!(
                    "scope {used} used for {} ({}), who delegated only {}",
                    p.email,
                    plural(u.calls as usize, "event", "events"),
                    list(scopes.iter().map(|s| shown(s)), 5)
                )),
                Some(_) => None,
                None => Some(format!(
                    "scope {used} used for {person:?} ({}), not a person in the directory",
                    plural(u.calls as usize, "event", "events")
                )),
            };
            if let Some(p) = problem {
                bad = true;
                problems.push(p);
            }
        }
        if bad {
            last = Some(last.map_or(u.last, |l| l.max(u.last)));
        }
    }
    let last = last?;
    problems.sort();
    problems.dedup();
    Some(finding(
        "R14",
        &agent.id,
        format!("R14:call:{}", agent.id),
        Severity::High,
        format!("{} acts beyond what was delegated to it", agent.name),
        list_sep(problems, 3, "; "),
        last,
    ))
}
