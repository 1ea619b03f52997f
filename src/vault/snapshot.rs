//! [`VaultClient::snapshot`]: everything a [`ReadPlan`] names, read in one
//! go with a bounded number of lookups in flight, into a [`VaultSnapshot`].
//!
//! How failures land, so the dashboard can show what it could read:
//!
//! - **Vault down** ([`VaultError::is_vault_down`]: unreachable, timed out,
//!   sealed) anywhere: the whole snapshot is that error. Half a fleet read
//!   from a failing Vault would look like credentials that disappeared.
//! - **A listing refused** (no `list` permission, a mount that does not
//!   exist, a malformed answer): that part is empty and a
//!   [`SnapshotWarning`] says why ("permission denied on
//!   auth/token/accessors …"); the other parts are read as usual. A part
//!   with a warning is incomplete: what it lacks was not seen, not revoked.
//! - **One lookup says gone** (a token revoked between the LIST and its
//!   lookup): skipped, and counted in [`VaultSnapshot::vanished`].
//! - **Lookups refused otherwise** (e.g. `list` granted but not `update` on
//!   `lookup-accessor`): skipped, and one warning per part and message,
//!   with how many lookups it hit.

use super::client::VaultClient;
use super::error::VaultError;
use super::types::{Entity, Health, LeaseInfo, RoleInfo, SecretIdInfo, TokenInfo};
use futures_util::stream::{self, StreamExt};
use std::future::Future;

/// How many lookups are in flight at once when the plan says 0: enough to
/// hide a round trip's latency, few enough not to load Vault.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// What [`VaultClient::snapshot`] reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReadPlan {
    /// Every token, by LIST `auth/token/accessors` and a lookup of each.
    pub token_accessors: bool,
    /// AppRole mounts (e.g. `approle`): each role, its settings, its
    /// secret-ids. [`VaultClient::auth_mounts`] finds them.
    pub approle_mounts: Vec<String>,
    /// Every identity entity, with its aliases.
    pub entities: bool,
    /// Lease prefixes, e.g. `database/creds/` or `auth/approle/login/`;
    /// `""` is every lease.
    pub lease_prefixes: Vec<String>,
    /// Lookups in flight at once; 0 is [`DEFAULT_CONCURRENCY`].
    pub concurrency: usize,
}

/// Which part of a [`ReadPlan`] a warning is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum SnapshotPart {
    Tokens,
    AppRole { mount: String },
    Entities,
    Leases { prefix: String },
}

/// A part that could not be read, or lookups in it that were refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SnapshotWarning {
    pub part: SnapshotPart,
    /// The first such error, as the dashboard shows it.
    pub message: String,
    /// Whether it was Vault's 403: the token's policy lacks a capability.
    pub permission_denied: bool,
    /// How many requests failed with this message (1 for a listing).
    pub count: usize,
}

/// What one snapshot read. Each list is sorted by its id.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct VaultSnapshot {
    pub health: Health,
    pub tokens: Vec<TokenInfo>,
    pub roles: Vec<RoleInfo>,
    pub secret_ids: Vec<SecretIdInfo>,
    pub entities: Vec<Entity>,
    pub leases: Vec<LeaseInfo>,
    /// Listed, then gone before their lookup.
    pub vanished: usize,
    pub warnings: Vec<SnapshotWarning>,
}

impl VaultSnapshot {
    fn warn(&mut self, part: SnapshotPart, e: &VaultError) {
        let message = e.to_string();
        if let Some(w) = self
            .warnings
            .iter_mut()
            .find(|w| w.part == part && w.message == message)
        {
            w.count += 1;
            return;
        }
        self.warnings.push(SnapshotWarning {
            part,
            message,
            permission_denied: matches!(e, VaultError::PermissionDenied { .. }),
            count: 1,
        });
    }

    /// A listing's keys, or, when it was refused, none and a warning.
    fn listed(
        &mut self,
        part: SnapshotPart,
        r: Result<Vec<String>, VaultError>,
    ) -> Result<Vec<String>, VaultError> {
        match r {
            Ok(keys) => Ok(keys),
            Err(e) if e.is_vault_down() => Err(e),
            Err(e) => {
                self.warn(part, &e);
                Ok(Vec::new())
            }
        }
    }

    /// The lookups' findings; the gone counted, the refused warned of.
    fn found<T>(
        &mut self,
        part: &SnapshotPart,
        results: Vec<Result<Option<T>, VaultError>>,
    ) -> Vec<T> {
        let mut out = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok(Some(t)) => out.push(t),
                Ok(None) => self.vanished += 1,
                Err(e) => self.warn(part.clone(), &e),
            }
        }
        out
    }
}

/// Runs `f` on each item, `n` at a time; stops at the first error that
/// means Vault is down.
async fn each<I, T, F, Fut>(
    items: Vec<I>,
    n: usize,
    f: F,
) -> Result<Vec<Result<Option<T>, VaultError>>, VaultError>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = Result<Option<T>, VaultError>>,
{
    let mut results = stream::iter(items).map(f).buffer_unordered(n.max(1));
    let mut out = Vec::new();
    while let Some(r) = results.next().await {
        match r {
            Err(e) if e.is_vault_down() => return Err(e),
            other => out.push(other),
        }
    }
    Ok(out)
}

