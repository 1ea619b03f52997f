//! One method per thing Warden reads from Vault: health, tokens by
//! accessor, AppRole roles and secret-ids, identity entities, leases, auth
//! mounts. A lookup of something Vault no longer has is `Ok(None)`, so a
//! caller can tell "gone" from "could not ask".

use super::client::{VaultClient, decode};
use super::error::VaultError;
use super::types::{AuthMount, Entity, Health, LeaseInfo, RoleInfo, SecretIdInfo, TokenInfo};
use reqwest::Method;
use serde_json::json;

impl VaultClient {
    /// `sys/health`, which answers even while sealed: `Ok` with
    /// `sealed: true` then (the other calls fail with
    /// [`VaultError::Sealed`]). Asked to answer 200 whatever the state, so
    /// a standby or sealed node is described rather than refused.
    pub async fn health(&self) -> Result<Health, VaultError> {
        let path = "sys/health";
        let query = [
            ("standbyok", "true"),
            ("perfstandbyok", "true"),
            ("sealedcode", "200"),
            ("uninitcode", "200"),
        ];
        match self.get_raw(path, &query).await? {
            Some(v) => decode(path, v),
            None => Err(VaultError::Malformed {
                path: path.into(),
                cause: "an empty answer".into(),
                preview: String::new(),
            }),
        }
    }

    /// `auth/token/lookup-self`: the client's own token.
    pub async fn lookup_self(&self) -> Result<TokenInfo, VaultError> {
        let path = "auth/token/lookup-self";
        self.data(Method::GET, path, None)
            .await?
            .ok_or_else(|| VaultError::NotFound { path: path.into() })
    }

    /// LIST `auth/token/accessors`: every token's accessor. The policy
    /// needs `list` and `sudo` there (Vault and OpenBao alike).
    pub async fn token_accessors(&self) -> Result<Vec<String>, VaultError> {
        self.list("auth/token/accessors").await
    }

    /// POST `auth/token/lookup-accessor`; `None` when Vault says the
    /// accessor is invalid (the token is revoked or expired).
    pub async fn lookup_accessor(&self, accessor: &str) -> Result<Option<TokenInfo>, VaultError> {
        let body = json!({ "accessor": accessor });
        match self
            .data(Method::POST, "auth/token/lookup-accessor", Some(&body))
            .await
        {
            Err(e) if is_invalid_accessor(&e) => Ok(None),
            other => other,
        }
    }

    /// `sys/auth`: the auth mounts, to find the AppRole ones.
    pub async fn auth_mounts(&self) -> Result<Vec<AuthMount>, VaultError> {
        #[derive(serde::Deserialize)]
        struct Mount {
            #[serde(rename = "type", default)]
            kind: String,
            #[serde(default)]
            accessor: String,
        }
        let path = "sys/auth";
        let mounts: std::collections::BTreeMap<String, Mount> = self
            .data(Method::GET, path, None)
            .await?
            .unwrap_or_default();
        Ok(mounts
            .into_iter()
            .map(|(p, m)| AuthMount {
                path: p.trim_end_matches('/').to_string(),
                kind: m.kind,
                accessor: m.accessor,
            })
            .collect())
    }

    /// LIST `auth/<mount>/role`: the role names.
    pub async fn approle_roles(&self, mount: &str) -> Result<Vec<String>, VaultError> {
        self.list(&format!("auth/{}/role", mount_path(mount)?))
            .await
    }

    /// `auth/<mount>/role/<role>`; `None` when there is no such role.
    pub async fn approle_role(
        &self,
        mount: &str,
        role: &str,
    ) -> Result<Option<RoleInfo>, VaultError> {
        let path = format!("auth/{}/role/{}", mount_path(mount)?, segment(role)?);
        let info: Option<RoleInfo> = none_if_not_found(self.data(Method::GET, &path, None).await)?;
        Ok(info.map(|mut r| {
            r.mount = mount.trim_matches('/').to_string();
            r.name = role.to_string();
            r
        }))
    }

