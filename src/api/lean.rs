//! The lean form of the first sync (`GET /v1/changes?since=0&form=lean`):
//! what the dashboard's tables, header and lists need of a whole fleet, in
//! as few bytes and as little parsing as the JSON allows. It owns the wire
//! types of that answer, how the server makes them from the summary form's
//! answer, and how a client turns them back into [`Changes`].
//!
//! What makes it cheaper to read than the summary form (measured with
//! serde_json on 200,000 agents: 0.42 s, then 0.27 s with each of the
//! steps below; issue 18):
//!
//! - times are integers, milliseconds since the Unix epoch (UTC): parsing
//!   an RFC 3339 text was about a third of an agent's parse;
//! - each agent's counts are inside its record, not in a second list that
//!   names every agent again;
//! - an agent's labels are a number, its place in `label_sets` (a fleet
//!   has a few sets; before, each agent's map was read, allocated and
//!   then thrown away by interning);
//! - nulls, zeros and defaults are left out (`updated_at` when it equals
//!   `created_at`, an alert's `source` when it is `warden`);
//! - an alert carries what its list and the header show (id, agent, rule,
//!   severity, summary, status, times, who acknowledged it), not its
//!   evidence, mapping or the reasons given for it: the dashboard reads
//!   the whole alert (`GET /v1/alerts/{id}`) when it is opened.
//!
//! Only a full answer comes in this form; the polls after it ask the
//! summary form (`since=N&form=summary`), as before.

use super::{Changes, Holdings};
use crate::model::*;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The value of `form` that asks for it, and that its answer carries.
pub const FORM: &str = "lean";
/// The answer's header naming its form, so a client knows which types to
/// read it into before reading it (a backend that ignores `form` answers
/// in full, without it).
pub const FORM_HEADER: &str = "x-warden-form";

/// Any answer of `GET /v1/changes`, for the OpenAPI document: the full or
/// summary form's, or the lean form's.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum AnyChanges {
    Changes(Changes),
    Lean(LeanChanges),
}

/// A full answer of the changes feed in the lean form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LeanChanges {
    pub cursor: i64,
    /// Always true: only a full answer comes in this form.
    pub full: bool,
    /// Always `lean`.
    pub form: String,
    /// The distinct label sets; an agent's `labels` is a place in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<BTreeMap<String, String>>")]
    pub label_sets: Vec<Labels>,
    pub agents: Vec<LeanAgent>,
    pub people: Vec<Person>,
    pub delegations: Vec<LeanDelegation>,
    pub alerts: Vec<LeanAlert>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn is_warden(source: &Option<String>) -> bool {
    source.is_none()
}

/// An agent with what it holds, counted. Absent fields are null, zero, or
/// (`updated_at`) the same as `created_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LeanAgent {
    pub id: String,
    pub name: String,
    pub kind: AgentKind,
    pub environment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    /// Its place in `label_sets`; absent: no labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<u32>,
    pub status: AgentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Milliseconds since the Unix epoch, as every time of this form.
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<i64>,
    pub rev: i64,
    /// Every credential, whatever its status.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub credentials: u32,
    /// Active and not expired when the answer was made.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub live_credentials: u32,
    /// The soonest expiry among the live credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_expiry: Option<i64>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub grants: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highest_level: Option<GrantLevel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LeanDelegation {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_person: Option<String>,
    pub child_agent: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub rev: i64,
}

/// An alert as its list shows it: no evidence, mapping, acknowledgement
/// or snooze reason, nor who snoozed it (`GET /v1/alerts/{id}` has them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LeanAlert {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    pub rule: String,
    pub severity: Severity,
    pub summary: String,
    pub status: AlertStatus,
    /// Absent: `warden`.
    #[serde(default, skip_serializing_if = "is_warden")]
    pub source: Option<String>,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<i64>,
    pub rev: i64,
}

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Why a lean answer cannot be read back.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LeanError {
    #[error("a time of {0} ms is out of range")]
    Time(i64),
    #[error("agent {agent:?} names label set {set}, and the answer has {sets}")]
    Labels {
        agent: String,
        set: u32,
        sets: usize,
    },
}

fn time(ms: i64) -> Result<DateTime<Utc>, LeanError> {
    DateTime::from_timestamp_millis(ms).ok_or(LeanError::Time(ms))
}

