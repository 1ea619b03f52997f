//! Real `warden serve` processes for the team-scale tests: started on a
//! database named by URL (so two can share one, and one can be killed with
//! SIGKILL and another started on what it left), each with a config file
//! of its own. A small HTTP client beside them speaks the API as the admin
//! or as an agent. Started the way [`super::cli`] starts its server.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

pub const ADMIN: &str = "wdn_pt_durable-test-admin-0123456789abcdef";
const BIN: &str = env!("CARGO_BIN_EXE_warden");

/// A `warden serve` child process; killed (SIGKILL) on drop.
pub struct ServeProcess {
    pub url: String,
    child: Child,
}

impl ServeProcess {
    /// Starts `warden --config CONFIG serve` on `database`, with `home` as
    /// its HOME (no user's config is read), and waits for its listening line.
    pub fn start(home: &Path, database: &str, config_toml: &str) -> ServeProcess {
        let config = home.join(format!("serve-{}.toml", unique()));
        std::fs::write(&config, config_toml).expect("write config");
        let mut cmd = Command::new(BIN);
        for var in ["WARDEN_URL", "WARDEN_TOKEN", "WARDEN_CONFIG"] {
            cmd.env_remove(var);
        }
        cmd.env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("WARDEN_ADMIN_TOKEN", ADMIN)
            .env("WARDEN_LOG", "warn")
            .arg("--config")
            .arg(&config)
            .args(["serve", "--listen", "127.0.0.1:0", "--database", database]);
        let (child, url) = super::cli::spawn_listening(&mut cmd);
        ServeProcess { url, child }
    }

    /// SIGKILL: no shutdown, no flush, nothing finished.
    pub fn sigkill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn client(&self) -> Api {
        Api::new(&self.url)
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The API of one server, as the admin or with any bearer secret.
#[derive(Clone)]
pub struct Api {
    pub url: String,
    http: reqwest::Client,
}

impl Api {
    pub fn new(url: &str) -> Api {
        super::install_crypto_provider();
        Api {
            url: url.to_string(),
            http: reqwest::Client::new(),
        }
    }

    /// Answers the status and the JSON body (Null if none).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), reqwest::Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(method, format!("{}{}", self.url, path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, value))
    }

    /// As the admin; panics unless the answer is 2xx.
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self
            .call(method, path, ADMIN, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {value}"
        );
        value
    }

    pub async fn agent(&self, name: &str, runtime: Option<&str>) -> String {
        let mut body =
            serde_json::json!({"name": name, "kind": "autonomous", "environment": "prod"});
        if let Some(r) = runtime {
            body["runtime"] = r.into();
        }
        let a = self.admin("POST", "/v1/agents", Some(body)).await;
        a["id"].as_str().expect("agent id").to_string()
    }

    /// Issues a credential; answers its secret.
    pub async fn secret(&self, agent: &str) -> String {
        let c = self
            .admin(
                "POST",
                &format!("/v1/agents/{agent}/credentials"),
                Some(serde_json::json!({"scopes": ["tickets:read"]})),
            )
            .await;
        c["secret"].as_str().expect("secret").to_string()
    }

    /// `POST /v1/agent/heartbeat` with an agent's secret: the status.
    pub async fn heartbeat(&self, secret: &str) -> u16 {
        self.call("POST", "/v1/agent/heartbeat", secret, None)
            .await
            .expect("heartbeat")
            .0
    }

    pub async fn audit(&self) -> Vec<Value> {
        self.admin("GET", "/v1/audit?after=0&limit=10000", None)
            .await
            .as_array()
            .expect("audit array")
            .clone()
    }

    pub async fn verify(&self) -> Value {
        self.admin("GET", "/v1/audit/verify", None).await
    }
}

/// Waits (up to `secs`) for `path` to exist.
pub async fn wait_for_file(path: &Path, secs: u64) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if path.exists() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// A SQLite database URL in `dir`.
pub fn sqlite_in(dir: &Path) -> String {
    let path: PathBuf = dir.join("warden.db");
    format!("sqlite:{}", path.display())
}
