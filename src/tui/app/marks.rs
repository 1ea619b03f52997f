//! Marks and bulk actions: which agents are marked, and freezing, killing
//! or reassigning all of them through one dialog, counted as the answers
//! come back.

use super::{App, Level, Overlay, Screen};
use crate::model::*;
use crate::tui::msg::{Action, Effect, Outcome};
use crate::tui::popups::confirm::{Confirm, MarkedAgent, Plan, Subject, verdict};
use crate::tui::popups::picker::{Candidate, OwnerPicker};
use crate::tui::screens::ListState;
use crate::tui::strings;
use std::collections::{BTreeSet, HashMap, HashSet};

/// A bulk action in flight, as the flash line counts it: only answers the
/// backend gave are counted as done.
#[derive(Debug)]
pub(super) struct Batch {
    /// What a confirmed one is: "frozen", "killed"…
    pub(super) verb: &'static str,
    /// Action ids still unanswered, with the agent's name.
    pub(super) waiting: HashMap<u64, String>,
    pub(super) total: usize,
    pub(super) ok: usize,
    /// "name: the backend's message", in the order they came.
    pub(super) failed: Vec<String>,
    /// Said at the end: the marked agents left out, and why.
    pub(super) skipped: Option<String>,
    /// Said at the end when some succeeded: how to undo.
    pub(super) undo: Option<&'static str>,
}

impl Batch {
    /// "frozen 3 of 5, 1 failed: name: message" with what is still out.
    pub(super) fn progress(&self) -> (Level, String) {
        let mut text = strings::bulk_done(self.verb, self.ok, self.total);
        if let Some(first) = self.failed.first() {
            text.push_str(&strings::bulk_failed(self.failed.len(), first));
        }
        if !self.waiting.is_empty() {
            text.push_str(&strings::bulk_waiting_more(self.waiting.len()));
            return (Level::Pending, text);
        }
        if let Some(s) = &self.skipped {
            text.push_str(&format!("; {s}"));
        }
        if self.ok > 0
            && let Some(u) = self.undo
        {
            text.push_str(&format!(". {u}"));
        }
        let level = if self.failed.is_empty() {
            Level::Success
        } else {
            Level::Error
        };
        (level, text)
    }
}

impl App {
    /// Whether f, K and o go to the marked agents.
    pub(super) fn bulk(&self) -> bool {
        matches!(self.screen(), Screen::Agents) && !self.marks.is_empty()
    }

    pub(super) fn selected_id(&self) -> Option<String> {
        let i = self.panes.agents.selected_index()?;
        self.fleet.agents().get(i).map(|a| a.id.clone())
    }

    /// Space: toggles the selected agent's mark and moves down, so a run of
    /// spaces marks a run of rows.
    pub(crate) fn toggle_mark(&mut self) {
        let Some(id) = self.selected_id() else {
            return;
        };
        if !self.marks.remove(&id) {
            self.marks.insert(id.clone());
        }
        self.mark_anchor = Some(id);
        self.panes.agents.move_by(1);
    }

    /// ctrl-space: marks every row shown between the anchor and the
    /// selection. With no anchor on screen (none yet, or filtered out), it
    /// marks the selection alone.
    pub(crate) fn clear_marks(&mut self) {
        if !self.marks.is_empty() {
            self.flash(Level::Info, strings::marks_cleared(self.marks.len()));
        }
        self.marks.clear();
        self.mark_anchor = None;
    }

    pub(crate) fn mark_range(&mut self) {
        let Some(id) = self.selected_id() else {
            return;
        };
        let here = self.panes.agents.selected;
        let from = self
            .mark_anchor
            .as_deref()
            .and_then(|a| self.fleet.position(a))
            .and_then(|i| self.panes.agents.order.iter().position(|&o| o == i))
            .unwrap_or(here);
        let agents = self.fleet.agents();
        for &i in &self.panes.agents.order[from.min(here)..=from.max(here)] {
            self.marks.insert(agents[i].id.clone());
        }
        self.mark_anchor = Some(id);
    }

