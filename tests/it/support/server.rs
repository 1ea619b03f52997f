//! A real `warden serve` for integration tests: in-process, on a free
//! loopback port, over a fresh SQLite file or PostgreSQL database, with an
//! admin token. `WARDEN_TEST_STORE=postgres` (with
//! `WARDEN_TEST_DATABASE_URL=postgres://…`) makes `start`/`start_with` use
//! a fresh PostgreSQL database per server.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use warden::config::ServeConfig;
pub use warden::params;
use warden::server::store::db::{Db, DbResult, Row, ToValue, Value as SqlValue};
use warden::server::{self, RunningServer};

pub const ADMIN: &str = "test-admin-token-0123456789";

pub struct TestServer {
    pub url: String,
    /// The SQLite file (on PostgreSQL, a name in the server's directory
    /// that [`TestServer::start_on`] knows the database by).
    pub db_path: PathBuf,
    pub http: reqwest::Client,
    server: Option<RunningServer>,
    _dir: tempfile::TempDir,
    /// The PostgreSQL database, when the server runs on one.
    pg: Option<Arc<PgDatabase>>,
}

/// Which database a test server runs on.
#[derive(Clone)]
pub enum Database {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database of its own, dropped when the last server
    /// holding it is dropped.
    Postgres(Arc<PgDatabase>),
}

/// Whether `TestServer::start_with` runs on PostgreSQL
/// (`WARDEN_TEST_STORE=postgres`, with `WARDEN_TEST_DATABASE_URL`): the
/// PostgreSQL pass is this binary run again with it, filtered to the store
/// and API suites (the command is at the top of `main.rs`).
pub fn postgres_by_default() -> bool {
    std::env::var("WARDEN_TEST_STORE").is_ok_and(|v| v == "postgres" || v == "postgresql")
}

/// Whether PostgreSQL tests can run. Without `WARDEN_TEST_DATABASE_URL`
/// that is a failure in CI (which always runs PostgreSQL, see `.ci/run`);
/// on a developer's machine the test is skipped, with the reason printed.
pub fn postgres_available(what: &str) -> bool {
    if test_database_url().is_some() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "WARDEN_TEST_DATABASE_URL is not set, and CI must run {what} on PostgreSQL (.ci/run starts one)"
    );
    use std::io::Write;
    // Straight to stderr: the test harness captures eprintln!.
    let _ = writeln!(
        std::io::stderr(),
        "skipping {what}: set WARDEN_TEST_DATABASE_URL=postgres://… to run it on PostgreSQL"
    );
    false
}

