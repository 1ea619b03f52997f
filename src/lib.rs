//! Warden: a terminal dashboard for overseeing AI agents as identities, and
//! the reference governance backend it polls.
//!
//! - [`model`]: the shared vocabulary (agents, people, credentials, …).
//! - [`api`]: API v1 on the wire, and the HTTP client.
//! - [`server`]: `warden serve`, the reference backend.
//! - [`alertmanager`]: Alertmanager as a second kind of backend.
//! - [`cli`]: the scripting commands.
//! - [`discover`]: finding agents nobody registered (`warden discover`).
//! - [`fleet`]: client-side state: the filter language.
//! - [`vault`]: Vault / OpenBao as a governance backend: read and revoke.
//! - [`duration`]: the DURATION arguments of the command line and the
//!   dashboard's dialogs.

pub mod alertmanager;
pub mod api;
pub mod cli;
pub mod config;
pub mod demo;
pub mod dirs;
pub mod discover;
pub mod duration;
pub mod fleet;
pub mod model;
pub mod secrets;
pub mod server;
pub mod sources;
pub mod tui;
pub mod vault;
