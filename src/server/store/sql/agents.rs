//! Agents: registration, lookup, ownership, suspension, killing.

use super::people;
use super::rows::{
    self, AGENT_COLS, ALERT_COLS, CREDENTIAL_COLS, DELEGATION_COLS, GRANT_COLS, now_ms, to_json,
};
use super::tx::{append_audit, next_rev, not_found};
use crate::api::NewAgent;
use crate::model::*;
use crate::secrets::new_id;
use crate::server::store::db::{Db, DbResult, OptionalExt, Row, params};
use crate::server::store::{Actor, StoreError, StoreResult};

/// Longest name, environment or runtime reference accepted.
const MAX_FIELD: usize = 256;

pub fn get(conn: &Db, id: &str) -> StoreResult<Agent> {
    conn.query_row(
        &format!("SELECT {AGENT_COLS} FROM agents WHERE id = ?1"),
        params![id],
        rows::agent,
    )
    .optional()?
    .ok_or_else(|| not_found("agent", id))
}

/// By id, then by unique name.
pub fn resolve(conn: &Db, key: &str) -> StoreResult<Agent> {
    conn.query_row(
        &format!("SELECT {AGENT_COLS} FROM agents WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1"),
        params![key],
        rows::agent,
    )
    .optional()?
    .ok_or_else(|| not_found("agent", key))
}

/// An agent named inside a request body: missing is the body's fault (422).
pub fn referenced(conn: &Db, key: &str, role: &str) -> StoreResult<Agent> {
    resolve(conn, key).map_err(|e| match e {
        StoreError::NotFound(_) => {
            StoreError::Invalid(format!("{role} {key:?} is not a known agent"))
        }
        other => other,
    })
}

fn check_field(what: &str, value: &str) -> StoreResult<()> {
    if value.trim().is_empty() {
        return Err(StoreError::Invalid(format!("{what} must not be empty")));
    }
    if value.chars().count() > MAX_FIELD {
        return Err(StoreError::Invalid(format!(
            "{what} is longer than {MAX_FIELD} characters"
        )));
    }
    Ok(())
}

/// A name is how people tell agents apart and how they type them: no
/// invisible or control characters (two names that look the same must be
/// the same), no padding, none of the path steps `.` and `..`, and no
/// word shaped like an id (`agt_…`, `crd_…`, …).
fn check_name(name: &str) -> StoreResult<()> {
    check_field("name", name)?;
    if name.trim() != name {
        return Err(StoreError::Invalid(
            "the name must not start or end with spaces".into(),
        ));
    }
    if name == "." || name == ".." {
        return Err(StoreError::Invalid(format!(
            "{name:?} cannot be a name: it reads as a path step"
        )));
    }
    // Ids and names are looked up alike (`resolve`, `GET /v1/audit?agent=`):
    // a name that reads as an id could stand in for another agent.
    if let Some(word) = crate::secrets::id_like_word(name) {
        return Err(StoreError::Invalid(format!(
            "the name {name:?} holds {word:?}, which reads as an id ({}_…); \
             names must not look like ids",
            word.split('_').next().unwrap_or_default()
        )));
    }
    crate::server::text_policy::check("name", name, crate::server::text_policy::Kind::Name)
        .map_err(StoreError::Invalid)
}

/// The text policy on every field of a new agent ([`text_policy`]), and no
/// name that looks like another agent's: `раураl` in Cyrillic is refused
/// beside `paypal`.
fn check_text(tx: &Db, new: &NewAgent) -> StoreResult<()> {
    use crate::server::text_policy::{Kind, check};
    let invalid = StoreError::Invalid;
    check("name", &new.name, Kind::Name).map_err(invalid)?;
    check("environment", &new.environment, Kind::Line).map_err(invalid)?;
    if let Some(r) = &new.runtime {
        check("runtime", r, Kind::Line).map_err(invalid)?;
    }
    if let Some(d) = &new.description {
        check("description", d, Kind::Text).map_err(invalid)?;
    }
    for (k, v) in &new.labels {
        check("a label's key", k, Kind::Line).map_err(invalid)?;
        check(&format!("label {k:?}"), v, Kind::Line).map_err(invalid)?;
    }
    if let Some(other) = look_alike(tx, &new.name)? {
        return Err(StoreError::Conflict(format!(
            "the name {:?} looks like the agent {other:?}'s; names that look alike must be one",
            new.name
        )));
    }
    Ok(())
}

