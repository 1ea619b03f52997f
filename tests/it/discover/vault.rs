//! `warden discover --vault` on a real `warden serve` and a real OpenBao:
//! the identities no agent claims are findings, the claimed ones are not,
//! and `--register` makes them agents like any other finding.

use crate::support::bao::Bao;
use crate::support::cli::{Server, write_file};
use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt;

#[tokio::test]
async fn unclaimed_vault_identities_are_findings() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let server = Server::start();
    server
        .run(&[
            "register",
            "support-bot",
            "--kind",
            "chatbot",
            "--env",
            "prod",
        ])
        .assert_code(0);
    let (_, claimed) = bao
        .create_token(json!({"meta": {"warden_agent": "support-bot"}, "ttl": "1h"}))
        .await;
    let (_, shadow) = bao
        .create_token(json!({"display_name": "legacy", "ttl": "1h"}))
        .await;
    let token_file = write_file(&server.dir.path().join("bao.token"), &bao.root_token);
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let cfg = write_file(
        &server.dir.path().join("vault.toml"),
        &format!(
            "[[backend]]\nname = \"bao\"\nkind = \"vault\"\nurl = \"{}\"\ntoken_file = \"{}\"\n",
            bao.url,
            token_file.display()
        ),
    );
    let cfg = cfg.to_str().unwrap();
    let r = server.run(&["--config", cfg, "discover", "--vault", "--json"]);
    r.assert_code(0);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let at = |acc: &str| {
        findings.iter().find(|f| {
            f["location"]
                .as_str()
                .unwrap()
                .ends_with(&format!("vault:token:{acc}"))
        })
    };
    let legacy = at(&shadow).unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(legacy["kind"], "vault-identity");
    assert_eq!(legacy["name"], "token-legacy");
    assert_eq!(legacy["details"]["vault_backend"], "bao");
    assert!(
        at(&claimed).is_none(),
        "a claimed token is not a finding: {report:#}"
    );
    // Reported, it is an agent of kind api-connector with origin discovered.
    let r = server.run(&[
        "--config",
        cfg,
        "discover",
        "--vault",
        "--register",
        "--json",
    ]);
    r.assert_code(0);
    let agents = server.json(&[
        "agents",
        "--filter",
        "origin:discovered label:discovery.client=vault",
    ]);
    let names: Vec<&str> = agents
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("token-legacy (vault@")),
        "{names:?}"
    );
    assert!(
        agents
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["kind"] == "api-connector"),
        "{agents:#}"
    );
}

#[test]
fn vault_without_a_vault_backend_is_a_usage_error() {
    let server = Server::start();
    let empty = write_file(&server.dir.path().join("empty.toml"), "");
    let r = server.run(&["--config", empty.to_str().unwrap(), "discover", "--vault"]);
    r.assert_code(2);
    r.assert_error("of kind \"vault\"");
}
