//! The PostgreSQL engine: the same queries as SQLite's (in
//! [`super::sql`]), over a small pool of synchronous `postgres` clients,
//! each call on the blocking pool, never on the async runtime.
//!
//! Several `warden serve` processes may share one database and behave as
//! one backend:
//! - every write transaction first locks the `meta` row of the revision
//!   (`SELECT … FOR UPDATE`), so writers through any server run one at a
//!   time as SQLite's single writer does, and the audit chain never forks;
//! - reads are one repeatable-read snapshot each, so a page of changes is
//!   exact;
//! - a commit sends `NOTIFY warden_rev`; each store listens on its own
//!   thread (and reads the revision every 500 ms in case a notification is
//!   lost), so subscribers and long polls wake for writes made through the
//!   other servers too.
//!
//! The connection is not encrypted (`NoTls`): run PostgreSQL on the same
//! host or a private network, or put a TLS tunnel in front of it.

mod schema;

use super::db::pg::{PgTx, StatementCache};
use super::db::{Db, params};
use super::sql::{SqlStore, bump, tx};
use super::{StoreError, StoreResult};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config, IsolationLevel, NoTls};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The notification channel of new revisions.
const CHANNEL: &str = "warden_rev";
/// How often the listener reads the revision even without a notification.
const FALLBACK_POLL: Duration = Duration::from_millis(500);
/// Most connections one store holds open at once (idle or in use), not
/// counting the listener's; more callers wait for one to come back.
const MAX_CONNECTIONS: usize = 16;

struct PgConn {
    client: Client,
    cache: StatementCache,
}

#[derive(Default)]
struct Slots {
    idle: Vec<PgConn>,
    /// Connections open, idle or in use.
    open: usize,
}

struct Pool {
    config: Config,
    /// Where the database is, for messages: host, port and database, never
    /// the password.
    label: String,
    slots: Mutex<Slots>,
    returned: Condvar,
}

impl Pool {
    fn connect(&self) -> StoreResult<PgConn> {
        let client = self.config.connect(NoTls).map_err(|e| {
            StoreError::Internal(format!(
                "cannot connect to PostgreSQL at {}: {}",
                self.label,
                chain(&e)
            ))
        })?;
        Ok(PgConn {
            client,
            cache: StatementCache::new(),
        })
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An idle connection, or a new one while fewer than
    /// [`MAX_CONNECTIONS`] are open, or the next one given back.
    fn get(&self) -> StoreResult<PgConn> {
        let mut slots = self.slots();
        loop {
            while let Some(c) = slots.idle.pop() {
                if !c.client.is_closed() {
                    return Ok(c);
                }
                slots.open -= 1;
            }
            if slots.open < MAX_CONNECTIONS {
                slots.open += 1;
                drop(slots);
                let conn = self.connect();
                if conn.is_err() {
                    self.release();
                }
                return conn;
            }
            slots = self.returned.wait(slots).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Gives a connection back, or gives up its slot if it broke.
    fn put(&self, conn: PgConn) {
        if conn.client.is_closed() {
            drop(conn);
            self.release();
            return;
        }
        self.slots().idle.push(conn);
        self.returned.notify_one();
    }

    /// Gives up the slot of a connection that is gone.
    fn release(&self) {
        let mut slots = self.slots();
        slots.open = slots.open.saturating_sub(1);
        drop(slots);
        self.returned.notify_one();
    }
}

/// A connection out of the pool; back in it when dropped (a panic in the
/// caller included).
struct Pooled<'p> {
    pool: &'p Pool,
    conn: Option<PgConn>,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            if std::thread::panicking() {
                // Its transaction may be half done: do not reuse it.
                drop(c);
                self.pool.release();
            } else {
                self.pool.put(c);
            }
        }
    }
}

pub struct PgEngine {
    pool: Arc<Pool>,
    stop: Arc<AtomicBool>,
}

impl Drop for PgEngine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Closing a synchronous client blocks on its own runtime, which
        // must not happen on an async worker: close them on a thread.
        let idle = std::mem::take(&mut self.pool.slots().idle);
        if !idle.is_empty() {
            let _ = std::thread::Builder::new()
                .name("warden-pg-close".into())
                .spawn(move || drop(idle));
        }
    }
}

