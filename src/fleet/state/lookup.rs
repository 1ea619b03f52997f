//! Reading the fleet: agents by index, id or name order, their summaries,
//! and each agent's credentials, grants, delegations and alerts through the
//! links kept as they arrive.

use super::keyed::Owner;
use super::{Fleet, Links, Summary};
use crate::fleet::filter::SearchKey;
use crate::model::*;
use std::cmp::Ordering;

impl Fleet {
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

    /// The alerts added or changed by the poll applied to `generation`
    /// (their indices, see [`alert_at`](Self::alert_at), sorted), if that
    /// poll made the fleet what it is now, removed no alert, moved no
    /// agent and renamed none (the alerts list keeps each alert's agent's
    /// name in its searchable text): a list sorted at `generation`
    /// re-sorts only these.
    pub fn alerts_changed_since(&self, generation: u64) -> Option<&[u32]> {
        self.items_delta
            .as_ref()
            .filter(|d| d.since == generation && generation + 1 == self.generation)
            .filter(|d| !d.names_moved)
            .and_then(|d| d.alerts.as_deref())
    }

    /// The credentials added or changed by the poll applied to
    /// `generation`, as [`alerts_changed_since`](Self::alerts_changed_since)
    /// answers, if it renamed or added no agent either (the name order
    /// the credentials sort by did not move).
    pub fn credentials_changed_since(&self, generation: u64) -> Option<&[u32]> {
        self.items_delta
            .as_ref()
            .filter(|d| d.since == generation && generation + 1 == self.generation)
            .filter(|d| !d.names_moved)
            .and_then(|d| d.credentials.as_deref())
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
        self.search.get(i, self.agents.get(i)?)
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
        self.index.get(agent_id, &self.agents)
    }

    pub fn agent(&self, agent_id: &str) -> Option<&Agent> {
        self.position(agent_id).map(|i| &self.agents[i])
    }

    /// The agent called `name` exactly, found by binary search in the
    /// name order.
    pub fn agent_named(&self, name: &str) -> Option<&Agent> {
        let order = &self.by_name;
        let at = order.partition_point(|&i| self.agents[i].name.as_str() < name);
        order
            .get(at)
            .map(|&i| &self.agents[i])
            .filter(|a| a.name == name)
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
        held: Option<&Vec<String>>,
        get: impl Fn(&str) -> Option<&'a T>,
    ) -> Vec<&'a T> {
        self.links
            .get(agent_id)
            .map(pick)
            .into_iter()
            .chain(held)
            .flatten()
            .filter_map(|id| get(id))
            .collect()
    }

    /// An agent's credentials, the live ones first (what a responder
    /// must see), each group oldest first.
    pub fn credentials_of(&self, agent_id: &str) -> Vec<&Credential> {
        let held = self.held.get(agent_id).map(|h| &h.credentials);
        let mut v = self.linked(
            agent_id,
            |l| &l.credentials,
            held,
            |id| self.credentials.get(id),
        );
        v.sort_by(|a, b| {
            let dead = |c: &Credential| c.status != crate::model::CredentialStatus::Active;
            (dead(a), a.issued_at, &a.id).cmp(&(dead(b), b.issued_at, &b.id))
        });
        v
    }

    pub fn grants_of(&self, agent_id: &str) -> Vec<&Grant> {
        let held = self.held.get(agent_id).map(|h| &h.grants);
        let mut v = self.linked(agent_id, |l| &l.grants, held, |id| self.grants.get(id));
        v.sort_by(|a, b| {
            b.level
                .cmp(&a.level)
                .then_with(|| a.resource.cmp(&b.resource))
        });
        v
    }

    pub fn delegations_of(&self, agent_id: &str) -> Vec<&Delegation> {
        let mut v = self.linked(
            agent_id,
            |l| &l.delegations,
            None,
            |id| self.delegations.get(id),
        );
        v.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        v
    }

    pub fn alerts_of(&self, agent_id: &str) -> Vec<&Alert> {
        let mut v = self.linked(agent_id, |l| &l.alerts, None, |id| self.alerts.get(id));
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

    /// Every alert, in the order of [`alert_at`](Self::alert_at).
    pub fn alerts(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.items().iter()
    }

    /// The alert at index `i` of [`alerts`](Self::alerts): a list keeps
    /// indices, not ids, while the fleet is the one it sorted (removing an
    /// alert moves the last one into its place).
    pub fn alert_at(&self, i: usize) -> Option<&Alert> {
        self.alerts.at(i)
    }

    /// The index of the agent of the alert at `i`, if it names one the
    /// fleet holds: kept beside the alert, not found by id.
    pub fn alert_agent(&self, i: usize) -> Option<usize> {
        match self.alerts.agent_of(i) {
            Owner::Agent(a) => Some(a),
            Owner::None => None,
            Owner::Stale => self
                .alerts
                .at(i)
                .and_then(|a| a.agent_id.as_deref())
                .and_then(|id| self.position(id)),
        }
    }

    /// The index of the alert `alert_id` (see [`alert_at`](Self::alert_at)).
    pub fn alert_index(&self, alert_id: &str) -> Option<usize> {
        self.alerts.position(alert_id)
    }

    pub fn alert(&self, alert_id: &str) -> Option<&Alert> {
        self.alerts.get(alert_id)
    }

    /// Every credential of every agent, in the order of
    /// [`credential_at`](Self::credential_at).
    pub fn credentials(&self) -> impl Iterator<Item = &Credential> {
        self.credentials.items().iter()
    }

    /// The credential at index `i` of [`credentials`](Self::credentials);
    /// see [`alert_at`](Self::alert_at).
    pub fn credential_at(&self, i: usize) -> Option<&Credential> {
        self.credentials.at(i)
    }

    /// The index of the agent of the credential at `i`, if the fleet
    /// holds it (see [`alert_agent`](Self::alert_agent)).
    pub fn credential_agent(&self, i: usize) -> Option<usize> {
        match self.credentials.agent_of(i) {
            Owner::Agent(a) => Some(a),
            Owner::None => None,
            Owner::Stale => self
                .credentials
                .at(i)
                .and_then(|c| self.position(&c.agent_id)),
        }
    }

    /// The index of the credential `credential_id`.
    pub fn credential_index(&self, credential_id: &str) -> Option<usize> {
        self.credentials.position(credential_id)
    }

    pub fn credential(&self, credential_id: &str) -> Option<&Credential> {
        self.credentials.get(credential_id)
    }
}
