//! Acting on Vault: revoke a token by accessor, destroy an AppRole
//! secret-id, revoke a lease; and checking afterwards that Vault no longer
//! has the credential. Every action is idempotent: acting on a credential
//! that is already gone is [`Revocation::AlreadyGone`], not an error, so a
//! kill resumed after a crash can simply do each step again.

use super::client::VaultClient;
use super::cred::VaultCredRef;
use super::error::VaultError;
use super::read::{mount_path, segment};
use reqwest::Method;
use serde_json::json;

/// The name of a kill's step that revokes one Vault credential, the same
/// in the server's operations and the dashboard's.
pub const VAULT_STEP: &str = "vault_revoke";

/// What an action did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Revocation {
    /// Vault had it, and now has not.
    Revoked,
    /// Vault had nothing by that name any more (revoked, expired, used up,
    /// or never there).
    AlreadyGone,
}

impl Revocation {
    /// What a verified revocation did, as a responder reads it.
    pub fn said(self) -> &'static str {
        match self {
            Revocation::Revoked => "revoked; verified: Vault no longer has it",
            Revocation::AlreadyGone => "already gone; verified: Vault no longer has it",
        }
    }
}

impl VaultClient {
    /// POST `auth/token/revoke-accessor`. Vault revokes the token **and
    /// every child token it created** (and their leases), unless a child
    /// was made an orphan: revoking an agent's token also revokes whatever
    /// sub-agents it minted tokens for.
    pub async fn revoke_accessor(&self, accessor: &str) -> Result<Revocation, VaultError> {
        let body = json!({ "accessor": accessor });
        let answer = match self
            .request(Method::POST, "auth/token/revoke-accessor", Some(&body))
            .await
        {
            Err(e) if super::read::is_invalid_accessor(&e) => return Ok(Revocation::AlreadyGone),
            other => other?,
        };
        // An unknown accessor is a 200 whose warnings say so.
        if warnings(answer.as_ref())
            .iter()
            .any(|w| w.contains("No token found"))
        {
            return Ok(Revocation::AlreadyGone);
        }
        Ok(Revocation::Revoked)
    }

    /// POST `auth/<mount>/role/<role>/secret-id-accessor/destroy`: no login
    /// with that secret-id succeeds afterwards. Tokens it already logged in
    /// for stay valid until revoked (they are leases of `auth/<mount>/login`).
    pub async fn destroy_secret_id_accessor(
        &self,
        mount: &str,
        role: &str,
        accessor: &str,
    ) -> Result<Revocation, VaultError> {
        let path = format!(
            "auth/{}/role/{}/secret-id-accessor/destroy",
            mount_path(mount)?,
            segment(role)?
        );
        let body = json!({ "secret_id_accessor": accessor });
        match self.request(Method::POST, &path, Some(&body)).await {
            Ok(_) => Ok(Revocation::Revoked),
            // OpenBao 2.7 answers an unknown accessor with a 500.
            Err(e) if e.says(500, "failed to find accessor entry") => Ok(Revocation::AlreadyGone),
            // A deleted role took its secret-ids with it.
            Err(e) if super::read::is_missing_role(&e) => Ok(Revocation::AlreadyGone),
            Err(e) => Err(e),
        }
    }

    /// PUT `sys/leases/revoke` (synchronous: the backend, e.g. PostgreSQL,
    /// has dropped the credentials when it answers). Vault answers 204
    /// whether or not it had the lease, so it is looked up first to tell
    /// [`Revocation::AlreadyGone`]; a token that may revoke but not look up
    /// gets `Revoked` either way.
    pub async fn revoke_lease(&self, lease_id: &str) -> Result<Revocation, VaultError> {
        match self.lookup_lease(lease_id).await {
            Ok(None) => return Ok(Revocation::AlreadyGone),
            Ok(Some(_)) | Err(VaultError::PermissionDenied { .. }) => {}
            Err(e) => return Err(e),
        }
        let body = json!({ "lease_id": lease_id, "sync": true });
        self.request(Method::PUT, "sys/leases/revoke", Some(&body))
            .await?;
        Ok(Revocation::Revoked)
    }

    /// Revokes whichever credential `cred` names.
    pub async fn revoke(&self, cred: &VaultCredRef) -> Result<Revocation, VaultError> {
        match cred {
            VaultCredRef::Token { accessor } => self.revoke_accessor(accessor).await,
            VaultCredRef::SecretId {
                mount,
                role,
                accessor,
            } => self.destroy_secret_id_accessor(mount, role, accessor).await,
            VaultCredRef::Lease { lease_id } => self.revoke_lease(lease_id).await,
        }
    }

    /// Looks `cred` up again: `false` only when Vault says it no longer has
    /// it; an error when Vault could not be asked (so "could not verify" is
    /// never shown as "revoked").
    pub async fn still_valid(&self, cred: &VaultCredRef) -> Result<bool, VaultError> {
        Ok(match cred {
            VaultCredRef::Token { accessor } => self.lookup_accessor(accessor).await?.is_some(),
            VaultCredRef::SecretId {
                mount,
                role,
                accessor,
            } => self
                .lookup_secret_id_accessor(mount, role, accessor)
                .await?
                .is_some(),
            VaultCredRef::Lease { lease_id } => self.lookup_lease(lease_id).await?.is_some(),
        })
    }

    /// Revokes `cred`, then looks it up again: what was done, only once
    /// Vault no longer has it ([`Revocation::said`] words it); otherwise
    /// why it is not known to be gone (the revoke failed, Vault still has
    /// it, or the lookup could not be made). The dashboard, the CLI and the
    /// server's kill steps all go through here.
    pub async fn revoke_verified(&self, cred: &VaultCredRef) -> Result<Revocation, String> {
        let done = self.revoke(cred).await.map_err(|e| e.to_string())?;
        match self.still_valid(cred).await {
            Ok(false) => Ok(done),
            Ok(true) => Err("Vault still has it after the revoke: NOT revoked".into()),
            Err(e) => Err(format!("revoke sent, but not verified: {e}")),
        }
    }

    // No `child_token_count`: Vault has no API that lists a token's
    // children (lookup-accessor does not name the parent), so counting them
    // means walking every token; revoke_accessor's doc says what goes with
    // the parent instead.
}

fn warnings(answer: Option<&serde_json::Value>) -> Vec<String> {
    answer
        .and_then(|a| a.get("warnings"))
        .and_then(|w| w.as_array())
        .map(|w| {
            w.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_are_read_from_an_answer() {
        let a = json!({"data": null, "warnings": ["No token found with this accessor"]});
        assert_eq!(warnings(Some(&a)), ["No token found with this accessor"]);
        assert!(warnings(Some(&json!({"warnings": null}))).is_empty());
        assert!(warnings(None).is_empty());
    }
}
