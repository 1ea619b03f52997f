//! The command line in scripts: with `--json`, every failure is also one
//! JSON document on stdout, `{"error":{"code","message"}}`, besides the
//! `warden: error:` line on stderr, for every command that takes `--json`;
//! the code is the backend's where it gave one, else ours. Cancelling at a
//! prompt exits 4.

use super::commands::on_a_terminal;
use crate::support::cli::{Run, Server, closed_port, warden};
use clap::CommandFactory;
use serde_json::Value;
use std::collections::BTreeSet;
use warden::cli::args::Cli;

/// Every command that takes `--json`, with arguments that parse, in the
/// order `warden --help` lists them. A test below checks that none is
/// missing.
const WITH_JSON: &[&[&str]] = &[
    &["register", "x", "--kind", "chatbot", "--env", "prod"],
    &["person", "add", "Ada", "ada@example.com"],
    &["person", "list"],
    &["person", "offboard", "ada@example.com", "--reason", "left"],
    &["grant", "list", "x"],
    &["grant", "add", "x", "crm", "crm:read", "read"],
    &["grant", "remove", "x", "grt_1", "--reason", "r"],
    &["issue", "x", "--scope", "a"],
    &["delegate", "x", "y", "--scope", "a"],
    &["token", "create", "--role", "viewer"],
    &["token", "list"],
    &["token", "revoke", "tok_1", "--reason", "r"],
    &["token", "exchange", "--actor-token-env", "WARDEN_TOKEN"],
    &["agents"],
    &["agent", "x"],
    &["kill", "x", "--reason", "r", "--yes"],
    &[
        "kill", "--filter", "env:prod", "--expect", "1", "--reason", "r", "--yes",
    ],
    &["suspend", "x", "--reason", "r"],
    &["resume", "x", "--reason", "r"],
    &["revoke", "crd_1", "--reason", "r"],
    &["rotate", "crd_1", "--reason", "r"],
    &["owner", "x", "ada@example.com", "--reason", "r"],
    &["alerts"],
    &["ack", "alr_1", "--reason", "r"],
    &["snooze", "alr_1", "--for", "1h", "--reason", "r"],
    &["unsnooze", "alr_1", "--reason", "r"],
    &["guardrails", "list"],
    &["guardrails", "stop", "gra_1", "--reason", "r"],
    &["guardrails", "run", "gra_1", "--reason", "r"],
    &["triage"],
    &["audit", "verify"],
    &["audit", "list"],
    &["discover", "--register"],
];

/// The leaf commands of the grammar that take `--json`, as `a b` paths.
fn commands_with_json() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, path: &str, out: &mut BTreeSet<String>) {
        if cmd.get_arguments().any(|a| a.get_id() == "json") {
            out.insert(path.trim().to_string());
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&Cli::command(), "", &mut out);
    out
}

/// The JSON error on stdout: exactly `{"error":{"code","message"}}`.
#[track_caller]
fn json_error(r: &Run) -> (String, String) {
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", r.stdout));
    let obj = v.as_object().expect("an object");
    assert_eq!(obj.len(), 1, "{v}");
    let err = v["error"].as_object().expect("an error object");
    let mut keys: Vec<&str> = err.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "message"], "{v}");
    let code = err["code"].as_str().expect("code").to_string();
    let message = err["message"].as_str().expect("message").to_string();
    assert!(!code.is_empty() && !message.trim().is_empty(), "{v}");
    // The same failure on stderr, for a person (clap's own words when the
    // command line did not parse).
    assert!(
        r.stderr.starts_with("warden: error: ") || r.stderr.starts_with("error: "),
        "{}",
        r.stderr
    );
    (code, message)
}

#[test]
fn every_command_with_json_is_in_the_table() {
    let mut listed: BTreeSet<String> = BTreeSet::new();
    for args in WITH_JSON {
        let words: Vec<&str> = args
            .iter()
            .take_while(|a| !a.starts_with('-'))
            .copied()
            .collect();
        // `person add …` is a path of two; `agent x` of one.
        let two = words.iter().take(2).copied().collect::<Vec<_>>().join(" ");
        let one = words[0].to_string();
        listed.insert(if commands_with_json().contains(&two) {
            two
        } else {
            one
        });
    }
    // Bench runs its own backend and the Vault commands read Vaults: their
    // failures are checked apart, below.
    let mut wanted = commands_with_json();
    for apart in ["bench", "vault ls", "vault revoke"] {
        assert!(wanted.remove(apart), "{apart} takes --json no more?");
    }
    assert_eq!(
        listed, wanted,
        "a command with --json is missing from WITH_JSON"
    );
}

