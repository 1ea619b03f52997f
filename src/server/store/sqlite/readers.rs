//! The SQLite store's read connections. In WAL mode a reader sees the
//! last commit while a write is under way, so reads run on connections of
//! their own beside the writer instead of queueing behind it: a dashboard's
//! first sync (a second or more at 100,000 agents) no longer holds up the
//! rules' sweep, nor a sweep every poll. Each read is one deferred
//! transaction, one snapshot of the file, as a PostgreSQL read is.

use super::super::db::Db;
use super::super::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Reads at once. Two cores do the work of two; the others wait on the
/// disk or the page cache, and each open connection keeps a page cache of
/// its own.
const MAX_READERS: u32 = 4;

/// The read connections of one database file, opened as reads need them
/// and kept for the next.
pub struct Readers {
    path: PathBuf,
    cache_kib: i64,
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<Connection>>,
}

/// While held, no reader is open nor opens: see [`Readers::close_all`].
pub struct Closed {
    _permits: OwnedSemaphorePermit,
}

impl Readers {
    pub fn new(path: &Path, cache_kib: i64) -> Self {
        Readers {
            path: path.to_path_buf(),
            cache_kib,
            permits: Arc::new(Semaphore::new(MAX_READERS as usize)),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` on a read connection, in one read transaction.
    pub async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Db) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let permit = self.permits.clone().acquire_owned().await.map_err(closed)?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = this.take()?;
            let out = in_read_transaction(&mut conn, f);
            // A connection whose transaction could not end is not reused.
            if conn.is_autocommit() {
                this.idle().push(conn);
            }
            drop(permit);
            out
        })
        .await
        .map_err(|e| StoreError::Internal(format!("database task failed: {e}")))?
    }

    /// Waits for the reads under way, closes every reader, and keeps new
    /// ones from opening until the answer is dropped: SQLite leaves WAL
    /// mode (for a first load) only while no other connection has the file
    /// open.
    pub async fn close_all(&self) -> StoreResult<Closed> {
        let permits = self
            .permits
            .clone()
            .acquire_many_owned(MAX_READERS)
            .await
            .map_err(closed)?;
        self.idle().clear();
        Ok(Closed { _permits: permits })
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // A panic while holding the list leaves only connections in it.
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self) -> StoreResult<Connection> {
        if let Some(conn) = self.idle().pop() {
            return Ok(conn);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(|e| {
            StoreError::Internal(format!("cannot open {} to read: {e}", self.path.display()))
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "cache_size", -self.cache_kib)?;
        conn.set_prepared_statement_cache_capacity(256);
        Ok(conn)
    }
}

fn in_read_transaction<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Db) -> StoreResult<T>,
) -> StoreResult<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
    let value = f(&Db::sqlite(&tx))?;
    tx.commit()?;
    Ok(value)
}

fn closed(_: tokio::sync::AcquireError) -> StoreError {
    StoreError::Internal("the database's readers are closed".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with_a_table() -> (tempfile::TempDir, PathBuf, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER);")
            .unwrap();
        (dir, path, writer)
    }

    fn count(db: &Db) -> StoreResult<i64> {
        Ok(db.query_row(
            "SELECT count(*) FROM t",
            crate::server::store::db::params![],
            |r| r.get(0),
        )?)
    }

    #[tokio::test]
    async fn a_read_sees_the_last_commit_while_a_write_is_under_way() {
        let (_dir, path, mut writer) = file_with_a_table();
        let readers = Arc::new(Readers::new(&path, 1024));
        writer.execute("INSERT INTO t VALUES (1)", []).unwrap();
        let open = writer.transaction().unwrap();
        open.execute("INSERT INTO t VALUES (2)", []).unwrap();
        assert_eq!(
            readers.read(count).await.unwrap(),
            1,
            "the uncommitted row is not seen"
        );
        open.commit().unwrap();
        assert_eq!(
            readers.read(count).await.unwrap(),
            2,
            "a committed row is seen at once"
        );
    }

    #[tokio::test]
    async fn a_read_is_one_snapshot_and_cannot_write() {
        let (_dir, path, writer) = file_with_a_table();
        let readers = Arc::new(Readers::new(&path, 1024));
        let path2 = path.clone();
        let (before, after) = readers
            .read(move |db| {
                let before = count(db)?;
                // A commit from another connection between two statements.
                let other = Connection::open(&path2).unwrap();
                other.execute("INSERT INTO t VALUES (1)", []).unwrap();
                Ok((before, count(db)?))
            })
            .await
            .unwrap();
        assert_eq!((before, after), (0, 0));
        let refused = readers
            .read(|db| {
                Ok(db.execute(
                    "INSERT INTO t VALUES (9)",
                    crate::server::store::db::params![],
                )?)
            })
            .await;
        assert!(refused.is_err(), "{refused:?}");
        let n: i64 = writer
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        // The reader that was refused is still good for the next read.
        assert_eq!(readers.read(count).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn closed_readers_let_the_writer_leave_wal() {
        let (_dir, path, writer) = file_with_a_table();
        let readers = Arc::new(Readers::new(&path, 1024));
        readers.read(count).await.unwrap();
        let busy = writer.query_row("PRAGMA journal_mode = MEMORY", [], |r| {
            r.get::<_, String>(0)
        });
        assert!(busy.is_err() || busy.as_deref() == Ok("wal"), "{busy:?}");
        let closed = readers.close_all().await.unwrap();
        let mode: String = writer
            .query_row("PRAGMA journal_mode = MEMORY", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "memory");
        let mode: String = writer
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(closed);
        assert_eq!(readers.read(count).await.unwrap(), 0);
    }
}
