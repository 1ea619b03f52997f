//! The audit screen: the live tail of the audit chain and its verification
//! ([`state`]), how it is drawn ([`view`]), and what it answers
//! ([`Audit`]): the tail and the verdict are fetched while it is shown,
//! `v` verifies now.

pub mod state;
pub mod view;

use crate::fleet::row_filter::FieldSpec;
use crate::tui::app::{App, BackendKind, Level};
use crate::tui::components::list_filter::ListFilter;
use crate::tui::keys::bindings::UiCommand;
use crate::tui::msg::Effect;
use crate::tui::screens::{ListState, ScreenDef};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;
use std::time::Instant;

/// `:audit`, over the agents table.
pub struct Audit;

impl ScreenDef for Audit {
    fn name(&self) -> &'static str {
        "audit"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["au"]
    }

    fn draw(&self, frame: &mut Frame, body: Rect, app: &App, theme: &Theme, clock: Clock) {
        view::draw(frame, body, app, theme, clock);
    }

    fn list<'a>(&self, app: &'a mut App) -> Option<&'a mut dyn ListState> {
        Some(&mut app.panes.audit)
    }

    fn filter_fields(&self) -> Option<&'static [FieldSpec]> {
        Some(state::FIELDS)
    }

    fn filter_help(&self) -> Option<&'static str> {
        Some("filter: text, actor:, action:, target:, reason:, result:, !negate")
    }

    fn list_filter<'a>(&self, app: &'a mut App) -> Option<&'a mut ListFilter> {
        Some(&mut app.panes.audit.filter)
    }

    fn list_filter_ref<'a>(&self, app: &'a App) -> Option<&'a ListFilter> {
        Some(&app.panes.audit.filter)
    }

    fn prepare(&self, app: &mut App) {
        // The chain's verdict takes a row above the entries.
        let log = &mut app.panes.audit;
        log.refresh();
        log.sel.scroll(app.table_rows.saturating_sub(1), log.len());
    }

    /// A tail: it opens on the newest entry.
    fn shown(&self, app: &mut App) -> Vec<Effect> {
        app.panes.audit.bottom();
        vec![]
    }

    fn came_into_view(&self, app: &mut App) -> Vec<Effect> {
        // With several backends, the chain of the one `:ctx` shows (an
        // Alertmanager has none: then the first Warden's).
        let backend = app
            .ctx
            .filter(|&i| app.backends[i].kind == BackendKind::Warden)
            .or_else(|| app.wardens().next())
            .unwrap_or(0);
        let log = &mut app.panes.audit;
        log.follow_backend(backend);
        let mut effects: Vec<Effect> = log.fetch().into_iter().collect();
        effects.extend(log.verify(Instant::now(), true));
        effects
    }

    fn after_poll(&self, app: &mut App) -> Vec<Effect> {
        let log = &mut app.panes.audit;
        let mut effects: Vec<Effect> = log.fetch().into_iter().collect();
        effects.extend(log.verify(Instant::now(), false));
        effects
    }

    /// `v`: verify the chain now, even if it was just verified; a
    /// verification already out is not doubled.
    fn command(&self, app: &mut App, command: UiCommand) -> Option<Vec<Effect>> {
        (command == UiCommand::VerifyAudit).then(|| {
            match app.panes.audit.verify(Instant::now(), true) {
                Some(effect) => {
                    app.flash(Level::Pending, strings::VERIFYING_AUDIT);
                    vec![effect]
                }
                None => {
                    app.flash(Level::Info, strings::VERIFICATION_RUNNING);
                    vec![]
                }
            }
        })
    }
}
