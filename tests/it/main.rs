//! Warden's integration tests, as one test binary (`cargo test --test it`):
//! each folder is an area, each file one suite, and `support/` holds what
//! they share (servers, the fixed fleet, the binary's runner, key presses).
//!
//! The store and API suites run a second time on PostgreSQL: the same
//! binary, with every `TestServer` on a fresh PostgreSQL database, filtered
//! to those suites:
//!
//! ```sh
//! WARDEN_TEST_STORE=postgres WARDEN_TEST_DATABASE_URL=postgres://… \
//!     cargo test --test it -- api:: rules::
//! ```
//!
//! `WARDEN_TEST_STORE=postgres` without `WARDEN_TEST_DATABASE_URL` fails
//! each test that starts a server, saying why. The tests that need
//! PostgreSQL whatever the pass (`serve::`) skip without the URL on a
//! developer's machine, with the reason printed, and fail in CI (`CI` set).

#![allow(clippy::unwrap_used)] // a test may unwrap

mod support;

mod alertmanager;
mod api;
mod backends_live;
mod cli;
mod demo_incidents;
mod discover;
mod rules;
mod screenshots;
mod serve;
mod themes;
mod tui;
mod vault;
