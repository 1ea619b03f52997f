//! The ownership triage queue (`GET /v1/triage`): which agents need an
//! owner, in what order, and whom the evidence suggests for each. The store
//! gathers the facts ([`TriageFacts`]); everything here is pure, so the
//! ranking ([`rank`]) and the queue's order are tested without a database.

pub mod directory;
pub mod rank;

use crate::api::{TriageCase, TriageReason, TriageReport};
use crate::model::{AgentStatus, PersonStatus};
use crate::server::store::{TriageAgentFacts, TriageFacts};
use chrono::{DateTime, Utc};
use directory::Directory;
use std::cmp::Reverse;

/// Events older than this are not evidence: who an agent acted for a year
/// ago says little about who should own it now.
pub const ACTIVITY_DAYS: u32 = 30;

/// The queue, most urgent first: the worst open alert, then the highest
/// grant level (an unowned admin is worse than an unowned reader), then
/// the name and id so the order is the same on every call.
pub fn report(facts: &TriageFacts, now: DateTime<Utc>, activity_days: u32) -> TriageReport {
    let dir = Directory::new(&facts.people);
    let mut cases: Vec<TriageCase> = facts
        .agents
        .iter()
        .filter_map(|f| case(f, &dir, activity_days))
        .collect();
    cases.sort_by(|a, b| {
        Reverse(a.risk)
            .cmp(&Reverse(b.risk))
            .then_with(|| Reverse(a.highest_level).cmp(&Reverse(b.highest_level)))
            .then_with(|| a.agent.name.cmp(&b.agent.name))
            .then_with(|| a.agent.id.cmp(&b.agent.id))
    });
    TriageReport {
        generated_at: now,
        activity_days,
        cases,
    }
}

/// The case of one agent, or none if it does not belong in the queue: a
/// killed agent has nothing left to own, and an agent with an active owner
/// is owned.
fn case(f: &TriageAgentFacts, dir: &Directory<'_>, activity_days: u32) -> Option<TriageCase> {
    let agent = &f.agent;
    if agent.status == AgentStatus::Killed {
        return None;
    }
    // An owner id the directory does not know is no owner at all.
    let owner = agent.owner.as_deref().and_then(|o| dir.find(o));
    let (reason, departed_owner, since) = match owner {
        None => (TriageReason::Unowned, None, agent.created_at),
        Some(p) if p.status == PersonStatus::Departed => {
            let left = p.departed_at.unwrap_or(agent.created_at);
            (
                TriageReason::OwnerDeparted,
                Some(p),
                left.max(agent.created_at),
            )
        }
        Some(_) => return None,
    };
    let suggestions = rank::rank(
        &rank::Case {
            facts: f,
            departed_owner,
            activity_days,
        },
        dir,
    );
    Some(TriageCase {
        agent: agent.clone(),
        reason,
        departed_owner: departed_owner.cloned(),
        since,
        risk: f.risk,
        highest_level: f.highest_level,
        suggestions,
    })
}

#[cfg(test)]
mod tests {
    use super::directory::tests::person;
    use super::*;
    use crate::model::{Agent, GrantLevel, Severity, fixtures};
    use chrono::Duration;

    fn agent(name: &str, owner: Option<&str>, status: AgentStatus) -> TriageAgentFacts {
        let t0 = DateTime::<Utc>::UNIX_EPOCH + Duration::days(100);
        TriageAgentFacts {
            agent: Agent {
                owner: owner.map(|o| format!("per_{o}")),
                status,
                created_at: t0,
                updated_at: t0,
                ..fixtures::agent(&format!("agt_{name}"), name)
            },
            risk: None,
            highest_level: None,
            delegators: Vec::new(),
            acted_for: Vec::new(),
        }
    }

    #[test]
    fn killed_and_owned_agents_are_not_in_the_queue() {
        let mut gone = person("Ann", None, Some("max"), false);
        gone.departed_at = Some(DateTime::<Utc>::UNIX_EPOCH + Duration::days(200));
        let facts = TriageFacts {
            people: vec![gone, person("Max", None, None, true)],
            agents: vec![
                agent("orphan", Some("ann"), AgentStatus::Suspended),
                agent("stray", None, AgentStatus::Dormant),
                agent("dead", None, AgentStatus::Killed),
                agent("owned", Some("max"), AgentStatus::Active),
            ],
        };
        let r = report(&facts, Utc::now(), ACTIVITY_DAYS);
        let names: Vec<(&str, TriageReason)> = r
            .cases
            .iter()
            .map(|c| (c.agent.name.as_str(), c.reason))
            .collect();
        assert_eq!(
            names,
            [
                ("orphan", TriageReason::OwnerDeparted),
                ("stray", TriageReason::Unowned)
            ]
        );
        let orphan = &r.cases[0];
        assert_eq!(
            orphan.departed_owner.as_ref().map(|p| p.name.as_str()),
            Some("Ann")
        );
        assert_eq!(
            orphan.since,
            DateTime::<Utc>::UNIX_EPOCH + Duration::days(200)
        );
        assert_eq!(orphan.suggestions[0].person.name, "Max");
        assert_eq!(r.cases[1].since, facts.agents[1].agent.created_at);
        assert!(r.cases[1].departed_owner.is_none());
    }

    #[test]
    fn the_riskiest_and_most_privileged_come_first() {
        let mut queue = vec![
            agent("b-reader", None, AgentStatus::Active),
            agent("a-reader", None, AgentStatus::Active),
            agent("admin", None, AgentStatus::Active),
            agent("critical", None, AgentStatus::Active),
            agent("quiet", None, AgentStatus::Active),
        ];
        queue[0].highest_level = Some(GrantLevel::Read);
        queue[1].highest_level = Some(GrantLevel::Read);
        queue[2].highest_level = Some(GrantLevel::Admin);
        queue[3].risk = Some(Severity::Critical);
        queue[3].highest_level = Some(GrantLevel::Read);
        let facts = TriageFacts {
            people: Vec::new(),
            agents: queue,
        };
        let r = report(&facts, Utc::now(), ACTIVITY_DAYS);
        let names: Vec<&str> = r.cases.iter().map(|c| c.agent.name.as_str()).collect();
        assert_eq!(
            names,
            ["critical", "admin", "a-reader", "b-reader", "quiet"]
        );
        assert_eq!(r.activity_days, ACTIVITY_DAYS);
    }
}