/// The PostgreSQL server the tests may create databases on, if configured.
pub fn test_database_url() -> Option<String> {
    std::env::var("WARDEN_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A fresh PostgreSQL database for one test, `warden_t_<time>_<random>`,
/// created on the server of `WARDEN_TEST_DATABASE_URL` and dropped (best
/// effort) when dropped. Databases of this kind older than two hours, left
/// by test processes that died, are dropped when a new one is made.
pub struct PgDatabase {
    pub url: String,
    pub name: String,
    admin_url: String,
}

fn pg_blocking<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    // The synchronous client must not run on an async worker.
    std::thread::scope(|s| s.spawn(f).join().expect("PostgreSQL helper thread"))
}

impl PgDatabase {
    pub fn create() -> Arc<PgDatabase> {
        let admin_url = test_database_url().expect(
            "set WARDEN_TEST_DATABASE_URL=postgres://user:password@host/db for PostgreSQL tests",
        );
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let random = warden::secrets::new_id("x")[2..].to_ascii_lowercase();
        let name = format!("warden_t_{now}_{random}");
        let url = replace_dbname(&admin_url, &name);
        pg_blocking(|| {
            let mut c = postgres::Client::connect(&admin_url, postgres::NoTls)
                .expect("connect to WARDEN_TEST_DATABASE_URL");
            // Leftovers of test processes that died.
            if let Ok(rows) = c.query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'warden\\_t\\_%'",
                &[],
            ) {
                for r in rows {
                    let old: String = r.get(0);
                    let ts: Option<u64> = old.split('_').nth(2).and_then(|t| t.parse().ok());
                    if ts.is_some_and(|t| t + 7200 < now) {
                        let _ = c.batch_execute(&format!(
                            "DROP DATABASE IF EXISTS \"{old}\" WITH (FORCE)"
                        ));
                    }
                }
            }
            // Copied as files, not written through the WAL block by block
            // (PostgreSQL 15's default): every test makes a database, and
            // twenty took 1.2 s so against 3.2 s on ext4 (1.1 against 1.4
            // on tmpfs, where `.ci/run` keeps its cluster).
            c.batch_execute(&format!("CREATE DATABASE \"{name}\" STRATEGY = FILE_COPY"))
                .expect("CREATE DATABASE");
        });
        Arc::new(PgDatabase {
            url,
            name,
            admin_url,
        })
    }

    /// A client on this database (blocking: call it off the async workers,
    /// e.g. through [`PgDatabase::with_client`]).
    pub fn with_client<T: Send>(&self, f: impl FnOnce(&mut postgres::Client) -> T + Send) -> T {
        pg_blocking(|| {
            let mut c = postgres::Client::connect(&self.url, postgres::NoTls)
                .expect("connect to the test database");
            f(&mut c)
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        pg_blocking(move || {
            if let Ok(mut c) = postgres::Client::connect(&admin, postgres::NoTls) {
                let _ =
                    c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
            }
        });
    }
}

/// `url` with its database name replaced by `name`.
fn replace_dbname(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Databases of stopped servers, by the path [`TestServer::stop`] handed
/// back, so that `start_on` finds them again.
static PARKED: Mutex<Vec<(PathBuf, Arc<PgDatabase>)>> = Mutex::new(Vec::new());

/// The marker path of a PostgreSQL database in a server's directory.
fn pg_marker(dir: &Path) -> PathBuf {
    dir.join("warden.postgres")
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(ServeConfig::default()).await
    }

    /// On SQLite, or on PostgreSQL with `WARDEN_TEST_STORE=postgres`.
    pub async fn start_with(config: ServeConfig) -> TestServer {
        if postgres_by_default() {
            // Asking for the PostgreSQL pass without naming a server is a
            // mistake to fix, not a reason to skip: fail this test, saying so,
            // and leave every other test of the binary to run.
            assert!(
                test_database_url().is_some(),
                "WARDEN_TEST_STORE=postgres needs WARDEN_TEST_DATABASE_URL=postgres://… \
                 (a server the tests may create databases on)"
            );
            return Self::start_pg(config).await;
        }
        Self::start_sqlite(config).await
    }

    /// On a fresh SQLite file, whatever the environment says.
    pub async fn start_sqlite(config: ServeConfig) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let db_path = dir.path().join("warden.db");
        Self::start_on(dir, db_path, config).await
    }

    /// On a fresh PostgreSQL database (needs `WARDEN_TEST_DATABASE_URL`).
    pub async fn start_pg(config: ServeConfig) -> TestServer {
        let db = PgDatabase::create();
        Self::start_on_database(Database::Postgres(db), config).await
    }

    /// A second server on the database of `other`: they share it as two
    /// `warden serve` processes would.
    pub async fn start_on_same(other: &TestServer, config: ServeConfig) -> TestServer {
        Self::start_on_database(other.database(), config).await
    }

    /// The database this server runs on.
    pub fn database(&self) -> Database {
        match &self.pg {
            Some(db) => Database::Postgres(db.clone()),
            None => Database::Sqlite(self.db_path.clone()),
        }
    }

    /// Starts on `database`, in a directory of its own.
    pub async fn start_on_database(database: Database, config: ServeConfig) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        match database {
            Database::Sqlite(path) => Self::start_on(dir, path, config).await,
            Database::Postgres(db) => Self::start_pg_on(dir, db, config, ADMIN).await,
        }
    }

    /// Stops this server and starts another on the same database.
    pub async fn restart(self, config: ServeConfig) -> TestServer {
        let (dir, path) = self.stop().await;
        Self::start_on(dir, path, config).await
    }

    /// Starts on an existing directory and database file (for restarts);
    /// a path that [`TestServer::stop`] handed back for a PostgreSQL
    /// server starts on that server's database.
    pub async fn start_on(
        dir: tempfile::TempDir,
        db_path: PathBuf,
        config: ServeConfig,
    ) -> TestServer {
        Self::start_on_as(dir, db_path, config, ADMIN).await
    }

    /// Stops this server and starts another on the same database with
    /// `admin` as its `WARDEN_ADMIN_TOKEN`.
    pub async fn restart_with_admin(self, config: ServeConfig, admin: &str) -> TestServer {
        let (dir, path) = self.stop().await;
        Self::start_on_as(dir, path, config, admin).await
    }

    async fn start_on_as(
        dir: tempfile::TempDir,
        db_path: PathBuf,
        config: ServeConfig,
        admin: &str,
    ) -> TestServer {
        let parked = {
            let mut parked = PARKED.lock().unwrap();
            let i = parked.iter().position(|(p, _)| *p == db_path);
            i.map(|i| parked.remove(i).1)
        };
        if let Some(db) = parked {
            return Self::start_pg_on(dir, db, config, admin).await;
        }
        let store =
            server::open_store(&format!("sqlite:{}", db_path.display())).expect("open store");
        Self::serve(store, dir, db_path, None, config, admin).await
    }

    async fn start_pg_on(
        dir: tempfile::TempDir,
        db: Arc<PgDatabase>,
        config: ServeConfig,
        admin: &str,
    ) -> TestServer {
        let store = server::open_store(&db.url).expect("open the PostgreSQL store");
        let path = pg_marker(dir.path());
        Self::serve(store, dir, path, Some(db), config, admin).await
    }

    async fn serve(
        store: Arc<dyn warden::server::store::Store>,
        dir: tempfile::TempDir,
        db_path: PathBuf,
        pg: Option<Arc<PgDatabase>>,
        config: ServeConfig,
        admin: &str,
    ) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let mut config = config;
        // The API suites compare the database before and after a request;
        // the rules' scheduler writing alerts (and renewing its lease) in
        // between would make them about timing. A test that means the
        // scheduler sets an interval of its own (see `rules::realtime`).
        if config.rules.sweep_interval_seconds
            == warden::config::RuleThresholds::default().sweep_interval_seconds
        {
            config.rules.sweep_interval_seconds = 0;
        }
        let running = server::start(store, config, Some(admin), listener)
            .await
            .expect("start");
        super::install_crypto_provider();
        TestServer {
            url: running.url.clone(),
            db_path,
            http: reqwest::Client::new(),
            server: Some(running),
            _dir: dir,
            pg,
        }
    }

    /// Stops the server and hands back its directory, to start again on it
    /// with [`TestServer::start_on`] (on PostgreSQL, the database is kept
    /// for that).
    pub async fn stop(mut self) -> (tempfile::TempDir, PathBuf) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
        if let Some(db) = self.pg.take() {
            PARKED.lock().unwrap().push((self.db_path.clone(), db));
        }
        (self._dir, self.db_path)
    }

    /// Sends a request; answers the status and the JSON body (Null if none).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, format!("{}{}", self.url, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
        };
        (status, json)
    }

    pub async fn admin(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, json) = self.call(method, path, Some(ADMIN), Some(body)).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {json}"
        );
        json
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, json) = self.call("GET", path, Some(ADMIN), None).await;
        assert_eq!(status, 200, "GET {path}: {json}");
        json
    }

    /// A person token of `role`.
    pub async fn token(&self, role: &str) -> String {
        let t = self
            .admin(
                "POST",
                "/v1/tokens",
                serde_json::json!({"name": format!("{role}-token"), "role": role}),
            )
            .await;
        t["token"].as_str().expect("token").to_string()
    }

    pub async fn person(&self, name: &str, email: &str) -> Value {
        self.admin(
            "POST",
            "/v1/people",
            serde_json::json!({"name": name, "email": email}),
        )
        .await
    }

    pub async fn agent(&self, name: &str) -> Value {
        self.admin(
            "POST",
            "/v1/agents",
            serde_json::json!({"name": name, "kind": "chatbot", "environment": "prod"}),
        )
        .await
    }

    /// Issues a credential; answers (credential id, secret).
    pub async fn credential(&self, agent: &str) -> (String, String) {
        let c = self
            .admin(
                "POST",
                &format!("/v1/agents/{agent}/credentials"),
                serde_json::json!({"scopes": ["tickets:read"]}),
            )
            .await;
        (
            c["id"].as_str().unwrap().to_string(),
            c["secret"].as_str().unwrap().to_string(),
        )
    }

    pub async fn heartbeat(&self, secret: &str) -> (u16, Value) {
        self.call("POST", "/v1/agent/heartbeat", Some(secret), None)
            .await
    }
}

