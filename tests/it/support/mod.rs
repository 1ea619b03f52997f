//! What the suites share, once: an in-process server over SQLite or
//! PostgreSQL (`server`), the rules suites' helpers (`rules`), the real
//! binary and its `serve` child processes (`cli`, `serve`), a real
//! Alertmanager (`alertmanager`), and the dashboard's fixed fleet
//! (`fleet`).

pub mod alertmanager;
pub mod cli;
pub mod fleet;
pub mod rules;
pub mod serve;
pub mod server;
