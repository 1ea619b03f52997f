//! `warden discover --register` against a real `warden serve`: findings
//! become agents once, a second run updates, a removed config's servers
//! are marked gone, and `origin:discovered` finds them.

use super::fixtures;
use crate::support::cli::Server;
use serde_json::Value;
use sha2::Digest;

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn register_creates_once_updates_after_and_marks_gone() {
    let server = Server::start();
    let token = server.json(&[
        "token",
        "create",
        "--role",
        "discoverer",
        "--name",
        "laptops",
    ]);
    let token = token["token"].as_str().unwrap().to_string();
    let repo = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("repo"), repo.path());
    let root = repo.path().to_str().unwrap();
    let run = |args: &[&str]| -> Value {
        let r = server.run_as(
            &token,
            &[
                &[
                    "discover",
                    "--root",
                    root,
                    "--host",
                    "ci-7",
                    "--register",
                    "--json",
                ],
                args,
            ]
            .concat(),
        );
        r.assert_code(0);
        serde_json::from_str(&r.stdout).unwrap()
    };
    let first = run(&[]);
    assert_eq!(
        first["registered"]["created"], 9,
        "{:#}",
        first["registered"]
    );
    let second = run(&[]);
    assert_eq!(second["registered"]["created"], 0);
    assert_eq!(second["registered"]["unchanged"], 9);
    std::fs::remove_file(repo.path().join(".mcp.json")).unwrap();
    let third = run(&[]);
    assert_eq!(third["registered"]["gone"], 2, "{:#}", third["registered"]);
    assert_eq!(third["registered"]["unchanged"], 7);

    let agents = server.json(&["agents", "--filter", "origin:discovered"]);
    assert_eq!(agents.as_array().unwrap().len(), 9);
    let gone = server.json(&[
        "agents",
        "--filter",
        "origin:discovered label:discovery.state=gone",
    ]);
    let names: Vec<&str> = gone
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"warden-ops (claude-code@ci-7)"),
        "{names:?}"
    );
    assert!(
        server
            .json(&["agents", "--filter", "origin:registered"])
            .as_array()
            .unwrap()
            .is_empty()
    );

    // `warden agent` lists a found secret by its whole fingerprint; the
    // secret itself is nowhere.
    let stripe = server.json(&["agents", "--filter", "origin:discovered api-stripe"]);
    let id = stripe[0]["id"].as_str().unwrap();
    let r = server.run(&["agent", id]);
    r.assert_code(0);
    let fingerprint = hex::encode(sha2::Sha256::digest(b"sk_test_FAKEfixture0123456789ab"));
    assert!(
        r.stdout
            .contains("Secrets found in plaintext (SHA-256 fingerprints, never the secret) (1)"),
        "{}",
        r.stdout
    );
    let row = r
        .stdout
        .lines()
        .find(|l| l.contains(&fingerprint))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        row.contains("stripe") && row.contains("env.STRIPE_SECRET_KEY"),
        "{row}"
    );
    assert!(!r.stdout.contains("sk_test_FAKE"), "{}", r.stdout);

    // The table says what the backend did; a viewer token is refused.
    let r = server.run_as(
        &token,
        &["discover", "--root", root, "--host", "ci-7", "--register"],
    );
    r.assert_code(0);
    assert!(
        r.stdout
            .contains("Registered: 0 created, 0 updated, 7 unchanged, 0 gone."),
        "{}",
        r.stdout
    );
    let viewer = server.json(&["token", "create", "--role", "viewer", "--name", "v"]);
    let r = server.run_as(
        viewer["token"].as_str().unwrap(),
        &["discover", "--root", root, "--register"],
    );
    r.assert_code(1);
    r.assert_error("discoverer or admin");
}
