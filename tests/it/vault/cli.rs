//! `warden vault` through the real binary, on a real `warden serve` and a
//! real OpenBao: `ls` links the identities to the server's agents and
//! lists the rest as unclaimed; `vault revoke` and plain `warden revoke`
//! of a `vault:` id revoke in Vault and verify; `policy` prints the HCL a
//! token then works with; mistakes are usage errors that say what to do.

use crate::support::bao::Bao;
use crate::support::cli::{Server, write_file};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

/// A config naming `bao` as a vault backend, its token in a private file.
fn config(server: &Server, bao: &Bao, token: &str) -> PathBuf {
    let token_file = write_file(&server.dir.path().join("bao.token"), token);
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    write_file(
        &server.dir.path().join("vault.toml"),
        &format!(
            "[[backend]]\nname = \"bao\"\nkind = \"vault\"\nurl = \"{}\"\ntoken_file = \"{}\"\n",
            bao.url,
            token_file.display()
        ),
    )
}

#[tokio::test]
async fn vault_ls_links_identities_to_agents_and_revoke_verifies() {
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
    let (linked, linked_acc) = bao
        .create_token(json!({ "meta": { "warden_agent": "support-bot" }, "ttl": "1h" }))
        .await;
    let (shadow, shadow_acc) = bao
        .create_token(json!({ "display_name": "legacy", "ttl": "1h" }))
        .await;

    // The policy `warden vault policy --act` prints is all its token holds.
    let dir = tempfile::tempdir().unwrap();
    let empty = write_file(&dir.path().join("none.toml"), "");
    let hcl = server.run(&[
        "--config",
        empty.to_str().unwrap(),
        "vault",
        "policy",
        "--act",
    ]);
    hcl.assert_code(0);
    assert!(
        hcl.stdout.contains("auth/token/revoke-accessor"),
        "{}",
        hcl.stdout
    );
    bao.put_policy("warden", &hcl.stdout).await;
    let (token, _) = bao
        .create_token(json!({ "policies": ["warden"], "ttl": "1h" }))
        .await;
    let cfg = config(&server, &bao, &token);
    let cfg = cfg.to_str().unwrap();

    let r = server.run(&["--config", cfg, "vault", "ls", "--json"]);
    r.assert_code(0);
    let rows: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    let row = |acc: &str| {
        rows.iter()
            .find(|v| v["id"] == format!("vault:token:{acc}"))
            .unwrap_or_else(|| panic!("{acc} listed: {}", r.stdout))
            .clone()
    };
    assert_eq!(row(&linked_acc)["agent"], "support-bot");
    assert_eq!(
        row(&linked_acc)["linked_by"],
        "metadata warden_agent=support-bot"
    );
    assert_eq!(row(&shadow_acc)["agent"], Value::Null);
    let unclaimed = server.run(&["--config", cfg, "vault", "ls", "--unclaimed"]);
    unclaimed.assert_code(0);
    assert!(
        unclaimed.stdout.contains("token-legacy"),
        "{}",
        unclaimed.stdout
    );
    assert!(
        !unclaimed.stdout.contains(&linked_acc),
        "{}",
        unclaimed.stdout
    );

    let r = server.run(&[
        "--config",
        cfg,
        "vault",
        "revoke",
        &format!("bao/vault:token:{shadow_acc}"),
        "--reason",
        "INC-20 shadow token",
    ]);
    r.assert_code(0);
    assert!(r.stdout.contains("revoked; verified"), "{}", r.stdout);
    assert_eq!(bao.lookup_self_status(&shadow).await, StatusCode::FORBIDDEN);
    // Plain `warden revoke` of a vault: id goes to Vault too.
    let r = server.run(&[
        "--config",
        cfg,
        "revoke",
        &format!("vault:token:{linked_acc}"),
        "--reason",
        "INC-20",
        "--json",
    ]);
    r.assert_code(0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (v["result"].clone(), v["verified"].clone()),
        (json!("revoked"), json!(true))
    );
    assert_eq!(bao.lookup_self_status(&linked).await, StatusCode::FORBIDDEN);
    // Again: already gone, still verified.
    let r = server.run(&[
        "--config",
        cfg,
        "vault",
        "revoke",
        &format!("vault:token:{linked_acc}"),
        "--reason",
        "again",
    ]);
    r.assert_code(0);
    assert!(r.stdout.contains("already gone; verified"), "{}", r.stdout);
}

