//! Audit sinks (`[[serve.audit_sink]]`): each runs on its own task,
//! reading the chain after its persisted cursor and sending it, in order,
//! with every signed checkpoint once the entries it pins are sent. Delivery
//! is at least once: the cursor moves only after a send succeeded, a sink
//! that fails is retried with back-off and catches up from its cursor, and
//! one that stays down raises an alert. `/metrics` shows each one's lag.
//!
//! The transports are in `syslog`, `http` and `file`; the loop in
//! `deliver`; this file builds them from the config and keeps the state
//! `/metrics` and `require_sink` read.

mod deliver;
mod file;
mod http;
mod syslog;

use super::checkpoint::CheckpointFile;
use super::export::Format;
use crate::config::{AuditSinkConfig, ServeConfig, SinkKind};
use crate::server::store::Store;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One line to deliver: an entry or a signed checkpoint, formatted.
#[derive(Debug, Clone)]
pub struct Line {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// 1 (informational) to 5 (critical).
    pub severity: u8,
    pub checkpoint: bool,
    pub text: String,
}

/// Where lines go.
#[async_trait]
pub trait Transport: Send + Sync {
    async fn send(&mut self, lines: &[Line]) -> Result<(), String>;
    /// Whether a send that succeeded can still be lost when the connection
    /// breaks later: plain syslog over TCP has no acknowledgement, so what
    /// was sent shortly before a break is sent again.
    fn unacknowledged(&self) -> bool {
        false
    }
}

/// What `/metrics` and `require_sink` read of a sink.
#[derive(Debug)]
pub struct SinkState {
    pub name: String,
    pub kind: &'static str,
    /// Entries in the chain not yet delivered.
    pub lag: AtomicI64,
    pub delivered: AtomicU64,
    pub failures: AtomicU64,
    /// False from a failed send until the next one succeeds.
    pub up: AtomicBool,
    /// Since when it has been failing.
    pub failing_since: Mutex<Option<DateTime<Utc>>>,
    pub last_error: Mutex<Option<String>>,
}

impl SinkState {
    fn new(name: &str, kind: &'static str) -> SinkState {
        SinkState {
            name: name.to_string(),
            kind,
            lag: AtomicI64::new(0),
            delivered: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            // Unknown until the first send: taken as up, so a server
            // starting with nothing to send takes actions.
            up: AtomicBool::new(true),
            failing_since: Mutex::new(None),
            last_error: Mutex::new(None),
        }
    }

    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }
}

/// A sink ready to run.
pub struct Sink {
    pub state: Arc<SinkState>,
    transport: Box<dyn Transport>,
    format: Format,
    batch: usize,
    alert_after: Duration,
    cursor_file: PathBuf,
}

fn need<'a, T>(v: &'a Option<T>, sink: &str, key: &str, kind: &str) -> anyhow::Result<&'a T> {
    v.as_ref().ok_or_else(|| {
        anyhow::anyhow!("[[serve.audit_sink]] {sink:?}: a {kind} sink needs `{key}`")
    })
}

/// Builds every configured sink; a mistake in one stops the server's
/// start with the sink's name.
pub fn build(config: &ServeConfig) -> anyhow::Result<Vec<Sink>> {
    let mut names = std::collections::HashSet::new();
    let mut out = Vec::new();
    for c in &config.audit_sinks {
        if c.name.trim().is_empty() || !names.insert(c.name.clone()) {
            anyhow::bail!(
                "[[serve.audit_sink]]: every sink needs a name of its own ({:?})",
                c.name
            );
        }
        out.push(build_one(c, config)?);
    }
    if let Some(required) = &config.require_sink
        && !names.contains(required)
    {
        anyhow::bail!("[serve] require_sink = {required:?} names no [[serve.audit_sink]]");
    }
    Ok(out)
}

