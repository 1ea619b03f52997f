//! The fleet's alerts and credentials: a `Vec` in arrival order, and a
//! hash table of 32-bit indices into it hashed through each item's own id
//! (as [`super::ids`] does for agents).
//!
//! A `HashMap<String, T>` kept every id twice and answered a list's pass
//! only by id: at 300,000 credentials a filter keystroke spent most of
//! its time hashing ids (SipHash) to find each row again. Here a list
//! sorts and filters positions ([`Keyed::at`]), walks the items in the
//! order they sit in memory, and looks an id up only to follow a
//! selection. Removing an item moves the last one into its place; a list
//! holding positions checks the id it expects is still there.

use crate::model::{Alert, Credential};
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// An item found by its id, about an agent (or none).
pub(super) trait HasId {
    fn id(&self) -> &str;
    fn agent_id(&self) -> Option<&str>;
}

impl HasId for Alert {
    fn id(&self) -> &str {
        &self.id
    }
    fn agent_id(&self) -> Option<&str> {
        self.agent_id.as_deref()
    }
}

impl HasId for Credential {
    fn id(&self) -> &str {
        &self.id
    }
    fn agent_id(&self) -> Option<&str> {
        Some(&self.agent_id)
    }
}

/// An item's agent, beside it: the agent's index in the fleet, or one of
/// these. A list sorting 300,000 credentials by their agent's name found
/// each agent by its id, and that was half its sort.
const NO_AGENT: u32 = u32::MAX;
/// Its agent is not in the fleet.
const UNKNOWN: u32 = u32::MAX - 1;
/// Not worked out since the item (or the agents' places) changed.
const STALE: u32 = u32::MAX - 2;

/// Where an item's agent is: what [`Keyed::agent_of`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Owner {
    Agent(usize),
    /// It names no agent, or one the fleet does not hold.
    None,
    /// Not known yet: find the agent by its id.
    Stale,
}

#[derive(Debug)]
pub(super) struct Keyed<T> {
    items: Vec<T>,
    /// Beside `items`: each one's agent (see [`NO_AGENT`]).
    owners: Vec<u32>,
    /// Items whose owner is [`STALE`] (a removal may have moved one: see
    /// [`Keyed::remove`]).
    stale: Vec<u32>,
    /// Items added or replaced since [`Keyed::take_changes`], unless one
    /// was removed (`None`): what a list re-sorts instead of all of them.
    changed: Option<Vec<u32>>,
    table: HashTable<u32>,
    /// foldhash, seeded per process.
    hasher: hashbrown::DefaultHashBuilder,
}

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed {
            items: Vec::new(),
            owners: Vec::new(),
            stale: Vec::new(),
            changed: Some(Vec::new()),
            table: HashTable::new(),
            hasher: Default::default(),
        }
    }
}

impl<T: HasId> Keyed<T> {
    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    pub(super) fn reserve(&mut self, additional: usize) {
        self.items.reserve(additional);
        self.owners.reserve(additional);
        let (hasher, items) = (&self.hasher, &self.items);
        self.table
            .reserve(additional, |&i| hasher.hash_one(items[i as usize].id()));
    }

    /// The index of the item `id`.
    pub(super) fn position(&self, id: &str) -> Option<usize> {
        let items = &self.items;
        self.table
            .find(self.hasher.hash_one(id), |&i| items[i as usize].id() == id)
            .map(|&i| i as usize)
    }

    pub(super) fn get(&self, id: &str) -> Option<&T> {
        self.position(id).map(|i| &self.items[i])
    }

    pub(super) fn at(&self, i: usize) -> Option<&T> {
        self.items.get(i)
    }

    /// Every item, in index order.
    pub(super) fn items(&self) -> &[T] {
        &self.items
    }

