//! Vault (HashiCorp Vault or OpenBao) as a governance backend: the client
//! that reads which credentials exist there (tokens, AppRole secret-ids,
//! identity entities, leases of dynamic secrets) and revokes them.
//!
//! - `client`: [`VaultConfig`], [`VaultClient`], one request on the wire.
//! - `error`: [`VaultError`], one variant per thing the dashboard says.
//! - `types`: the plain data read ([`TokenInfo`], [`SecretIdInfo`], …).
//! - `read`: one method per read; `snapshot`: all of a [`ReadPlan`] at once.
//! - `act`: revoke, destroy, and [`VaultClient::still_valid`] to verify.
//! - `cred`: [`VaultCredRef`], a credential's stable id (`vault:token:…`).
//! - `link`: which agent an identity belongs to ([`Linker`]), shared by
//!   the dashboard and the server.
//! - `policy`: [`policy_hcl`], the least ACL policy Warden needs.
//!
//! Nothing here knows of the dashboard or the server: they build a
//! [`VaultClient`] from their config and call it:
//!
//! ```text
//! let vault = VaultClient::new(VaultConfig { url, token, ..Default::default() })?;
//! let snap = vault.snapshot(&ReadPlan { token_accessors: true,
//!     approle_mounts: vec!["approle".into()], ..Default::default() }).await?;
//! for w in &snap.warnings { /* "permission denied on auth/token/accessors: …" */ }
//! let cred: VaultCredRef = "vault:token:itSF54UXrTYdreWsLcO67heo".parse()?;
//! vault.revoke(&cred).await?;               // Revoked, or AlreadyGone
//! assert!(!vault.still_valid(&cred).await?); // Vault no longer has it
//! ```
//!
//! A [`VaultCredRef`] names a credential within the client's namespace:
//! the same id in another namespace is another credential.

mod act;
mod client;
mod cred;
mod error;
mod link;
mod policy;
mod read;
mod rotate;
mod settings;
mod snapshot;
mod types;

pub use act::{Revocation, VAULT_STEP};
pub use client::{DEFAULT_TIMEOUT, VaultClient, VaultConfig};
pub use cred::VaultCredRef;
pub use error::{Capability, VaultError};
pub use link::{Link, LinkedCredential, Linker, linked_credentials};
pub use policy::policy_hcl;
pub use rotate::NewSecretId;
pub use settings::{plan, policy, read, resolve_plan};
pub use snapshot::{DEFAULT_CONCURRENCY, ReadPlan, SnapshotPart, SnapshotWarning, VaultSnapshot};
pub use types::{
    AuthMount, Entity, EntityAlias, Health, LeaseInfo, RoleInfo, SecretIdInfo, TokenInfo,
    parse_time,
};
