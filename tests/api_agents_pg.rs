//! `api_agents` again, on PostgreSQL: tests/common/mod.rs starts every server
//! of a `*_pg` test target on a fresh PostgreSQL database.

#![allow(clippy::unwrap_used)] // a test may unwrap

#[path = "api_agents.rs"]
mod suite;
