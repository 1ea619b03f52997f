//! What agents do, as the rules need it: the per-minute
//! activity series, the destinations each agent has used, the identities a
//! delegation chain names, and the count of refused attempts (R18). Every
//! statement here goes through a primary key or an index, so a batch costs
//! what it carries, not the agent's history.

use super::rows::{self, PERSON_COLS, to_ms};
use crate::model::{ORIGIN_LABEL, ORIGIN_SHADOW};
use crate::server::store::db::{Db, OptionalExt, params};
use crate::server::store::{
    ACTIVITY_MINUTES, AgentRef, BatchFacts, BatchObservation, IdentityFact, MinuteFact,
    RefusalCount, StoreResult,
};
use chrono::{DateTime, Utc};

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn unix_minute(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(60)
}

pub fn observe(tx: &Db, agent_id: &str, b: &BatchObservation) -> StoreResult<BatchFacts> {
    let kept = || b.minutes.iter().filter(|m| m.minute >= b.keep_from_minute);
    let mut add = tx.prepare_cached(
        "INSERT INTO activity_minutes (agent_id, minute, calls) VALUES (?1, ?2, ?3) \
         ON CONFLICT (agent_id, minute) DO UPDATE SET calls = activity_minutes.calls + excluded.calls",
    )?;
    for m in kept() {
        add.execute(params![agent_id, m.minute, m.calls])?;
    }
    // Pruned here for the agents that report; the sweep prunes the rest.
    tx.prepare_cached("DELETE FROM activity_minutes WHERE agent_id = ?1 AND minute < ?2")?
        .execute(params![agent_id, b.keep_from_minute])?;

    let mut current = tx
        .prepare_cached("SELECT calls FROM activity_minutes WHERE agent_id = ?1 AND minute = ?2")?;
    let mut window = tx.prepare_cached(
        "SELECT COUNT(*), CAST(COALESCE(SUM(calls), 0) AS BIGINT) FROM activity_minutes \
         WHERE agent_id = ?1 AND minute >= ?2 AND minute < ?3",
    )?;
    let mut minutes = Vec::new();
    for m in kept() {
        let calls: i64 = current
            .query_row(params![agent_id, m.minute], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let from = m.minute - i64::from(b.baseline_minutes);
        let (active, sum): (i64, i64) = window
            .query_row(params![agent_id, from, m.minute], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        minutes.push(MinuteFact {
            minute: m.minute,
            calls: count(calls),
            usual: if active > 0 {
                sum as f64 / active as f64
            } else {
                0.0
            },
            active_minutes: count(active),
        });
    }

    // The first destination ever seen is the agent's first event: what
    // it was doing before this batch decides whether it is still learning.
    let first: Option<i64> = tx
        .prepare_cached("SELECT MIN(first_seen_at) FROM known_destinations WHERE agent_id = ?1")?
        .query_row(params![agent_id], |r| r.get(0))?;
    let mut learn = tx.prepare_cached(
        "INSERT INTO known_destinations (agent_id, destination, first_seen_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (agent_id, destination) DO NOTHING",
    )?;
    // An event reported late, from before the first one seen, moves the
    // first sighting (and so the start of learning) back to when it was.
    let mut earlier = tx.prepare_cached(
        "UPDATE known_destinations SET first_seen_at = ?3 \
         WHERE agent_id = ?1 AND destination = ?2 AND first_seen_at > ?3",
    )?;
    let mut new_destinations = Vec::new();
    for (destination, at) in &b.destinations {
        if learn.execute(params![agent_id, destination, to_ms(*at)])? == 1 {
            new_destinations.push(destination.clone());
        } else {
            earlier.execute(params![agent_id, destination, to_ms(*at)])?;
        }
    }
    let known: i64 = tx
        .prepare_cached("SELECT COUNT(*) FROM known_destinations WHERE agent_id = ?1")?
        .query_row(params![agent_id], |r| r.get(0))?;

    let mut identities = Vec::with_capacity(b.identities.len());
    for key in &b.identities {
        identities.push(identity(tx, key)?);
    }
    Ok(BatchFacts {
        minutes,
        first_activity: first.map(time),
        new_destinations,
        known_destinations: usize::try_from(known).unwrap_or(0),
        identities,
    })
}

/// A person (by id or email) and the scopes they delegated, and an agent
/// (by id or name), named `key`.
fn identity(conn: &Db, key: &str) -> StoreResult<IdentityFact> {
    let person = conn
        .prepare_cached(&format!(
            "SELECT {PERSON_COLS} FROM people WHERE id = ?1 OR lower(email) = lower(?1) LIMIT 1"
        ))?
        .query_row(params![key], rows::person)
        .optional()?;
    let person = match person {
        Some(p) => {
            let scopes = conn
                .prepare_cached(
                    "SELECT DISTINCT s.value FROM delegations d, json_each(d.scopes) s \
                     WHERE d.parent_person = ?1 ORDER BY 1",
                )?
                .query_map(params![&p.id], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Some((p, scopes))
        }
        None => None,
    };
    let found = conn
        .prepare_cached("SELECT id, name, labels FROM agents WHERE id = ?1 OR name = ?1 LIMIT 1")?
        .query_row(params![key], |r| {
            let labels: String = r.get(2)?;
            Ok((
                AgentRef {
                    id: r.get(0)?,
                    name: r.get(1)?,
                },
                labels,
            ))
        })
        .optional()?;
    let shadow = found.as_ref().is_some_and(|(_, labels)| {
        serde_json::from_str::<std::collections::BTreeMap<String, String>>(labels)
            .is_ok_and(|l| l.get(ORIGIN_LABEL).map(String::as_str) == Some(ORIGIN_SHADOW))
    });
    Ok(IdentityFact {
        key: key.to_string(),
        person,
        agent: found.map(|(a, _)| a),
        shadow,
    })
}

pub fn series(conn: &Db, agent_id: &str, now: DateTime<Utc>) -> StoreResult<Vec<u32>> {
    let last = unix_minute(now);
    let first = last - ACTIVITY_MINUTES as i64 + 1;
    let mut out = vec![0; ACTIVITY_MINUTES];
    let mut stmt = conn.prepare_cached(
        "SELECT minute, calls FROM activity_minutes \
         WHERE agent_id = ?1 AND minute >= ?2 AND minute <= ?3",
    )?;
    let rows = stmt.query_map(params![agent_id, first, last], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (minute, calls) = row?;
        if let Some(slot) = usize::try_from(minute - first)
            .ok()
            .and_then(|i| out.get_mut(i))
        {
            *slot = count(calls);
        }
    }
    Ok(out)
}

pub fn prune(tx: &Db, before: DateTime<Utc>) -> StoreResult<usize> {
    Ok(tx.execute(
        "DELETE FROM activity_minutes WHERE minute < ?1",
        params![unix_minute(before)],
    )?)
}

pub fn note_refusal(
    tx: &Db,
    agent_id: &str,
    credential_id: &str,
    at: DateTime<Utc>,
    episode_start: DateTime<Utc>,
) -> StoreResult<RefusalCount> {
    let (attempts, first_at): (i64, i64) = tx.query_row(
        "INSERT INTO refused_attempts (agent_id, attempts, first_at, last_at, last_credential) \
         VALUES (?1, 1, ?3, ?3, ?2) \
         ON CONFLICT (agent_id) DO UPDATE SET \
           attempts = CASE WHEN refused_attempts.last_at < ?4 THEN 1 \
                      ELSE refused_attempts.attempts + 1 END, \
           first_at = CASE WHEN refused_attempts.last_at < ?4 THEN ?3 \
                      ELSE refused_attempts.first_at END, \
           last_at = ?3, last_credential = ?2 \
         RETURNING attempts, first_at",
        params![agent_id, credential_id, to_ms(at), to_ms(episode_start)],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(RefusalCount {
        attempts: count(attempts),
        first_at: time(first_at),
    })
}
