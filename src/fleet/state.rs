//! The fleet: the dashboard's copy of a backend's state, kept exact by
//! applying the changes feed. Every string is made display-safe here, as it
//! enters, so no view can forget to. Applying a change costs in proportion
//! to the change; per-agent summaries (credentials, grant level, alerts,
//! risk) are kept up to date for the agents a change touched.

use super::filter::SearchKey;
use super::order::merge_changed;
use super::safe_text::escape;
use crate::api::Changes;
use crate::model::*;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

/// What the agents table shows beside the agent itself.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    /// Credentials neither revoked nor expired.
    pub live_credentials: u32,
    pub credentials: u32,
    pub highest_level: Option<GrantLevel>,
    pub open_alerts: u32,
    /// The highest severity among open alerts.
    pub risk: Option<Severity>,
}

/// Counts for the header.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub agents: usize,
    pub active: usize,
    pub unowned: usize,
    pub suspended: usize,
    pub killed: usize,
    /// Open alerts by severity, indexed by `Severity as usize`.
    pub alerts: [usize; 5],
}

#[derive(Debug, Default, Clone)]
struct Links {
    credentials: Vec<String>,
    grants: Vec<String>,
    delegations: Vec<String>,
    alerts: Vec<String>,
}

/// Every agent's free-text fields lower-cased, in one buffer, so that a
/// filter keystroke scans contiguous bytes instead of four strings per
/// agent scattered over the heap. An agent with non-ASCII text has none
/// (its filter takes the Unicode path). A replaced agent's old bytes stay
/// until they are half the buffer, then the buffer is rebuilt.
#[derive(Debug, Default)]
struct SearchKeys {
    bytes: Vec<u8>,
    /// Per agent: where its name, id, description and runtime start, and
    /// where the runtime ends.
    spans: Vec<Option<[u32; 5]>>,
    /// Bytes some agent still points at.
    live: usize,
}

impl SearchKeys {
    fn build(agents: &[Agent]) -> SearchKeys {
        let mut keys = SearchKeys::default();
        keys.spans.reserve(agents.len());
        for a in agents {
            keys.push(a);
        }
        keys
    }

    fn make(&mut self, a: &Agent) -> Option<[u32; 5]> {
        let fields = [
            a.name.as_str(),
            a.id.as_str(),
            a.description.as_deref().unwrap_or(""),
            a.runtime.as_deref().unwrap_or(""),
        ];
        let total: usize = fields.iter().map(|f| f.len()).sum();
        if !fields.iter().all(|f| f.is_ascii()) || self.bytes.len() + total > u32::MAX as usize {
            return None;
        }
        let mut span = [self.bytes.len() as u32; 5];
        for (k, f) in fields.iter().enumerate() {
            self.bytes.extend(f.bytes().map(|b| b.to_ascii_lowercase()));
            span[k + 1] = self.bytes.len() as u32;
        }
        self.live += total;
        Some(span)
    }

    fn push(&mut self, a: &Agent) {
        let span = self.make(a);
        self.spans.push(span);
    }

    fn release(&mut self, i: usize) {
        if let Some(Some(s)) = self.spans.get(i) {
            self.live -= (s[4] - s[0]) as usize;
        }
    }

    fn set(&mut self, i: usize, a: &Agent) {
        self.release(i);
        self.spans[i] = self.make(a);
        self.compact_if_sparse();
    }

    fn compact_if_sparse(&mut self) {
        if self.bytes.len() <= 2 * self.live + 64 * 1024 {
            return;
        }
        let mut bytes = Vec::with_capacity(self.live);
        for span in self.spans.iter_mut().flatten() {
            let base = bytes.len() as u32;
            bytes.extend_from_slice(&self.bytes[span[0] as usize..span[4] as usize]);
            let old = span[0];
            for x in span.iter_mut() {
                *x = *x - old + base;
            }
        }
        self.bytes = bytes;
    }

    fn get(&self, i: usize) -> Option<SearchKey<'_>> {
        let s = (*self.spans.get(i)?)?;
        let part = |k: usize| &self.bytes[s[k] as usize..s[k + 1] as usize];
        Some(SearchKey {
            name: part(0),
            id: part(1),
            description: part(2),
            runtime: part(3),
        })
    }
}

/// The agents of the last poll, when it changed nothing else: what a view
/// needs to update its order instead of rebuilding it.
#[derive(Debug, Default)]
struct Delta {
    /// The generation the poll was applied to.
    since: u64,
    /// Indices of the agents added or changed, or whose summary may have.
    changed: Vec<usize>,
}

