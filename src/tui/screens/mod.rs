//! One folder per screen, each with its state (what the screen holds, rebuilt
//! only when the fleet changes) and its view (a pure function of that state
//! to the rows on screen). A screen is registered here: its folder, its
//! view in [`draw`], and its list (if it is one) in [`list`].

use crate::tui::app::{App, Screen};
use crate::tui::components::selection::Cursor;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::Rect;

pub mod agents;
pub mod alerts;
pub mod audit;
pub mod creds;
pub mod detail;
pub mod people;
pub mod triage;

/// Draws the screen on top into `body`.
pub fn draw(frame: &mut Frame, body: Rect, app: &App, theme: &Theme, clock: Clock) {
    match app.screen() {
        Screen::Agents => agents::view::draw(frame, body, app, theme, clock),
        Screen::Alerts => alerts::view::draw(frame, body, app, theme, clock),
        Screen::Triage => triage::view::draw(frame, body, app, theme, clock),
        Screen::Detail { agent_id } => detail::view::draw(frame, body, app, agent_id, theme, clock),
        Screen::People => people::view::draw(frame, body, app, theme),
        Screen::Creds => creds::view::draw(frame, body, app, theme, clock),
        Screen::Audit => audit::view::draw(frame, body, app, theme, clock),
    }
}

/// The list of the screen on top, if it is one: where the moving commands
/// and the mouse go.
pub fn list(app: &mut App) -> Option<&mut dyn ListState> {
    match app.screen() {
        Screen::Agents => Some(&mut app.table),
        Screen::Alerts => Some(&mut app.alerts),
        Screen::Triage => Some(&mut app.triage),
        Screen::People => Some(&mut app.panes.people),
        Screen::Creds => Some(&mut app.panes.creds),
        Screen::Audit => Some(&mut app.panes.audit),
        Screen::Detail { .. } => None,
    }
}

/// What the state of every list screen answers: where its selection and
/// window stand, and moving the selection. The app asks the screen on top
/// for it ([`list`]), so a new list screen registers there once instead
/// of in every command and in the mouse.
pub trait ListState {
    /// Moves the selection by `delta` rows, stopping at either end.
    fn move_by(&mut self, delta: isize);
    /// Selects the first row.
    fn top(&mut self) {
        self.move_by(isize::MIN / 2);
    }
    /// Selects the last row.
    fn bottom(&mut self) {
        self.move_by(isize::MAX / 2);
    }
    /// The first row on screen, the selected row, and how many rows.
    fn cursor(&self) -> Cursor;
    /// Whether a click on a row selects it (and on the selected row opens
    /// it): the list's rows start right under its column titles.
    fn clicks(&self) -> bool {
        true
    }
    /// How many of its rows show when a plain list would show `rows`.
    fn rows_on_screen(&self, rows: usize) -> usize {
        rows
    }
}
