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
