//! The dashboard: k9s for agent identities. [`app`] holds the state machine,
//! [`views`] draws it, [`keymap`] binds keys, [`dialog`] and [`picker`] gate
//! actions; the event loop that ties them to the terminal, the sources and
//! the action runner lives in [`run`].

pub mod alert_list;
pub mod am_route;
pub mod app;
pub mod audit_log;
pub mod cred_list;
pub mod delegation_tree;
pub mod detail_extras;
pub mod dialog;
pub mod fetch;
pub mod input;
pub mod keymap;
pub mod logging;
pub mod mouse;
pub mod msg;
pub mod people_list;
pub mod picker;
pub mod remap;
pub mod run;
pub mod runner;
pub mod selection;
pub mod table;
pub mod terminal;
pub mod theme;
pub mod triage_queue;
pub mod views;
