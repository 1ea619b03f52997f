//! The summary form of the changes feed (issue 18): a backend that counts
//! what each agent holds sends those counts ([`Remote`]) instead of every
//! credential and grant, and the fleet holds an agent's credentials and
//! grants in full only once they are read: its detail when it is opened,
//! or every credential at once for the credentials view. Polls keep what
//! is held current and the counts with it; what is not held is never
//! shown as if it were all (see [`Fleet::holds_all_of`]).

use super::{Fleet, Held};
use crate::api::Holdings;
use crate::model::{AgentDetail, Credential, Grant, GrantLevel};

/// What an agent's backend counted it holds: what the table and a kill's
/// blast radius read (16 bytes an agent; the soonest expiry is not kept).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Remote {
    pub credentials: u32,
    pub live_credentials: u32,
    pub grants: u32,
    pub highest_level: Option<GrantLevel>,
}

impl From<&Holdings> for Remote {
    fn from(h: &Holdings) -> Self {
        Remote {
            credentials: h.credentials,
            live_credentials: h.live_credentials,
            grants: h.grants,
            highest_level: h.highest_level,
        }
    }
}

/// How much of a summary-form backend's credentials the fleet holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Catalogue {
    /// Only counted (the first sync's summaries).
    #[default]
    Counted,
    /// Being read a page at a time: polls' credentials are held from now
    /// on, so a change made while the pages come in is not lost.
    Reading,
    /// Every one held, kept current by the polls.
    Held,
}

fn key(scope: Option<&str>) -> String {
    scope.unwrap_or_default().to_string()
}

fn link(list: &mut Vec<String>, id: &str) {
    if !list.iter().any(|x| x == id) {
        list.push(id.to_string());
    }
}

impl Fleet {
    /// Notes that `scope` answered in the summary form; answers whether
    /// every credential of it is held (a full answer starts over).
    pub(super) fn summarised_from(&mut self, scope: Option<&str>, full: bool) -> bool {
        let state = self.summarised.entry(key(scope)).or_default();
        if full {
            *state = Catalogue::Counted;
        }
        *state != Catalogue::Counted
    }

    /// A credential of a summary-form answer: held if every credential of
    /// its agent is (its detail is open) or of its backend (`keep_all`);
    /// otherwise its agent's counts, in the same answer, say all there is.
    pub(super) fn take_counted_credential(&mut self, mut c: Credential, keep_all: bool) {
        let held = self.held.get(&c.agent_id);
        if !(keep_all || held.is_some_and(|h| h.loaded)) {
            return;
        }
        super::Sanitize::sanitize(&mut c);
        if self
            .credentials
            .get(&c.id)
            .is_some_and(|old| old.rev > c.rev)
        {
            return;
        }
        let h = self.held.entry(c.agent_id.clone()).or_default();
        link(&mut h.credentials, &c.id);
        self.credentials.insert(c);
    }

    /// The same for a grant.
    pub(super) fn take_counted_grant(&mut self, mut g: Grant, keep_all: bool) {
        let held = self.held.get(&g.agent_id);
        if !(keep_all || held.is_some_and(|h| h.loaded)) {
            return;
        }
        super::Sanitize::sanitize(&mut g);
        if self.grants.get(&g.id).is_some_and(|old| old.rev > g.rev) {
            return;
        }
        let h = self.held.entry(g.agent_id.clone()).or_default();
        link(&mut h.grants, &g.id);
        self.grants.insert(g.id.clone(), g);
    }

    /// An agent's counts from its backend; answers its index if it is in
    /// the fleet. `hint` is where it probably is (no lookup if it is).
    pub(super) fn set_remote(&mut self, h: &Holdings, hint: usize) -> Option<usize> {
        let i = match self.agents.get(hint) {
            Some(a) if a.id == h.agent_id => hint,
            _ => self.index.get(&h.agent_id, &self.agents)?,
        };
        self.remote[i] = Some(Remote::from(h));
        Some(i)
    }

    /// What agent `i`'s backend counted it holds, if it syncs in the
    /// summary form.
    pub fn remote(&self, i: usize) -> Option<Remote> {
        self.remote.get(i).copied().flatten()
    }

