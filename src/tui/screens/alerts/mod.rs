//! The alerts screen: every alert, open and most severe first ([`state`]),
//! its table ([`view`]), and what it answers ([`Alerts`]): Enter (or `d`)
//! opens the alert, `a` acknowledges, `z` snoozes, `/` filters.


pub mod state;
pub mod view;

use crate::fleet::row_filter::FieldSpec;
use crate::model::Agent;
use crate::tui::components::list_filter::ListFilter;
use crate::tui::app::App;
use crate::tui::keys::bindings::UiCommand;
use crate::tui::msg::Effect;
use crate::tui::screens::{ListState, Screen, ScreenDef};
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;

/// `:alerts`, over the agents table.
pub struct Alerts;

impl ScreenDef for Alerts {
    fn name(&self) -> &'static str {
        "alerts"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["al", "alert"]
    }

    fn draw(&self, frame: &mut Frame, body: Rect, app: &App, theme: &Theme, clock: Clock) {
        view::draw(frame, body, app, theme, clock);
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut dyn ListState> {
        Some(&mut app.panes.alerts)
    }

    fn prepare(&self, app: &mut App) {
        let list = &mut app.panes.alerts;
        list.refresh(&app.fleet);
        list.scroll_to_selection(app.table_rows);
    }

    fn filter_fields(&self) -> Option<&'static [FieldSpec]> {
        Some(state::FIELDS)
    }

    fn filter_help(&self) -> Option<&'static str> {
        Some(
            "filter: text, rule:, severity: (and above), status:, agent:, owner:, source:, \
             !negate",
        )
    }

    fn list_filter<'a>(&self, app: &'a mut App) -> Option<&'a mut ListFilter> {
        Some(&mut app.panes.alerts.filter)
    }

    fn list_filter_ref<'a>(&self, app: &'a App) -> Option<&'a ListFilter> {
        Some(&app.panes.alerts.filter)
    }

    /// Coming in, the selection starts on the most urgent alert.
    fn shown(&self, app: &mut App) -> Vec<Effect> {
        app.panes.alerts.top();
        vec![]
    }

    fn open_help(&self) -> Option<&'static str> {
        Some("open the alert: evidence, mapping, timeline, what it names")
    }

    /// The alert's own view; Esc comes back, Enter there opens the agent.
    fn open(&self, app: &mut App) -> Vec<Effect> {
        let Some(alert_id) = app.selected_alert().map(|a| a.id.clone()) else {
            return vec![];
        };
        let screen = Screen::Alert { alert_id };
        app.screens.push(screen.clone());
        screen.def().came_into_view(app)
    }

    fn command(&self, app: &mut App, command: UiCommand) -> Option<Vec<Effect>> {
        match command {
            UiCommand::Ack => app.ack(),
            UiCommand::Snooze => app.snooze(),
            _ => return None,
        }
        Some(vec![])
    }

    fn selects_agent(&self) -> bool {
        true
    }

    /// The selected alert's agent, so `f` freezes the agent an alert is
    /// about without leaving the view.
    fn agent<'a>(&self, app: &'a App) -> Option<&'a Agent> {
        app.selected_alert()
            .and_then(|a| a.agent_id.as_deref())
            .and_then(|id| app.fleet.agent(id))
    }
}
