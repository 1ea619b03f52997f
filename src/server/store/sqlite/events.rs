//! Activity events reported by agents.

use super::agents::touch;
use super::rows::{to_json, to_ms};
use super::tx::next_rev;
use crate::server::store::{EventRecord, StoreResult};
use rusqlite::{Transaction, params};

pub fn record(
    tx: &Transaction,
    agent_id: &str,
    credential_id: &str,
    events: &[EventRecord],
) -> StoreResult<usize> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO events (agent_id, credential_id, at, action, target, scope, result, on_behalf_of, interactive) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
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
        let mut used = tx.prepare_cached(
            "UPDATE grants SET last_used_at = MAX(COALESCE(last_used_at, 0), ?3), rev = ?4 \
             WHERE agent_id = ?1 AND scope = ?2",
        )?;
        for e in events {
            if let Some(scope) = &e.scope {
                used.execute(params![agent_id, scope, to_ms(e.at), rev])?;
            }
        }
    }
    if !events.is_empty() {
        touch(tx, agent_id, credential_id, latest)?;
    }
    Ok(events.len())
}
