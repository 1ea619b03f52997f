//! Shadow entries: the identities registered agents act for (named in the
//! `on_behalf_of` chains they report) that nobody registered. Warden puts
//! each in the inventory itself, unowned and without credentials, labelled
//! `origin=shadow` with who reported it, so a responder can act on it:
//! kill it (the backend then refuses anything done for it), give it an
//! owner, or register it (which claims the entry, keeping its id, alerts
//! and audit history).

use super::agents;
use super::rows::{self, AGENT_COLS, now_ms, to_json, to_ms};
use super::tx::{append_audit, next_rev};
use crate::api::NewAgent;
use crate::model::{Agent, AgentKind, AgentStatus, ORIGIN_LABEL, ORIGIN_SHADOW, SeenActingFor};
use crate::server::store::db::{Db, OptionalExt, params};
use crate::server::store::{Actor, ShadowSighting, StoreError, StoreResult};
use std::collections::BTreeMap;

/// The agents that reported it, by name, comma-separated.
pub const SEEN_BY: &str = "shadow.seen_by";
/// When the first chain naming it was reported.
const FIRST_SEEN: &str = "shadow.first_seen";
/// On an entry that was a shadow: who claimed it, and when.
const CLAIMED: &str = "shadow.claimed";
/// Most relays a `shadow.seen_by` label lists; the audit trail has them all.
const MAX_RELAYS: usize = 8;
/// A sighting moves `last_seen_at` (and so the change feed) at most once
/// a minute: a chatty relay must not turn every batch into a fleet change.
const LAST_SEEN_STEP_MS: i64 = 60_000;

/// Who writes shadow entries in the audit trail.
pub fn actor() -> Actor {
    Actor::new("warden:R17")
}

/// The shadow entries for `sightings` by `relay`: existing ones brought up
/// to date (last seen, who reports them), missing ones created. A key that
/// is a registered agent, or that cannot be a name (it reads as an id, or
/// looks like another agent's name), has no entry and is left out.
pub fn record(tx: &Db, relay: &Agent, sightings: &[ShadowSighting]) -> StoreResult<Vec<Agent>> {
    let mut out = Vec::with_capacity(sightings.len());
    let mut seen = tx.prepare_cached(
        "INSERT INTO shadow_sightings (shadow_id, relay_id, first_at, last_at, events) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (shadow_id, relay_id) DO UPDATE SET \
         first_at = CASE WHEN excluded.first_at < shadow_sightings.first_at \
                    THEN excluded.first_at ELSE shadow_sightings.first_at END, \
         last_at = CASE WHEN excluded.last_at > shadow_sightings.last_at \
                   THEN excluded.last_at ELSE shadow_sightings.last_at END, \
         events = shadow_sightings.events + excluded.events",
    )?;
    for s in sightings {
        let existing = tx
            .query_row(
                &format!("SELECT {AGENT_COLS} FROM agents WHERE id = ?1 OR name = ?1 LIMIT 1"),
                params![&s.key],
                rows::agent,
            )
            .optional()?;
        let entry = match existing {
            Some(a) if a.is_shadow() => seen_again(tx, a, relay, s)?,
            Some(_) => continue,
            None => match create(tx, relay, s) {
                Ok(a) => a,
                Err(StoreError::Conflict(_) | StoreError::Invalid(_)) => continue,
                Err(e) => return Err(e),
            },
        };
        seen.execute(params![
            &entry.id,
            &relay.id,
            to_ms(s.first),
            to_ms(s.last),
            i64::try_from(s.calls).unwrap_or(i64::MAX)
        ])?;
        out.push(entry);
    }
    Ok(out)
}

fn create(tx: &Db, relay: &Agent, s: &ShadowSighting) -> StoreResult<Agent> {
    let labels = BTreeMap::from([
        (ORIGIN_LABEL.to_string(), ORIGIN_SHADOW.to_string()),
        (SEEN_BY.to_string(), relay.name.clone()),
        (FIRST_SEEN.to_string(), s.first.to_rfc3339()),
    ]);
    let new = NewAgent {
        name: s.key.clone(),
        kind: AgentKind::Autonomous,
        environment: "unknown".into(),
        owner: None,
        description: Some(format!(
            "Registered by nobody: seen in the on_behalf_of chains that {} ({}) reports. \
             Kill it to refuse anything done for it; register it to claim this entry.",
            relay.name, relay.id
        )),
        runtime: None,
        labels,
    };
    let agent = agents::create(tx, &actor(), &new)?;
    tx.execute(
        "UPDATE agents SET last_seen_at = ?2 WHERE id = ?1",
        params![&agent.id, to_ms(s.last)],
    )?;
    append_audit(
        tx,
        &actor(),
        "agent.shadow",
        &format!("{} ({})", agent.id, agent.name),
        Some(&format!(
            "named in the delegation chain of {} event(s) reported by {} ({})",
            s.calls, relay.name, relay.id
        )),
        "ok",
    )?;
    agents::get(tx, &agent.id)
}

