//! The audit trail's figures (issue 19), on a real server in this process
//! over loopback: exporting 1,000,000 entries as OCSF through the streamed
//! `GET /v1/audit?format=ocsf`, a syslog sink catching up on them into a
//! real rsyslog over TCP, the chain's own append rate, and event ingest
//! with and without the audit machinery (checkpointer and a sink) running.
//!
//! `cargo bench --bench audit` (AUDIT_BENCH_ENTRIES changes the million).
//! Prints one JSON object; the README's Performance section quotes it.

#![allow(clippy::unwrap_used)] // a bench may unwrap

use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use warden::api::client::Client;
use warden::api::{AgentEvent, NewAgent, NewPerson};
use warden::config::{AuditSinkConfig, ServeConfig, SinkKind};
use warden::model::AgentKind;
use warden::server::audit::{GENESIS, entry_hash};
use warden::server::store::{Actor, Store};
use warden::server::{self, RunningServer};

const ADMIN: &str = "bench-admin-token-0123456789";

fn seed_chain(db: &Path, n: i64) -> f64 {
    drop(server::open_store(&format!("sqlite:{}", db.display())).unwrap());
    let t = Instant::now();
    let mut c = rusqlite::Connection::open(db).unwrap();
    let tx = c.transaction().unwrap();
    let (head, mut prev): (i64, String) = tx
        .query_row(
            "SELECT COALESCE(MAX(seq), 0), COALESCE((SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), ?1) FROM audit",
            [GENESIS],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let start_ms = chrono::Utc::now().timestamp_millis() - n;
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO audit (seq, at, actor, action, target, reason, result, prev_hash, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .unwrap();
        let shapes = [
            (
                "credential.issue",
                "crd_{i} of agt_{a} (bot-{a})",
                "ok, expires in 30 days",
            ),
            ("agent.suspend", "agt_{a} (bot-{a})", "status suspended"),
            (
                "alert.open",
                "alr_{i} on agt_{a}",
                "high: secret seen on a new host",
            ),
            ("agent.kill.mark", "agt_{a} (bot-{a})", "status killed"),
        ];
        for k in 1..=n {
            let seq = head + k;
            let (action, target, result) = shapes[(k % 4) as usize];
            let target = target
                .replace("{i}", &format!("{k:x}"))
                .replace("{a}", &(k % 5000).to_string());
            let actor = if k % 4 == 2 {
                "rule:R07"
            } else {
                "ada@corp.example (token laptop)"
            };
            let reason = (k % 4 != 2).then_some("INC-1234: routine");
            let at = start_ms + k;
            let hash = entry_hash(seq, at, actor, action, &target, reason, result, &prev);
            insert
                .execute(rusqlite::params![
                    seq, at, actor, action, target, reason, result, prev, hash
                ])
                .unwrap();
            prev = hash;
        }
    }
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'audit_head'",
        [head + n],
    )
    .unwrap();
    tx.commit().unwrap();
    t.elapsed().as_secs_f64()
}

async fn serve(db: &Path, config: ServeConfig) -> RunningServer {
    let store = server::open_store(&format!("sqlite:{}", db.display())).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    server::start(store, config, Some(ADMIN), listener)
        .await
        .unwrap()
}

