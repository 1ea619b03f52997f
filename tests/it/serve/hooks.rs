//! Runtime hooks against real processes and a real HTTP receiver: a command
//! hook that terminates a live child, hostile names passed literally,
//! failures and timeouts, and signed webhooks checked by a receiver.

use crate::support::{self, fleet};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::os::unix::process::ExitStatusExt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use warden::config::{HookAction, HookConfig};
use warden::model::{Agent, AgentKind, AgentStatus};
use warden::server::hooks::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// The variable the webhook's secret is read from: one every process
/// already has. A variable of the tests' own would need `set_var`, which
/// races with the other tests of this binary reading the environment on
/// their threads (spawning children, SQLite finding its temp dir).
const SECRET_ENV: &str = "PATH";
const MISSING_ENV: &str = "WARDEN_HOOKS_TEST_SECRET_NEVER_SET";

/// What the webhook is signed with: the value of [`SECRET_ENV`].
fn secret() -> String {
    std::env::var(SECRET_ENV).expect("PATH is set")
}

/// The fixed fleet's agent, named `name` and running at `runtime`.
fn agent(name: &str, runtime: Option<&str>) -> Agent {
    Agent {
        runtime: runtime.map(str::to_owned),
        ..fleet::agent(
            "ag_test",
            name,
            AgentKind::Autonomous,
            "test",
            None,
            AgentStatus::Active,
        )
    }
}

fn command(argv: &[&str], timeout_seconds: u64) -> HookConfig {
    HookConfig {
        runtime_prefix: String::new(),
        action: HookAction::Command {
            argv: argv.iter().map(|s| s.to_string()).collect(),
        },
        timeout_seconds,
    }
}

fn webhook(url: &str, secret_env: &str, timeout_seconds: u64) -> HookConfig {
    HookConfig {
        runtime_prefix: String::new(),
        action: HookAction::Webhook {
            url: url.into(),
            secret_env: secret_env.into(),
        },
        timeout_seconds,
    }
}

fn http() -> reqwest::Client {
    support::install_crypto_provider();
    reqwest::Client::builder()
        .build()
        .expect("an HTTP client builds")
}

fn process_exists(pid: u32) -> bool {
    std::process::Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[tokio::test]
async fn command_hook_terminates_a_real_process() {
    let mut child = tokio::process::Command::new("sleep")
        .arg("300")
        .kill_on_drop(true)
        .spawn()
        .expect("sleep starts");
    let pid = child.id().expect("a running child has a pid").to_string();

    let hook = command(&["kill", "-TERM", "{runtime}"], 5);
    let detail = hooks::run(&hook, &agent("runaway", Some(&pid)), &http())
        .await
        .expect("the hook succeeds");
    assert!(detail.contains("exited 0"), "{detail}");

    let status = tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .expect("the child exits soon after the hook")
        .expect("wait works");
    assert_eq!(status.signal(), Some(15), "ended by SIGTERM: {status:?}");
}

#[tokio::test]
async fn hostile_names_are_passed_literally() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let pwned = dir.path().join("pwned");
    let also = dir.path().join("also");
    let name = format!(
        "\"; touch {}; $(touch {}) `touch {}` {{agent_id}}",
        pwned.display(),
        pwned.display(),
        also.display()
    );
    let runtime = format!("x; rm -rf {} #", dir.path().display());

    let hook = command(&["printf", "[%s]", "{agent_name}", "{runtime}"], 5);
    let detail = hooks::run(&hook, &agent(&name, Some(&runtime)), &http())
        .await
        .expect("printf succeeds");

    // Each value arrived as one argument, unexpanded, and `{agent_id}` inside
    // the name was not substituted.
    assert!(
        detail.ends_with(&format!(": [{name}][{runtime}]")),
        "{detail}"
    );
    assert!(!detail.contains("ag_test"), "{detail}");
    assert!(!pwned.exists() && !also.exists());
    assert!(dir.path().exists());
}

#[tokio::test]
async fn option_like_runtime_is_refused_before_running() {
    // `kill -TERM -1` would signal every process this user may signal.
    let hook = command(&["kill", "-TERM", "{runtime}"], 5);
    let err = hooks::run(&hook, &agent("bot", Some("-1")), &http())
        .await
        .expect_err("refused");
    assert!(err.contains("option"), "{err}");
}

#[tokio::test]
async fn failing_command_reports_status_and_stderr() {
    let hook = command(
        &[
            "sh",
            "-c",
            "echo 'noise on stdout'; echo 'error: pod not found' >&2; exit 1",
        ],
        5,
    );
    let err = hooks::run(&hook, &agent("bot", Some("k8s:x")), &http())
        .await
        .expect_err("exit 1 is a failure");
    assert!(err.contains("exit status: 1"), "{err}");
    assert!(err.ends_with(": error: pod not found"), "{err}");
    assert!(!err.contains('\n'), "one line: {err}");
}

#[tokio::test]
async fn command_that_runs_too_long_is_killed() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let pidfile = dir.path().join("pid");
    let script = format!("echo $$ > '{}'; exec sleep 30", pidfile.display());
    let hook = command(&["sh", "-c", &script], 1);

    let started = Instant::now();
    let err = hooks::run(&hook, &agent("bot", Some("x")), &http())
        .await
        .expect_err("a timeout is a failure");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(err.contains("timed out after 1s"), "{err}");
    assert!(err.contains("killed"), "{err}");

    let pid: u32 = std::fs::read_to_string(&pidfile)
        .expect("the script wrote its pid")
        .trim()
        .parse()
        .expect("a pid");
    assert!(!process_exists(pid), "process {pid} still runs");
}

