//! The discovery screen (`:discovery`): every agent `warden discover
//! --register` reported ([`state`]), its table with the selected
//! finding's source and secrets under it ([`view`]), and what it answers
//! ([`Discovery`]): Enter opens the agent; `f`, `K`, `o` act on it, so a
//! shadow agent can be frozen, killed or given an owner from here.

pub mod state;
pub mod view;

use crate::fleet::row_filter::FieldSpec;
use crate::model::Agent;
use crate::tui::app::App;
use crate::tui::components::list_filter::ListFilter;
use crate::tui::msg::Effect;
use crate::tui::screens::{ListState, Screen, ScreenDef};
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;

/// `:discovery`, over the agents table.
pub struct Discovery;

impl ScreenDef for Discovery {
    fn name(&self) -> &'static str {
        "discovery"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["disc", "discovered", "discoveries", "findings"]
    }

    fn draw(&self, frame: &mut Frame, body: Rect, app: &App, theme: &Theme, _clock: Clock) {
        view::draw(frame, body, app, theme);
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut dyn ListState> {
        Some(&mut app.panes.discovery)
    }

    fn filter_fields(&self) -> Option<&'static [FieldSpec]> {
        Some(state::FIELDS)
    }

    fn filter_help(&self) -> Option<&'static str> {
        Some("filter: text, client:, host:, state:, kind:, secret:, fp:, flag:, file:, !negate")
    }

    fn list_filter<'a>(&self, app: &'a mut App) -> Option<&'a mut ListFilter> {
        Some(&mut app.panes.discovery.filter)
    }

    fn list_filter_ref<'a>(&self, app: &'a App) -> Option<&'a ListFilter> {
        Some(&app.panes.discovery.filter)
    }

    /// Its secrets are credentials (with a fingerprint), and who else
    /// holds one is read across every credential: all of them are read
    /// from a backend that only counted them.
    fn came_into_view(&self, app: &mut App) -> Vec<Effect> {
        crate::tui::screens::creds::read_all(app)
    }

    fn prepare(&self, app: &mut App) {
        let list = &mut app.panes.discovery;
        list.refresh(&app.fleet);
        list.sel
            .scroll(view::list_rows(app.table_rows), list.len());
    }

    fn open_help(&self) -> Option<&'static str> {
        Some("open the discovered agent")
    }

    fn open(&self, app: &mut App) -> Vec<Effect> {
        let Some(agent_id) = app.panes.discovery.selected().map(|r| r.agent_id.clone()) else {
            return vec![];
        };
        app.detail_cursor = 0;
        app.screens.push(Screen::Detail { agent_id });
        vec![]
    }

    fn selects_agent(&self) -> bool {
        true
    }

    fn agent<'a>(&self, app: &'a App) -> Option<&'a Agent> {
        app.panes
            .discovery
            .selected()
            .and_then(|r| app.fleet.agent(&r.agent_id))
    }
}
