//! The server's limits (`[serve]` timeouts and connection cap, the 413 for
//! an oversized body, each text field's length), and the load test of
//! issue 14: 2,000 slow sockets against a `warden serve` started with
//! `ulimit -n 1024`, while a responder still gets answers at once.

use crate::support::{cli, server::ADMIN, server::TestServer};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use warden::config::ServeConfig;

fn quick(config: ServeConfig) -> ServeConfig {
    ServeConfig {
        header_timeout_seconds: Some(1),
        idle_timeout_seconds: Some(1),
        body_timeout_seconds: Some(1),
        write_timeout_seconds: Some(1),
        ..config
    }
}

fn addr(url: &str) -> String {
    url.split("://").nth(1).unwrap().to_string()
}

/// How long until the server closes `s` (reads until EOF or an error),
/// at most `within`.
async fn closed_after(s: &mut TcpStream, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(within, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return start.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

#[tokio::test]
async fn a_slow_head_and_an_idle_connection_are_closed_in_time() {
    let s = TestServer::start_with(quick(ServeConfig::default())).await;
    let mut slow = TcpStream::connect(addr(&s.url)).await.unwrap();
    slow.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut silent = TcpStream::connect(addr(&s.url)).await.unwrap();
    let mut idle = TcpStream::connect(addr(&s.url)).await.unwrap();
    idle.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{:?}", &buf[..n]);
    for (what, sock) in [
        ("slow", &mut slow),
        ("silent", &mut silent),
        ("idle", &mut idle),
    ] {
        let t = closed_after(sock, Duration::from_secs(5)).await;
        assert!(
            t.is_some_and(|t| t < Duration::from_millis(2500)),
            "the {what} socket was not closed by the 1 s timeout: {t:?}"
        );
    }
}

#[tokio::test]
async fn a_body_sent_too_slowly_is_cut_with_408() {
    let s = TestServer::start_with(quick(ServeConfig::default())).await;
    let mut c = TcpStream::connect(addr(&s.url)).await.unwrap();
    let head = format!(
        "POST /v1/agents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":"
    );
    c.write_all(head.as_bytes()).await.unwrap();
    let start = Instant::now();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), c.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

/// A client that asks for answers and stops reading them (a slow read)
/// would hold its slot for ever: the write timeout closes it, and the
/// answers it asked for are never all sent.
#[tokio::test]
async fn a_client_that_stops_reading_is_closed_at_the_write_timeout() {
    const ASKED: usize = 200;
    // Idle and head timeouts far off, so only the write timeout can act.
    let s = TestServer::start_with(ServeConfig {
        idle_timeout_seconds: Some(60),
        header_timeout_seconds: Some(60),
        write_timeout_seconds: Some(1),
        ..ServeConfig::default()
    })
    .await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    // A small window, so the answers pile up in the server's send buffer.
    socket.set_recv_buffer_size(4096).unwrap();
    let mut c = socket.connect(addr(&s.url).parse().unwrap()).await.unwrap();
    let ask = format!(
        "GET /v1/openapi.json HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n\r\n"
    )
    .repeat(ASKED);
    c.write_all(ask.as_bytes()).await.unwrap();
    // Not a byte read for longer than the timeout (and a sweep).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), c.read_to_end(&mut answer)).await;
    let answers = String::from_utf8_lossy(&answer)
        .matches("HTTP/1.1 200")
        .count();
    assert!(read.is_ok(), "the stalled connection was never closed");
    assert!(
        answers < ASKED,
        "all {ASKED} answers were sent to a client that had stopped reading"
    );
}

#[tokio::test]
async fn a_full_table_gives_the_oldest_waiting_socket_up_for_a_new_one() {
    let s = TestServer::start_with(ServeConfig {
        max_connections: Some(8),
        ..ServeConfig::default()
    })
    .await;
    let mut silent = Vec::new();
    for _ in 0..8 {
        silent.push(TcpStream::connect(addr(&s.url)).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..3 {
        let (status, _) = s.call("GET", "/v1/health", None, None).await;
        assert_eq!(status, 200);
    }
    // The first, oldest silent socket made room; the newest still waits.
    let first = closed_after(&mut silent[0], Duration::from_secs(2)).await;
    assert!(first.is_some(), "the oldest silent socket is still open");
    let last = closed_after(&mut silent[7], Duration::from_millis(300)).await;
    assert!(last.is_none(), "the newest silent socket was closed first");
}

#[tokio::test]
async fn https_gets_the_same_limits() {
    let dir = tempfile::tempdir().unwrap();
    let pair = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).expect("certificate");
    let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    std::fs::write(&cert, pair.cert.pem()).unwrap();
    std::fs::write(&key, pair.signing_key.serialize_pem()).unwrap();
    let s = TestServer::start_with(quick(ServeConfig {
        tls_cert: Some(cert),
        tls_key: Some(key),
        max_connections: Some(4),
        ..ServeConfig::default()
    }))
    .await;
    // Silent: no handshake at all. The cap holds four.
    let mut silent = Vec::new();
    for _ in 0..6 {
        silent.push(TcpStream::connect(addr(&s.url)).await.unwrap());
    }
    let evicted = closed_after(&mut silent[0], Duration::from_millis(800)).await;
    assert!(evicted.is_some(), "the cap did not hold on HTTPS");
    let late = closed_after(&mut silent[5], Duration::from_secs(5)).await;
    assert!(
        late.is_some_and(|t| t < Duration::from_millis(2500)),
        "a handshake never begun outlived the header timeout: {late:?}"
    );
}

#[tokio::test]
async fn an_oversized_body_is_413_in_the_error_shape() {
    let s = TestServer::start().await;
    let big = "x".repeat(17 * 1024 * 1024);
    let resp = s
        .http
        .post(format!("{}/v1/agents", s.url))
        .bearer_auth(ADMIN)
        .header("content-type", "application/json")
        .body(format!(r#"{{"name":"{big}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("16 MiB"),
        "{body}"
    );
}

#[tokio::test]
async fn each_text_field_has_a_length_limit_named_in_the_422() {
    let s = TestServer::start().await;
    let agent = |description: String| {
        json!({"name": format!("bot-{}", description.len()), "kind": "chatbot",
               "environment": "prod", "description": description})
    };
    // A description of a few KB is real use.
    let (status, body) = s
        .call(
            "POST",
            "/v1/agents",
            Some(ADMIN),
            Some(agent("d".repeat(4000))),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = s
        .call(
            "POST",
            "/v1/agents",
            Some(ADMIN),
            Some(agent("d".repeat(1_900_000))),
        )
        .await;
    // Not the body in the message: on failure it is the 1.9 MB agent.
    assert_eq!(status, 422, "a 1.9 MB description was not refused");
    assert_eq!(body["error"]["code"], "unprocessable");
    assert_eq!(
        body["error"]["message"],
        "field `description` is 1900000 characters long; at most 8192"
    );
    let person = json!({"name": "Olga", "email": "olga@corp.example", "team": "t".repeat(300)});
    let (status, body) = s
        .call("POST", "/v1/people", Some(ADMIN), Some(person))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`team`"),
        "{body}"
    );
}

/// A `warden serve` child started with `ulimit -n 1024`; killed on drop.
struct Limited {
    child: std::process::Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Limited {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `warden serve` after `ulimits` (shell `ulimit` commands).
fn limited_server(ulimits: &str) -> Limited {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = cli::isolated("sh", dir.path());
    cmd.arg("-c")
        .arg(format!(r#"{ulimits} && exec "$0" "$@""#))
        .arg(env!("CARGO_BIN_EXE_warden"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(format!("sqlite:{}", dir.path().join("w.db").display()))
        .env("WARDEN_ADMIN_TOKEN", cli::ADMIN);
    let (child, url) = cli::spawn_listening(&mut cmd);
    Limited {
        child,
        url,
        _dir: dir,
    }
}

/// The soft file-descriptor limit raised to the hard one at start.
#[cfg(target_os = "linux")]
#[test]
fn the_descriptor_limit_is_raised_to_the_hard_one() {
    let srv = limited_server("ulimit -S -n 512 && ulimit -H -n 2048");
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", srv.child.id())).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let numbers: Vec<&str> = line.split_whitespace().skip(3).take(2).collect();
    assert_eq!(numbers, ["2048", "2048"], "{line}");
}

fn median_max(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[ms.len() - 1])
}

/// Issue 14: 2,000 slow sockets (half sent part of a request line, half
/// silent) against a server whose descriptor limit is 1,024. The server
/// keeps answering: `GET /v1/health` on a new connection each time under
/// 100 ms, a responder's kill under 1 s. Its figures go in the README's
/// Performance section (`--nocapture` prints them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_slow_sockets_do_not_keep_a_responder_out() {
    const SLOW: usize = 2000;
    let started = Instant::now();
    let fds = warden::server::limits::raise_fd_limit();
    assert!(
        fds.is_none_or(|n| n > SLOW as u64 + 200),
        "this test opens {SLOW} sockets; raise `ulimit -n` above {} (it is {fds:?})",
        SLOW + 200
    );
    let srv = limited_server("ulimit -n 1024");
    crate::support::install_crypto_provider();
    let http = reqwest::Client::new();
    let post = |path: &str, token: &str, body: Value| {
        http.post(format!("{}{path}", srv.url))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let responder: Value = post(
        "/v1/tokens",
        cli::ADMIN,
        json!({"name": "oncall", "role": "responder"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let responder = responder["token"].as_str().unwrap().to_string();
    let mut agents = Vec::new();
    for i in 0..5 {
        let a: Value = post(
            "/v1/agents",
            cli::ADMIN,
            json!({"name": format!("target-{i}"), "kind": "chatbot", "environment": "prod"}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        agents.push(a["id"].as_str().unwrap().to_string());
    }

    let target = addr(&srv.url);
    let mut slow = Vec::with_capacity(SLOW);
    for i in 0..SLOW {
        let mut s = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(&target))
            .await
            .expect("connecting a slow socket took over 5 s")
            .expect("connect");
        if i % 2 == 0 {
            s.write_all(b"GET /v1/health HTTP/1.1\r\n").await.unwrap();
        }
        slow.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Each on a connection of its own, as a client arriving now would.
    let fresh = || {
        reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    };
    let (mut health, mut kills) = (Vec::new(), Vec::new());
    for i in 0..40 {
        let c = fresh();
        let t = Instant::now();
        let r = c.get(format!("{}/v1/health", srv.url)).send().await;
        let status = r.map(|r| r.status().as_u16());
        assert_eq!(
            status.as_ref().ok(),
            Some(&200),
            "health under load: {status:?}"
        );
        health.push(t.elapsed().as_secs_f64() * 1000.0);
        if i % 8 == 7 {
            let c = fresh();
            let t = Instant::now();
            let r = c
                .post(format!("{}/v1/agents/{}/kill", srv.url, agents[i / 8]))
                .bearer_auth(&responder)
                .json(&json!({"reason": "load test"}))
                .send()
                .await;
            let status = r.map(|r| r.status().as_u16());
            assert_eq!(
                status.as_ref().ok(),
                Some(&200),
                "kill under load: {status:?}"
            );
            kills.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    // How many of the slow sockets the server closed to make room.
    let mut closed = 0;
    for s in &mut slow {
        let mut b = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_micros(1), s.read(&mut b)).await
        {
            closed += 1;
        }
    }
    let (h_med, h_max) = median_max(health);
    let (k_med, k_max) = median_max(kills);
    println!(
        "load: {SLOW} slow sockets ({closed} closed by the server to make room), \
         health median {h_med:.1} ms max {h_max:.1} ms (40), \
         kill median {k_med:.1} ms max {k_max:.1} ms (5), {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
    assert!(h_med < 100.0, "health median {h_med:.1} ms");
    assert!(h_max < 1000.0, "health max {h_max:.1} ms");
    assert!(k_max < 1000.0, "kill max {k_max:.1} ms");
}