#[tokio::test]
async fn missing_program_is_reported() {
    let hook = command(&["/nonexistent/warden-stop-agent", "{agent_id}"], 5);
    let err = hooks::run(&hook, &agent("bot", Some("x")), &http())
        .await
        .expect_err("cannot run");
    assert!(
        err.starts_with("cannot run /nonexistent/warden-stop-agent"),
        "{err}"
    );
    assert!(err.contains("No such file"), "{err}");
}

// ---- webhooks ----

/// What the receiver saw of each request.
#[derive(Debug, Clone)]
struct Seen {
    signature_ok: bool,
    timestamp: Option<String>,
    body: serde_json::Value,
}

#[derive(Clone)]
struct Receiver {
    secret: Vec<u8>,
    answer: StatusCode,
    delay: Duration,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let signature_ok = hooks::verify(&receiver.secret, &body, signature);
    receiver.seen.lock().unwrap().push(Seen {
        signature_ok,
        timestamp: headers
            .get(TIMESTAMP_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    });
    tokio::time::sleep(receiver.delay).await;
    if !signature_ok {
        return (StatusCode::UNAUTHORIZED, "bad signature");
    }
    (receiver.answer, "receiver says: database on fire\n")
}

/// Starts a receiver on 127.0.0.1:0; answers its URL and what it saw.
async fn start_receiver(
    secret: &str,
    answer: StatusCode,
    delay: Duration,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let receiver = Receiver {
        secret: secret.as_bytes().to_vec(),
        answer,
        delay,
        seen: Arc::clone(&seen),
    };
    let app = Router::new()
        .route("/hooks/kill", post(receive))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hooks/kill?token=url-secret"), seen)
}

#[tokio::test]
async fn signed_webhook_is_accepted() {
    let (url, seen) = start_receiver(&secret(), StatusCode::OK, Duration::ZERO).await;
    let the_agent = agent("support-bot", Some("k8s:prod/support-bot"));

    let detail = hooks::run(&webhook(&url, SECRET_ENV, 5), &the_agent, &http())
        .await
        .expect("the receiver accepts");
    assert!(detail.contains("200"), "{detail}");
    assert!(!detail.contains("url-secret"), "URL query shown: {detail}");

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let seen = &seen[0];
    assert!(seen.signature_ok);
    assert_eq!(seen.body["event"], "agent.kill");
    let sent: Agent = serde_json::from_value(seen.body["agent"].clone()).expect("an Agent");
    assert_eq!(sent, the_agent);
    let sent_at = seen.body["sent_at"].as_str().expect("sent_at");
    let sent_at = chrono::DateTime::parse_from_rfc3339(sent_at).expect("RFC 3339");
    let timestamp: i64 = seen
        .timestamp
        .as_deref()
        .expect("timestamp header")
        .parse()
        .expect("unix seconds");
    assert_eq!(timestamp, sent_at.timestamp());
}

#[tokio::test]
async fn webhook_with_the_wrong_secret_is_refused() {
    let (url, seen) = start_receiver("another secret", StatusCode::OK, Duration::ZERO).await;
    let err = hooks::run(&webhook(&url, SECRET_ENV, 5), &agent("bot", None), &http())
        .await
        .expect_err("the receiver refuses");
    assert!(err.contains("401"), "{err}");
    assert!(err.contains("bad signature"), "{err}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].signature_ok);
    assert!(!err.contains(&secret()), "{err}");
}

#[tokio::test]
async fn webhook_server_error_is_a_failure() {
    let (url, _) =
        start_receiver(&secret(), StatusCode::INTERNAL_SERVER_ERROR, Duration::ZERO).await;
    let err = hooks::run(&webhook(&url, SECRET_ENV, 5), &agent("bot", None), &http())
        .await
        .expect_err("500 is a failure");
    assert!(err.contains("500"), "{err}");
    assert!(err.contains("database on fire"), "{err}");
    assert!(!err.contains('\n'), "one line: {err}");
}

#[tokio::test]
async fn slow_webhook_times_out() {
    let (url, _) = start_receiver(&secret(), StatusCode::OK, Duration::from_secs(10)).await;
    let started = Instant::now();
    let err = hooks::run(&webhook(&url, SECRET_ENV, 1), &agent("bot", None), &http())
        .await
        .expect_err("a timeout is a failure");
    assert!(err.contains("timed out"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn webhook_without_its_secret_names_the_variable() {
    let (url, seen) = start_receiver(&secret(), StatusCode::OK, Duration::ZERO).await;
    let err = hooks::run(&webhook(&url, MISSING_ENV, 5), &agent("bot", None), &http())
        .await
        .expect_err("no secret, no webhook");
    assert!(err.contains(MISSING_ENV), "{err}");
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent unsigned");
}

#[tokio::test]
async fn unreachable_webhook_is_a_failure() {
    // Bind then drop, so the port is very likely closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let err = hooks::run(&webhook(&url, SECRET_ENV, 5), &agent("bot", None), &http())
        .await
        .expect_err("nobody listens");
    assert!(err.starts_with("webhook http://127.0.0.1:"), "{err}");
    assert!(err.contains("failed"), "{err}");
}
