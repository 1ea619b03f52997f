//! The SQLite engine: one file, WAL mode, one writing connection behind a
//! mutex (SQLite serialises writers anyway) and read connections beside it
//! ([`readers`]). Calls run on the blocking pool so the async runtime never
//! waits on the disk. The queries are the shared ones in [`super::sql`].

mod readers;
mod schema;

use super::db::Db;
use super::sql::{SqlStore, tx};
use super::{StoreError, StoreResult};
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// SQLite's page cache, in KiB (an upper bound: pages are allocated as
/// they are read). The default 2 MiB made a sweep of 100,000 agents read
/// most pages again from the OS at every join (a `pread` each): the rules'
/// facts join agents, credentials and grants by random ids, and a first
/// sweep writes 150 MB of alerts and audit.
const SERVE_CACHE_KIB: i64 = 128 * 1024;

/// The SQLite store.
pub type SqliteStore = SqlStore;

pub struct SqliteEngine {
    /// None for a database in memory, which only its one connection sees:
    /// its reads take the writer's turn. Declared before the writer so it
    /// closes first: the last connection to close checkpoints the WAL into
    /// the file, and a reader cannot.
    readers: Option<Arc<readers::Readers>>,
    conn: Arc<Mutex<Connection>>,
}

impl SqlStore {
    /// Opens (creating if needed) the database file and migrates it.
    pub fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            crate::dirs::create_private_dir(dir).map_err(|e| {
                StoreError::Internal(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let tightened = crate::dirs::prepare_private_db(path).map_err(|e| {
            StoreError::Internal(format!("cannot make {} private: {e}", path.display()))
        })?;
        for file in tightened {
            tracing::warn!(
                file = %file.display(),
                "the database was readable by other users; its mode is now 0600"
            );
        }
        let conn = Connection::open(path)
            .map_err(|e| StoreError::Internal(format!("cannot open {}: {e}", path.display())))?;
        SqliteEngine::init(conn, Some(path)).map_err(|e| match e {
            StoreError::Internal(m) => StoreError::Internal(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    pub fn open_in_memory() -> StoreResult<Self> {
        SqliteEngine::init(Connection::open_in_memory()?, None)
    }
}

impl SqliteEngine {
    fn init(mut conn: Connection, path: Option<&Path>) -> StoreResult<SqlStore> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -SERVE_CACHE_KIB)?;
        // Every statement goes through the cache, some built per call.
        conn.set_prepared_statement_cache_capacity(256);
        schema::migrate(&mut conn).map_err(StoreError::Internal)?;
        let rev = tx::current_rev(&Db::sqlite(&conn))?;
        Ok(SqlStore::sqlite(
            SqliteEngine {
                readers: path.map(|p| Arc::new(readers::Readers::new(p, SERVE_CACHE_KIB))),
                conn: Arc::new(Mutex::new(conn)),
            },
            rev,
        ))
    }

    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        if let Some(readers) = &self.readers {
            return readers.read(f).await;
        }
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let guard = conn
                .lock()
                .map_err(|_| StoreError::Internal("the database lock was poisoned".into()))?;
            f(&Db::sqlite(&guard))
        })
        .await
        .map_err(|e| StoreError::Internal(format!("database task failed: {e}")))?
    }

    /// Runs `f` in one immediate transaction and commits; answers its value
    /// and the revision after it.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<(T, i64)> {
        let conn = self.conn.clone();
        let asked = std::time::Instant::now();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| StoreError::Internal("the database lock was poisoned".into()))?;
            let got = std::time::Instant::now();
            let out = write_in(&mut guard, f);
            let waited = got.saturating_duration_since(asked);
            if asked.elapsed() >= std::time::Duration::from_millis(250) {
                tracing::debug!(
                    wait_ms = waited.as_millis() as u64,
                    work_ms = got.elapsed().as_millis() as u64,
                    "slow write transaction"
                );
            }
            out
        })
        .await
        .map_err(|e| StoreError::Internal(format!("database task failed: {e}")))?
    }

    /// [`write`](Self::write) for a first load into a file that holds no
    /// fleet yet (a demo's, a benchmark's): while `f` runs the rollback
    /// journal is kept in memory and nothing is synced, so each page is
    /// written once, not to the WAL and again at its checkpoint. A failed
    /// `f` still rolls back; a crash in the middle may leave the file
    /// unusable, which for a first load costs only the load. Where another
    /// connection holds the file open (WAL cannot be left then), it is an
    /// ordinary write.
    pub(crate) async fn write_first_load<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<(T, i64)> {
        // Readers wait until the load is in: WAL can be left only while no
        // other connection has the file open.
        let _no_readers = match &self.readers {
            Some(readers) => Some(readers.close_all().await?),
            None => None,
        };
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| StoreError::Internal("the database lock was poisoned".into()))?;
            let journal: String = guard.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            let sync: i64 = guard.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
            // Refused (busy) while another connection has the file open.
            let switched = guard
                .query_row("PRAGMA journal_mode = MEMORY", [], |r| r.get::<_, String>(0))
                .is_ok_and(|mode| mode.eq_ignore_ascii_case("memory"));
            if switched {
                guard.pragma_update(None, "synchronous", "OFF")?;
            }
            let written = write_in(&mut guard, f);
            if switched {
                let back: String =
                    guard.query_row(&format!("PRAGMA journal_mode = {journal}"), [], |r| {
                        r.get(0)
                    })?;
                guard.pragma_update(None, "synchronous", sync)?;
                if !back.eq_ignore_ascii_case(&journal) {
                    return Err(StoreError::Internal(format!(
                        "the database stayed in journal mode {back} after a first load, not {journal}"
                    )));
                }
            }
            written
        })
        .await
        .map_err(|e| StoreError::Internal(format!("database task failed: {e}")))?
    }
}

/// `f` in one immediate transaction, committed; its value and the
/// revision after it.
fn write_in<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Db) -> StoreResult<T>,
) -> StoreResult<(T, i64)> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let db = Db::sqlite(&tx);
    let value = f(&db)?;
    let rev = tx::current_rev(&db)?;
    drop(db);
    tx.commit()?;
    Ok((value, rev))
}
