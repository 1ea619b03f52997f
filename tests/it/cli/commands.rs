//! The `warden` command line end to end: the real binary against a real
//! `warden serve` child process, checking output, exit codes (0 success,
//! 1 refused/failed/unreachable, 2 bad usage, 3 not found, 4 cancelled)
//! and that what the commands claim really happened on the backend.

use crate::support::cli::{
    ADMIN, Run, Server, closed_port, isolated, parse_csv, warden, write_file,
};
use serde_json::{Value, json};
use warden::secrets::{AGENT_SECRET_PREFIX, PERSON_TOKEN_PREFIX};

/// Adds Ada, and `support-bot` owned by her; answers Ada's person id.
fn seed(s: &Server) -> String {
    let ada = s.json(&[
        "person",
        "add",
        "Ada Lovelace",
        "ada@example.com",
        "--team",
        "payments",
    ]);
    s.run(&[
        "register",
        "support-bot",
        "--kind",
        "chatbot",
        "--env",
        "prod",
        "--owner",
        "ada@example.com",
        "--runtime",
        "k8s:prod/support-bot",
        "--description",
        "answers tickets",
    ])
    .assert_code(0);
    ada["id"].as_str().expect("person id").to_string()
}

/// Issues a credential to `agent`: answers (id, secret).
fn issue(s: &Server, agent: &str) -> (String, String) {
    let c = s.json(&["issue", agent, "--scope", "tickets:read"]);
    (
        c["id"].as_str().expect("id").to_string(),
        c["secret"].as_str().expect("secret").to_string(),
    )
}

fn agent_json(s: &Server, agent: &str) -> Value {
    s.json(&["agent", agent])
}

/// The secret printed on its own line by `issue` or `token create`.
fn printed_secret(r: &Run, prefix: &str) -> String {
    let lines: Vec<&str> = r
        .stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with(prefix))
        .collect();
    assert_eq!(lines.len(), 1, "secret lines in:\n{}", r.stdout);
    lines[0].to_string()
}

#[test]
fn help_mentions_every_subcommand_and_the_quick_start() {
    let dir = tempfile::tempdir().unwrap();
    let r = Run::of(
        warden(dir.path())
            .arg("--help")
            .env("WARDEN_TOKEN", "wdn_pt_do-not-print-me"),
    );
    r.assert_code(0);
    for sub in [
        "serve", "register", "person", "issue", "delegate", "token", "agents", "agent", "kill",
        "suspend", "resume", "revoke", "rotate", "owner", "alerts", "ack", "triage", "audit",
        "grant",
    ] {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{sub} "))),
            "{sub} missing from --help:\n{}",
            r.stdout
        );
    }
    for want in [
        "WARDEN_ADMIN_TOKEN",
        "WARDEN_URL",
        "WARDEN_TOKEN",
        "warden serve",
        "warden register",
        "warden issue",
        "warden kill",
        "Exit codes",
    ] {
        assert!(r.stdout.contains(want), "{want} missing:\n{}", r.stdout);
    }
    assert!(
        !r.stdout.contains("do-not-print-me"),
        "--help shows the token"
    );
    for sub in [
        vec!["serve"],
        vec!["person", "add"],
        vec!["person", "list"],
        vec!["person", "offboard"],
        vec!["grant", "add"],
        vec!["grant", "remove"],
        vec!["token", "create"],
        vec!["audit", "verify"],
        vec!["kill"],
        vec!["agents"],
        vec!["delegate"],
        vec!["triage"],
    ] {
        let mut args = sub.clone();
        args.push("--help");
        let r = Run::of(warden(dir.path()).args(&args));
        r.assert_code(0);
        assert!(r.stdout.contains("Usage: warden"), "{sub:?}: {}", r.stdout);
    }
}

#[test]
fn bad_usage_exits_2_without_needing_a_backend() {
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}");
    for args in [
        vec!["frobnicate"],
        vec!["register", "x", "--kind", "robot", "--env", "prod"],
        vec!["register", "x", "--env", "prod"],
        vec!["issue", "x", "--scope", "a", "--ttl", "3y"],
        vec!["issue", "x"],
        vec!["owner", "x", "ada@example.com"],
        vec!["suspend", "x", "--reason", "  "],
        vec!["token", "create", "--role", "god"],
    ] {
        let r = Run::of(
            warden(dir.path())
                .args(&args)
                .env("WARDEN_URL", &url)
                .env("WARDEN_TOKEN", "t"),
        );
        r.assert_code(2);
        assert!(r.stderr.contains("error"), "{args:?}: {}", r.stderr);
    }
    // A bad filter is a usage error that names the valid choices.
    let r = Run::of(
        warden(dir.path())
            .args(["agents", "--filter", "kind:robot"])
            .env("WARDEN_URL", &url)
            .env("WARDEN_TOKEN", "t"),
    );
    r.assert_code(2).assert_error("mcp-server");
    let r = Run::of(
        warden(dir.path())
            .args(["agents", "--filter", "colour:red"])
            .env("WARDEN_URL", &url)
            .env("WARDEN_TOKEN", "t"),
    );
    r.assert_code(2).assert_error("owner, kind, env");
}