#[test]
fn an_unreachable_backend_is_json_on_stdout_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}", closed_port());
    for args in WITH_JSON {
        let mut all = args.to_vec();
        all.push("--json");
        let r = Run::of(
            warden(dir.path())
                .args(&all)
                .env("WARDEN_URL", &url)
                .env("WARDEN_TOKEN", "t"),
        );
        r.assert_code(1);
        let (code, message) = json_error(&r);
        assert_eq!(code, "unreachable", "{args:?}: {message}");
        assert!(message.contains(&url), "{args:?}: {message}");
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {}", r.stderr);
    }
    // `triage --format json` asks for JSON too.
    let r = Run::of(
        warden(dir.path())
            .args(["triage", "--format", "json"])
            .env("WARDEN_URL", &url)
            .env("WARDEN_TOKEN", "t"),
    );
    r.assert_code(1);
    assert_eq!(json_error(&r).0, "unreachable");
    // Without --json, stdout stays empty.
    let r = Run::of(
        warden(dir.path())
            .arg("agents")
            .env("WARDEN_URL", &url)
            .env("WARDEN_TOKEN", "t"),
    );
    r.assert_code(1);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn usage_errors_are_json_too_even_before_parsing_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let run = |args: &[&str]| {
        Run::of(
            warden(dir.path())
                .args(args)
                .env("WARDEN_URL", &url)
                .env("WARDEN_TOKEN", "t"),
        )
    };
    // clap's own refusal: the arguments it names are in the message.
    let r = run(&["kill", "--json"]);
    r.assert_code(2);
    let (code, message) = json_error(&r);
    assert_eq!(code, "usage");
    assert!(message.contains("--reason"), "{message}");
    let r = run(&["bench", "--agents", "10", "--json"]);
    r.assert_code(2);
    assert_eq!(json_error(&r).0, "usage");
    // Ours: a bad filter, checked before the backend is asked.
    let r = run(&["agents", "--filter", "kind:robot", "--json"]);
    r.assert_code(2);
    let (code, message) = json_error(&r);
    assert_eq!(code, "usage");
    assert!(message.contains("mcp-server"), "{message}");
    // No backend configured at all.
    let r = Run::of(warden(dir.path()).args(["agents", "--json"]));
    r.assert_code(2);
    assert_eq!(json_error(&r).0, "usage");
    // The Vault commands without a Vault.
    for args in [
        vec!["vault", "ls", "--json"],
        vec![
            "vault",
            "revoke",
            "vault:token:abc",
            "--reason",
            "r",
            "--json",
        ],
    ] {
        let r = run(&args);
        r.assert_code(2);
        let (code, message) = json_error(&r);
        assert_eq!(code, "usage", "{args:?}");
        assert!(message.contains("[[backend]]"), "{message}");
    }
    // Help is not an error, and `--` ends the options.
    let r = run(&["agents", "--json", "--help"]);
    r.assert_code(0);
    assert!(r.stdout.contains("Usage: warden agents"), "{}", r.stdout);
}

#[test]
fn the_backends_own_code_is_kept() {
    let s = Server::start();
    s.run(&["register", "bot", "--kind", "chatbot", "--env", "prod"])
        .assert_code(0);
    let r = s.run(&["agent", "ghost", "--json"]);
    r.assert_code(3);
    assert_eq!(json_error(&r).0, "not_found");
    let r = s.run(&[
        "register", "bot", "--kind", "chatbot", "--env", "prod", "--json",
    ]);
    r.assert_code(1);
    assert_eq!(json_error(&r).0, "conflict");
    let viewer = s.json(&["token", "create", "--role", "viewer"]);
    let r = s.run_as(
        viewer["token"].as_str().unwrap(),
        &["suspend", "bot", "--reason", "r", "--json"],
    );
    r.assert_code(1);
    assert_eq!(json_error(&r).0, "forbidden");
    s.run(&["kill", "bot", "--reason", "r", "--yes"])
        .assert_code(0);
    let r = s.run(&["resume", "bot", "--reason", "r", "--json"]);
    r.assert_code(1);
    let (code, message) = json_error(&r);
    assert_eq!(code, "conflict", "{message}");
    // A token the backend does not know.
    let r = s.run_as("wdn_pt_bogus", &["agents", "--json"]);
    r.assert_code(1);
    assert_eq!(json_error(&r).0, "unauthorized");
}

#[test]
fn cancelling_at_the_prompt_exits_4_and_says_so_in_json() {
    let s = Server::start();
    s.run(&["register", "bot", "--kind", "chatbot", "--env", "prod"])
        .assert_code(0);
    let Some(r) = on_a_terminal(&s, "kill bot --reason INC-7 --json", "no\n") else {
        return;
    };
    assert_eq!(r.code, 4, "{}", r.stdout);
    // On a terminal stdout and stderr are one stream: the plan, the prompt,
    // the line, and the JSON error last.
    assert!(r.stdout.contains("cancelled"), "{}", r.stdout);
    let last = r
        .stdout
        .rfind("{\r\n  \"error\"")
        .or_else(|| r.stdout.rfind("{\n  \"error\""));
    let json: Value =
        serde_json::from_str(&r.stdout[last.expect("a JSON error")..].replace("\r\n", "\n"))
            .expect("the JSON error");
    assert_eq!(json["error"]["code"], "cancelled");
    assert_eq!(s.json(&["agent", "bot"])["status"], "active");
}

#[test]
fn help_documents_the_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let r = Run::of(warden(dir.path()).arg("--help"));
    r.assert_code(0);
    for want in ["4 cancelled at a prompt", "5 --expect", "--json"] {
        assert!(r.stdout.contains(want), "{want}:\n{}", r.stdout);
    }
}
