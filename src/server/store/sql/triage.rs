//! The ownership triage's reads: the queue (agents not killed with
//! no owner or a departed one) found through the owner index, then one
//! query per kind of evidence for the whole queue at once, each joined from
//! the queue's ids through an index (never one query per agent).

use super::people;
use super::rows::{self, AGENT_COLS, to_json, to_ms};
use crate::model::{GrantLevel, Severity};
use crate::server::store::db::{Db, DbError, DbResult, params};
use crate::server::store::{StoreResult, TriageAgentFacts, TriageFacts};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

/// Reads everything at one revision: the caller wraps it in a read
/// transaction.
pub fn facts(conn: &Db, activity_since: DateTime<Utc>) -> StoreResult<TriageFacts> {
    let people = people::list(conn)?;
    let mut agents = queue(conn)?;
    if agents.is_empty() {
        return Ok(TriageFacts { people, agents });
    }
    let ids = to_json(&agents.iter().map(|a| &a.agent.id).collect::<Vec<_>>());
    let index: HashMap<String, usize> = agents
        .iter()
        .enumerate()
        .map(|(i, a)| (a.agent.id.clone(), i))
        .collect();
    let at = |id: &str| index.get(id).copied();

    for (id, severity) in open_alert_severities(conn, &ids)? {
        if let Some(i) = at(&id) {
            let risk = &mut agents[i].risk;
            *risk = (*risk).max(Some(severity));
        }
    }
    for (id, level) in highest_levels(conn, &ids)? {
        if let Some(i) = at(&id) {
            agents[i].highest_level = Some(level);
        }
    }
    let mut delegators: BTreeMap<(usize, String), u32> = BTreeMap::new();
    for (id, people) in delegation_people(conn, &ids)? {
        if let Some(i) = at(&id) {
            for p in people {
                *delegators.entry((i, p)).or_default() += 1;
            }
        }
    }
    for ((i, person), n) in delegators {
        agents[i].delegators.push((person, n));
    }
    for (id, identity, n) in acted_for(conn, &ids, activity_since)? {
        if let Some(i) = at(&id) {
            agents[i].acted_for.push((identity, n));
        }
    }
    Ok(TriageFacts { people, agents })
}

/// The queue, in registration order. The two halves go through
/// `agents_owner`: the agents with no owner, and those of each departed
/// person (spelled CROSS JOIN so the planner starts from the few departed
/// people rather than every agent).
fn queue(conn: &Db) -> StoreResult<Vec<TriageAgentFacts>> {
    let prefixed = AGENT_COLS
        .split(", ")
        .map(|c| format!("a.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {AGENT_COLS} FROM agents WHERE owner_id IS NULL AND status != 'killed' \
         UNION ALL \
         SELECT {prefixed} FROM people p CROSS JOIN agents a ON a.owner_id = p.id \
         WHERE p.status = 'departed' AND a.status != 'killed' \
         ORDER BY 1"
    ))?;
    let v = stmt
        .query_map(params![], |r| {
            Ok(TriageAgentFacts {
                agent: rows::agent(r)?,
                risk: None,
                highest_level: None,
                delegators: Vec::new(),
                acted_for: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

fn parse<T: std::str::FromStr<Err = String>>(text: &str) -> DbResult<T> {
    text.parse().map_err(DbError::Conversion)
}

/// (agent id, severity) of every open alert of the queue.
fn open_alert_severities(conn: &Db, ids: &str) -> StoreResult<Vec<(String, Severity)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT al.agent_id, al.severity FROM json_each(?1) q \
         CROSS JOIN alerts al ON al.agent_id = q.value WHERE al.status = 'open'",
    )?;
    let v = stmt
        .query_map(params![ids], |r| {
            Ok((r.get(0)?, parse(&r.get::<_, String>(1)?)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// (agent id, highest level) for each agent of the queue with a grant.
fn highest_levels(conn: &Db, ids: &str) -> StoreResult<Vec<(String, GrantLevel)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT g.agent_id, \
                MAX(CASE g.level WHEN 'admin' THEN 3 WHEN 'write' THEN 2 ELSE 1 END) \
         FROM json_each(?1) q CROSS JOIN grants g ON g.agent_id = q.value \
         GROUP BY g.agent_id",
    )?;
    let v = stmt
        .query_map(params![ids], |r| {
            let level = match r.get::<_, i64>(1)? {
                3 => GrantLevel::Admin,
                2 => GrantLevel::Write,
                _ => GrantLevel::Read,
            };
            Ok((r.get(0)?, level))
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// (child agent id, the people one delegation names) for each delegation
/// to an agent of the queue; a person named twice by one delegation (from
/// Ada, for Ada) is named once.
fn delegation_people(conn: &Db, ids: &str) -> StoreResult<Vec<(String, Vec<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.child_agent, d.parent_person, d.on_behalf_of FROM json_each(?1) q \
         CROSS JOIN delegations d ON d.child_agent = q.value \
         WHERE d.parent_person IS NOT NULL OR d.on_behalf_of IS NOT NULL",
    )?;
    let v = stmt
        .query_map(params![ids], |r| {
            let parent: Option<String> = r.get(1)?;
            let on_behalf: Option<String> = r.get(2)?;
            let mut people: Vec<String> = parent.into_iter().chain(on_behalf).collect();
            people.dedup();
            Ok((r.get(0)?, people))
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// (agent id, identity, events) for each identity named in the chains of
/// the queue's events since `since`; an event counts once per identity.
fn acted_for(
    conn: &Db,
    ids: &str,
    since: DateTime<Utc>,
) -> StoreResult<Vec<(String, String, u32)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.agent_id, j.value, COUNT(DISTINCT e.id) FROM json_each(?1) q \
         CROSS JOIN events e ON e.agent_id = q.value AND e.at >= ?2 \
         CROSS JOIN json_each(e.on_behalf_of) j ON TRUE \
         WHERE j.type = 'text' \
         GROUP BY e.agent_id, j.value ORDER BY e.agent_id, j.value",
    )?;
    let v = stmt
        .query_map(params![ids, to_ms(since)], |r| {
            let n: i64 = r.get(2)?;
            Ok((r.get(0)?, r.get(1)?, u32::try_from(n).unwrap_or(u32::MAX)))
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}
