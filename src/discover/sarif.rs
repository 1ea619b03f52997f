//! Findings as SARIF 2.1.0, the format code-scanning tools (GitHub code
//! scanning, GitLab, DefectDojo) read: one result per unregistered server,
//! one per plaintext secret and one per endpoint over plain http, each at
//! its config file (relative to the `--root` it was found under, so a
//! repository's scan points at the repository's file), with a stable
//! fingerprint so a tool tracks it across runs. Warnings become the run's
//! tool notifications.

use super::{Finding, Report};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const RULES: [(&str, &str, &str, &str); 4] = [
    (
        "unregistered-agent",
        "warning",
        "An agent that is not in the inventory",
        "An MCP server or A2A agent was found in a client's configuration or on the network. Register it with an owner, or remove it.",
    ),
    (
        "plaintext-secret",
        "error",
        "A plaintext secret in an agent's configuration",
        "A credential is written in clear in a config file. Move it to the client's secret input or an environment reference (${env:NAME}, ${input:id}) and rotate it.",
    ),
    (
        "plain-http",
        "warning",
        "An agent endpoint over plain http",
        "The agent is reached over http:// on a non-loopback host: its traffic and credentials cross the network in clear.",
    ),
    (
        "no-auth",
        "warning",
        "An agent that declares no authentication",
        "The agent card declares no security scheme: anyone who can reach it can call it.",
    ),
];

/// The SARIF log of one run.
pub fn log(report: &Report, roots: &[PathBuf]) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, level, short, full)| {
            json!({
                "id": id,
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
                "defaultConfiguration": {"level": level},
            })
        })
        .collect();
    let mut results = Vec::new();
    for f in &report.findings {
        results.extend(results_of(f, roots));
    }
    let notifications: Vec<Value> = report
        .warnings
        .iter()
        .map(|w| {
            json!({
                "level": "warning",
                "message": {"text": format!("{}: {}", w.location, w.message)},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "warden-discover",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

fn results_of(f: &Finding, roots: &[PathBuf]) -> Vec<Value> {
    let location = location(&f.location, roots);
    let what = format!(
        "{} {:?} ({}, {} scope, on {})",
        f.kind, f.name, f.client, f.scope, f.host
    );
    let mut out = vec![result(
        "unregistered-agent",
        "warning",
        format!("{what} is not in the Warden inventory"),
        &location,
        &f.key,
    )];
    for s in &f.secrets {
        out.push(result(
            "plaintext-secret",
            "error",
            format!(
                "{what} has a plaintext {} secret in {} (SHA-256 {})",
                s.kind, s.field, s.fingerprint
            ),
            &location,
            &format!("{}:{}", f.key, s.fingerprint),
        ));
    }
    if f.flags.iter().any(|x| x == "plain-http") {
        out.push(result(
            "plain-http",
            "warning",
            format!("{what} is reached over plain http"),
            &location,
            &format!("{}:http", f.key),
        ));
    }
    if f.flags.iter().any(|x| x == "no-auth") {
        out.push(result(
            "no-auth",
            "warning",
            format!("{what} declares no authentication"),
            &location,
            &format!("{}:auth", f.key),
        ));
    }
    out
}

fn result(rule: &str, level: &str, text: String, location: &Value, fingerprint: &str) -> Value {
    json!({
        "ruleId": rule,
        "level": level,
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"wardenFinding/v1": fingerprint},
    })
}

/// A file under a root as a path relative to it; anything else as a URI.
fn location(loc: &str, roots: &[PathBuf]) -> Value {
    let uri = if loc.contains("://") {
        loc.to_string()
    } else {
        let path = Path::new(loc);
        roots
            .iter()
            .find_map(|r| path.strip_prefix(r).ok())
            .map(|rel| rel.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|| format!("file://{}", loc.replace('\\', "/")))
    };
    json!({"physicalLocation": {"artifactLocation": {"uri": uri}}})
}
