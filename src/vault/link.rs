//! Which agent a Vault identity belongs to, the same way for the dashboard
//! and for `warden serve`. The link is always explicit and always shown:
//! the identity's metadata names the agent (`warden_agent=<id or name>`),
//! a mapping rule of the config matches it, or it is held by an entity that
//! is itself linked (by its metadata, a rule, or an entity named exactly as
//! the agent). A name that matches no agent, or several, links nothing: the
//! identity is unclaimed.
//!
//! Which names are agents is the caller's: the [`Linker`] asks a `resolve`
//! closure (an agent's id or name → the one agent's id), so the dashboard
//! answers from its fleet and the server from its store.

use super::{Entity, LeaseInfo, SecretIdInfo, TokenInfo, VaultCredRef, VaultSnapshot};
use crate::config::vault::{LinkMatch, LinkRule, VaultSettings, glob};
use std::collections::{BTreeMap, HashMap};

/// An identity's agent, and how the link was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The caller's id of the agent.
    pub agent_id: String,
    /// What made the link, e.g. `metadata warden_agent=support-bot`.
    pub how: String,
}

/// Links identities to agents under one Vault's settings. Entities must be
/// linked before the tokens they hold.
pub struct Linker<'a, R> {
    resolve: R,
    settings: &'a VaultSettings,
    /// Entities linked, by entity id: a token an entity holds is its.
    entities: HashMap<String, Link>,
}

impl<'a, R: FnMut(&str) -> Option<String>> Linker<'a, R> {
    /// `resolve` answers the id of the one agent an id or name names.
    pub fn new(resolve: R, settings: &'a VaultSettings) -> Self {
        Linker {
            resolve,
            settings,
            entities: HashMap::new(),
        }
    }

    fn by_meta(&mut self, meta: &BTreeMap<String, String>) -> Option<Link> {
        let key = &self.settings.link_key;
        let value = meta.get(key)?;
        let agent_id = (self.resolve)(value)?;
        Some(Link {
            agent_id,
            how: format!("metadata {key}={value}"),
        })
    }

    fn by_rule(&mut self, wants: impl Fn(&LinkMatch) -> bool) -> Option<Link> {
        let rules: &'a [LinkRule] = &self.settings.links;
        let rule = rules.iter().find(|r| wants(&r.matches))?;
        let agent_id = (self.resolve)(&rule.agent)?;
        Some(Link {
            agent_id,
            how: rule.describe(),
        })
    }

    /// Links an entity, and remembers it for the tokens it holds.
    pub fn entity(&mut self, e: &Entity) -> Option<Link> {
        let link = self
            .by_meta(&e.metadata)
            .or_else(|| self.by_rule(|m| matches!(m, LinkMatch::Entity(p) if glob(p, &e.name))))
            .or_else(|| {
                (self.resolve)(&e.name).map(|agent_id| Link {
                    agent_id,
                    how: format!("entity name {}", e.name),
                })
            })?;
        self.entities.insert(e.id.clone(), link.clone());
        Some(link)
    }

    pub fn token(&mut self, t: &TokenInfo) -> Option<Link> {
        self.by_meta(&t.meta)
            .or_else(|| {
                self.by_rule(|m| matches!(m, LinkMatch::DisplayName(p) if glob(p, &t.display_name)))
            })
            .or_else(|| {
                let entity = t.entity_id.as_ref()?;
                let held = self.entities.get(entity)?;
                Some(Link {
                    agent_id: held.agent_id.clone(),
                    how: format!("held by entity linked by {}", held.how),
                })
            })
    }

    pub fn secret_id(&mut self, s: &SecretIdInfo) -> Option<Link> {
        self.by_meta(&s.metadata)
            .or_else(|| self.by_rule(|m| matches!(m, LinkMatch::Role(p) if glob(p, &s.role))))
    }

    pub fn lease(&mut self, l: &LeaseInfo) -> Option<Link> {
        self.by_rule(|m| matches!(m, LinkMatch::LeasePrefix(p) if l.id.starts_with(p.as_str())))
    }
}

/// A credential Vault can revoke, read in a snapshot and linked to an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedCredential {
    pub cred: VaultCredRef,
    /// `token`, `secret-id` or `lease`.
    pub kind: &'static str,
    /// A token's display name, `mount/role`, or the lease's id.
    pub name: String,
    pub link: Link,
}

