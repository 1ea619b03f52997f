//! `warden audit list` and `warden audit export` through the real binary
//! against a `warden serve` child: filters, the table, JSON, every export
//! format with its cursor, and the OCSF events checked against the OCSF
//! 1.5 schema by the third-party `ocsf-validator` package's schema reader
//! (tests/it/support/ocsf_check.py).

use crate::support::cli::Server;
use crate::support::python;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

/// A trail with every kind of entry: people, agents, credentials, tokens,
/// a freeze, an alert acknowledged, a rotation, a revocation and a kill.
fn busy() -> Server {
    let s = Server::start_eager_r18();
    s.json(&["person", "add", "Ada Lovelace", "ada@example.com"]);
    s.json(&["person", "add", "Bob Stone", "bob@example.com"]);
    for name in ["support-bot", "billing-bot"] {
        s.run(&[
            "register",
            name,
            "--kind",
            "chatbot",
            "--env",
            "prod",
            "--owner",
            "ada@example.com",
        ])
        .assert_code(0);
    }
    let c1 = s.json(&["issue", "support-bot", "--scope", "tickets:read"]);
    let c2 = s.json(&["issue", "billing-bot", "--scope", "invoices:read"]);
    let token = s.json(&["token", "create", "--role", "viewer", "--name", "grafana"]);
    s.run(&[
        "token",
        "revoke",
        token["id"].as_str().unwrap(),
        "--reason",
        "unused",
    ])
    .assert_code(0);
    s.run(&["suspend", "billing-bot", "--reason", "INC-7: odd calls"])
        .assert_code(0);
    s.run(&["resume", "billing-bot", "--reason", "INC-7: fine"])
        .assert_code(0);
    s.run(&[
        "owner",
        "billing-bot",
        "bob@example.com",
        "--reason",
        "team move",
    ])
    .assert_code(0);
    s.run(&["rotate", c2["id"].as_str().unwrap(), "--reason", "schedule"])
        .assert_code(0);
    s.run(&["kill", "support-bot", "--reason", "INC-9", "--yes"])
        .assert_code(0);
    // A killed agent reporting in raises an alert; acknowledge it.
    assert_eq!(s.heartbeat(c1["secret"].as_str().unwrap()), 403);
    let alerts = s.json(&["alerts"]);
    let alert = alerts[0]["id"].as_str().expect("an alert").to_string();
    s.run(&["ack", &alert, "--reason", "known"]).assert_code(0);
    s
}

fn entries(s: &Server, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["audit", "list"];
    all.extend_from_slice(args);
    s.json(&all).as_array().expect("an array").clone()
}

#[test]
fn list_filters_by_agent_actor_action_and_time() {
    let s = busy();
    let all = entries(&s, &["--limit", "10000"]);
    assert!(all.len() > 15, "{}", all.len());
    let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "oldest first");

    let newest = entries(&s, &["--limit", "3"]);
    assert_eq!(newest, all[all.len() - 3..]);

    let agent_actions = entries(&s, &["--action", "agent.", "--limit", "10000"]);
    assert!(!agent_actions.is_empty());
    assert!(
        agent_actions
            .iter()
            .all(|e| e["action"].as_str().unwrap().starts_with("agent."))
    );
    let star = entries(&s, &["--action", "agent.*", "--limit", "10000"]);
    assert_eq!(star, agent_actions);
    let kills = entries(&s, &["--action", "agent.suspend"]);
    assert_eq!(kills.len(), 1);
    assert_eq!(kills[0]["reason"], "INC-7: odd calls");

    let billing = entries(&s, &["--agent", "billing-bot", "--limit", "10000"]);
    assert!(billing.iter().any(|e| e["action"] == "credential.rotate"));
    assert!(
        billing
            .iter()
            .all(|e| e["target"].as_str().unwrap().contains("agt_"))
    );
    assert!(!billing.iter().any(|e| e["action"] == "agent.kill.mark"));

    let actor = all[0]["actor"].as_str().unwrap().to_string();
    let by_actor = entries(&s, &["--actor", &actor, "--limit", "10000"]);
    assert!(by_actor.iter().all(|e| e["actor"] == actor.as_str()));
    assert!(!by_actor.is_empty());
    assert!(entries(&s, &["--actor", "nobody@example.com"]).is_empty());

    // The rules may append entries meanwhile (they sweep after actions):
    // everything listed before is in the last hour.
    let hour: Vec<Value> = entries(&s, &["--since", "1h", "--limit", "10000"]);
    assert!(
        all.iter()
            .all(|e| hour.iter().any(|h| h["seq"] == e["seq"])),
        "{} of {}",
        hour.len(),
        all.len()
    );
    assert!(entries(&s, &["--until", "2001-01-01"]).is_empty());
    let at = all[5]["at"].as_str().unwrap();
    let since = entries(&s, &["--since", at, "--limit", "10000"]);
    assert!(since.iter().all(|e| e["at"].as_str().unwrap() >= at));
    assert!(since.len() < all.len());

    let r = s.run(&["audit", "list", "--action", "agent.suspend"]);
    r.assert_code(0);
    for column in [
        "SEQ",
        "TIME (UTC)",
        "ACTOR",
        "ACTION",
        "TARGET",
        "RESULT",
        "REASON",
    ] {
        assert!(r.stdout.contains(column), "{}", r.stdout);
    }
    assert!(r.stdout.contains("INC-7: odd calls"), "{}", r.stdout);
    assert!(r.stdout.contains("1 entry."), "{}", r.stdout);
    let r = s.run(&["audit", "list", "--until", "2001-01-01"]);
    assert!(r.stdout.contains("No audit entries match."), "{}", r.stdout);

    let r = s.run(&["audit", "list", "--since", "yesterday"]);
    r.assert_code(2);
    assert!(r.stderr.contains("how long ago"), "{}", r.stderr);
    let r = s.run(&["audit", "list", "--since", "1h", "--until", "2h"]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("--since must be before --until"),
        "{}",
        r.stderr
    );
}

