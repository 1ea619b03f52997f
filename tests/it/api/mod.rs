//! API v1 against a real server, route by route. Runs again on PostgreSQL
//! in the PostgreSQL pass (see `main.rs`).

mod actions;
mod agents;
mod audit;
mod audit_checkpoints;
mod audit_stream;
mod auth;
mod changes;
mod directory;
mod discoveries;
mod errors;
mod grants;
mod guardrails;
mod kill;
mod lean;
mod least_privilege;
mod lifecycle;
mod metrics;
mod redirects;
mod rotate;
mod snooze;
mod summary;
mod text_policy;
mod token_exchange;
mod token_exchange_py;
mod tokens;
mod triage;