fn seen_again(tx: &Db, a: Agent, relay: &Agent, s: &ShadowSighting) -> StoreResult<Agent> {
    let mut relays: Vec<&str> = a
        .labels
        .get(SEEN_BY)
        .map(|v| v.split(", ").collect())
        .unwrap_or_default();
    let new_relay = !relays.contains(&relay.name.as_str()) && relays.len() < MAX_RELAYS;
    let last = to_ms(s.last);
    let moved = a
        .last_seen_at
        .is_none_or(|t| last >= to_ms(t) + LAST_SEEN_STEP_MS);
    if !new_relay && !moved {
        return Ok(a);
    }
    let mut labels = a.labels.clone();
    if new_relay {
        relays.push(&relay.name);
        labels.insert(SEEN_BY.into(), relays.join(", "));
        append_audit(
            tx,
            &actor(),
            "agent.shadow",
            &format!("{} ({})", a.id, a.name),
            Some(&format!("also reported by {} ({})", relay.name, relay.id)),
            "ok",
        )?;
    }
    let rev = next_rev(tx)?;
    let greatest = tx.dialect().greatest();
    tx.execute(
        &format!(
            "UPDATE agents SET labels = ?2, last_seen_at = {greatest}(COALESCE(last_seen_at, 0), ?3), \
             rev = ?4 WHERE id = ?1"
        ),
        params![&a.id, to_json(&labels), last, rev],
    )?;
    agents::get(tx, &a.id)
}

/// Registering a name that is a live shadow entry claims that entry: it
/// takes what the registration says (kind, environment, owner, runtime,
/// description, labels) and keeps its id, alerts and history. `None` when
/// `name` is no shadow entry; a killed one stays killed (409).
pub fn claim(tx: &Db, actor: &Actor, new: &NewAgent) -> StoreResult<Option<Agent>> {
    let Some(shadow) = tx
        .query_row(
            &format!("SELECT {AGENT_COLS} FROM agents WHERE name = ?1"),
            params![&new.name],
            rows::agent,
        )
        .optional()?
        .filter(Agent::is_shadow)
    else {
        return Ok(None);
    };
    if shadow.status == AgentStatus::Killed {
        return Err(StoreError::Conflict(format!(
            "{:?} is a shadow entry that was killed; a killed agent's record is final",
            shadow.name
        )));
    }
    let owner = match new.owner.as_deref() {
        Some(o) => Some(super::people::referenced(tx, o, "owner")?.id),
        None => None,
    };
    // A discovery report that names a shadow keeps its own `origin`.
    let mut labels = new.labels.clone();
    labels
        .entry(ORIGIN_LABEL.into())
        .or_insert_with(|| "claimed".into());
    labels.insert(
        CLAIMED.into(),
        format!("{} at {}", actor.label, now_rfc3339()),
    );
    for key in [SEEN_BY, FIRST_SEEN] {
        if let Some(v) = shadow.labels.get(key) {
            labels.insert(key.into(), v.clone());
        }
    }
    let rev = next_rev(tx)?;
    tx.execute(
        "UPDATE agents SET kind = ?2, environment = ?3, owner_id = ?4, description = ?5, \
         runtime = ?6, labels = ?7, created_by = ?8, updated_at = ?9, rev = ?10 WHERE id = ?1",
        params![
            &shadow.id,
            new.kind.as_str(),
            &new.environment,
            owner,
            &new.description,
            &new.runtime,
            to_json(&labels),
            &actor.label,
            now_ms(),
            rev
        ],
    )?;
    append_audit(
        tx,
        actor,
        "agent.claim",
        &format!("{} ({})", shadow.id, shadow.name),
        Some("registered under the name of a shadow entry"),
        "ok",
    )?;
    agents::get(tx, &shadow.id).map(Some)
}

/// A shadow entry given an owner is claimed by that owner: it is no
/// longer a shadow, and R17 resolves saying so.
pub fn claimed_by_owner(tx: &Db, agent: &Agent, owner: &str) -> StoreResult<()> {
    if !agent.is_shadow() {
        return Ok(());
    }
    let mut labels = agent.labels.clone();
    labels.insert(ORIGIN_LABEL.into(), "claimed".into());
    labels.insert(CLAIMED.into(), format!("{owner} at {}", now_rfc3339()));
    tx.execute(
        "UPDATE agents SET labels = ?2 WHERE id = ?1",
        params![&agent.id, to_json(&labels)],
    )?;
    Ok(())
}

/// The agents among `keys` (ids or names) that are suspended or killed:
/// nothing may be done on their behalf.
pub fn stopped(conn: &Db, keys: &[String]) -> StoreResult<Vec<Agent>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {AGENT_COLS} FROM agents WHERE (id = ?1 OR name = ?1) \
         AND status IN ('suspended', 'killed') LIMIT 1"
    ))?;
    let mut out: Vec<Agent> = Vec::new();
    for key in keys {
        if let Some(a) = stmt.query_row(params![key], rows::agent).optional()?
            && !out.iter().any(|o| o.id == a.id)
        {
            out.push(a);
        }
    }
    Ok(out)
}

/// The shadow entries (claimed ones included) `relay` was seen acting
/// for, most recent first.
pub fn seen_acting_for(conn: &Db, relay_id: &str) -> StoreResult<Vec<SeenActingFor>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.shadow_id, a.name, a.status, a.labels, s.events, s.first_at, s.last_at \
         FROM shadow_sightings s JOIN agents a ON a.id = s.shadow_id \
         WHERE s.relay_id = ?1 ORDER BY s.last_at DESC LIMIT 100",
    )?;
    let rows = stmt.query_map(params![relay_id], |r| {
        let labels: String = r.get(3)?;
        let status: String = r.get(2)?;
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            status,
            labels,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (agent_id, name, status, labels, events, first, last) = row?;
        let labels: BTreeMap<String, String> = serde_json::from_str(&labels).unwrap_or_default();
        out.push(SeenActingFor {
            agent_id,
            name,
            status: status.parse().unwrap_or(AgentStatus::Active),
            origin: labels
                .get(ORIGIN_LABEL)
                .cloned()
                .unwrap_or_else(|| "registered".into()),
            events: u64::try_from(events).unwrap_or(0),
            first_at: from_ms(first),
            last_at: from_ms(last),
        });
    }
    Ok(out)
}

fn from_ms(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
