//! Alerts: one live alert per (rule, cause), acknowledged with a
//! reason.

use super::rows::{self, ALERT_COLS, now_ms};
use super::tx::{append_audit, next_rev, not_found};
use crate::model::*;
use crate::secrets::new_id;
use crate::server::store::db::{Db, OptionalExt, params};
use crate::server::store::{Actor, AlertInput, StoreError, StoreResult};

pub fn get(conn: &Db, id: &str) -> StoreResult<Alert> {
    conn.query_row(
        &format!("SELECT {ALERT_COLS} FROM alerts WHERE id = ?1"),
        params![id],
        rows::alert,
    )
    .optional()?
    .ok_or_else(|| not_found("alert", id))
}

pub fn list(conn: &Db) -> StoreResult<Vec<Alert>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ALERT_COLS} FROM alerts ORDER BY created_at DESC, id"
    ))?;
    let v = stmt
        .query_map(params![], rows::alert)?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

pub fn raise(tx: &Db, a: &AlertInput) -> StoreResult<Alert> {
    let live: Option<String> = tx
        .query_row(
            "SELECT id FROM alerts WHERE rule = ?1 AND cause = ?2 AND status != 'resolved'",
            params![a.rule, a.cause],
            |r| r.get(0),
        )
        .optional()?;
    let rev = next_rev(tx)?;
    let now = now_ms();
    let id = match live {
        Some(id) => {
            tx.execute(
                "UPDATE alerts SET severity = ?2, summary = ?3, evidence = ?4, updated_at = ?5, rev = ?6 WHERE id = ?1",
                params![id, a.severity.as_str(), a.summary, a.evidence, now, rev],
            )?;
            id
        }
        None => {
            let id = new_id("alr");
            tx.execute(
                "INSERT INTO alerts (id, agent_id, rule, cause, severity, summary, evidence, status, source, \
                 created_at, updated_at, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', 'warden', ?8, ?8, ?9)",
                params![id, a.agent_id, a.rule, a.cause, a.severity.as_str(), a.summary, a.evidence, now, rev],
            )?;
            append_audit(
                tx,
                &Actor::new(format!("rule:{}", a.rule)),
                "alert.open",
                &format!("{id} on {}", a.agent_id.as_deref().unwrap_or("-")),
                None,
                &format!("{}: {}", a.severity, a.summary),
            )?;
            id
        }
    };
    get(tx, &id)
}

pub fn ack(tx: &Db, actor: &Actor, id: &str, reason: &str) -> StoreResult<Alert> {
    let alert = get(tx, id)?;
    match alert.status {
        AlertStatus::Resolved => {
            return Err(StoreError::Conflict(format!(
                "alert {id} is already resolved"
            )));
        }
        AlertStatus::Acknowledged => return Ok(alert),
        AlertStatus::Open => {}
    }
    let rev = next_rev(tx)?;
    tx.execute(
        "UPDATE alerts SET status = 'acknowledged', acknowledged_by = ?2, ack_reason = ?3, updated_at = ?4, rev = ?5 WHERE id = ?1",
        params![id, actor.label, reason, now_ms(), rev],
    )?;
    append_audit(
        tx,
        actor,
        "alert.ack",
        &format!("{id} ({})", alert.rule),
        Some(reason),
        "ok",
    )?;
    get(tx, id)
}