/// The agents' part of [`Counts`], kept up to date as agents change.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    active: usize,
    unowned: usize,
    suspended: usize,
    killed: usize,
}

#[derive(Debug, Default)]
pub struct Fleet {
    agents: Vec<Agent>,
    summaries: Vec<Summary>,
    search: SearchKeys,
    /// Every agent's index, by name (then index).
    by_name: Vec<usize>,
    delta: Option<Delta>,
    tally: Tally,
    index: HashMap<String, usize>,
    people: HashMap<String, Person>,
    credentials: HashMap<String, Credential>,
    grants: HashMap<String, Grant>,
    delegations: HashMap<String, Delegation>,
    alerts: HashMap<String, Alert>,
    links: HashMap<String, Links>,
    /// The changes-feed cursor this copy is at.
    pub cursor: i64,
    /// Bumped on every change, so views know when to rebuild their order.
    pub generation: u64,
}

fn clean(s: &mut String) {
    if let Cow::Owned(e) = escape(s) {
        *s = e;
    }
}

fn clean_opt(s: &mut Option<String>) {
    if let Some(s) = s {
        clean(s);
    }
}

fn clean_all(v: &mut [String]) {
    v.iter_mut().for_each(clean);
}

/// Makes every string of a backend object display-safe.
pub trait Sanitize {
    fn sanitize(&mut self);
}

impl Sanitize for Agent {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean(&mut self.name);
        clean(&mut self.environment);
        clean_opt(&mut self.owner);
        clean_opt(&mut self.description);
        clean_opt(&mut self.runtime);
        clean_opt(&mut self.created_by);
        if self
            .labels
            .iter()
            .any(|(k, v)| matches!(escape(k), Cow::Owned(_)) || matches!(escape(v), Cow::Owned(_)))
        {
            self.labels = std::mem::take(&mut self.labels)
                .into_iter()
                .map(|(k, v)| (escape(&k).into_owned(), escape(&v).into_owned()))
                .collect();
        }
    }
}

impl Sanitize for Person {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean(&mut self.name);
        clean(&mut self.email);
        clean_opt(&mut self.team);
        clean_opt(&mut self.manager);
    }
}

impl Sanitize for Credential {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean(&mut self.agent_id);
        clean_all(&mut self.scopes);
        clean(&mut self.prefix);
        clean_opt(&mut self.revoked_reason);
    }
}

impl Sanitize for Grant {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean(&mut self.agent_id);
        clean(&mut self.resource);
        clean(&mut self.scope);
    }
}

impl Sanitize for Delegation {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean_opt(&mut self.parent_agent);
        clean_opt(&mut self.parent_person);
        clean(&mut self.child_agent);
        clean_opt(&mut self.on_behalf_of);
        clean_all(&mut self.scopes);
    }
}

impl Sanitize for Alert {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean_opt(&mut self.agent_id);
        clean(&mut self.rule);
        clean(&mut self.summary);
        clean(&mut self.evidence);
        clean_all(&mut self.mapping);
        clean(&mut self.source);
        clean_opt(&mut self.acknowledged_by);
        clean_opt(&mut self.ack_reason);
    }
}

impl Sanitize for Operation {
    fn sanitize(&mut self) {
        clean(&mut self.id);
        clean(&mut self.target);
        clean(&mut self.actor);
        clean(&mut self.reason);
        for s in &mut self.steps {
            clean(&mut s.name);
            clean(&mut s.agent_id);
            clean(&mut s.detail);
        }
    }
}

fn link(list: &mut Vec<String>, id: &str) {
    if !list.iter().any(|x| x == id) {
        list.push(id.to_string());
    }
}

