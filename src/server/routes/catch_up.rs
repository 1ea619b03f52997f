//! Bringing a kept first answer up to date with the changes after it,
//! instead of reading the whole fleet again: the summary form's answer
//! after cursor C merged with the changes after C is what a dashboard
//! that synced at C and polled since holds, and reading the changes after
//! C costs in proportion to them (at 100,000 agents, a whole read of the
//! fleet and its alerts is about 1.5 s; a demo's simulator moves the
//! cursor many times a second, so a kept answer is always a little old).
//!
//! The counts of an agent no change touched are those of the answer it
//! came from: a credential that expired since, unchanged, still counts as
//! live, as it does in a dashboard's copy. So a kept answer is caught up
//! only while it is young ([`MAX_AGE`]); an older one is read again whole.

use crate::api::{Changes, Holdings};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// How long a decoded answer may be caught up before it is read whole
/// again (its live counts and soonest expiries are as of its read).
pub const MAX_AGE: Duration = Duration::from_secs(300);

/// Answers with more agents than this are not kept decoded: the copy
/// costs the server about 2 KB an agent with its alerts, and at a million
/// agents (no demo simulator, a bench or a fleet at rest) the whole read
/// is rare.
pub const MAX_AGENTS: usize = 250_000;

/// A first answer in the summary form, decoded, and when it was read
/// whole.
#[derive(Debug)]
pub struct Base {
    pub changes: Changes,
    pub read_at: Instant,
}

impl Base {
    /// Whether it may be caught up rather than read again.
    pub fn young(&self) -> bool {
        self.read_at.elapsed() < MAX_AGE
    }
}

/// `base` (a full answer of the summary form) with `delta` (the summary
/// form's answer after `base.cursor`) applied: rows replaced or added by
/// id, removed ones dropped, each touched agent's counts replaced (an
/// agent counted as zeros holds nothing, and the full form lists only
/// agents holding something). The credentials and grants a later answer
/// lists in full are not kept: their agents' counts come with them.
pub fn merge(base: &mut Changes, delta: Changes) {
    if delta.full {
        *base = delta;
        base.credentials.clear();
        base.grants.clear();
        return;
    }
    base.cursor = base.cursor.max(delta.cursor);
    let gone = |kind: &str| -> HashSet<String> {
        delta
            .removed
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.id.clone())
            .collect()
    };
    let (agents, people, delegations, alerts) = (
        gone("agent"),
        gone("person"),
        gone("delegation"),
        gone("alert"),
    );
    upsert(&mut base.people, delta.people, |p| &p.id);
    upsert(&mut base.agents, delta.agents, |a| &a.id);
    upsert(&mut base.delegations, delta.delegations, |d| &d.id);
    upsert(&mut base.alerts, delta.alerts, |a| &a.id);
    upsert(&mut base.summaries, delta.summaries, |h| &h.agent_id);
    base.people.retain(|p| !people.contains(&p.id));
    base.agents.retain(|a| !agents.contains(&a.id));
    base.delegations.retain(|d| !delegations.contains(&d.id));
    base.alerts.retain(|a| !alerts.contains(&a.id));
    base.summaries
        .retain(|h| !agents.contains(&h.agent_id) && holds_any(h));
}

fn holds_any(h: &Holdings) -> bool {
    h.credentials > 0 || h.grants > 0
}

/// Each of `new` in place of the row with its id, or added at the end.
fn upsert<T>(list: &mut Vec<T>, new: Vec<T>, id: impl Fn(&T) -> &str) {
    if new.is_empty() {
        return;
    }
    let places: Vec<Option<usize>> = {
        let at: HashMap<&str, usize> = list.iter().enumerate().map(|(i, x)| (id(x), i)).collect();
        new.iter().map(|n| at.get(id(n)).copied()).collect()
    };
    for (n, place) in new.into_iter().zip(places) {
        match place {
            Some(i) => list[i] = n,
            None => list.push(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Removed;
    use crate::model::fixtures::agent;

    fn counted(id: &str, credentials: u32) -> Holdings {
        Holdings {
            agent_id: id.into(),
            credentials,
            ..Holdings::default()
        }
    }

    fn removed(kind: &str, id: &str) -> Removed {
        Removed {
            kind: kind.into(),
            id: id.into(),
            rev: 9,
        }
    }

    #[test]
    fn a_later_answer_replaces_adds_and_drops_rows_and_counts() {
        let mut base = Changes {
            cursor: 5,
            full: true,
            summary: true,
            agents: vec![agent("a1", "one"), agent("a2", "two"), agent("a3", "three")],
            summaries: vec![counted("a1", 1), counted("a2", 2), counted("a3", 3)],
            ..Changes::default()
        };
        let mut renamed = agent("a1", "uno");
        renamed.rev = 7;
        merge(
            &mut base,
            Changes {
                cursor: 9,
                summary: true,
                agents: vec![renamed.clone(), agent("a4", "four")],
                summaries: vec![counted("a1", 4), counted("a2", 0), counted("a4", 1)],
                removed: vec![removed("agent", "a3"), removed("grant", "g1")],
                ..Changes::default()
            },
        );
        assert_eq!(base.cursor, 9);
        let ids: Vec<&str> = base.agents.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a1", "a2", "a4"]);
        assert_eq!(base.agents[0], renamed);
        assert_eq!(
            base.summaries,
            vec![counted("a1", 4), counted("a4", 1)],
            "a2 holds nothing now; a3 is gone"
        );
    }

    #[test]
    fn a_full_later_answer_replaces_the_base() {
        let mut base = Changes {
            cursor: 5,
            full: true,
            agents: vec![agent("a1", "one")],
            ..Changes::default()
        };
        let fresh = Changes {
            cursor: 2,
            full: true,
            agents: vec![agent("b1", "other")],
            ..Changes::default()
        };
        merge(&mut base, fresh.clone());
        assert_eq!(base, fresh);
    }
}
