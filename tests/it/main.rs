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
//! Without `WARDEN_TEST_DATABASE_URL` that pass says why and passes (in CI,
//! with `CI` set, it fails). The tests that need PostgreSQL whatever the
//! pass (`serve::`) skip the same way.

#![allow(clippy::unwrap_used)] // a test may unwrap

mod support;

mod alertmanager;
mod api;
mod backends_live;
mod cli;
mod demo_incidents;
mod rules;
mod screenshots;
mod serve;
mod themes;
mod tui;
