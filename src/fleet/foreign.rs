//! Alerts from a backend that has no agents of its own (Alertmanager). Each
//! names its agent by a label, whose value may be an agent's id (bare, or
//! already qualified with its backend's name) or an agent's name in some
//! backend of the fleet. This module matches it to the fleet's agent id,
//! and turns one poll's whole set of alerts into the changes that bring the
//! fleet's copy of that backend's alerts up to date: the new and changed
//! alerts, and the removal of those gone. A poll that changed nothing is no
//! change at all, so no view rebuilds its order every poll.
//!
//! A label that matches no agent, or more than one (the same name on two
//! backends), is kept as it is: the alert still shows, with the label as
//! its agent, and no action can reach the wrong agent through it.

use super::origin::SEPARATOR;
use super::safe_text::escape;
use super::state::{Fleet, Sanitize};
use crate::api::{Changes, Removed};
use crate::model::Alert;
use std::collections::{HashMap, HashSet};

/// Finds the fleet's agent for a label value.
pub struct AgentMatcher<'a> {
    fleet: &'a Fleet,
    /// The names that qualify ids in the fleet (empty with one backend).
    scopes: &'a [String],
    /// By name: the one agent with it, or `None` when several share it.
    /// Built on the first label that is not an id, then kept.
    by_name: Option<HashMap<&'a str, Option<&'a str>>>,
}

impl<'a> AgentMatcher<'a> {
    pub fn new(fleet: &'a Fleet, scopes: &'a [String]) -> Self {
        AgentMatcher {
            fleet,
            scopes,
            by_name: None,
        }
    }

    /// The fleet's id of the agent `label` names: an id as the fleet has
    /// it, an id of exactly one backend, else the name of exactly one agent.
    pub fn agent_for(&mut self, label: &str) -> Option<String> {
        // The fleet's strings are display-safe; compare like with like.
        let label = escape(label);
        if self.fleet.agent(&label).is_some() {
            return Some(label.into_owned());
        }
        let mut by_id = self
            .scopes
            .iter()
            .map(|s| format!("{s}{SEPARATOR}{label}"))
            .filter(|q| self.fleet.agent(q).is_some());
        if let Some(id) = by_id.next() {
            return by_id.next().is_none().then_some(id);
        }
        let fleet = self.fleet;
        let names = self.by_name.get_or_insert_with(|| {
            let mut names: HashMap<&str, Option<&str>> = HashMap::new();
            for a in fleet.agents() {
                names
                    .entry(a.name.as_str())
                    .and_modify(|one| *one = None)
                    .or_insert(Some(a.id.as_str()));
            }
            names
        });
        names
            .get(label.as_ref())
            .copied()
            .flatten()
            .map(str::to_string)
    }
}

