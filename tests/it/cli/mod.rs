//! The `warden` command line, end to end through the real binary.

mod audit;
mod bench;
mod commands;
mod readme;
mod tokens;
