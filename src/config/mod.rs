//! The config file (`config.toml` in the platform config dir, or
//! `--config`/`WARDEN_CONFIG`): the dashboard's backends and preferences,
//! and the `[serve]` section read by `warden serve`. Every key is optional.
//! The thresholds of `[serve.rules]` are in [`rules`]; both sides read this
//! file, so it imports neither the server nor the dashboard.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub mod audit_sink;
pub mod guardrail;
pub mod provider;
pub mod rules;
pub mod token;
pub mod vault;

pub use audit_sink::{AuditSinkConfig, SinkKind};
pub use guardrail::{GuardAction, GuardrailConfig};
pub use provider::ProviderConfig;
pub use rules::RuleThresholds;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub theme: Option<String>,
    /// Poll interval, e.g. `2s`.
    pub refresh: Option<String>,
    #[serde(default)]
    pub readonly: bool,
    pub bell: Option<bool>,
    #[serde(default, rename = "backend")]
    pub backends: Vec<BackendConfig>,
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    #[serde(default)]
    pub serve: ServeConfig,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BackendConfig {
    pub name: String,
    #[serde(default = "default_kind")]
    pub kind: String,
    pub url: String,
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
    /// Kind `alertmanager`: the label that names an alert's agent (absent:
    /// `agent_id`, then `agent`).
    pub agent_label: Option<String>,
    /// Kind `alertmanager`: how long the silence made by an
    /// acknowledgement lasts, e.g. `4h` (the default), `30m`, `2d`.
    pub silence: Option<String>,
    /// Kind `warden`: allow a plain `http://` URL to a host that is not
    /// this machine (the token crosses the network in clear).
    #[serde(default)]
    pub allow_insecure_http: bool,
    /// Kinds `warden` and `vault`: a PEM file of CA certificates to trust
    /// for this backend, besides the platform's.
    pub ca_cert: Option<PathBuf>,
    /// Kind `vault`: how often to read it, e.g. `30s` (the default: each
    /// read looks up every token, one request each).
    pub refresh: Option<String>,
    /// Kind `vault`: the Vault Enterprise / OpenBao namespace.
    pub namespace: Option<String>,
    /// Kind `vault`: read every token through `auth/token/accessors`
    /// (default true).
    pub tokens: Option<bool>,
    /// Kind `vault`: the AppRole mounts to read (default: every AppRole
    /// mount `sys/auth` lists).
    pub approle_mounts: Option<Vec<String>>,
    /// Kind `vault`: read identity entities (default true).
    pub entities: Option<bool>,
    /// Kind `vault`: lease prefixes of dynamic secrets to read, e.g.
    /// `["database/creds/"]` (default none).
    #[serde(default)]
    pub lease_prefixes: Vec<String>,
    /// Kind `vault`: the metadata key naming an identity's agent (default
    /// `warden_agent`).
    pub link_key: Option<String>,
    /// Kind `vault`: mapping rules from identities to agents.
    #[serde(default, rename = "link")]
    pub links: Vec<vault::LinkRule>,
}

impl BackendConfig {
    /// What a vault backend reads and how it links, with the defaults.
    pub fn vault_settings(&self) -> vault::VaultSettings {
        let d = vault::VaultSettings::default();
        vault::VaultSettings {
            namespace: self.namespace.clone(),
            tokens: self.tokens.unwrap_or(d.tokens),
            approle_mounts: self.approle_mounts.clone().or(d.approle_mounts),
            entities: self.entities.unwrap_or(d.entities),
            lease_prefixes: self.lease_prefixes.clone(),
            link_key: self.link_key.clone().unwrap_or(d.link_key),
            links: self.links.clone(),
        }
    }
}

fn default_kind() -> String {
    "warden".into()
}

