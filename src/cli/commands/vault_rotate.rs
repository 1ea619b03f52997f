//! `warden rotate vault:secret-id:…`: a new AppRole secret-id like the old
//! one (same role, metadata and CIDR bindings, so it links to the same
//! agent), its value printed once; the old one destroyed and verified at
//! once, or after `--grace` while this command waits: Vault cannot retire
//! a secret-id later by itself, and Ctrl-C during the wait leaves it valid
//! (said before the wait). Tokens and leases are revoked, not rotated.

use super::vault::{chosen, client, parse_id};
use crate::cli::args::{Global, RotateArgs, VaultBackendArg};
use crate::cli::error::{CliError, CmdResult};
use crate::cli::output::{self, Out};
use crate::config::Config;
use crate::vault::{VaultCredRef, VaultError};
use serde_json::json;
use std::process::ExitCode;

pub fn rotate(global: &Global, a: RotateArgs) -> CmdResult {
    let config =
        Config::load(global.config.as_deref()).map_err(|e| CliError::usage(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(rotate_secret_id(&config, a))
}

async fn rotate_secret_id(config: &Config, a: RotateArgs) -> CmdResult {
    let (cred, which) = parse_id(&a.credential_id, &VaultBackendArg { backend: None })?;
    let VaultCredRef::SecretId {
        mount,
        role,
        accessor,
    } = &cred
    else {
        return Err(CliError::usage(
            "only an AppRole secret-id can be rotated in Vault: a token or a lease is issued \
             to whoever logs in; revoke it with `warden vault revoke ID --reason TEXT`",
        ));
    };
    let b = chosen(config, &which)?;
    let (client, _) = client(b)?;
    let failed = |e: VaultError| CliError::failed(format!("backend {:?}: {e}", b.name));
    tracing::info!(backend = %b.name, credential = %cred, reason = %a.reason, "rotating in vault");
    let new = client
        .replace_secret_id(mount, role, accessor)
        .await
        .map_err(failed)?;
    let new_ref = VaultCredRef::SecretId {
        mount: mount.clone(),
        role: role.clone(),
        accessor: new.accessor.clone(),
    };
    // The secret first, before any wait: it is in hand meanwhile.
    if a.json.json {
        output::json(&json!({
            "id": new_ref.to_string(),
            "secret_id": new.secret_id.as_str(),
            "previous": cred.to_string(),
            "grace_seconds": a.grace,
            "backend": b.name,
        }))?;
    } else {
        let mut out = Out::new();
        out.line(format!(
            "New secret-id {new_ref} on {} (role {role}).",
            b.name
        ));
        out.line(format!("secret_id: {}", new.secret_id.as_str()));
        out.line("This secret is shown once and stored nowhere: hand it to the agent now.");
        out.emit()?;
    }
    if a.grace > 0 {
        eprintln!(
            "warden: waiting {} s to destroy the old secret-id {cred}; Ctrl-C leaves it valid \
             (destroy it later: warden vault revoke {cred} --reason TEXT)",
            a.grace
        );
        tokio::time::sleep(std::time::Duration::from_secs(a.grace)).await;
    }
    let done = client.revoke_verified(&cred).await.map_err(|e| {
        CliError::failed(format!(
            "backend {:?}: the old secret-id {cred} is NOT retired: {e}",
            b.name
        ))
    })?;
    let line = format!("Old secret-id {cred}: {}.", done.said());
    // With --json, stdout holds the one document; the rest is said on stderr.
    if a.json.json {
        eprintln!("warden: {line}");
    } else {
        output::emit(&format!("{line}\n"))?;
    }
    Ok(ExitCode::SUCCESS)
}
