//! Which backend a command talks to, and with which token.
//!
//! In order: `--url`/`WARDEN_URL` with `--token`/`WARDEN_TOKEN`; else the
//! first `[[backend]]` of kind `warden` in the config file, with the token
//! from its `token_env` or `token_file` (or `--token` when it names
//! neither); else a usage error that says exactly how to get one.

use super::args::Global;
use super::error::CliError;
use crate::api::client::{Client, ConnectOptions};
use crate::config::{BackendConfig, Config, token};

/// A backend to talk to: where, and how to introduce ourselves.
pub struct Backend {
    pub url: String,
    pub token: String,
    /// Where the choice came from, for messages: `--url` or `backend "prod"`.
    pub source: String,
    /// Plain HTTP allowed, an extra CA: the flags', else the backend's.
    pub options: ConnectOptions,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .field("source", &self.source)
            .field("options", &self.options)
            .finish()
    }
}

impl Backend {
    pub fn client(&self) -> Result<Client, CliError> {
        Ok(Client::with_options(
            &self.url,
            Some(&self.token),
            &self.options,
        )?)
    }
}

/// Chooses the backend for a command other than `serve`.
pub fn choose(global: &Global) -> Result<Backend, CliError> {
    let explicit_token = global.token.as_deref().filter(|t| !t.trim().is_empty());
    if let Some(url) = global.url.as_deref().filter(|u| !u.trim().is_empty()) {
        let Some(token) = explicit_token else {
            return Err(CliError::usage(format!(
                "no token for {url}: set WARDEN_TOKEN (`--token` works too, but other \
                 users can read it in `ps`); for `warden serve`, the WARDEN_ADMIN_TOKEN \
                 it was started with, or one made by `warden token create`"
            )));
        };
        return Ok(Backend {
            url: url.trim().to_string(),
            token: token.trim().to_string(),
            source: "--url".into(),
            options: connect_options(global, None),
        });
    }

    let config =
        Config::load(global.config.as_deref()).map_err(|e| CliError::usage(e.to_string()))?;
    let config_path = global
        .config
        .clone()
        .or_else(Config::default_path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "config.toml in the platform config dir".into());
    let Some(backend) = config.backends.iter().find(|b| b.kind == "warden") else {
        return Err(CliError::usage(format!(
            "no backend to talk to: start one with `WARDEN_ADMIN_TOKEN=<secret> warden serve`, \
             then set WARDEN_URL=http://127.0.0.1:7878 and WARDEN_TOKEN=<secret>; \
             or add a [[backend]] with kind = \"warden\", url, and token_env or token_file \
             to {config_path}"
        )));
    };
    let token = backend_token(backend, explicit_token)?;
    Ok(Backend {
        url: backend.url.clone(),
        token,
        source: format!("backend {:?}", backend.name),
        options: connect_options(global, Some(backend)),
    })
}

/// How to reach a backend: `--allow-insecure-http` and `--ca-cert` apply to
/// every backend; a `[[backend]]`'s own keys add to them (its `ca_cert`
/// when no `--ca-cert` is given).
pub(crate) fn connect_options(global: &Global, b: Option<&BackendConfig>) -> ConnectOptions {
    ConnectOptions {
        allow_insecure_http: global.allow_insecure_http || b.is_some_and(|b| b.allow_insecure_http),
        ca_cert: global
            .ca_cert
            .clone()
            .or_else(|| b.and_then(|b| b.ca_cert.clone())),
    }
}

pub(crate) fn backend_token(b: &BackendConfig, explicit: Option<&str>) -> Result<String, CliError> {
    let named = |e: String| CliError::usage(format!("backend {:?}: {e}", b.name));
    if let Some(var) = &b.token_env {
        return token::from_env(var).map_err(named);
    }
    if let Some(path) = &b.token_file {
        return token::from_file(path).map_err(named);
    }
    match explicit {
        Some(t) => Ok(t.trim().to_string()),
        None => Err(CliError::usage(format!(
            "backend {:?} has no token: add token_env or token_file to it, \
             or set WARDEN_TOKEN",
            b.name
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::path::Path;

    fn global(url: Option<&str>, token: Option<&str>, config: Option<&Path>) -> Global {
        Global {
            url: url.map(str::to_string),
            token: token.map(str::to_string),
            config: config.map(Path::to_path_buf),
            allow_insecure_http: false,
            ca_cert: None,
        }
    }

    #[test]
    fn url_and_token_win() {
        let b = choose(&global(Some("http://h:1"), Some("t"), None)).unwrap();
        assert_eq!((b.url.as_str(), b.token.as_str()), ("http://h:1", "t"));
        let e = choose(&global(Some("http://h:1"), None, None)).unwrap_err();
        assert_eq!(e.code, 2);
        assert!(e.message.contains("WARDEN_TOKEN"), "{}", e.message);
    }

    #[test]
    fn no_backend_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config.toml");
        std::fs::write(&cfg, "").unwrap();
        let e = choose(&global(None, None, Some(&cfg))).unwrap_err();
        assert_eq!(e.code, 2);
        for want in ["warden serve", "WARDEN_URL", "WARDEN_TOKEN", "[[backend]]"] {
            assert!(e.message.contains(want), "{want}: {}", e.message);
        }
    }

    #[cfg(unix)]
    #[test]
    fn token_file_must_be_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let tok = dir.path().join("token");
        let mut f = std::fs::File::create(&tok).unwrap();
        writeln!(f, "wdn_pt_abc").unwrap();
        std::fs::set_permissions(&tok, std::fs::Permissions::from_mode(0o644)).unwrap();
        let cfg = dir.path().join("config.toml");
        std::fs::write(
            &cfg,
            format!(
                "[[backend]]\nname = \"alerts\"\nkind = \"alertmanager\"\nurl = \"http://a\"\n\
                 [[backend]]\nname = \"prod\"\nurl = \"http://p:1\"\ntoken_file = {:?}\n",
                tok.display().to_string()
            ),
        )
        .unwrap();
        let e = choose(&global(None, None, Some(&cfg))).unwrap_err();
        assert_eq!(e.code, 2);
        assert!(e.message.contains("chmod 600"), "{}", e.message);
        std::fs::set_permissions(&tok, std::fs::Permissions::from_mode(0o600)).unwrap();
        let b = choose(&global(None, None, Some(&cfg))).unwrap();
        assert_eq!(b.url, "http://p:1");
        assert_eq!(b.token, "wdn_pt_abc");
        assert!(!format!("{b:?}").contains("wdn_pt_abc"));
    }

    #[test]
    fn token_env_must_be_set() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config.toml");
        std::fs::write(
            &cfg,
            "[[backend]]\nname = \"prod\"\nurl = \"http://p:1\"\n\
             token_env = \"WARDEN_TEST_SURELY_UNSET_VARIABLE\"\n",
        )
        .unwrap();
        let e = choose(&global(None, None, Some(&cfg))).unwrap_err();
        assert!(
            e.message.contains("WARDEN_TEST_SURELY_UNSET_VARIABLE"),
            "{}",
            e.message
        );
    }
}
