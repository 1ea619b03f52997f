//! `warden guardrails list|stop|run` against a real `warden serve` with a
//! policy in its config file, and a misconfigured policy refused at start.

use crate::support::cli::*;
use serde_json::Value;
use std::time::{Duration, Instant};

const POLICY: &str = "[serve.rules]\nsweep_interval_seconds = 3600\n\n\
[[serve.guardrail]]\nname = \"freeze-keys\"\nrule = [\"R04\"]\naction = \"freeze\"\ngrace_seconds = 600\n";

fn server(config: &str) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_file(&dir.path().join("config.toml"), config);
    let s = Server::start_with(&["--config", path.to_str().expect("utf-8 path")]);
    (s, dir)
}

/// Registers NAME with a credential that never expires (R04), and answers
/// the id of the guardrail action planned on it.
fn pending_on(s: &Server, name: &str) -> String {
    s.run(&["register", name, "--kind", "chatbot", "--env", "staging"])
        .assert_code(0);
    s.run(&["issue", name, "--scope", "a:read"]).assert_code(0);
    let t0 = Instant::now();
    loop {
        let g = s.json(&["guardrails", "list"]);
        let found = g["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .find(|a| a["agent_name"] == name && a["status"] == "pending")
            .map(|a| a["id"].as_str().expect("id").to_string());
        if let Some(id) = found {
            return id;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "nothing pending: {g}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_responder_lists_stops_and_runs_guardrail_actions() {
    let (s, _dir) = server(POLICY);
    let stopped = pending_on(&s, "quiet-bot");
    let r = s.run(&["guardrails", "list"]);
    r.assert_code(0);
    assert!(
        r.stdout
            .contains("policy freeze-keys: freeze on R04 after 600 s"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&stopped) && r.stdout.contains("pending"),
        "{}",
        r.stdout
    );

    let r = s.run(&["guardrails", "stop", &stopped, "--reason", "known test key"]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("Stopped freeze-keys freeze of quiet-bot"),
        "{}",
        r.stdout
    );
    let again = s.run(&["guardrails", "stop", &stopped, "--reason", "again"]);
    assert_ne!(again.code, 0);
    again.assert_error("not pending");

    let ran = pending_on(&s, "leaky-bot");
    let v: Value = s.json(&["guardrails", "run", &ran, "--reason", "confirmed leak"]);
    assert_eq!(v["status"], "done", "{v}");
    assert_eq!(s.json(&["agent", "leaky-bot"])["status"], "suspended");
    assert_eq!(s.json(&["agent", "quiet-bot"])["status"], "active");
}

#[test]
fn serve_refuses_a_kill_without_grace_that_could_reach_production() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_file(
        &dir.path().join("config.toml"),
        "[[serve.guardrail]]\nname = \"hasty\"\nrule = [\"R11\"]\naction = \"kill\"\ngrace_seconds = 0\n",
    );
    let db = dir.path().join("w.db");
    let r = Run::of(
        warden(dir.path())
            .args([
                "--config",
                path.to_str().unwrap(),
                "serve",
                "--listen",
                "127.0.0.1:0",
            ])
            .arg("--database")
            .arg(format!("sqlite:{}", db.display())),
    );
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("\"hasty\"") && r.stderr.contains("grace_seconds = 0"),
        "{}",
        r.stderr
    );
}
