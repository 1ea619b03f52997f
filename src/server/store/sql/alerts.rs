//! Alerts: one live alert per (rule, cause), acknowledged with a
//! reason, snoozed for a while with a reason.

use super::rows::{self, ALERT_COLS, now_ms, to_ms};
use super::tx::{append_audit, next_rev, not_found};
use crate::model::*;
use crate::secrets::new_id;
use crate::server::store::db::{Db, OptionalExt, params};
use crate::server::store::{Actor, AlertInput, StoreError, StoreResult};
use chrono::{DateTime, SecondsFormat, Utc};

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

/// Who ends snoozes that run out.
pub const SNOOZE_CLOCK: &str = "warden:snooze";

/// Snoozes a live alert until `until`; a second snooze replaces the first.
pub fn snooze(
    tx: &Db,
    actor: &Actor,
    id: &str,
    until: DateTime<Utc>,
    reason: &str,
) -> StoreResult<Alert> {
    let alert = get(tx, id)?;
    if alert.status == AlertStatus::Resolved {
        return Err(StoreError::Conflict(format!(
            "alert {id} is already resolved; there is nothing to snooze"
        )));
    }
    let rev = next_rev(tx)?;
    tx.execute(
        "UPDATE alerts SET snoozed_until = ?2, snoozed_by = ?3, snooze_reason = ?4, \
         updated_at = ?5, rev = ?6 WHERE id = ?1",
        params![id, to_ms(until), actor.label, reason, now_ms(), rev],
    )?;
    append_audit(
        tx,
        actor,
        "alert.snooze",
        &format!("{id} ({})", alert.rule),
        Some(reason),
        &format!("until {}", until.to_rfc3339_opts(SecondsFormat::Secs, true)),
    )?;
    get(tx, id)
}

/// Ends the snooze of `id`, saying why; an alert not snoozed is answered
/// as it is.
pub fn unsnooze(tx: &Db, actor: &Actor, id: &str, why: &str) -> StoreResult<Alert> {
    let alert = get(tx, id)?;
    if alert.snoozed_until.is_none() {
        return Ok(alert);
    }
    clear_snooze(tx, actor, &alert.id, &alert.rule, why)?;
    get(tx, id)
}

/// Clears the snooze of alert `id` (of `rule`) in a new revision and
/// audits it as `alert.unsnooze` with `why`.
pub fn clear_snooze(tx: &Db, actor: &Actor, id: &str, rule: &str, why: &str) -> StoreResult<()> {
    let rev = next_rev(tx)?;
    tx.execute(
        "UPDATE alerts SET snoozed_until = NULL, snoozed_by = NULL, snooze_reason = NULL, \
         updated_at = ?2, rev = ?3 WHERE id = ?1",
        params![id, now_ms(), rev],
    )?;
    append_audit(
        tx,
        actor,
        "alert.unsnooze",
        &format!("{id} ({rule})"),
        Some(why),
        "ok",
    )?;
    Ok(())
}

/// Ends every snooze that is over at `now`, each audited; answers how many.
pub fn end_snoozes(tx: &Db, now: DateTime<Utc>) -> StoreResult<usize> {
    let over: Vec<Alert> = tx
        .prepare_cached(&format!(
            "SELECT {ALERT_COLS} FROM alerts WHERE snoozed_until IS NOT NULL AND snoozed_until <= ?1"
        ))?
        .query_map(params![to_ms(now)], rows::alert)?
        .collect::<Result<_, _>>()?;
    let clock = Actor::new(SNOOZE_CLOCK);
    for alert in &over {
        let ended = alert
            .snoozed_until
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
            .unwrap_or_default();
        let why = format!("the snooze ended at {ended}");
        clear_snooze(tx, &clock, &alert.id, &alert.rule, &why)?;
    }
    Ok(over.len())
}

/// When the next snooze ends, if one is pending.
pub fn next_snooze_end(conn: &Db) -> StoreResult<Option<DateTime<Utc>>> {
    let ms: Option<i64> = conn.query_row(
        "SELECT MIN(snoozed_until) FROM alerts WHERE snoozed_until IS NOT NULL",
        params![],
        |r| r.get(0),
    )?;
    Ok(ms.map(rows::time).transpose()?)
}

#[async_trait::async_trait]
impl crate::server::store::AlertReads for super::SqlStore {
    async fn alert(&self, id: &str) -> StoreResult<Alert> {
        let id = id.to_string();
        self.read(move |c| get(c, &id)).await
    }
}