// ---- additions for the API suite ----

/// A bearer secret that no server ever issued.
pub const UNKNOWN_TOKEN: &str = "wdn_pt_this-token-was-never-issued-000000";

impl TestServer {
    /// Sends `body` as raw bytes, with `content_type` if given.
    pub async fn call_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(method, format!("{}{}", self.url, path))
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(ct) = content_type {
            req = req.header(reqwest::header::CONTENT_TYPE, ct);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
        };
        (status, json)
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(token), Some(body)).await
    }

    /// A person token of `role` speaking for `person` (an id or email).
    pub async fn token_for(&self, role: &str, name: &str, person: &str) -> String {
        let t = self
            .admin(
                "POST",
                "/v1/tokens",
                json!({"name": name, "role": role, "person": person}),
            )
            .await;
        t["token"].as_str().expect("token").to_string()
    }

    /// Registers an agent from a full body.
    pub async fn agent_with(&self, body: Value) -> Value {
        self.admin("POST", "/v1/agents", body).await
    }

    /// Issues a credential from a full body; answers the whole answer.
    pub async fn credential_with(&self, agent: &str, body: Value) -> Value {
        self.admin("POST", &format!("/v1/agents/{agent}/credentials"), body)
            .await
    }

    /// `GET /v1/agents/{key}` as admin.
    pub async fn detail(&self, key: &str) -> Value {
        self.get(&format!("/v1/agents/{key}")).await
    }

    /// Kills as admin; answers the operation (asserting 200).
    pub async fn kill(&self, agent: &str, body: Value) -> Value {
        let (status, op) = self
            .post(&format!("/v1/agents/{agent}/kill"), ADMIN, body)
            .await;
        assert_eq!(status, 200, "kill {agent}: {op}");
        op
    }

    /// Every audit entry, through the API.
    pub async fn audit(&self) -> Vec<Value> {
        let v = self.get("/v1/audit?after=0&limit=10000").await;
        v.as_array().expect("audit is an array").clone()
    }

    pub async fn audit_len(&self) -> usize {
        self.audit().await.len()
    }

    /// `GET /v1/audit/verify` as admin.
    pub async fn verify(&self) -> Value {
        self.get("/v1/audit/verify").await
    }

    /// Number of agents, counted through the paged listing.
    pub async fn agent_count(&self) -> usize {
        self.get("/v1/agents?limit=5000").await["items"]
            .as_array()
            .expect("items")
            .len()
    }

    /// A second connection to the server's database file (WAL mode lets it
    /// read and write while the server runs). SQLite only.
    pub fn db(&self) -> rusqlite::Connection {
        assert!(
            self.pg.is_none(),
            "this test reads the SQLite file directly; it runs on SQLite only"
        );
        open_db(&self.db_path)
    }

    /// Runs `f` on this server's database (SQLite or PostgreSQL) through the
    /// store's own portable layer, in one transaction committed after it:
    /// `s.with_db(|db| db.execute("UPDATE …", params![a, b]).unwrap())`.
    pub fn with_db<T: Send>(&self, f: impl FnOnce(&Db) -> T + Send) -> T {
        with_database(&self.database(), f)
    }

    /// Raw SQL on this server's database, SQLite or PostgreSQL.
    pub fn sql(&self) -> Sql {
        Sql(self.database())
    }

    /// Every row of every table, as text: equal dumps mean nothing changed.
    pub fn dump(&self) -> String {
        match &self.pg {
            Some(db) => db.with_client(dump_pg),
            None => dump_db(&self.db()),
        }
    }
}

