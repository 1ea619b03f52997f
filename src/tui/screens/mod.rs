//! One folder per screen, each with its state (what the screen holds, rebuilt
//! only when the fleet changes) and its view (a pure function of that state
//! to the rows on screen).

pub mod agents;
pub mod alerts;
pub mod audit;
pub mod creds;
pub mod detail;
pub mod people;
pub mod triage;

/// What the state of every list screen answers: where its selection and
/// window stand, and moving the selection. The app asks the screen on top
/// for it ([`crate::tui::app::App`]'s `list`), so a new list screen
/// registers there once instead of in every command and in the mouse.
pub trait ListState {
    /// Moves the selection by `delta` rows, stopping at either end.
    fn move_by(&mut self, delta: isize);
    /// Selects the first row.
    fn top(&mut self);
    /// Selects the last row.
    fn bottom(&mut self);
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

/// Where a list stands: see [`ListState::cursor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub offset: usize,
    pub selected: usize,
    pub len: usize,
}
