//! Credential rules, judged in the sweep: R03 (dormant with live
//! credentials: medium after 30 days, high after 90), R04 (no expiry),
//! R05 (older than the rotation policy) and R07 (one fingerprint on more
//! than one agent: written by a discovery source, or reported by agents in
//! their events as the secret a call presented to its target). One alert
//! per agent and rule, naming the credentials.

use super::config::RuleThresholds;
use super::{Verdict, day, days, finding, gone_or_killed, list, list_sep, plural, shown, when};
use crate::model::Severity;
use crate::server::store::{AgentState, CredentialFact, LiveAlert, SharedFact, SweepFacts};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Groups rows by agent, keeping the order they came in.
pub(super) fn by_agent<'a, T>(
    rows: &'a [T],
    agent: impl Fn(&'a T) -> &'a str,
) -> Vec<(&'a str, Vec<&'a T>)> {
    let mut order: Vec<&'a str> = Vec::new();
    let mut groups: BTreeMap<&'a str, Vec<&'a T>> = BTreeMap::new();
    for r in rows {
        let key = agent(r);
        groups
            .entry(key)
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push(r);
    }
    order
        .into_iter()
        .map(|k| (k, groups.remove(k).unwrap_or_default()))
        .collect()
}

fn expiry(c: &CredentialFact) -> String {
    match c.expires_at {
        Some(e) => format!("{} (expires {})", c.credential, day(e)),
        None => format!("{} (never expires)", c.credential),
    }
}

pub(super) fn dormant(f: &SweepFacts, t: &RuleThresholds, now: DateTime<Utc>) -> Verdict {
    let findings = by_agent(&f.dormant, |d| d.credential.agent.id.as_str())
        .into_iter()
        .filter_map(|(agent, rows)| {
            let first = rows.first()?;
            let name = &first.credential.agent.name;
            let high = now.signed_duration_since(first.last_active) >= days(t.dormant_high_days);
            let (severity, over) = if high {
                (Severity::High, t.dormant_high_days)
            } else {
                (Severity::Medium, t.dormant_days)
            };
            let since = if first.ever_seen {
                format!("no activity since {}", day(first.last_active))
            } else {
                format!(
                    "never active since it was registered on {}",
                    day(first.last_active)
                )
            };
            Some(finding(
                "R03",
                agent,
                format!("R03:{agent}"),
                severity,
                format!("{name} is dormant and still holds live credentials"),
                format!(
                    "{since} (over {over} days); {}: {}",
                    plural(rows.len(), "live credential", "live credentials"),
                    list(rows.iter().map(|d| expiry(&d.credential)), 5)
                ),
                now,
            ))
        })
        .collect();
    Verdict {
        rule: "R03",
        prefix: "R03:",
        findings,
        explain: explain_dormant,
    }
}

fn explain_dormant(_: &LiveAlert, s: Option<&AgentState>, _: &RuleThresholds) -> String {
    if let Some(why) = gone_or_killed(s) {
        return why;
    }
    match s {
        Some(s) if s.live_credentials == 0 => "no live credential left".into(),
        Some(s) => match s.agent.last_seen_at {
            Some(seen) => format!("active again (last seen {})", when(seen)),
            None => "no longer dormant".into(),
        },
        None => "no longer dormant".into(),
    }
}

pub(super) fn no_expiry(f: &SweepFacts, now: DateTime<Utc>) -> Verdict {
    let findings = by_agent(&f.no_expiry, |c| c.agent.id.as_str())
        .into_iter()
        .filter_map(|(agent, rows)| {
            let name = &rows.first()?.agent.name;
            Some(finding(
                "R04",
                agent,
                format!("R04:{agent}"),
                Severity::Medium,
                format!("{name} holds a credential that never expires"),
                format!(
                    "{} with no expiry: {}",
                    plural(rows.len(), "live credential", "live credentials"),
                    issued(&rows)
                ),
                now,
            ))
        })
        .collect();
    Verdict {
        rule: "R04",
        prefix: "R04:",
        findings,
        explain: explain_no_expiry,
    }
}

