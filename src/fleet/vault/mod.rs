//! Vault identities in the fleet. One read of a Vault (a
//! [`VaultSnapshot`]) becomes, against the fleet's agents:
//! - a [`MachineIdentity`] for every token, AppRole secret-id, lease and
//!   entity read, each with its [`Link`] to an agent or none (unclaimed);
//! - a [`Credential`] of its agent for every linked token, secret-id and
//!   lease, so the agents table, the agent's view and the credentials
//!   screen show them beside Warden's own (their ids start with `vault:`);
//! - the alerts of the rules that apply to them ([`rules`]);
//!
//! as the [`Changes`] that bring the fleet's copy of that backend up to
//! date, like any poll. Every string is made display-safe here.

mod rules;

pub use crate::vault::Link;

use super::foreign::AgentMatcher;
use super::safe_text::escape;
use super::state::{Fleet, Sanitize};
use crate::api::{Changes, Removed};
use crate::config::vault::VaultSettings;
use crate::model::{Credential, CredentialStatus};
use crate::vault::{Linker, VaultCredRef, VaultSnapshot};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// What a Vault identity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IdentityKind {
    Token,
    SecretId,
    Lease,
    Entity,
}

/// One identity read from a Vault, display-safe, as the unclaimed
/// identities screen and an agent's view show it.
#[derive(Debug, Clone, PartialEq)]
pub struct MachineIdentity {
    /// The fleet's id: the backend's prefix, then `vault:token:<accessor>`,
    /// `vault:secret-id:…`, `vault:lease:…` or `vault:entity:<id>`.
    pub id: String,
    pub kind: IdentityKind,
    /// Display name, `mount/role`, lease path, or entity name.
    pub name: String,
    pub policies: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    pub expires: Option<DateTime<Utc>>,
    /// Holds the `root` policy.
    pub root: bool,
    /// Never expires (no TTL, or a TTL of 0).
    pub no_expiry: bool,
    /// What else Vault says of it, one line: metadata, uses, CIDRs, orphan.
    pub detail: String,
    pub link: Option<Link>,
}

impl MachineIdentity {
    /// The Vault credential it is, if Vault can revoke it (not an entity).
    pub fn credential_ref(&self) -> Option<VaultCredRef> {
        // A backend's name has no `:`, so the first `vault:` starts the id
        // Vault knows (which may itself hold `/`, as a secret-id's does).
        let at = self.id.find("vault:")?;
        self.id[at..].parse().ok()
    }
}

/// One read of a Vault, against the fleet.
#[derive(Debug, Default)]
pub struct VaultPoll {
    /// The credentials and alerts that changed or went.
    pub changes: Changes,
    /// Every identity read, linked or not.
    pub identities: Vec<MachineIdentity>,
}

/// The poll that makes the fleet's credentials and alerts under `prefix` (a
/// backend's name and the separator; empty with one backend) those of
/// `snapshot`. `source` names the backend on its alerts.
pub fn vault_changes(
    fleet: &Fleet,
    prefix: &str,
    scopes: &[String],
    source: &str,
    snapshot: &VaultSnapshot,
    settings: &VaultSettings,
    now: DateTime<Utc>,
) -> VaultPoll {
    let mut matcher = AgentMatcher::new(fleet, scopes);
    let mut linker = Linker::new(|label: &str| matcher.agent_for(label), settings);
    let mut identities = Vec::new();
    let q = |raw: String| format!("{prefix}{raw}");
    for e in &snapshot.entities {
        let link = linker.entity(e);
        identities.push(MachineIdentity {
            id: q(format!("vault:entity:{}", e.id)),
            kind: IdentityKind::Entity,
            name: e.name.clone(),
            policies: e.policies.clone(),
            created: e.creation_time,
            expires: None,
            root: e.policies.iter().any(|p| p == "root"),
            no_expiry: false,
            detail: detail(&[
                pairs(&e.metadata),
                e.aliases
                    .iter()
                    .map(|a| format!("alias {} on {}", a.name, a.mount_path))
                    .collect::<Vec<_>>()
                    .join(", "),
                if e.disabled {
                    "disabled".into()
                } else {
                    String::new()
                },
            ]),
            link,
        });
    }
    for t in &snapshot.tokens {
        let link = linker.token(t);
        let id = VaultCredRef::Token {
            accessor: t.accessor.clone(),
        };
        identities.push(MachineIdentity {
            id: q(id.to_string()),
            kind: IdentityKind::Token,
            name: t.display_name.clone(),
            policies: t.policies.clone(),
            created: t.creation_time,
            expires: t.expire_time,
            root: t.is_root(),
            no_expiry: t.no_expiry(),
            detail: detail(&[
                pairs(&t.meta),
                uses(t.num_uses),
                if t.orphan {
                    "orphan".into()
                } else {
                    String::new()
                },
                t.entity_id
                    .as_ref()
                    .map(|e| format!("entity {e}"))
                    .unwrap_or_default(),
                format!("path {}", t.path),
            ]),
            link,
        });
    }
    for s in &snapshot.secret_ids {
        let link = linker.secret_id(s);
        let id = VaultCredRef::SecretId {
            mount: s.mount.clone(),
            role: s.role.clone(),
            accessor: s.accessor.clone(),
        };
        identities.push(MachineIdentity {
            id: q(id.to_string()),
            kind: IdentityKind::SecretId,
            name: format!("{}/{}", s.mount, s.role),
            policies: snapshot
                .roles
                .iter()
                .find(|r| r.mount == s.mount && r.name == s.role)
                .map(|r| r.token_policies.clone())
                .unwrap_or_default(),
            created: s.creation_time,
            expires: s.expiration,
            root: false,
            no_expiry: s.expiration.is_none(),
            detail: detail(&[pairs(&s.metadata), uses(s.num_uses), cidrs(&s.cidr_list)]),
            link,
        });
    }
    for l in &snapshot.leases {
        let link = linker.lease(l);
        let id = VaultCredRef::Lease {
            lease_id: l.id.clone(),
        };
        let path = l.id.rsplit_once('/').map_or(l.id.as_str(), |(p, _)| p);
        identities.push(MachineIdentity {
            id: q(id.to_string()),
            kind: IdentityKind::Lease,
            name: path.to_string(),
            policies: Vec::new(),
            created: l.issue_time,
            expires: l.expire_time,
            root: false,
            no_expiry: l.expire_time.is_none(),
            detail: detail(&[if l.renewable {
                "renewable".into()
            } else {
                String::new()
            }]),
            link,
        });
    }
    for i in &mut identities {
        sanitize(i);
    }
    let changes = changes(fleet, prefix, source, &identities, now);
    VaultPoll {
        changes,
        identities,
    }
}