    /// The marked agents a bulk action may act on, and how many of them
    /// the filter hides; `None`, with the flash line saying why, when
    /// actions are off or any marked agent's backend would refuse it.
    fn marked_to_act_on(&mut self) -> Option<(Vec<Agent>, usize)> {
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return None;
        }
        let (agents, hidden) = self.marked_agents();
        if let Some(why) = agents.iter().find_map(|a| self.refused_for(&a.id)) {
            self.flash(Level::Error, strings::unmark_first(&why));
            return None;
        }
        Some((agents, hidden))
    }

    /// Whether two objects live on the same backend.
    pub(super) fn same_backend(&self, a: &str, b: &str) -> bool {
        !self.merged() || self.backend_of(a) == self.backend_of(b)
    }

    /// The marked agents, by name, and how many of them the filter hides.
    pub(super) fn marked_agents(&self) -> (Vec<Agent>, usize) {
        let shown: HashSet<usize> = self.panes.agents.order.iter().copied().collect();
        let mut hidden = 0;
        let mut agents: Vec<Agent> = self
            .marks
            .iter()
            .filter_map(|id| {
                let i = self.fleet.position(id)?;
                if !shown.contains(&i) {
                    hidden += 1;
                }
                Some(self.fleet.agents()[i].clone())
            })
            .collect();
        agents.sort_by(|a, b| a.name.cmp(&b.name));
        (agents, hidden)
    }

    /// The line every bulk confirmation starts with.
    pub(super) fn marked_line(count: usize, hidden: usize) -> String {
        strings::marked_line(count, hidden)
    }

    /// Sends one action per agent and counts the answers on the flash line.
    /// Returns each action's id with its agent, for the dialog's rows.
    pub(super) fn start_batch(
        &mut self,
        actions: Vec<Action>,
        verb: &'static str,
        verbing: &str,
        skipped: Option<String>,
        undo: Option<&'static str>,
    ) -> (Vec<(u64, MarkedAgent)>, Vec<Effect>) {
        let total = actions.len();
        let mut sent = Vec::with_capacity(total);
        let mut effects = Vec::with_capacity(total);
        let mut waiting = HashMap::with_capacity(total);
        for action in actions {
            let (agent_id, name) = match &action {
                Action::Suspend { agent_id, name, .. }
                | Action::Resume { agent_id, name, .. }
                | Action::Kill { agent_id, name, .. }
                | Action::Reassign { agent_id, name, .. } => (agent_id.clone(), name.clone()),
                Action::Revoke { credential_id, .. } | Action::Rotate { credential_id, .. } => {
                    (credential_id.clone(), credential_id.clone())
                }
                Action::Ack { alert_id, .. } | Action::Snooze { alert_id, .. } => {
                    (alert_id.clone(), alert_id.clone())
                }
                Action::StopGuardrail {
                    action_id, label, ..
                }
                | Action::RunGuardrail {
                    action_id, label, ..
                } => (action_id.clone(), label.clone()),
            };
            let (id, effect) = self.start(action);
            waiting.insert(id, name.clone());
            sent.push((id, MarkedAgent { agent_id, name }));
            effects.push(effect);
        }
        self.batches.push(Batch {
            verb,
            waiting,
            total,
            ok: 0,
            failed: Vec::new(),
            skipped,
            undo,
        });
        self.flash(Level::Pending, strings::bulk_waiting(verbing, total));
        (sent, effects)
    }

    /// One answer of a bulk action: the flash counts it; the last one
    /// ends the batch.
    pub(super) fn count_answer(&mut self, at: usize, id: u64, result: &Result<Outcome, String>) {
        let batch = &mut self.batches[at];
        let name = batch.waiting.remove(&id).unwrap_or_default();
        match verdict(result) {
            Ok(()) => batch.ok += 1,
            Err(e) => batch.failed.push(format!("{name}: {e}")),
        }
        let (level, text) = batch.progress();
        if batch.waiting.is_empty() {
            self.batches.remove(at);
        }
        self.flash(level, text);
    }

    /// f with marks: freezes the marked agents that are active or dormant;
    /// when every live marked agent is already frozen, unfreezes them all.
    /// No dialog, as for one agent: freezing is reversible.
    pub(super) fn bulk_freeze(&mut self) -> Vec<Effect> {
        let Some((agents, _)) = self.marked_to_act_on() else {
            return vec![];
        };
        let killed = agents
            .iter()
            .filter(|a| a.status == AgentStatus::Killed)
            .count();
        let live: Vec<&Agent> = agents
            .iter()
            .filter(|a| a.status != AgentStatus::Killed)
            .collect();
        if live.is_empty() {
            self.flash(Level::Error, strings::all_marked_killed(agents.len()));
            return vec![];
        }
        let unfreeze = live.iter().all(|a| a.status == AgentStatus::Suspended);
        let frozen_already = if unfreeze {
            0
        } else {
            live.iter()
                .filter(|a| a.status == AgentStatus::Suspended)
                .count()
        };
        let actions: Vec<Action> = live
            .into_iter()
            .filter(|a| unfreeze || a.status != AgentStatus::Suspended)
            .map(|a| {
                if unfreeze {
                    Action::Resume {
                        agent_id: a.id.clone(),
                        name: a.name.clone(),
                        reason: strings::UNFROZEN_MARKED.into(),
                    }
                } else {
                    Action::Suspend {
                        agent_id: a.id.clone(),
                        name: a.name.clone(),
                        reason: strings::FROZEN_MARKED.into(),
                    }
                }
            })
            .collect();
        let mut skipped = Vec::new();
        if frozen_already > 0 {
            skipped.push(strings::already_frozen(frozen_already));
        }
        if killed > 0 {
            skipped.push(strings::killed_skipped(killed));
        }
        let skipped = (!skipped.is_empty()).then(|| skipped.join(", "));
        let (verb, verbing, undo) = if unfreeze {
            (strings::UNFROZEN, strings::UNFREEZING, None)
        } else {
            (
                strings::FROZEN,
                strings::FREEZING,
                Some(strings::UNFREEZE_THEM),
            )
        };
        let (_, effects) = self.start_batch(actions, verb, verbing, skipped, undo);
        effects
    }

    /// K with marks: one dialog for all of them, `kill N` typed.
    pub(super) fn bulk_kill(&mut self) -> Vec<Effect> {
        let Some((agents, hidden)) = self.marked_to_act_on() else {
            return vec![];
        };
        let (dead, live): (Vec<&Agent>, Vec<&Agent>) =
            agents.iter().partition(|a| a.status == AgentStatus::Killed);
        if live.is_empty() {
            self.flash(
                Level::Info,
                strings::all_marked_already_killed(agents.len()),
            );
            return vec![];
        }
        let names = |list: &[&Agent]| strings::some_names(list.iter().map(|a| &a.name), list.len());
        let credentials: u32 = live
            .iter()
            .filter_map(|a| self.fleet.position(&a.id))
            .map(|i| self.fleet.summary(i).live_credentials)
            .sum();
        let runtimes = live.iter().filter(|a| a.runtime.is_some()).count();
        let mut blast = vec![
            Self::marked_line(agents.len(), hidden),
            strings::will_be_killed(live.len(), names(&live)),
        ];
        if !dead.is_empty() {
            blast.push(strings::already_killed_skipped(dead.len(), names(&dead)));
        }
        blast.push(strings::credentials_revoked_in_all(credentials));
        blast.push(strings::runtime_hooks_fire(runtimes));
        blast.push(strings::DELEGATES_KILLED_IF_MARKED.into());
        let target = |a: &&Agent| MarkedAgent {
            agent_id: a.id.clone(),
            name: a.name.clone(),
        };
        let subject = Subject::BulkKill {
            targets: live.iter().map(target).collect(),
            skipped: dead.iter().map(target).collect(),
        };
        let mut dialog = Confirm::new(subject, blast);
        // The backend plans one agent at a time; the forecast above is the
        // dashboard's own, and each agent's answer follows.
        dialog.plan = Plan::NotNeeded;
        self.overlay = Overlay::Confirm(Box::new(dialog));
        vec![]
    }

    /// o with marks: the picker over every active person, then one dialog.
    pub(super) fn bulk_owner_picker(&mut self) {
        let Some((agents, _)) = self.marked_to_act_on() else {
            return;
        };
        // An owner is a person of the agent's own backend.
        let homes: BTreeSet<Option<usize>> =
            agents.iter().map(|a| self.backend_of(&a.id)).collect();
        if homes.len() > 1 {
            self.flash(Level::Error, strings::marked_on_many_backends(homes.len()));
            return;
        }
        let home = agents.first().map(|a| a.id.as_str()).unwrap_or("");
        // Evidence is per agent; for many, only the directory is offered.
        let mut people: Vec<&Person> = self
            .fleet
            .people()
            .filter(|p| p.status == PersonStatus::Active && self.same_backend(&p.id, home))
            .collect();
        if people.is_empty() {
            self.flash(Level::Error, strings::NO_ONE_TO_ASSIGN);
            return;
        }
        people.sort_by(|a, b| a.name.cmp(&b.name));
        let candidates = people
            .into_iter()
            .map(|p| Candidate {
                person_id: p.id.clone(),
                label: strings::person_label(&p.name, &p.email),
                reason: None,
                weight: 0,
            })
            .collect();
        let label = strings::marked_agents(agents.len());
        self.reassign_targets = Some(
            agents
                .iter()
                .map(|a| MarkedAgent {
                    agent_id: a.id.clone(),
                    name: a.name.clone(),
                })
                .collect(),
        );
        self.overlay =
            Overlay::Picker(Box::new(OwnerPicker::new(String::new(), label, candidates)));
    }

    pub(super) fn bulk_reassign_dialog(&self, marked: Vec<MarkedAgent>, c: &Candidate) -> Confirm {
        let (_, hidden) = self.marked_agents();
        let count = marked.len();
        let (skipped, targets): (Vec<MarkedAgent>, Vec<MarkedAgent>) =
            marked.into_iter().partition(|t| {
                self.fleet
                    .agent(&t.agent_id)
                    .is_some_and(|a| a.owner.as_deref() == Some(c.person_id.as_str()))
            });
        let mut blast = vec![
            Self::marked_line(count, hidden),
            strings::new_owner_line(&c.label),
        ];
        let names = strings::some_names(targets.iter().map(|t| &t.name), targets.len());
        blast.push(strings::will_be_reassigned(targets.len(), names));
        if !skipped.is_empty() {
            blast.push(strings::already_owned_skipped(skipped.len()));
        }
        Confirm::new(
            Subject::BulkReassign {
                targets,
                skipped,
                owner_id: c.person_id.clone(),
                owner_label: c.label.clone(),
            },
            blast,
        )
    }
}

/// "1 already killed: name" for the end of a bulk action's flash line.
pub(super) fn skipped_note(skipped: &[MarkedAgent], why: &str) -> Option<String> {
    (!skipped.is_empty()).then(|| strings::skipped(skipped.len(), why))
}
