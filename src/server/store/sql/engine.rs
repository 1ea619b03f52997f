//! The store's plumbing: [`SqlStore`] over a SQLite or a PostgreSQL
//! engine, running a function of the shared SQL in a read or a write
//! transaction and telling subscribers when the revision moved.

use super::super::db::Db;
use super::super::postgres::PgEngine;
use super::super::sqlite::SqliteEngine;
use super::super::{StoreResult, SweepQuery};
use std::sync::Arc;
use tokio::sync::watch;

enum Engine {
    Sqlite(SqliteEngine),
    Postgres(PgEngine),
}

/// The store over SQLite or PostgreSQL.
pub struct SqlStore {
    engine: Engine,
    pub(super) notify: Arc<watch::Sender<i64>>,
}

impl SqlStore {
    pub(crate) fn sqlite(engine: SqliteEngine, rev: i64) -> Self {
        SqlStore {
            engine: Engine::Sqlite(engine),
            notify: Arc::new(watch::channel(rev).0),
        }
    }

    pub(crate) fn postgres(engine: PgEngine, notify: Arc<watch::Sender<i64>>) -> Self {
        SqlStore {
            engine: Engine::Postgres(engine),
            notify,
        }
    }

    pub(super) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        match &self.engine {
            Engine::Sqlite(b) => b.read(f).await,
            Engine::Postgres(b) => b.read(f).await,
        }
    }

    /// Runs `f` in one write transaction, commits, and tells the
    /// subscribers the new revision.
    pub(super) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (value, rev) = match &self.engine {
            Engine::Sqlite(b) => b.write(f).await?,
            Engine::Postgres(b) => b.write(f).await?,
        };
        bump(&self.notify, rev);
        Ok(value)
    }
}

impl SqlStore {
    /// [`write`](Self::write) for a first load into an empty fleet: on
    /// SQLite without the WAL while it runs
    /// ([`SqliteEngine::write_first_load`]).
    pub(super) async fn write_first_load<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (value, rev) = match &self.engine {
            Engine::Sqlite(b) => b.write_first_load(f).await?,
            Engine::Postgres(b) => b.write(f).await?,
        };
        bump(&self.notify, rev);
        Ok(value)
    }
}

/// Moves the watched revision forward to `rev` (never back).
impl SqlStore {
    /// `ANALYZE` of the alerts, on PostgreSQL. Its cached
    /// plans are made once per connection and kept: one made while the
    /// alerts were few (a seq scan and a hash join) stayed after a first
    /// sweep wrote 240,000 of them, each lookup reading them all (the
    /// sweep's own lookups 6.6 s of its writes at 100,000 agents). New
    /// statistics make PostgreSQL plan them again.
    pub(super) async fn analyze_alerts(&self) -> StoreResult<()> {
        match &self.engine {
            Engine::Sqlite(_) => Ok(()),
            Engine::Postgres(b) => b.maintain("ANALYZE alerts").await,
        }
    }
}

pub(crate) fn bump(notify: &watch::Sender<i64>, rev: i64) {
    notify.send_if_modified(|current| {
        let changed = rev > *current;
        *current = (*current).max(rev);
        changed
    });
}

impl SqlStore {
    /// One of the sweep's conditions, read on its own.
    pub(super) async fn fact<T: Send + 'static>(
        &self,
        query: &Arc<SweepQuery>,
        read: fn(&Db, &SweepQuery) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let query = query.clone();
        self.read(move |c| read(c, &query)).await
    }
}

pub(super) fn owned(s: &str) -> String {
    s.to_string()
}