#[test]
fn no_backend_exits_2_and_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_file(&dir.path().join("config.toml"), "");
    let r = Run::of(warden(dir.path()).arg("agents").env("WARDEN_CONFIG", &cfg));
    r.assert_code(2).assert_error("warden serve");
    for want in ["WARDEN_URL", "WARDEN_TOKEN", "[[backend]]"] {
        assert!(r.stderr.contains(want), "{want}: {}", r.stderr);
    }
    // A URL without a token is as much a usage error.
    let r = Run::of(
        warden(dir.path())
            .arg("agents")
            .env("WARDEN_URL", "http://127.0.0.1:1"),
    );
    r.assert_code(2).assert_error("WARDEN_TOKEN");
}

#[test]
fn a_down_backend_exits_1_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}", closed_port());
    for args in [
        vec!["agents"],
        vec!["kill", "x", "--reason", "r", "--yes"],
        vec!["audit", "verify"],
    ] {
        let r = Run::of(
            warden(dir.path())
                .args(&args)
                .env("WARDEN_URL", &url)
                .env("WARDEN_TOKEN", "t"),
        );
        r.assert_code(1)
            .assert_error(&format!("cannot reach the backend at {url}"));
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
}

#[test]
fn person_register_issue_and_the_secret_is_shown_once() {
    let s = Server::start();
    let r = s.run(&["person", "add", "Ada Lovelace", "ada@example.com"]);
    r.assert_code(0);
    assert!(r.stdout.contains("ada@example.com"), "{}", r.stdout);

    let r = s.run(&[
        "register",
        "support-bot",
        "--kind",
        "chatbot",
        "--env",
        "prod",
        "--owner",
        "ada@example.com",
        "--label",
        "team=payments",
    ]);
    r.assert_code(0);
    assert!(r.stdout.contains("support-bot"), "{}", r.stdout);

    let r = s.run(&["issue", "support-bot", "--scope", "tickets:read"]);
    r.assert_code(0);
    let secret = printed_secret(&r, AGENT_SECRET_PREFIX);
    assert_eq!(r.stdout.matches(&secret).count(), 1, "{}", r.stdout);
    assert!(r.stdout.contains("shown once"), "{}", r.stdout);
    assert!(r.stdout.contains("never"), "no --ttl: {}", r.stdout);
    // The secret works: the agent can report in with it.
    assert_eq!(s.heartbeat(&secret), 204);

    let r = s.run(&["issue", "support-bot", "--scope", "a,b", "--ttl", "30d"]);
    r.assert_code(0);
    let second = printed_secret(&r, AGENT_SECRET_PREFIX);
    assert!(!r.stdout.contains("never (no --ttl"), "{}", r.stdout);
    assert!(r.stdout.contains("in 30d"), "{}", r.stdout);

    // Nothing afterwards shows either secret again.
    let detail = s.run(&["agent", "support-bot", "--json"]);
    let human = s.run(&["agent", "support-bot"]);
    let list = s.run(&["agents", "--json"]);
    for r in [&detail, &human, &list] {
        r.assert_code(0);
        assert!(!r.stdout.contains(&secret) && !r.stdout.contains(&second));
    }
    let v: Value = serde_json::from_str(&detail.stdout).unwrap();
    assert_eq!(v["name"], "support-bot");
    assert_eq!(v["credentials"].as_array().unwrap().len(), 2);
    assert_eq!(v["labels"]["team"], "payments");
    assert_eq!(v["owner_person"]["email"], "ada@example.com");
    let ttl = v["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["scopes"] == serde_json::json!(["a", "b"]))
        .expect("the 30d credential");
    assert!(ttl["expires_at"].is_string(), "{ttl}");
}

#[test]
fn agents_and_agent_in_text_and_json() {
    let s = Server::start();
    seed(&s);
    s.run(&[
        "register",
        "files-mcp",
        "--kind",
        "mcp-server",
        "--env",
        "dev",
    ])
    .assert_code(0);

    let r = s.run(&["agents"]);
    r.assert_code(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("STATUS") && lines[0].contains("OWNER") && lines[0].contains("KIND"),
        "{}",
        r.stdout
    );
    let bot = lines
        .iter()
        .find(|l| l.contains("support-bot"))
        .expect("support-bot row");
    for want in ["active", "chatbot", "ada@example.com", "prod", "never"] {
        assert!(bot.contains(want), "{want}: {bot}");
    }
    let mcp = lines.iter().find(|l| l.contains("files-mcp")).unwrap();
    assert!(mcp.contains("none") && mcp.contains("mcp-server"), "{mcp}");
    // Aligned: every row's NAME column starts where the header's does.
    let col = lines[0].find("NAME").unwrap();
    assert_eq!(bot.find("support-bot"), Some(col), "{}", r.stdout);
    assert_eq!(mcp.find("files-mcp"), Some(col), "{}", r.stdout);

    let all = s.json(&["agents"]);
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"support-bot") && names.contains(&"files-mcp"));

    let r = s.run(&["agent", "support-bot"]);
    r.assert_code(0);
    for want in [
        "support-bot",
        "Ada Lovelace <ada@example.com>",
        "k8s:prod/support-bot",
        "answers tickets",
        "Credentials (0)",
        "Grants (0)",
        "Delegations (0)",
        "Alerts (0)",
    ] {
        assert!(r.stdout.contains(want), "{want}:\n{}", r.stdout);
    }
    // An id works as well as a name.
    let id = all.as_array().unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_id = s.json(&["agent", &id]);
    assert_eq!(by_id["id"], id.as_str());
}