/// Every token, secret-id and lease of `snapshot` that links to an agent
/// (entities linked first, so the tokens they hold follow them), in the
/// snapshot's order.
pub fn linked_credentials<R: FnMut(&str) -> Option<String>>(
    snapshot: &VaultSnapshot,
    settings: &VaultSettings,
    resolve: R,
) -> Vec<LinkedCredential> {
    let mut linker = Linker::new(resolve, settings);
    for e in &snapshot.entities {
        linker.entity(e);
    }
    let mut out = Vec::new();
    let mut push = |cred, kind, name: &str, link: Option<Link>| {
        if let Some(link) = link {
            out.push(LinkedCredential {
                cred,
                kind,
                name: name.to_string(),
                link,
            });
        }
    };
    for t in &snapshot.tokens {
        let cred = VaultCredRef::Token {
            accessor: t.accessor.clone(),
        };
        push(cred, "token", &t.display_name, linker.token(t));
    }
    for s in &snapshot.secret_ids {
        let cred = VaultCredRef::SecretId {
            mount: s.mount.clone(),
            role: s.role.clone(),
            accessor: s.accessor.clone(),
        };
        push(
            cred,
            "secret-id",
            &format!("{}/{}", s.mount, s.role),
            linker.secret_id(s),
        );
    }
    for l in &snapshot.leases {
        let cred = VaultCredRef::Lease {
            lease_id: l.id.clone(),
        };
        push(cred, "lease", &l.id, linker.lease(l));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Agents `a-1` (named `alpha`) and `b-1` and `b-2` (both named `beta`).
    fn resolve(label: &str) -> Option<String> {
        match label {
            "a-1" | "alpha" => Some("a-1".into()),
            "b-1" | "b-2" => Some(label.into()),
            _ => None,
        }
    }

    fn meta(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_way_of_linking_and_an_ambiguous_name_links_nothing() {
        let settings = VaultSettings {
            links: vec![
                toml::from_str("display_name = \"ci-*\"\nagent = \"alpha\"").unwrap(),
                toml::from_str("lease_prefix = \"database/creds/ro\"\nagent = \"b-2\"").unwrap(),
                toml::from_str("role = \"bot\"\nagent = \"beta\"").unwrap(),
            ],
            ..VaultSettings::default()
        };
        let snap = VaultSnapshot {
            entities: vec![Entity {
                id: "ent-1".into(),
                name: "b-1".into(),
                ..Entity::default()
            }],
            tokens: vec![
                TokenInfo {
                    accessor: "tok-meta".into(),
                    meta: meta(&[("warden_agent", "alpha")]),
                    ..TokenInfo::default()
                },
                TokenInfo {
                    accessor: "tok-rule".into(),
                    display_name: "ci-42".into(),
                    ..TokenInfo::default()
                },
                TokenInfo {
                    accessor: "tok-entity".into(),
                    entity_id: Some("ent-1".into()),
                    ..TokenInfo::default()
                },
                TokenInfo {
                    accessor: "tok-ambiguous".into(),
                    meta: meta(&[("warden_agent", "beta")]),
                    ..TokenInfo::default()
                },
            ],
            secret_ids: vec![SecretIdInfo {
                mount: "approle".into(),
                role: "bot".into(),
                accessor: "sid-1".into(),
                ..SecretIdInfo::default()
            }],
            leases: vec![LeaseInfo {
                id: "database/creds/ro/xyz".into(),
                ..LeaseInfo::default()
            }],
            ..VaultSnapshot::default()
        };
        let found = linked_credentials(&snap, &settings, resolve);
        let got: Vec<(String, &str, &str)> = found
            .iter()
            .map(|c| {
                (
                    c.cred.to_string(),
                    c.link.agent_id.as_str(),
                    c.link.how.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "vault:token:tok-meta".into(),
                    "a-1",
                    "metadata warden_agent=alpha"
                ),
                (
                    "vault:token:tok-rule".into(),
                    "a-1",
                    "config display_name = \"ci-*\""
                ),
                (
                    "vault:token:tok-entity".into(),
                    "b-1",
                    "held by entity linked by entity name b-1"
                ),
                (
                    "vault:lease:database/creds/ro/xyz".into(),
                    "b-2",
                    "config lease_prefix = \"database/creds/ro\""
                ),
            ]
        );
        assert_eq!(found[3].kind, "lease");
    }
}
