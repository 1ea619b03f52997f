//! Client-side state of the fleet: the filter language shared by the command
//! line and the dashboard, display-safe text for anything a backend sent,
//! the backend each object came from when several are merged, and the
//! matching of an Alertmanager's alerts to the fleet's agents.

pub mod filter;
pub mod foreign;
pub mod order;
pub mod origin;
pub mod row_filter;
pub mod safe_text;
pub mod state;
pub mod vault;
