//! The app's side of guardrails: reading each Warden backend's automatic
//! actions after its poll, taking a stop's or a run's answer in, and the
//! `s` (stop, with a reason) and `E` (run now) dialogs of the alert view
//! and the `:guardrails` list.

use super::{App, BackendKind, Level, Overlay};
use crate::api::guardrails::GuardrailAction;
use crate::tui::msg::Effect;
use crate::tui::popups::confirm::{Confirm, Subject};
use crate::tui::screens::Screen;
use crate::tui::strings;

impl App {
    /// After backend `backend` polled: read its guardrails too, unless a
    /// read is in flight or it has none. `replaced`: it now answers from
    /// another database, so it may serve them now.
    pub(super) fn ask_guardrails(&mut self, backend: usize, replaced: bool) -> Vec<Effect> {
        if self.backends.get(backend).map(|b| b.kind) != Some(BackendKind::Warden) {
            return vec![];
        }
        if replaced {
            self.guardrails.replaced(backend);
        }
        match self.guardrails.ask(backend) {
            Some(seq) => vec![Effect::FetchGuardrails { backend, seq }],
            None => vec![],
        }
    }

    /// The backend's answer to a stop or a run: the action as it now is.
    pub(super) fn guardrail_confirmed(&mut self, action: &GuardrailAction) {
        if let Some(backend) = self.backend_of(&action.id) {
            self.guardrails.confirmed(backend, action.clone());
        }
    }

    /// The pending action `s` and `E` act on: in an alert's view the
    /// soonest due on that alert; in `:guardrails` the selected one.
    pub fn guardrail_in_view(&self) -> Option<&GuardrailAction> {
        match self.screen() {
            Screen::Alert { alert_id } => self.guardrails.next_pending_on_alert(alert_id),
            Screen::Guardrails => self
                .panes
                .guardrails
                .selected()
                .filter(|a| a.status == "pending"),
            _ => None,
        }
    }

    /// `s` (stop) or `E` (run now) in the alert view: the dialog, with a
    /// reason to type; nothing is sent before it is confirmed.
    pub(crate) fn guardrail_dialog(&mut self, run: bool) {
        if let Some(why) = self.actions_refused() {
            self.flash(Level::Error, why);
            return;
        }
        let Some(a) = self.guardrail_in_view().cloned() else {
            self.flash(Level::Info, strings::NO_PENDING_GUARDRAIL);
            return;
        };
        if let Some(why) = self.refused_for(&a.id) {
            self.flash(Level::Error, why);
            return;
        }
        let label = strings::guardrail_label(&a.action, &a.agent_name, &a.policy);
        let mut blast = vec![
            strings::guardrail_policy_line(&a.policy, &a.rule),
            strings::guardrail_due_line(&a.action, &a.agent_name, a.due_at.format("%H:%M:%S UTC")),
        ];
        if !a.credentials.is_empty() {
            blast.push(strings::guardrail_credentials(a.credentials.join(", ")));
        }
        let (subject, forecast) = if run {
            let subject = Subject::RunGuardrail {
                action_id: a.id,
                label,
            };
            (subject, strings::RUN_FORECAST)
        } else {
            let subject = Subject::StopGuardrail {
                action_id: a.id,
                label,
            };
            (subject, strings::STOP_FORECAST)
        };
        blast.push(forecast.into());
        self.overlay = Overlay::Confirm(Box::new(Confirm::new(subject, blast)));
    }
}
