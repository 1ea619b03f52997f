//! `warden token list`, `warden token revoke` and `warden token create
//! --ttl` through the real binary against a real `warden serve`.

use crate::support::cli::{ADMIN, Run, Server, warden};
use serde_json::Value;

fn token(s: &Server, args: &[&str]) -> (String, String) {
    let mut all = vec!["token", "create"];
    all.extend_from_slice(args);
    let t = s.json(&all);
    (
        t["id"].as_str().expect("id").to_string(),
        t["token"].as_str().expect("token").to_string(),
    )
}

#[test]
fn tokens_are_listed_revoked_with_a_reason_and_then_refused() {
    let s = Server::start();
    s.json(&["person", "add", "Ada Lovelace", "ada@example.com"]);
    let (ada_id, ada) = token(
        &s,
        &[
            "--role",
            "responder",
            "--person",
            "ada@example.com",
            "--name",
            "ada-laptop",
            "--ttl",
            "30d",
        ],
    );
    let (ci_id, ci) = token(&s, &["--role", "viewer", "--name", "ci"]);

    // Text: one row a token, the one in use marked, never a secret.
    let r = s.run(&["token", "list"]);
    r.assert_code(0);
    for want in [
        ada_id.as_str(),
        ci_id.as_str(),
        "ada-laptop",
        "ada@example.com",
        "bootstrap",
        "in 30d",
    ] {
        assert!(r.stdout.contains(want), "{want}:\n{}", r.stdout);
    }
    assert!(
        r.stdout.contains("3 tokens, 3 active (2 for no person)"),
        "{}",
        r.stdout
    );
    for secret in [ADMIN, ada.as_str(), ci.as_str()] {
        assert!(
            !r.stdout.contains(secret),
            "a secret is listed:\n{}",
            r.stdout
        );
    }
    let marked: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("tok_") && l.contains(" * "))
        .collect();
    assert_eq!(marked.len(), 1, "{}", r.stdout);
    assert!(marked[0].contains("bootstrap-admin"), "{}", r.stdout);

    // JSON for scripts.
    let list = s.json(&["token", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 3, "{list}");
    assert!(list.to_string().find(&ci).is_none());

    // Ada's token sees only hers.
    let r = s.run_as(&ada, &["token", "list", "--json"]);
    r.assert_code(0);
    let mine: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");

    // A reason is required before anything is sent.
    let r = s.run(&["token", "revoke", &ci_id]);
    r.assert_code(2);
    // Ada may not revoke CI's token.
    s.run_as(&ada, &["token", "revoke", &ci_id, "--reason", "x"])
        .assert_code(1)
        .assert_error("403");

    let r = s.run(&["token", "revoke", &ci_id, "--reason", "INC-9: leaked"]);
    r.assert_code(0);
    assert!(r.stdout.contains("Revoked viewer token ci"), "{}", r.stdout);
    assert!(r.stdout.contains("INC-9: leaked"), "{}", r.stdout);
    s.run_as(&ci, &["agents"])
        .assert_code(1)
        .assert_error("token_revoked");

    let t = s.json(&["token", "revoke", &ada_id, "--reason", "left the team"]);
    assert_eq!(t["status"], "revoked");
    assert_eq!(t["revoked_reason"], "left the team");
    s.run_as(&ada, &["agents"])
        .assert_code(1)
        .assert_error("token_revoked");

    // An unknown id is "not found" (exit 3).
    s.run(&["token", "revoke", "tok_nope", "--reason", "x"])
        .assert_code(3);
}

#[test]
fn a_token_created_with_a_ttl_says_when_it_expires() {
    let s = Server::start();
    let r = s.run(&["token", "create", "--role", "viewer", "--ttl", "12h"]);
    r.assert_code(0);
    assert!(r.stdout.contains("expires"), "{}", r.stdout);
    assert!(r.stdout.contains("in 12h"), "{}", r.stdout);
    let r = s.run(&["token", "create", "--role", "viewer"]);
    r.assert_code(0);
    assert!(r.stdout.contains("never"), "{}", r.stdout);
    let dir = tempfile::tempdir().unwrap();
    for bad in ["0s", "3y", "soon"] {
        let r = Run::of(
            warden(dir.path())
                .args(["token", "create", "--role", "viewer", "--ttl", bad])
                .env("WARDEN_URL", &s.url)
                .env("WARDEN_TOKEN", ADMIN),
        );
        r.assert_code(2);
    }
}

#[test]
fn token_help_shows_examples() {
    let dir = tempfile::tempdir().unwrap();
    for (sub, want) in [
        ("create", "warden token create --role responder --person"),
        ("list", "warden token list --json"),
        ("revoke", "warden token revoke tok_"),
    ] {
        let r = Run::of(warden(dir.path()).args(["token", sub, "--help"]));
        r.assert_code(0);
        assert!(r.stdout.contains(want), "{sub}:\n{}", r.stdout);
    }
}