/// [`TestServer::with_db`] for a database, also of a stopped server.
pub fn with_database<T: Send>(database: &Database, f: impl FnOnce(&Db) -> T + Send) -> T {
    match database {
        Database::Sqlite(path) => {
            let mut conn = open_db(path);
            let tx = conn.transaction().expect("begin");
            let out = f(&Db::sqlite(&tx));
            tx.commit().expect("commit");
            out
        }
        Database::Postgres(db) => db.with_client(|c| {
            let mut cache = warden::server::store::db::pg::StatementCache::new();
            let tx = c.transaction().expect("begin");
            let db = Db::postgres(warden::server::store::db::pg::PgTx::new(tx, &mut cache));
            let out = f(&db);
            db.into_postgres()
                .expect("a PostgreSQL transaction")
                .commit()
                .expect("commit");
            out
        }),
    }
}

/// Raw SQL on a test server's database, SQLite or PostgreSQL, with
/// rusqlite's shape: `s.sql().execute("UPDATE … ?1", [&id])`,
/// `s.sql().query_row("SELECT …", [], |r| r.get(0))`, `params![a, b]` for
/// mixed types. Each call is its own transaction.
pub struct Sql(pub Database);

/// Parameters of [`Sql`]: `[]`, an array of one type, or `params![…]`.
pub trait SqlParams {
    fn into_values(self) -> Vec<SqlValue>;
}

