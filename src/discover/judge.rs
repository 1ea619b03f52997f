//! From a configured server to a [`Finding`]: how it runs (command or
//! URL), what it is given (env and header names), and every plaintext
//! secret anywhere in its settings, blanked out of what is shown and kept
//! only as a fingerprint.

use super::clients::{ConfigFile, Entry, Parsed};
use super::finding::{Finding, Launch, SecretFound, key};
use super::secrets::{self, Span};
use serde_json::Value;
use std::collections::BTreeMap;

/// Judges one entry of `file`, read on `host`.
pub fn judge(host: &str, file: &ConfigFile, entry: &Entry, parsed: &Parsed) -> Finding {
    let v = &entry.value;
    // Older Zed nests the command; older Continue nests the transport.
    let nested = [
        v.get("command").filter(|c| c.is_object()),
        v.get("transport"),
    ];
    let pick = |field: &str| {
        v.get(field)
            .filter(|f| !f.is_object() || field != "command")
            .or_else(|| nested.iter().flatten().find_map(|n| n.get(field)))
    };
    let location = file.path.display().to_string();
    let mut secrets_found = Vec::new();
    let mut shown = ShownValues::default();
    walk(v, String::new(), None, &mut secrets_found, &mut shown);

    let command = pick("command")
        .or_else(|| v.pointer("/command/path"))
        .and_then(Value::as_str)
        .map(|c| shown.get(c));
    let args: Vec<String> = pick("args")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| shown.text(x)).collect())
        .unwrap_or_default();
    let url = ["url", "serverUrl", "httpUrl"]
        .iter()
        .find_map(|f| pick(f))
        .and_then(Value::as_str)
        .map(|u| shown.get(u));
    let env = names(pick("env"));
    let mut headers = names(v.get("headers").or_else(|| v.get("http_headers")));
    headers.extend(names(v.pointer("/requestOptions/headers")));
    headers.extend(names(v.get("env_http_headers")));
    let declared = pick("type").and_then(Value::as_str).unwrap_or("");
    let transport = match (declared, &url, &command) {
        (t, _, _) if t.contains("sse") => "sse",
        (t, _, _) if t.contains("http") => "http",
        (_, Some(_), _) if v.get("httpUrl").is_some() => "http",
        (_, Some(u), None) if u.trim_end_matches('/').ends_with("/sse") => "sse",
        (_, Some(_), None) => "http",
        _ => "stdio",
    };
    let disabled = v.get("disabled").and_then(Value::as_bool) == Some(true)
        || v.get("enabled").and_then(Value::as_bool) == Some(false);

    let mut flags = Vec::new();
    if !secrets_found.is_empty() {
        flags.push("plaintext-secret".to_string());
    }
    if url.as_deref().is_some_and(plain_http) {
        flags.push("plain-http".to_string());
    }
    if command.is_some() {
        flags.push("runs-command".to_string());
    }
    let mut details = BTreeMap::new();
    if !parsed.notes.is_empty() {
        details.insert("config".to_string(), parsed.notes.join("; "));
    }
    if !parsed.info.is_empty() {
        details.insert("inputs".to_string(), parsed.info.join("; "));
    }
    let launch = match (&command, transport) {
        (Some(_), "stdio") => launch_of(
            pick("command").or_else(|| v.pointer("/command/path")),
            pick("args"),
            pick("env"),
        ),
        _ => None,
    };
    let project = entry.project.as_deref().unwrap_or("");
    Finding {
        key: key(&[
            "mcp",
            host,
            file.client.as_str(),
            &location,
            project,
            &entry.name,
        ]),
        kind: "mcp-server".into(),
        name: entry.name.clone(),
        client: file.client.as_str().into(),
        scope: if entry.project.is_some() {
            "local".into()
        } else {
            file.scope.as_str().into()
        },
        host: host.into(),
        location,
        project: entry.project.clone(),
        transport: transport.into(),
        command,
        args,
        url,
        env,
        headers,
        disabled,
        secrets: secrets_found,
        flags,
        capabilities: Vec::new(),
        details,
        launch,
    }
}

/// The raw command line and environment, for `--probe-stdio`.
fn launch_of(command: Option<&Value>, args: Option<&Value>, env: Option<&Value>) -> Option<Launch> {
    let program = command.and_then(Value::as_str)?.to_string();
    let args = args
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let env = env
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Some(Launch { program, args, env })
}

/// `http://` to anything but this machine.
pub fn plain_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = if host.starts_with('[') {
        host.split(']')
            .next()
            .unwrap_or(host)
            .trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or(host)
    };
    !(host == "localhost" || host == "::1" || host.starts_with("127."))
}

fn names(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Every string value as it may be shown: with its secrets blanked out.
#[derive(Default)]
struct ShownValues {
    redacted: BTreeMap<String, String>,
}

impl ShownValues {
    fn get(&self, value: &str) -> String {
        self.redacted
            .get(value)
            .cloned()
            .unwrap_or_else(|| value.to_string())
    }

    fn text(&self, v: &Value) -> String {
        match v {
            Value::String(s) => self.get(s),
            other => other.to_string(),
        }
    }
}

/// Finds the secrets in every string under `v`. `key` is the name the
/// value sits under: an object's key, or in a list of arguments the flag
/// before it (`["--api-key", "…"]`).
fn walk(
    v: &Value,
    path: String,
    key: Option<&str>,
    out: &mut Vec<SecretFound>,
    shown: &mut ShownValues,
) {
    match v {
        Value::String(s) => {
            let spans = spans_in(key, s);
            if spans.is_empty() {
                return;
            }
            for span in &spans {
                out.push(SecretFound {
                    kind: span.kind.as_str().into(),
                    field: path.clone(),
                    fingerprint: secrets::fingerprint(&s[span.range.clone()]),
                });
            }
            shown.redacted.insert(s.clone(), secrets::redact(s, &spans));
        }
        Value::Array(items) => {
            let mut flag: Option<&str> = None;
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{path}[{i}]"), flag.or(key), out, shown);
                flag = item
                    .as_str()
                    .filter(|s| s.starts_with('-') && !s.contains('='));
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(item, sub, Some(k), out, shown);
            }
        }
        _ => {}
    }
}

/// The secrets in one string: by shape or key, or after `NAME=` inside it
/// (`--token=…`, docker's `-e KEY=…`).
fn spans_in(key: Option<&str>, s: &str) -> Vec<Span> {
    let spans = secrets::find(key, s);
    if !spans.is_empty() {
        return spans;
    }
    match s.split_once('=') {
        Some((name, value)) if !name.is_empty() && !name.contains([' ', '/', ':']) => {
            let start = name.len() + 1;
            secrets::find(Some(name), value)
                .into_iter()
                .map(|sp| Span {
                    kind: sp.kind,
                    range: start + sp.range.start..start + sp.range.end,
                })
                .collect()
        }
        _ => Vec::new(),
    }
}
