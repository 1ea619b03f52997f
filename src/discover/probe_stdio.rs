//! `--probe-stdio`: starts each stdio MCP server the way its client would
//! (the config's command, arguments and environment on top of Warden's
//! own) and asks it for its tools over newline-delimited JSON-RPC on its
//! standard input and output: `initialize`, `initialized`, `tools/list`.
//! This runs the commands a config names, so it happens only when asked.
//! The server is killed as soon as it has answered, or when it does not
//! answer in time (a warning naming its command); the scan goes on.

use super::finding::{Finding, Launch, Warning};
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const MAX_PAGES: usize = 20;

pub async fn probe_all(findings: &mut [Finding], timeout: Duration) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for f in findings.iter_mut() {
        let Some(launch) = f.launch.clone() else {
            continue;
        };
        if f.disabled {
            continue;
        }
        let shown = f.command.clone().unwrap_or_default();
        match tokio::time::timeout(timeout, tools(&launch)).await {
            Ok(Ok(names)) => {
                f.details.insert(
                    "probe".into(),
                    format!("{} tools (started over stdio)", names.len()),
                );
                f.capabilities = names;
            }
            Ok(Err(m)) => warnings.push(Warning::new(
                format!("{} ({})", f.location, f.name),
                format!("probe of `{shown}`: {m}"),
            )),
            Err(_) => warnings.push(Warning::new(
                format!("{} ({})", f.location, f.name),
                format!("probe of `{shown}`: did not answer in time; stopped"),
            )),
        }
    }
    warnings
}

async fn tools(launch: &Launch) -> Result<Vec<String>, String> {
    let mut child = tokio::process::Command::new(&launch.program)
        .args(&launch.args)
        .envs(launch.env.iter().cloned())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot be started: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no standard input")?;
    let stdout = child.stdout.take().ok_or("no standard output")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut send = async |msg: Value| -> Result<(), String> {
        let mut line = msg.to_string();
        line.push('\n');
        stdin
            .write_all(line.as_bytes())
            .await
            .map_err(|e| format!("stopped reading its input: {e}"))
    };
    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "warden-discover", "version": env!("CARGO_PKG_VERSION")}}}),
    )
    .await?;
    answer(&mut lines, 1).await?;
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await?;
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0..MAX_PAGES {
        let id = 2 + page as i64;
        let params = cursor
            .as_ref()
            .map_or_else(|| json!({}), |c| json!({"cursor": c}));
        send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/list", "params": params})).await?;
        let a = answer(&mut lines, id).await?;
        cursor = super::probe::tools_page(&a, &mut names)?;
        if cursor.is_none() {
            break;
        }
    }
    let _ = child.kill().await;
    Ok(names)
}

/// Reads lines until the answer with `id`; other messages (logs,
/// notifications) are skipped.
async fn answer(
    lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    id: i64,
) -> Result<Value, String> {
    loop {
        let line = lines
            .next_line()
            .await
            .map_err(|e| format!("its output broke off: {e}"))?
            .ok_or("exited before answering")?;
        let Ok(v) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if v.get("id").and_then(Value::as_i64) == Some(id) {
            if let Some(err) = v.get("error") {
                return Err(format!("refused: {err}"));
            }
            return Ok(v);
        }
    }
}
