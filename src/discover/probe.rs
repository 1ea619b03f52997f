//! `--probe`: asks each MCP server reachable over streamable HTTP what it
//! can do, with the protocol itself: `initialize`, the `initialized`
//! notification, then `tools/list` (every page), and the session closed.
//! No credential from a config is sent: a server that wants one answers
//! 401, which is noted, not an error. A server that hangs or answers
//! something else is a warning naming its URL; the scan goes on.

use super::finding::{Finding, Warning};
use serde_json::{Value, json};
use std::time::Duration;

const PROTOCOL: &str = "2025-06-18";
/// Pages of `tools/list` read at most.
const MAX_PAGES: usize = 20;
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Probes every HTTP finding (not SSE, not one whose URL had a secret
/// blanked out), filling in its capabilities.
pub async fn probe_all(findings: &mut [Finding], timeout: Duration) -> Vec<Warning> {
    crate::api::client::install_crypto_provider();
    let mut warnings = Vec::new();
    let client = match reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            return vec![Warning::new(
                "--probe",
                format!("cannot make an HTTP client: {e}"),
            )];
        }
    };
    for f in findings.iter_mut() {
        let Some(url) = f.url.clone() else { continue };
        if f.transport != "http" || f.kind != "mcp-server" || url.contains("[redacted") {
            continue;
        }
        match tools(&client, &url).await {
            Ok(Probed::Tools(names)) => {
                f.details
                    .insert("probe".into(), format!("{} tools", names.len()));
                f.capabilities = names;
            }
            Ok(Probed::NeedsAuth(status)) => {
                f.details
                    .insert("probe".into(), format!("asks for credentials ({status})"));
            }
            Err(m) => warnings.push(Warning::new(url, format!("probe: {m}"))),
        }
    }
    warnings
}

pub enum Probed {
    Tools(Vec<String>),
    NeedsAuth(u16),
}

/// The names of the tools of the MCP server at `url`.
pub async fn tools(client: &reqwest::Client, url: &str) -> Result<Probed, String> {
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": PROTOCOL, "capabilities": {},
        "clientInfo": {"name": "warden-discover", "version": env!("CARGO_PKG_VERSION")}}});
    let (status, session, answer) = call(client, url, None, &init, Some(1)).await?;
    if status == 401 || status == 403 {
        return Ok(Probed::NeedsAuth(status));
    }
    let answer = answer.ok_or_else(|| format!("initialize answered {status} without a result"))?;
    if let Some(err) = answer.get("error") {
        return Err(format!("initialize refused: {err}"));
    }
    let version = answer
        .pointer("/result/protocolVersion")
        .and_then(Value::as_str)
        .unwrap_or(PROTOCOL)
        .to_string();
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    call(
        client,
        url,
        session.as_deref().map(|s| (s, version.as_str())),
        &initialized,
        None,
    )
    .await?;
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0..MAX_PAGES {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let id = 2 + page as i64;
        let list = json!({"jsonrpc": "2.0", "id": id, "method": "tools/list", "params": params});
        let (status, _, answer) = call(
            client,
            url,
            session.as_deref().map(|s| (s, version.as_str())),
            &list,
            Some(id),
        )
        .await?;
        let answer =
            answer.ok_or_else(|| format!("tools/list answered {status} without a result"))?;
        cursor = tools_page(&answer, &mut names)?;
        if cursor.is_none() {
            break;
        }
    }
    if let Some(s) = &session {
        // Politeness: end the session; its answer does not matter.
        let _ = client.delete(url).header("Mcp-Session-Id", s).send().await;
    }
    Ok(Probed::Tools(names))
}

/// One JSON-RPC message; the answer with `id` from a JSON body or an
/// event stream, and the session id the server gave.
async fn call(
    client: &reqwest::Client,
    url: &str,
    session: Option<(&str, &str)>,
    body: &Value,
    id: Option<i64>,
) -> Result<(u16, Option<String>, Option<Value>), String> {
    let mut req = client
        .post(url)
        .header("Accept", "application/json, text/event-stream")
        .json(body);
    if let Some((s, version)) = session {
        req = req
            .header("Mcp-Session-Id", s)
            .header("MCP-Protocol-Version", version);
    }
    let mut resp = req.send().await.map_err(|e| match e.is_timeout() {
        true => "did not answer in time".to_string(),
        false => format!("cannot be reached: {e}"),
    })?;
    let status = resp.status().as_u16();
    let session = resp
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let Some(id) = id else {
        return Ok((status, session, None));
    };
    if !(200..300).contains(&status) {
        return Ok((status, session, None));
    }
    let is_stream = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/event-stream"));
    let mut buf = Vec::new();
    loop {
        let chunk = resp.chunk().await.map_err(|e| match e.is_timeout() {
            true => "stopped answering".to_string(),
            false => format!("broke off: {e}"),
        })?;
        let Some(chunk) = chunk else { break };
        buf.extend_from_slice(&chunk);
        if buf.len() > MAX_BODY {
            return Err("answered more than 4 MiB".into());
        }
        // An event stream may stay open after the answer: stop at it.
        if is_stream && let Some(v) = answer_in_stream(&buf, id) {
            return Ok((status, session, Some(v)));
        }
    }
    let text = String::from_utf8_lossy(&buf);
    if is_stream {
        return answer_in_stream(&buf, id)
            .map(|v| (status, session.clone(), Some(v)))
            .ok_or_else(|| "the event stream ended without an answer".to_string());
    }
    let v: Value = serde_json::from_str(&text).map_err(|_| {
        let start: String = text.chars().take(60).collect();
        format!("answered something that is not JSON-RPC: {start:?}")
    })?;
    Ok((status, session, Some(v)))
}

/// The JSON-RPC message with `id` among the `data:` lines so far.
/// One `tools/list` answer, over HTTP or stdio: its tools' names added to
/// `names`, and the cursor of the next page if there is one.
pub(super) fn tools_page(
    answer: &Value,
    names: &mut Vec<String>,
) -> Result<Option<String>, String> {
    if let Some(err) = answer.get("error") {
        return Err(format!("tools/list refused: {err}"));
    }
    let tools = answer
        .pointer("/result/tools")
        .and_then(Value::as_array)
        .ok_or("tools/list gave no tools list")?;
    names.extend(
        tools
            .iter()
            .filter_map(|t| t.get("name").and_then(Value::as_str))
            .map(str::to_string),
    );
    Ok(answer
        .pointer("/result/nextCursor")
        .and_then(Value::as_str)
        .map(str::to_string))
}

fn answer_in_stream(buf: &[u8], id: i64) -> Option<Value> {
    let text = String::from_utf8_lossy(buf);
    text.lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
        .find(|v| v.get("id").and_then(Value::as_i64) == Some(id))
}