#[tokio::test]
async fn vault_mistakes_are_usage_errors_that_say_what_to_do() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let empty = write_file(&dir.path().join("none.toml"), "");
    let r = server.run(&["--config", empty.to_str().unwrap(), "vault", "ls"]);
    r.assert_code(2)
        .assert_error("no [[backend]] of kind \"vault\"");
    let cfg = config(&server, &bao, &bao.root_token);
    let cfg = cfg.to_str().unwrap();
    let r = server.run(&[
        "--config",
        cfg,
        "vault",
        "revoke",
        "vault:nope:x",
        "--reason",
        "r",
    ]);
    r.assert_code(2).assert_error("is not a Vault credential");
    let r = server.run(&["--config", cfg, "vault", "ls", "--backend", "other"]);
    r.assert_code(2).assert_error("there are: bao");
    // A token without the list capability: what it could read, and exit 1.
    bao.put_policy(
        "narrow",
        "path \"auth/token/lookup-self\" { capabilities = [\"read\"] }",
    )
    .await;
    let (narrow, _) = bao
        .create_token(json!({ "policies": ["narrow"], "ttl": "1h" }))
        .await;
    let cfg = config(&server, &bao, &narrow);
    let r = server.run(&["--config", cfg.to_str().unwrap(), "vault", "ls"]);
    r.assert_code(1);
    assert!(r.stderr.contains("auth/token/accessors"), "{}", r.stderr);
}

#[tokio::test]
async fn warden_rotate_replaces_a_secret_id_and_refuses_a_token() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let server = Server::start();
    bao.enable_approle("approle").await;
    let role_id = bao
        .create_role("approle", "batch", json!({ "token_policies": ["default"] }))
        .await;
    let meta =
        json!({ "metadata": "{\"warden_agent\":\"batch-bot\"}", "cidr_list": ["127.0.0.0/8"] });
    let (old, old_acc) = bao.create_secret_id("approle", "batch", meta).await;
    let cfg = config(&server, &bao, &bao.root_token);
    let cfg = cfg.to_str().unwrap();
    let id = format!("bao/vault:secret-id:approle/batch/{old_acc}");
    let r = server.run(&[
        "--config", cfg, "rotate", &id, "--reason", "INC-21", "--json",
    ]);
    r.assert_code(0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let new = v["secret_id"].as_str().expect("the new secret, once");
    assert!(r.stderr.contains("revoked; verified"), "{}", r.stderr);
    assert!(bao.login_approle("approle", &role_id, new).await.is_ok());
    assert!(bao.login_approle("approle", &role_id, &old).await.is_err());
    // The twin keeps what links it and where it may log in from.
    let new_acc = v["id"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let info = bao
        .client()
        .lookup_secret_id_accessor("approle", "batch", &new_acc)
        .await
        .unwrap()
        .expect("the new one");
    assert_eq!(
        info.metadata.get("warden_agent").map(String::as_str),
        Some("batch-bot")
    );
    assert_eq!(info.cidr_list, ["127.0.0.0/8"]);
    // A token has no twin Warden can make.
    let (_, acc) = bao.create_token(json!({ "ttl": "1h" })).await;
    let r = server.run(&[
        "--config",
        cfg,
        "rotate",
        &format!("vault:token:{acc}"),
        "--reason",
        "x",
    ]);
    r.assert_code(2)
        .assert_error("only an AppRole secret-id can be rotated");
}
