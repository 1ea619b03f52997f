//! `[[serve.provider]] kind = "vault"`: a kill through `warden serve`
//! revokes the agent's linked Vault credentials as steps of the kill, each
//! verified by asking Vault again, audited, and finished by the next
//! server when the first dies part-way. Against a real OpenBao where the
//! test needs one; a Vault that is down needs none.

use super::durable::{QUICK_HOOK, hanging_hook};
use crate::support::bao::Bao;
use crate::support::cli::closed_port;
use crate::support::serve::{self, Api, ServeProcess, sqlite_in, wait_for_file};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use warden::config::ServeConfig;
use warden::config::provider::{ProviderConfig, TokenSource};
use warden::config::vault::VaultSettings;

/// The AppRole mount and role the agents' secret-ids are made on.
const MOUNT: &str = "approle";
const ROLE: &str = "agents";

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

/// An agent's credentials in Vault, linked to it by their metadata.
struct AgentVault {
    token: String,
    token_accessor: String,
    secret_id: String,
    secret_id_accessor: String,
}

impl AgentVault {
    /// A token and a secret-id with `warden_agent=<agent>` (an agent's id
    /// or name).
    async fn create(bao: &Bao, agent: &str) -> AgentVault {
        let (token, token_accessor) = bao
            .create_token(json!({ "policies": ["default"], "meta": { "warden_agent": agent } }))
            .await;
        let metadata = json!({ "warden_agent": agent }).to_string();
        let (secret_id, secret_id_accessor) = bao
            .create_secret_id(MOUNT, ROLE, json!({ "metadata": metadata }))
            .await;
        AgentVault {
            token,
            token_accessor,
            secret_id,
            secret_id_accessor,
        }
    }

    fn ids(&self) -> [String; 2] {
        [
            format!("vault:token:{}", self.token_accessor),
            format!("vault:secret-id:{MOUNT}/{ROLE}/{}", self.secret_id_accessor),
        ]
    }

    /// Whether Vault still honours the token and the secret-id (used as
    /// the agent would: the token itself, a login with the secret-id).
    async fn usable(&self, bao: &Bao, role_id: &str) -> (bool, bool) {
        let token = match bao.lookup_self_status(&self.token).await {
            StatusCode::OK => true,
            StatusCode::FORBIDDEN => false,
            other => panic!("lookup-self answered {other}"),
        };
        let login = bao.login_approle(MOUNT, role_id, &self.secret_id).await;
        (token, login.is_ok())
    }
}

/// OpenBao with AppRole at [`MOUNT`] and the role [`ROLE`]: its role-id.
async fn approle(bao: &Bao) -> String {
    bao.enable_approle(MOUNT).await;
    bao.create_role(MOUNT, ROLE, json!({ "token_policies": ["default"] }))
        .await
}

/// A token for Warden holding only the least policy for what a provider
/// with the default settings reads (and, with `act`, revokes): the
/// AppRole mounts found through `sys/auth`.
async fn warden_token(bao: &Bao, act: bool) -> String {
    let settings = warden::config::vault::VaultSettings::default();
    let name = if act { "warden-act" } else { "warden-read" };
    bao.put_policy(name, &warden::vault::policy(&settings, act))
        .await;
    bao.create_token(json!({ "policies": [name], "no_parent": true }))
        .await
        .0
}

