//! The fleet: the dashboard's copy of a backend's state, kept exact by
//! applying the changes feed. Every string is made display-safe here, as it
//! enters, so no view can forget to. Applying a change costs in proportion
//! to the change; per-agent summaries (credentials, grant level, alerts,
//! risk) are kept up to date for the agents a change touched.
//!
//! This file owns the types; `apply` merges a poll, `sanitize` makes its
//! text safe, `search` keeps the filter's lower-cased text, `counts` the
//! header's counts and `lookup` answers the views; `identities` keeps what
//! the Vault backends hold.

mod apply;
mod counts;
mod held;
mod identities;
mod ids;
mod keyed;
mod lookup;
mod sanitize;
mod search;

pub use held::Remote;
pub use sanitize::Sanitize;

use crate::model::*;
use counts::Tally;
use ids::AgentIndex;
use keyed::Keyed;
use search::SearchKeys;
// foldhash (seeded per process) rather than SipHash: these maps take every
// person, grant and delegation of a first sync, a quarter of a million
// delegations and their links at a million agents, and foldhash hashes
// short ids several times faster.
use hashbrown::HashMap;

/// What the agents table shows beside the agent itself.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    /// Credentials neither revoked nor expired.
    pub live_credentials: u32,
    pub credentials: u32,
    pub highest_level: Option<GrantLevel>,
    pub open_alerts: u32,
    /// The highest severity among open alerts.
    pub risk: Option<Severity>,
}

/// Counts for the header.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub agents: usize,
    pub active: usize,
    pub unowned: usize,
    pub suspended: usize,
    pub killed: usize,
    /// Open alerts by severity, indexed by `Severity as usize`.
    pub alerts: [usize; 5],
}

#[derive(Debug, Default, Clone)]
struct Links {
    credentials: Vec<String>,
    grants: Vec<String>,
    delegations: Vec<String>,
    alerts: Vec<String>,
}

/// Credentials and grants held of an agent whose backend counts them (the
/// summary form, see [`held`]): already in its [`Remote`], so not counted
/// again. Apart from [`Links`], which every agent with an alert has: few
/// agents have these.
#[derive(Debug, Default, Clone)]
struct Held {
    credentials: Vec<String>,
    grants: Vec<String>,
    /// Every credential and grant its backend counts is held (its detail
    /// was read).
    loaded: bool,
}

/// The agents of the last poll, when it changed nothing else: what a view
/// needs to update its order instead of rebuilding it.
#[derive(Debug, Default)]
struct Delta {
    /// The generation the poll was applied to.
    since: u64,
    /// Indices of the agents added or changed, or whose summary may have.
    changed: Vec<usize>,
}

/// The alerts and credentials the last poll added or changed (indices,
/// sorted), when it removed none (`None` when it did) and moved no agent:
/// what the alerts and credentials lists need to re-sort only those.
#[derive(Debug, Default)]
struct ItemsDelta {
    since: u64,
    alerts: Option<Vec<u32>>,
    credentials: Option<Vec<u32>>,
    /// Agents were added or renamed: the credentials' order by agent name
    /// moved, and the alerts' and credentials' searchable text names the
    /// old name.
    names_moved: bool,
}

#[derive(Debug, Default)]
pub struct Fleet {
    agents: Vec<Agent>,
    summaries: Vec<Summary>,
    /// Per agent, beside `agents`: what its backend counted it holds, when
    /// the backend syncs in the summary form.
    remote: Vec<Option<Remote>>,
    /// The backends that sync in the summary form, by the prefix of their
    /// ids ("" for one backend), and whether every credential of theirs is
    /// held (the credentials view loaded them, or is reading them).
    summarised: std::collections::BTreeMap<String, held::Catalogue>,
    search: SearchKeys,
    /// Every agent's index, by name (then index).
    by_name: Vec<usize>,
    delta: Option<Delta>,
    items_delta: Option<ItemsDelta>,
    tally: Tally,
    index: AgentIndex,
    people: HashMap<String, Person>,
    credentials: Keyed<Credential>,
    grants: HashMap<String, Grant>,
    delegations: HashMap<String, Delegation>,
    alerts: Keyed<Alert>,
    links: HashMap<String, Links>,
    held: HashMap<String, Held>,
    /// Each Vault backend's identities, by the prefix of its ids (see
    /// [`identities`]).
    identities: std::collections::BTreeMap<String, Vec<crate::fleet::vault::MachineIdentity>>,
    /// How many of them no agent claims.
    unclaimed: usize,
    /// The changes-feed cursor this copy is at.
    pub cursor: i64,
    /// Bumped on every change, so views know when to rebuild their order.
    pub generation: u64,
}