/// An existing agent whose name has the same skeleton as `name`, found by
/// the indexed `skeleton` column; rows without one yet (older databases,
/// bulk imports) get theirs first, once.
fn look_alike(tx: &Db, name: &str) -> StoreResult<Option<String>> {
    let mut missing = tx.prepare_cached("SELECT id, name FROM agents WHERE skeleton IS NULL")?;
    let rows: Vec<(String, String)> = missing
        .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut fill = tx.prepare_cached("UPDATE agents SET skeleton = ?2 WHERE id = ?1")?;
    for (id, other) in &rows {
        fill.execute(params![id, crate::server::text_policy::skeleton(other)])?;
    }
    let mut same = tx.prepare_cached(
        "SELECT name FROM agents WHERE skeleton = ?1 AND name <> ?2 ORDER BY name LIMIT 1",
    )?;
    let found: Option<String> = same
        .query_map(
            params![crate::server::text_policy::skeleton(name), name],
            |r| r.get(0),
        )?
        .next()
        .transpose()?;
    Ok(found)
}

pub fn create(tx: &Db, actor: &Actor, new: &NewAgent) -> StoreResult<Agent> {
    check_name(&new.name)?;
    check_field("environment", &new.environment)?;
    if let Some(r) = &new.runtime {
        check_field("runtime", r)?;
    }
    check_text(tx, new)?;
    if let Some(claimed) = super::shadows::claim(tx, actor, new)? {
        return Ok(claimed);
    }
    let exists: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM agents WHERE name = ?1)",
        params![&new.name],
        |r| r.get(0),
    )?;
    if exists {
        return Err(StoreError::Conflict(format!(
            "an agent named {:?} already exists",
            new.name
        )));
    }
    let owner = match new.owner.as_deref() {
        Some(o) => Some(people::referenced(tx, o, "owner")?.id),
        None => None,
    };
    let id = new_id("agt");
    let rev = next_rev(tx)?;
    let now = now_ms();
    tx.execute(
        "INSERT INTO agents (id, name, kind, environment, owner_id, description, runtime, labels, status, \
         created_by, created_at, updated_at, rev, skeleton) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'active', ?9, ?10, ?10, ?11, ?12)",
        params![
            id,
            new.name,
            new.kind.as_str(),
            new.environment,
            owner,
            new.description,
            new.runtime,
            to_json(&new.labels),
            actor.label,
            now,
            rev,
            crate::server::text_policy::skeleton(&new.name)
        ],
    )?;
    append_audit(
        tx,
        actor,
        "agent.register",
        &format!("{id} ({})", new.name),
        None,
        "ok",
    )?;
    get(tx, &id)
}