/// What `warden serve` reads: the runtime hooks the kill switch fires, the
/// credential providers it revokes in (`[[serve.provider]]`), the
/// thresholds of the detection rules (`[serve.rules]`), the Alertmanagers
/// its alerts are pushed to, who may scrape `/metrics`, and its TLS files.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    #[serde(default, rename = "hook")]
    pub hooks: Vec<HookConfig>,
    /// Where a kill also revokes the agent's credentials: Vault/OpenBao.
    #[serde(default, rename = "provider", deserialize_with = "provider::checked")]
    pub providers: Vec<ProviderConfig>,
    #[serde(default, deserialize_with = "rules::checked")]
    pub rules: RuleThresholds,
    /// `[[serve.guardrail]]`: automatic actions on alerts; none by default.
    #[serde(default, rename = "guardrail")]
    pub guardrails: Vec<GuardrailConfig>,
    /// Alertmanager URLs that Warden's own alerts are pushed to (with
    /// `warden serve --alertmanager URL`'s added).
    #[serde(default)]
    pub alertmanager: Vec<String>,
    /// Who may read `GET /metrics`: `"viewer"` (the default: any person
    /// token) or `"public"` (no token).
    #[serde(default)]
    pub metrics: MetricsAccess,
    /// Serve HTTPS with this certificate chain (PEM); needs `tls_key`.
    /// `--tls-cert` wins over it.
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// Seconds a client has to send a whole request head (and on HTTPS to
    /// finish its handshake) from connecting or from a request's first
    /// byte (default 10).
    pub header_timeout_seconds: Option<u64>,
    /// Seconds a kept-alive connection may wait for its next request
    /// (default 60).
    pub idle_timeout_seconds: Option<u64>,
    /// Seconds a request's body has to arrive whole (default 30).
    pub body_timeout_seconds: Option<u64>,
    /// Seconds an answer may wait on a client that does not read it
    /// (default 30): no byte of it accepted by the socket in that time
    /// closes the connection.
    pub write_timeout_seconds: Option<u64>,
    /// Most connections open at once (default 4096), and always fewer
    /// than the process's file-descriptor limit allows.
    pub max_connections: Option<usize>,
    /// The Ed25519 key that signs the audit chain's checkpoints (created
    /// 0600 if missing; `WARDEN_AUDIT_KEY` wins). `warden serve` defaults it
    /// to `audit.key` in the state dir.
    pub audit_key: Option<PathBuf>,
    /// The append-only file of signed checkpoints. `warden serve` defaults
    /// it to the state dir; with neither this nor `audit_key`, a server
    /// started in-process keeps no checkpoints.
    pub audit_checkpoints: Option<PathBuf>,
    /// A checkpoint after this many new entries (default 100)…
    pub audit_checkpoint_entries: Option<u64>,
    /// …or this many seconds after the last one when there are new entries
    /// (default 10).
    pub audit_checkpoint_seconds: Option<u64>,
    /// Public keys (hex) of other servers, or of this server's earlier
    /// keys, whose checkpoints `GET /v1/audit/verify` trusts too.
    #[serde(default)]
    pub audit_trusted_keys: Vec<String>,
    /// Where the audit trail and its checkpoints are streamed.
    #[serde(default, rename = "audit_sink")]
    pub audit_sinks: Vec<AuditSinkConfig>,
    /// The name of a sink that must be delivering for the server to take
    /// an action: refused with 503 while it is down.
    pub require_sink: Option<String>,
    /// The Ed25519 keys that sign exchanged access tokens (created 0600 if
    /// missing; `WARDEN_TOKEN_KEYS` wins). `warden serve` defaults it to
    /// `token-keys` in the state dir; without it a server started
    /// in-process signs with a key that lives as long as the process.
    pub token_keys: Option<PathBuf>,
    /// The `iss` of exchanged tokens (default: this server's URL as the
    /// request reached it).
    pub token_issuer: Option<String>,
    /// Life of an exchanged token in seconds (default 900, at most 3600);
    /// never longer than its subject's.
    pub token_ttl_seconds: Option<u64>,
}