    /// Holds `item`, in the place of the one of its id if there is one
    /// (which is answered), else at the end.
    pub(super) fn insert(&mut self, item: T) -> Option<T> {
        if let Some(i) = self.position(item.id()) {
            self.owners[i] = STALE;
            self.stale.push(i as u32);
            if let Some(c) = &mut self.changed {
                c.push(i as u32);
            }
            return Some(std::mem::replace(&mut self.items[i], item));
        }
        let hash = self.hasher.hash_one(item.id());
        self.items.push(item);
        self.owners.push(STALE);
        self.stale.push((self.items.len() - 1) as u32);
        if let Some(c) = &mut self.changed {
            c.push((self.items.len() - 1) as u32);
        }
        let (hasher, items) = (&self.hasher, &self.items);
        self.table
            .insert_unique(hash, (items.len() - 1) as u32, |&j| {
                hasher.hash_one(items[j as usize].id())
            });
        None
    }

    /// Takes the item `id` out; the last item takes its place.
    pub(super) fn remove(&mut self, id: &str) -> Option<T> {
        let hash = self.hasher.hash_one(id);
        let items = &self.items;
        let entry = self
            .table
            .find_entry(hash, |&i| items[i as usize].id() == id)
            .ok()?;
        let at = *entry.get() as usize;
        entry.remove();
        let last = self.items.len() - 1;
        if at != last {
            let moved = self.hasher.hash_one(self.items[last].id());
            if let Some(slot) = self.table.find_mut(moved, |&j| j as usize == last) {
                *slot = at as u32;
            }
            if self.owners[last] == STALE {
                self.stale.push(at as u32);
            }
        }
        self.owners.swap_remove(at);
        self.changed = None;
        Some(self.items.swap_remove(at))
    }