    /// Whether every credential and grant of this agent is held: always,
    /// unless its backend syncs in the summary form and its detail has
    /// not been read yet.
    pub fn holds_all_of(&self, agent_id: &str) -> bool {
        self.position(agent_id)
            .is_none_or(|i| self.remote(i).is_none())
            || self.held.get(agent_id).is_some_and(|h| h.loaded)
    }

    /// An agent's detail as its backend answered it: from now on its
    /// credentials and grants are held in full and kept current by the
    /// polls. Answers whether anything changed.
    pub fn load_detail(&mut self, detail: &AgentDetail) -> bool {
        let id = detail.agent.id.as_str();
        let Some(i) = self.position(id) else {
            return false;
        };
        if self.remote(i).is_none() {
            // A backend that sends everything: it is all here already.
            return false;
        }
        self.held.insert(
            id.to_string(),
            Held {
                credentials: detail.credentials.iter().map(|c| c.id.clone()).collect(),
                grants: detail.grants.iter().map(|g| g.id.clone()).collect(),
                loaded: true,
            },
        );
        for c in &detail.credentials {
            let mut c = c.clone();
            super::Sanitize::sanitize(&mut c);
            if self
                .credentials
                .get(&c.id)
                .is_none_or(|old| old.rev <= c.rev)
            {
                self.credentials.insert(c);
            }
        }
        for g in &detail.grants {
            let mut g = g.clone();
            super::Sanitize::sanitize(&mut g);
            if self.grants.get(&g.id).is_none_or(|old| old.rev <= g.rev) {
                self.grants.insert(g.id.clone(), g);
            }
        }
        let _ = self.settle_owners(false);
        self.generation += 1;
        self.delta = None;
        true
    }

    /// The backend `scope`'s credentials are about to be read a page at a
    /// time ([`load_credentials_page`](Self::load_credentials_page)).
    pub fn reading_credentials(&mut self, scope: Option<&str>) {
        let state = self.summarised.entry(key(scope)).or_default();
        if *state == Catalogue::Counted {
            *state = Catalogue::Reading;
        }
    }

    /// A page of the backend `scope`'s credentials, not the last: held
    /// from now on. Answers false, holding nothing, when a full answer
    /// came since the read began (the pages before it are gone with the
    /// fleet they belonged to: read again).
    pub fn load_credentials_page(
        &mut self,
        scope: Option<&str>,
        credentials: Vec<Credential>,
    ) -> bool {
        if self.summarised.get(&key(scope)) != Some(&Catalogue::Reading) {
            return false;
        }
        self.hold_credentials(credentials);
        true
    }

    /// Whether the backend `scope`'s credentials are being read (since
    /// [`reading_credentials`](Self::reading_credentials), and no full
    /// answer came since).
    pub fn reads_credentials(&self, scope: Option<&str>) -> bool {
        self.summarised.get(&key(scope)) == Some(&Catalogue::Reading)
    }

    /// How many credentials the fleet holds (of every backend).
    pub fn credentials_held(&self) -> usize {
        self.credentials.len()
    }

    /// Every credential of the backend `scope` (`GET /v1/credentials`), or
    /// the last page of them: held from now on and kept current by its
    /// polls.
    pub fn load_credentials(&mut self, scope: Option<&str>, credentials: Vec<Credential>) {
        self.hold_credentials(credentials);
        self.summarised.insert(key(scope), Catalogue::Held);
    }

    fn hold_credentials(&mut self, credentials: Vec<Credential>) {
        self.credentials.reserve(credentials.len());
        for mut c in credentials {
            super::Sanitize::sanitize(&mut c);
            if self
                .credentials
                .get(&c.id)
                .is_some_and(|old| old.rev > c.rev)
            {
                continue;
            }
            let h: &mut Held = self.held.entry(c.agent_id.clone()).or_default();
            link(&mut h.credentials, &c.id);
            self.credentials.insert(c);
        }
        let _ = self.settle_owners(false);
        self.generation += 1;
        self.delta = None;
    }

    /// Whether every credential of every backend is held, so a list of
    /// them all is the whole list.
    pub fn credentials_complete(&self) -> bool {
        self.summarised.values().all(|&s| s == Catalogue::Held)
    }

