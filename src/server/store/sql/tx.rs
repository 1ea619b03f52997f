//! What every write does inside its transaction: take the next change-feed
//! revision, and append to the audit chain.

use super::rows::now_ms;
use crate::server::audit;
use crate::server::store::db::bulk::{BulkTable, Cell, ColumnType};
use crate::server::store::db::{Db, OptionalExt, params};
use crate::server::store::{Actor, StoreError, StoreResult};

/// The next revision of the one global counter; every row written in this
/// transaction takes it.
pub fn next_rev(tx: &Db) -> StoreResult<i64> {
    Ok(tx.query_row(
        "UPDATE meta SET value = value + 1 WHERE key = 'rev' RETURNING value",
        params![],
        |r| r.get(0),
    )?)
}

pub fn current_rev(conn: &Db) -> StoreResult<i64> {
    Ok(
        conn.query_row("SELECT value FROM meta WHERE key = 'rev'", params![], |r| {
            r.get(0)
        })?,
    )
}

/// Appends one entry. Every write transaction holds the one writer's lock
/// (SQLite's write lock; on PostgreSQL the `meta` row lock every write
/// takes first), so two writers can never read the same head and fork the
/// chain.
pub fn append_audit(
    tx: &Db,
    actor: &Actor,
    action: &str,
    target: &str,
    reason: Option<&str>,
    result: &str,
) -> StoreResult<i64> {
    let mut chain = Chain::default();
    let seq = chain.append(tx, actor, action, target, reason, result)?;
    chain.flush(tx)?;
    Ok(seq)
}

/// The audit chain's head, kept for a transaction that appends many
/// entries (a sweep opening thousands of alerts): read once, each entry
/// chained on the one before and kept, and all of them written, with the
/// recorded head, by [`Chain::flush`] in one bulk insert (a multi-row
/// `INSERT` on SQLite, a `COPY` on PostgreSQL) instead of a statement
/// each. `flush` must come before anything else in the transaction
/// appends (and before it commits). The entries are the ones
/// [`append_audit`] would write, one by one.
#[derive(Default)]
pub struct Chain {
    /// The next entry's number and the hash it chains on.
    next: Option<(i64, String)>,
    /// Entries appended and not yet written.
    pending: Vec<Entry>,
}

/// One audit row, hashed, waiting for [`Chain::flush`].
struct Entry {
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    target: String,
    reason: Option<String>,
    result: String,
    prev: String,
    hash: String,
}

const AUDIT: BulkTable = BulkTable {
    name: "audit",
    columns: &[
        ("seq", ColumnType::Int),
        ("at", ColumnType::Int),
        ("actor", ColumnType::Text),
        ("action", ColumnType::Text),
        ("target", ColumnType::Text),
        ("reason", ColumnType::Text),
        ("result", ColumnType::Text),
        ("prev_hash", ColumnType::Text),
        ("hash", ColumnType::Text),
    ],
};

impl Chain {
    pub fn append(
        &mut self,
        tx: &Db,
        actor: &Actor,
        action: &str,
        target: &str,
        reason: Option<&str>,
        result: &str,
    ) -> StoreResult<i64> {
        let (seq, prev) = match self.next.take() {
            Some(next) => next,
            None => head(tx)?,
        };
        let at = now_ms();
        let hash = audit::entry_hash(seq, at, &actor.label, action, target, reason, result, &prev);
        self.next = Some((seq + 1, hash.clone()));
        self.pending.push(Entry {
            seq,
            at,
            actor: actor.label.clone(),
            action: action.to_string(),
            target: target.to_string(),
            reason: reason.map(str::to_string),
            result: result.to_string(),
            prev,
            hash,
        });
        Ok(seq)
    }

    /// Writes the entries appended and records the head; what else appends
    /// in the transaction reads it.
    pub fn flush(&mut self, tx: &Db) -> StoreResult<()> {
        let Some(last) = self.pending.last().map(|e| e.seq) else {
            return Ok(());
        };
        if let [e] = self.pending.as_slice() {
            // One entry (most writes): a cached statement costs less than
            // setting up a bulk insert.
            tx.execute(
                "INSERT INTO audit (seq, at, actor, action, target, reason, result, prev_hash, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    e.seq, e.at, e.actor, e.action, e.target, e.reason, e.result, e.prev, e.hash
                ],
            )?;
        } else {
            let mut rows = self.pending.iter().map(|e| {
                vec![
                    Cell::Int(e.seq),
                    Cell::Int(e.at),
                    Cell::text(&e.actor),
                    Cell::text(&e.action),
                    Cell::text(&e.target),
                    Cell::opt_text(e.reason.as_deref()),
                    Cell::text(&e.result),
                    Cell::text(&e.prev),
                    Cell::text(&e.hash),
                ]
            });
            tx.insert_rows(&AUDIT, &mut rows, &mut || {})?;
        }
        self.pending.clear();
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'audit_head'",
            params![last],
        )?;
        Ok(())
    }

    /// After something else appended: the head is read again.
    pub fn reread(&mut self) {
        self.next = None;
    }
}

/// The next entry's number and the hash it chains on.
fn head(tx: &Db) -> StoreResult<(i64, String)> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    // The number comes from the recorded head, not from the last row: if
    // rows were deleted from the end, the next entry must not take their
    // numbers and paper over the hole; the gap stays for verify to name.
    let head: i64 = tx.query_row(
        "SELECT value FROM meta WHERE key = 'audit_head'",
        params![],
        |r| r.get(0),
    )?;
    Ok(match last {
        Some((s, h)) => (s.max(head) + 1, h),
        None => (head + 1, audit::GENESIS.to_string()),
    })
}

pub fn not_found(what: &str, key: &str) -> StoreError {
    StoreError::NotFound(format!("no {what} {key:?}"))
}
