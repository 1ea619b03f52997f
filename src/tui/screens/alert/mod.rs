//! One alert, over the alerts list (Enter or `d` there): everything about
//! it ([`view`]) — the full evidence, its OWASP mapping, its timeline from
//! the audit trail, its subject and the other identities it names — and
//! the actions from there: Enter opens the agent, `K` and `f` act on it,
//! `a` acknowledges and `z` snoozes the alert, `s` stops the automatic
//! (guardrail) action pending on it and `E` runs it now; j/k scroll a
//! text taller than the screen, which says what it hides. A Warden alert
//! is read in full as the view opens ([`state`]): the first sync carries
//! alerts without their evidence.

pub mod state;
pub mod view;

use crate::model::{Agent, Alert as Fired};
use crate::tui::app::{App, Level};
use crate::tui::keys::bindings::UiCommand;
use crate::tui::msg::Effect;
use crate::tui::screens::alerts::Alerts;
use crate::tui::screens::{ListState, Screen, ScreenDef};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;

/// The alert view.
pub struct Alert;

/// The `source` of the alerts a Warden backend raised itself: the ones
/// `GET /v1/alerts/{id}` answers.
const WARDEN_SOURCE: &str = "warden";

/// The alert the screen on top shows, if it is the alert view.
pub fn shown(app: &App) -> Option<&Fired> {
    match app.screen() {
        Screen::Alert { alert_id } => app.fleet.alert(alert_id),
        _ => None,
    }
}

impl ScreenDef for Alert {
    /// Not a `:` command (it needs an alert): `:alert` is the alerts list.
    fn name(&self) -> &'static str {
        "alert-detail"
    }

    fn nested(&self) -> bool {
        true
    }

    fn crumb(&self, app: &App) -> String {
        shown(app).map_or_else(|| self.name().into(), |a| app.alert_label(a))
    }

    fn draw(&self, frame: &mut Frame, body: Rect, app: &App, theme: &Theme, clock: Clock) {
        view::draw(frame, body, app, theme, clock);
    }

    /// j/k scroll a text taller than the screen.
    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut dyn ListState> {
        Some(&mut app.panes.alert)
    }

    /// The agent's trail, where the alert's own entries are; the text
    /// starts at its top.
    /// Warden's own alert is read in full as it opens: the lean first
    /// sync left its evidence out.
    fn came_into_view(&self, app: &mut App) -> Vec<Effect> {
        app.panes.alert.scroll = 0;
        let mut effects = match shown(app) {
            Some(a) if a.source == WARDEN_SOURCE => {
                let id = a.id.clone();
                app.panes.alert.ask(&id)
            }
            _ => vec![],
        };
        effects.extend(self.after_poll(app));
        effects
    }

    fn after_poll(&self, app: &mut App) -> Vec<Effect> {
        match shown(app).and_then(|a| a.agent_id.clone()) {
            Some(agent_id) if app.fleet.agent(&agent_id).is_some() => {
                app.panes.detail.show(&agent_id)
            }
            _ => vec![],
        }
    }

    fn open_help(&self) -> Option<&'static str> {
        Some("open the alert's agent")
    }

    /// The alert's agent's view; Esc comes back here.
    fn open(&self, app: &mut App) -> Vec<Effect> {
        let Some(alert) = shown(app) else {
            return vec![];
        };
        let Some(agent_id) = alert.agent_id.clone() else {
            app.flash(Level::Info, strings::ALERT_NAMES_NO_AGENT);
            return vec![];
        };
        if app.fleet.agent(&agent_id).is_none() {
            app.flash(Level::Info, strings::agent_not_in_fleet(&agent_id));
            return vec![];
        }
        app.detail_cursor = 0;
        app.screens.push(Screen::Detail { agent_id });
        vec![]
    }

    /// As the list answers them: on this screen the list's selected alert
    /// is the one shown (`App::selected_alert`).
    fn command(&self, app: &mut App, command: UiCommand) -> Option<Vec<Effect>> {
        match command {
            UiCommand::StopGuardrail => app.guardrail_dialog(false),
            UiCommand::RunGuardrail => app.guardrail_dialog(true),
            _ => return Alerts.command(app, command),
        }
        Some(vec![])
    }

    fn selects_agent(&self) -> bool {
        true
    }

    fn agent<'a>(&self, app: &'a App) -> Option<&'a Agent> {
        Alerts.agent(app)
    }
}
