//! A real `warden serve` for integration tests: in-process, on a free
//! loopback port, over a fresh SQLite file, with an admin token.
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;
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
    pub async fn start_on(dir: tempfile::TempDir, db_path: PathBuf, config: ServeConfig) -> TestServer {
        let store = server::open_store(&format!("sqlite:{}", db_path.display())).expect("open store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let running = server::start(store, config, Some(ADMIN), listener).await.expect("start");
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
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
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
        assert!((200..300).contains(&status), "{method} {path}: {status} {json}");
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
            .admin("POST", "/v1/tokens", serde_json::json!({"name": format!("{role}-token"), "role": role}))
            .await;
        t["token"].as_str().expect("token").to_string()
    }

    pub async fn person(&self, name: &str, email: &str) -> Value {
        self.admin("POST", "/v1/people", serde_json::json!({"name": name, "email": email})).await
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
            .admin("POST", &format!("/v1/agents/{agent}/credentials"), serde_json::json!({"scopes": ["tickets:read"]}))
            .await;
        (c["id"].as_str().unwrap().to_string(), c["secret"].as_str().unwrap().to_string())
    }

    pub async fn heartbeat(&self, secret: &str) -> (u16, Value) {
        self.call("POST", "/v1/agent/heartbeat", Some(secret), None).await
    }
}