#[test]
fn filters_select_the_right_agents() {
    // `risk:none` below means no alert: the rules' scheduler, which raises
    // R01 on an unowned agent at once, is off so the answer is not a race.
    let s = Server::start_without_scheduler();
    seed(&s);
    for (name, kind, env) in [
        ("files-mcp", "mcp-server", "dev"),
        ("pay-connector", "api-connector", "prod"),
    ] {
        s.run(&["register", name, "--kind", kind, "--env", env])
            .assert_code(0);
    }
    let names = |filter: &str| -> Vec<String> {
        let v = s.json(&["agents", "--filter", filter]);
        let mut n: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names("kind:mcp-server"), ["files-mcp"]);
    assert_eq!(names("env:prod"), ["pay-connector", "support-bot"]);
    assert_eq!(names("!env:prod"), ["files-mcp"]);
    assert_eq!(names("owner:none"), ["files-mcp", "pay-connector"]);
    assert_eq!(names("owner:ada@example"), ["support-bot"]);
    assert_eq!(names("owner:lovelace"), ["support-bot"]);
    assert_eq!(names("sbot"), ["support-bot"]);
    assert_eq!(names("tickets"), ["support-bot"]);
    assert_eq!(names("env:prod owner:none"), ["pay-connector"]);
    assert_eq!(
        names("risk:none"),
        ["files-mcp", "pay-connector", "support-bot"]
    );
    assert!(names("risk:high").is_empty());

    let r = s.run(&["agents", "--filter", "kind:mcp-server"]);
    r.assert_code(0);
    assert!(r.stdout.contains("files-mcp"));
    assert!(!r.stdout.contains("support-bot"));
    assert!(r.stdout.contains("1 of 3 agents match"), "{}", r.stdout);
}

#[test]
fn suspend_and_resume_freeze_the_credential() {
    let s = Server::start();
    seed(&s);
    let (_, secret) = issue(&s, "support-bot");
    assert_eq!(s.heartbeat(&secret), 204);

    let r = s.run(&["suspend", "support-bot", "--reason", "INC-1: odd traffic"]);
    r.assert_code(0);
    assert!(r.stdout.contains("suspended"), "{}", r.stdout);
    assert_eq!(agent_json(&s, "support-bot")["status"], "suspended");
    assert_eq!(s.heartbeat(&secret), 403);

    let r = s.run(&["resume", "support-bot", "--reason", "INC-1: false alarm"]);
    r.assert_code(0);
    assert_eq!(agent_json(&s, "support-bot")["status"], "active");
    assert_eq!(s.heartbeat(&secret), 204);

    let r = s.run(&["agents", "--filter", "status:active"]);
    assert!(r.stdout.contains("support-bot"), "{}", r.stdout);
}

#[test]
fn owner_needs_a_reason_and_reassigns() {
    let s = Server::start();
    seed(&s);
    let grace = s.json(&["person", "add", "Grace Hopper", "grace@example.com"]);
    s.run(&["owner", "support-bot", "grace@example.com"])
        .assert_code(2);
    assert_ne!(agent_json(&s, "support-bot")["owner"], grace["id"]);

    let r = s.run(&[
        "owner",
        "support-bot",
        "grace@example.com",
        "--reason",
        "Ada moved teams",
    ]);
    r.assert_code(0);
    assert!(r.stdout.contains("grace@example.com"), "{}", r.stdout);
    let v = agent_json(&s, "support-bot");
    assert_eq!(v["owner"], grace["id"]);
    assert_eq!(v["owner_person"]["email"], "grace@example.com");

    // An unknown person is refused (the backend answers 422: the agent
    // exists, the body names nobody), and changes nothing.
    s.run(&[
        "owner",
        "support-bot",
        "nobody@example.com",
        "--reason",
        "x",
    ])
    .assert_code(1)
    .assert_error("nobody@example.com");
    assert_eq!(agent_json(&s, "support-bot")["owner"], grace["id"]);
}

