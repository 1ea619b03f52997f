//! Reading side of the changes feed and the audit chain.

use super::rows::{
    self, AGENT_COLS, ALERT_COLS, AUDIT_COLS, CREDENTIAL_COLS, DELEGATION_COLS, GRANT_COLS,
    PERSON_COLS,
};
use super::tx::current_rev;
use crate::api::{AuditVerification, Changes, Removed};
use crate::model::AuditEntry;
use crate::server::audit::Verifier;
use crate::server::store::StoreResult;
use rusqlite::{Connection, Row, params};

fn since<T>(
    conn: &Connection,
    cols: &str,
    table: &str,
    rev: i64,
    map: fn(&Row) -> rusqlite::Result<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {cols} FROM {table} WHERE rev > ?1 ORDER BY rev"
    ))?;
    let v = stmt.query_map([rev], map)?.collect::<Result<_, _>>()?;
    Ok(v)
}

/// Everything after `since`, read in one snapshot so the cursor is exact.
pub fn changes(conn: &Connection, since_rev: i64) -> StoreResult<Changes> {
    let cursor = current_rev(conn)?;
    // A cursor from the future means the client followed another database
    // (or this one was rebuilt): it must start over.
    let full = since_rev <= 0 || since_rev > cursor;
    let from = if full { 0 } else { since_rev };
    let mut removed_stmt =
        conn.prepare_cached("SELECT kind, id, rev FROM removed WHERE rev > ?1 ORDER BY rev")?;
    let removed = if full {
        Vec::new()
    } else {
        removed_stmt
            .query_map(params![from], |r| {
                Ok(Removed {
                    kind: r.get(0)?,
                    id: r.get(1)?,
                    rev: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?
    };
    Ok(Changes {
        cursor,
        full,
        agents: since(conn, AGENT_COLS, "agents", from, rows::agent)?,
        people: since(conn, PERSON_COLS, "people", from, rows::person)?,
        credentials: since(conn, CREDENTIAL_COLS, "credentials", from, rows::credential)?,
        grants: since(conn, GRANT_COLS, "grants", from, rows::grant)?,
        delegations: since(conn, DELEGATION_COLS, "delegations", from, rows::delegation)?,
        alerts: since(conn, ALERT_COLS, "alerts", from, rows::alert)?,
        removed,
    })
}

pub fn audit_after(conn: &Connection, after: i64, limit: usize) -> StoreResult<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {AUDIT_COLS} FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2"
    ))?;
    let v = stmt
        .query_map(params![after, limit as i64], rows::audit_entry)?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

pub fn audit_verify(conn: &Connection) -> StoreResult<AuditVerification> {
    let head: i64 = conn.query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| {
        r.get(0)
    })?;
    let mut verifier = Verifier::default();
    let mut stmt = conn.prepare(&format!("SELECT {AUDIT_COLS} FROM audit ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        match rows::audit_entry(row) {
            Ok(e) => verifier.push(&e),
            // A row so damaged it does not parse is as bad as a changed one.
            Err(_) => {
                let seq: i64 = row.get(0).unwrap_or(-1);
                let mut v = verifier.finish(head);
                if v.ok || v.first_bad.is_some_and(|b| b > seq) {
                    v.ok = false;
                    v.first_bad = Some(seq);
                    v.problem = Some(format!("entry {seq} is unreadable"));
                }
                return Ok(v);
            }
        }
    }
    Ok(verifier.finish(head))
}