    /// LIST `auth/<mount>/role/<role>/secret-id`: the secret-id accessors.
    pub async fn secret_id_accessors(
        &self,
        mount: &str,
        role: &str,
    ) -> Result<Vec<String>, VaultError> {
        let path = format!(
            "auth/{}/role/{}/secret-id",
            mount_path(mount)?,
            segment(role)?
        );
        match self.list(&path).await {
            // Deleted since it was listed: no secret-ids left.
            Err(e) if is_missing_role(&e) => Ok(Vec::new()),
            other => other,
        }
    }

    /// POST `auth/<mount>/role/<role>/secret-id-accessor/lookup`; `None`
    /// when the secret-id is gone (destroyed, expired or used up).
    pub async fn lookup_secret_id_accessor(
        &self,
        mount: &str,
        role: &str,
        accessor: &str,
    ) -> Result<Option<SecretIdInfo>, VaultError> {
        let path = format!(
            "auth/{}/role/{}/secret-id-accessor/lookup",
            mount_path(mount)?,
            segment(role)?
        );
        let body = json!({ "secret_id_accessor": accessor });
        let info: Option<SecretIdInfo> =
            match none_if_not_found(self.data(Method::POST, &path, Some(&body)).await) {
                Err(e) if is_missing_role(&e) => None,
                other => other?,
            };
        Ok(info.map(|mut s| {
            s.mount = mount.trim_matches('/').to_string();
            s.role = role.to_string();
            s
        }))
    }

    /// LIST `identity/entity/id`: the entity ids.
    pub async fn entity_ids(&self) -> Result<Vec<String>, VaultError> {
        self.list("identity/entity/id").await
    }

    /// `identity/entity/id/<id>`, with its aliases; `None` when deleted.
    pub async fn entity(&self, id: &str) -> Result<Option<Entity>, VaultError> {
        let path = format!("identity/entity/id/{}", segment(id)?);
        none_if_not_found(self.data(Method::GET, &path, None).await)
    }

    /// Every entity: the listing, then each one read (one after another;
    /// the snapshot reads them concurrently).
    pub async fn entities(&self) -> Result<Vec<Entity>, VaultError> {
        let mut out = Vec::new();
        for id in self.entity_ids().await? {
            out.extend(self.entity(&id).await?);
        }
        Ok(out)
    }

