//! Audit sinks against real receivers: a real rsyslog over TCP, killed and
//! started again while the trail grows, must end up with every entry and
//! the checkpoints, in order; a file sink rotates and loses nothing; an
//! HTTP collector that fails at first gets every batch in HEC's shape with
//! the token; a sink that stays down shows in `/metrics`, raises an alert,
//! and with `require_sink` makes the server refuse actions.

use crate::support::rsyslog::Rsyslog;
use crate::support::server::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use warden::config::{AuditSinkConfig, ServeConfig, SinkKind};

fn sink(name: &str, kind: SinkKind) -> AuditSinkConfig {
    AuditSinkConfig {
        name: name.into(),
        kind,
        format: None,
        address: None,
        tls: false,
        ca_cert: None,
        facility: None,
        url: None,
        token_env: None,
        token_file: None,
        path: None,
        rotate_bytes: None,
        keep: None,
        batch: Some(20),
        alert_after_seconds: None,
        cursor_file: None,
    }
}

fn with_sinks(dir: &Path, sinks: Vec<AuditSinkConfig>) -> ServeConfig {
    ServeConfig {
        audit_checkpoints: Some(dir.join("checkpoints.jsonl")),
        audit_checkpoint_entries: Some(25),
        audit_checkpoint_seconds: Some(1),
        audit_sinks: sinks,
        ..ServeConfig::default()
    }
}

