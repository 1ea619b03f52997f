//! The unclaimed identities screen (`:unclaimed`): every Vault identity no
//! agent claims ([`state`]), its table ([`view`]), and what it answers
//! ([`Unclaimed`]): `x` revokes the selected token, secret-id or lease in
//! Vault, verified.

pub mod state;
pub mod view;

use crate::fleet::row_filter::FieldSpec;
use crate::model::Credential;
use crate::tui::components::list_filter::ListFilter;
use crate::tui::app::App;
use crate::tui::screens::{ListState, ScreenDef};
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;

/// `:unclaimed`, over the agents table.
pub struct Unclaimed;

impl ScreenDef for Unclaimed {
    fn name(&self) -> &'static str {
        "unclaimed"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["shadow", "identities", "vault"]
    }

    fn draw(&self, frame: &mut Frame, body: Rect, app: &App, theme: &Theme, clock: Clock) {
        view::draw(frame, body, app, theme, clock);
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut dyn ListState> {
        Some(&mut app.panes.unclaimed)
    }

    fn filter_fields(&self) -> Option<&'static [FieldSpec]> {
        Some(state::FIELDS)
    }

    fn filter_help(&self) -> Option<&'static str> {
        Some("filter: text, kind:, name:, policy:, risk:root|no-expiry, detail:, !negate")
    }

    fn list_filter<'a>(&self, app: &'a mut App) -> Option<&'a mut ListFilter> {
        Some(&mut app.panes.unclaimed.filter)
    }

    fn list_filter_ref<'a>(&self, app: &'a App) -> Option<&'a ListFilter> {
        Some(&app.panes.unclaimed.filter)
    }

    fn prepare(&self, app: &mut App) {
        let list = &mut app.panes.unclaimed;
        list.refresh(&app.fleet);
        list.sel.scroll(app.table_rows, list.rows.len());
    }

    fn selects_credential(&self) -> bool {
        true
    }

    fn credential<'a>(&self, app: &'a App) -> Option<&'a Credential> {
        app.panes.unclaimed.credential.as_ref()
    }
}