impl VaultClient {
    /// Reads everything `plan` names; see the module's doc for what fails
    /// the whole snapshot and what becomes a warning.
    pub async fn snapshot(&self, plan: &ReadPlan) -> Result<VaultSnapshot, VaultError> {
        let n = if plan.concurrency == 0 {
            DEFAULT_CONCURRENCY
        } else {
            plan.concurrency
        };
        let health = self.health().await?;
        if health.sealed {
            return Err(VaultError::Sealed {
                url: self.base_url().to_string(),
            });
        }
        let mut snap = VaultSnapshot {
            health,
            ..VaultSnapshot::default()
        };

        if plan.token_accessors {
            let part = SnapshotPart::Tokens;
            let accessors = snap.listed(part.clone(), self.token_accessors().await)?;
            let results = each(
                accessors,
                n,
                |a| async move { self.lookup_accessor(&a).await },
            )
            .await?;
            snap.tokens = snap.found(&part, results);
            snap.tokens.sort_by(|a, b| a.accessor.cmp(&b.accessor));
        }

        for mount in &plan.approle_mounts {
            self.read_approle(mount, n, &mut snap).await?;
        }
        snap.roles
            .sort_by(|a, b| (&a.mount, &a.name).cmp(&(&b.mount, &b.name)));
        snap.secret_ids.sort_by(|a, b| {
            (&a.mount, &a.role, &a.accessor).cmp(&(&b.mount, &b.role, &b.accessor))
        });

        if plan.entities {
            let part = SnapshotPart::Entities;
            let ids = snap.listed(part.clone(), self.entity_ids().await)?;
            let results = each(ids, n, |id| async move { self.entity(&id).await }).await?;
            snap.entities = snap.found(&part, results);
            snap.entities.sort_by(|a, b| a.id.cmp(&b.id));
        }

        for prefix in &plan.lease_prefixes {
            let part = SnapshotPart::Leases {
                prefix: prefix.clone(),
            };
            let ids = snap.listed(part.clone(), self.lease_ids(prefix).await)?;
            let results = each(ids, n, |id| async move { self.lookup_lease(&id).await }).await?;
            let found = snap.found(&part, results);
            snap.leases.extend(found);
        }
        snap.leases.sort_by(|a, b| a.id.cmp(&b.id));
        snap.leases.dedup_by(|a, b| a.id == b.id);
        Ok(snap)
    }

    /// One AppRole mount: its roles, each role's settings and secret-ids.
    async fn read_approle(
        &self,
        mount: &str,
        n: usize,
        snap: &mut VaultSnapshot,
    ) -> Result<(), VaultError> {
        let part = SnapshotPart::AppRole {
            mount: mount.to_string(),
        };
        let roles = snap.listed(part.clone(), self.approle_roles(mount).await)?;
        let infos = each(roles.clone(), n, |r| async move {
            self.approle_role(mount, &r).await
        })
        .await?;
        let infos = snap.found(&part, infos);
        snap.roles.extend(infos);

        // A refused secret-id listing of one role is that role's warning;
        // the other roles are still read.
        let listings = each(roles, n, |r| async move {
            self.secret_id_accessors(mount, &r)
                .await
                .map(|accs| Some((r, accs)))
        })
        .await?;
        let mut wanted = Vec::new();
        for (role, accessors) in snap.found(&part, listings) {
            wanted.extend(accessors.into_iter().map(|a| (role.clone(), a)));
        }
        let results = each(wanted, n, |(role, acc)| async move {
            self.lookup_secret_id_accessor(mount, &role, &acc).await
        })
        .await?;
        let found = snap.found(&part, results);
        snap.secret_ids.extend(found);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::error::Capability;

    fn denied(path: &str) -> VaultError {
        VaultError::PermissionDenied {
            path: path.into(),
            capability: Capability::Update,
            sudo: false,
        }
    }

    #[test]
    fn refused_lookups_are_one_warning_with_a_count_and_gone_ones_are_counted() {
        let mut snap = VaultSnapshot::default();
        let part = SnapshotPart::Tokens;
        let found = snap.found(
            &part,
            vec![
                Ok(Some(1)),
                Ok(None),
                Err(denied("auth/token/lookup-accessor")),
                Ok(Some(2)),
                Err(denied("auth/token/lookup-accessor")),
            ],
        );
        assert_eq!(found, [1, 2]);
        assert_eq!(snap.vanished, 1);
        assert_eq!(snap.warnings.len(), 1);
        let w = &snap.warnings[0];
        assert_eq!((w.count, w.permission_denied), (2, true));
        assert!(w.message.contains("auth/token/lookup-accessor"));
    }

    #[test]
    fn a_refused_listing_is_a_warning_and_vault_down_is_an_error() {
        let mut snap = VaultSnapshot::default();
        let keys = snap
            .listed(SnapshotPart::Entities, Err(denied("identity/entity/id")))
            .unwrap();
        assert!(keys.is_empty());
        assert_eq!(snap.warnings[0].part, SnapshotPart::Entities);
        let down = VaultError::Sealed { url: "u".into() };
        assert_eq!(
            snap.listed(SnapshotPart::Tokens, Err(down.clone())),
            Err(down)
        );
    }

    #[tokio::test]
    async fn each_keeps_at_most_n_in_flight_and_stops_when_vault_is_down() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (now, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let results = each((0..100).collect(), 7, |i: usize| {
            let (now, peak) = (&now, &peak);
            async move {
                let cur = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(cur, Ordering::SeqCst);
                tokio::task::yield_now().await;
                now.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, VaultError>(Some(i))
            }
        })
        .await
        .unwrap();
        assert_eq!(results.len(), 100);
        assert_eq!(peak.load(Ordering::SeqCst), 7);

        let r = each((0..100).collect(), 4, |i: usize| async move {
            if i == 10 {
                Err(VaultError::Unreachable {
                    url: "u".into(),
                    cause: "refused".into(),
                })
            } else {
                Ok(Some(i))
            }
        })
        .await;
        assert!(matches!(r, Err(VaultError::Unreachable { .. })));
    }
}
