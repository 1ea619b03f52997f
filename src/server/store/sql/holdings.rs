//! What each agent holds, counted in the database for the changes feed's
//! summary form: credentials (all, live, the soonest live expiry) and
//! grants (how many, the highest level), grouped by agent in one pass each
//! instead of every row sent and counted by the client.

use crate::api::Holdings;
use crate::model::{Agent, GrantLevel};
use crate::server::store::StoreResult;
use crate::server::store::db::{Db, ToValue, Value, params};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

const CREDENTIALS: &str = "SELECT agent_id, COUNT(*), \
       SUM(CASE WHEN status = 'active' AND (expires_at IS NULL OR expires_at > ?1) \
           THEN 1 ELSE 0 END), \
       MIN(CASE WHEN status = 'active' AND expires_at > ?1 THEN expires_at END) \
     FROM credentials";
const GRANTS: &str = "SELECT agent_id, COUNT(*), \
       MAX(CASE level WHEN 'admin' THEN 3 WHEN 'write' THEN 2 ELSE 1 END) \
     FROM grants";

/// Every agent holding a credential or a grant, by agent id.
pub fn all(conn: &Db) -> StoreResult<Vec<Holdings>> {
    let mut out = BTreeMap::new();
    count(conn, None, &mut out)?;
    Ok(out.into_values().collect())
}

/// The agents an answer after `from` touches: those whose credentials or
/// grants changed, and the `agents` it carries (a removed grant moves its
/// agent's revision, the only trace a deleted row leaves). An agent that
/// holds nothing any more is counted as zeros, so the client forgets what
/// it had.
pub fn touched(conn: &Db, from: i64, agents: &[Agent]) -> StoreResult<Vec<Holdings>> {
    let mut out: BTreeMap<String, Holdings> = BTreeMap::new();
    for table in ["credentials", "grants"] {
        conn.for_each(
            &format!("SELECT DISTINCT agent_id FROM {table} WHERE rev > ?1"),
            params![from],
            |r| {
                let id: String = r.get(0)?;
                out.insert(id.clone(), zero(id));
                Ok(true)
            },
        )?;
    }
    for a in agents {
        out.insert(a.id.clone(), zero(a.id.clone()));
    }
    let ids: Vec<String> = out.keys().cloned().collect();
    // A chunk of agents at a time: bound parameters are limited.
    for chunk in ids.chunks(500) {
        count(conn, Some(chunk), &mut out)?;
    }
    Ok(out.into_values().collect())
}

fn zero(agent_id: String) -> Holdings {
    Holdings {
        agent_id,
        ..Holdings::default()
    }
}

/// ` WHERE agent_id IN (?first, …)` for `ids`, or nothing for every agent.
fn only(ids: Option<&[String]>, first: usize) -> String {
    ids.map_or_else(String::new, |ids| {
        let marks: Vec<String> = (0..ids.len()).map(|i| format!("?{}", first + i)).collect();
        format!(" WHERE agent_id IN ({})", marks.join(", "))
    })
}

/// Counts what the agents `ids` (every agent: `None`) hold into `out`.
fn count(
    conn: &Db,
    ids: Option<&[String]>,
    out: &mut BTreeMap<String, Holdings>,
) -> StoreResult<()> {
    let texts: Vec<Value> = ids
        .unwrap_or_default()
        .iter()
        .map(|id| Value::Text(id.clone()))
        .collect();
    let mut values = vec![Value::Int(Utc::now().timestamp_millis())];
    values.extend(texts);
    let refs: Vec<&dyn ToValue> = values.iter().map(|v| v as &dyn ToValue).collect();
    conn.for_each(
        &format!("{CREDENTIALS}{} GROUP BY agent_id", only(ids, 2)),
        &refs,
        |r| {
            let id: String = r.get(0)?;
            let h = out.entry(id.clone()).or_insert_with(|| zero(id));
            h.credentials = r.get(1)?;
            h.live_credentials = r.get(2)?;
            h.next_expiry = r
                .get::<_, Option<i64>>(3)?
                .and_then(DateTime::<Utc>::from_timestamp_millis);
            Ok(true)
        },
    )?;
    // No clock in this one: the ids are bound from the first mark.
    conn.for_each(
        &format!("{GRANTS}{} GROUP BY agent_id", only(ids, 1)),
        &refs[1..],
        |r| {
            let id: String = r.get(0)?;
            let h = out.entry(id.clone()).or_insert_with(|| zero(id));
            h.grants = r.get(1)?;
            h.highest_level = Some(match r.get::<_, i64>(2)? {
                3 => GrantLevel::Admin,
                2 => GrantLevel::Write,
                _ => GrantLevel::Read,
            });
            Ok(true)
        },
    )?;
    Ok(())
}
