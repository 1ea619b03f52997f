//! Runtime hooks: how the kill switch stops an agent's running process.
//!
//! This file owns running one configured hook for one agent, a local
//! command or a signed webhook, and reporting the outcome as one readable
//! line (the kill operation shows it as a step result). It also owns the
//! webhook signature scheme, [`sign`] and [`verify`], so that receivers and
//! tests check signatures the same way the sender makes them.
//!
//! An agent's name and runtime are untrusted: a command gets them as
//! separate argv elements, never through a shell, and every line reported
//! back has its control characters escaped.

use crate::config::{HookAction, HookConfig};
use crate::model::Agent;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::task::JoinHandle;

/// `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "X-Warden-Signature";
/// Unix seconds when the webhook was sent; the same instant as the body's
/// `sent_at`, which the signature covers.
pub const TIMESTAMP_HEADER: &str = "X-Warden-Timestamp";
/// The `event` of the webhook body.
pub const KILL_EVENT: &str = "agent.kill";

/// How much of a command's stdout and stderr, or of a webhook's error answer,
/// is kept: the end, where the error usually is.
const OUTPUT_TAIL: usize = 2048;
/// How many characters of that go into the one-line result.
const EXCERPT_CHARS: usize = 300;
/// After a command exits, how long to wait for its pipes to close: a process
/// it left behind may hold them open for ever.
const DRAIN_GRACE: Duration = Duration::from_millis(500);
/// Variables a hook command must not inherit from the server.
const WITHHELD_ENV: &[&str] = &["WARDEN_ADMIN_TOKEN", "WARDEN_TOKEN"];

/// Runs `hook` for `agent`: Ok with what happened, or Err with what failed,
/// each one line.
pub async fn run(
    hook: &HookConfig,
    agent: &Agent,
    http: &reqwest::Client,
) -> Result<String, String> {
    // A zero timeout would fail every hook before it starts.
    let seconds = hook.timeout_seconds.max(1);
    let timeout = Duration::from_secs(seconds);
    let result = match &hook.action {
        HookAction::Command { argv } => run_command(argv, agent, timeout, seconds).await,
        HookAction::Webhook { url, secret_env } => {
            run_webhook(url, secret_env, agent, http, timeout, seconds).await
        }
    };
    match &result {
        Ok(detail) => tracing::info!(agent_id = %agent.id, %detail, "runtime hook done"),
        Err(detail) => tracing::warn!(agent_id = %agent.id, %detail, "runtime hook failed"),
    }
    result
}

/// `sha256=<hex>`: the HMAC-SHA256 of `body` under `secret`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, body).finalize().into_bytes())
    )
}

/// Whether `header` is the signature of `body` under `secret`. The
/// comparison takes the same time wherever the bytes differ.
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(hex_signature) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(signature) = hex::decode(hex_signature) else {
        return false;
    };
    mac(secret, body).verify_slice(&signature).is_ok()
}

fn mac(secret: &[u8], body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac
}

// ---- command ----

