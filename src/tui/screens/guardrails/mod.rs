//! The guardrails screen (`:guardrails`): every automatic action the
//! backends' guardrail policies planned ([`state`]), its table ([`view`]),
//! and what it answers ([`Guardrails`]): Enter opens the action's
//! alert, `s` stops the selected pending action and `E` runs it now, each
//! with a reason, `/` filters.

pub mod state;
pub mod view;

use crate::fleet::row_filter::FieldSpec;
use crate::tui::app::{App, Level};
use crate::tui::components::list_filter::ListFilter;
use crate::tui::keys::bindings::UiCommand;
use crate::tui::msg::Effect;
use crate::tui::screens::{ListState, Screen, ScreenDef};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;

/// `:guardrails`, over the agents table.
pub struct Guardrails;

impl ScreenDef for Guardrails {
    fn name(&self) -> &'static str {
        "guardrails"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["gr", "guardrail"]
    }

    fn draw(&self, frame: &mut Frame, body: Rect, app: &App, theme: &Theme, clock: Clock) {
        view::draw(frame, body, app, theme, clock);
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut dyn ListState> {
        Some(&mut app.panes.guardrails)
    }

    fn filter_fields(&self) -> Option<&'static [FieldSpec]> {
        Some(state::FIELDS)
    }

    fn filter_help(&self) -> Option<&'static str> {
        Some("filter: text, status:, policy:, action:, agent:, rule:, !negate")
    }

    fn list_filter<'a>(&self, app: &'a mut App) -> Option<&'a mut ListFilter> {
        Some(&mut app.panes.guardrails.filter)
    }

    fn list_filter_ref<'a>(&self, app: &'a App) -> Option<&'a ListFilter> {
        Some(&app.panes.guardrails.filter)
    }

    fn prepare(&self, app: &mut App) {
        let list = &mut app.panes.guardrails;
        list.refresh(&app.guardrails);
        list.sel.scroll(app.table_rows, list.rows.len());
    }

    /// Coming in, the selection starts on the soonest pending action.
    fn shown(&self, app: &mut App) -> Vec<Effect> {
        self.prepare(app);
        app.panes.guardrails.top();
        vec![]
    }

    fn open_help(&self) -> Option<&'static str> {
        Some("open the action's alert (s and E work there too)")
    }

    /// The action's alert; Esc comes back.
    fn open(&self, app: &mut App) -> Vec<Effect> {
        let Some(alert_id) = app.panes.guardrails.selected().map(|a| a.alert_id.clone()) else {
            return vec![];
        };
        if app.fleet.alert(&alert_id).is_none() {
            app.flash(Level::Info, strings::guardrail_alert_gone(&alert_id));
            return vec![];
        }
        let screen = Screen::Alert { alert_id };
        app.screens.push(screen.clone());
        screen.def().came_into_view(app)
    }

    fn command(&self, app: &mut App, command: UiCommand) -> Option<Vec<Effect>> {
        match command {
            UiCommand::StopGuardrail => app.guardrail_dialog(false),
            UiCommand::RunGuardrail => app.guardrail_dialog(true),
            _ => return None,
        }
        Some(vec![])
    }
}
