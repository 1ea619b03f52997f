//! A2A agent cards (`--a2a URL`): fetches `/.well-known/agent-card.json`
//! (and, where that is missing, the older `/.well-known/agent.json`), reads
//! the card in the A2A 1.0 layout (`supportedInterfaces`,
//! `securitySchemes` as one-of objects) or the 0.x one (`url`,
//! `securitySchemes` with `type`), and flags a card that declares no
//! authentication or is served over plain http. A server that hangs, an
//! HTML page or broken JSON is a warning naming the URL; the scan goes on.

use super::finding::{Finding, Warning, key};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// The card paths of A2A 1.0 and of 0.2 before it.
const CARD_PATHS: [&str; 2] = ["/.well-known/agent-card.json", "/.well-known/agent.json"];
/// A card larger than this is not a card.
const MAX_CARD_BYTES: usize = 1024 * 1024;

/// Fetches the card of every URL; one finding per card found.
pub async fn scan(urls: &[String], host: &str, timeout: Duration) -> (Vec<Finding>, Vec<Warning>) {
    crate::api::client::install_crypto_provider();
    let mut findings = Vec::new();
    let mut warnings = Vec::new();
    let client = match reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            warnings.push(Warning::new(
                "--a2a",
                format!("cannot make an HTTP client: {e}"),
            ));
            return (findings, warnings);
        }
    };
    for url in urls {
        match card(&client, url).await {
            Ok((card_url, card)) => match read_card(host, &card_url, &card) {
                Ok(f) => findings.push(f),
                Err(m) => warnings.push(Warning::new(card_url, m)),
            },
            Err(w) => warnings.push(w),
        }
    }
    (findings, warnings)
}

/// The URLs to try for `url`: itself when it names a `.json` file, else
/// the well-known paths on its origin.
fn candidates(url: &str) -> Result<Vec<String>, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("is not an http:// or https:// URL".into());
    }
    if parsed.path().ends_with(".json") {
        return Ok(vec![parsed.to_string()]);
    }
    let origin = parsed.origin().ascii_serialization();
    Ok(CARD_PATHS.iter().map(|p| format!("{origin}{p}")).collect())
}

async fn card(client: &reqwest::Client, url: &str) -> Result<(String, Value), Warning> {
    let tries = candidates(url).map_err(|m| Warning::new(url, m))?;
    let mut last = None;
    for candidate in tries {
        let warn = |m: String| Warning::new(candidate.clone(), m);
        let resp = match client
            .get(&candidate)
            .header("Accept", "application/json")
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Err(warn("did not answer in time; skipped".into())),
            Err(e) => return Err(warn(format!("cannot be fetched: {e}"))),
        };
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            last = Some(warn("has no agent card (404)".into()));
            continue;
        }
        if !status.is_success() {
            return Err(warn(format!("answered {status}, not an agent card")));
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = read_capped(resp).await.map_err(&warn)?;
        let card: Value = serde_json::from_slice(&body).map_err(|e| {
            if content_type.contains("html") || body.trim_ascii_start().starts_with(b"<") {
                warn(format!(
                    "is an HTML page ({content_type}), not an agent card"
                ))
            } else {
                warn(format!("is not JSON: {e}"))
            }
        })?;
        if !card.is_object() {
            return Err(warn(
                "is JSON but not an object, so not an agent card".into(),
            ));
        }
        return Ok((candidate, card));
    }
    Err(last.unwrap_or_else(|| Warning::new(url, "has no agent card")))
}

async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_CARD_BYTES {
                    return Err(format!(
                        "is over {} KiB, not an agent card",
                        MAX_CARD_BYTES / 1024
                    ));
                }
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => {
                return Err("stopped answering in the middle; skipped".into());
            }
            Err(e) => return Err(format!("broke off: {e}")),
        }
    }
}

