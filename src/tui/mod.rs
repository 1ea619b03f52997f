//! The dashboard: k9s for agent identities. The data flows sources →
//! fleet → [`screens`] → terminal, and keys → command → action → [`effects`]
//! → backend:
//!
//! - [`app`] holds the state machine: the screen stack, the command
//!   dispatch, marks and bulk actions, and the handling of every message;
//! - [`screens`] holds one folder per screen (its state and its view),
//!   [`components`] the pieces they are built from, [`popups`] what opens
//!   over them; [`views`] draws a frame from all of it;
//! - [`keys`] turns keys and the mouse into commands, [`effects`] carries
//!   the resulting actions out against the backends;
//! - [`event_loop`] ties them to the [`terminal`], the sources and the
//!   effects runner;
//! - [`guardrails`] keeps each backend's pending automatic actions, read
//!   after its polls, for the header's countdown and the alert view;
//! - [`strings`] holds what the dashboard says: the flash line's sentences
//!   and the hint bar's words.

pub mod app;
pub mod components;
pub mod effects;
pub mod event_loop;
pub mod guardrails;
pub mod keys;
pub mod logging;
pub mod msg;
pub mod popups;
pub mod screens;
pub mod strings;
pub mod terminal;
pub mod theme;
pub mod views;