#[test]
fn revoke_makes_the_backend_refuse_the_credential() {
    let s = Server::start();
    seed(&s);
    let (id, secret) = issue(&s, "support-bot");
    let (_, other) = issue(&s, "support-bot");
    assert_eq!(s.heartbeat(&secret), 204);

    let r = s.run(&["revoke", &id, "--reason", "leaked in a log"]);
    r.assert_code(0);
    assert!(r.stdout.contains("revoked"), "{}", r.stdout);
    let status = s.heartbeat(&secret);
    assert!(
        status == 401 || status == 403,
        "revoked secret got {status}"
    );
    // Only that one.
    assert_eq!(s.heartbeat(&other), 204);
    let v = agent_json(&s, "support-bot");
    let cred = v["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap();
    assert_eq!(cred["status"], "revoked");

    s.run(&["revoke", "crd_doesnotexist", "--reason", "x"])
        .assert_code(3);
}

#[test]
fn rotate_prints_the_new_secret_once_and_retires_the_old_one() {
    let s = Server::start();
    seed(&s);
    let (old, old_secret) = issue(&s, "support-bot");

    // With a grace period: both work, and the output says until when.
    let r = s.run(&["rotate", &old, "--grace", "10m", "--reason", "routine"]);
    r.assert_code(0);
    let new_secret = printed_secret(&r, "wdn_ac_");
    assert_ne!(new_secret, old_secret);
    assert!(r.stdout.contains("shown once"), "{}", r.stdout);
    assert!(
        r.stdout.contains("keeps working until"),
        "says when the old one stops: {}",
        r.stdout
    );
    assert_eq!(s.heartbeat(&old_secret), 204);
    assert_eq!(s.heartbeat(&new_secret), 204);
    let creds = agent_json(&s, "support-bot")["credentials"].clone();
    let new = creds
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] != old.as_str())
        .unwrap()
        .clone();
    let new_id = new["id"].as_str().unwrap();
    assert!(r.stdout.contains(new_id), "{}", r.stdout);

    // At once, as JSON: the new credential with its secret, the old one revoked.
    let v = s.json(&["rotate", new_id, "--reason", "INC-9", "--grace", "0"]);
    assert_eq!(v["previous"]["id"], new_id);
    assert_eq!(v["previous"]["status"], "revoked");
    assert_eq!(v["scopes"], json!(["tickets:read"]));
    let newest = v["secret"].as_str().unwrap();
    assert_eq!(s.heartbeat(newest), 204);
    assert!(matches!(s.heartbeat(&new_secret), 401 | 403));

    // Refusals and usage mistakes.
    s.run(&["rotate", new_id, "--reason", "again"])
        .assert_code(1)
        .assert_error("revoked");
    s.run(&["rotate", "crd_doesnotexist", "--reason", "x"])
        .assert_code(3);
    s.run(&["rotate", newest_id(&v), "--grace", "31d", "--reason", "x"])
        .assert_code(2);
    s.run(&["rotate", newest_id(&v), "--grace", "soon", "--reason", "x"])
        .assert_code(2);
    s.run(&["rotate", newest_id(&v)]).assert_code(2);
    assert_eq!(
        s.heartbeat(newest),
        204,
        "a refused rotation changed nothing"
    );

    let help = s.run(&["rotate", "--help"]);
    help.assert_code(0);
    for want in ["--grace", "--reason", "Examples:", "warden rotate crd_"] {
        assert!(help.stdout.contains(want), "{want}: {}", help.stdout);
    }
}

fn newest_id(v: &Value) -> &str {
    v["id"].as_str().expect("id")
}

