//! `warden kill --filter EXPR --expect N`: a fleet-wide kill through the
//! real binary against a real `warden serve`. A count other than N kills
//! nothing and exits 5 naming the count; a match kills each agent and
//! reports each as verified (read back killed, no live credential) or
//! failed, and the exit code says whether any failed.

use super::commands::on_a_terminal;
use crate::support::cli::Server;
use serde_json::Value;

/// Three staging agents without an owner, one staging agent with one, and
/// one in prod; each with a credential. Answers the secrets by name.
fn fleet(s: &Server) -> Vec<(String, String)> {
    s.json(&["person", "add", "Ada", "ada@example.com"]);
    let mut secrets = Vec::new();
    for (name, env, owner) in [
        ("stg-a", "staging", None),
        ("stg-b", "staging", None),
        ("stg-c", "staging", None),
        ("stg-owned", "staging", Some("ada@example.com")),
        ("prod-a", "prod", None),
    ] {
        let mut args = vec!["register", name, "--kind", "autonomous", "--env", env];
        if let Some(o) = owner {
            args.extend(["--owner", o]);
        }
        s.run(&args).assert_code(0);
        let c = s.json(&["issue", name, "--scope", "x:read"]);
        secrets.push((name.to_string(), c["secret"].as_str().unwrap().to_string()));
    }
    secrets
}

fn status(s: &Server, agent: &str) -> String {
    s.json(&["agent", agent])["status"]
        .as_str()
        .unwrap()
        .to_string()
}

const FILTER: &str = "env:staging owner:none";

#[test]
fn a_count_other_than_expected_kills_nothing_and_exits_5() {
    let s = Server::start();
    let secrets = fleet(&s);
    let r = s.run(&[
        "kill", "--filter", FILTER, "--expect", "2", "--reason", "INC-43", "--yes",
    ]);
    r.assert_code(5).assert_error("matches 3 agents");
    for want in ["stg-a", "stg-b", "stg-c", "not the 2", "nothing was killed"] {
        assert!(r.stderr.contains(want), "{want}: {}", r.stderr);
    }
    let r = s.run(&[
        "kill",
        "--filter",
        "env:nowhere",
        "--expect",
        "1",
        "--reason",
        "r",
        "--yes",
        "--json",
    ]);
    r.assert_code(5);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["error"]["code"], "count_mismatch");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("matches 0 agents"),
        "{v}"
    );
    for (name, secret) in &secrets {
        assert_eq!(status(&s, name), "active", "{name}");
        assert_eq!(s.heartbeat(secret), 204, "{name}");
    }
    // --expect without --filter, and a bad filter, are usage errors.
    s.run(&["kill", "x", "--expect", "1", "--reason", "r", "--yes"])
        .assert_code(2)
        .assert_error("--expect N goes with --filter");
    s.run(&[
        "kill",
        "--filter",
        "kind:robot",
        "--expect",
        "1",
        "--reason",
        "r",
        "--yes",
    ])
    .assert_code(2)
    .assert_error("mcp-server");
    s.run(&["kill", "--filter", FILTER, "--reason", "r", "--yes"])
        .assert_code(2);
    // Without --yes and without a terminal: refused before anything.
    s.run(&["kill", "--filter", FILTER, "--expect", "3", "--reason", "r"])
        .assert_code(2)
        .assert_error("--yes");
}

