//! `[[serve.provider]]`: a credential provider `warden serve` acts on when
//! it kills an agent. The one kind is `vault` (HashiCorp Vault or
//! OpenBao): a kill revokes the agent's linked Vault credentials, as steps
//! of the kill. What is read there and how it is linked are the keys of a
//! vault `[[backend]]` ([`VaultSettings`]), so the server links exactly as
//! the dashboard does.
//!
//! ```toml
//! [[serve.provider]]
//! kind = "vault"
//! url = "https://vault.example:8200"
//! token_file = "/etc/warden/vault-token"   # or token_env = "WARDEN_VAULT_TOKEN"
//! approle_mounts = ["approle"]
//! [[serve.provider.link]]
//! role = "support-bot"
//! agent = "support-bot"
//! ```

use super::token;
use super::vault::{LinkRule, VaultSettings};
use serde::{Deserialize, Deserializer};
use std::path::PathBuf;

/// The name of a provider that names none.
pub const DEFAULT_NAME: &str = "vault";

/// One `[[serve.provider]]`, checked.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawProvider")]
pub struct ProviderConfig {
    /// Names the provider in a kill's steps (`vault` unless given): a step
    /// recorded before a crash is finished by the provider of that name.
    pub name: String,
    pub url: String,
    pub token: TokenSource,
    /// A PEM file of CA certificates to trust besides the platform's.
    pub ca_cert: Option<PathBuf>,
    /// Plain `http://` to another host (the token would cross in clear).
    pub allow_insecure_http: bool,
    /// What to read, how to link it; its namespace is the provider's.
    pub settings: VaultSettings,
}

/// Where a provider's token is read from. Only when the server starts: the
/// config holds the variable's name or the file's path, never the token.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenSource {
    Env(String),
    File(PathBuf),
}

impl TokenSource {
    pub fn read(&self) -> Result<String, String> {
        match self {
            TokenSource::Env(var) => token::from_env(var),
            TokenSource::File(path) => token::from_file(path),
        }
    }
}

/// A provider as written in the file: flat, so that an unknown or
/// misplaced key is refused with its name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    name: Option<String>,
    kind: Option<String>,
    url: Option<String>,
    token_env: Option<String>,
    token_file: Option<PathBuf>,
    namespace: Option<String>,
    ca_cert: Option<PathBuf>,
    #[serde(default)]
    allow_insecure_http: bool,
    tokens: Option<bool>,
    approle_mounts: Option<Vec<String>>,
    entities: Option<bool>,
    #[serde(default)]
    lease_prefixes: Vec<String>,
    link_key: Option<String>,
    #[serde(default)]
    link: Vec<LinkRule>,
}

impl TryFrom<RawProvider> for ProviderConfig {
    type Error = String;

    fn try_from(raw: RawProvider) -> Result<Self, String> {
        let name = raw.name.unwrap_or_else(|| DEFAULT_NAME.into());
        valid_name(&name)?;
        let this = format!("[[serve.provider]] {name:?}");
        match raw.kind.as_deref() {
            Some("vault") => {}
            Some(other) => {
                return Err(format!(
                    "{this}: unknown provider kind {other:?}; expected \"vault\""
                ));
            }
            None => return Err(format!("{this} needs kind = \"vault\"")),
        }
        let url = raw
            .url
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| format!("{this} needs `url`, e.g. https://vault.example:8200"))?;
        let token = match (raw.token_env, raw.token_file) {
            (Some(var), None) if !var.trim().is_empty() => TokenSource::Env(var),
            (None, Some(path)) => TokenSource::File(path),
            (Some(_), Some(_)) => {
                return Err(format!("{this}: give token_env or token_file, not both"));
            }
            _ => {
                return Err(format!(
                    "{this} has no token: add token_env (a variable holding the Vault \
                     token) or token_file (a file only its owner can read)"
                ));
            }
        };
        let d = VaultSettings::default();
        let settings = VaultSettings {
            namespace: raw.namespace.filter(|n| !n.trim().is_empty()),
            tokens: raw.tokens.unwrap_or(d.tokens),
            approle_mounts: raw.approle_mounts.or(d.approle_mounts),
            entities: raw.entities.unwrap_or(d.entities),
            lease_prefixes: raw.lease_prefixes,
            link_key: raw.link_key.unwrap_or(d.link_key),
            links: raw.link,
        };
        if settings.link_key.trim().is_empty() {
            return Err(format!("{this}: link_key must not be empty"));
        }
        Ok(ProviderConfig {
            name,
            url,
            token,
            ca_cert: raw.ca_cert,
            allow_insecure_http: raw.allow_insecure_http,
            settings,
        })
    }
}

