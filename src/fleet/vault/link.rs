//! Which agent a Vault identity belongs to. The link is always explicit
//! and always shown: the identity's metadata names the agent
//! (`warden_agent=<id or name>`), a mapping rule of the config matches it,
//! or it is held by an entity that is itself linked (by its metadata, a
//! rule, or an entity named exactly as the agent). A name that matches no
//! agent, or several, links nothing: the identity is unclaimed.

use crate::config::vault::{LinkMatch, LinkRule, VaultSettings, glob};
use crate::fleet::foreign::AgentMatcher;
use crate::vault::{Entity, LeaseInfo, SecretIdInfo, TokenInfo};
use std::collections::{BTreeMap, HashMap};

/// An identity's agent, and how the link was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The fleet's id of the agent.
    pub agent_id: String,
    /// What made the link, e.g. `metadata warden_agent=support-bot`.
    pub how: String,
}

/// Links identities to the fleet's agents under one backend's settings.
pub struct Linker<'a> {
    matcher: AgentMatcher<'a>,
    settings: &'a VaultSettings,
    /// Entities linked, by entity id: a token an entity holds is its.
    entities: HashMap<String, Link>,
}

impl<'a> Linker<'a> {
    pub fn new(matcher: AgentMatcher<'a>, settings: &'a VaultSettings) -> Self {
        Linker {
            matcher,
            settings,
            entities: HashMap::new(),
        }
    }

    fn by_meta(&mut self, meta: &BTreeMap<String, String>) -> Option<Link> {
        let key = &self.settings.link_key;
        let value = meta.get(key)?;
        let agent_id = self.matcher.agent_for(value)?;
        Some(Link {
            agent_id,
            how: format!("metadata {key}={value}"),
        })
    }

    fn by_rule(&mut self, wants: impl Fn(&LinkMatch) -> bool) -> Option<Link> {
        let rules: &'a [LinkRule] = &self.settings.links;
        let rule = rules.iter().find(|r| wants(&r.matches))?;
        let agent_id = self.matcher.agent_for(&rule.agent)?;
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
                self.matcher.agent_for(&e.name).map(|agent_id| Link {
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
