//! `warden discover --vault`: the identities of each configured OpenBao /
//! HashiCorp Vault backend that no Warden agent claims (the same reading
//! and linking as `warden vault ls --unclaimed`), as findings. A Vault that
//! cannot be read is a warning naming it; the scan goes on.

use super::vault::{client, warden_fleet};
use crate::cli::args::Global;
use crate::cli::error::CliError;
use crate::config::Config;
use crate::discover::finding::key;
use crate::discover::{Finding, Warning};
use crate::fleet::vault::{IdentityKind, vault_changes};
use std::collections::BTreeMap;

pub async fn unclaimed(
    global: &Global,
    host: &str,
) -> Result<(Vec<Finding>, Vec<Warning>), CliError> {
    let config =
        Config::load(global.config.as_deref()).map_err(|e| CliError::usage(e.to_string()))?;
    let vaults: Vec<_> = config
        .backends
        .iter()
        .filter(|b| b.kind == "vault")
        .collect();
    if vaults.is_empty() {
        return Err(CliError::usage(
            "--vault reads the config's [[backend]]s of kind \"vault\", and there is none; \
             add one (see `warden vault ls --help`)",
        ));
    }
    let mut findings = Vec::new();
    let mut warnings = Vec::new();
    let mut incomplete = false;
    let fleet = warden_fleet(global, &mut incomplete).await;
    for b in vaults {
        let (vault, settings) = client(b)?;
        let snapshot = match crate::vault::read(&vault, &settings).await {
            Ok(s) => s,
            Err(e) => {
                warnings.push(Warning::new(
                    b.url.clone(),
                    format!("Vault backend {:?} cannot be read: {e}", b.name),
                ));
                continue;
            }
        };
        for w in &snapshot.warnings {
            warnings.push(Warning::new(b.url.clone(), w.message.clone()));
        }
        let poll = vault_changes(
            &fleet,
            "",
            &[],
            &b.name,
            &snapshot,
            &settings,
            chrono::Utc::now(),
        );
        for i in poll.identities.iter().filter(|i| i.link.is_none()) {
            let mut flags = Vec::new();
            if i.root {
                flags.push("root".to_string());
            }
            if i.no_expiry {
                flags.push("no-expiry".to_string());
            }
            let mut details = BTreeMap::new();
            details.insert("vault_backend".to_string(), b.name.clone());
            details.insert("identity".to_string(), identity_kind(i.kind).to_string());
            if !i.detail.is_empty() {
                details.insert("detail".to_string(), i.detail.clone());
            }
            if let Some(e) = i.expires {
                details.insert("expires".to_string(), e.to_rfc3339());
            }
            findings.push(Finding {
                key: key(&["vault", &b.url, &i.id]),
                kind: "vault-identity".into(),
                name: i.name.clone(),
                client: "vault".into(),
                scope: "vault".into(),
                host: host.into(),
                location: format!("{} {}", b.url, i.id),
                project: None,
                transport: "vault".into(),
                command: None,
                args: Vec::new(),
                url: Some(b.url.clone()),
                env: Vec::new(),
                headers: Vec::new(),
                disabled: false,
                secrets: Vec::new(),
                flags,
                capabilities: i.policies.clone(),
                details,
                launch: None,
            });
        }
    }
    if incomplete {
        warnings.push(Warning::new(
            "--vault",
            "the Warden backend's agents could not be read, so every identity counts as unclaimed",
        ));
    }
    Ok((findings, warnings))
}

fn identity_kind(k: IdentityKind) -> &'static str {
    match k {
        IdentityKind::Token => "token",
        IdentityKind::SecretId => "approle-secret-id",
        IdentityKind::Lease => "lease",
        IdentityKind::Entity => "entity",
    }
}
