//! One agent's actions as the app starts them: each opens the confirmation
//! dialog (or the owner picker) with what the backend will do; the action
//! itself goes out only once the dialog is confirmed.

use super::{App, BackendKind, Level, Overlay};
use crate::model::*;
use crate::tui::msg::{Action, Effect};
use crate::tui::popups::confirm::{Confirm, Subject};
use crate::tui::popups::picker::{Candidate, OwnerPicker};
use crate::tui::strings;
use std::collections::HashMap;

impl App {
    /// `z` in the alerts view: how long and why, then the backend's snooze.
    /// Only Warden's own alerts snooze, and never a resolved one.
    pub(crate) fn snooze(&mut self) {
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return;
        }
        let Some(alert) = self.selected_alert().cloned() else {
            self.flash(Level::Info, strings::NO_ALERT_SELECTED);
            return;
        };
        if alert.source != "warden" {
            self.flash(Level::Info, strings::SNOOZE_WARDEN_ONLY);
            return;
        }
        if alert.status == AlertStatus::Resolved {
            self.flash(Level::Info, strings::SNOOZE_RESOLVED);
            return;
        }
        if let Some(why) = self.refused_for(&alert.id) {
            self.flash(Level::Error, why);
            return;
        }
        let blast = vec![
            strings::ack_rule(&alert.rule, alert.severity),
            strings::ack_agent(self.alert_agent_name(&alert)),
            strings::ack_summary(&alert.summary),
        ];
        let subject = Subject::Snooze {
            alert_id: alert.id.clone(),
            label: self.alert_label(&alert),
        };
        self.overlay = Overlay::Confirm(Box::new(Confirm::new(subject, blast)));
    }

    /// `a` in the alerts view: a reason, then the backend's acknowledgement.
    /// Only an open alert can be acknowledged; the others say why not.
    pub(crate) fn ack(&mut self) {
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return;
        }
        let Some(alert) = self.selected_alert().cloned() else {
            self.flash(Level::Info, strings::NO_ALERT_SELECTED);
            return;
        };
        if let Some(why) = self.refused_for(&alert.id) {
            self.flash(Level::Error, why);
            return;
        }
        let label = self.alert_label(&alert);
        match alert.status {
            AlertStatus::Open => {}
            AlertStatus::Acknowledged => {
                let by = alert
                    .acknowledged_by
                    .as_deref()
                    .map(|b| format!(" by {b}"))
                    .unwrap_or_default();
                self.flash(Level::Info, strings::already_acknowledged(&label, &by));
                return;
            }
            AlertStatus::Resolved => {
                self.flash(Level::Info, strings::resolved_nothing_to_ack(&label));
                return;
            }
        }
        let mut blast = vec![
            strings::ack_rule(&alert.rule, alert.severity),
            strings::ack_agent(self.alert_agent_name(&alert)),
            strings::ack_summary(&alert.summary),
        ];
        if alert.source == crate::alertmanager::SOURCE {
            blast.push(strings::ACK_SILENCES.into());
        }
        let subject = Subject::Ack {
            alert_id: alert.id,
            label,
        };
        self.overlay = Overlay::Confirm(Box::new(Confirm::new(subject, blast)));
    }

    /// Checks that an action may start on the current agent.
    pub(super) fn actionable(&mut self) -> Option<Agent> {
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return None;
        }
        let Some(agent) = self.current_agent().cloned() else {
            self.flash(Level::Error, strings::NO_AGENT_SELECTED);
            return None;
        };
        if let Some(why) = self.refused_for(&agent.id) {
            self.flash(Level::Error, why);
            return None;
        }
        Some(agent)
    }

    pub(super) fn freeze(&mut self) -> Vec<Effect> {
        let Some(agent) = self.actionable() else {
            return vec![];
        };
        let reason = strings::FROZEN_HERE.to_string();
        let action = match agent.status {
            AgentStatus::Killed => {
                self.flash(Level::Error, strings::killed_cannot_freeze(&agent.name));
                return vec![];
            }
            AgentStatus::Suspended => Action::Resume {
                agent_id: agent.id,
                name: agent.name,
                reason: strings::UNFROZEN_HERE.into(),
            },
            AgentStatus::Active | AgentStatus::Dormant => Action::Suspend {
                agent_id: agent.id,
                name: agent.name,
                reason,
            },
        };
        let (_, effect) = self.start(action);
        vec![effect]
    }

    pub(super) fn kill(&mut self) -> Vec<Effect> {
        let Some(agent) = self.actionable() else {
            return vec![];
        };
        if agent.status == AgentStatus::Killed {
            self.flash(Level::Info, strings::already_killed(&agent.name));
            return vec![];
        }
        let blast = self.blast_radius(&agent);
        let subject = Subject::Kill {
            agent_id: agent.id.clone(),
            name: agent.name.clone(),
            cascade: false,
        };
        self.overlay = Overlay::Confirm(Box::new(Confirm::new(subject, blast)));
        vec![Effect::PlanKill {
            agent_id: agent.id,
            cascade: false,
        }]
    }

    /// What the dashboard's own copy says a kill reaches; the backend's
    /// plan follows.
    pub(crate) fn blast_radius(&self, agent: &Agent) -> Vec<String> {
        // An agent the fleet no longer holds counts nothing, not another's.
        let s = self
            .fleet
            .position(&agent.id)
            .map(|i| self.fleet.summary(i))
            .unwrap_or_default();
        let children = self.fleet.children_of(&agent.id);
        // Vault's are counted on their own line, below.
        let warden_live =
            (s.live_credentials as usize).saturating_sub(self.vault_credential_count(&agent.id));
        let mut lines = vec![strings::credentials_revoked(warden_live as u32)];
        if children.is_empty() {
            lines.push(strings::NO_AGENTS_ACT_FOR_IT.into());
        } else {
            let names = strings::some_names(children.iter().map(|a| &a.name), children.len());
            lines.push(strings::agents_act_for_it(children.len(), names));
        }
        lines.push(match &agent.runtime {
            Some(r) => strings::runtime(r),
            None => strings::NO_RUNTIME.into(),
        });
        // From the agent's detail, when it is the one open.
        let extras = &self.panes.detail;
        if extras.agent_id.as_deref() == Some(agent.id.as_str()) && !extras.tokens.is_empty() {
            lines.push(strings::exchanged_tokens_end(extras.tokens.len()));
        }
        lines.extend(self.vault_blast(agent));
        lines
    }

    pub(super) fn owner_picker(&mut self) {
        let Some(agent) = self.actionable() else {
            return;
        };
        let candidates = self.owner_candidates(&agent);
        if candidates.is_empty() {
            self.flash(Level::Error, strings::NO_ONE_TO_ASSIGN);
            return;
        }
        self.overlay =
            Overlay::Picker(Box::new(OwnerPicker::new(agent.id, agent.name, candidates)));
    }

    /// Owner evidence from the dashboard's own copy, strongest first: the
    /// first reason found for a person is the one shown, with its weight.
    pub(super) fn local_evidence<'a>(
        &'a self,
        agent: &'a Agent,
    ) -> HashMap<&'a str, (String, i64)> {
        let mut reasons: HashMap<&str, (String, i64)> = HashMap::new();
        if let Some(owner) = self.fleet.owner_of(agent)
            && owner.status == PersonStatus::Departed
            && let Some(m) = &owner.manager
        {
            reasons.insert(m.as_str(), (strings::manager_of_departed(&owner.name), 4));
        }
        if let Some(creator) = &agent.created_by {
            for p in self.fleet.people().filter(|p| &p.email == creator) {
                reasons
                    .entry(p.id.as_str())
                    .or_insert_with(|| (strings::CREATED_IT.into(), 3));
            }
        }
        for d in self.fleet.delegations_of(&agent.id) {
            if d.child_agent == agent.id
                && let Some(p) = &d.on_behalf_of
            {
                reasons
                    .entry(p.as_str())
                    .or_insert_with(|| (strings::ACTS_FOR_THEM.into(), 2));
            }
        }
        if let Some(team) = agent.labels.get("team") {
            for p in self
                .fleet
                .people()
                .filter(|p| p.team.as_deref() == Some(team.as_str()))
            {
                reasons
                    .entry(p.id.as_str())
                    .or_insert_with(|| (strings::on_team(team), 1));
            }
        }
        reasons
    }

    /// Active people, with the ones the evidence points at first: the
    /// backend's own ranking when the triage queue holds the agent (it sees
    /// events and who registered it), else what the dashboard's copy shows.
    pub(super) fn owner_candidates(&self, agent: &Agent) -> Vec<Candidate> {
        let reasons = match self.panes.triage.case_of(&agent.id) {
            Some(case) => case
                .suggestions
                .iter()
                .map(|s| {
                    let why: Vec<&str> = s.reasons.iter().map(|r| r.text.as_str()).collect();
                    (s.person.id.as_str(), (why.join("; "), i64::from(s.score)))
                })
                .collect(),
            None => self.local_evidence(agent),
        };
        let mut people: Vec<&Person> = self
            .fleet
            .people()
            .filter(|p| {
                p.status == PersonStatus::Active
                    && agent.owner.as_deref() != Some(p.id.as_str())
                    && self.same_backend(&p.id, &agent.id)
            })
            .collect();
        people.sort_by(|a, b| a.name.cmp(&b.name));
        people
            .into_iter()
            .map(|p| {
                let (reason, weight) = match reasons.get(p.id.as_str()) {
                    Some((r, w)) => (Some(r.clone()), *w),
                    None => (None, 0),
                };
                Candidate {
                    person_id: p.id.clone(),
                    label: strings::person_label(&p.name, &p.email),
                    reason,
                    weight,
                }
            })
            .collect()
    }

    /// `R` on a selected credential: the dialog asks for a grace period
    /// (0, at once, to start with: a credential rotated mid-incident is
    /// usually one that leaked) and a reason; the new secret shows only
    /// once the backend has answered.
    pub(super) fn rotate(&mut self) {
        let chosen = self.screen().def().credential(self).cloned();
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return;
        }
        let Some(c) = chosen else {
            self.flash(Level::Error, strings::NO_CREDENTIAL_TO_ROTATE);
            return;
        };
        if c.status == CredentialStatus::Revoked {
            self.flash(Level::Info, strings::cannot_rotate_revoked(&c.id));
            return;
        }
        if let Some(why) = self.refused_for(&c.id) {
            self.flash(Level::Error, why);
            return;
        }
        // Only a Warden backend issues credentials, and a Vault AppRole
        // secret-ids; anything else another backend reports is rotated there.
        let vault_secret_id = c.id.contains("vault:secret-id:");
        if let Some(i) = self.backend_of(&c.id)
            && self.backends[i].kind != BackendKind::Warden
            && !(vault_secret_id && self.backends[i].kind == BackendKind::Vault)
        {
            let name = self.backends[i].name.clone();
            self.flash(Level::Info, strings::rotate_elsewhere(&c.id, name));
            return;
        }
        let agent = self.fleet.agent(&c.agent_id);
        let agent_name = agent.map(|a| a.name.clone()).unwrap_or_default();
        if agent.is_some_and(|a| a.status == AgentStatus::Killed) {
            self.flash(Level::Info, strings::killed_no_rotation(&agent_name));
            return;
        }
        let blast = vec![
            strings::credential_of(&c.id, &c.prefix, &agent_name),
            strings::scopes(c.scopes.join(" ")),
            strings::ROTATE_NEW_SECRET.into(),
        ];
        let subject = Subject::Rotate {
            credential_id: c.id.clone(),
            agent_name,
        };
        self.overlay = Overlay::Confirm(Box::new(Confirm::new(subject, blast)));
    }

    pub(super) fn revoke(&mut self) {
        let screen = self.screen().def();
        if !screen.selects_credential() {
            self.flash(Level::Info, strings::REVOKE_WHERE);
            return;
        }
        let chosen = screen.credential(self).cloned();
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return;
        }
        let Some(c) = chosen else {
            self.flash(Level::Error, strings::NO_CREDENTIAL_TO_REVOKE);
            return;
        };
        if c.status == CredentialStatus::Revoked {
            self.flash(Level::Info, strings::already_revoked(&c.id));
            return;
        }
        if let Some(why) = self.refused_for(&c.id) {
            self.flash(Level::Error, why);
            return;
        }
        let agent_name = self
            .fleet
            .agent(&c.agent_id)
            .map(|a| a.name.clone())
            .unwrap_or_default();
        let blast = vec![
            strings::credential_of(&c.id, &c.prefix, &agent_name),
            strings::scopes(c.scopes.join(" ")),
            strings::NEXT_REQUEST_REFUSED.into(),
        ];
        let subject = Subject::Revoke {
            credential_id: c.id.clone(),
            agent_name,
        };
        self.overlay = Overlay::Confirm(Box::new(Confirm::new(subject, blast)));
    }
}
