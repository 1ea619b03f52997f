//! Activity events reported by agents, and the secrets they say they
//! present to their targets (R07).

use super::agents::touch;
use super::rows::{to_json, to_ms};
use super::tx::next_rev;
use crate::server::rules::destination;
use crate::server::store::db::{Db, OptionalExt, params};
use crate::server::store::{EventRecord, Recorded, StoreError, StoreResult};
use crate::server::text_policy::{Kind, check};
use std::collections::BTreeMap;

pub fn record(
    tx: &Db,
    agent_id: &str,
    credential_id: &str,
    events: &[EventRecord],
) -> StoreResult<Recorded> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO events (agent_id, credential_id, at, action, target, scope, result, on_behalf_of, interactive) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    // An agent's own words: refused whole, naming the field, before any is
    // stored, if one would reach a reader's terminal as a control.
    for e in events {
        check_event(e)?;
    }
    let mut latest = 0;
    for e in events {
        let at = to_ms(e.at);
        latest = latest.max(at);
        stmt.execute(params![
            agent_id,
            credential_id,
            at,
            e.action,
            e.target,
            e.scope,
            e.result,
            to_json(&e.on_behalf_of),
            e.interactive
        ])?;
    }
    if events.iter().any(|e| e.scope.is_some()) {
        let rev = next_rev(tx)?;
        let mut used = tx.prepare_cached(&format!(
            "UPDATE grants SET last_used_at = {}(COALESCE(last_used_at, 0), ?3), rev = ?4 \
             WHERE agent_id = ?1 AND scope = ?2",
            tx.dialect().greatest()
        ))?;
        for e in events {
            if let Some(scope) = &e.scope {
                used.execute(params![agent_id, scope, to_ms(e.at), rev])?;
            }
        }
    }
    let (new_fingerprints, replaced) = present(tx, credential_id, events)?;
    if !events.is_empty() {
        touch(tx, agent_id, credential_id, latest)?;
    }
    Ok(Recorded {
        accepted: events.len(),
        new_fingerprints,
        former_holders: holders(tx, &replaced)?,
    })
}

/// Keeps the latest fingerprint each destination was presented with under
/// this credential. An older report, arriving late, does not undo a newer
/// one: a key rotated at the target stays rotated. Answers whether a
/// destination got a fingerprint it did not have, and the fingerprints
/// replaced.
fn present(
    tx: &Db,
    credential_id: &str,
    events: &[EventRecord],
) -> StoreResult<(bool, Vec<String>)> {
    let mut latest: BTreeMap<String, (i64, &str)> = BTreeMap::new();
    for e in events {
        if let Some(fp) = &e.credential_fingerprint {
            let at = to_ms(e.at);
            let slot = latest.entry(destination(&e.target)).or_insert((at, fp));
            if at >= slot.0 {
                *slot = (at, fp);
            }
        }
    }
    if latest.is_empty() {
        return Ok((false, Vec::new()));
    }
    // A Warden secret's stored hash is its SHA-256: the same fingerprint.
    let mut warden = tx.prepare_cached("SELECT id FROM credentials WHERE hash = ?1")?;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO presented_secrets \
           (credential_id, destination, fingerprint, seen_at, warden_credential) \
         VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (credential_id, destination) DO UPDATE SET \
           fingerprint = excluded.fingerprint, seen_at = excluded.seen_at, \
           warden_credential = excluded.warden_credential \
         WHERE excluded.seen_at >= presented_secrets.seen_at",
    )?;
    let mut before = tx.prepare_cached(
        "SELECT fingerprint, seen_at FROM presented_secrets \
         WHERE credential_id = ?1 AND destination = ?2",
    )?;
    let mut changed = false;
    let mut replaced = Vec::new();
    for (dest, (at, fp)) in latest {
        let had: Option<(String, i64)> = before
            .query_row(params![credential_id, dest], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match had {
            None => changed = true,
            Some((old, seen)) if old != fp && at >= seen => {
                changed = true;
                replaced.push(old);
            }
            Some(_) => {}
        }
        let secret_of: Option<String> = warden.query_row(params![fp], |r| r.get(0)).optional()?;
        upsert.execute(params![credential_id, dest, fp, at, secret_of])?;
    }
    Ok((changed, replaced))
}

/// The agents holding one of `fingerprints` (presented, written on a
/// credential, or a Warden secret's hash), through their indexes.
fn holders(tx: &Db, fingerprints: &[String]) -> StoreResult<Vec<String>> {
    let mut found = std::collections::BTreeSet::new();
    let mut stmt = tx.prepare_cached(
        "SELECT c.agent_id FROM presented_secrets p \
           CROSS JOIN credentials c ON c.id = p.credential_id WHERE p.fingerprint = ?1 \
         UNION SELECT agent_id FROM credentials WHERE fingerprint = ?1 \
         UNION SELECT agent_id FROM credentials WHERE hash = ?1",
    )?;
    for fp in fingerprints {
        let agents = stmt.query_map(params![fp], |r| r.get::<_, String>(0))?;
        for a in agents {
            found.insert(a?);
        }
    }
    Ok(found.into_iter().collect())
}

fn check_event(e: &EventRecord) -> StoreResult<()> {
    let fields = [("action", Some(&e.action)), ("target", Some(&e.target))]
        .into_iter()
        .chain([("scope", e.scope.as_ref()), ("result", e.result.as_ref())])
        .filter_map(|(f, v)| v.map(|v| (f, v)))
        .chain(e.on_behalf_of.iter().map(|p| ("on_behalf_of", p)));
    for (field, value) in fields {
        check(field, value, Kind::Line).map_err(StoreError::Invalid)?;
    }
    Ok(())
}