impl Fleet {
    pub fn new() -> Self {
        Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Changes;
    use crate::model::fixtures::{self, agent, alertmanager_alert};
    use chrono::Utc;

    fn credential(id: &str, agent: &str, status: CredentialStatus) -> Credential {
        Credential {
            status,
            ..fixtures::credential(id, agent)
        }
    }

    #[test]
    fn full_sync_then_incremental() {
        let mut f = Fleet::new();
        let changed = f.apply(Changes {
            cursor: 5,
            full: true,
            agents: vec![agent("a1", "one"), agent("a2", "two")],
            credentials: vec![
                credential("c1", "a1", CredentialStatus::Active),
                credential("c2", "a1", CredentialStatus::Active),
            ],
            ..Changes::default()
        });
        assert!(changed);
        assert_eq!(f.len(), 2);
        assert_eq!(f.summary(f.position("a1").unwrap()).live_credentials, 2);
        let g = f.generation;
        f.apply(Changes {
            cursor: 6,
            credentials: vec![credential("c1", "a1", CredentialStatus::Revoked)],
            ..Changes::default()
        });
        assert_eq!(f.summary(f.position("a1").unwrap()).live_credentials, 1);
        assert!(f.generation > g);
        assert_eq!(f.cursor, 6);
        // An empty poll moves nothing.
        let g = f.generation;
        assert!(!f.apply(Changes {
            cursor: 6,
            ..Changes::default()
        }));
        assert_eq!(f.generation, g);
    }

    #[test]
    fn agents_removed_in_one_poll_leave_every_item_with_its_own_agent() {
        let mut f = Fleet::new();
        let ids: Vec<String> = (0..6).map(|i| format!("a{i}")).collect();
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: ids.iter().map(|id| agent(id, id)).collect(),
            credentials: ids
                .iter()
                .map(|id| credential(&format!("c-{id}"), id, CredentialStatus::Active))
                .collect(),
            alerts: ids
                .iter()
                .map(|id| alertmanager_alert(&format!("x-{id}"), id))
                .collect(),
            ..Changes::default()
        });
        // Two from the middle: the last agents swap into their places.
        let gone = |id: &str| crate::api::Removed {
            kind: "agent".into(),
            id: id.into(),
            rev: 2,
        };
        f.apply(Changes {
            cursor: 2,
            removed: vec![gone("a1"), gone("a2")],
            ..Changes::default()
        });
        assert_eq!(f.len(), 4);
        for i in 0..6 {
            let c = f.credential_at(i).expect("every credential stays");
            assert_eq!(f.credential_agent(i), f.position(&c.agent_id), "{}", c.id);
            let a = f.alert_at(i).expect("every alert stays");
            let named = a.agent_id.as_deref().and_then(|id| f.position(id));
            assert_eq!(f.alert_agent(i), named, "{}", a.id);
        }
    }

    #[test]
    fn a_full_answer_replaces_the_copy() {
        let mut f = Fleet::new();
        f.apply(Changes {
            cursor: 2,
            full: true,
            agents: vec![agent("a1", "one")],
            ..Changes::default()
        });
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("b1", "other")],
            ..Changes::default()
        });
        assert_eq!(f.len(), 1);
        assert!(f.agent("a1").is_none());
    }

    #[test]
    fn hostile_strings_are_escaped_on_entry() {
        let mut f = Fleet::new();
        let mut a = agent("a1", "evil\u{1b}[2Jname\u{202e}");
        a.description = Some("line\nbreak".into());
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![a],
            ..Changes::default()
        });
        let a = f.agent("a1").unwrap();
        assert!(
            !a.name.contains('\u{1b}') && !a.name.contains('\u{202e}'),
            "{}",
            a.name
        );
        assert!(!a.description.as_ref().unwrap().contains('\n'));
    }

    #[test]
    fn hostile_labels_are_escaped_though_their_set_is_shared() {
        // Read from JSON, as the client does: the sets are interned.
        let json = r#"{"team":"evil\u001b[2J","k\u202e":"v"}"#;
        let labels: Labels = serde_json::from_str(json).unwrap();
        let again: Labels = serde_json::from_str(json).unwrap();
        assert!(labels.shares_with(&again));
        let mut a = agent("a1", "one");
        a.labels = labels;
        let mut f = Fleet::new();
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![a],
            ..Changes::default()
        });
        let held = &f.agent("a1").unwrap().labels;
        assert!(
            held.iter()
                .all(|(k, v)| !k.contains('\u{202e}') && !v.contains('\u{1b}')),
            "{held:?}"
        );
        assert!(
            again.get("team").unwrap().contains('\u{1b}'),
            "the shared copy is not changed"
        );
    }

    #[test]
    fn risk_is_the_worst_open_alert() {
        let mut f = Fleet::new();
        let alert = |id: &str, sev, status| Alert {
            id: id.into(),
            agent_id: Some("a1".into()),
            rule: "R18".into(),
            severity: sev,
            summary: String::new(),
            evidence: String::new(),
            mapping: Vec::new(),
            status,
            source: "warden".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            acknowledged_by: None,
            ack_reason: None,
            resolved_at: None,
            snoozed_until: None,
            snoozed_by: None,
            snooze_reason: None,
            rev: 1,
        };
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("a1", "one")],
            alerts: vec![
                alert("x", Severity::Medium, AlertStatus::Open),
                alert("y", Severity::Critical, AlertStatus::Resolved),
            ],
            ..Changes::default()
        });
        let s = f.summary(0);
        assert_eq!((s.open_alerts, s.risk), (1, Some(Severity::Medium)));
        assert_eq!(f.counts().alerts[Severity::Medium as usize], 1);
    }

    #[test]
    fn an_alert_that_moves_or_goes_leaves_no_count_behind() {
        let mut f = Fleet::new();
        let mut alert = alertmanager_alert("am/fp", "a1");
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("a1", "one"), agent("a2", "two")],
            alerts: vec![alert.clone()],
            ..Changes::default()
        });
        assert_eq!(f.summary(0).open_alerts, 1);
        alert.agent_id = Some("a2".into());
        f.apply(Changes {
            cursor: 1,
            alerts: vec![alert],
            ..Changes::default()
        });
        assert_eq!(f.summary(0).open_alerts, 0, "moved away");
        assert_eq!(f.summary(1).open_alerts, 1);
        assert!(f.alerts_of("a1").is_empty());
        f.apply(Changes {
            cursor: 1,
            removed: vec![crate::api::Removed {
                kind: "alert".into(),
                id: "am/fp".into(),
                rev: 0,
            }],
            ..Changes::default()
        });
        assert_eq!(f.summary(1).open_alerts, 0);
        assert!(f.links.get("a2").is_some_and(|l| l.alerts.is_empty()));
    }

    #[test]
    fn another_backends_alert_on_an_agent_outlives_its_backends_full_answer() {
        let mut f = Fleet::new();
        let full = || Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("prod/a1", "one")],
            credentials: vec![credential("prod/c1", "prod/a1", CredentialStatus::Active)],
            ..Changes::default()
        };
        f.apply_from(Some("prod"), full());
        let alert = alertmanager_alert("am/fp", "prod/a1");
        f.apply_from(
            Some("am"),
            Changes {
                cursor: 1,
                alerts: vec![alert],
                ..Changes::default()
            },
        );
        assert_eq!(f.summary(0).open_alerts, 1);
        // prod answers in full again (a restart, a lost cursor).
        f.apply_from(Some("prod"), full());
        let s = f.summary(0);
        assert_eq!(
            (s.open_alerts, s.credentials),
            (1, 1),
            "nothing counted twice or lost"
        );
        assert_eq!(f.alerts_of("prod/a1").len(), 1);
        assert_eq!(f.credentials_of("prod/a1").len(), 1);
    }

    #[test]
    fn counts_kept_poll_by_poll_are_the_counts_recounted() {
        let mut f = Fleet::new();
        let mut agents: Vec<Agent> = (0..20)
            .map(|i| agent(&format!("a{i}"), &format!("n{i}")))
            .collect();
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: agents.clone(),
            ..Changes::default()
        });
        for (i, a) in agents.iter_mut().enumerate().take(10) {
            a.status = [
                AgentStatus::Suspended,
                AgentStatus::Killed,
                AgentStatus::Dormant,
            ][i % 3];
            a.name = format!("z{i}");
        }
        f.apply(Changes {
            cursor: 2,
            agents: agents[..10].to_vec(),
            ..Changes::default()
        });
        assert!(f.changed_since(f.generation - 1).is_some());
        let kept = f.counts();
        f.recount();
        assert_eq!(kept, f.counts());
        assert_eq!((kept.suspended, kept.killed, kept.active), (4, 3, 10));
        // The name order followed the renames.
        let names: Vec<&str> = f
            .by_name()
            .iter()
            .map(|&i| f.agents()[i].name.as_str())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }
}