fn export(s: &Server, args: &[&str]) -> Vec<String> {
    let mut all = vec!["audit", "export"];
    all.extend_from_slice(args);
    let r = s.run(&all);
    r.assert_code(0);
    r.stdout.lines().map(str::to_string).collect()
}

#[test]
fn export_writes_every_entry_in_each_format_from_a_cursor() {
    let s = busy();
    let all = entries(&s, &["--limit", "10000"]);
    let jsonl = export(&s, &["--format", "jsonl"]);
    let parsed: Vec<Value> = jsonl
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The export is read after `list`, and the list is audited by nothing:
    // the same entries.
    assert_eq!(parsed, all);

    let since = all[9]["seq"].as_i64().unwrap();
    let tail = export(&s, &["--format", "jsonl", "--since", &since.to_string()]);
    assert_eq!(tail.len(), all.len() - 10);
    assert_eq!(serde_json::from_str::<Value>(&tail[0]).unwrap(), all[10]);

    let ocsf = export(&s, &["--format", "ocsf"]);
    assert_eq!(ocsf.len(), all.len());
    for (line, e) in ocsf.iter().zip(&all) {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["metadata"]["sequence"], e["seq"]);
        assert_eq!(v["unmapped"]["warden"]["hash"], e["hash"]);
        assert_eq!(v["observables"][0]["value"], e["hash"]);
    }

    let cef = export(&s, &["--format", "cef"]);
    assert_eq!(cef.len(), all.len());
    assert!(cef.iter().all(|l| l.starts_with("CEF:0|Warden|Warden|")));
    let last = all.last().unwrap()["seq"].to_string();
    assert!(cef.last().unwrap().contains(&format!("externalId={last}")));

    let r = s.run(&["audit", "export", "--format", "xml"]);
    r.assert_code(2);
    assert!(r.stderr.contains("ocsf"), "{}", r.stderr);
    let r = s.run(&["audit", "export"]);
    r.assert_code(2);
}

#[test]
fn ocsf_export_validates_against_the_ocsf_schema() {
    let Some(python) = python::with_module("ocsf_validator", "ocsf-validator") else {
        return;
    };
    let s = busy();
    let ocsf = export(&s, &["--format", "ocsf"]).join("\n");
    let (ok, stdout) = ocsf_check(&python, &ocsf);
    assert!(ok, "{stdout}");
    for class in ["Account Change", "Entity Management", "Detection Finding"] {
        assert!(stdout.contains(class), "{class} not seen: {stdout}");
    }
    // The check is not vacuous: a broken event fails it, named.
    let mut first: Value = serde_json::from_str(ocsf.lines().next().unwrap()).unwrap();
    first.as_object_mut().unwrap().remove("severity_id");
    first["activity_id"] = 77.into();
    first["metadata"]["colour"] = "red".into();
    let (ok, stdout) = ocsf_check(&python, &first.to_string());
    assert!(!ok, "{stdout}");
    for problem in [
        "severity_id is missing",
        "77 is not one of",
        "colour is not an attribute",
    ] {
        assert!(stdout.contains(problem), "{problem}: {stdout}");
    }
}

#[test]
fn ocsf_export_validates_against_the_json_schema_of_each_ocsf_class() {
    let Some(python) = python::with_module("ocsf_json_schema", "ocsf-json-schema") else {
        return;
    };
    let s = busy();
    let ocsf = export(&s, &["--format", "ocsf"]).join("\n");
    let (ok, stdout) = jsonschema_check(&python, &ocsf);
    assert!(ok, "{stdout}");
    assert!(stdout.starts_with("ok "), "{stdout}");
    for class in ["account_change", "entity_management", "detection_finding"] {
        assert!(stdout.contains(class), "{class} not seen: {stdout}");
    }
    // Not vacuous: a broken event fails it, named by its path.
    let mut first: Value = serde_json::from_str(ocsf.lines().next().unwrap()).unwrap();
    first.as_object_mut().unwrap().remove("severity_id");
    first["metadata"]["colour"] = "red".into();
    first["time"] = "yesterday".into();
    let (ok, stdout) = jsonschema_check(&python, &first.to_string());
    assert!(!ok, "{stdout}");
    for problem in ["'severity_id' is a required property", "colour", "time: "] {
        assert!(stdout.contains(problem), "{problem}: {stdout}");
    }
}

/// Runs `ocsf-json-schema` + `jsonschema` on NDJSON events.
fn jsonschema_check(python: &std::path::Path, events: &str) -> (bool, String) {
    checker(python, "ocsf_jsonschema_check.py", "1.5.0", events)
}

/// Runs the `ocsf-validator` checker on NDJSON events.
fn ocsf_check(python: &std::path::Path, events: &str) -> (bool, String) {
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ocsf-schema-1.5.0"
    );
    checker(python, "ocsf_check.py", schema, events)
}

/// Runs a checker script of tests/it/support on NDJSON events: whether
/// they pass, and what it said.
fn checker(python: &std::path::Path, script: &str, arg: &str, events: &str) -> (bool, String) {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut child = Command::new(python)
        .arg(format!("{root}/tests/it/support/{script}"))
        .arg(arg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(events.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}