    /// The full ids of the leases under `prefix` (e.g. `auth/token/create/`
    /// or `database/creds/`), from LIST `sys/leases/lookup/<prefix>`,
    /// descending into every key that ends in `/`. `""` lists them all.
    /// Like the token accessors, it needs `list` and `sudo`.
    pub async fn lease_ids(&self, prefix: &str) -> Result<Vec<String>, VaultError> {
        let mut ids = Vec::new();
        let mut todo = vec![normalise_prefix(prefix)];
        while let Some(p) = todo.pop() {
            for key in self.list(&format!("sys/leases/lookup/{p}")).await? {
                let full = format!("{p}{key}");
                if key.ends_with('/') {
                    todo.push(full);
                } else {
                    ids.push(full);
                }
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// The leases under `prefix`, each looked up (one after another; the
    /// snapshot does it concurrently).
    pub async fn leases(&self, prefix: &str) -> Result<Vec<LeaseInfo>, VaultError> {
        let mut out = Vec::new();
        for id in self.lease_ids(prefix).await? {
            out.extend(self.lookup_lease(&id).await?);
        }
        Ok(out)
    }

    /// PUT `sys/leases/lookup`; `None` when Vault says `invalid lease`
    /// (revoked or expired).
    pub async fn lookup_lease(&self, lease_id: &str) -> Result<Option<LeaseInfo>, VaultError> {
        let body = json!({ "lease_id": lease_id });
        match self
            .data(Method::PUT, "sys/leases/lookup", Some(&body))
            .await
        {
            Err(e) if is_invalid_lease(&e) => Ok(None),
            other => other,
        }
    }
}

/// Vault's 400 for a token accessor it has no token for.
pub(crate) fn is_invalid_accessor(e: &VaultError) -> bool {
    e.says(400, "invalid accessor")
}

/// Vault's 400 for a lease id it has no lease for.
pub(crate) fn is_invalid_lease(e: &VaultError) -> bool {
    e.says(400, "invalid lease")
}

/// OpenBao 2.7's 500 (Vault's 400) for a role that was deleted, secret-ids
/// and all: `role "x" does not exist`.
pub(crate) fn is_missing_role(e: &VaultError) -> bool {
    matches!(e, VaultError::Http { errors, .. }
        if errors.iter().any(|l| l.starts_with("role ") && l.ends_with("does not exist")))
}

fn none_if_not_found<T>(r: Result<Option<T>, VaultError>) -> Result<Option<T>, VaultError> {
    match r {
        Err(VaultError::NotFound { .. }) => Ok(None),
        other => other,
    }
}

/// A mount path as given (`approle`, `/approle/`, `team/approle`), checked
/// and without its outer slashes.
pub(crate) fn mount_path(mount: &str) -> Result<&str, VaultError> {
    let m = mount.trim_matches('/');
    if m.is_empty() || m.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return Err(VaultError::Invalid(format!(
            "{mount:?} is not an auth mount path"
        )));
    }
    Ok(m)
}

/// One path segment (a role name, an id): no `/`, not `.` or `..`.
pub(crate) fn segment(s: &str) -> Result<&str, VaultError> {
    if s.is_empty() || s.contains('/') || s == "." || s == ".." {
        return Err(VaultError::Invalid(format!(
            "{s:?} is not a name Vault can look up"
        )));
    }
    Ok(s)
}

/// `""` stays (every lease); anything else ends in exactly one `/`.
fn normalise_prefix(prefix: &str) -> String {
    let p = prefix.trim_matches('/');
    if p.is_empty() {
        String::new()
    } else {
        format!("{p}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_and_names_are_checked() {
        assert_eq!(mount_path("/approle/").unwrap(), "approle");
        assert_eq!(mount_path("team/approle").unwrap(), "team/approle");
        for bad in ["", "/", "a//b", "../sys", "a/./b"] {
            assert!(mount_path(bad).is_err(), "{bad:?}");
        }
        assert!(segment("agent-role").is_ok());
        for bad in ["", "a/b", ".", ".."] {
            assert!(segment(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lease_prefixes_end_in_one_slash() {
        assert_eq!(normalise_prefix(""), "");
        assert_eq!(normalise_prefix("/"), "");
        assert_eq!(normalise_prefix("auth/token/create"), "auth/token/create/");
        assert_eq!(normalise_prefix("database/creds/"), "database/creds/");
    }

    #[test]
    fn gone_is_told_from_refused() {
        let invalid = VaultError::Http {
            status: 400,
            path: "auth/token/lookup-accessor".into(),
            errors: vec!["invalid accessor".into()],
        };
        assert!(is_invalid_accessor(&invalid));
        assert!(!is_invalid_lease(&invalid));
        let lease = VaultError::Http {
            status: 400,
            path: "sys/leases/lookup".into(),
            errors: vec!["invalid lease".into()],
        };
        assert!(is_invalid_lease(&lease));
        let denied = VaultError::PermissionDenied {
            path: "sys/leases/lookup".into(),
            capability: super::super::error::Capability::Update,
            sudo: false,
        };
        assert!(!is_invalid_lease(&denied) && !is_invalid_accessor(&denied));
        let no_role = VaultError::Http {
            status: 500,
            path: "auth/approle/role/x/secret-id-accessor/lookup".into(),
            errors: vec![r#"role "x" does not exist"#.into()],
        };
        assert!(is_missing_role(&no_role) && !is_missing_role(&invalid));
    }
}
