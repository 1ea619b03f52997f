//! Acting on a Vault from the dashboard: revoking one Vault credential
//! (a token by accessor, an AppRole secret-id, a lease), and the Vault
//! steps of a kill. Each revocation is verified, not assumed: the
//! credential is looked up again, and only a Vault that no longer has it
//! makes the step succeed. Vault has no freeze: a frozen agent's Vault
//! credentials stay valid, and the dashboard says so.

use crate::config::vault::VaultSettings;
use crate::fleet::origin::SEPARATOR;
use crate::model::{Credential, CredentialStatus, OperationStep, StepStatus};
use crate::sources::{self, Origin, Poker, SourceHandle};
use crate::tui::msg::Msg;
use crate::tui::strings;
use crate::vault::{Revocation, VaultClient, VaultConfig, VaultCredRef};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// A Vault the dashboard watches: a `[[backend]]` of kind `vault`.
#[derive(Clone)]
pub struct VaultTarget {
    /// What the header calls it; it qualifies its identities' ids.
    pub name: String,
    pub config: VaultConfig,
    pub settings: VaultSettings,
    pub refresh: Duration,
}

impl fmt::Debug for VaultTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // VaultConfig's own Debug leaves the token out.
        f.debug_struct("VaultTarget")
            .field("name", &self.name)
            .field("config", &self.config)
            .field("refresh", &self.refresh)
            .finish()
    }
}

/// One Vault the runner acts on.
#[derive(Debug, Clone)]
pub struct VaultRoute {
    pub client: VaultClient,
    pub poker: Poker,
    pub scope: Option<String>,
}

impl VaultRoute {
    /// The Vault credential `id` names, if it is this route's.
    pub fn owns(&self, id: &str) -> Option<VaultCredRef> {
        let local = match &self.scope {
            None => id,
            Some(s) => id.strip_prefix(s.as_str())?.strip_prefix(SEPARATOR)?,
        };
        local.parse().ok()
    }
}

/// Starts a source for each of `targets`, numbered from `first`, and
/// answers their handles and the routes the runner acts through.
pub fn start(
    targets: &[VaultTarget],
    first: usize,
    merged: bool,
    tx: &mpsc::Sender<Msg>,
) -> anyhow::Result<(Vec<SourceHandle>, Vec<VaultRoute>)> {
    let mut handles = Vec::with_capacity(targets.len());
    let mut routes = Vec::with_capacity(targets.len());
    for (n, t) in targets.iter().enumerate() {
        let client = VaultClient::new(t.config.clone())
            .map_err(|e| anyhow::anyhow!("backend {:?}: {e}", t.name))?;
        let scope = merged.then(|| t.name.clone());
        let origin = Origin {
            index: first + n,
            scope: scope.clone(),
        };
        let handle = sources::vault::spawn(
            client.clone(),
            Arc::new(t.settings.clone()),
            t.refresh,
            tx.clone(),
            origin,
        );
        routes.push(VaultRoute {
            client,
            poker: handle.poker(),
            scope,
        });
        handles.push(handle);
    }
    Ok((handles, routes))
}

/// One revocation, as the answer to a revoke action: the credential as the
/// app knows it, now revoked, with what Vault said.
pub async fn revoke_one(
    route: &VaultRoute,
    id: &str,
    cred: &VaultCredRef,
    reason: &str,
) -> Result<Credential, String> {
    let said = route
        .client
        .revoke_verified(cred)
        .await
        .map(Revocation::said)?;
    route.poker.poll_now();
    let now = chrono::Utc::now();
    Ok(Credential {
        id: id.to_string(),
        agent_id: String::new(),
        scopes: Vec::new(),
        prefix: String::new(),
        issued_at: now,
        expires_at: None,
        last_used_at: None,
        status: CredentialStatus::Revoked,
        revoked_at: Some(now),
        revoked_reason: Some(format!("{reason} ({said})")),
        replaced_by: None,
        fingerprint: None,
        rev: 0,
    })
}