/// Who may read `GET /metrics` (`[serve] metrics`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricsAccess {
    /// A person token of any role, as for every read of the API: the counts
    /// say how large the fleet is and how much is wrong with it.
    #[default]
    Viewer,
    /// No token: for a scraper on a network that is already trusted.
    Public,
}

/// A runtime hook: how to stop an agent's running process when it is
/// killed. The first hook whose `runtime_prefix` starts the agent's
/// `runtime` is used; an empty prefix matches every agent with a runtime.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(try_from = "RawHook")]
pub struct HookConfig {
    pub runtime_prefix: String,
    pub action: HookAction,
    /// Seconds before the hook counts as failed.
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HookAction {
    /// Runs `argv` with `{agent_id}`, `{agent_name}` and `{runtime}` filled in.
    Command { argv: Vec<String> },
    /// POSTs the agent as JSON, signed with HMAC-SHA256 of the body under the
    /// secret read from `secret_env`, in the `X-Warden-Signature` header.
    Webhook { url: String, secret_env: String },
}

/// A hook as written in the file: flat, so that an unknown or misplaced key
/// is refused with its name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHook {
    #[serde(default)]
    runtime_prefix: String,
    kind: String,
    argv: Option<Vec<String>>,
    url: Option<String>,
    secret_env: Option<String>,
    timeout_seconds: Option<u64>,
}

impl TryFrom<RawHook> for HookConfig {
    type Error = String;

    fn try_from(raw: RawHook) -> Result<Self, String> {
        let action = match (raw.kind.as_str(), raw.argv, raw.url, raw.secret_env) {
            ("command", Some(argv), None, None) if !argv.is_empty() => HookAction::Command { argv },
            ("command", _, None, None) => {
                return Err("a command hook needs a non-empty `argv`".into());
            }
            ("command", ..) => {
                return Err("a command hook takes `argv`, not `url` or `secret_env`".into());
            }
            ("webhook", None, Some(url), Some(secret_env)) => {
                HookAction::Webhook { url, secret_env }
            }
            ("webhook", None, ..) => {
                return Err("a webhook hook needs `url` and `secret_env`".into());
            }
            ("webhook", Some(_), ..) => {
                return Err("a webhook hook takes `url` and `secret_env`, not `argv`".into());
            }
            (other, ..) => {
                return Err(format!(
                    "unknown hook kind {other:?}; expected \"command\" or \"webhook\""
                ));
            }
        };
        Ok(HookConfig {
            runtime_prefix: raw.runtime_prefix,
            action,
            timeout_seconds: raw.timeout_seconds.unwrap_or(10),
        })
    }
}

impl ServeConfig {
    /// The hook that stops this runtime, if any.
    pub fn hook_for(&self, runtime: Option<&str>) -> Option<&HookConfig> {
        let runtime = runtime?;
        self.hooks
            .iter()
            .find(|h| runtime.starts_with(&h.runtime_prefix))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config {path}: {message}")]
    Parse { path: PathBuf, message: String },
}

impl Config {
    /// The default location: `config.toml` in the platform config dir.
    pub fn default_path() -> Option<PathBuf> {
        crate::dirs::project().map(|d| d.config_dir().join("config.toml"))
    }