    /// Keeps only the items `keep` answers true for (in their order).
    pub(super) fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        let before = self.items.len();
        self.items.retain(keep);
        if self.items.len() != before {
            self.reindex();
            self.all_stale();
            self.changed = None;
        }
    }

    /// The items added or replaced since the last call, sorted, unless
    /// one was removed (then every index may have moved).
    pub(super) fn take_changes(&mut self) -> Option<Vec<u32>> {
        let mut changed = self.changed.replace(Vec::new())?;
        changed.sort_unstable();
        changed.dedup();
        Some(changed)
    }

    /// The agent of item `i`, as last worked out.
    pub(super) fn agent_of(&self, i: usize) -> Owner {
        match self.owners.get(i).copied() {
            Some(STALE) => Owner::Stale,
            Some(NO_AGENT | UNKNOWN) | None => Owner::None,
            Some(a) => Owner::Agent(a as usize),
        }
    }

    /// The agents moved (one removed, the fleet rebuilt): every item's
    /// agent must be found again.
    pub(super) fn all_stale(&mut self) {
        self.owners.clear();
        self.owners.resize(self.items.len(), STALE);
        self.stale.clear();
        self.stale.extend(0..self.owners.len() as u32);
    }

    /// Finds the agent of every item changed since the last call with
    /// `find` (an agent's index by its id), and with `added` (agents were
    /// added) again of those whose agent was not held.
    pub(super) fn settle(&mut self, added: bool, find: impl Fn(&str) -> Option<usize>) {
        let owner = |item: &T| match item.agent_id() {
            None => NO_AGENT,
            Some(id) => find(id).map_or(UNKNOWN, |i| i as u32),
        };
        if added {
            for (o, item) in self.owners.iter_mut().zip(&self.items) {
                if *o == UNKNOWN || *o == STALE {
                    *o = owner(item);
                }
            }
            self.stale.clear();
            return;
        }
        for i in self.stale.drain(..) {
            let i = i as usize;
            if let (Some(o), Some(item)) = (self.owners.get_mut(i), self.items.get(i))
                && *o == STALE
            {
                *o = owner(item);
            }
        }
    }

    fn reindex(&mut self) {
        self.table.clear();
        let (hasher, items) = (&self.hasher, &self.items);
        self.table
            .reserve(items.len(), |&i| hasher.hash_one(items[i as usize].id()));
        for (i, item) in items.iter().enumerate() {
            let hash = hasher.hash_one(item.id());
            self.table
                .insert_unique(hash, i as u32, |&j| hasher.hash_one(items[j as usize].id()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::credential;

    #[test]
    fn finds_replaces_removes_and_retains_by_id() {
        let mut keyed = Keyed::default();
        for i in 0..50 {
            assert!(keyed.insert(credential(&format!("c{i}"), "a")).is_none());
        }
        assert_eq!(keyed.position("c7"), Some(7));
        let old = keyed.insert(credential("c7", "b")).unwrap();
        assert_eq!(old.agent_id, "a");
        assert_eq!(keyed.get("c7").unwrap().agent_id, "b", "replaced in place");
        assert_eq!(keyed.len(), 50);
        // The last takes the removed one's place, and is found there.
        assert_eq!(keyed.remove("c3").unwrap().id, "c3");
        assert!(keyed.remove("c3").is_none());
        assert_eq!(keyed.position("c49"), Some(3));
        assert_eq!(keyed.at(3).unwrap().id, "c49");
        keyed.retain(|c| !c.id.ends_with('1'));
        assert!(keyed.get("c21").is_none());
        for (i, c) in keyed.items().iter().enumerate() {
            assert_eq!(keyed.position(&c.id), Some(i));
        }
        assert_eq!(keyed.len(), 49 - 5);
        // Removing the last item moves nothing.
        let last = keyed.items().last().unwrap().id.clone();
        keyed.remove(&last);
        assert!(keyed.get(&last).is_none());
        assert_eq!(keyed.len(), 43);
    }

    #[test]
    fn each_items_agent_is_worked_out_once_and_again_when_agents_move() {
        let mut keyed = Keyed::default();
        for (id, agent) in [("c1", "a1"), ("c2", "a2"), ("c3", "gone"), ("c4", "a1")] {
            keyed.insert(credential(id, agent));
        }
        let agents =
            |names: &'static [&'static str]| move |id: &str| names.iter().position(|n| *n == id);
        assert_eq!(keyed.agent_of(0), Owner::Stale, "not worked out yet");
        keyed.settle(false, agents(&["a1", "a2"]));
        let all = |k: &Keyed<Credential>| (0..k.len()).map(|i| k.agent_of(i)).collect::<Vec<_>>();
        use Owner::*;
        assert_eq!(all(&keyed), [Agent(0), Agent(1), None, Agent(0)]);
        // Replaced, removed (c4 moves into c1's place, worked out already).
        keyed.insert(credential("c2", "a1"));
        keyed.remove("c1");
        keyed.settle(false, agents(&["a1", "a2"]));
        assert_eq!(all(&keyed), [Agent(0), Agent(0), None]);
        // A new agent is the one c3 named.
        keyed.settle(true, agents(&["a1", "a2", "gone"]));
        assert_eq!(all(&keyed), [Agent(0), Agent(0), Agent(2)]);
        // The agents moved: every item is worked out again.
        keyed.all_stale();
        assert_eq!(keyed.agent_of(1), Stale);
        keyed.settle(false, agents(&["gone", "a1"]));
        assert_eq!(all(&keyed), [Agent(1), Agent(1), Agent(0)]);
        // A moved item that was stale stays to be worked out.
        keyed.insert(credential("c9", "a1"));
        keyed.remove("c4");
        keyed.settle(false, agents(&["gone", "a1"]));
        assert_eq!(keyed.agent_of(0), Agent(1), "{:?}", all(&keyed));
    }

    #[test]
    fn changes_are_the_items_added_or_replaced_unless_one_went() {
        let mut keyed = Keyed::default();
        keyed.insert(credential("c1", "a"));
        keyed.insert(credential("c2", "a"));
        assert_eq!(keyed.take_changes(), Some(vec![0, 1]));
        assert_eq!(keyed.take_changes(), Some(vec![]));
        keyed.insert(credential("c2", "b"));
        keyed.insert(credential("c2", "c"));
        assert_eq!(keyed.take_changes(), Some(vec![1]));
        keyed.insert(credential("c3", "a"));
        keyed.remove("c1");
        assert_eq!(keyed.take_changes(), None, "indices moved");
        keyed.retain(|_| true);
        assert_eq!(keyed.take_changes(), Some(vec![]), "nothing went");
    }
}