/// The first credentials of `rows`, each with the day it was issued.
fn issued(rows: &[&CredentialFact]) -> String {
    list(
        rows.iter()
            .map(|c| format!("{} issued {}", c.credential, day(c.issued_at))),
        5,
    )
}

fn explain_no_expiry(_: &LiveAlert, s: Option<&AgentState>, _: &RuleThresholds) -> String {
    gone_or_killed(s).unwrap_or_else(|| "no credential without an expiry is live any more".into())
}

pub(super) fn rotation_overdue(f: &SweepFacts, t: &RuleThresholds, now: DateTime<Utc>) -> Verdict {
    let findings = by_agent(&f.rotation_overdue, |c| c.agent.id.as_str())
        .into_iter()
        .filter_map(|(agent, rows)| {
            let name = &rows.first()?.agent.name;
            Some(finding(
                "R05",
                agent,
                format!("R05:{agent}"),
                Severity::Medium,
                format!("{name} holds a credential overdue for rotation"),
                format!(
                    "{} older than the {}-day rotation policy: {}",
                    plural(rows.len(), "live credential", "live credentials"),
                    t.rotation_days,
                    issued(&rows)
                ),
                now,
            ))
        })
        .collect();
    Verdict {
        rule: "R05",
        prefix: "R05:",
        findings,
        explain: explain_rotation,
    }
}

fn explain_rotation(_: &LiveAlert, s: Option<&AgentState>, t: &RuleThresholds) -> String {
    gone_or_killed(s)
        .unwrap_or_else(|| format!("no live credential is older than {} days", t.rotation_days))
}

/// Enough of a fingerprint to match it by eye, and nothing more.
fn short(fingerprint: &str) -> String {
    format!(
        "sha256:{}…",
        fingerprint.chars().take(12).collect::<String>()
    )
}

/// A holder of a shared secret: the credential, and where the agent said
/// it presented the secret.
fn holder(s: &SharedFact) -> String {
    match &s.presented_to {
        Some(dest) => format!("{}, presented to {}", s.credential.credential, shown(dest)),
        None => s.credential.credential.clone(),
    }
}

pub(super) fn reuse(f: &SweepFacts, now: DateTime<Utc>) -> Verdict {
    let mut holders: BTreeMap<&str, Vec<&SharedFact>> = BTreeMap::new();
    for s in &f.shared {
        holders.entry(s.fingerprint.as_str()).or_default().push(s);
    }
    let findings = by_agent(&f.shared, |s| s.credential.agent.id.as_str())
        .into_iter()
        .filter_map(|(agent, rows)| {
            let name = &rows.first()?.credential.agent.name;
            let parts = rows.iter().map(|s| {
                let others = holders
                    .get(s.fingerprint.as_str())
                    .into_iter()
                    .flatten()
                    .filter(|o| o.credential.agent.id != agent)
                    .map(|o| format!("{} ({})", o.credential.agent.name, holder(o)));
                let presented = s
                    .presented_to
                    .as_ref()
                    .map(|d| format!(" (presented to {})", shown(d)))
                    .unwrap_or_default();
                format!(
                    "credential {} has fingerprint {}{presented}, also held by {}",
                    s.credential.credential,
                    short(&s.fingerprint),
                    list(others, 3)
                )
            });
            Some(finding(
                "R07",
                agent,
                format!("R07:{agent}"),
                Severity::High,
                format!("{name} shares a credential with another agent"),
                list_sep(parts, 3, "; "),
                now,
            ))
        })
        .collect();
    Verdict {
        rule: "R07",
        prefix: "R07:",
        findings,
        explain: explain_reuse,
    }
}

fn explain_reuse(_: &LiveAlert, s: Option<&AgentState>, _: &RuleThresholds) -> String {
    gone_or_killed(s)
        .unwrap_or_else(|| "no live credential is shared with another agent any more".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_keeps_the_first_seen_order() {
        let rows = [("b", 1), ("a", 2), ("b", 3)];
        let groups = by_agent(&rows, |r| r.0);
        let keys: Vec<&str> = groups.iter().map(|g| g.0).collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(groups[0].1.len(), 2);
    }

    #[test]
    fn a_fingerprint_is_shown_short() {
        assert_eq!(short(&"ab".repeat(32)), "sha256:abababababab…");
    }
}