/// Streams `GET /v1/audit?format=ocsf`: (lines, bytes, seconds).
async fn export(url: &str) -> (u64, u64, f64) {
    let t = Instant::now();
    let mut resp = reqwest::Client::new()
        .get(format!("{url}/v1/audit?format=ocsf"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let (mut lines, mut bytes) = (0u64, 0u64);
    while let Some(chunk) = resp.chunk().await.unwrap() {
        bytes += chunk.len() as u64;
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    (lines, bytes, t.elapsed().as_secs_f64())
}

async fn metric(url: &str, name: &str) -> f64 {
    let text = reqwest::Client::new()
        .get(format!("{url}/metrics"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// rsyslogd on a free port writing each message to `out`.
fn rsyslog(dir: &Path) -> Option<(std::process::Child, u16, std::path::PathBuf)> {
    let bin = Path::new("/usr/sbin/rsyslogd");
    if !bin.is_file() {
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = dir.join("rsyslog.out");
    let conf = dir.join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            "global(workDirectory=\"{d}\" maxMessageSize=\"256k\")\nmodule(load=\"imtcp\")\n\
             template(name=\"m\" type=\"string\" string=\"%msg%\\n\")\n\
             ruleset(name=\"w\") {{ action(type=\"omfile\" file=\"{o}\" template=\"m\") }}\n\
             input(type=\"imtcp\" address=\"127.0.0.1\" port=\"{port}\" ruleset=\"w\")\n",
            d = dir.display(),
            o = out.display()
        ),
    )
    .unwrap();
    let child = std::process::Command::new(bin)
        .args(["-n", "-f"])
        .arg(&conf)
        .arg("-i")
        .arg(dir.join("rsyslogd.pid"))
        .spawn()
        .unwrap();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(50));
    }
    Some((child, port, out))
}

/// Events/s posted by 16 agents in batches of 1,000 for `secs`.
async fn ingest(url: &str, store: &Arc<dyn Store>, secs: u64, tag: &str) -> f64 {
    let actor = Actor::new("bench");
    let mut secrets = Vec::new();
    for i in 0..16 {
        let agent = store
            .create_agent(
                &actor,
                &NewAgent {
                    name: format!("ingest-{tag}-{i}"),
                    kind: AgentKind::Autonomous,
                    environment: "prod".into(),
                    owner: None,
                    description: None,
                    runtime: None,
                    labels: Default::default(),
                },
            )
            .await
            .unwrap();
        let secret = warden::secrets::new_agent_secret();
        store
            .issue_credential(
                &actor,
                &agent.id,
                &["api:read".to_string()],
                None,
                &warden::secrets::hash(&secret),
                &warden::secrets::display_prefix(&secret),
            )
            .await
            .unwrap();
        secrets.push(secret);
    }
    let started = Instant::now();
    let duration = Duration::from_secs(secs);
    let tasks: Vec<_> = secrets
        .into_iter()
        .map(|secret| {
            let url = url.to_string();
            tokio::spawn(async move {
                let client = Client::new(&url, Some(&secret)).unwrap();
                let batch: Vec<AgentEvent> = (0..1000)
                    .map(|i| AgentEvent {
                        time: None,
                        action: if i % 4 == 0 { "write" } else { "read" }.into(),
                        target: "api.internal".into(),
                        scope: Some("api:read".into()),
                        result: Some("ok".into()),
                        on_behalf_of: Vec::new(),
                        interactive: false,
                        credential_fingerprint: None,
                    })
                    .collect();
                let mut n = 0usize;
                while started.elapsed() < duration {
                    n += client.report_events(&batch).await.unwrap().accepted;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

fn audited(dir: &Path, sinks: bool) -> ServeConfig {
    let mut config = ServeConfig {
        audit_checkpoints: Some(dir.join("checkpoints.jsonl")),
        ..ServeConfig::default()
    };
    config.rules.sweep_interval_seconds = 0;
    if sinks {
        config.audit_sinks.push(AuditSinkConfig {
            name: "file".into(),
            kind: SinkKind::File,
            format: None,
            address: None,
            tls: false,
            ca_cert: None,
            facility: None,
            url: None,
            token_env: None,
            token_file: None,
            path: Some(dir.join("sink.jsonl")),
            rotate_bytes: None,
            keep: None,
            batch: None,
            alert_after_seconds: None,
            cursor_file: None,
        });
    }
    config
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let n: i64 = std::env::var("AUDIT_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    eprintln!("seeding {n} chained entries…");
    let seed_s = seed_chain(&db, n);
    let report = rt.block_on(async {
        // Export: the streamed OCSF answer, read to the end.
        let mut plain = ServeConfig::default();
        plain.rules.sweep_interval_seconds = 0;
        let s = serve(&db, plain.clone()).await;
        eprintln!("exporting as OCSF…");
        let (lines, bytes, export_s) = export(&s.url).await;
        assert!(lines as i64 >= n, "{lines} lines");
        s.shutdown().await;

        // A syslog sink catching up on the whole chain into rsyslog.
        let mut sink_rate = None;
        if let Some((mut child, port, out)) = rsyslog(dir.path()) {
            eprintln!("streaming to rsyslog…");
            let mut config = audited(dir.path(), false);
            config.audit_sinks.push(AuditSinkConfig {
                name: "rsyslog".into(),
                kind: SinkKind::Syslog,
                format: None,
                address: Some(format!("127.0.0.1:{port}")),
                tls: false,
                ca_cert: None,
                facility: None,
                url: None,
                token_env: None,
                token_file: None,
                path: None,
                rotate_bytes: None,
                keep: None,
                batch: Some(1000),
                alert_after_seconds: None,
                cursor_file: Some(dir.path().join("rsyslog.cursor")),
            });
            let t = Instant::now();
            let s = serve(&db, config).await;
            let window = Duration::from_secs(30);
            let delivered = loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let d = metric(&s.url, "warden_audit_sink_delivered_total{sink=\"rsyslog\"").await;
                let lag = metric(&s.url, "warden_audit_sink_lag_entries{sink=\"rsyslog\"").await;
                if lag == 0.0 || t.elapsed() > window {
                    break d;
                }
            };
            let secs = t.elapsed().as_secs_f64();
            s.shutdown().await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            let received = std::fs::read_to_string(&out)
                .map(|t| t.lines().count())
                .unwrap_or(0);
            let _ = child.kill();
            let _ = child.wait();
            sink_rate = Some(json!({
                "delivered": delivered, "seconds": secs, "per_s": (delivered / secs).round(),
                "rsyslog_lines": received,
            }));
        }

        // The chain's own append: audited writes one after another, with
        // the checkpointer running.
        let small = dir.path().join("small.db");
        let s = serve(&small, audited(dir.path(), false)).await;
        let store = server::open_store(&format!("sqlite:{}", small.display())).unwrap();
        let t = Instant::now();
        let writes = 2000;
        for i in 0..writes {
            store
                .create_person(
                    &Actor::new("bench"),
                    &NewPerson {
                        name: format!("P {i}"),
                        email: format!("p{i}@corp.example"),
                        team: None,
                        manager: None,
                    },
                )
                .await
                .unwrap();
        }
        let append_per_s = writes as f64 / t.elapsed().as_secs_f64();
        s.shutdown().await;

        // Ingest, alternating without and with the checkpointer and a sink.
        let mut off = Vec::new();
        let mut on = Vec::new();
        for round in 0..2 {
            for with in [false, true] {
                let db = dir.path().join(format!("ingest-{round}-{with}.db"));
                let sub = dir.path().join(format!("audit-{round}-{with}"));
                std::fs::create_dir_all(&sub).unwrap();
                let config = if with {
                    audited(&sub, true)
                } else {
                    plain.clone()
                };
                let s = serve(&db, config).await;
                let store = server::open_store(&format!("sqlite:{}", db.display())).unwrap();
                let rate = ingest(&s.url, &store, 5, &format!("{round}")).await;
                s.shutdown().await;
                if with { on.push(rate) } else { off.push(rate) }
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        json!({
            "entries": n,
            "seed_s": seed_s,
            "export_ocsf_s": export_s,
            "export_ocsf_per_s": (lines as f64 / export_s).round(),
            "export_ocsf_mb": bytes as f64 / 1e6,
            "sink_rsyslog": sink_rate,
            "chain_append_per_s": append_per_s.round(),
            "ingest_events_per_s_plain": mean(&off).round(),
            "ingest_events_per_s_audited": mean(&on).round(),
            "ingest_runs_plain": off,
            "ingest_runs_audited": on,
        })
    });
    println!("{report}");
}