fn time_opt(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, LeanError> {
    ms.map(time).transpose()
}

impl LeanChanges {
    /// The lean form of a full answer in the summary form, its agents in
    /// the same order.
    pub fn from_summary(changes: Changes) -> LeanChanges {
        let counted: HashMap<&str, &Holdings> = changes
            .summaries
            .iter()
            .map(|h| (h.agent_id.as_str(), h))
            .collect();
        let mut sets: HashMap<BTreeMap<String, String>, u32> = HashMap::new();
        let mut label_sets = Vec::new();
        let mut agents = Vec::with_capacity(changes.agents.len());
        for a in changes.agents {
            let labels = (!a.labels.is_empty()).then(|| match sets.get(&*a.labels) {
                Some(&set) => set,
                None => {
                    let set = u32::try_from(label_sets.len()).unwrap_or(u32::MAX);
                    sets.insert((*a.labels).clone(), set);
                    label_sets.push(a.labels.clone());
                    set
                }
            });
            let h = counted.get(a.id.as_str());
            agents.push(LeanAgent {
                credentials: h.map_or(0, |h| h.credentials),
                live_credentials: h.map_or(0, |h| h.live_credentials),
                next_expiry: h.and_then(|h| h.next_expiry).map(millis),
                grants: h.map_or(0, |h| h.grants),
                highest_level: h.and_then(|h| h.highest_level),
                id: a.id,
                name: a.name,
                kind: a.kind,
                environment: a.environment,
                owner: a.owner,
                description: a.description,
                runtime: a.runtime,
                labels,
                status: a.status,
                created_by: a.created_by,
                created_at: millis(a.created_at),
                updated_at: (a.updated_at != a.created_at).then(|| millis(a.updated_at)),
                last_seen_at: a.last_seen_at.map(millis),
                rev: a.rev,
            });
        }
        drop(counted);
        LeanChanges {
            cursor: changes.cursor,
            full: true,
            form: FORM.into(),
            label_sets,
            agents,
            people: changes.people,
            delegations: changes
                .delegations
                .into_iter()
                .map(|d| LeanDelegation {
                    id: d.id,
                    parent_agent: d.parent_agent,
                    parent_person: d.parent_person,
                    child_agent: d.child_agent,
                    on_behalf_of: d.on_behalf_of,
                    scopes: d.scopes,
                    created_at: millis(d.created_at),
                    rev: d.rev,
                })
                .collect(),
            alerts: changes.alerts.into_iter().map(lean_alert).collect(),
        }
    }

    /// The answer as the summary form's types: each agent's counts in
    /// `summaries` (for the agents holding anything, as that form lists
    /// them), each alert without what this form leaves out (empty
    /// evidence and mapping, no reasons).
    pub fn into_changes(self) -> Result<Changes, LeanError> {
        let sets = self.label_sets;
        let mut agents = Vec::with_capacity(self.agents.len());
        let mut summaries = Vec::new();
        for a in self.agents {
            let labels = match a.labels {
                None => Labels::default(),
                Some(set) => sets
                    .get(set as usize)
                    .cloned()
                    .ok_or_else(|| LeanError::Labels {
                        agent: a.id.clone(),
                        set,
                        sets: sets.len(),
                    })?,
            };
            if a.credentials > 0 || a.grants > 0 {
                summaries.push(Holdings {
                    agent_id: a.id.clone(),
                    credentials: a.credentials,
                    live_credentials: a.live_credentials,
                    next_expiry: time_opt(a.next_expiry)?,
                    grants: a.grants,
                    highest_level: a.highest_level,
                });
            }
            let created_at = time(a.created_at)?;
            agents.push(Agent {
                id: a.id,
                name: a.name,
                kind: a.kind,
                environment: a.environment,
                owner: a.owner,
                description: a.description,
                runtime: a.runtime,
                labels,
                status: a.status,
                created_by: a.created_by,
                created_at,
                updated_at: time_opt(a.updated_at)?.unwrap_or(created_at),
                last_seen_at: time_opt(a.last_seen_at)?,
                rev: a.rev,
            });
        }
        let delegations = self
            .delegations
            .into_iter()
            .map(|d| {
                Ok(Delegation {
                    id: d.id,
                    parent_agent: d.parent_agent,
                    parent_person: d.parent_person,
                    child_agent: d.child_agent,
                    on_behalf_of: d.on_behalf_of,
                    scopes: d.scopes,
                    created_at: time(d.created_at)?,
                    rev: d.rev,
                })
            })
            .collect::<Result<_, LeanError>>()?;
        let alerts = self
            .alerts
            .into_iter()
            .map(full_alert)
            .collect::<Result<_, LeanError>>()?;
        Ok(Changes {
            cursor: self.cursor,
            full: true,
            agents,
            people: self.people,
            credentials: Vec::new(),
            grants: Vec::new(),
            delegations,
            alerts,
            removed: Vec::new(),
            summary: true,
            summaries,
        })
    }
}

fn lean_alert(a: Alert) -> LeanAlert {
    LeanAlert {
        created_at: millis(a.created_at),
        updated_at: (a.updated_at != a.created_at).then(|| millis(a.updated_at)),
        id: a.id,
        agent_id: a.agent_id,
        rule: a.rule,
        severity: a.severity,
        summary: a.summary,
        status: a.status,
        source: (a.source != "warden").then_some(a.source),
        acknowledged_by: a.acknowledged_by,
        resolved_at: a.resolved_at.map(millis),
        snoozed_until: a.snoozed_until.map(millis),
        rev: a.rev,
    }
}

fn full_alert(a: LeanAlert) -> Result<Alert, LeanError> {
    let created_at = time(a.created_at)?;
    Ok(Alert {
        id: a.id,
        agent_id: a.agent_id,
        rule: a.rule,
        severity: a.severity,
        summary: a.summary,
        evidence: String::new(),
        mapping: Vec::new(),
        status: a.status,
        source: a.source.unwrap_or_else(|| "warden".into()),
        created_at,
        updated_at: time_opt(a.updated_at)?.unwrap_or(created_at),
        acknowledged_by: a.acknowledged_by,
        ack_reason: None,
        resolved_at: time_opt(a.resolved_at)?,
        snoozed_until: time_opt(a.snoozed_until)?,
        snoozed_by: None,
        snooze_reason: None,
        rev: a.rev,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::agent;

    fn counted(id: &str, credentials: u32) -> Holdings {
        Holdings {
            agent_id: id.into(),
            credentials,
            live_credentials: credentials,
            grants: 1,
            highest_level: Some(GrantLevel::Read),
            ..Holdings::default()
        }
    }

    #[test]
    fn a_round_trip_keeps_the_agents_counts_and_shares_label_sets() {
        let mut a1 = agent("a1", "one");
        a1.labels = Labels::from([("team".to_string(), "pay".to_string())]);
        let mut a2 = agent("a2", "two");
        a2.labels = a1.labels.clone();
        let a3 = agent("a3", "three");
        let summary = Changes {
            cursor: 9,
            full: true,
            summary: true,
            agents: vec![a1.clone(), a2, a3],
            summaries: vec![counted("a1", 3)],
            ..Changes::default()
        };
        let lean = LeanChanges::from_summary(summary);
        assert_eq!(lean.label_sets.len(), 1, "one set for both agents");
        assert_eq!(lean.agents[1].labels, Some(0));
        assert_eq!(lean.agents[2].labels, None);
        let json = serde_json::to_string(&lean).unwrap();
        assert!(!json.contains("null"), "{json}");
        let back: LeanChanges = serde_json::from_str(&json).unwrap();
        let changes = back.into_changes().unwrap();
        assert!(changes.full && changes.summary);
        assert_eq!(changes.summaries, vec![counted("a1", 3)]);
        let ms = |t: DateTime<Utc>| t.timestamp_millis();
        assert_eq!(ms(changes.agents[0].created_at), ms(a1.created_at));
        assert!(
            changes.agents[0]
                .labels
                .shares_with(&changes.agents[1].labels)
        );
    }

    #[test]
    fn a_label_set_that_is_not_there_is_an_error_that_names_the_agent() {
        let mut lean = LeanChanges::from_summary(Changes {
            full: true,
            agents: vec![agent("a1", "one")],
            ..Changes::default()
        });
        lean.agents[0].labels = Some(4);
        let e = lean.into_changes().unwrap_err();
        assert_eq!(
            e.to_string(),
            "agent \"a1\" names label set 4, and the answer has 0"
        );
    }
}
