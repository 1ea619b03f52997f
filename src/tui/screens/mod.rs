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

/// What the state of every list screen answers: moving its selection. The
/// app asks the screen on top for it ([`crate::tui::app::App`]'s `list`),
/// so a new list screen registers there once instead of in every command.
pub trait ListState {
    /// Moves the selection by `delta` rows, stopping at either end.
    fn move_by(&mut self, delta: isize);
    /// Selects the first row.
    fn top(&mut self);
    /// Selects the last row.
    fn bottom(&mut self);
}
