//! Activity events reported by agents, and the secrets they say they
//! present to their targets (R07).

use super::agents::touch;
use super::rows::{to_json, to_ms};
use super::tx::next_rev;
use crate::server::rules::destination;
use crate::server::store::db::bulk::{BulkTable, Cell, ColumnType};
use crate::server::store::db::{Db, OptionalExt, params};
use crate::server::store::{EventRecord, Recorded, StoreError, StoreResult};
use crate::server::text_policy::{Kind, check};
use std::collections::BTreeMap;

/// The events table as a batch writes it: one multi-row statement (a
/// `COPY` on PostgreSQL) per batch, not a round trip per event.
const EVENTS: BulkTable = BulkTable {
    name: "events",
    columns: &[
        ("agent_id", ColumnType::Text),
        ("credential_id", ColumnType::Text),
        ("at", ColumnType::Int),
        ("action", ColumnType::Text),
        ("target", ColumnType::Text),
        ("scope", ColumnType::Text),
        ("result", ColumnType::Text),
        ("on_behalf_of", ColumnType::Text),
        ("interactive", ColumnType::Int),
    ],
};

pub fn record(
    tx: &Db,
    agent_id: &str,
    credential_id: &str,
    events: &[EventRecord],
) -> StoreResult<Recorded> {
    // An agent's own words: refused whole, naming the field, before any is
    // stored, if one would reach a reader's terminal as a control.
    for e in events {
        check_event(e)?;
    }
    let latest = events.iter().map(|e| to_ms(e.at)).fold(0, i64::max);
    let mut rows = events.iter().map(|e| {
        vec![
            Cell::text(agent_id),
            Cell::text(credential_id),
            Cell::Int(to_ms(e.at)),
            Cell::text(&e.action),
            Cell::text(&e.target),
            Cell::opt_text(e.scope.as_deref()),
            Cell::opt_text(e.result.as_deref()),
            Cell::owned(to_json(&e.on_behalf_of)),
            Cell::Int(i64::from(e.interactive)),
        ]
    });
    tx.insert_rows(&EVENTS, &mut rows, &mut || {})?;
    // Each grant used takes the latest use of its scope in the batch: the
    // same as one update per event (the larger time wins either way), in
    // one statement per scope.
    let mut used: BTreeMap<&str, i64> = BTreeMap::new();
    for e in events {
        if let Some(scope) = &e.scope {
            let at = used.entry(scope).or_insert(i64::MIN);
            *at = (*at).max(to_ms(e.at));
        }
    }
    if !used.is_empty() {
        let rev = next_rev(tx)?;
        let mut update = tx.prepare_cached(&format!(
            "UPDATE grants SET last_used_at = {}(COALESCE(last_used_at, 0), ?3), rev = ?4 \
             WHERE agent_id = ?1 AND scope = ?2",
            tx.dialect().greatest()
        ))?;
        for (scope, at) in used {
            update.execute(params![agent_id, scope, at, rev])?;
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
