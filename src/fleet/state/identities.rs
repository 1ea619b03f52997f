//! The identities read from Vault backends, each backend's replaced whole
//! on every read. Linked ones are also credentials of their agents (see
//! [`crate::fleet::vault`]); here they are kept as read, for the unclaimed
//! identities screen, an agent's view and the header's count.

use super::Fleet;
use crate::fleet::vault::MachineIdentity;

impl Fleet {
    /// Replaces the identities of the backend whose ids start with `prefix`.
    pub fn set_identities(&mut self, prefix: &str, identities: Vec<MachineIdentity>) {
        self.identities.insert(prefix.to_string(), identities);
        // Counted here, once a read, not by the header on every frame.
        self.unclaimed = self.unclaimed().count();
        self.generation += 1;
    }

    /// How many identities no agent claims.
    pub fn unclaimed_count(&self) -> usize {
        self.unclaimed
    }

    /// Every identity of every Vault backend, backend by backend.
    pub fn identities(&self) -> impl Iterator<Item = &MachineIdentity> {
        self.identities.values().flatten()
    }

    /// The identities no agent claims: shadow machine identities.
    pub fn unclaimed(&self) -> impl Iterator<Item = &MachineIdentity> {
        self.identities().filter(|i| i.link.is_none())
    }

    /// The identities linked to the agent with this id.
    pub fn identities_of<'a>(
        &'a self,
        agent_id: &'a str,
    ) -> impl Iterator<Item = &'a MachineIdentity> + 'a {
        self.identities()
            .filter(move |i| i.link.as_ref().is_some_and(|l| l.agent_id == agent_id))
    }

    /// The identity with this id.
    pub fn identity(&self, id: &str) -> Option<&MachineIdentity> {
        self.identities().find(|i| i.id == id)
    }

    /// Whether any Vault backend has been read.
    pub fn has_identities(&self) -> bool {
        !self.identities.is_empty()
    }
}