impl SqlParams for &[&dyn ToValue] {
    fn into_values(self) -> Vec<SqlValue> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

impl SqlParams for [&dyn ToValue; 0] {
    fn into_values(self) -> Vec<SqlValue> {
        Vec::new()
    }
}

macro_rules! sql_params_arrays {
    ($($n:literal)*) => {$(
        impl<T: ToValue> SqlParams for [T; $n] {
            fn into_values(self) -> Vec<SqlValue> {
                self.iter().map(|v| v.to_value()).collect()
            }
        }
    )*};
}
sql_params_arrays!(1 2 3 4 5 6 7 8);

impl Sql {
    pub fn execute(&self, sql: &str, params: impl SqlParams) -> DbResult<usize> {
        let values = params.into_values();
        with_database(&self.0, |db| {
            let refs: Vec<&dyn ToValue> = values.iter().map(|v| v as &dyn ToValue).collect();
            db.execute(sql, &refs)
        })
    }

    pub fn query_row<T: Send>(
        &self,
        sql: &str,
        params: impl SqlParams,
        f: impl FnOnce(&Row) -> DbResult<T> + Send,
    ) -> DbResult<T> {
        let values = params.into_values();
        with_database(&self.0, |db| {
            let refs: Vec<&dyn ToValue> = values.iter().map(|v| v as &dyn ToValue).collect();
            db.query_row(sql, &refs, f)
        })
    }
}

/// [`Sql`] on the database of a server that [`TestServer::stop`] stopped.
pub fn stopped_sql(path: &Path) -> Sql {
    Sql(stopped_database(path))
}

/// The database that [`TestServer::stop`] handed back `path` for.
pub fn stopped_database(path: &Path) -> Database {
    let parked = PARKED.lock().unwrap();
    match parked.iter().find(|(p, _)| p == path) {
        Some((_, db)) => Database::Postgres(db.clone()),
        None => Database::Sqlite(path.to_path_buf()),
    }
}

pub fn open_db(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("open the database file");
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    conn
}

/// Every row of every table in rowid order, one line each.
pub fn dump_db(conn: &rusqlite::Connection) -> String {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = String::new();
    for t in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY rowid"))
            .unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                .collect();
            out.push_str(&format!("{t}: {}\n", cells.join(" | ")));
        }
    }
    out
}