/// The credentials and alerts of `identities` against what the fleet holds
/// under `prefix`: only what changed, and the removal of what went.
fn changes(
    fleet: &Fleet,
    prefix: &str,
    source: &str,
    identities: &[MachineIdentity],
    now: DateTime<Utc>,
) -> Changes {
    let ours = format!("{prefix}vault");
    let mut creds = HashSet::new();
    let mut changed_creds = Vec::new();
    for i in identities {
        let (Some(link), false) = (&i.link, i.kind == IdentityKind::Entity) else {
            continue;
        };
        let mut c = credential(i, link, now);
        c.sanitize();
        creds.insert(c.id.clone());
        if fleet.credential(&c.id) != Some(&c) {
            changed_creds.push(c);
        }
    }
    let mut alerts = HashSet::new();
    let mut changed_alerts = Vec::new();
    for mut a in rules::alerts(fleet, &ours, source, identities, now) {
        a.sanitize();
        alerts.insert(a.id.clone());
        match fleet.alert(&a.id) {
            // Still firing for the same cause: the alert first seen stands.
            Some(old) if old.summary == a.summary && old.agent_id == a.agent_id => {}
            Some(old) => {
                a.created_at = old.created_at;
                changed_alerts.push(a);
            }
            None => changed_alerts.push(a),
        }
    }
    let gone = |kind: &str, id: &str| Removed {
        kind: kind.into(),
        id: id.into(),
        rev: 0,
    };
    let mut removed: Vec<Removed> = fleet
        .credentials()
        .filter(|c| c.id.starts_with(&ours) && !creds.contains(&c.id))
        .map(|c| gone("credential", &c.id))
        .collect();
    removed.extend(
        fleet
            .alerts()
            .filter(|a| a.id.starts_with(&ours) && !alerts.contains(&a.id))
            .map(|a| gone("alert", &a.id)),
    );
    Changes {
        cursor: fleet.cursor,
        full: false,
        credentials: changed_creds,
        alerts: changed_alerts,
        removed,
        ..Changes::default()
    }
}

/// A linked identity as a credential of its agent.
fn credential(i: &MachineIdentity, link: &Link, now: DateTime<Utc>) -> Credential {
    let expired = i.expires.is_some_and(|e| e <= now);
    Credential {
        id: i.id.clone(),
        agent_id: link.agent_id.clone(),
        scopes: match i.kind {
            IdentityKind::Lease => vec![i.name.clone()],
            _ => i.policies.clone(),
        },
        prefix: i.name.chars().take(24).collect(),
        issued_at: i.created.unwrap_or(now),
        expires_at: i.expires,
        last_used_at: None,
        status: if expired {
            CredentialStatus::Expired
        } else {
            CredentialStatus::Active
        },
        revoked_at: None,
        revoked_reason: None,
        replaced_by: None,
        fingerprint: None,
        rev: 0,
    }
}

fn sanitize(i: &mut MachineIdentity) {
    i.id = escape(&i.id).into_owned();
    i.name = escape(&i.name).into_owned();
    i.detail = escape(&i.detail).into_owned();
    for p in &mut i.policies {
        *p = escape(p).into_owned();
    }
    if let Some(l) = &mut i.link {
        l.how = escape(&l.how).into_owned();
    }
}

fn detail(parts: &[String]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" · ")
}

fn pairs(map: &std::collections::BTreeMap<String, String>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn uses(n: i64) -> String {
    match n {
        0 => String::new(),
        n => format!("{n} uses left"),
    }
}

fn cidrs(list: &[String]) -> String {
    match list {
        [] => String::new(),
        l => format!("from {}", l.join(", ")),
    }
}
