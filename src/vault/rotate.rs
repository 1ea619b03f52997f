//! Rotating an AppRole secret-id, the one Vault credential Warden can
//! replace: a new secret-id for the same role with the same metadata and
//! CIDR bindings (so it links to the same agent), whose value is shown once
//! to whoever rotated it; the old one is then destroyed by its accessor.
//! A token or a lease has no such twin: Vault issues those to whoever logs
//! in or reads the secret, so they are revoked, not rotated.

use super::client::VaultClient;
use super::error::VaultError;
use super::read::{mount_path, segment};
use reqwest::Method;
use serde_json::json;
use std::fmt;
use zeroize::Zeroizing;

/// A secret-id just made: its value (wiped from memory when dropped) and
/// its accessor.
pub struct NewSecretId {
    pub secret_id: Zeroizing<String>,
    pub accessor: String,
}

impl fmt::Debug for NewSecretId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSecretId")
            .field("secret_id", &"<redacted>")
            .field("accessor", &self.accessor)
            .finish()
    }
}

impl VaultClient {
    /// A new secret-id for `role` on `mount` like the one with `accessor`:
    /// the same metadata, CIDR list and token-bound CIDRs. `NotFound` when
    /// that one is gone (nothing to copy from).
    pub async fn replace_secret_id(
        &self,
        mount: &str,
        role: &str,
        accessor: &str,
    ) -> Result<NewSecretId, VaultError> {
        let old = self
            .lookup_secret_id_accessor(mount, role, accessor)
            .await?
            .ok_or_else(|| VaultError::NotFound {
                path: format!("auth/{mount}/role/{role}/secret-id-accessor/lookup"),
            })?;
        let path = format!(
            "auth/{}/role/{}/secret-id",
            mount_path(mount)?,
            segment(role)?
        );
        // Vault takes the metadata as a JSON string of a string map.
        let metadata = serde_json::to_string(&old.metadata).unwrap_or_else(|_| "{}".into());
        let mut body = json!({ "metadata": metadata });
        if !old.cidr_list.is_empty() {
            body["cidr_list"] = json!(old.cidr_list);
        }
        if !old.token_bound_cidrs.is_empty() {
            body["token_bound_cidrs"] = json!(old.token_bound_cidrs);
        }
        let answer = self.request(Method::POST, &path, Some(&body)).await?;
        let data = answer.as_ref().and_then(|a| a.get("data"));
        let field = |name: &str| {
            data.and_then(|d| d.get(name))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        match (field("secret_id"), field("secret_id_accessor")) {
            (Some(secret_id), Some(accessor)) => Ok(NewSecretId {
                secret_id: Zeroizing::new(secret_id),
                accessor,
            }),
            _ => Err(VaultError::Malformed {
                path,
                cause: "no secret_id and secret_id_accessor in the answer".into(),
                preview: String::new(),
            }),
        }
    }
}