impl Fleet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one answer of the changes feed; answers whether anything
    /// changed.
    pub fn apply(&mut self, changes: Changes) -> bool {
        self.apply_from(None, changes)
    }

    /// Applies one backend's answer. `scope` is the backend's name when the
    /// fleet merges several (its ids are qualified with it, see
    /// [`origin`](super::origin)): a full answer then replaces that
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
        if changes.full {
            // Grown once, not doubled again and again while 100,000s arrive.
            self.agents.reserve(changes.agents.len());
            self.summaries.reserve(changes.agents.len());
            self.index.reserve(changes.agents.len());
            self.links.reserve(changes.agents.len());
            self.credentials.reserve(changes.credentials.len());
            self.grants.reserve(changes.grants.len());
            self.delegations.reserve(changes.delegations.len());
        }
        let mut replaced: Vec<usize> = Vec::new();
        let mut touched: Vec<String> = Vec::new();
        for mut p in changes.people.drain(..) {
            p.sanitize();
            // An owner's name or status shows on every agent they own, but
            // summaries do not depend on it: nothing to recompute.
            self.people.insert(p.id.clone(), p);
        }
        for mut a in changes.agents.drain(..) {
            a.sanitize();
            match self.index.get(&a.id) {
                Some(&i) => {
                    if !structural {
                        self.count(i, false);
                        self.search.set(i, &a);
                        replaced.push(i);
                    }
                    self.agents[i] = a;
                    if !structural {
                        self.count(i, true);
                    }
                }
                None => {
                    self.index.insert(a.id.clone(), self.agents.len());
                    // A full answer summarises every agent anyway.
                    if !changes.full {
                        touched.push(a.id.clone());
                    }
                    if !structural {
                        self.search.push(&a);
                    }
                    self.agents.push(a);
                    self.summaries.push(Summary::default());
                    if !structural {
                        self.count(self.agents.len() - 1, true);
                    }
                }
            }
        }
        for mut c in changes.credentials.drain(..) {
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
            self.credentials.insert(c.id.clone(), c);
        }
        for mut g in changes.grants.drain(..) {
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
            self.alerts.insert(a.id.clone(), a);
        }
        for r in changes.removed.drain(..) {
            self.remove(&r.kind, &r.id, &mut touched);
        }
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
                if let Some(&i) = self.index.get(id.as_str()) {
                    self.summarise_at(i, now);
                    replaced.push(i);
                }
            }
        }
        if structural {
            self.search = SearchKeys::build(&self.agents);
            self.recount();
            let agents = &self.agents;
            let mut by_name: Vec<usize> = (0..agents.len()).collect();
            by_name.sort_unstable_by(|&a, &b| agents[a].name.cmp(&agents[b].name).then(a.cmp(&b)));
            self.by_name = by_name;
            self.delta = None;
        } else {
            replaced.sort_unstable();
            replaced.dedup();
            let agents = &self.agents;
            merge_changed(
                &mut self.by_name,
                &replaced,
                agents.len(),
                |_| true,
                |a, b| agents[a].name.cmp(&agents[b].name).then(a.cmp(&b)),
            );
            self.delta = Some(Delta {
                since,
                changed: replaced,
            });
        }
        self.cursor = changes.cursor;
        self.generation += 1;
        true
    }

    /// Adds agent `i` to the tally, or takes it out.
    fn count(&mut self, i: usize, add: bool) {
        let a = &self.agents[i];
        let owned = self
            .owner_of(a)
            .is_some_and(|p| p.status == PersonStatus::Active);
        let t = &mut self.tally;
        let field = match a.status {
            AgentStatus::Active => Some(&mut t.active),
            AgentStatus::Suspended => Some(&mut t.suspended),
            AgentStatus::Killed => Some(&mut t.killed),
            AgentStatus::Dormant => None,
        };
        let unowned = !owned && a.status != AgentStatus::Killed;
        for f in field.into_iter().chain(unowned.then_some(&mut t.unowned)) {
            if add {
                *f += 1;
            } else {
                *f = f.saturating_sub(1);
            }
        }
    }

    fn recount(&mut self) {
        self.tally = Tally::default();
        for i in 0..self.agents.len() {
            self.count(i, true);
        }
    }

    /// The agents changed by the poll applied to `generation`, if that
    /// poll made the fleet what it is now and changed only agents (their
    /// fields or summaries): a view built at `generation` can update its
    /// order with them instead of rebuilding it.
    pub fn changed_since(&self, generation: u64) -> Option<&[usize]> {
        self.delta
            .as_ref()
            .filter(|d| d.since == generation && generation + 1 == self.generation)
            .map(|d| d.changed.as_slice())
    }

    /// Every agent's index, sorted by name (then index), kept up to date
    /// poll by poll: the base of every other sort of the table.
    pub fn by_name(&self) -> &[usize] {
        &self.by_name
    }

    /// Orders agents `a` and `b` by name, then index: the order of
    /// [`by_name`](Self::by_name).
    pub fn cmp_names(&self, a: usize, b: usize) -> Ordering {
        self.agents[a]
            .name
            .cmp(&self.agents[b].name)
            .then(a.cmp(&b))
    }

    /// Agent `i`'s free text, lower-cased, if it is ASCII.
    pub fn search_key(&self, i: usize) -> Option<SearchKey<'_>> {
        self.search.get(i)
    }

    /// Drops every object of the backend called `name`, before its full
    /// answer replaces them.
    fn forget(&mut self, name: &str) {
        let prefix = format!("{name}{}", super::origin::SEPARATOR);
        let theirs = |id: &str| id.starts_with(&prefix);
        let mut kept_agents = Vec::with_capacity(self.agents.len());
        let mut kept_summaries = Vec::with_capacity(self.agents.len());
        for (a, s) in std::mem::take(&mut self.agents)
            .into_iter()
            .zip(std::mem::take(&mut self.summaries))
        {
            if !theirs(&a.id) {
                kept_agents.push(a);
                kept_summaries.push(s);
            }
        }
        self.agents = kept_agents;
        self.summaries = kept_summaries;
        self.index = self
            .agents
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        self.people.retain(|id, _| !theirs(id));
        self.credentials.retain(|id, _| !theirs(id));
        self.grants.retain(|id, _| !theirs(id));
        self.delegations.retain(|id, _| !theirs(id));
        self.alerts.retain(|id, _| !theirs(id));
        // An agent's links can name another backend's objects: an
        // Alertmanager's alerts about it, which its full answer does not
        // bring again and so must outlive it.
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

    fn remove(&mut self, kind: &str, id: &str, touched: &mut Vec<String>) {
        match kind {
            "agent" => {
                if let Some(i) = self.index.remove(id) {
                    self.agents.swap_remove(i);
                    self.summaries.swap_remove(i);
                    if let Some(moved) = self.agents.get(i) {
                        self.index.insert(moved.id.clone(), i);
                    }
                }
                self.links.remove(id);
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
                if a.status == AlertStatus::Open {
                    s.open_alerts += 1;
                    s.risk = s.risk.max(Some(a.severity));
                }
            }
        }
        self.summaries[i] = s;
    }

    pub fn len(&self) -> usize {
        self.agents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.agents.is_empty()
    }

    /// All agents, in the order they arrived; views index into this.
    pub fn agents(&self) -> &[Agent] {
        &self.agents
    }

    pub fn summary(&self, i: usize) -> Summary {
        self.summaries.get(i).copied().unwrap_or_default()
    }

    pub fn position(&self, agent_id: &str) -> Option<usize> {
        self.index.get(agent_id).copied()
    }

    pub fn agent(&self, agent_id: &str) -> Option<&Agent> {
        self.position(agent_id).map(|i| &self.agents[i])
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people.get(id)
    }

    pub fn people(&self) -> impl Iterator<Item = &Person> {
        self.people.values()
    }

    pub fn owner_of(&self, agent: &Agent) -> Option<&Person> {
        agent.owner.as_deref().and_then(|o| self.people.get(o))
    }

    fn linked<'a, T>(
        &'a self,
        agent_id: &str,
        pick: fn(&Links) -> &Vec<String>,
        map: &'a HashMap<String, T>,
    ) -> Vec<&'a T> {
        self.links
            .get(agent_id)
            .map(|l| pick(l).iter().filter_map(|id| map.get(id)).collect())
            .unwrap_or_default()
    }

    pub fn credentials_of(&self, agent_id: &str) -> Vec<&Credential> {
        let mut v = self.linked(agent_id, |l| &l.credentials, &self.credentials);
        v.sort_by(|a, b| a.issued_at.cmp(&b.issued_at).then_with(|| a.id.cmp(&b.id)));
        v
    }

    pub fn grants_of(&self, agent_id: &str) -> Vec<&Grant> {
        let mut v = self.linked(agent_id, |l| &l.grants, &self.grants);
        v.sort_by(|a, b| {
            b.level
                .cmp(&a.level)
                .then_with(|| a.resource.cmp(&b.resource))
        });
        v
    }

    pub fn delegations_of(&self, agent_id: &str) -> Vec<&Delegation> {
        let mut v = self.linked(agent_id, |l| &l.delegations, &self.delegations);
        v.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        v
    }

    pub fn alerts_of(&self, agent_id: &str) -> Vec<&Alert> {
        let mut v = self.linked(agent_id, |l| &l.alerts, &self.alerts);
        v.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| b.created_at.cmp(&a.created_at))
        });
        v
    }

    /// Agents this one delegated to, directly.
    pub fn children_of(&self, agent_id: &str) -> Vec<&Agent> {
        self.delegations_of(agent_id)
            .into_iter()
            .filter(|d| d.parent_agent.as_deref() == Some(agent_id))
            .filter_map(|d| self.agent(&d.child_agent))
            .collect()
    }

    pub fn alerts(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.values()
    }

    pub fn alert(&self, alert_id: &str) -> Option<&Alert> {
        self.alerts.get(alert_id)
    }

    /// Every credential of every agent, in no order.
    pub fn credentials(&self) -> impl Iterator<Item = &Credential> {
        self.credentials.values()
    }

    pub fn credential(&self, credential_id: &str) -> Option<&Credential> {
        self.credentials.get(credential_id)
    }

    /// Counts for the header: the agents' kept as they change, the
    /// alerts' in one pass over the alerts.
    pub fn counts(&self) -> Counts {
        let t = self.tally;
        let mut c = Counts {
            agents: self.agents.len(),
            active: t.active,
            unowned: t.unowned,
            suspended: t.suspended,
            killed: t.killed,
            ..Counts::default()
        };
        for a in self
            .alerts
            .values()
            .filter(|a| a.status == AlertStatus::Open)
        {
            c.alerts[a.severity as usize] += 1;
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    pub fn agent(id: &str, name: &str) -> Agent {
        Agent {
            id: id.into(),
            name: name.into(),
            kind: AgentKind::Chatbot,
            environment: "prod".into(),
            owner: None,
            description: None,
            runtime: None,
            labels: Default::default(),
            status: AgentStatus::Active,
            created_by: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            last_seen_at: None,
            rev: 1,
        }
    }

    /// An open alert from an Alertmanager named `am`, on `agent`.
    fn alertmanager_alert(agent: &str) -> Alert {
        Alert {
            id: "am/fp".into(),
            agent_id: Some(agent.into()),
            rule: "HighErrors".into(),
            severity: Severity::High,
            summary: String::new(),
            evidence: String::new(),
            mapping: Vec::new(),
            status: AlertStatus::Open,
            source: "alertmanager".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            acknowledged_by: None,
            ack_reason: None,
            resolved_at: None,
            rev: 0,
        }
    }

    fn credential(id: &str, agent: &str, status: CredentialStatus) -> Credential {
        Credential {
            id: id.into(),
            agent_id: agent.into(),
            scopes: vec!["a:read".into()],
            prefix: "wdn_ac_x".into(),
            issued_at: Utc::now(),
            expires_at: None,
            last_used_at: None,
            status,
            revoked_at: None,
            revoked_reason: None,
            rev: 1,
        }
    }

    #[test]
    fn full_sync_then_incremental() {
        let mut f = Fleet::new();
        let changed = f.apply(Changes {
            cursor: 5,
            full: true,
            agents: vec![agent("a1", "one"), agent("a2", "two")],
            credentials: vec![
                credential("c1", "a1", CredentialStatus::Active),
                credential("c2", "a1", CredentialStatus::Active),
            ],
            ..Changes::default()
        });
        assert!(changed);
        assert_eq!(f.len(), 2);
        assert_eq!(f.summary(f.position("a1").unwrap()).live_credentials, 2);
        let g = f.generation;
        f.apply(Changes {
            cursor: 6,
            credentials: vec![credential("c1", "a1", CredentialStatus::Revoked)],
            ..Changes::default()
        });
        assert_eq!(f.summary(f.position("a1").unwrap()).live_credentials, 1);
        assert!(f.generation > g);
        assert_eq!(f.cursor, 6);
        // An empty poll moves nothing.
        let g = f.generation;
        assert!(!f.apply(Changes {
            cursor: 6,
            ..Changes::default()
        }));
        assert_eq!(f.generation, g);
    }

    #[test]
    fn a_full_answer_replaces_the_copy() {
        let mut f = Fleet::new();
        f.apply(Changes {
            cursor: 2,
            full: true,
            agents: vec![agent("a1", "one")],
            ..Changes::default()
        });
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("b1", "other")],
            ..Changes::default()
        });
        assert_eq!(f.len(), 1);
        assert!(f.agent("a1").is_none());
    }

    #[test]
    fn hostile_strings_are_escaped_on_entry() {
        let mut f = Fleet::new();
        let mut a = agent("a1", "evil\u{1b}[2Jname\u{202e}");
        a.description = Some("line\nbreak".into());
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![a],
            ..Changes::default()
        });
        let a = f.agent("a1").unwrap();
        assert!(
            !a.name.contains('\u{1b}') && !a.name.contains('\u{202e}'),
            "{}",
            a.name
        );
        assert!(!a.description.as_ref().unwrap().contains('\n'));
    }

    #[test]
    fn risk_is_the_worst_open_alert() {
        let mut f = Fleet::new();
        let alert = |id: &str, sev, status| Alert {
            id: id.into(),
            agent_id: Some("a1".into()),
            rule: "R18".into(),
            severity: sev,
            summary: String::new(),
            evidence: String::new(),
            mapping: Vec::new(),
            status,
            source: "warden".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            acknowledged_by: None,
            ack_reason: None,
            resolved_at: None,
            rev: 1,
        };
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("a1", "one")],
            alerts: vec![
                alert("x", Severity::Medium, AlertStatus::Open),
                alert("y", Severity::Critical, AlertStatus::Resolved),
            ],
            ..Changes::default()
        });
        let s = f.summary(0);
        assert_eq!((s.open_alerts, s.risk), (1, Some(Severity::Medium)));
        assert_eq!(f.counts().alerts[Severity::Medium as usize], 1);
    }

    #[test]
    fn an_alert_that_moves_or_goes_leaves_no_count_behind() {
        let mut f = Fleet::new();
        let mut alert = alertmanager_alert("a1");
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("a1", "one"), agent("a2", "two")],
            alerts: vec![alert.clone()],
            ..Changes::default()
        });
        assert_eq!(f.summary(0).open_alerts, 1);
        alert.agent_id = Some("a2".into());
        f.apply(Changes {
            cursor: 1,
            alerts: vec![alert],
            ..Changes::default()
        });
        assert_eq!(f.summary(0).open_alerts, 0, "moved away");
        assert_eq!(f.summary(1).open_alerts, 1);
        assert!(f.alerts_of("a1").is_empty());
        f.apply(Changes {
            cursor: 1,
            removed: vec![crate::api::Removed {
                kind: "alert".into(),
                id: "am/fp".into(),
                rev: 0,
            }],
            ..Changes::default()
        });
        assert_eq!(f.summary(1).open_alerts, 0);
        assert!(f.links.get("a2").is_some_and(|l| l.alerts.is_empty()));
    }

    #[test]
    fn another_backends_alert_on_an_agent_outlives_its_backends_full_answer() {
        let mut f = Fleet::new();
        let full = || Changes {
            cursor: 1,
            full: true,
            agents: vec![agent("prod/a1", "one")],
            credentials: vec![credential("prod/c1", "prod/a1", CredentialStatus::Active)],
            ..Changes::default()
        };
        f.apply_from(Some("prod"), full());
        let alert = alertmanager_alert("prod/a1");
        f.apply_from(
            Some("am"),
            Changes {
                cursor: 1,
                alerts: vec![alert],
                ..Changes::default()
            },
        );
        assert_eq!(f.summary(0).open_alerts, 1);
        // prod answers in full again (a restart, a lost cursor).
        f.apply_from(Some("prod"), full());
        let s = f.summary(0);
        assert_eq!(
            (s.open_alerts, s.credentials),
            (1, 1),
            "nothing counted twice or lost"
        );
        assert_eq!(f.alerts_of("prod/a1").len(), 1);
        assert_eq!(f.credentials_of("prod/a1").len(), 1);
    }

    #[test]
    fn counts_kept_poll_by_poll_are_the_counts_recounted() {
        let mut f = Fleet::new();
        let mut agents: Vec<Agent> = (0..20)
            .map(|i| agent(&format!("a{i}"), &format!("n{i}")))
            .collect();
        f.apply(Changes {
            cursor: 1,
            full: true,
            agents: agents.clone(),
            ..Changes::default()
        });
        for (i, a) in agents.iter_mut().enumerate().take(10) {
            a.status = [
                AgentStatus::Suspended,
                AgentStatus::Killed,
                AgentStatus::Dormant,
            ][i % 3];
            a.name = format!("z{i}");
        }
        f.apply(Changes {
            cursor: 2,
            agents: agents[..10].to_vec(),
            ..Changes::default()
        });
        assert!(f.changed_since(f.generation - 1).is_some());
        let kept = f.counts();
        f.recount();
        assert_eq!(kept, f.counts());
        assert_eq!((kept.suspended, kept.killed, kept.active), (4, 3, 10));
        // The name order followed the renames.
        let names: Vec<&str> = f
            .by_name()
            .iter()
            .map(|&i| f.agents()[i].name.as_str())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }
}
