//! A real `warden serve` for integration tests: in-process, on a free
//! loopback port, over a fresh SQLite file, with an admin token.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use warden::config::ServeConfig;
use warden::server::{self, RunningServer};

pub const ADMIN: &str = "test-admin-token-0123456789";

pub struct TestServer {
    pub url: String,
    pub db_path: PathBuf,
    pub http: reqwest::Client,
    server: Option<RunningServer>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(ServeConfig::default()).await
    }

    pub async fn start_with(config: ServeConfig) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let db_path = dir.path().join("warden.db");
        Self::start_on(dir, db_path, config).await
    }

    /// Starts on an existing directory and database file (for restarts).
    pub async fn start_on(
        dir: tempfile::TempDir,
        db_path: PathBuf,
        config: ServeConfig,
    ) -> TestServer {
        let store =
            server::open_store(&format!("sqlite:{}", db_path.display())).expect("open store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let running = server::start(store, config, Some(ADMIN), listener)
            .await
            .expect("start");
        let _ = rustls::crypto::ring::default_provider().install_default();
        TestServer {
            url: running.url.clone(),
            db_path,
            http: reqwest::Client::new(),
            server: Some(running),
            _dir: dir,
        }
    }

    /// Stops the server and hands back its directory, to start again on it.
    pub async fn stop(mut self) -> (tempfile::TempDir, PathBuf) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
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
    /// read and write while the server runs).
    pub fn db(&self) -> rusqlite::Connection {
        open_db(&self.db_path)
    }

    /// Every row of every table, as text: equal dumps mean nothing changed.
    pub fn dump(&self) -> String {
        dump_db(&self.db())
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