    /// Loads `path` if given (it must exist), else the default file if it
    /// exists, else the empty config.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        match path {
            Some(p) => Self::load_file(p),
            None => match Self::default_path() {
                Some(p) if p.exists() => Self::load_file(&p),
                _ => Ok(Config::default()),
            },
        }
    }

    pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.to_owned(),
            message,
        })
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_contract_example() {
        let cfg = Config::parse(
            r#"
theme = "default"
refresh = "2s"
readonly = false
bell = true

[[backend]]
name = "prod"
kind = "warden"
url = "https://warden.corp.example:7878"
token_env = "WARDEN_PROD_TOKEN"

[[backend]]
name = "alerts"
kind = "alertmanager"
url = "http://127.0.0.1:9093"
agent_label = "agent_id"

[keys]
kill = "K"
freeze = "f"

[[serve.hook]]
runtime_prefix = "pid:"
kind = "command"
argv = ["kill", "{runtime}"]

[[serve.hook]]
kind = "webhook"
url = "http://127.0.0.1:9000/stop"
secret_env = "HOOK_SECRET"
"#,
        )
        .unwrap();
        assert_eq!(cfg.backends.len(), 2);
        assert_eq!(cfg.backends[1].kind, "alertmanager");
        assert_eq!(cfg.keys["kill"], "K");
        let hook = cfg.serve.hook_for(Some("pid:42")).unwrap();
        assert!(matches!(hook.action, HookAction::Command { .. }));
        let hook = cfg.serve.hook_for(Some("k8s:prod/bot")).unwrap();
        assert!(matches!(hook.action, HookAction::Webhook { .. }));
        assert!(cfg.serve.hook_for(None).is_none());
    }

    #[test]
    fn a_bad_hook_is_refused_with_what_is_wrong() {
        let err =
            Config::parse("[[serve.hook]]\nkind = \"command\"\nurl = \"http://x\"").unwrap_err();
        assert!(err.contains("argv"), "{err}");
        let err = Config::parse("[[serve.hook]]\nkind = \"shell\"\nargv = [\"x\"]").unwrap_err();
        assert!(err.contains("unknown hook kind"), "{err}");
        let err = Config::parse("[[serve.hook]]\nkind = \"command\"\nargv = [\"x\"]\nargs = 1")
            .unwrap_err();
        assert!(err.contains("args"), "{err}");
    }

    #[test]
    fn rule_thresholds_default_and_override_one_key_at_a_time() {
        let cfg = Config::parse("").unwrap();
        assert_eq!(cfg.serve.rules, RuleThresholds::default());
        let cfg = Config::parse(
            "[serve.rules]\ndormant_days = 14\nmcp_allow_list = [\"github-mcp\"]\nspike_factor = 3.5",
        )
        .unwrap();
        let r = &cfg.serve.rules;
        assert_eq!(r.dormant_days, 14);
        assert_eq!(r.dormant_high_days, 90, "an absent key keeps its default");
        assert_eq!(r.mcp_allow_list, ["github-mcp"]);
        assert_eq!(r.spike_factor, 3.5);
    }

    #[test]
    fn a_bad_rule_threshold_is_refused_with_its_name() {
        let err = Config::parse("[serve.rules]\ndormant_day = 14").unwrap_err();
        assert!(err.contains("dormant_day"), "{err}");
        let err =
            Config::parse("[serve.rules]\ndormant_days = 100\ndormant_high_days = 90").unwrap_err();
        assert!(err.contains("dormant_high_days"), "{err}");
        let err = Config::parse("[serve.rules]\nquiet_minutes = -1").unwrap_err();
        assert!(err.contains("quiet_minutes"), "{err}");
    }

    #[test]
    fn server_limits_are_read_from_serve() {
        let cfg = Config::parse(
            "[serve]\nheader_timeout_seconds = 5\nidle_timeout_seconds = 30\n\
             body_timeout_seconds = 20\nmax_connections = 100",
        )
        .unwrap();
        assert_eq!(cfg.serve.header_timeout_seconds, Some(5));
        assert_eq!(cfg.serve.idle_timeout_seconds, Some(30));
        assert_eq!(cfg.serve.body_timeout_seconds, Some(20));
        assert_eq!(cfg.serve.max_connections, Some(100));
        let err = Config::parse("[serve]\nheader_timeout = 5").unwrap_err();
        assert!(err.contains("header_timeout"), "{err}");
    }

    #[test]
    fn unknown_key_is_refused_with_its_name() {
        let err = Config::parse("colour = \"red\"").unwrap_err();
        assert!(err.contains("colour"), "{err}");
    }
}
