//! Finding an agent's index by its id without a second copy of the id: a
//! hash table of 32-bit indices into the fleet's agents, hashed and
//! compared through the agent's own id.
//!
//! A `HashMap<String, usize>` kept every id twice (the map's key, the
//! agent's field): at a million agents about 110 bytes an agent, and a
//! clone per agent on every full sync. This table is 5 bytes a slot.

use crate::model::Agent;
use hashbrown::HashTable;
use std::hash::BuildHasher;

#[derive(Debug, Default)]
pub(super) struct AgentIndex {
    table: HashTable<u32>,
    /// foldhash, seeded per process: SipHash was a tenth of a million
    /// agents' first sync.
    hasher: hashbrown::DefaultHashBuilder,
}

impl AgentIndex {
    fn hash(&self, id: &str) -> u64 {
        self.hasher.hash_one(id)
    }

    /// Every agent, indexed again (after a structural change).
    pub(super) fn build(agents: &[Agent]) -> AgentIndex {
        let mut index = AgentIndex::default();
        index.reserve(agents.len(), agents);
        for i in 0..agents.len() {
            index.insert(i, agents);
        }
        index
    }

    pub(super) fn reserve(&mut self, additional: usize, agents: &[Agent]) {
        let hasher = &self.hasher;
        self.table.reserve(additional, |&i| {
            hasher.hash_one(agents[i as usize].id.as_str())
        });
    }

    pub(super) fn get(&self, id: &str, agents: &[Agent]) -> Option<usize> {
        self.table
            .find(self.hash(id), |&i| agents[i as usize].id == id)
            .map(|&i| i as usize)
    }

    /// Indexes agent `i`, already in `agents`, whose id is not indexed.
    pub(super) fn insert(&mut self, i: usize, agents: &[Agent]) {
        let hasher = &self.hasher;
        let hash = hasher.hash_one(agents[i].id.as_str());
        self.table.insert_unique(hash, i as u32, |&j| {
            hasher.hash_one(agents[j as usize].id.as_str())
        });
    }

    /// Forgets the agent at `i` (still in `agents`).
    pub(super) fn remove(&mut self, i: usize, agents: &[Agent]) {
        let hash = self.hash(&agents[i].id);
        if let Ok(entry) = self.table.find_entry(hash, |&j| j as usize == i) {
            entry.remove();
        }
    }

    /// The agent at `from` moved to `to` (a swap-remove); `agents[from]`
    /// is still its old place.
    pub(super) fn moved(&mut self, from: usize, to: usize, id: &str) {
        let hash = self.hash(id);
        if let Some(slot) = self.table.find_mut(hash, |&j| j as usize == from) {
            *slot = to as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::agent;

    #[test]
    fn finds_inserts_and_follows_a_swap_remove() {
        let mut agents: Vec<Agent> = (0..100).map(|i| agent(&format!("a{i}"), "n")).collect();
        let mut index = AgentIndex::build(&agents);
        assert_eq!(index.get("a42", &agents), Some(42));
        assert_eq!(index.get("nope", &agents), None);
        // Remove a3: the last agent takes its place.
        index.remove(3, &agents);
        let last = agents.len() - 1;
        index.moved(last, 3, &agents[last].id.clone());
        agents.swap_remove(3);
        assert_eq!(index.get("a3", &agents), None);
        assert_eq!(index.get("a99", &agents), Some(3));
        agents.push(agent("new", "n"));
        index.insert(agents.len() - 1, &agents);
        assert_eq!(index.get("new", &agents), Some(99));
        for (i, a) in agents.iter().enumerate() {
            assert_eq!(index.get(&a.id, &agents), Some(i));
        }
    }
}
