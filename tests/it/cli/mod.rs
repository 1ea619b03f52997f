//! The `warden` command line, end to end through the real binary.

mod audit;
mod bench;
mod commands;
mod directory;
mod fleet_kill;
mod guardrails;
mod readme;
mod scripting;
mod token_exchange;
mod tokens;