/// A provider's name goes into the steps of a kill, between fixed words:
/// letters, digits, `-`, `_` and `.` only.
fn valid_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "[[serve.provider]] name {name:?}: use 1 to 64 letters, digits, '-', '_' or '.'"
        ))
    }
}

/// The providers, refused when two share a name (a recorded step names
/// the one that finishes it).
pub fn checked<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ProviderConfig>, D::Error> {
    use serde::de::Error;
    let providers = Vec::<ProviderConfig>::deserialize(d)?;
    for (i, p) in providers.iter().enumerate() {
        if providers[..i].iter().any(|q| q.name == p.name) {
            return Err(D::Error::custom(format!(
                "two [[serve.provider]] are called {:?}; give each its own `name`",
                p.name
            )));
        }
    }
    Ok(providers)
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::config::provider::TokenSource;
    use crate::config::vault::LinkMatch;

    #[test]
    fn a_vault_provider_takes_a_backend_s_read_and_link_keys() {
        let cfg = Config::parse(
            r#"
[[serve.provider]]
kind = "vault"
url = "https://vault.example:8200"
token_env = "WARDEN_VAULT_TOKEN"
namespace = "team1"
approle_mounts = ["approle", "ci/approle"]
lease_prefixes = ["database/creds/"]
link_key = "agent"
[[serve.provider.link]]
role = "support-*"
agent = "support-bot"

[[serve.provider]]
name = "bao-2"
kind = "vault"
url = "http://127.0.0.1:8200"
token_file = "/etc/warden/bao-token"
entities = false
"#,
        )
        .unwrap();
        let [a, b] = &cfg.serve.providers[..] else {
            panic!("{:?}", cfg.serve.providers)
        };
        assert_eq!(a.name, "vault");
        assert_eq!(a.token, TokenSource::Env("WARDEN_VAULT_TOKEN".into()));
        assert_eq!(a.settings.namespace.as_deref(), Some("team1"));
        assert_eq!(
            a.settings.approle_mounts,
            Some(vec!["approle".into(), "ci/approle".into()])
        );
        assert_eq!(a.settings.lease_prefixes, ["database/creds/"]);
        assert_eq!(a.settings.link_key, "agent");
        assert!(a.settings.tokens && a.settings.entities);
        assert_eq!(
            a.settings.links[0].matches,
            LinkMatch::Role("support-*".into())
        );
        assert_eq!(b.name, "bao-2");
        assert_eq!(b.token, TokenSource::File("/etc/warden/bao-token".into()));
        assert_eq!(b.settings.approle_mounts, None, "found through sys/auth");
        assert_eq!(b.settings.link_key, "warden_agent");
        assert!(!b.settings.entities);
    }

    #[test]
    fn a_bad_provider_is_refused_with_what_is_wrong() {
        let base = "url = \"http://127.0.0.1:8200\"\ntoken_env = \"T\"\n";
        for (toml, says) in [
            (
                format!("kind = \"aws\"\n{base}"),
                "unknown provider kind \"aws\"",
            ),
            (base.to_string(), "needs kind = \"vault\""),
            (
                "kind = \"vault\"\nurl = \"http://127.0.0.1:8200\"\n".into(),
                "has no token",
            ),
            (
                format!("kind = \"vault\"\n{base}token_file = \"/t\"\n"),
                "not both",
            ),
            (
                "kind = \"vault\"\ntoken_env = \"T\"\n".into(),
                "needs `url`",
            ),
            (
                format!("kind = \"vault\"\n{base}tokenfile = \"/t\"\n"),
                "tokenfile",
            ),
            (
                format!("kind = \"vault\"\nname = \"a b\"\n{base}"),
                "name \"a b\"",
            ),
            (
                format!("kind = \"vault\"\n{base}[[serve.provider.link]]\nagent = \"x\"\n"),
                "matches nothing",
            ),
        ] {
            let e = Config::parse(&format!("[[serve.provider]]\n{toml}")).unwrap_err();
            assert!(e.contains(says), "{toml}: {e}");
        }
        let twice = format!(
            "[[serve.provider]]\nkind = \"vault\"\n{base}[[serve.provider]]\nkind = \"vault\"\n{base}"
        );
        let e = Config::parse(&twice).unwrap_err();
        assert!(
            e.contains("two [[serve.provider]] are called \"vault\""),
            "{e}"
        );
    }
}
