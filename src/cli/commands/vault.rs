//! `warden vault`: the config's OpenBao / HashiCorp Vault backends from the
//! command line. `ls` reads one and links what it holds to the Warden
//! backend's agents the way the dashboard does (unclaimed identities are
//! those no agent claims); `revoke` revokes one credential and asks Vault
//! again, succeeding only when Vault no longer has it; `policy` prints the
//! least ACL policy Warden's token needs there.
//!
//! A listing Vault refused in part is printed with a warning on stderr and
//! exit code 1, so a script knows it is incomplete.

use crate::cli::args::{Global, VaultBackendArg, VaultCommand, VaultLsArgs, VaultRevokeArgs};
use crate::cli::backend;
use crate::cli::error::{CliError, CmdResult, EXIT_FAILED};
use crate::cli::output::{self, Out, Table, safe};
use crate::config::vault::VaultSettings;
use crate::config::{BackendConfig, Config};
use crate::fleet::state::Fleet;
use crate::fleet::vault::{IdentityKind, MachineIdentity, vault_changes};
use crate::vault::{Revocation, VaultClient, VaultCredRef};
use serde_json::json;
use std::process::ExitCode;

pub fn run(global: &Global, command: VaultCommand) -> CmdResult {
    let config =
        Config::load(global.config.as_deref()).map_err(|e| CliError::usage(e.to_string()))?;
    if let VaultCommand::Policy(a) = &command {
        return policy(&config, &a.backend, a.act);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    match command {
        VaultCommand::Ls(a) => runtime.block_on(ls(global, &config, a)),
        VaultCommand::Revoke(a) => runtime.block_on(revoke(&config, a)),
        VaultCommand::Policy(_) => Err(CliError::failed("policy needs no runtime")),
    }
}

/// The vault backend named (or the only one).
pub(super) fn chosen<'a>(
    config: &'a Config,
    which: &VaultBackendArg,
) -> Result<&'a BackendConfig, CliError> {
    let vaults: Vec<&BackendConfig> = config
        .backends
        .iter()
        .filter(|b| b.kind == "vault")
        .collect();
    let names = || {
        vaults
            .iter()
            .map(|b| b.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (&which.backend, vaults.as_slice()) {
        (Some(name), _) => vaults
            .iter()
            .copied()
            .find(|b| &b.name == name)
            .ok_or_else(|| {
                CliError::usage(format!(
                    "no [[backend]] of kind \"vault\" is called {name:?}; there are: {}",
                    names()
                ))
            }),
        (None, [one]) => Ok(one),
        (None, []) => Err(CliError::usage(
            "no [[backend]] of kind \"vault\" in the config; add one:\n  [[backend]]\n  \
             name = \"bao\"\n  kind = \"vault\"\n  url = \"https://vault.example:8200\"\n  \
             token_env = \"VAULT_TOKEN\"",
        )),
        (None, _) => Err(CliError::usage(format!(
            "several Vault backends ({}): say which with --backend NAME",
            names()
        ))),
    }
}

fn policy(config: &Config, which: &VaultBackendArg, act: bool) -> CmdResult {
    // With no Vault configured yet, the defaults: what a new one would read.
    let settings = match chosen(config, which) {
        Ok(b) => b.vault_settings(),
        Err(_) if which.backend.is_none() => VaultSettings::default(),
        Err(e) => return Err(e),
    };
    let hcl = crate::vault::policy(&settings, act);
    output::emit(&hcl)?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn client(b: &BackendConfig) -> Result<(VaultClient, VaultSettings), CliError> {
    let target = crate::cli::vault::target(b)?;
    let client = VaultClient::new(target.config)
        .map_err(|e| CliError::usage(format!("backend {:?}: {e}", b.name)))?;
    Ok((client, target.settings))
}

/// The Warden backend's agents, to link to; empty (with a warning) when
/// there is none or it cannot be read.
pub(super) async fn warden_fleet(global: &Global, incomplete: &mut bool) -> Fleet {
    let mut fleet = Fleet::new();
    let read = async {
        let client = backend::choose(global)?.client()?;
        Ok::<_, CliError>(client.changes(0, None).await?)
    };
    match read.await {
        Ok(changes) => {
            fleet.apply(changes);
        }
        Err(e) => {
            *incomplete = true;
            eprintln!(
                "warden: warning: cannot read the Warden backend's agents, so nothing is \
                 linked: {}",
                safe(&e.message)
            );
        }
    }
    fleet
}

async fn ls(global: &Global, config: &Config, a: VaultLsArgs) -> CmdResult {
    let b = chosen(config, &a.backend)?;
    let (client, settings) = client(b)?;
    let snapshot = crate::vault::read(&client, &settings)
        .await
        .map_err(|e| CliError::failed(format!("backend {:?}: {e}", b.name)))?;
    let mut incomplete = false;
    for w in &snapshot.warnings {
        incomplete = true;
        eprintln!("warden: warning: {}: {}", b.name, safe(&w.message));
    }
    let fleet = warden_fleet(global, &mut incomplete).await;
    let poll = vault_changes(
        &fleet,
        "",
        &[],
        &b.name,
        &snapshot,
        &settings,
        chrono::Utc::now(),
    );
    let shown: Vec<&MachineIdentity> = poll
        .identities
        .iter()
        .filter(|i| !a.unclaimed || i.link.is_none())
        .collect();
    let agent_name = |i: &MachineIdentity| {
        i.link
            .as_ref()
            .and_then(|l| fleet.agent(&l.agent_id))
            .map(|a| a.name.clone())
    };
    if a.json.json {
        let rows: Vec<_> = shown
            .iter()
            .map(|i| {
                json!({
                    "id": i.id,
                    "kind": kind(i.kind),
                    "name": i.name,
                    "policies": i.policies,
                    "created": i.created,
                    "expires": i.expires,
                    "root": i.root,
                    "no_expiry": i.no_expiry,
                    "detail": i.detail,
                    "agent_id": i.link.as_ref().map(|l| &l.agent_id),
                    "agent": agent_name(i),
                    "linked_by": i.link.as_ref().map(|l| &l.how),
                })
            })
            .collect();
        output::json(&rows)?;
    } else {
        let mut t = Table::new(&["KIND", "ID", "NAME", "AGENT", "POLICIES", "EXPIRES", "RISK"]);
        for i in &shown {
            let risk = match (i.root, i.no_expiry) {
                (true, _) => "root",
                (false, true) => "no expiry",
                _ => "",
            };
            t.row([
                kind(i.kind).to_string(),
                i.id.clone(),
                i.name.clone(),
                agent_name(i).unwrap_or_else(|| "(unclaimed)".into()),
                i.policies.join(","),
                output::ago(i.expires),
                risk.to_string(),
            ]);
        }
        let mut out = Out::new();
        let unclaimed = poll.identities.iter().filter(|i| i.link.is_none()).count();
        out.line(format!(
            "{}: {} identities, {unclaimed} unclaimed",
            b.name,
            poll.identities.len()
        ));
        out.table(&t);
        out.emit()?;
    }
    Ok(if incomplete {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

fn kind(k: IdentityKind) -> &'static str {
    match k {
        IdentityKind::Token => "token",
        IdentityKind::SecretId => "secret-id",
        IdentityKind::Lease => "lease",
        IdentityKind::Entity => "entity",
    }
}

/// The credential an id names, and the backend named before it
/// (`bao/vault:token:…`, as the dashboard shows it) or by `--backend`.
pub(super) fn parse_id(
    id: &str,
    backend: &VaultBackendArg,
) -> Result<(VaultCredRef, VaultBackendArg), CliError> {
    let (named, raw) = match id.find("vault:") {
        Some(at) if at > 0 => (Some(id[..at].trim_end_matches('/').to_string()), &id[at..]),
        _ => (None, id),
    };
    let cred: VaultCredRef = raw.parse().map_err(CliError::usage)?;
    let which = VaultBackendArg {
        backend: backend.backend.clone().or(named),
    };
    Ok((cred, which))
}

async fn revoke(config: &Config, a: VaultRevokeArgs) -> CmdResult {
    let (cred, which) = parse_id(&a.id, &a.backend)?;
    let b = chosen(config, &which)?;
    let (client, _) = client(b)?;
    tracing::info!(backend = %b.name, credential = %cred, reason = %a.reason, "revoking in vault");
    let done = client
        .revoke_verified(&cred)
        .await
        .map_err(|e| CliError::failed(format!("backend {:?}: {cred}: {e}", b.name)))?;
    let said = match done {
        Revocation::Revoked => "revoked",
        Revocation::AlreadyGone => "already gone",
    };
    if a.json.json {
        output::json(&json!({
            "id": cred.to_string(),
            "backend": b.name,
            "result": said,
            "verified": true,
            "reason": a.reason,
        }))?;
    } else {
        let mut out = Out::new();
        out.line(format!("{cred} on {}: {}.", b.name, done.said()));
        out.emit()?;
    }
    Ok(ExitCode::SUCCESS)
}
