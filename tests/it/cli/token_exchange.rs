//! `warden token exchange` through the real binary against a real `warden
//! serve`: Ada's own token becomes a delegated token for her agent, the
//! agent's credential read from a file, never the command line; asking
//! for more exits 1 with the RFC 6749 code; `warden serve` keeps its
//! signing key in the state dir, outside the database.

use crate::support::cli::{Server, write_file};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

#[test]
fn a_person_exchanges_their_token_for_their_agent() {
    let s = Server::start();
    s.json(&["person", "add", "Ada Lovelace", "ada@example.com"]);
    s.run(&[
        "register",
        "helper",
        "--kind",
        "autonomous",
        "--env",
        "prod",
    ])
    .assert_code(0);
    let ada = s.json(&[
        "token",
        "create",
        "--role",
        "viewer",
        "--person",
        "ada@example.com",
    ]);
    let ada = ada["token"].as_str().unwrap().to_string();
    s.run_as(
        &ada,
        &[
            "delegate",
            "ada@example.com",
            "helper",
            "--scope",
            "crm:read,tickets:read",
        ],
    )
    .assert_code(0);
    let c = s.json(&["issue", "helper", "--scope", "crm:read"]);
    let secret = write_file(
        &s.dir.path().join("helper.secret"),
        c["secret"].as_str().unwrap(),
    );
    let secret = secret.to_str().unwrap();

    let r = s.run_as(
        &ada,
        &[
            "token",
            "exchange",
            "--actor-token-file",
            secret,
            "--scope",
            "crm:read",
            "--audience",
            "crm",
            "--json",
        ],
    );
    r.assert_code(0);
    let answer: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(answer["scope"], "crm:read");
    assert_eq!(answer["token_type"], "Bearer");
    let jwt = answer["access_token"].as_str().unwrap();
    let payload = jwt.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["act"]["sub"], c["agent_id"]);

    // Text: the token once, and the chain it carries.
    let r = s.run_as(&ada, &["token", "exchange", "--actor-token-file", secret]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("shown once") && r.stdout.contains("→"),
        "{}",
        r.stdout
    );

    // More than was delegated: refused with the OAuth code, exit 1.
    let r = s.run_as(
        &ada,
        &[
            "token",
            "exchange",
            "--actor-token-file",
            secret,
            "--scope",
            "iam:admin",
        ],
    );
    r.assert_code(1).assert_error("invalid_scope");

    // The signing key is in the state dir, never the database.
    let keys = walk(s.dir.path())
        .into_iter()
        .find(|p| p.ends_with("token-keys"));
    let keys = keys.unwrap_or_else(|| panic!("no token-keys under {}", s.dir.path().display()));
    let text = std::fs::read_to_string(&keys).unwrap();
    let seed = text.lines().find(|l| !l.starts_with('#')).unwrap();
    assert_eq!(seed.len(), 64, "{text}");
    let db = std::fs::read(s.dir.path().join("w.db")).unwrap();
    assert!(
        !db.windows(64).any(|w| w == seed.as_bytes()),
        "the key is in the database"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