fn details(steps: &[Value]) -> String {
    steps
        .iter()
        .map(|s| s["detail"].as_str().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
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
    let by_cli = api.agent("cli-bot", None).await;

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
    let audit = api.audit().await;
    let failed: Vec<&Value> = audit
        .iter()
        .filter(|e| e["action"] == "vault.revoke")
        .collect();
    assert_eq!(
        failed.len(),
        1,
        "the step failed at plan time is audited once: {audit:?}"
    );
    let said = failed[0]["result"].as_str().unwrap_or_default();
    assert!(
        said.starts_with("failed: Vault vault could not be read"),
        "{said}"
    );
    assert_eq!(failed[0]["reason"], "vault down drill");
    let done = audit
        .into_iter()
        .find(|e| e["action"] == "agent.kill")
        .expect("the kill is audited");
    let result = done["result"].as_str().unwrap_or_default();
    assert!(
        result.starts_with("failed: ") && result.contains("vault_revoke failed"),
        "{done}"
    );

    // `warden kill` shows the step and exits 1.
    let run = crate::support::cli::Run::of(
        crate::support::cli::warden(home.path())
            .env("WARDEN_URL", &server.url)
            .env("WARDEN_TOKEN", serve::ADMIN)
            .args(["kill", &by_cli, "--reason", "cli drill", "--yes"]),
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("vault_revoke") && run.stdout.contains("cannot reach Vault"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("the kill operation failed"),
        "{}",
        run.stderr
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

#[tokio::test]
async fn a_kill_revokes_the_agent_s_vault_token_and_secret_id_and_nothing_else() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let role_id = approle(&bao).await;
    let home = tempfile::tempdir().expect("tempdir");
    let config = provider_toml(home.path(), &bao.url, &warden_token(&bao, true).await);
    let server = ServeProcess::start(home.path(), &sqlite_in(home.path()), &config);
    let api = server.client();
    let agent = api.agent("vault-bot", None).await;
    let other = api.agent("other-bot", None).await;
    // Linked by name for the agent, by id for the other one.
    let mine = AgentVault::create(&bao, "vault-bot").await;
    let theirs = AgentVault::create(&bao, &other).await;
    let (unlinked, _) = bao.create_token(json!({ "policies": ["default"] })).await;
    // The agent logged in with its secret-id: AppRole copies the
    // secret-id's metadata onto the token it issues, so that token is
    // linked to the agent too (destroying the secret-id alone would leave
    // it valid).
    let logged_in = bao
        .login_approle(MOUNT, &role_id, &mine.secret_id)
        .await
        .expect("login with the agent's secret-id");
    let (lookup, answer) = bao
        .call_as(&logged_in, "GET", "auth/token/lookup-self", None)
        .await;
    assert_eq!(lookup, StatusCode::OK);
    assert_eq!(
        answer["data"]["meta"]["warden_agent"], "vault-bot",
        "{answer}"
    );
    let login_accessor = answer["data"]["accessor"].as_str().expect("accessor");

    let op = kill(&api, &agent, json!({"reason": "leaked key"})).await;
    assert_eq!(op["status"], "succeeded", "{op}");
    let steps = vault_steps(&op);
    assert_eq!(steps.len(), 3, "{op}");
    for s in &steps {
        assert_eq!(s["status"], "ok", "{s}");
        assert_eq!(s["agent_id"], agent.as_str(), "{s}");
        let d = s["detail"].as_str().unwrap_or_default();
        assert!(
            d.ends_with("revoked; verified: Vault no longer has it"),
            "{d}"
        );
    }
    let all = details(&steps);
    for id in mine.ids() {
        assert!(all.contains(&id), "{id} in {all}");
    }
    assert!(
        all.contains(&format!("vault:token:{login_accessor}")),
        "{all}"
    );
    assert!(!all.contains(&theirs.token_accessor), "{all}");
    // The sweep comes after every revocation (the hooks come last).
    let last = op["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "vault_sweep"))
        .expect("the sweep step");
    assert_eq!(last["status"], "ok", "{op}");
    assert!(
        last["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("nothing more"),
        "{op}"
    );

    // Vault itself refuses them now, used as the agent would use them.
    assert_eq!(mine.usable(&bao, &role_id).await, (false, false));
    assert_eq!(
        bao.lookup_self_status(&logged_in).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(theirs.usable(&bao, &role_id).await, (true, true));
    assert_eq!(bao.lookup_self_status(&unlinked).await, StatusCode::OK);

    // One audit entry per Vault step: who, why, what, and the result.
    let audit = api.audit().await;
    let entries: Vec<&Value> = audit
        .iter()
        .filter(|e| e["action"] == "vault.revoke")
        .collect();
    assert_eq!(entries.len(), 3, "{audit:?}");
    let op_id = op["id"].as_str().expect("op id");
    let mut audited = Vec::new();
    for e in &entries {
        let actor = e["actor"].as_str().unwrap_or_default();
        assert!(!actor.is_empty() && !actor.starts_with("system"), "{e}");
        assert_eq!(e["reason"], "leaked key", "{e}");
        let target = e["target"].as_str().unwrap_or_default();
        let id = target.split(' ').next().unwrap_or_default();
        assert!(target.contains(&agent) && target.contains(op_id), "{e}");
        let result = e["result"].as_str().unwrap_or_default();
        assert!(result.starts_with(&format!("ok: {id}: revoked")), "{e}");
        audited.push(id.to_string());
    }
    for id in mine.ids() {
        assert!(audited.contains(&id), "{id} audited: {audited:?}");
    }
    assert_eq!(api.verify().await["ok"], true);
}

#[tokio::test]
async fn a_dry_run_lists_the_vault_steps_and_revokes_nothing() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let role_id = approle(&bao).await;
    let home = tempfile::tempdir().expect("tempdir");
    let config = provider_toml(home.path(), &bao.url, &bao.root_token);
    let server = ServeProcess::start(home.path(), &sqlite_in(home.path()), &config);
    let api = server.client();
    let agent = api.agent("vault-bot", None).await;
    let bystander = api.agent("bystander", None).await;
    let mine = AgentVault::create(&bao, "vault-bot").await;

    let plan = kill(&api, &agent, json!({"reason": "drill", "dry_run": true})).await;
    assert_eq!(plan["status"], "planned", "{plan}");
    let steps = vault_steps(&plan);
    assert_eq!(steps.len(), 2, "{plan}");
    assert!(steps.iter().all(|s| s["status"] == "pending"), "{plan}");
    let all = details(&steps);
    for id in mine.ids() {
        assert!(
            all.contains(&format!("{id}: will revoke in Vault vault (")),
            "{id} in {all}"
        );
    }
    assert!(
        all.contains("linked by metadata warden_agent=vault-bot"),
        "{all}"
    );
    let last = plan["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "vault_sweep"))
        .expect("the sweep step");
    assert_eq!(
        (&last["name"], &last["status"]),
        (&json!("vault_sweep"), &json!("pending")),
        "{plan}"
    );

    assert_eq!(mine.usable(&bao, &role_id).await, (true, true));
    let detail = api.admin("GET", &format!("/v1/agents/{agent}"), None).await;
    assert_ne!(detail["status"], "killed", "{detail}");
    assert!(
        api.audit()
            .await
            .iter()
            .all(|e| e["action"] != "vault.revoke"),
        "a dry run audits no revocation"
    );

    // An agent with nothing in Vault is told so, not silently passed over.
    let plan = kill(
        &api,
        &bystander,
        json!({"reason": "drill", "dry_run": true}),
    )
    .await;
    let steps = vault_steps(&plan);
    assert_eq!(steps.len(), 1, "{plan}");
    assert_eq!(steps[0]["status"], "skipped", "{plan}");
    assert!(details(&steps).contains("no credential there is linked to bystander"));
}

#[tokio::test]
async fn a_token_that_may_not_revoke_fails_the_step_naming_path_and_capability() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let role_id = approle(&bao).await;
    let home = tempfile::tempdir().expect("tempdir");
    let config = provider_toml(home.path(), &bao.url, &warden_token(&bao, false).await);
    let server = ServeProcess::start(home.path(), &sqlite_in(home.path()), &config);
    let api = server.client();
    let agent = api.agent("vault-bot", None).await;
    let mine = AgentVault::create(&bao, "vault-bot").await;

    let op = kill(&api, &agent, json!({"reason": "read-only drill"})).await;
    assert_eq!(op["status"], "failed", "{op}");
    let steps = vault_steps(&op);
    assert_eq!(steps.len(), 2, "{op}");
    assert!(steps.iter().all(|s| s["status"] == "failed"), "{op}");
    let all = details(&steps);
    assert!(
        all.contains("permission denied on auth/token/revoke-accessor")
            && all.contains("\"update\" capability"),
        "{all}"
    );
    assert!(
        all.contains(&format!(
            "permission denied on auth/{MOUNT}/role/{ROLE}/secret-id-accessor/destroy"
        )),
        "{all}"
    );
    assert_eq!(mine.usable(&bao, &role_id).await, (true, true));
}

/// As `serve_durable`: the kill is held in root's runtime hook, which runs
/// only once every Vault credential of the tree is revoked (child's too,
/// and a login made mid-way is refused), the server is SIGKILLed, and the
/// next server on the same database finishes the kill. On SQLite and on
/// PostgreSQL.
async fn interrupted_vault_steps_are_finished_on_restart(database: Option<String>) {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let role_id = approle(&bao).await;
    let home = tempfile::tempdir().expect("tempdir");
    let database = database.unwrap_or_else(|| sqlite_in(home.path()));
    let provider = provider_toml(home.path(), &bao.url, &warden_token(&bao, true).await);
    let marker = home.path().join("hook-started");
    let first = ServeProcess::start(
        home.path(),
        &database,
        &format!("{}{provider}", hanging_hook(&marker)),
    );
    let api = first.client();
    let root = api.agent("root-agent", Some("slow:pod-1")).await;
    let child = api.agent("child-agent", None).await;
    api.admin(
        "POST",
        "/v1/delegations",
        Some(json!({"parent_agent": root, "child_agent": child, "scopes": ["tickets:read"]})),
    )
    .await;
    let root_vault = AgentVault::create(&bao, "root-agent").await;
    let child_vault = AgentVault::create(&bao, "child-agent").await;

    let killer = api.clone();
    let root_id = root.clone();
    let kill = tokio::spawn(async move {
        killer
            .call(
                "POST",
                &format!("/v1/agents/{root_id}/kill"),
                serve::ADMIN,
                Some(json!({"reason": "vault durability drill", "cascade": true})),
            )
            .await
    });
    if !wait_for_file(&marker, 60).await {
        panic!(
            "the kill never reached root's hook; it answered {:?}",
            kill.await
        );
    }
    // In the hook: the whole tree is revoked in Vault, the child too, and
    // its secret-id logs in no more.
    assert_eq!(root_vault.usable(&bao, &role_id).await, (false, false));
    assert_eq!(child_vault.usable(&bao, &role_id).await, (false, false));
    assert!(
        bao.login_approle(MOUNT, &role_id, &child_vault.secret_id)
            .await
            .is_err(),
        "a destroyed secret-id logs in"
    );
    first.sigkill();
    assert!(kill.await.expect("kill task").is_err());

    let second = ServeProcess::start(home.path(), &database, &format!("{QUICK_HOOK}{provider}"));
    let api = second.client();
    // The resumed hook runs after the server listens: wait for the end.
    for _ in 0..100 {
        if api
            .audit()
            .await
            .iter()
            .any(|e| e["action"] == "agent.kill")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let audit = api.audit().await;
    let revoked: Vec<&Value> = audit
        .iter()
        .filter(|e| e["action"] == "vault.revoke")
        .collect();
    assert_eq!(revoked.len(), 4, "{revoked:?}");
    let resumed = audit
        .iter()
        .find(|e| e["action"] == "agent.kill")
        .and_then(|e| e["actor"].as_str())
        .unwrap_or_default();
    assert!(resumed.starts_with("system (resuming op_"), "{resumed}");
    for e in &revoked {
        // All before the crash, by whoever asked for the kill.
        let actor = e["actor"].as_str().unwrap_or_default();
        assert!(!actor.starts_with("system (resuming"), "{e}");
        assert_eq!(e["reason"], "vault durability drill", "{e}");
        assert!(
            e["result"]
                .as_str()
                .unwrap_or_default()
                .starts_with("ok: vault:"),
            "{e}"
        );
    }
    let sweep = audit
        .iter()
        .find(|e| e["action"] == "vault.sweep")
        .expect("the sweep is audited");
    let said = sweep["result"].as_str().unwrap_or_default();
    assert!(said.starts_with("ok: Vault vault: read again"), "{sweep}");
    let done = audit
        .iter()
        .find(|e| e["action"] == "agent.kill")
        .expect("the finished kill is audited");
    let result = done["result"].as_str().unwrap_or_default();
    assert!(
        result.starts_with("succeeded: ")
            && result.contains("vault_revoke ok")
            && result.contains("vault_sweep ok"),
        "{done}"
    );
    assert!(!result.contains("failed"), "{done}");
    assert_eq!(api.verify().await["ok"], true);
}

/// `warden demo` takes the config's providers: a kill in the demo revokes
/// the agent's Vault token too.
#[tokio::test]
async fn a_kill_in_the_demo_revokes_in_vault() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    // No AppRole in this Vault: none is found through sys/auth, and none
    // is missed.
    let toml = provider_toml(dir.path(), &bao.url, &bao.root_token);
    let config = warden::config::Config::parse(&toml).expect("config");
    let demo = warden::demo::Demo::start(warden::demo::DemoOptions {
        simulate: false,
        incidents: None,
        providers: config.serve.providers,
        ..warden::demo::DemoOptions::new(5, 7, "127.0.0.1:0".parse().expect("addr"))
    })
    .await
    .expect("demo");
    let http = reqwest::Client::new();
    let agents: Value = http
        .get(format!("{}/v1/agents?limit=5", demo.url))
        .bearer_auth(&demo.token)
        .send()
        .await
        .expect("agents")
        .json()
        .await
        .expect("json");
    let agent = agents["items"][0].clone();
    let id = agent["id"].as_str().unwrap_or_else(|| panic!("{agents}"));
    let (token, accessor) = bao
        .create_token(json!({ "policies": ["default"], "meta": { "warden_agent": id } }))
        .await;
    let op: Value = http
        .post(format!("{}/v1/agents/{id}/kill", demo.url))
        .bearer_auth(&demo.token)
        .json(&json!({"reason": "demo drill"}))
        .send()
        .await
        .expect("kill")
        .json()
        .await
        .expect("json");
    let steps = vault_steps(&op);
    assert_eq!(steps.len(), 1, "{op}");
    assert_eq!(steps[0]["status"], "ok", "{op}");
    assert!(
        details(&steps).contains(&format!("vault:token:{accessor}")),
        "{op}"
    );
    assert_eq!(bao.lookup_self_status(&token).await, StatusCode::FORBIDDEN);
    demo.shutdown().await;
}

#[tokio::test]
async fn vault_steps_interrupted_by_sigkill_are_finished_by_the_next_server() {
    interrupted_vault_steps_are_finished_on_restart(None).await;
}

#[tokio::test]
async fn vault_steps_interrupted_by_sigkill_are_finished_on_postgres() {
    if !crate::support::server::postgres_available("the interrupted Vault steps on PostgreSQL") {
        return;
    }
    let database = crate::support::server::PgDatabase::create();
    interrupted_vault_steps_are_finished_on_restart(Some(database.url.clone())).await;
}