fn text<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    v.pointer(path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A card to a finding; an error when it is not a card at all.
pub fn read_card(host: &str, card_url: &str, card: &Value) -> Result<Finding, String> {
    let name = text(card, "/name").ok_or("has no name, so it is not an agent card")?;
    let interface = card
        .get("supportedInterfaces")
        .and_then(Value::as_array)
        .and_then(|a| a.first());
    let endpoint = text(card, "/url")
        .or_else(|| interface.and_then(|i| text(i, "/url")))
        .map(str::to_string);
    let binding = text(card, "/preferredTransport")
        .or_else(|| interface.and_then(|i| text(i, "/protocolBinding")))
        .unwrap_or("JSONRPC");
    let schemes: Vec<String> = card
        .get("securitySchemes")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(n, s)| format!("{n}: {}", scheme_kind(s)))
                .collect()
        })
        .unwrap_or_default();
    let skills: Vec<String> = card
        .get("skills")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| {
            text(s, "/name")
                .or_else(|| text(s, "/id"))
                .map(str::to_string)
        })
        .collect();
    let mut flags = Vec::new();
    if schemes.is_empty() {
        flags.push("no-auth".to_string());
    }
    let plain = |u: &str| u.starts_with("http://");
    if plain(card_url) || endpoint.as_deref().is_some_and(plain) {
        flags.push("plain-http".to_string());
    }
    let mut details = BTreeMap::new();
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            details.insert(k.to_string(), v.to_string());
        }
    };
    put("description", text(card, "/description"));
    put("version", text(card, "/version"));
    put("provider", text(card, "/provider/organization"));
    put("provider_url", text(card, "/provider/url"));
    put(
        "protocol",
        text(card, "/protocolVersion")
            .or_else(|| interface.and_then(|i| text(i, "/protocolVersion"))),
    );
    put("binding", Some(binding));
    if !schemes.is_empty() {
        details.insert("security".into(), schemes.join("; "));
    }
    Ok(Finding {
        key: key(&["a2a", card_url]),
        kind: "a2a-agent".into(),
        name: name.to_string(),
        client: "a2a".into(),
        scope: "network".into(),
        host: host.into(),
        location: card_url.into(),
        project: None,
        transport: "a2a".into(),
        command: None,
        args: Vec::new(),
        url: endpoint,
        env: Vec::new(),
        headers: Vec::new(),
        disabled: false,
        secrets: Vec::new(),
        flags,
        capabilities: skills,
        details,
        launch: None,
    })
}

/// A security scheme in words, from either layout.
fn scheme_kind(s: &Value) -> String {
    if let Some(t) = text(s, "/type") {
        let detail = text(s, "/scheme").or_else(|| text(s, "/in"));
        return detail.map_or_else(|| t.to_string(), |d| format!("{t} {d}"));
    }
    match s.as_object().and_then(|o| o.iter().next()) {
        Some((kind, v)) => {
            let kind = kind.trim_end_matches("SecurityScheme");
            match text(v, "/scheme").or_else(|| text(v, "/location")) {
                Some(d) => format!("{kind} {d}"),
                None => kind.to_string(),
            }
        }
        None => "unknown".into(),
    }
}

/// The URLs of `--a2a`: each argument, or with `@FILE` the file's lines
/// (blank lines and `#` comments skipped).
pub fn urls(args: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for a in args {
        match a.strip_prefix('@') {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read the URL list {path}: {e}"))?;
                out.extend(
                    text.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty() && !l.starts_with('#'))
                        .map(str::to_string),
                );
            }
            None => out.push(a.clone()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_0x_card_without_security_is_flagged() {
        let card = json!({"name": "Helper", "url": "http://10.0.0.9/a2a", "version": "0.3",
            "skills": [{"id": "s", "name": "Summarise"}]});
        let f = read_card("h", "http://10.0.0.9/.well-known/agent.json", &card).unwrap();
        assert_eq!(f.flags, ["no-auth", "plain-http"]);
        assert_eq!(f.capabilities, ["Summarise"]);
        assert_eq!(f.url.as_deref(), Some("http://10.0.0.9/a2a"));
    }

    #[test]
    fn schemes_of_both_layouts_are_named() {
        assert_eq!(
            scheme_kind(&json!({"type": "http", "scheme": "bearer"})),
            "http bearer"
        );
        assert_eq!(
            scheme_kind(&json!({"httpAuthSecurityScheme": {"scheme": "Bearer"}})),
            "httpAuth Bearer"
        );
        assert!(read_card("h", "u", &json!({"description": "no name"})).is_err());
    }

    #[test]
    fn candidates_try_the_new_path_then_the_old() {
        assert_eq!(
            candidates("https://agents.example/x").unwrap(),
            [
                "https://agents.example/.well-known/agent-card.json",
                "https://agents.example/.well-known/agent.json"
            ]
        );
        assert_eq!(
            candidates("https://a.example/card.json").unwrap(),
            ["https://a.example/card.json"]
        );
        assert!(candidates("ftp://a").is_err());
    }
}
