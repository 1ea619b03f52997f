//! The ceiling under the ingest figure: the same event rows the ingest
//! posts, inserted straight into the same SQLite file with a prepared
//! statement, one transaction per batch of `BATCH` (as the server commits
//! one per request), with the store's own pragmas. What ingest over HTTP
//! reaches is read against this: the rest is HTTP, JSON, authentication,
//! the rules on ingest and the grant and credential touches.

use super::BATCH;
use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

/// Inserts batches of the ingest's rows for `agent_id` into the SQLite
/// file at `path` for `duration`; answers rows a second.
pub(super) fn rows_per_second(
    path: &Path,
    agent_id: &str,
    duration: Duration,
) -> anyhow::Result<f64> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let credential: String = conn.query_row(
        "SELECT id FROM credentials WHERE agent_id = ?1 ORDER BY issued_at LIMIT 1",
        [agent_id],
        |r| r.get(0),
    )?;
    let started = Instant::now();
    let mut rows = 0usize;
    while started.elapsed() < duration {
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO events (agent_id, credential_id, at, action, target, scope, result, \
                 on_behalf_of, interactive) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let at = chrono::Utc::now().timestamp_millis();
            for i in 0..BATCH {
                // As the ingest posts them: a read, every fourth a write.
                let action = if i % 4 == 0 { "write" } else { "read" };
                stmt.execute((
                    agent_id,
                    &credential,
                    at,
                    action,
                    "api.internal",
                    "tickets:read",
                    "ok",
                    "[]",
                    false,
                ))?;
            }
        }
        tx.commit()?;
        rows += BATCH;
    }
    Ok(rows as f64 / started.elapsed().as_secs_f64())
}