pub fn list(conn: &Db, limit: usize, after: Option<i64>) -> StoreResult<(Vec<Agent>, Option<i64>)> {
    let mut last = None;
    let mut agents = Vec::new();
    let mut more = false;
    conn.for_each(
        &format!("SELECT {AGENT_COLS} FROM agents WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
        params![after.unwrap_or(0), (limit + 1) as i64],
        |row| {
            if agents.len() == limit {
                more = true;
                return Ok(false);
            }
            last = Some(row.get::<_, i64>("seq")?);
            agents.push(rows::agent(row)?);
            Ok(true)
        },
    )?;
    Ok((agents, if more { last } else { None }))
}

pub fn detail(conn: &Db, id: &str) -> StoreResult<AgentDetail> {
    let agent = get(conn, id)?;
    let owner_person = match &agent.owner {
        Some(o) => Some(people::resolve(conn, o)?),
        None => None,
    };
    fn all<T>(conn: &Db, sql: &str, id: &str, f: fn(&Row) -> DbResult<T>) -> StoreResult<Vec<T>> {
        Ok(conn.query_map(sql, params![id], f)?)
    }
    Ok(AgentDetail {
        credentials: all(
            conn,
            &format!(
                "SELECT {CREDENTIAL_COLS} FROM credentials WHERE agent_id = ?1 ORDER BY issued_at, id"
            ),
            id,
            rows::credential,
        )?,
        grants: all(
            conn,
            &format!("SELECT {GRANT_COLS} FROM grants WHERE agent_id = ?1 ORDER BY granted_at, id"),
            id,
            rows::grant,
        )?,
        delegations: all(
            conn,
            &format!(
                "SELECT {DELEGATION_COLS} FROM delegations WHERE child_agent = ?1 OR parent_agent = ?1 ORDER BY created_at, id"
            ),
            id,
            rows::delegation,
        )?,
        alerts: all(
            conn,
            &format!(
                "SELECT {ALERT_COLS} FROM alerts WHERE agent_id = ?1 ORDER BY created_at DESC, id"
            ),
            id,
            rows::alert,
        )?,
        activity: super::activity::series(conn, id, chrono::Utc::now())?,
        seen_acting_for: super::shadows::seen_acting_for(conn, id)?,
        exchanged_tokens: super::exchanges::live_through(conn, id, chrono::Utc::now())?,
        owner_person,
        agent,
    })
}

pub fn set_owner(
    tx: &Db,
    actor: &Actor,
    agent_id: &str,
    person_key: &str,
    reason: &str,
) -> StoreResult<Agent> {
    let agent = get(tx, agent_id)?;
    if agent.status == AgentStatus::Killed {
        return Err(StoreError::Conflict(format!(
            "agent {} is killed; a killed agent's record is final",
            agent.name
        )));
    }
    let person = people::referenced(tx, person_key, "owner")?;
    if person.status == PersonStatus::Departed {
        return Err(StoreError::Invalid(format!(
            "{} has left the company; choose an active owner",
            person.email
        )));
    }
    if agent.owner.as_deref() == Some(person.id.as_str()) {
        return Ok(agent);
    }
    let rev = next_rev(tx)?;
    tx.execute(
        "UPDATE agents SET owner_id = ?2, updated_at = ?3, rev = ?4 WHERE id = ?1",
        params![agent.id, person.id, now_ms(), rev],
    )?;
    super::shadows::claimed_by_owner(tx, &agent, &person.email)?;
    let from = agent.owner.as_deref().unwrap_or("nobody");
    append_audit(
        tx,
        actor,
        "agent.owner",
        &format!("{} ({})", agent.id, agent.name),
        Some(reason),
        &format!("owner {from} -> {} ({})", person.id, person.email),
    )?;
    get(tx, &agent.id)
}

pub fn set_suspended(
    tx: &Db,
    actor: &Actor,
    agent_id: &str,
    suspend: bool,
    reason: &str,
) -> StoreResult<Agent> {
    let agent = get(tx, agent_id)?;
    if agent.status == AgentStatus::Killed {
        let verb = if suspend { "suspended" } else { "resumed" };
        return Err(StoreError::Conflict(format!(
            "agent {} is killed; a killed agent cannot be {verb}",
            agent.name
        )));
    }
    let target_status = if suspend {
        AgentStatus::Suspended
    } else {
        AgentStatus::Active
    };
    let already = if suspend {
        agent.status == AgentStatus::Suspended
    } else {
        agent.status != AgentStatus::Suspended
    };
    if already {
        return Ok(agent);
    }
    let rev = next_rev(tx)?;
    tx.execute(
        "UPDATE agents SET status = ?2, updated_at = ?3, rev = ?4 WHERE id = ?1",
        params![agent.id, target_status.as_str(), now_ms(), rev],
    )?;
    let action = if suspend {
        "agent.suspend"
    } else {
        "agent.resume"
    };
    append_audit(
        tx,
        actor,
        action,
        &format!("{} ({})", agent.id, agent.name),
        Some(reason),
        &format!("status {}", target_status),
    )?;
    get(tx, &agent.id)
}

pub fn mark_killed(tx: &Db, actor: &Actor, agent_id: &str, reason: &str) -> StoreResult<bool> {
    let agent = get(tx, agent_id)?;
    if agent.status == AgentStatus::Killed {
        return Ok(false);
    }
    let rev = next_rev(tx)?;
    tx.execute(
        "UPDATE agents SET status = 'killed', updated_at = ?2, rev = ?3 WHERE id = ?1",
        params![agent.id, now_ms(), rev],
    )?;
    append_audit(
        tx,
        actor,
        "agent.kill.mark",
        &format!("{} ({})", agent.id, agent.name),
        Some(reason),
        "status killed",
    )?;
    Ok(true)
}

pub fn delegated_children(conn: &Db, agent_id: &str) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT child_agent FROM delegations WHERE parent_agent = ?1 ORDER BY child_agent",
    )?;
    let v = stmt
        .query_map(params![agent_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// A sign of life: the agent was seen, with this credential.
pub fn touch(tx: &Db, agent_id: &str, credential_id: &str, at_ms: i64) -> StoreResult<()> {
    let rev = next_rev(tx)?;
    let greatest = tx.dialect().greatest();
    // A dormant agent that shows activity is active again.
    tx.execute(
        &format!(
            "UPDATE agents SET last_seen_at = {greatest}(COALESCE(last_seen_at, 0), ?2), rev = ?3, \
         status = CASE status WHEN 'dormant' THEN 'active' ELSE status END WHERE id = ?1"
        ),
        params![agent_id, at_ms, rev],
    )?;
    tx.execute(
        &format!(
            "UPDATE credentials SET last_used_at = {greatest}(COALESCE(last_used_at, 0), ?2), rev = ?3 WHERE id = ?1"
        ),
        params![credential_id, at_ms, rev],
    )?;
    Ok(())
}