async fn metric(s: &TestServer, line_start: &str) -> Option<f64> {
    let resp = s
        .http
        .get(format!("{}/metrics", s.url))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    let text = resp.text().await.unwrap();
    text.lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn head(s: &TestServer) -> i64 {
    s.get("/v1/audit/checkpoints").await["head_seq"]
        .as_i64()
        .unwrap()
}

/// The sequence numbers of OCSF lines received, in order of arrival.
fn received_seqs(lines: &[String]) -> Vec<i64> {
    lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["metadata"]["sequence"].as_i64())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rsyslog_killed_mid_stream_still_gets_every_entry_in_order() {
    let Some(mut rsyslog) = Rsyslog::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut syslog = sink("rsyslog", SinkKind::Syslog);
    syslog.address = Some(format!("127.0.0.1:{}", rsyslog.port));
    let s = TestServer::start_with(with_sinks(dir.path(), vec![syslog])).await;
    for i in 0..100 {
        s.agent(&format!("before-{i}")).await;
    }
    // Mid-stream: the receiver dies (SIGKILL: what it held is lost) while
    // the trail keeps growing, and comes back on the same port.
    rsyslog.kill();
    for i in 0..100 {
        s.agent(&format!("during-{i}")).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        metric(&s, "warden_audit_sink_up{sink=\"rsyslog\"").await,
        Some(0.0),
        "the sink should be down"
    );
    assert!(
        metric(&s, "warden_audit_sink_lag_entries{sink=\"rsyslog\"")
            .await
            .unwrap()
            > 0.0
    );
    rsyslog.resume();
    for i in 0..100 {
        s.agent(&format!("after-{i}")).await;
    }
    let n = head(&s).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got: BTreeSet<i64> = received_seqs(&rsyslog.lines()).into_iter().collect();
        if got.len() as i64 == n
            && metric(&s, "warden_audit_sink_lag_entries{sink=\"rsyslog\"").await == Some(0.0)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "rsyslog has {} of {n} entries; missing e.g. {:?}",
            got.len(),
            (1..=n)
                .filter(|q| !got.contains(q))
                .take(10)
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let lines = rsyslog.lines();
    let seqs = received_seqs(&lines);
    let distinct: BTreeSet<i64> = seqs.iter().copied().collect();
    assert_eq!(distinct, (1..=n).collect(), "every entry, once at least");
    // At least once, in order: sent again after the break, never skipped
    // ahead: each entry first arrives after every entry before it.
    let mut first_seen = Vec::new();
    let mut seen = BTreeSet::new();
    for q in &seqs {
        if seen.insert(*q) {
            first_seen.push(*q);
        }
    }
    assert_eq!(
        first_seen,
        (1..=n).collect::<Vec<_>>(),
        "first arrivals in order"
    );
    assert!(
        lines.iter().any(|l| l.contains("warden_checkpoint")),
        "the signed checkpoints go to the sink too"
    );
    assert_eq!(
        metric(&s, "warden_audit_sink_up{sink=\"rsyslog\"").await,
        Some(1.0)
    );
}

#[tokio::test]
async fn a_file_sink_rotates_and_keeps_every_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit/warden.ocsf.jsonl");
    let mut file = sink("file", SinkKind::File);
    file.path = Some(path.clone());
    file.rotate_bytes = Some(20_000);
    file.keep = Some(50);
    let s = TestServer::start_with(with_sinks(dir.path(), vec![file])).await;
    for i in 0..60 {
        s.agent(&format!("bot-{i}")).await;
    }
    let n = head(&s).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let all = loop {
        let mut lines = Vec::new();
        for k in (1..=50).rev() {
            let p = format!("{}.{k}", path.display());
            lines.extend(
                std::fs::read_to_string(p)
                    .unwrap_or_default()
                    .lines()
                    .map(String::from),
            );
        }
        lines.extend(
            std::fs::read_to_string(&path)
                .unwrap_or_default()
                .lines()
                .map(String::from),
        );
        if received_seqs(&lines).len() as i64 >= n {
            break lines;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {n}",
            received_seqs(&lines).len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(received_seqs(&all), (1..=n).collect::<Vec<_>>());
    assert!(
        Path::new(&format!("{}.1", path.display())).exists(),
        "rotated"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The cursor survives a restart: nothing is sent twice to a file.
    let (home, db) = s.stop().await;
    let mut file = sink("file", SinkKind::File);
    file.path = Some(path.clone());
    file.rotate_bytes = Some(20_000);
    file.keep = Some(50);
    let s = TestServer::start_on(home, db, with_sinks(dir.path(), vec![file])).await;
    s.agent("after-restart").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let tail = std::fs::read_to_string(&path).unwrap();
    let seqs = received_seqs(&tail.lines().map(String::from).collect::<Vec<_>>());
    assert_eq!(seqs.last(), Some(&(n + 1)), "{seqs:?}");
    assert_eq!(
        seqs.iter().filter(|q| **q <= n).count(),
        seqs.iter()
            .filter(|q| **q <= n)
            .collect::<BTreeSet<_>>()
            .len()
    );
}

/// A collector that refuses the first `fail` posts with 503, then takes
/// them; it records every body it took and the authorization it saw.
async fn collector(fail: usize) -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let got: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let left = Arc::new(Mutex::new(fail));
    let (g, l) = (got.clone(), left.clone());
    let app = axum::Router::new().route(
        "/services/collector/event",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let (g, l) = (g.clone(), l.clone());
            async move {
                let mut left = l.lock().unwrap();
                if *left > 0 {
                    *left -= 1;
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                g.lock().unwrap().push((auth, body));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/services/collector/event",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

#[tokio::test]
async fn an_http_collector_that_fails_at_first_gets_every_batch_with_the_token() {
    let (url, got) = collector(2).await;
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("hec.token");
    std::fs::write(&token, "hec-secret\n").unwrap();
    let mut http = sink("splunk", SinkKind::Http);
    http.url = Some(url);
    http.token_file = Some(token);
    let s = TestServer::start_with(with_sinks(dir.path(), vec![http])).await;
    for i in 0..30 {
        s.agent(&format!("bot-{i}")).await;
    }
    let n = head(&s).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let events = loop {
        let bodies = got.lock().unwrap().clone();
        let events: Vec<Value> = bodies
            .iter()
            .flat_map(|(auth, body)| {
                assert_eq!(auth, "Splunk hec-secret");
                body.lines()
                    .map(|l| serde_json::from_str::<Value>(l).unwrap())
                    .collect::<Vec<_>>()
            })
            .collect();
        let seqs: Vec<i64> = events
            .iter()
            .filter_map(|e| e["event"]["metadata"]["sequence"].as_i64())
            .collect();
        if seqs.len() as i64 >= n {
            assert_eq!(seqs, (1..=n).collect::<Vec<_>>());
            break events;
        }
        assert!(Instant::now() < deadline, "{} of {n}", seqs.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let first = &events[0];
    assert_eq!(first["source"], "warden");
    assert_eq!(first["sourcetype"], "warden:audit:ocsf");
    assert!(first["time"].as_f64().unwrap() > 1.0e9);
    assert!(
        metric(&s, "warden_audit_sink_failures_total{sink=\"splunk\"")
            .await
            .unwrap()
            >= 2.0
    );
}

#[tokio::test]
async fn a_sink_that_stays_down_raises_an_alert_and_require_sink_refuses_actions() {
    let dir = tempfile::tempdir().unwrap();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut syslog = sink("siem", SinkKind::Syslog);
    syslog.address = Some(format!("127.0.0.1:{closed}"));
    syslog.alert_after_seconds = Some(1);
    let mut config = with_sinks(dir.path(), vec![syslog]);
    config.require_sink = Some("siem".into());
    let s = TestServer::start_with(config).await;
    // The admin token's bootstrap is an entry; the sink cannot send it.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let alerts = s.get("/v1/alerts").await;
        if alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["rule"] == "audit-sink" && a["summary"].as_str().unwrap().contains("siem"))
        {
            break;
        }
        assert!(Instant::now() < deadline, "no alert: {alerts}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        metric(&s, "warden_audit_sink_up{sink=\"siem\"").await,
        Some(0.0)
    );
    assert!(
        metric(&s, "warden_audit_sink_lag_entries{sink=\"siem\"")
            .await
            .unwrap()
            >= 1.0
    );
    let (status, v) = s
        .call(
            "POST",
            "/v1/people",
            Some(ADMIN),
            Some(json!({"name": "Pat", "email": "pat@corp.example"})),
        )
        .await;
    assert_eq!(status, 503, "{v}");
    assert_eq!(v["error"]["code"], "audit_sink_down");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nothing was changed")
    );
    assert_eq!(s.get("/v1/people").await, json!([]));
    // Reads go on.
    let (status, _) = s.call("GET", "/v1/agents", Some(ADMIN), None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_sink_config_with_a_mistake_stops_the_start_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let store =
        warden::server::open_store(&format!("sqlite:{}", dir.path().join("w.db").display()))
            .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = with_sinks(dir.path(), vec![sink("nowhere", SinkKind::Syslog)]);
    let e = warden::server::start(store, config, None, listener)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("\"nowhere\"") && e.contains("address"), "{e}");
    let store = warden::server::open_store("sqlite::memory:").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = ServeConfig {
        require_sink: Some("siem".into()),
        ..ServeConfig::default()
    };
    let e = warden::server::start(store, config, None, listener)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("require_sink"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syslog_over_tls_reaches_rsyslog_with_the_ca_given() {
    let dir = tempfile::tempdir().unwrap();
    let pair = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, pair.cert.pem()).unwrap();
    std::fs::write(&key, pair.signing_key.serialize_pem()).unwrap();
    let Some(rsyslog) = Rsyslog::start_tls(&cert, &key) else {
        return;
    };
    let mut syslog = sink("tls", SinkKind::Syslog);
    syslog.address = Some(format!("localhost:{}", rsyslog.port));
    syslog.tls = true;
    syslog.ca_cert = Some(cert.clone());
    let s = TestServer::start_with(with_sinks(dir.path(), vec![syslog])).await;
    for i in 0..10 {
        s.agent(&format!("bot-{i}")).await;
    }
    let n = head(&s).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while (received_seqs(&rsyslog.lines()).len() as i64) < n {
        assert!(
            Instant::now() < deadline,
            "{} of {n} over TLS; up: {:?}",
            received_seqs(&rsyslog.lines()).len(),
            metric(&s, "warden_audit_sink_up{sink=\"tls\"").await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(received_seqs(&rsyslog.lines()), (1..=n).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syslog_over_tls_refuses_a_receiver_it_cannot_trust() {
    let dir = tempfile::tempdir().unwrap();
    let pair = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, pair.cert.pem()).unwrap();
    std::fs::write(&key, pair.signing_key.serialize_pem()).unwrap();
    let Some(rsyslog) = Rsyslog::start_tls(&cert, &key) else {
        return;
    };
    // No ca_cert: the self-signed receiver is not trusted.
    let mut syslog = sink("tls", SinkKind::Syslog);
    syslog.address = Some(format!("localhost:{}", rsyslog.port));
    syslog.tls = true;
    let s = TestServer::start_with(with_sinks(dir.path(), vec![syslog])).await;
    s.agent("bot").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        metric(&s, "warden_audit_sink_up{sink=\"tls\"").await,
        Some(0.0)
    );
    assert!(rsyslog.lines().is_empty());
}