async fn run_command(
    template: &[String],
    agent: &Agent,
    timeout: Duration,
    seconds: u64,
) -> Result<String, String> {
    let argv = template
        .iter()
        .map(|arg| substitute(arg, agent))
        .collect::<Result<Vec<_>, _>>()?;
    let Some((program, args)) = argv.split_first() else {
        return Err("command hook has an empty argv".into());
    };
    let shown = escape(program);

    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // If this future is dropped (the request is cancelled), the hook
        // must not run on unsupervised.
        .kill_on_drop(true);
    for name in WITHHELD_ENV {
        command.env_remove(name);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    let stdout = Capture::start(child.stdout.take());
    let stderr = Capture::start(child.stderr.take());

    let status = match tokio::time::timeout(timeout, child.wait()).await {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => return Err(format!("command {shown}: cannot wait for it: {e}")),
        Err(_) => {
            let killed = child.kill().await;
            let err = stderr.finish().await;
            let what = match killed {
                Ok(()) => format!("command {shown} timed out after {seconds}s and was killed"),
                Err(e) => {
                    format!("command {shown} timed out after {seconds}s; killing it failed: {e}")
                }
            };
            return Err(format!("{what}{}", suffix(&err)));
        }
    };
    let out = stdout.finish().await;
    let err = stderr.finish().await;
    if status.success() {
        Ok(format!("command {shown} exited 0{}", suffix(&out)))
    } else {
        // Some tools report errors on stdout.
        let said = if err.iter().all(u8::is_ascii_whitespace) {
            &out
        } else {
            &err
        };
        Err(format!("command {shown} failed ({status}){}", suffix(said)))
    }
}

/// Fills `{agent_id}`, `{agent_name}` and `{runtime}` in one argv element.
/// Values are inserted once and never scanned again, so a name that contains
/// `{agent_id}` stays literal.
fn substitute(template: &str, agent: &Agent) -> Result<String, String> {
    let values = [
        ("{agent_id}", agent.id.as_str()),
        ("{agent_name}", agent.name.as_str()),
        ("{runtime}", agent.runtime.as_deref().unwrap_or("")),
    ];
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match values.iter().find(|(key, _)| tail.starts_with(key)) {
            Some((key, value)) => {
                // An untrusted value that opens an argument would be read as
                // an option: `kill -TERM {runtime}` with runtime `-1` signals
                // every process.
                if out.is_empty() && value.starts_with('-') {
                    return Err(format!(
                        "refusing to run the hook: {} {} starts with '-' and would be read as an option",
                        &key[1..key.len() - 1],
                        quoted(value)
                    ));
                }
                out.push_str(value);
                rest = &tail[key.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The end of a child's output pipe, read as it comes so that the child
/// never blocks on a full pipe.
struct Capture {
    tail: Arc<Mutex<Vec<u8>>>,
    task: Option<JoinHandle<()>>,
}

impl Capture {
    fn start<R: AsyncRead + Unpin + Send + 'static>(pipe: Option<R>) -> Capture {
        let tail = Arc::new(Mutex::new(Vec::new()));
        let task = pipe.map(|mut pipe| {
            let tail = Arc::clone(&tail);
            tokio::spawn(async move {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut chunk).await {
                    if n == 0 {
                        break;
                    }
                    let mut tail = tail.lock().unwrap_or_else(|e| e.into_inner());
                    tail.extend_from_slice(&chunk[..n]);
                    // Trim in batches, not on every read.
                    if tail.len() > 2 * OUTPUT_TAIL {
                        let excess = tail.len() - OUTPUT_TAIL;
                        tail.drain(..excess);
                    }
                }
            })
        });
        Capture { tail, task }
    }

    /// What was read, once the pipe has closed or the grace time is over.
    async fn finish(mut self) -> Vec<u8> {
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(DRAIN_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
        let tail = self.tail.lock().unwrap_or_else(|e| e.into_inner());
        tail[tail.len().saturating_sub(OUTPUT_TAIL)..].to_vec()
    }
}

// ---- webhook ----

async fn run_webhook(
    url: &str,
    secret_env: &str,
    agent: &Agent,
    http: &reqwest::Client,
    timeout: Duration,
    seconds: u64,
) -> Result<String, String> {
    let secret = match std::env::var_os(secret_env) {
        Some(secret) if !secret.is_empty() => secret.into_encoded_bytes(),
        Some(_) => return Err(format!("webhook secret variable {secret_env} is empty")),
        None => return Err(format!("webhook secret variable {secret_env} is not set")),
    };
    let target = reqwest::Url::parse(url).map_err(|e| format!("webhook url is invalid: {e}"))?;
    // The path and query of a webhook URL often carry a token of their own:
    // only the origin is ever shown.
    let shown = escape(&target.origin().ascii_serialization());

    let now = chrono::Utc::now();
    let body = serde_json::to_vec(&serde_json::json!({
        "event": KILL_EVENT,
        "agent": agent,
        "sent_at": now,
    }))
    .map_err(|e| format!("cannot encode the webhook body: {e}"))?;
    let signature = sign(&secret, &body);

    let sent = http
        .post(target)
        .timeout(timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signature)
        .header(TIMESTAMP_HEADER, now.timestamp().to_string())
        .body(body)
        .send()
        .await;
    let mut response = match sent {
        Ok(response) => response,
        Err(e) if e.is_timeout() => {
            return Err(format!("webhook {shown} timed out after {seconds}s"));
        }
        Err(e) => return Err(format!("webhook {shown} failed: {}", error_chain(e))),
    };
    let status = response.status();
    if status.is_success() {
        return Ok(format!("webhook {shown} answered {status}"));
    }
    let mut said = Vec::new();
    // The body only explains the failure; reading stops at the bound, and
    // the request's timeout covers it.
    while said.len() < OUTPUT_TAIL {
        match response.chunk().await {
            Ok(Some(chunk)) => said.extend_from_slice(&chunk),
            _ => break,
        }
    }
    said.truncate(OUTPUT_TAIL);
    Err(format!(
        "webhook {shown} answered {status}{}",
        suffix(&said)
    ))
}

/// The error and its causes, without the URL (it may carry a token).
fn error_chain(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut line = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !line.contains(&cause_text) {
            line.push_str(": ");
            line.push_str(&cause_text);
        }
        source = cause.source();
    }
    escape(&line)
}

// ---- one readable line ----

/// `": <excerpt>"`, or nothing when there is nothing to show.
fn suffix(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let count = text.chars().count();
    if count > EXCERPT_CHARS {
        let start = text
            .char_indices()
            .nth(count - EXCERPT_CHARS)
            .map_or(0, |(i, _)| i);
        format!(": …{}", escape(&text[start..]))
    } else {
        format!(": {}", escape(text))
    }
}

/// `text` with control characters (newlines included) and the invisible
/// characters that reorder a terminal line written as escapes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else if matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

fn quoted(value: &str) -> String {
    format!("\"{}\"", escape(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgentKind, fixtures};

    fn agent(name: &str, runtime: Option<&str>) -> Agent {
        Agent {
            kind: AgentKind::Autonomous,
            runtime: runtime.map(str::to_owned),
            ..fixtures::agent("ag_1", name)
        }
    }

    #[test]
    fn substitution_is_one_pass() {
        let a = agent("{agent_id}-{runtime}", Some("k8s:{agent_name}"));
        assert_eq!(
            substitute("{agent_name}|{runtime}|{agent_id}|{other}|{", &a).unwrap(),
            "{agent_id}-{runtime}|k8s:{agent_name}|ag_1|{other}|{"
        );
        assert_eq!(
            substitute("no placeholders", &a).unwrap(),
            "no placeholders"
        );
        assert_eq!(
            substitute("--name={agent_name}", &agent("x", None)).unwrap(),
            "--name=x"
        );
        assert_eq!(substitute("{runtime}", &agent("x", None)).unwrap(), "");
    }

    #[test]
    fn option_like_values_are_refused() {
        let err = substitute("{runtime}", &agent("x", Some("-1"))).unwrap_err();
        assert!(err.contains("runtime") && err.contains("\"-1\""), "{err}");
        assert!(substitute("{agent_name}", &agent("--help", None)).is_err());
        // Inside an argument a leading dash is harmless.
        assert_eq!(
            substitute("pid={runtime}", &agent("x", Some("-1"))).unwrap(),
            "pid=-1"
        );
    }

    #[test]
    fn signatures_verify_only_with_the_same_secret_and_body() {
        let signature = sign(b"s3cret", b"{\"a\":1}");
        assert!(signature.starts_with("sha256="));
        assert_eq!(signature.len(), "sha256=".len() + 64);
        assert!(verify(b"s3cret", b"{\"a\":1}", &signature));
        assert!(!verify(b"other", b"{\"a\":1}", &signature));
        assert!(!verify(b"s3cret", b"{\"a\":2}", &signature));
        assert!(!verify(b"s3cret", b"{\"a\":1}", &signature[7..]));
        assert!(!verify(b"s3cret", b"{\"a\":1}", "sha256=zz"));
        assert!(!verify(b"s3cret", b"{\"a\":1}", ""));
    }

    #[test]
    fn known_hmac_vector() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn excerpts_are_one_escaped_line() {
        assert_eq!(suffix(b"  \n"), "");
        assert_eq!(
            suffix(b"line one\nline\ttwo\x1b[31m\n"),
            ": line one\\nline\\ttwo\\u{1b}[31m"
        );
        assert_eq!(escape("a\u{202E}b"), "a\\u{202e}b");
        let long = "x".repeat(EXCERPT_CHARS + 50) + "END";
        let s = suffix(long.as_bytes());
        assert!(s.starts_with(": …") && s.ends_with("END"), "{s}");
        assert_eq!(s.chars().count(), ": …".chars().count() + EXCERPT_CHARS);
    }
}
