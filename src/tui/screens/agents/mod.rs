//! The agents screen: the fleet filtered and sorted ([`state`]), the table
//! that shows it ([`view`]), and what it answers ([`Agents`]): Enter opens
//! the agent, the sort keys sort.

pub mod state;
pub mod view;

use crate::model::Agent;
use crate::tui::app::App;
use crate::tui::keys::bindings::UiCommand;
use crate::tui::msg::Effect;
use crate::tui::popups;
use crate::tui::screens::{ListState, Screen, ScreenDef};
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;
use state::SortKey;

/// The agents table, the screen at the bottom of the stack.
pub struct Agents;

impl ScreenDef for Agents {
    fn name(&self) -> &'static str {
        "agents"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["a", "ag", "agent"]
    }

    /// An empty fleet that has answered, with a welcome to give (the
    /// embedded registry), shows how to add agents instead.
    fn draw(&self, frame: &mut Frame, body: Rect, app: &App, theme: &Theme, clock: Clock) {
        match &app.options.welcome {
            Some(text) if app.fleet.is_empty() && app.backends[0].last_ok.is_some() => {
                popups::view::welcome(frame, body, text, theme)
            }
            _ => view::draw(frame, body, app, theme, clock),
        }
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut dyn ListState> {
        Some(&mut app.panes.agents)
    }

    fn open_help(&self) -> Option<&'static str> {
        Some("open the agent")
    }

    fn open(&self, app: &mut App) -> Vec<Effect> {
        open_agent(app);
        vec![]
    }

    /// The sort keys, and the marks (which are the table's).
    fn command(&self, app: &mut App, command: UiCommand) -> Option<Vec<Effect>> {
        let key = match command {
            UiCommand::Mark => {
                app.toggle_mark();
                return Some(vec![]);
            }
            UiCommand::MarkRange => {
                app.mark_range();
                return Some(vec![]);
            }
            UiCommand::ClearMarks => {
                app.clear_marks();
                return Some(vec![]);
            }
            UiCommand::SortName => SortKey::Name,
            UiCommand::SortOwner => SortKey::Owner,
            UiCommand::SortStatus => SortKey::Status,
            UiCommand::SortRisk => SortKey::Risk,
            UiCommand::SortLastSeen => SortKey::LastSeen,
            UiCommand::SortAlerts => SortKey::Alerts,
            _ => return None,
        };
        app.panes.agents.sort_by(key);
        Some(vec![])
    }

    fn selects_agent(&self) -> bool {
        true
    }

    fn agent<'a>(&self, app: &'a App) -> Option<&'a Agent> {
        app.panes.agents
            .selected_index()
            .and_then(|i| app.fleet.agents().get(i))
    }
}

/// Enter on a screen whose selection is an agent: the agent's own view,
/// from its first credential; Esc comes back.
pub(crate) fn open_agent(app: &mut App) {
    if let Some(agent) = app.current_agent() {
        let agent_id = agent.id.clone();
        app.detail_cursor = 0;
        app.screens.push(Screen::Detail { agent_id });
    }
}
