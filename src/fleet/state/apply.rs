//! Applying a poll: one answer of the changes feed merged into the copy,
//! the agents it touched summarised again, the name order and the search
//! keys brought up to date (or rebuilt when the change is structural), and
//! a backend's objects dropped before its full answer replaces them.

use super::search::SearchKeys;
use super::{Delta, Fleet, Sanitize, Summary};
use crate::api::Changes;
use crate::fleet::order::merge_changed;
use crate::model::*;

fn link(list: &mut Vec<String>, id: &str) {
    if !list.iter().any(|x| x == id) {
        list.push(id.to_string());
    }
}

impl Fleet {
    /// Applies one answer of the changes feed; answers whether anything
    /// changed.
    pub fn apply(&mut self, changes: Changes) -> bool {
        self.apply_from(None, changes)
    }

    /// Applies one backend's answer. `scope` is the backend's name when the
    /// fleet merges several (its ids are qualified with it, see
    /// [`origin`](crate::fleet::origin)): a full answer then replaces that
    /// backend's objects only, and the others' stay.
    pub fn apply_from(&mut self, scope: Option<&str>, mut changes: Changes) -> bool {
        if changes.full {
            match scope {
                None => {
                    *self = Fleet {
                        generation: self.generation + 1,
                        ..Fleet::default()
                    }
                }
                Some(name) => self.forget(name),
            }
        } else if changes.is_empty() {
            self.cursor = changes.cursor.max(self.cursor);
            return false;
        }
        // People (an owner's name and status show on every agent they
        // own) and removed agents (indices move) change more than the
        // agents named: the derived state is then rebuilt, not updated.
        let structural = changes.full
            || !changes.people.is_empty()
            || changes
                .removed
                .iter()
                .any(|r| matches!(r.kind.as_str(), "agent" | "person"));
        let since = self.generation;
        // A large answer's phases, timed for the debug log.
        let timed = changes.agents.len() >= 10_000;
        let started = std::time::Instant::now();
        let mut phases: Vec<(&str, f64)> = Vec::new();
        let mut phase = |name: &'static str| {
            if timed {
                phases.push((name, started.elapsed().as_secs_f64()));
            }
        };
        if changes.full {
            // Grown once, not doubled again and again while 100,000s arrive.
            self.agents.reserve(changes.agents.len());
            self.summaries.reserve(changes.agents.len());
            self.remote.reserve(changes.agents.len());
            self.index.reserve(changes.agents.len(), &self.agents);
            // Every agent has links when its credentials come in full; in
            // the summary form only those with delegations or alerts do
            // (a quarter of them), and a map grown for all (120 bytes a
            // slot, every page touched) was 250 MB at a million agents.
            if changes.summary {
                self.links.reserve(changes.delegations.len());
            } else {
                self.links.reserve(changes.agents.len());
            }
            self.credentials.reserve(changes.credentials.len());
            self.grants.reserve(changes.grants.len());
            self.delegations.reserve(changes.delegations.len());
        }
        let mut replaced: Vec<usize> = Vec::new();
        // The agents whose place in the name order may move: renamed or
        // new. Most of a poll's agents were only seen again.
        let mut moved: Vec<usize> = Vec::new();
        let mut touched: Vec<String> = Vec::new();
        // New agents: an alert or credential that named one not held may
        // name one now.
        let mut added = false;
        // The summary form: credentials and grants are counted by the
        // backend, and held only where all of them are (see `held`).
        let keep_all = changes
            .summary
            .then(|| self.summarised_from(scope, changes.full));
        for mut p in changes.people.drain(..) {
            p.sanitize();
            // An owner's name or status shows on every agent they own, but
            // summaries do not depend on it: nothing to recompute.
            self.people.insert(p.id.clone(), p);
        }
        for mut a in changes.agents.drain(..) {
            a.sanitize();
            match self.index.get(&a.id, &self.agents) {
                Some(i) => {
                    if !structural {
                        self.count(i, false);
                        let old = &self.agents[i];
                        if old.name != a.name {
                            moved.push(i);
                        }
                        // The search keys are the name, id, description
                        // and runtime: kept when none of them changed.
                        if old.name != a.name
                            || old.description != a.description
                            || old.runtime != a.runtime
                        {
                            self.search.set(i, &a);
                        }
                        replaced.push(i);
                    }
                    self.agents[i] = a;
                    if !structural {
                        self.count(i, true);
                    }
                }
                None => {
                    // A full answer summarises every agent anyway.
                    if !changes.full {
                        touched.push(a.id.clone());
                    }
                    if !structural {
                        self.search.push(&a);
                        moved.push(self.agents.len());
                    }
                    self.agents.push(a);
                    self.index.insert(self.agents.len() - 1, &self.agents);
                    added = true;
                    self.summaries.push(Summary::default());
                    self.remote.push(None);
                    if !structural {
                        self.count(self.agents.len() - 1, true);
                    }
                }
            }
        }
        phase("agents");
        for mut c in changes.credentials.drain(..) {
            if let Some(keep_all) = keep_all {
                self.take_counted_credential(c, keep_all);
                continue;
            }
            c.sanitize();
            link(
                &mut self
                    .links
                    .entry(c.agent_id.clone())
                    .or_default()
                    .credentials,
                &c.id,
            );
            if !changes.full {
                touched.push(c.agent_id.clone());
            }
            self.credentials.insert(c);
        }
        for mut g in changes.grants.drain(..) {
            if let Some(keep_all) = keep_all {
                self.take_counted_grant(g, keep_all);
                continue;
            }
            g.sanitize();
            link(
                &mut self.links.entry(g.agent_id.clone()).or_default().grants,
                &g.id,
            );
            if !changes.full {
                touched.push(g.agent_id.clone());
            }
            self.grants.insert(g.id.clone(), g);
        }
        for mut d in changes.delegations.drain(..) {
            d.sanitize();
            link(
                &mut self
                    .links
                    .entry(d.child_agent.clone())
                    .or_default()
                    .delegations,
                &d.id,
            );
            if let Some(parent) = &d.parent_agent {
                link(
                    &mut self.links.entry(parent.clone()).or_default().delegations,
                    &d.id,
                );
            }
            self.delegations.insert(d.id.clone(), d);
        }
        for mut a in changes.alerts.drain(..) {
            a.sanitize();
            // An alert can move to another agent (an Alertmanager label
            // matched anew): the old agent must stop counting it.
            if let Some(old) = self.alerts.get(&a.id).and_then(|o| o.agent_id.clone())
                && a.agent_id.as_deref() != Some(old.as_str())
            {
                self.unlink_alert(&old, &a.id);
                touched.push(old);
            }
            if let Some(agent) = &a.agent_id {
                link(
                    &mut self.links.entry(agent.clone()).or_default().alerts,
                    &a.id,
                );
                touched.push(agent.clone());
            }
            self.alerts.insert(a);
        }
        phase("credentials, grants, delegations, alerts");
        let mut agents_moved = false;
        for r in changes.removed.drain(..) {
            agents_moved |= self.remove(&r.kind, &r.id, &mut touched);
        }
        if agents_moved {
            // Once for the whole poll: each call rewrites every alert's and
            // credential's agent (a decommission of 2,000 agents in one
            // poll took 275 ms calling it per agent, 39 ms once).
            self.alerts.all_stale();
            self.credentials.all_stale();
        }
        // The backend lists the counts in its agents' order (Warden's
        // does): each is looked for first just after the last one found.
        let mut next = 0;
        for h in changes.summaries.drain(..) {
            if let Some(i) = self.set_remote(&h, next) {
                next = i + 1;
                if !changes.full {
                    touched.push(h.agent_id);
                }
            }
        }
        phase("removals, counts");
        if changes.full {
            // Everything is new: one pass over the agents beats sorting and
            // deduplicating a touched list as long as the whole fleet.
            let now = chrono::Utc::now();
            for i in 0..self.agents.len() {
                self.summarise_at(i, now);
            }
        } else {
            touched.sort_unstable();
            touched.dedup();
            let now = chrono::Utc::now();
            for id in &touched {
                if let Some(i) = self.index.get(id, &self.agents) {
                    self.summarise_at(i, now);
                    replaced.push(i);
                }
            }
        }
        phase("summaries");
        if structural {
            (self.search, self.by_name) = search_and_name_order(&self.agents);
            phase("search keys and name order");
            self.recount();
            phase("header counts");
            self.delta = None;
        } else {
            replaced.sort_unstable();
            replaced.dedup();
            moved.sort_unstable();
            moved.dedup();
            let agents = &self.agents;
            merge_changed(
                &mut self.by_name,
                &moved,
                agents.len(),
                |_| true,
                |a, b| agents[a].name.cmp(&agents[b].name).then(a.cmp(&b)),
            );
            self.delta = Some(Delta {
                since,
                changed: replaced,
            });
        }
        let (alerts, credentials) = self.settle_owners(added);
        phase("owners");
        if timed {
            tracing::debug!(target: "warden::sync", "applied {} agents: {phases:?} (s from the start)", self.agents.len());
        }
        // Added agents may be the agents of alerts that named none held.
        self.items_delta = (!structural && !added).then_some(super::ItemsDelta {
            since,
            alerts,
            credentials,
            names_moved: !moved.is_empty(),
        });
        self.cursor = changes.cursor;
        self.generation += 1;
        true
    }

    /// Works out the agent of each alert and credential that changed, or
    /// of all of them when the agents moved (see [`super::keyed`]).
    /// Answers the alerts and credentials changed since the last call
    /// (see [`Keyed::take_changes`](super::keyed::Keyed::take_changes)).
    pub(super) fn settle_owners(&mut self, added: bool) -> (Option<Vec<u32>>, Option<Vec<u32>>) {
        let (index, agents) = (&self.index, &self.agents);
        let find = |id: &str| index.get(id, agents);
        self.alerts.settle(added, find);
        self.credentials.settle(added, find);
        self.items_delta = None;
        (self.alerts.take_changes(), self.credentials.take_changes())
    }

    /// Drops every object of the backend called `name`, before its full
    /// answer replaces them.
    fn forget(&mut self, name: &str) {
        let prefix = format!("{name}{}", crate::fleet::origin::SEPARATOR);
        let theirs = |id: &str| id.starts_with(&prefix);
        let mut kept_agents = Vec::with_capacity(self.agents.len());
        let mut kept_summaries = Vec::with_capacity(self.agents.len());
        let mut kept_remote = Vec::with_capacity(self.agents.len());
        for ((a, s), r) in std::mem::take(&mut self.agents)
            .into_iter()
            .zip(std::mem::take(&mut self.summaries))
            .zip(std::mem::take(&mut self.remote))
        {
            if !theirs(&a.id) {
                kept_agents.push(a);
                kept_summaries.push(s);
                kept_remote.push(r);
            }
        }
        self.agents = kept_agents;
        self.summaries = kept_summaries;
        self.remote = kept_remote;
        self.index = super::ids::AgentIndex::build(&self.agents);
        self.alerts.all_stale();
        self.credentials.all_stale();
        self.people.retain(|id, _| !theirs(id));
        self.credentials.retain(|c| !theirs(&c.id));
        self.grants.retain(|id, _| !theirs(id));
        self.delegations.retain(|id, _| !theirs(id));
        self.alerts.retain(|a| !theirs(&a.id));
        // An agent's links can name another backend's objects: an
        // Alertmanager's alerts about it, which its full answer does not
        // bring again and so must outlive it.
        self.held.retain(|id, _| !theirs(id));
        self.links.retain(|id, l| {
            l.alerts.retain(|a| !theirs(a));
            if theirs(id) {
                l.credentials.clear();
                l.grants.clear();
                l.delegations.clear();
                return !l.alerts.is_empty();
            }
            true
        });
    }

    /// Removes one object; true when it was a held agent, so the agents
    /// after it moved and every alert's and credential's agent must be
    /// found again (the caller marks them, once).
    fn remove(&mut self, kind: &str, id: &str, touched: &mut Vec<String>) -> bool {
        let mut agent_moved = false;
        match kind {
            "agent" => {
                if let Some(i) = self.index.get(id, &self.agents) {
                    agent_moved = true;
                    self.index.remove(i, &self.agents);
                    let last = self.agents.len() - 1;
                    if i != last {
                        self.index.moved(last, i, &self.agents[last].id);
                    }
                    self.agents.swap_remove(i);
                    self.summaries.swap_remove(i);
                    self.remote.swap_remove(i);
                }
                self.links.remove(id);
                self.held.remove(id);
            }
            "person" => {
                self.people.remove(id);
            }
            "credential" => {
                if let Some(c) = self.credentials.remove(id) {
                    touched.push(c.agent_id);
                }
            }
            "grant" => {
                if let Some(g) = self.grants.remove(id) {
                    touched.push(g.agent_id);
                }
            }
            "delegation" => {
                self.delegations.remove(id);
            }
            "alert" => {
                if let Some(a) = self.alerts.remove(id)
                    && let Some(agent) = a.agent_id
                {
                    // Alertmanager's alerts come and go by the thousand:
                    // links to them must not pile up.
                    self.unlink_alert(&agent, id);
                    touched.push(agent);
                }
            }
            _ => {}
        }
        agent_moved
    }

    fn unlink_alert(&mut self, agent_id: &str, alert_id: &str) {
        if let Some(l) = self.links.get_mut(agent_id) {
            l.alerts.retain(|a| a != alert_id);
        }
    }

    fn summarise_at(&mut self, i: usize, now: chrono::DateTime<chrono::Utc>) {
        let agent_id = self.agents[i].id.as_str();
        let mut s = Summary::default();
        // A link to a removed object stays behind; the lookups skip it.
        if let Some(links) = self.links.get(agent_id) {
            for c in links
                .credentials
                .iter()
                .filter_map(|c| self.credentials.get(c))
            {
                s.credentials += 1;
                if c.status == CredentialStatus::Active && c.expires_at.is_none_or(|e| e > now) {
                    s.live_credentials += 1;
                }
            }
            s.highest_level = links
                .grants
                .iter()
                .filter_map(|g| self.grants.get(g))
                .map(|g| g.level)
                .max();
            for a in links.alerts.iter().filter_map(|a| self.alerts.get(a)) {
                if a.status == AlertStatus::Open && !a.snoozed_at(now) {
                    s.open_alerts += 1;
                    s.risk = s.risk.max(Some(a.severity));
                }
            }
        }
        // What the backend counted (the summary form) adds to what is
        // held from elsewhere (a Vault's tokens linked to the agent).
        if let Some(r) = self.remote(i) {
            s.credentials += r.credentials;
            s.live_credentials += r.live_credentials;
            s.highest_level = s.highest_level.max(r.highest_level);
        }
        self.summaries[i] = s;
    }
}

/// From this many agents on, the search keys and the name order are made
/// on two threads: at a million agents each is a few hundred milliseconds
/// of the first sync, and neither needs the other.
const TWO_THREADS: usize = 50_000;

/// The fleet's search keys and name order, made side by side for a large
/// fleet (on one thread if a second cannot start).
fn search_and_name_order(agents: &[Agent]) -> (SearchKeys, Vec<usize>) {
    let by_name = || crate::fleet::order::sorted_by_name(agents.iter().map(|a| a.name.as_str()));
    if agents.len() < TWO_THREADS {
        return (SearchKeys::build(agents), by_name());
    }
    std::thread::scope(|scope| {
        let other = std::thread::Builder::new()
            .name("name-order".into())
            .spawn_scoped(scope, by_name);
        let search = SearchKeys::build(agents);
        let order = match other {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => by_name(),
        };
        (search, order)
    })
}
