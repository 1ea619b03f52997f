//! The grammar of `warden vault`: listing a Vault's identities, revoking
//! one, printing the policy Warden's token needs there.

use super::{JsonFlag, non_empty};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// List a Vault's identities (tokens, AppRole secret-ids, leases, entities) and the agent each is linked to
    #[command(after_help = "\
Reads the config's [[backend]] of kind \"vault\" (--backend NAME when there are
several), and links what it reads to the agents of the Warden backend (the
one every command uses; without one, nothing is claimed). An identity no
agent claims is listed as unclaimed: a machine identity with no owner.

Examples:
  warden vault ls
  warden vault ls --unclaimed --json | jq '.[].id'")]
    Ls(VaultLsArgs),
    /// Revoke one Vault credential (token, AppRole secret-id or lease), then verify Vault no longer has it
    #[command(after_help = "\
ID is a credential id as `warden vault ls` and the dashboard show it:
  vault:token:ACCESSOR                   a token, by accessor (its child tokens go too)
  vault:secret-id:MOUNT/ROLE/ACCESSOR    an AppRole secret-id
  vault:lease:LEASE_ID                   a lease of dynamic credentials
optionally after the backend's name (bao/vault:token:…). Exits 0 only once
Vault has been asked again and no longer has it.

Example:
  warden vault revoke vault:token:hmac-1f2e… --reason \"INC-42 leaked in a log\"")]
    Revoke(VaultRevokeArgs),
    /// Print the least ACL policy (HCL) Warden's Vault token needs for what the config reads
    #[command(after_help = "\
Without --act: reading only (the dashboard watching). With --act: also
revoking (x, kill). Load it with:
  warden vault policy --act > warden.hcl
  bao policy write warden warden.hcl      # or: vault policy write …
  bao token create -policy=warden -period=24h")]
    Policy(VaultPolicyArgs),
}

#[derive(Debug, Args)]
pub struct VaultBackendArg {
    /// Which [[backend]] of kind "vault" (needed only when there are several)
    #[arg(long, value_name = "NAME")]
    pub backend: Option<String>,
}

#[derive(Debug, Args)]
pub struct VaultLsArgs {
    #[command(flatten)]
    pub backend: VaultBackendArg,
    /// Only the identities no agent claims
    #[arg(long)]
    pub unclaimed: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct VaultRevokeArgs {
    /// The credential: vault:token:ACCESSOR, vault:secret-id:MOUNT/ROLE/ACCESSOR or vault:lease:ID
    pub id: String,
    /// Why: logged, and said in the output
    #[arg(long, value_parser = non_empty, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub backend: VaultBackendArg,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct VaultPolicyArgs {
    #[command(flatten)]
    pub backend: VaultBackendArg,
    /// Also what revoking needs
    #[arg(long)]
    pub act: bool,
}
