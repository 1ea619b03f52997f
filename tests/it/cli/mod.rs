//! The `warden` command line, end to end through the real binary.

mod bench;
mod commands;
mod directory;
mod fleet_kill;
mod readme;
mod scripting;
mod tokens;
