//! The config's `[[backend]]`s of kind `vault`, as the dashboard watches
//! them: name, URL, token (`token_env`/`token_file`, else `VAULT_TOKEN` or
//! `BAO_TOKEN`, as Vault's and OpenBao's own CLIs read it), CA, what to
//! read and how to link it.

use crate::cli::backend::backend_token;
use crate::cli::error::CliError;
use crate::config::{BackendConfig, Config};
use crate::fleet::origin;
use crate::sources::{parse_refresh, vault::DEFAULT_VAULT_REFRESH};
use crate::tui::effects::vault_route::VaultTarget;
use crate::vault::{VaultClient, VaultConfig};

/// The environment variables Vault's and OpenBao's CLIs take a token from.
const TOKEN_VARS: [&str; 2] = ["VAULT_TOKEN", "BAO_TOKEN"];

/// The vault backends, in order, each checked (URL, token, CA, refresh) so
/// a mistake is said before the terminal is taken. `taken` are the names
/// of the other backends watched.
pub(crate) fn vault_targets(config: &Config, taken: &[&str]) -> Result<Vec<VaultTarget>, CliError> {
    let mut out: Vec<VaultTarget> = Vec::new();
    for b in config.backends.iter().filter(|b| b.kind == "vault") {
        origin::valid_name(&b.name)
            .map_err(|e| CliError::usage(format!("invalid [[backend]] in the config: {e}")))?;
        if taken.contains(&b.name.as_str()) || out.iter().any(|t| t.name == b.name) {
            return Err(CliError::usage(format!(
                "invalid config: two backends are called {:?}; each needs its own name",
                b.name
            )));
        }
        out.push(target(b)?);
    }
    Ok(out)
}

pub(crate) fn target(b: &BackendConfig) -> Result<VaultTarget, CliError> {
    let bad = |e: String| CliError::usage(format!("backend {:?}: {e}", b.name));
    let token = match (&b.token_env, &b.token_file) {
        (None, None) => TOKEN_VARS
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|t| !t.trim().is_empty()))
            .map(|t| t.trim().to_string())
            .ok_or_else(|| {
                bad("no token: add token_env or token_file, or set VAULT_TOKEN".into())
            })?,
        _ => backend_token(b, None)?,
    };
    let refresh = match &b.refresh {
        Some(r) => parse_refresh(r).map_err(bad)?,
        None => DEFAULT_VAULT_REFRESH,
    };
    let settings = b.vault_settings();
    let config = VaultConfig {
        url: b.url.clone(),
        token,
        namespace: settings.namespace.clone(),
        ca_cert: b.ca_cert.clone(),
        allow_insecure_http: b.allow_insecure_http,
        timeout: None,
    };
    // Builds the client once to check the URL and the CA file now.
    VaultClient::new(config.clone()).map_err(|e| bad(e.to_string()))?;
    Ok(VaultTarget {
        name: b.name.clone(),
        config,
        settings,
        refresh,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A config with one vault backend whose token is in a private file.
    fn config(dir: &tempfile::TempDir, url: &str, rest: &str) -> Config {
        let file = dir.path().join("token");
        std::fs::write(&file, "s.roottoken\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        Config::parse(&format!(
            "[[backend]]\nname = \"bao\"\nkind = \"vault\"\nurl = \"{url}\"\n\
             token_file = \"{}\"\n{rest}",
            file.display()
        ))
        .unwrap()
    }

    #[test]
    fn a_vault_backend_is_read_with_its_settings_and_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let rest = "lease_prefixes = [\"database/creds/\"]\n\
                    [[backend.link]]\nrole = \"bot\"\nagent = \"support-bot\"\n";
        let cfg = config(&dir, "http://127.0.0.1:8200", rest);
        let t = vault_targets(&cfg, &["prod"]).unwrap();
        assert_eq!(t[0].name, "bao");
        assert_eq!(t[0].refresh, DEFAULT_VAULT_REFRESH);
        assert_eq!(t[0].settings.approle_mounts, None, "found through sys/auth");
        assert_eq!(t[0].settings.lease_prefixes, ["database/creds/"]);
        assert_eq!(t[0].settings.link_key, "warden_agent");
        assert_eq!(t[0].settings.links.len(), 1);
        assert_eq!(t[0].config.token, "s.roottoken");
        let shown = format!("{:?}", t[0]);
        assert!(
            !shown.contains("roottoken"),
            "the token stays out of logs: {shown}"
        );
        let clash = vault_targets(&cfg, &["bao"]).unwrap_err();
        assert!(clash.message.contains("two backends"), "{}", clash.message);
    }

    #[test]
    fn a_bad_vault_backend_is_refused_before_the_screen_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let e = vault_targets(&config(&dir, "http://vault.example:8200", ""), &[]).unwrap_err();
        assert!(e.message.contains("in clear"), "{}", e.message);
        let e = vault_targets(
            &config(&dir, "http://127.0.0.1:8200", "refresh = \"1\"\n"),
            &[],
        )
        .unwrap_err();
        assert!(e.message.contains("poll interval"), "{}", e.message);
        let e = Config::parse(
            "[[backend]]\nname = \"b\"\nkind = \"vault\"\nurl = \"http://127.0.0.1:1\"\n\
             [[backend.link]]\nagent = \"x\"\n",
        )
        .unwrap_err();
        assert!(e.contains("matches nothing"), "{e}");
    }
}