#[test]
fn kill_with_yes_revokes_everything_and_reports_the_steps() {
    let s = Server::start();
    seed(&s);
    let (_, secret) = issue(&s, "support-bot");
    let (_, secret2) = issue(&s, "support-bot");
    assert_eq!(s.heartbeat(&secret), 204);

    let r = s.run(&[
        "kill",
        "support-bot",
        "--reason",
        "INC-42: exfiltration",
        "--yes",
    ]);
    r.assert_code(0);
    assert!(r.stdout.contains("succeeded"), "{}", r.stdout);
    assert!(r.stdout.contains("STEP") && r.stdout.contains("STATUS"));
    assert!(r.stdout.lines().filter(|l| l.contains(" ok ")).count() >= 2);

    assert_eq!(agent_json(&s, "support-bot")["status"], "killed");
    assert_eq!(s.heartbeat(&secret), 403);
    assert_eq!(s.heartbeat(&secret2), 403);
    let v = agent_json(&s, "support-bot");
    assert!(
        v["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "revoked"),
        "{v}"
    );
}

#[test]
fn kill_cascades_to_delegated_agents() {
    let s = Server::start();
    seed(&s);
    s.run(&[
        "register",
        "helper",
        "--kind",
        "autonomous",
        "--env",
        "prod",
    ])
    .assert_code(0);
    let (_, child_secret) = issue(&s, "helper");
    // A person parent (by email) and an agent parent (by name).
    s.run(&[
        "delegate",
        "ada@example.com",
        "support-bot",
        "--scope",
        "tickets:read",
    ])
    .assert_code(0);
    let r = s.run(&[
        "delegate",
        "support-bot",
        "helper",
        "--scope",
        "tickets:read",
        "--for",
        "ada@example.com",
    ]);
    r.assert_code(0);
    let d = agent_json(&s, "helper");
    let dl = &d["delegations"][0];
    let bot = agent_json(&s, "support-bot");
    assert_eq!(dl["parent_agent"], bot["id"]);
    assert_eq!(dl["on_behalf_of"], bot["owner"]);
    assert_eq!(bot["delegations"].as_array().unwrap().len(), 2);

    let plan = s.run(&[
        "kill",
        "support-bot",
        "--reason",
        "r",
        "--cascade",
        "--dry-run",
    ]);
    plan.assert_code(0);
    assert!(
        plan.stdout.contains("nothing was changed"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(d["id"].as_str().unwrap()),
        "{}",
        plan.stdout
    );
    assert_eq!(agent_json(&s, "helper")["status"], "active");

    let op = s.json(&["kill", "support-bot", "--reason", "r", "--cascade", "--yes"]);
    assert_eq!(op["status"], "succeeded");
    assert_eq!(agent_json(&s, "helper")["status"], "killed");
    assert_eq!(s.heartbeat(&child_secret), 403);
}

#[test]
fn kill_without_yes_and_no_terminal_refuses_with_2() {
    let s = Server::start();
    seed(&s);
    let (_, secret) = issue(&s, "support-bot");
    let r = s.run(&["kill", "support-bot", "--reason", "r"]);
    r.assert_code(2).assert_error("--yes");
    assert_eq!(agent_json(&s, "support-bot")["status"], "active");
    assert_eq!(s.heartbeat(&secret), 204);
}

#[test]
fn a_viewer_token_can_read_but_not_kill() {
    let s = Server::start();
    seed(&s);
    let r = s.run(&["token", "create", "--role", "viewer", "--name", "ro"]);
    r.assert_code(0);
    assert!(r.stdout.contains("shown once"), "{}", r.stdout);
    let viewer = printed_secret(&r, PERSON_TOKEN_PREFIX);
    assert_ne!(viewer, ADMIN);

    let r = s.run_as(&viewer, &["agents"]);
    r.assert_code(0);
    assert!(r.stdout.contains("support-bot"));

    let r = s.run_as(&viewer, &["kill", "support-bot", "--reason", "r", "--yes"]);
    r.assert_code(1).assert_error("403");
    let msg = r.stderr.to_lowercase();
    assert!(
        msg.contains("viewer") || msg.contains("role"),
        "{}",
        r.stderr
    );
    assert_eq!(agent_json(&s, "support-bot")["status"], "active");

    // A responder token for a person, made by JSON for a script.
    let t = s.json(&[
        "token",
        "create",
        "--role",
        "responder",
        "--person",
        "ada@example.com",
    ]);
    assert_eq!(t["role"], "responder");
    let responder = t["token"].as_str().unwrap();
    s.run_as(responder, &["suspend", "support-bot", "--reason", "r"])
        .assert_code(0);

    // A token the backend does not know.
    s.run_as("wdn_pt_bogus", &["agents"])
        .assert_code(1)
        .assert_error("401");
}

#[test]
fn unknown_things_exit_3() {
    let s = Server::start();
    for args in [
        vec!["agent", "no-such-agent"],
        vec!["agent", "no-such-agent", "--json"],
        vec!["kill", "no-such-agent", "--reason", "r", "--yes"],
        vec!["suspend", "no-such-agent", "--reason", "r"],
        vec!["issue", "no-such-agent", "--scope", "a"],
        vec!["ack", "alr_nope", "--reason", "r"],
    ] {
        let r = s.run(&args);
        r.assert_code(3).assert_error(args[1]);
        if args.contains(&"--json") {
            // A script reads the failure on stdout too.
            let v: Value = serde_json::from_str(&r.stdout).expect("one JSON document");
            assert_eq!(v["error"]["code"], "not_found", "{v}");
        } else {
            assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        }
    }
}

#[test]
fn alerts_list_and_ack() {
    let s = Server::start_eager_r18();
    seed(&s);
    let r = s.run(&["alerts"]);
    r.assert_code(0);
    assert_eq!(s.json(&["alerts"]), serde_json::json!([]));

    // A killed agent that keeps presenting its credential raises an alert.
    let (_, secret) = issue(&s, "support-bot");
    s.run(&["kill", "support-bot", "--reason", "r", "--yes"])
        .assert_code(0);
    assert_eq!(s.heartbeat(&secret), 403);
    let alerts = s.json(&["alerts"]);
    let alert = alerts
        .as_array()
        .unwrap()
        .first()
        .expect("an alert after a killed agent reported in")
        .clone();
    assert_eq!(alert["status"], "open");
    let r = s.run(&["alerts"]);
    assert!(
        r.stdout.contains(alert["rule"].as_str().unwrap()),
        "{}",
        r.stdout
    );
    let r = s.run(&["agents", "--filter", "risk:low"]);
    assert!(r.stdout.contains("support-bot"), "{}", r.stdout);

    let id = alert["id"].as_str().unwrap();
    let r = s.run(&["ack", id, "--reason", "known: it was killed"]);
    r.assert_code(0);
    assert!(r.stdout.contains("acknowledged"), "{}", r.stdout);
    let after = s.json(&["alerts"]);
    let acked = after
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap();
    assert_eq!(acked["status"], "acknowledged");

    // Snoozed for two hours, then woken by hand; each audited.
    let snoozed = s.json(&["snooze", id, "--for", "2h", "--reason", "draining it"]);
    assert!(snoozed["snoozed_until"].is_string(), "{snoozed}");
    let r = s.run(&["snooze", id, "--for", "8d", "--reason", "too long"]);
    r.assert_code(2);
    assert!(r.stderr.contains("1s to 7d"), "{}", r.stderr);
    let r = s.run(&["unsnooze", id, "--reason", "back on it"]);
    r.assert_code(0);
    assert!(r.stdout.contains("not snoozed"), "{}", r.stdout);
    let trail = s.run(&["audit", "list", "--action", "alert.snooze"]);
    assert!(trail.stdout.contains("draining it"), "{}", trail.stdout);
}

#[test]
fn audit_verify_is_intact_after_changes() {
    let s = Server::start();
    seed(&s);
    s.run(&["suspend", "support-bot", "--reason", "r"])
        .assert_code(0);
    let r = s.run(&["audit", "verify"]);
    r.assert_code(0);
    assert!(r.stdout.contains("intact"), "{}", r.stdout);
    let v = s.json(&["audit", "verify"]);
    assert_eq!(v["ok"], true);
    assert!(v["entries"].as_i64().unwrap() >= 3, "{v}");
}

/// The reference backend refuses hostile text at its door (the text
/// policy, `api::text_policy`), and says which field; what any backend
/// does send is escaped on the way to the terminal (`fleet::safe_text`,
/// the function every text output goes through).
#[test]
fn hostile_strings_are_refused_with_the_field_named() {
    let s = Server::start();
    let evil = "evil\x1b]0;pwned\x07 \x1b[2J \u{202e}gpj.exe\u{200b}";
    let r = s.run(&[
        "register",
        "tricky",
        "--kind",
        "chatbot",
        "--env",
        "prod",
        "--description",
        evil,
    ]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("description holds U+001B"),
        "{}",
        r.stderr
    );
    for bad in ['\x1b', '\x07', '\u{202e}', '\u{200b}'] {
        assert!(!r.stderr.contains(bad), "{bad:?} reached the terminal");
    }
    s.run(&["agent", "tricky"]).assert_code(3);
}

#[test]
fn a_configured_backend_is_used_and_a_loose_token_file_refused() {
    let s = Server::start();
    seed(&s);
    let dir = tempfile::tempdir().unwrap();
    let token = write_file(&dir.path().join("token"), &format!("{ADMIN}\n"));
    let cfg = write_file(
        &dir.path().join("config.toml"),
        &format!(
            "[[backend]]\nname = \"local\"\nurl = \"{}\"\ntoken_file = {:?}\n",
            s.url,
            token.display().to_string()
        ),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
        let r = Run::of(warden(dir.path()).arg("agents").env("WARDEN_CONFIG", &cfg));
        r.assert_code(2).assert_error("chmod 600");
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let r = Run::of(warden(dir.path()).arg("agents").env("WARDEN_CONFIG", &cfg));
    r.assert_code(0);
    assert!(r.stdout.contains("support-bot"), "{}", r.stdout);

    // token_env instead of a file.
    let cfg = write_file(
        &dir.path().join("env.toml"),
        &format!(
            "[[backend]]\nname = \"local\"\nurl = \"{}\"\ntoken_env = \"WARDEN_CLI_TEST_TOKEN\"\n",
            s.url
        ),
    );
    let r = Run::of(
        warden(dir.path())
            .arg("agents")
            .env("WARDEN_CONFIG", &cfg)
            .env("WARDEN_CLI_TEST_TOKEN", ADMIN),
    );
    r.assert_code(0);
    let r = Run::of(warden(dir.path()).arg("agents").env("WARDEN_CONFIG", &cfg));
    r.assert_code(2).assert_error("WARDEN_CLI_TEST_TOKEN");
}

#[test]
fn audit_verify_names_a_tampered_entry_and_exits_1() {
    let s = Server::start();
    seed(&s);
    s.run(&["suspend", "support-bot", "--reason", "the real reason"])
        .assert_code(0);
    s.run(&["audit", "verify"]).assert_code(0);

    // Someone with access to the database rewrites history.
    let db = rusqlite::Connection::open(s.dir.path().join("w.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let seq: i64 = db
        .query_row(
            "SELECT seq FROM audit WHERE reason = 'the real reason'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    db.execute(
        "UPDATE audit SET reason = 'nothing to see' WHERE seq = ?1",
        [seq],
    )
    .unwrap();
    drop(db);

    let r = s.run(&["audit", "verify"]);
    r.assert_code(1)
        .assert_error(&format!("broken at entry #{seq}"));
    assert!(r.stdout.contains(&format!("#{seq}")), "{}", r.stdout);
    assert!(r.stdout.contains("nothing to see"), "{}", r.stdout);
    let r = s.run(&["audit", "verify", "--json"]);
    r.assert_code(1);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_bad"], seq);
}

/// `warden ARGS` on a pseudo-terminal (through util-linux `script`), with
/// `input` typed at it; None when `script` is not installed.
pub(super) fn on_a_terminal(s: &Server, args: &str, input: &str) -> Option<Run> {
    use std::io::Write;
    use std::process::Stdio;
    let which = std::process::Command::new("script")
        .arg("--version")
        .output();
    if !which.is_ok_and(|o| o.status.success()) {
        // CI installs it (.ci/run); there a missing tool is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "util-linux `script` is not installed; .ci/run installs bsdutils"
        );
        eprintln!("skipped: util-linux `script` is not installed (apt-get install bsdutils)");
        return None;
    }
    let bin = env!("CARGO_BIN_EXE_warden");
    let mut child = isolated("script", s.dir.path())
        .env("WARDEN_URL", &s.url)
        .env("WARDEN_TOKEN", ADMIN)
        .args(["-qec", &format!("{bin} {args}"), "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn script");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("type");
    let out = child.wait_with_output().expect("script");
    Some(Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

#[test]
fn kill_on_a_terminal_shows_the_plan_and_wants_the_name() {
    let s = Server::start();
    seed(&s);
    let (_, secret) = issue(&s, "support-bot");

    let Some(r) = on_a_terminal(&s, "kill support-bot --reason INC-7", "support\n") else {
        return;
    };
    // On a terminal, stdout and stderr are the same stream. Cancelled has
    // its own exit code.
    assert_eq!(r.code, 4, "{}", r.stdout);
    for want in [
        "revoke",
        "k8s:prod/support-bot",
        "Type the agent's name",
        "cancelled",
    ] {
        assert!(r.stdout.contains(want), "{want}:\n{}", r.stdout);
    }
    assert_eq!(agent_json(&s, "support-bot")["status"], "active");
    assert_eq!(s.heartbeat(&secret), 204);

    let r = on_a_terminal(&s, "kill support-bot --reason INC-7", "support-bot\n")
        .expect("script was there a moment ago");
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("succeeded"), "{}", r.stdout);
    assert_eq!(agent_json(&s, "support-bot")["status"], "killed");
    assert_eq!(s.heartbeat(&secret), 403);
}

#[test]
fn the_client_follows_cursors_through_every_page() {
    use warden::api::NewAgent;
    use warden::api::client::Client;
    use warden::model::AgentKind;
    let s = Server::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = Client::new(&s.url, Some(ADMIN)).unwrap();
        for i in 0..7 {
            c.create_agent(&NewAgent {
                name: format!("agent-{i}"),
                kind: AgentKind::Autonomous,
                environment: "dev".into(),
                owner: None,
                description: None,
                runtime: None,
                labels: Default::default(),
            })
            .await
            .unwrap();
        }
        let first = c.agents_page(3, None).await.unwrap();
        assert_eq!(first.items.len(), 3);
        assert!(first.next_cursor.is_some(), "no cursor after a full page");
        let mut names: Vec<String> = c
            .list_agents_by(3)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        names.sort();
        let want: Vec<String> = (0..7).map(|i| format!("agent-{i}")).collect();
        assert_eq!(names, want);
        assert_eq!(c.list_agents().await.unwrap().len(), 7);
    });
    // And the command line shows all of them.
    assert_eq!(s.json(&["agents"]).as_array().unwrap().len(), 7);
}

/// Ada owns `support-bot` and leaves; Ben is on her team. `=SUM(1,2)` has
/// no owner and a name that is a spreadsheet formula with a comma in it.
fn triage_fleet(s: &Server) {
    seed(s);
    s.json(&[
        "person",
        "add",
        "Ben Payments",
        "ben@example.com",
        "--team",
        "payments",
    ]);
    s.run(&[
        "register",
        "=SUM(1,2)",
        "--kind",
        "autonomous",
        "--env",
        "dev",
    ])
    .assert_code(0);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = warden::api::client::Client::new(&s.url, Some(ADMIN)).unwrap();
        c.offboard_person("ada@example.com", "left the company")
            .await
            .unwrap();
        // The client method the dashboard uses answers the same queue.
        let report = c.triage().await.unwrap();
        let names: Vec<&str> = report.cases.iter().map(|c| c.agent.name.as_str()).collect();
        assert_eq!(names, ["=SUM(1,2)", "support-bot"]);
        assert_eq!(
            report.cases[1].suggestions[0].person.email,
            "ben@example.com"
        );
    });
}

#[test]
fn triage_prints_the_queue_with_suggestions() {
    let s = Server::start();
    triage_fleet(&s);
    let r = s.run(&["triage"]);
    r.assert_code(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("AGENT"), "{}", r.stdout);
    let bot = lines
        .iter()
        .find(|l| l.starts_with("support-bot"))
        .unwrap_or_else(|| panic!("no support-bot row:\n{}", r.stdout));
    for want in [
        "owner ada@example.com left",
        "Ben Payments <ben@example.com>",
        "on the payments team, like Ada Lovelace, who left (+10)",
    ] {
        assert!(bot.contains(want), "{want:?} not in {bot:?}");
    }
    assert!(
        r.stdout
            .contains("2 agents need an owner: 1 unowned, 1 whose owner left."),
        "{}",
        r.stdout
    );

    // A viewer may run it too.
    let t = s.json(&["token", "create", "--role", "viewer"]);
    s.run_as(t["token"].as_str().unwrap(), &["triage"])
        .assert_code(0);
}

#[test]
fn triage_writes_json_csv_and_markdown() {
    let s = Server::start();
    triage_fleet(&s);

    let json = s.json(&["triage"]);
    let r = s.run(&["triage", "--format", "json"]);
    r.assert_code(0);
    let mut format: Value = serde_json::from_str(&r.stdout).expect("one JSON document");
    // Two calls, two times of generation; the rest is the same.
    format["generated_at"] = json["generated_at"].clone();
    assert_eq!(format, json);
    let cases = json["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[1]["reason"], "owner_departed");
    assert_eq!(cases[1]["suggestions"][0]["reasons"][0]["kind"], "team");

    let r = s.run(&["triage", "--format", "csv"]);
    r.assert_code(0);
    let records = parse_csv(&r.stdout);
    assert_eq!(records.len(), 1 + 2, "{}", r.stdout);
    assert!(records.iter().all(|rec| rec.len() == records[0].len()));
    assert_eq!(records[0][..3], ["agent", "agent_id", "environment"]);
    // The comma stayed inside its field; the formula is plain text.
    assert_eq!(records[1][0], "'=SUM(1,2)");
    assert_eq!(records[2][0], "support-bot");
    assert_eq!(records[2][6], "ada@example.com");
    assert_eq!(records[2][10], "Ben Payments <ben@example.com>");

    let r = s.run(&["triage", "--format", "markdown"]);
    r.assert_code(0);
    let table: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(table.len(), 2 + 2, "{}", r.stdout);
    assert!(
        table[0].starts_with("| Agent | Where | Case |"),
        "{}",
        table[0]
    );
    assert!(table[1].starts_with("| --- |"), "{}", table[1]);
    assert!(
        table[3].contains("Ben Payments \\<ben@example.com\\>"),
        "{}",
        table[3]
    );

    // --json is --format json; with another format it is bad usage, found
    // before the backend is asked, and told in JSON as --json asks.
    let r = s.run(&["triage", "--json", "--format", "csv"]);
    r.assert_code(2).assert_error("--format json");
    let v: Value = serde_json::from_str(&r.stdout).expect("a JSON error");
    assert_eq!(v["error"]["code"], "usage");
    s.run(&["triage", "--json", "--format", "json"])
        .assert_code(0);
    s.run(&["triage", "--format", "xlsx"]).assert_code(2);
}
