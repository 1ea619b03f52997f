//! What a Vault backend's settings read: the [`ReadPlan`] (AppRole mounts
//! found through `sys/auth` unless the config names them), one read of it
//! as the dashboard, the CLI and the server's kill all make it, and the
//! least policy a token needs for it.

use super::{
    ReadPlan, SnapshotPart, SnapshotWarning, VaultClient, VaultError, VaultSnapshot, policy_hcl,
};
use crate::config::vault::VaultSettings;

/// What a read of `settings` asks Vault for, with the AppRole mounts the
/// config names; mounts left to be found are read as every mount (`+`) in
/// the policy's terms, see [`resolve_plan`].
pub fn plan(settings: &VaultSettings) -> ReadPlan {
    ReadPlan {
        token_accessors: settings.tokens,
        approle_mounts: settings
            .approle_mounts
            .clone()
            .unwrap_or_else(|| vec!["+".into()]),
        entities: settings.entities,
        lease_prefixes: settings.lease_prefixes.clone(),
        concurrency: 0,
    }
}

/// The plan for one read: the AppRole mounts the config names, else those
/// `sys/auth` lists now. A token that may not read `sys/auth` still reads
/// the rest, with a warning saying what to do.
pub async fn resolve_plan(
    client: &VaultClient,
    settings: &VaultSettings,
) -> Result<(ReadPlan, Option<SnapshotWarning>), VaultError> {
    let mut plan = plan(settings);
    if settings.approle_mounts.is_some() {
        return Ok((plan, None));
    }
    match client.auth_mounts().await {
        Ok(mounts) => {
            plan.approle_mounts = mounts
                .into_iter()
                .filter(|m| m.kind == "approle")
                .map(|m| m.path)
                .collect();
            Ok((plan, None))
        }
        Err(e @ VaultError::PermissionDenied { .. }) => {
            plan.approle_mounts.clear();
            let warning = SnapshotWarning {
                part: SnapshotPart::AppRole { mount: "*".into() },
                message: format!(
                    "{e}; AppRole secret-ids are not read: allow read on sys/auth, or name \
                     approle_mounts in the config"
                ),
                permission_denied: true,
                count: 1,
            };
            Ok((plan, Some(warning)))
        }
        Err(e) => Err(e),
    }
}

/// The least ACL policy (HCL) a token needs to read what `settings` name
/// (with `act`, to revoke there too); finding the AppRole mounts needs
/// `sys/auth`.
pub fn policy(settings: &VaultSettings, act: bool) -> String {
    let mut hcl = policy_hcl(&plan(settings), act);
    if settings.approle_mounts.is_none() {
        hcl.push_str(
            "# AppRole mounts are found by listing the auth mounts.\n\
             path \"sys/auth\" { capabilities = [\"read\"] }\n",
        );
    }
    hcl
}

/// One read: the plan, then the snapshot, with the plan's warning in it.
/// The token Warden reads with is left out: it is Warden's, not an
/// identity to claim.
pub async fn read(
    client: &VaultClient,
    settings: &VaultSettings,
) -> Result<VaultSnapshot, VaultError> {
    let (plan, warning) = resolve_plan(client, settings).await?;
    let mut snapshot = client.snapshot(&plan).await?;
    snapshot.warnings.extend(warning);
    if let Ok(me) = client.lookup_self().await {
        snapshot.tokens.retain(|t| t.accessor != me.accessor);
    }
    Ok(snapshot)
}
