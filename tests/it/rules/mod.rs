//! The rule engine against a real server, rule by rule. Runs again on
//! PostgreSQL in the PostgreSQL pass (see `main.rs`).

mod activity;
mod bulk;
mod credentials;
mod engine;
mod killswitch;
mod ownership;
mod privilege;
mod realtime;
mod reuse;
mod scoped;
mod shadows;
mod snooze;