/// The changes that make the fleet's alerts under `prefix` (a backend's
/// name and the separator; empty with one backend) exactly `alerts`, with
/// each alert's agent label matched by `matcher`'s rules.
pub fn alert_changes(
    fleet: &Fleet,
    prefix: &str,
    scopes: &[String],
    alerts: Vec<Alert>,
) -> Changes {
    let mut matcher = AgentMatcher::new(fleet, scopes);
    let mut now: HashSet<String> = HashSet::with_capacity(alerts.len());
    let mut changed = Vec::new();
    for mut a in alerts {
        if let Some(label) = a.agent_id.take() {
            a.agent_id = Some(matcher.agent_for(&label).unwrap_or(label));
        }
        // Compared as the fleet keeps it, so that an unchanged alert with
        // an odd character in it is not news every poll.
        a.sanitize();
        now.insert(a.id.clone());
        if fleet.alert(&a.id) != Some(&a) {
            changed.push(a);
        }
    }
    let removed = fleet
        .alerts()
        .filter(|a| a.id.starts_with(prefix) && !now.contains(&a.id))
        .map(|a| Removed {
            kind: "alert".into(),
            id: a.id.clone(),
            rev: 0,
        })
        .collect();
    Changes {
        cursor: fleet.cursor,
        full: false,
        alerts: changed,
        removed,
        ..Changes::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{agent, alertmanager_alert};

    fn fleet() -> Fleet {
        let mut f = Fleet::new();
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![
                agent("prod/agt_1", "support-bot"),
                agent("prod/agt_2", "billing-bot"),
                agent("stg/agt_1", "support-bot-stg"),
                agent("stg/agt_9", "billing-bot"),
                agent("stg/agt_7", "pager\u{1b}bot"),
            ],
            ..Changes::default()
        });
        f
    }

    fn scopes() -> Vec<String> {
        ["prod", "stg", "am"].map(String::from).to_vec()
    }

    #[test]
    fn ids_qualified_or_bare_and_names_match_once() {
        let f = fleet();
        let s = scopes();
        let mut m = AgentMatcher::new(&f, &s);
        assert_eq!(m.agent_for("prod/agt_2").as_deref(), Some("prod/agt_2"));
        assert_eq!(m.agent_for("agt_2").as_deref(), Some("prod/agt_2"));
        assert_eq!(m.agent_for("agt_9").as_deref(), Some("stg/agt_9"));
        assert_eq!(
            m.agent_for("agt_1"),
            None,
            "an id on two backends is ambiguous"
        );
        assert_eq!(m.agent_for("support-bot").as_deref(), Some("prod/agt_1"));
        assert_eq!(
            m.agent_for("billing-bot"),
            None,
            "a name on two backends is ambiguous"
        );
        assert_eq!(m.agent_for("pager\u{1b}bot").as_deref(), Some("stg/agt_7"));
        assert_eq!(m.agent_for("nobody"), None);
    }

    #[test]
    fn a_poll_becomes_only_what_changed_and_what_went() {
        let mut f = fleet();
        let s = scopes();
        let first = alert_changes(
            &f,
            "am/",
            &s,
            vec![
                alertmanager_alert("am/fp1", "agt_2"),
                alertmanager_alert("am/fp2", "ghost"),
            ],
        );
        assert_eq!(first.alerts.len(), 2);
        assert!(first.removed.is_empty());
        assert_eq!(first.alerts[0].agent_id.as_deref(), Some("prod/agt_2"));
        assert_eq!(
            first.alerts[1].agent_id.as_deref(),
            Some("ghost"),
            "kept as the label said"
        );
        f.apply_from(Some("am"), first);
        let billing = f.position("prod/agt_2").unwrap();
        assert_eq!(f.summary(billing).open_alerts, 1);

        // The same poll again: nothing to do, and the fleet does not move.
        let mut same = vec![
            f.alert("am/fp1").unwrap().clone(),
            f.alert("am/fp2").unwrap().clone(),
        ];
        same[0].agent_id = Some("agt_2".into());
        same[1].agent_id = Some("ghost".into());
        let again = alert_changes(&f, "am/", &s, same);
        assert!(again.is_empty(), "{again:?}");
        let generation = f.generation;
        f.apply_from(Some("am"), again);
        assert_eq!(f.generation, generation);

        // fp1 resolved in Alertmanager: gone from its answer, gone here.
        let mut fp2 = f.alert("am/fp2").unwrap().clone();
        fp2.agent_id = Some("ghost".into());
        let gone = alert_changes(&f, "am/", &s, vec![fp2]);
        assert!(gone.alerts.is_empty());
        assert_eq!(gone.removed.len(), 1);
        assert_eq!(gone.removed[0].id, "am/fp1");
        f.apply_from(Some("am"), gone);
        assert!(f.alert("am/fp1").is_none());
        assert_eq!(f.summary(billing).open_alerts, 0);
    }

    #[test]
    fn other_backends_alerts_are_left_alone() {
        let mut f = fleet();
        f.apply_from(
            Some("prod"),
            Changes {
                cursor: 2,
                alerts: vec![alertmanager_alert("prod/alr_1", "prod/agt_1")],
                ..Changes::default()
            },
        );
        let c = alert_changes(&f, "am/", &scopes(), vec![]);
        assert!(c.is_empty(), "{c:?}");
    }
}
