//! Client-side state of the fleet: the filter language shared by the command
//! line and the dashboard, display-safe text for anything a backend sent,
//! and the backend each object came from when several are merged.

pub mod filter;
pub mod origin;
pub mod safe_text;
pub mod state;