/// The Vault steps of a kill: every credential in `ids` the routes own,
/// revoked and verified one by one, as steps of the kill's operation.
pub async fn kill_steps(
    routes: &[VaultRoute],
    agent_id: &str,
    ids: &[String],
) -> Vec<OperationStep> {
    let mut steps = Vec::with_capacity(ids.len());
    for id in ids {
        let found = routes.iter().find_map(|r| r.owns(id).map(|c| (r, c)));
        let (status, detail) = match found {
            None => (StepStatus::Failed, strings::no_vault_for(id)),
            Some((route, cred)) => match route
                .client
                .revoke_verified(&cred)
                .await
                .map(Revocation::said)
                .inspect(
                    |said| tracing::info!(agent_id, credential = %cred, %said, "kill: vault step"),
                ) {
                Ok(said) => (StepStatus::Ok, format!("{cred}: {said}")),
                Err(e) => (StepStatus::Failed, format!("{cred}: {e}")),
            },
        };
        steps.push(OperationStep {
            name: crate::vault::VAULT_STEP.into(),
            agent_id: agent_id.to_string(),
            status,
            detail,
        });
    }
    routes.iter().for_each(|r| r.poker.poll_now());
    steps
}

/// A rotation of a Vault credential: only an AppRole secret-id has one. A
/// new secret-id like the old is made and its secret answered once; the
/// old is destroyed (and verified) now with a grace of 0, else after the
/// grace by this process, which says so.
pub async fn rotate_one(
    route: &VaultRoute,
    id: &str,
    cred: &VaultCredRef,
    grace: Duration,
    reason: &str,
) -> Result<(Credential, Credential, String), String> {
    let VaultCredRef::SecretId {
        mount,
        role,
        accessor,
    } = cred
    else {
        return Err(strings::VAULT_ONLY_SECRET_IDS_ROTATE.into());
    };
    let new = route
        .client
        .replace_secret_id(mount, role, accessor)
        .await
        .map_err(|e| e.to_string())?;
    let now = chrono::Utc::now();
    let new_ref = VaultCredRef::SecretId {
        mount: mount.clone(),
        role: role.clone(),
        accessor: new.accessor.clone(),
    };
    let scope = id.find("vault:").map_or("", |at| &id[..at]);
    let mut previous = Credential {
        id: id.to_string(),
        agent_id: String::new(),
        scopes: Vec::new(),
        prefix: String::new(),
        issued_at: now,
        expires_at: None,
        last_used_at: None,
        status: CredentialStatus::Active,
        revoked_at: None,
        revoked_reason: None,
        replaced_by: Some(format!("{scope}{new_ref}")),
        fingerprint: None,
        rev: 0,
    };
    let credential = Credential {
        id: format!("{scope}{new_ref}"),
        replaced_by: None,
        prefix: format!("{mount}/{role}"),
        ..previous.clone()
    };
    if grace.is_zero() {
        let said = route
            .client
            .revoke_verified(cred)
            .await
            .map(Revocation::said)?;
        previous.status = CredentialStatus::Revoked;
        previous.revoked_at = Some(now);
        previous.revoked_reason = Some(format!("{reason} ({said})"));
    } else {
        previous.expires_at = chrono::Duration::from_std(grace).ok().map(|g| now + g);
        let (client, cred, poker) = (route.client.clone(), cred.clone(), route.poker.clone());
        tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            match client.revoke_verified(&cred).await.map(Revocation::said) {
                Ok(said) => {
                    tracing::info!(credential = %cred, %said, "old secret-id retired after its grace")
                }
                Err(e) => {
                    tracing::warn!(credential = %cred, error = %e, "old secret-id NOT retired after its grace")
                }
            }
            poker.poll_now();
        });
    }
    route.poker.poll_now();
    Ok((credential, previous, new.secret_id.to_string()))
}
