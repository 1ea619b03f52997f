//! The agent detail screen: what it fetches beyond the changes feed
//! ([`state`]), the delegation chain ([`delegation_tree`], drawn as lines by
//! `links`), how it is all drawn ([`view`]), and what it answers
//! ([`Detail`]): its keys move over the agent's credentials.

pub mod delegation_tree;
mod links;
pub mod state;
pub mod view;

use crate::model::{Agent, Credential};
use crate::tui::app::App;
use crate::tui::components::selection::moved;
use crate::tui::keys::bindings::UiCommand;
use crate::tui::msg::Effect;
use crate::tui::screens::{Screen, ScreenDef};
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;

/// One agent's own view, opened over the screen it was picked on.
pub struct Detail;

/// The agent the screen on top shows, if it is an agent's view.
fn shown(app: &App) -> Option<&str> {
    match app.screen() {
        Screen::Detail { agent_id } => Some(agent_id),
        _ => None,
    }
}

impl ScreenDef for Detail {
    fn name(&self) -> &'static str {
        "detail"
    }

    fn nested(&self) -> bool {
        true
    }

    /// The agent's name, or its id once it has left the fleet.
    fn crumb(&self, app: &App) -> String {
        let id = shown(app).unwrap_or_default();
        app.fleet
            .agent(id)
            .map_or(id, |a| a.name.as_str())
            .to_string()
    }

    fn draw(&self, frame: &mut Frame, body: Rect, app: &App, theme: &Theme, clock: Clock) {
        if let Some(agent_id) = shown(app) {
            view::draw(frame, body, app, agent_id, theme, clock);
        }
    }

    fn move_by(&self, app: &mut App, delta: isize) {
        let n = self.credentials(app);
        app.detail_cursor = moved(app.detail_cursor, delta, n);
    }

    fn came_into_view(&self, app: &mut App) -> Vec<Effect> {
        self.after_poll(app)
    }

    /// The agent's activity and trail, again.
    fn after_poll(&self, app: &mut App) -> Vec<Effect> {
        match shown(app).map(str::to_string) {
            Some(agent_id) => app.panes.detail.show(&agent_id),
            None => vec![],
        }
    }

    fn command(&self, app: &mut App, command: UiCommand) -> Option<Vec<Effect>> {
        match command {
            UiCommand::Top => app.detail_cursor = 0,
            UiCommand::Bottom => app.detail_cursor = self.credentials(app).saturating_sub(1),
            _ => return None,
        }
        Some(vec![])
    }

    fn selects_agent(&self) -> bool {
        true
    }

    fn agent<'a>(&self, app: &'a App) -> Option<&'a Agent> {
        shown(app).and_then(|id| app.fleet.agent(id))
    }

    fn selects_credential(&self) -> bool {
        true
    }

    fn credential<'a>(&self, app: &'a App) -> Option<&'a Credential> {
        shown(app).and_then(|id| app.fleet.credentials_of(id).get(app.detail_cursor).copied())
    }
}

impl Detail {
    /// How many credentials the agent shown holds.
    fn credentials(&self, app: &App) -> usize {
        shown(app).map_or(0, |id| app.fleet.credentials_of(id).len())
    }
}
