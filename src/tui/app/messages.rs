//! A message in: a source's news merged into the fleet, an action's
//! result reported in the flash line and the dialog, a fetch's answer.

use super::{App, Health, Level, Overlay, SLOW, Screen};
use crate::fleet::foreign;
use crate::fleet::origin;
use crate::fleet::safe_text::escape;
use crate::fleet::state::Sanitize;
use crate::model::*;
use crate::sources::SourceEvent;
use crate::tui::msg::{Action, Effect, Msg, Outcome};
use crate::tui::popups::confirm::{Phase, Plan, RowState, Subject};
use crate::tui::popups::secret::{SecretPopup, SecretText};
use crate::tui::strings;
use std::borrow::Cow;
use std::time::Instant;

impl App {
    pub fn handle_msg(&mut self, msg: Msg) -> Vec<Effect> {
        let seen = Self::seen(&msg);
        let mut effects = self.msg(msg);
        effects.extend(self.after_poll(seen));
        self.prepare();
        effects
    }

    pub(super) fn msg(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Source { backend, event } => {
                if backend >= self.backends.len() {
                    tracing::warn!(backend, "a message from an unknown backend, ignored");
                    return vec![];
                }
                self.source(backend, event);
                vec![]
            }
            Msg::Triage { backend, result } => {
                self.panes.triage.report(backend, result);
                vec![]
            }
            Msg::Guardrails { backend, seq, read } => {
                self.guardrails.received(backend, seq, read);
                vec![]
            }
            Msg::CredentialsPage { backend, page } => {
                crate::tui::screens::creds::received_page(self, backend, page);
                vec![]
            }
            Msg::Credentials { backend, result } => {
                crate::tui::screens::creds::received(self, backend, result)
            }
            Msg::KillPlan {
                agent_id,
                cascade,
                result,
            } => {
                let reach = result.as_ref().ok();
                let vault_steps = self.vault_plan_steps(&agent_id, cascade, reach);
                if let Overlay::Confirm(d) = &mut self.overlay
                    && let Subject::Kill {
                        agent_id: a,
                        cascade: c,
                        ..
                    } = &d.subject
                    && *a == agent_id
                    && *c == cascade
                {
                    d.plan = match result {
                        Ok(mut op) => {
                            op.sanitize();
                            op.steps.extend(vault_steps);
                            Plan::Ready(op)
                        }
                        Err(e) => Plan::Failed(escape(&e).into_owned()),
                    };
                }
                vec![]
            }
            Msg::Action { id, result } => {
                let result = result
                    .map(|mut o| {
                        match &mut o {
                            Outcome::Agent(a) => a.sanitize(),
                            Outcome::Credential(c) => c.sanitize(),
                            Outcome::Operation(op) => op.sanitize(),
                            Outcome::Alert(a) => a.sanitize(),
                            Outcome::Guardrail(a) => crate::tui::guardrails::sanitize(a),
                            Outcome::Silenced { alert, silence_id } => {
                                alert.sanitize();
                                *silence_id = escape(silence_id).into_owned();
                            }
                            Outcome::Rotated {
                                credential,
                                previous,
                                secret,
                            } => {
                                credential.sanitize();
                                previous.sanitize();
                                // Copied only when there is something to
                                // escape: each copy is one more to wipe.
                                if let Cow::Owned(clean) = escape(secret.expose()) {
                                    *secret = SecretText::new(clean);
                                }
                            }
                        }
                        o
                    })
                    .map_err(|e| escape(&e).into_owned());
                let action = self.pending.remove(&id);
                if let Ok(Outcome::Guardrail(a)) = &result {
                    self.guardrail_confirmed(a);
                }
                if let Overlay::Confirm(d) = &mut self.overlay {
                    if d.waiting_for() == Some(id) {
                        d.finished(&result);
                    } else if d.tracks(id) {
                        d.finished_one(id, &result);
                    }
                }
                if let Some(at) = self
                    .batches
                    .iter()
                    .position(|b| b.waiting.contains_key(&id))
                {
                    self.count_answer(at, id, &result);
                } else {
                    self.report(action, &result);
                }
                // The backend changed: fetch it now rather than at the next
                // tick, and the queue too when it is on screen.
                if self.screens.contains(&Screen::Triage) {
                    let mut effects = crate::tui::screens::triage::fetch(self);
                    effects.push(Effect::PollNow);
                    return effects;
                }
                vec![Effect::PollNow]
            }
            m @ (Msg::Audit(_)
            | Msg::AuditVerified(_)
            | Msg::Detail { .. }
            | Msg::Trail { .. }
            | Msg::AlertRead { .. }) => self.pane_msg(m),
        }
    }

    /// A source's news: a poll's changes merged into the fleet, a failure
    /// marking that backend down (its objects stay, shown stale), or who
    /// the backend says this dashboard is.
    pub(super) fn source(&mut self, i: usize, event: SourceEvent) {
        match event {
            SourceEvent::Synced { changes, latency } => {
                let arrived: Vec<String> = changes.alerts.iter().map(|a| a.id.clone()).collect();
                // What a Vault link depends on: which agents there are,
                // their names, and (for R02) their owners; not their status.
                let fleet = &self.fleet;
                let agents_changed = !self.vault_reads.is_empty()
                    && (!changes.people.is_empty()
                        || changes.agents.iter().any(|a| {
                            fleet
                                .agent(&a.id)
                                .is_none_or(|old| old.name != a.name || old.owner != a.owner)
                        })
                        || changes
                            .removed
                            .iter()
                            .any(|r| matches!(r.kind.as_str(), "agent" | "person")));
                let scope = self.merged().then(|| self.backends[i].name.clone());
                self.fleet.apply_from(scope.as_deref(), *changes);
                self.news(i, arrived);
                if agents_changed {
                    self.relink_vaults();
                }
                let b = &mut self.backends[i];
                b.health = if latency > SLOW {
                    Health::Slow
                } else {
                    Health::Ok
                };
                b.last_ok = Some(Instant::now());
                b.last_error = None;
                b.latency = Some(latency);
                self.verify_kill();
            }
            SourceEvent::Failed { error, retry_in } => {
                let b = &mut self.backends[i];
                b.health = Health::Down;
                b.last_error = Some(strings::retrying(escape(&error), retry_in.as_secs().max(1)));
            }
            // Alertmanager: the whole set, its agents still labels.
            SourceEvent::Alerts { alerts, latency } => {
                let (prefix, scopes) = match self.merged() {
                    true => (
                        format!("{}{}", self.backends[i].name, origin::SEPARATOR),
                        self.backends.iter().map(|b| b.name.clone()).collect(),
                    ),
                    false => (String::new(), Vec::new()),
                };
                let changes = foreign::alert_changes(&self.fleet, &prefix, &scopes, alerts);
                let changes = Box::new(changes);
                self.source(i, SourceEvent::Synced { changes, latency });
            }
            SourceEvent::Vault {
                snapshot,
                settings,
                latency,
            } => self.vault_read(i, snapshot, settings, latency),
            SourceEvent::Identity(who) => {
                let mut who = *who;
                who.name = escape(&who.name).into_owned();
                if let Some(p) = &mut who.person {
                    p.sanitize();
                }
                self.backends[i].identity = Some(who);
            }
        }
    }

    /// The flash line after an action: only what the backend confirmed.
    /// (A bulk action's answers are counted by its batch instead.)
    pub(super) fn report(&mut self, action: Option<Action>, result: &Result<Outcome, String>) {
        let what = action
            .as_ref()
            .map(Action::describe)
            .unwrap_or_else(|| strings::AN_ACTION.into());
        match (action, result) {
            (_, Err(e)) => self.flash(Level::Error, strings::action_failed(&what, e)),
            (Some(Action::Suspend { name, agent_id, .. }), Ok(_)) => {
                let text = match self.vault_credential_count(&agent_id) {
                    0 => strings::frozen(&name),
                    n => format!(
                        "{} · {}",
                        strings::frozen(&name),
                        strings::vault_no_freeze(n)
                    ),
                };
                self.flash(Level::Success, text)
            }
            (Some(Action::Resume { name, .. }), Ok(_)) => {
                self.flash(Level::Success, strings::unfrozen(&name))
            }
            (Some(Action::Kill { name, .. }), Ok(Outcome::Operation(op))) => {
                if op.status == OperationStatus::Failed {
                    self.flash(Level::Error, strings::kill_step_failed(&name));
                } else {
                    self.flash(Level::Success, strings::killed(&name));
                }
            }
            (Some(Action::Revoke { credential_id, .. }), Ok(Outcome::Credential(c)))
                if credential_id.contains("vault:") =>
            {
                let said = c.revoked_reason.as_deref().unwrap_or_default();
                self.flash(Level::Success, strings::vault_revoked(&credential_id, said))
            }
            (Some(Action::Revoke { credential_id, .. }), Ok(_)) => {
                self.flash(Level::Success, strings::revoked(&credential_id))
            }
            (
                Some(Action::Rotate { agent_name, .. }),
                Ok(Outcome::Rotated {
                    credential,
                    previous,
                    secret,
                }),
            ) => {
                self.flash(
                    Level::Success,
                    strings::rotated(&previous.id, &credential.id),
                );
                // The secret takes the screen whatever is open: it is the
                // one answer that cannot be asked for again.
                self.overlay = Overlay::Secret(Box::new(SecretPopup {
                    credential: (**credential).clone(),
                    previous: (**previous).clone(),
                    agent_name,
                    secret: secret.clone(),
                }));
            }
            (Some(Action::Reassign { name, agent_id, .. }), Ok(_)) => {
                self.panes.triage.resolved(&agent_id);
                let left = if self.screens.contains(&Screen::Triage) {
                    strings::left_to_triage(self.panes.triage.cases.len())
                } else {
                    String::new()
                };
                self.flash(Level::Success, strings::new_owner(&name, &left))
            }
            (Some(Action::Ack { .. }), Ok(Outcome::Silenced { alert, silence_id })) => {
                // The fleet's copy names the matched agent; the answer, the label.
                let label = self.alert_label(self.fleet.alert(&alert.id).unwrap_or(alert));
                let by = alert.acknowledged_by.as_deref().unwrap_or(strings::YOU);
                self.flash(
                    Level::Success,
                    strings::acknowledged_silence(&label, silence_id, by),
                )
            }
            (Some(Action::Snooze { .. }), Ok(Outcome::Alert(a))) => {
                let label = self.alert_label(a);
                let until = a
                    .snoozed_until
                    .map(|t| t.format("%H:%M UTC").to_string())
                    .unwrap_or_default();
                self.flash(Level::Success, strings::snoozed(&label, until))
            }
            (
                Some(Action::StopGuardrail { label, .. } | Action::RunGuardrail { label, .. }),
                Ok(Outcome::Guardrail(a)),
            ) => {
                let level = if a.status == "failed" {
                    Level::Error
                } else {
                    Level::Success
                };
                let text = strings::guardrail_now(&label, &a.status, a.outcome.as_deref());
                self.flash(level, text)
            }
            (Some(Action::Ack { .. }), Ok(Outcome::Alert(a))) => {
                let label = self.alert_label(a);
                self.flash(Level::Success, strings::acknowledged(&label))
            }
            (_, Ok(_)) => self.flash(Level::Success, strings::action_done(&what)),
        }
    }

    /// Alerts that arrived in a poll: a new open critical one, after the
    /// first poll, takes the flash line in the error style and raises the
    /// bell flag. The first poll's alerts are only remembered: a dashboard
    /// that starts mid-incident should not ring for old news.
    pub(super) fn news(&mut self, backend: usize, arrived: Vec<String>) {
        let first = self.synced.insert(backend);
        let mut new_critical = Vec::new();
        for id in arrived {
            if !self.seen_alerts.insert(id.clone()) || first {
                continue;
            }
            if let Some(a) = self.fleet.alert(&id)
                && a.status == AlertStatus::Open
                && !a.snoozed_at(chrono::Utc::now())
                && a.severity == Severity::Critical
            {
                new_critical.push(a.clone());
            }
        }
        let Some(newest) = new_critical.iter().max_by_key(|a| a.created_at) else {
            return;
        };
        let mut text = strings::new_critical(self.alert_label(newest), &newest.summary);
        if new_critical.len() > 1 {
            text.push_str(&strings::more_critical(new_critical.len() - 1));
        }
        self.flash(Level::Error, text);
        self.bell = true;
    }

    /// A kill is verified when the dashboard's own copy, fetched from the
    /// backend after the kill, shows the agent killed with no live credential.
    pub(super) fn verify_kill(&mut self) {
        let Overlay::Confirm(d) = &mut self.overlay else {
            return;
        };
        if let Subject::BulkKill { .. } = &d.subject {
            // Every agent the backend said it killed must now show killed
            // with no live credential in the dashboard's own copy.
            let fleet = &self.fleet;
            let all = d.rows.iter().filter(|r| r.state == RowState::Ok).all(|r| {
                fleet.position(&r.agent_id).is_some_and(|i| {
                    fleet.agents()[i].status == AgentStatus::Killed
                        && fleet.summary(i).live_credentials == 0
                })
            });
            if all
                && let Phase::Done {
                    verified: verified @ Some(false),
                    ..
                } = &mut d.phase
            {
                *verified = Some(true);
            }
            return;
        }
        let Subject::Kill { agent_id, .. } = &d.subject else {
            return;
        };
        let Phase::Done {
            verified: Some(false),
            ..
        } = &d.phase
        else {
            return;
        };
        let Some(i) = self.fleet.position(agent_id) else {
            return;
        };
        let killed = self.fleet.agents()[i].status == AgentStatus::Killed;
        if killed
            && self.fleet.summary(i).live_credentials == 0
            && let Phase::Done { verified, .. } = &mut d.phase
        {
            *verified = Some(true);
        }
    }
}