/// `url` with any password in it replaced by `***`, for messages and logs:
/// `postgres://warden:***@db:5432/warden`. Other strings come back as
/// they are.
pub fn redacted(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let mut out = url.to_string();
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map_or(url.len(), |i| scheme_end + i);
    if let Some(at) = url[scheme_end..authority_end].rfind('@') {
        let userinfo = &url[scheme_end..scheme_end + at];
        if let Some(colon) = userinfo.find(':') {
            out = format!(
                "{}***{}",
                &url[..scheme_end + colon + 1],
                &url[scheme_end + at..]
            );
        }
    }
    // A password given as a query parameter.
    if let Some(q) = out.find('?') {
        let (base, query) = out.split_at(q + 1);
        let query = query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => kv.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&");
        out = format!("{base}{query}");
    }
    out
}

/// An error and its causes, `a: b: c` (the client's own message alone is
/// often only "error connecting to server").
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

/// `host:port/database` of a connection config.
fn label(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("{host}:{port}/{db}")
}

impl SqlStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`),
    /// migrates the database, and starts listening for revisions. Blocking:
    /// call it from a blocking context or before the runtime starts work
    /// (it is quick).
    pub fn open_postgres(url: &str) -> StoreResult<Self> {
        let mut config: Config = url
            .parse()
            .map_err(|e| StoreError::Invalid(format!("--database: not a PostgreSQL URL ({e})")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        if config.get_application_name().is_none() {
            config.application_name("warden");
        }
        let label = label(&config);
        let pool = Arc::new(Pool {
            config,
            label: label.clone(),
            slots: Mutex::new(Slots::default()),
            returned: Condvar::new(),
        });
        let mut conn = pool.get()?;
        schema::migrate(&mut conn.client)
            .map_err(|e| StoreError::Internal(format!("PostgreSQL at {label}: {e}")))?;
        let rev = {
            let PgConn { client, cache } = &mut conn;
            let t = client.transaction()?;
            let db = Db::postgres(PgTx::new(t, cache));
            let rev = tx::current_rev(&db)?;
            if let Some(t) = db.into_postgres() {
                t.commit()?;
            }
            rev
        };
        pool.put(conn);
        let notify = Arc::new(watch::channel(rev).0);
        let stop = Arc::new(AtomicBool::new(false));
        {
            let (pool, notify, stop) = (pool.clone(), notify.clone(), stop.clone());
            std::thread::Builder::new()
                .name("warden-pg-listen".into())
                .spawn(move || listen(&pool, &notify, &stop))
                .map_err(|e| StoreError::Internal(format!("cannot start a thread: {e}")))?;
        }
        Ok(SqlStore::postgres(PgEngine { pool, stop }, notify))
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        super::db::DbError::from(e).into()
    }
}

impl PgEngine {
    /// Runs `f` on a pooled connection and gives the connection back.
    async fn on_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut PgConn) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut pooled = Pooled {
                conn: Some(pool.get()?),
                pool: &pool,
            };
            match pooled.conn.as_mut() {
                Some(conn) => f(conn),
                None => Err(StoreError::Internal("no connection".into())),
            }
        })
        .await
        .map_err(|e| StoreError::Internal(format!("database task failed: {e}")))?
    }

    /// Runs `sql` outside any transaction, without the writers' lock
    /// (`ANALYZE`: it may not run in a read-only one).
    pub(crate) async fn maintain(&self, sql: &'static str) -> StoreResult<()> {
        self.on_conn(move |conn| Ok(conn.client.batch_execute(sql)?))
            .await
    }

    /// Runs `f` in one read-only, repeatable-read transaction: one snapshot.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.on_conn(move |conn| {
            let PgConn { client, cache } = conn;
            let t = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let db = Db::postgres(PgTx::new(t, cache));
            let out = f(&db);
            if let Some(t) = db.into_postgres() {
                t.commit()?;
            }
            out
        })
        .await
    }

    /// Runs `f` in one write transaction that first takes the writers'
    /// lock, commits it with a notification of the new revision, and
    /// answers `f`'s value and that revision.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<(T, i64)> {
        let asked = Instant::now();
        self.on_conn(move |conn| {
            let got = Instant::now();
            let PgConn { client, cache } = conn;
            let t = client.transaction()?;
            let db = Db::postgres(PgTx::new(t, cache));
            // The one writer at a time, across every server on this
            // database; under read committed, each statement after it sees
            // every write committed before.
            db.query_row(
                "SELECT value FROM meta WHERE key = 'rev' FOR UPDATE",
                params![],
                |r| r.get::<_, i64>(0),
            )?;
            let locked = Instant::now();
            let value = f(&db)?;
            let done = Instant::now();
            let rev = tx::current_rev(&db)?;
            db.execute(
                "SELECT pg_notify(?1, ?2)",
                params![CHANNEL, rev.to_string()],
            )?;
            if let Some(t) = db.into_postgres() {
                t.commit()?;
            }
            slow_write(asked, got, locked, done);
            Ok((value, rev))
        })
        .await
    }
}

/// A write that took long, on the debug log: where it waited (for a
/// connection, for the writers' lock) and how long its own work and the
/// commit took.
fn slow_write(asked: Instant, got: Instant, locked: Instant, done: Instant) {
    const SLOW: Duration = Duration::from_millis(250);
    if asked.elapsed() < SLOW {
        return;
    }
    let ms = |a: Instant, b: Instant| b.saturating_duration_since(a).as_millis() as u64;
    tracing::debug!(
        pool_ms = ms(asked, got),
        lock_ms = ms(got, locked),
        work_ms = ms(locked, done),
        commit_ms = ms(done, Instant::now()),
        "slow write transaction"
    );
}

/// Feeds `notify` with the revisions other servers commit: LISTEN on a
/// connection of its own (reconnecting when it breaks), plus a read of the
/// revision every [`FALLBACK_POLL`]. Ends soon after `stop` is set.
fn listen(pool: &Pool, notify: &watch::Sender<i64>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let mut client = match pool.config.connect(NoTls) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(
                    "PostgreSQL at {}: cannot listen for changes: {}",
                    pool.label,
                    chain(&e)
                );
                wait(stop, Duration::from_secs(1));
                continue;
            }
        };
        if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")) {
            tracing::warn!("PostgreSQL at {}: LISTEN failed: {e}", pool.label);
            wait(stop, Duration::from_secs(1));
            continue;
        }
        let mut last_poll: Option<Instant> = None;
        while !stop.load(Ordering::Relaxed) {
            if last_poll.is_none_or(|t| t.elapsed() >= FALLBACK_POLL) {
                last_poll = Some(Instant::now());
                match client.query_one("SELECT value FROM meta WHERE key = 'rev'", &[]) {
                    Ok(row) => bump(notify, row.get::<_, i64>(0)),
                    Err(_) => break,
                }
            }
            let next = client.notifications().timeout_iter(FALLBACK_POLL).next();
            match next {
                Ok(Some(n)) => {
                    if let Ok(rev) = n.payload().parse() {
                        bump(notify, rev);
                    }
                }
                Ok(None) => {}
                Err(_) => break,
            }
        }
    }
}

fn wait(stop: &AtomicBool, d: Duration) {
    let until = Instant::now() + d;
    while !stop.load(Ordering::Relaxed) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redacted("postgres://warden:s3cret@db.example:5432/warden"),
            "postgres://warden:***@db.example:5432/warden"
        );
        assert_eq!(
            redacted("postgresql://u:p%40ss@h/db?sslmode=disable&password=x"),
            "postgresql://u:***@h/db?sslmode=disable&password=***"
        );
        assert_eq!(redacted("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redacted("sqlite:/tmp/w.db"), "sqlite:/tmp/w.db");
    }

    #[test]
    fn a_label_names_host_port_and_database_only() {
        let c: Config = "postgres://warden:s3cret@db.example:6543/fleet"
            .parse()
            .unwrap();
        assert_eq!(label(&c), "db.example:6543/fleet");
    }

    #[test]
    fn an_unreachable_server_is_named_without_the_password() {
        let err = SqlStore::open_postgres(
            "postgres://warden:s3cret@127.0.0.1:1/warden?connect_timeout=2",
        )
        .err()
        .expect("nothing listens on port 1");
        let msg = err.to_string();
        assert!(msg.contains("127.0.0.1:1/warden"), "{msg}");
        assert!(!msg.contains("s3cret"), "{msg}");
    }
}
