//! `[[serve.provider]] kind = "vault"`: a kill through `warden serve`
//! revokes the agent's linked Vault credentials as steps of the kill, each
//! verified by asking Vault again, audited, and finished by the next
//! server when the first dies part-way. Against a real OpenBao where the
//! test needs one; a Vault that is down needs none.

use crate::support::cli::closed_port;
use crate::support::serve::{Api, ServeProcess, sqlite_in};
use serde_json::{Value, json};
use std::path::Path;
use warden::config::ServeConfig;
use warden::config::provider::{ProviderConfig, TokenSource};
use warden::config::vault::VaultSettings;

/// A `[[serve.provider]]` for the Vault at `url`, its token in a file only
/// the owner can read (as the server insists).
fn provider_toml(dir: &Path, url: &str, token: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let file = dir.join(format!("vault-token-{}", closed_port()));
    std::fs::write(&file, format!("{token}\n")).expect("token file");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    format!(
        "[[serve.provider]]\nkind = \"vault\"\nurl = \"{url}\"\ntoken_file = \"{}\"\n",
        file.display()
    )
}

/// `POST /v1/agents/<id>/kill` as the admin: the operation.
async fn kill(api: &Api, agent: &str, body: Value) -> Value {
    api.admin("POST", &format!("/v1/agents/{agent}/kill"), Some(body))
        .await
}

fn vault_steps(op: &Value) -> Vec<Value> {
    op["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter(|s| s["name"] == "vault_revoke")
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_vault_that_is_down_fails_the_kill_with_a_step_saying_so() {
    let home = tempfile::tempdir().expect("tempdir");
    let port = closed_port();
    let config = provider_toml(home.path(), &format!("http://127.0.0.1:{port}"), "s.any");
    // The server starts all the same: the Vault may come back before a kill.
    let server = ServeProcess::start(home.path(), &sqlite_in(home.path()), &config);
    let api = server.client();
    let agent = api.agent("vault-bot", None).await;
    let secret = api.secret(&agent).await;

    let plan = kill(&api, &agent, json!({"reason": "drill", "dry_run": true})).await;
    let steps = vault_steps(&plan);
    assert_eq!(steps.len(), 1, "{plan}");
    assert_eq!(steps[0]["status"], "failed", "{plan}");

    let op = kill(&api, &agent, json!({"reason": "vault down drill"})).await;
    assert_eq!(op["status"], "failed", "{op}");
    let steps = vault_steps(&op);
    assert_eq!(steps.len(), 1, "{op}");
    assert_eq!(steps[0]["status"], "failed", "{op}");
    assert_eq!(steps[0]["agent_id"], agent.as_str(), "{op}");
    let detail = steps[0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("Vault vault could not be read")
            && detail.contains("cannot reach Vault at http://127.0.0.1")
            && detail.contains(&port.to_string()),
        "{detail}"
    );
    // Warden's own part is done regardless: the agent is killed.
    assert_eq!(api.heartbeat(&secret).await, 403);
    let done = api
        .audit()
        .await
        .into_iter()
        .find(|e| e["action"] == "agent.kill")
        .expect("the kill is audited");
    let result = done["result"].as_str().unwrap_or_default();
    assert!(
        result.starts_with("failed: ") && result.contains("vault_revoke failed"),
        "{done}"
    );
}

#[tokio::test]
async fn a_provider_that_cannot_be_used_stops_the_server_before_it_serves() {
    let start = |token: TokenSource, url: &str| {
        let config = ServeConfig {
            providers: vec![ProviderConfig {
                name: "vault".into(),
                url: url.into(),
                token,
                ca_cert: None,
                allow_insecure_http: false,
                settings: VaultSettings::default(),
            }],
            ..ServeConfig::default()
        };
        async move {
            let store = warden::server::open_store("sqlite::memory:").expect("store");
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            match warden::server::start(store, config, None, listener).await {
                Ok(_) => panic!("started"),
                Err(e) => format!("{e:#}"),
            }
        }
    };
    let e = start(
        TokenSource::Env("WARDEN_TEST_SURELY_UNSET_VARIABLE".into()),
        "http://127.0.0.1:8200",
    )
    .await;
    assert!(
        e.contains("[[serve.provider]] \"vault\"")
            && e.contains("WARDEN_TEST_SURELY_UNSET_VARIABLE"),
        "{e}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("token");
    std::fs::write(&file, "s.secret-token\n").expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let e = start(TokenSource::File(file.clone()), "http://127.0.0.1:8200").await;
    assert!(
        e.contains("chmod 600") && !e.contains("s.secret-token"),
        "{e}"
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let e = start(TokenSource::File(file), "http://vault.example:8200").await;
    assert!(
        e.contains("in clear") && !e.contains("s.secret-token"),
        "{e}"
    );
}

#[test]
fn a_config_with_a_bad_provider_is_refused_by_warden_serve() {
    let home = tempfile::tempdir().expect("tempdir");
    let config = crate::support::cli::write_file(
        &home.path().join("config.toml"),
        "[[serve.provider]]\nkind = \"vault\"\nurl = \"http://127.0.0.1:8200\"\n",
    );
    let run = crate::support::cli::Run::of(
        crate::support::cli::warden(home.path())
            .arg("--config")
            .arg(&config)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database",
                "sqlite::memory:",
            ]),
    );
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("has no token") && run.stderr.contains("token_file"),
        "{}",
        run.stderr
    );
}