fn build_one(c: &AuditSinkConfig, config: &ServeConfig) -> anyhow::Result<Sink> {
    let name = &c.name;
    let format: Format = c
        .format
        .as_deref()
        .unwrap_or("ocsf")
        .parse()
        .map_err(|e| anyhow::anyhow!("[[serve.audit_sink]] {name:?}: {e}"))?;
    let (transport, kind): (Box<dyn Transport>, &'static str) = match c.kind {
        SinkKind::Syslog => {
            let address = need(&c.address, name, "address", "syslog")?;
            let facility = c.facility.unwrap_or(13);
            if facility > 23 {
                anyhow::bail!("[[serve.audit_sink]] {name:?}: facility is 0 to 23");
            }
            let t = syslog::Syslog::new(address, c.tls, c.ca_cert.as_deref(), facility)
                .map_err(|e| anyhow::anyhow!("[[serve.audit_sink]] {name:?}: {e}"))?;
            (Box::new(t), "syslog")
        }
        SinkKind::Http => {
            let url = need(&c.url, name, "url", "http")?;
            let token = match (&c.token_env, &c.token_file) {
                (Some(_), Some(_)) => anyhow::bail!(
                    "[[serve.audit_sink]] {name:?}: token_env or token_file, not both"
                ),
                (Some(var), None) => Some(std::env::var(var).map_err(|_| {
                    anyhow::anyhow!(
                        "[[serve.audit_sink]] {name:?}: token_env names {var}, which is not set"
                    )
                })?),
                (None, Some(path)) => Some(
                    std::fs::read_to_string(path)
                        .map_err(|e| {
                            anyhow::anyhow!(
                                "[[serve.audit_sink]] {name:?}: token_file {}: {e}",
                                path.display()
                            )
                        })?
                        .lines()
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_string(),
                )
                .filter(|t| !t.is_empty()),
                (None, None) => None,
            };
            let t = http::Http::new(url, token, format)
                .map_err(|e| anyhow::anyhow!("[[serve.audit_sink]] {name:?}: {e}"))?;
            (Box::new(t), "http")
        }
        SinkKind::File => {
            let path = need(&c.path, name, "path", "file")?;
            let t = file::File::new(
                path.clone(),
                c.rotate_bytes.unwrap_or(100 << 20),
                c.keep.unwrap_or(5),
            );
            (Box::new(t), "file")
        }
    };
    let cursor_file = match (&c.cursor_file, super::checkpointer::paths(config)) {
        (Some(p), _) => p.clone(),
        (None, Some((_, checkpoints))) => checkpoints
            .parent()
            .map(|d| d.join(format!("audit-sink-{name}.cursor")))
            .unwrap_or_else(|| PathBuf::from(format!("audit-sink-{name}.cursor"))),
        (None, None) => anyhow::bail!(
            "[[serve.audit_sink]] {name:?}: set cursor_file (or [serve] audit_checkpoints, \
             beside which it is kept): where the sink remembers what it delivered"
        ),
    };
    let batch = c.batch.unwrap_or(500);
    if batch == 0 {
        anyhow::bail!("[[serve.audit_sink]] {name:?}: batch must be at least 1");
    }
    Ok(Sink {
        state: Arc::new(SinkState::new(name, kind)),
        transport,
        format,
        batch,
        alert_after: Duration::from_secs(c.alert_after_seconds.unwrap_or(300)),
        cursor_file,
    })
}

/// Starts one task per sink; each stops when `stop` changes.
pub fn spawn_all(
    sinks: Vec<Sink>,
    store: &Arc<dyn Store>,
    checkpoints: Option<(
        CheckpointFile,
        tokio::sync::broadcast::Sender<crate::api::AuditCheckpoint>,
    )>,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    sinks
        .into_iter()
        .map(|sink| {
            let cps = checkpoints
                .as_ref()
                .map(|(file, tx)| (file.clone(), tx.subscribe()));
            tokio::spawn(deliver::run(sink, store.clone(), cps, stop.clone()))
        })
        .collect()
}

/// A metric family: its name, type, help, and each sink's value.
type Family = (
    &'static str,
    &'static str,
    &'static str,
    fn(&SinkState) -> i128,
);

/// The sinks' lines of `/metrics`.
pub fn render_metrics(states: &[Arc<SinkState>], out: &mut String) {
    use std::fmt::Write;
    if states.is_empty() {
        return;
    }
    let families: [Family; 4] = [
        (
            "warden_audit_sink_lag_entries",
            "gauge",
            "Audit entries not yet delivered to the sink.",
            |s| s.lag.load(Ordering::Relaxed).into(),
        ),
        (
            "warden_audit_sink_up",
            "gauge",
            "1 while the sink's last send succeeded.",
            |s| i128::from(s.is_up()),
        ),
        (
            "warden_audit_sink_delivered_total",
            "counter",
            "Lines (entries and checkpoints) the sink took.",
            |s| s.delivered.load(Ordering::Relaxed).into(),
        ),
        (
            "warden_audit_sink_failures_total",
            "counter",
            "Sends to the sink that failed.",
            |s| s.failures.load(Ordering::Relaxed).into(),
        ),
    ];
    for (name, kind, help, value) in families {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for s in states {
            let _ = writeln!(
                out,
                "{name}{{sink=\"{}\",kind=\"{}\"}} {}",
                s.name,
                s.kind,
                value(s)
            );
        }
    }
}
