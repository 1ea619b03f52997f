//! `warden person list|offboard` and `warden grant list|add|remove` against
//! a real `warden serve`: what they print is what the backend now holds.

use crate::support::cli::Server;
use serde_json::Value;

fn fleet(s: &Server) {
    s.json(&[
        "person",
        "add",
        "Grace Hopper",
        "grace@example.com",
        "--team",
        "infra",
    ]);
    s.json(&[
        "person",
        "add",
        "Ada Lovelace",
        "ada@example.com",
        "--team",
        "payments",
        "--manager",
        "grace@example.com",
    ]);
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
}

#[test]
fn people_are_listed_with_what_they_own() {
    let s = Server::start();
    let r = s.run(&["person", "list"]);
    r.assert_code(0);
    assert!(r.stdout.contains("No people yet"), "{}", r.stdout);
    fleet(&s);

    let r = s.run(&["person", "list"]);
    r.assert_code(0);
    let ada = r
        .stdout
        .lines()
        .find(|l| l.contains("ada@example.com"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    for want in [
        "Ada Lovelace",
        "payments",
        "grace@example.com",
        "active",
        " 2 ",
    ] {
        assert!(ada.contains(want), "{want}: {ada}");
    }
    assert!(r.stdout.contains("2 people, 0 departed"), "{}", r.stdout);

    let v = s.json(&["person", "list"]);
    let people = v.as_array().expect("an array");
    assert_eq!(people.len(), 2);
    assert!(people.iter().all(|p| p["status"] == "active"), "{v}");
}

#[test]
fn offboarding_departs_the_person_and_names_their_agents() {
    let s = Server::start();
    fleet(&s);
    let t = s.json(&[
        "token",
        "create",
        "--role",
        "viewer",
        "--person",
        "ada@example.com",
    ]);
    let ada_token = t["token"].as_str().unwrap().to_string();
    s.run_as(&ada_token, &["agents"]).assert_code(0);

    // A reason is required, before the backend is asked.
    s.run(&["person", "offboard", "ada@example.com"])
        .assert_code(2);
    let r = s.run(&[
        "person",
        "offboard",
        "ada@example.com",
        "--reason",
        "left (HR-12)",
    ]);
    r.assert_code(0);
    for want in [
        "Offboarded Ada Lovelace",
        "departed",
        "2 agents",
        "billing-bot, support-bot",
        "warden triage",
    ] {
        assert!(r.stdout.contains(want), "{want}:\n{}", r.stdout);
    }
    // Her token is refused; the list and the audit say so.
    s.run_as(&ada_token, &["agents"])
        .assert_code(1)
        .assert_error("401");
    let v = s.json(&["person", "list"]);
    let ada = v
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == "ada@example.com")
        .unwrap();
    assert_eq!(ada["status"], "departed");
    let r = s.run(&["person", "list"]);
    assert!(r.stdout.contains("1 departed"), "{}", r.stdout);
    let triage = s.json(&["triage"]);
    assert!(triage.to_string().contains("support-bot"), "{triage}");

    // Unknown people exit 3; JSON answers the person.
    let r = s.run(&["person", "offboard", "nobody@example.com", "--reason", "r"]);
    r.assert_code(3);
    let g = s.json(&[
        "person",
        "offboard",
        "grace@example.com",
        "--reason",
        "retired",
    ]);
    assert_eq!(g["status"], "departed");
    // Only an admin may.
    let responder = s.json(&["token", "create", "--role", "responder"]);
    s.run_as(
        responder["token"].as_str().unwrap(),
        &["person", "offboard", "ada@example.com", "--reason", "r"],
    )
    .assert_code(1)
    .assert_error("403");
}

#[test]
fn grants_are_added_listed_and_removed_with_a_reason() {
    let s = Server::start();
    fleet(&s);
    let r = s.run(&["grant", "list", "support-bot"]);
    r.assert_code(0);
    assert!(r.stdout.contains("has no grants"), "{}", r.stdout);

    let r = s.run(&["grant", "add", "support-bot", "crm", "tickets:read", "read"]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("Granted read tickets:read on crm"),
        "{}",
        r.stdout
    );
    let w = s.json(&[
        "grant",
        "add",
        "support-bot",
        "crm",
        "tickets:write",
        "write",
    ]);
    let wid = w["id"].as_str().unwrap().to_string();
    assert!(wid.starts_with("grt_"));
    // A level that does not exist is a usage error, naming the choices.
    let r = s.run(&["grant", "add", "support-bot", "crm", "x", "owner"]);
    r.assert_code(2);
    assert!(r.stderr.contains("read, write, admin"), "{}", r.stderr);

    let r = s.run(&["grant", "list", "support-bot"]);
    r.assert_code(0);
    assert!(r.stdout.contains(&wid), "{}", r.stdout);
    // `warden agent` shows the ids too, for `grant remove`.
    let r = s.run(&["agent", "support-bot"]);
    assert!(r.stdout.contains(&wid), "{}", r.stdout);

    s.run(&["grant", "remove", "support-bot", &wid])
        .assert_code(2);
    let r = s.run(&[
        "grant",
        "remove",
        "support-bot",
        &wid,
        "--reason",
        "R09: never used",
    ]);
    r.assert_code(0);
    assert!(
        r.stdout
            .contains(&format!("Removed grant {wid} (write tickets:write on crm)")),
        "{}",
        r.stdout
    );
    let grants = s.json(&["grant", "list", "support-bot"]);
    let scopes: Vec<&str> = grants
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["scope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["tickets:read"]);

    // Gone, or never there: 3, and JSON says not_found.
    let r = s.run(&[
        "grant",
        "remove",
        "support-bot",
        &wid,
        "--reason",
        "again",
        "--json",
    ]);
    r.assert_code(3);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["error"]["code"], "not_found");
    // Another agent's grant is not this one's.
    let read_id = grants[0]["id"].as_str().unwrap();
    s.run(&["grant", "remove", "billing-bot", read_id, "--reason", "r"])
        .assert_code(3);

    // The audit trail says who and why.
    let r = s.run(&["audit", "verify"]);
    r.assert_code(0);
}