/// Every row of every table of a PostgreSQL database, each table's rows
/// in the order of their text, one line each.
pub fn dump_pg(c: &mut postgres::Client) -> String {
    let tables: Vec<String> = c
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = String::new();
    for t in tables {
        let rows = c
            .query(&format!("SELECT t::text FROM \"{t}\" t ORDER BY 1"), &[])
            .unwrap();
        for r in rows {
            let row: String = r.get(0);
            out.push_str(&format!("{t}: {row}\n"));
        }
    }
    out
}

/// SHA-256 hex, as the server stores secrets.
pub fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

/// Asserts a contract error: the status, `{"error": {"code", "message"}}`
/// with exactly those two keys, the code, and a non-empty message.
#[track_caller]
pub fn assert_error(answer: &(u16, Value), status: u16, code: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "expected {status} {code}, got {got}: {body}");
    assert_error_shape(body);
    assert_eq!(body["error"]["code"], code, "wrong code: {body}");
}

/// Asserts only the JSON shape of an error.
#[track_caller]
pub fn assert_error_shape(body: &Value) {
    let obj = body
        .as_object()
        .unwrap_or_else(|| panic!("error is not an object: {body}"));
    assert_eq!(obj.len(), 1, "error has other keys than `error`: {body}");
    let err = body["error"]
        .as_object()
        .unwrap_or_else(|| panic!("no `error` object: {body}"));
    let mut keys: Vec<&str> = err.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "message"], "error keys: {body}");
    assert!(
        err["code"].as_str().is_some_and(|c| !c.is_empty()),
        "empty code: {body}"
    );
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| !m.trim().is_empty()),
        "empty message: {body}"
    );
}

/// A string field of a JSON value, or a panic naming it.
#[track_caller]
pub fn txt<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("no string {field:?} in {v}"))
}

/// Every (method, path) the server registers, in `{id}` syntax.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    warden::server::routes::registered_routes()
}

/// A child process that is killed if the test ends without reaping it.
pub struct ChildGuard(pub Option<std::process::Child>);

impl ChildGuard {
    pub fn spawn(program: &str, args: &[&str]) -> ChildGuard {
        let child = std::process::Command::new(program)
            .args(args)
            .spawn()
            .expect("spawn child");
        ChildGuard(Some(child))
    }

    pub fn id(&self) -> u32 {
        self.0.as_ref().expect("child").id()
    }

    /// Waits up to `timeout` for the child to exit; None if it did not.
    pub fn wait_timeout(
        &mut self,
        timeout: std::time::Duration,
    ) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + timeout;
        let child = self.0.as_mut().expect("child");
        loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                self.0 = None;
                return Some(status);
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

// ---- additions for the rules suite ----

impl TestServer {
    /// Runs the rules' sweep now, as if the clock read `now`.
    pub async fn sweep_at(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> warden::server::store::AlertsApplied {
        self.server
            .as_ref()
            .expect("the server is running")
            .sweep_now(now)
            .await
            .expect("the sweep failed")
    }
}

impl TestServer {
    /// Judges what an action touched now, as if the clock read `now`.
    pub async fn evaluate_at(
        &self,
        touched: &warden::server::rules::Touched,
        now: chrono::DateTime<chrono::Utc>,
    ) -> warden::server::store::AlertsApplied {
        self.server
            .as_ref()
            .expect("the server is running")
            .evaluate_now(touched, now)
            .await
            .expect("the evaluation failed")
    }

    /// Holds the whole-fleet sweeps off while the guard lives.
    pub async fn hold_sweeps(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.server
            .as_ref()
            .expect("the server is running")
            .hold_sweeps()
            .await
    }

    /// The rules' scheduler of this server: sweeps run, lease held.
    pub fn detector(&self) -> &warden::server::rules::scheduler::Detector {
        self.server
            .as_ref()
            .expect("the server is running")
            .detector()
    }
}
