//! Client-side state of the fleet: the filter language shared by the command
//! line and the dashboard, and display-safe text for anything a backend sent.

pub mod filter;
pub mod safe_text;
pub mod state;