    /// The backends (by the prefix of their ids, "" for one backend)
    /// whose credentials are counted, not all held.
    pub fn credentials_missing(&self) -> impl Iterator<Item = &str> {
        self.summarised
            .iter()
            .filter(|(_, s)| **s != Catalogue::Held)
            .map(|(k, _)| k.as_str())
    }

    /// How many credentials the backends counted, held or not, with the
    /// ones held of backends that send everything.
    pub fn credentials_counted(&self) -> usize {
        (0..self.agents.len())
            .map(|i| self.summaries[i].credentials as usize)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Changes;
    use crate::model::fixtures::{agent, credential};

    fn counted(agent_id: &str, credentials: u32, live: u32) -> Holdings {
        Holdings {
            agent_id: agent_id.into(),
            credentials,
            live_credentials: live,
            grants: 1,
            highest_level: Some(GrantLevel::Admin),
            ..Holdings::default()
        }
    }

    fn detail(id: &str, credentials: Vec<Credential>) -> AgentDetail {
        AgentDetail {
            agent: agent(id, "one"),
            owner_person: None,
            credentials,
            grants: Vec::new(),
            delegations: Vec::new(),
            alerts: Vec::new(),
            activity: Vec::new(),
            seen_acting_for: Vec::new(),
            exchanged_tokens: Vec::new(),
        }
    }

    #[test]
    fn counted_and_held_credentials_are_counted_once() {
        let mut f = Fleet::new();
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("a1", "one")],
            summary: true,
            summaries: vec![counted("a1", 2, 1)],
            ..Changes::default()
        });
        let s = f.summary(0);
        assert_eq!((s.credentials, s.live_credentials), (2, 1));
        assert_eq!(s.highest_level, Some(GrantLevel::Admin));
        // A Vault's token linked to the agent: held here, counted here.
        f.apply(Changes {
            cursor: 1,
            credentials: vec![credential("vault:token:x", "a1")],
            ..Changes::default()
        });
        assert_eq!(f.summary(0).credentials, 3);
        assert!(!f.holds_all_of("a1"));
        // Its detail: the backend's two, held, not counted again.
        let mut c1 = credential("c1", "a1");
        c1.rev = 5;
        f.load_detail(&detail("a1", vec![c1.clone(), credential("c2", "a1")]));
        assert!(f.holds_all_of("a1"));
        assert_eq!(f.credentials_of("a1").len(), 3);
        f.apply(Changes {
            cursor: 2,
            summary: true,
            summaries: vec![counted("a1", 2, 1)],
            ..Changes::default()
        });
        assert_eq!(f.summary(0).credentials, 3);
        // An older copy of a held credential does not overwrite it.
        let mut stale = c1.clone();
        stale.rev = 4;
        stale.prefix = "old".into();
        f.apply(Changes {
            cursor: 3,
            summary: true,
            credentials: vec![stale],
            ..Changes::default()
        });
        assert_eq!(
            f.credential("c1").map(|c| c.prefix.as_str()),
            Some(c1.prefix.as_str())
        );
    }

    #[test]
    fn counts_beside_their_agents_or_anywhere_reach_the_right_agent() {
        let mut f = Fleet::new();
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("a1", "one"), agent("a2", "two"), agent("a3", "three")],
            summary: true,
            // In the agents' order, then one out of it, and a stranger.
            summaries: vec![
                counted("a1", 1, 1),
                counted("a3", 3, 3),
                counted("nobody", 9, 9),
                counted("a2", 2, 2),
            ],
            ..Changes::default()
        });
        for (i, n) in [(0, 1), (1, 2), (2, 3)] {
            assert_eq!(f.summary(i).credentials, n, "agent {i}");
        }
    }

    #[test]
    fn a_full_answer_forgets_what_was_read() {
        let mut f = Fleet::new();
        let full = || Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("a1", "one")],
            summary: true,
            summaries: vec![counted("a1", 1, 1)],
            ..Changes::default()
        };
        f.apply(full());
        f.load_credentials(None, vec![credential("c1", "a1")]);
        assert!(f.credentials_complete());
        assert_eq!(f.credentials().count(), 1);
        assert_eq!(f.summary(0).credentials, 1, "held, and counted once");
        f.apply(full());
        assert!(!f.credentials_complete());
        assert_eq!(f.credentials_missing().collect::<Vec<_>>(), [""]);
        assert_eq!(f.credentials().count(), 0);
    }
}