#[test]
fn the_matching_agents_are_killed_and_each_verified() {
    let s = Server::start();
    let secrets = fleet(&s);
    let plan = s.run(&[
        "kill",
        "--filter",
        FILTER,
        "--expect",
        "3",
        "--reason",
        "r",
        "--dry-run",
    ]);
    plan.assert_code(0);
    assert!(
        plan.stdout.contains("nothing was changed"),
        "{}",
        plan.stdout
    );
    assert_eq!(status(&s, "stg-a"), "active");

    let v = s.json(&[
        "kill",
        "--filter",
        FILTER,
        "--expect",
        "3",
        "--reason",
        "INC-43: staging leak",
        "--yes",
    ]);
    assert_eq!(
        (
            v["matched"].clone(),
            v["verified"].clone(),
            v["failed"].clone()
        ),
        (3.into(), 3.into(), 0.into()),
        "{v}"
    );
    let results = v["results"].as_array().unwrap();
    let names: Vec<&str> = results
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["stg-a", "stg-b", "stg-c"]);
    for r in results {
        assert_eq!(r["outcome"], "verified", "{r}");
        assert!(r["operation"].as_str().unwrap().starts_with("op"), "{r}");
    }
    for (name, secret) in &secrets {
        let killed = name.starts_with("stg-") && name != "stg-owned";
        assert_eq!(
            status(&s, name),
            if killed { "killed" } else { "active" },
            "{name}"
        );
        assert_eq!(
            s.heartbeat(secret),
            if killed { 403 } else { 204 },
            "{name}"
        );
    }
    // The audit trail has each kill with the reason.
    s.run(&["audit", "verify"]).assert_code(0);

    // Text: one row per agent with its outcome.
    let r = s.run(&[
        "kill", "--filter", "prod-a", "--expect", "1", "--reason", "INC-44", "--yes",
    ]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("prod-a") && r.stdout.contains("verified"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("1 agent: 1 verified killed, 0 failed."),
        "{}",
        r.stdout
    );
}

#[test]
fn a_failed_kill_is_reported_per_agent_and_exits_1() {
    let s = Server::start();
    fleet(&s);
    // A responder may kill; a viewer is refused for each agent, and each
    // refusal is reported, not hidden behind one error.
    let viewer = s.json(&["token", "create", "--role", "viewer"]);
    let r = s.run_as(
        viewer["token"].as_str().unwrap(),
        &[
            "kill", "--filter", FILTER, "--expect", "3", "--reason", "r", "--yes", "--json",
        ],
    );
    r.assert_code(1);
    assert!(r.stderr.contains("3 of 3 kills failed"), "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("the results, one document");
    assert_eq!(v["failed"], 3, "{v}");
    for res in v["results"].as_array().unwrap() {
        assert_eq!(res["outcome"], "failed", "{res}");
        assert!(res["detail"].as_str().unwrap().contains("403"), "{res}");
    }
    assert_eq!(status(&s, "stg-a"), "active");
}

#[test]
fn on_a_terminal_the_list_is_shown_and_the_count_typed_back() {
    let s = Server::start();
    fleet(&s);
    let args = format!("kill --filter '{FILTER}' --expect 3 --reason INC-45");
    let Some(r) = on_a_terminal(&s, &args, "2\n") else {
        return;
    };
    assert_eq!(r.code, 4, "{}", r.stdout);
    for want in [
        "Kill 3 agents",
        "stg-a",
        "stg-c",
        "Type the number of agents (3)",
        "cancelled",
    ] {
        assert!(r.stdout.contains(want), "{want}:\n{}", r.stdout);
    }
    assert!(!r.stdout.contains("prod-a"), "{}", r.stdout);
    assert_eq!(status(&s, "stg-a"), "active");

    let r = on_a_terminal(&s, &args, "3\n").expect("script was there a moment ago");
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("3 verified killed"), "{}", r.stdout);
    assert_eq!(status(&s, "stg-b"), "killed");
}

#[test]
fn with_cascade_each_delegate_is_read_back_too() {
    let s = Server::start();
    fleet(&s);
    s.run(&["delegate", "stg-a", "prod-a", "--scope", "x:read"])
        .assert_code(0);
    let v = s.json(&[
        "kill",
        "--filter",
        "stg-a",
        "--expect",
        "1",
        "--reason",
        "INC-46",
        "--cascade",
        "--yes",
    ]);
    let r = &v["results"][0];
    assert_eq!(r["outcome"], "verified", "{v}");
    let detail = r["detail"].as_str().unwrap();
    assert!(
        detail.contains("with 1 delegate") && detail.contains("2 credentials revoked"),
        "{detail}"
    );
    assert_eq!(status(&s, "prod-a"), "killed");
}
