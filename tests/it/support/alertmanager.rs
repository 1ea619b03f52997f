//! A real Alertmanager for integration tests: Debian's
//! `prometheus-alertmanager` (or `alertmanager` on the PATH, or the binary
//! named by `WARDEN_TEST_ALERTMANAGER`), started on a free loopback port
//! with a config that sends notifications nowhere, storage in a temporary
//! directory and clustering off, and killed when dropped.
//!
//! Without the binary, a test says why and passes when run by hand; in CI
//! (`CI` set) it fails, so a missing package cannot hide the suite.

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A route to a receiver with no integrations: Alertmanager must have one,
/// and the tests want no notification sent anywhere.
const CONFIG: &str = "\
route:
  receiver: 'null'
receivers:
  - name: 'null'
";

pub struct Alertmanager {
    pub url: String,
    child: Option<Child>,
    dir: tempfile::TempDir,
    http: reqwest::Client,
}

/// Where the binary is, if anywhere.
fn binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WARDEN_TEST_ALERTMANAGER") {
        return Some(PathBuf::from(p));
    }
    let debian = PathBuf::from("/usr/bin/prometheus-alertmanager");
    if debian.is_file() {
        return Some(debian);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join("prometheus-alertmanager"), d.join("alertmanager")])
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

impl Alertmanager {
    /// A running Alertmanager, or `None` (after printing why) when the
    /// binary is missing and this is not CI.
    pub async fn start() -> Option<Alertmanager> {
        super::install_crypto_provider();
        let Some(bin) = binary() else {
            let why = "prometheus-alertmanager is not installed \
                       (sudo apt-get install prometheus-alertmanager)";
            if std::env::var_os("CI").is_some() {
                panic!("{why}; CI must install it (.ci/run does)");
            }
            eprintln!("skipped: {why}");
            return None;
        };
        // A port found free can be taken before Alertmanager binds it:
        // try a few.
        let mut last = String::new();
        for _ in 0..3 {
            match Self::try_start(&bin).await {
                Ok(am) => return Some(am),
                Err(e) => last = e,
            }
        }
        panic!("Alertmanager ({}) did not start: {last}", bin.display());
    }

    async fn try_start(bin: &PathBuf) -> Result<Alertmanager, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("alertmanager.yml");
        std::fs::write(&config, CONFIG).expect("write the config");
        let log = std::fs::File::create(dir.path().join("log")).expect("log file");
        let port = free_port();
        let child = Command::new(bin)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            // Empty turns clustering off; it would bind 0.0.0.0:9094.
            .arg("--cluster.listen-address=")
            .arg("--log.level=warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        let mut am = Alertmanager {
            url: format!("http://127.0.0.1:{port}"),
            child: Some(child),
            dir,
            http: reqwest::Client::new(),
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = am.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                return Err(format!("it exited ({status}):\n{}", am.log()));
            }
            let ready = am
                .http
                .get(format!("{}/-/ready", am.url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return Ok(am);
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!("not ready after 20 s:\n{}", am.log()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What it wrote to stdout and stderr.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    /// Kills it; its URL then refuses connections.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// `POST /api/v2/alerts` with `alerts` (a JSON array).
    pub async fn push(&self, alerts: Value) {
        let r = self
            .http
            .post(format!("{}/api/v2/alerts", self.url))
            .json(&alerts)
            .send()
            .await
            .expect("push alerts");
        let status = r.status();
        assert!(
            status.is_success(),
            "{status}: {}",
            r.text().await.unwrap_or_default()
        );
    }

    /// Fires one alert with these labels and annotations.
    pub async fn fire(&self, labels: Value, annotations: Value) {
        self.push(json!([{ "labels": labels, "annotations": annotations }]))
            .await;
    }

    async fn get(&self, path: &str) -> Vec<Value> {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("GET");
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.expect("a JSON list")
    }

    /// `GET /api/v2/alerts`: every alert it holds, silenced ones included.
    pub async fn alerts(&self) -> Vec<Value> {
        self.get("/api/v2/alerts?silenced=true&inhibited=true&active=true&unprocessed=true")
            .await
    }

    /// `GET /api/v2/silences`.
    pub async fn silences(&self) -> Vec<Value> {
        self.get("/api/v2/silences").await
    }

    /// Polls [`Self::alerts`] until `done` holds for them; fails after ten
    /// seconds with what it saw.
    pub async fn alerts_until(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let alerts = self.alerts().await;
            if done(&alerts) {
                return alerts;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("Alertmanager never had {what}; it has {alerts:#?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The fingerprint of the alert whose `alertname` is `name`.
pub fn fingerprint(alerts: &[Value], name: &str) -> String {
    alerts
        .iter()
        .find(|a| a["labels"]["alertname"] == name)
        .and_then(|a| a["fingerprint"].as_str())
        .unwrap_or_else(|| panic!("no alert {name} in {alerts:#?}"))
        .to_string()
}
