//! `warden serve`: starts the reference backend in this process and serves
//! until Ctrl-C.

use crate::cli::args::{Global, ServeArgs};
use crate::cli::error::{CliError, CmdResult};
use crate::config::Config;
use crate::server::{self, ServeOptions};
use std::path::PathBuf;
use std::process::ExitCode;

pub fn serve(global: &Global, args: ServeArgs) -> CmdResult {
    let mut config =
        Config::load(global.config.as_deref()).map_err(|e| CliError::usage(e.to_string()))?;
    for url in args.alertmanager {
        crate::alertmanager::client::AmClient::new(&url, None)
            .map_err(|e| CliError::usage(format!("--alertmanager: {e}")))?;
        config.serve.alertmanager.push(url);
    }
    // A flag wins over the config, as a pair: a certificate from one place
    // and a key from the other would be a mistake.
    if args.tls_cert.is_some() || args.tls_key.is_some() {
        config.serve.tls_cert = args.tls_cert;
        config.serve.tls_key = args.tls_key;
    }
    let database = match args.database {
        Some(d) => d,
        None => {
            let path = default_database(
                "cannot find the platform data directory; pass --database sqlite:PATH",
            )?;
            format!("sqlite:{}", path.display())
        }
    };
    default_audit_files(&mut config.serve, &database)?;
    // The access-token keys live beside the audit key, outside the database.
    if config.serve.token_keys.is_none()
        && let Some(dir) = crate::dirs::state_dir()
    {
        config.serve.token_keys = Some(dir.join("token-keys"));
    }
    // Read from the environment only: a flag would show the secret in `ps`.
    let admin_token = std::env::var("WARDEN_ADMIN_TOKEN")
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let opts = ServeOptions {
        listen: args.listen,
        database,
        admin_token,
        config: config.serve,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(server::run(opts))
        .map_err(|e| CliError::failed(format!("{e:#}")))?;
    Ok(ExitCode::SUCCESS)
}

/// The audit chain's signing key and checkpoint file default to the state
/// dir: outside the database, so someone who can write the database cannot
/// sign a checkpoint. The file is named after the database, so servers of
/// different databases on one host never mix their checkpoints, and
/// servers of the same one share it.
fn default_audit_files(
    serve: &mut crate::config::ServeConfig,
    database: &str,
) -> Result<(), CliError> {
    if serve.audit_key.is_some() || serve.audit_checkpoints.is_some() {
        return Ok(());
    }
    let dir = crate::dirs::state_dir().ok_or_else(|| {
        CliError::usage(
            "cannot find the platform state directory for the audit signing key; set [serve] \
             audit_key and audit_checkpoints",
        )
    })?;
    crate::dirs::create_own_dir(&dir).map_err(|e| {
        CliError::failed(format!(
            "cannot create the state directory {}: {e}",
            dir.display()
        ))
    })?;
    use sha2::Digest;
    let named = server::store::postgres::redacted(database);
    let id = hex::encode(sha2::Sha256::digest(named.as_bytes()));
    serve.audit_key = Some(dir.join("audit.key"));
    serve.audit_checkpoints = Some(dir.join(format!("audit-checkpoints-{}.jsonl", &id[..12])));
    Ok(())
}

/// The platform data dir's `warden.db`, creating the directory 0700; `missing`
/// is the usage error when there is no such directory.
pub(super) fn default_database(missing: &str) -> Result<PathBuf, CliError> {
    let path = crate::dirs::default_database().ok_or_else(|| CliError::usage(missing))?;
    if let Some(dir) = path.parent() {
        let tightened = crate::dirs::create_own_dir(dir).map_err(|e| {
            CliError::failed(format!(
                "cannot create the data directory {}: {e}",
                dir.display()
            ))
        })?;
        if tightened {
            tracing::warn!(
                dir = %dir.display(),
                "the data directory was open to other users; its mode is now 0700"
            );
        }
    }
    Ok(path)
}
