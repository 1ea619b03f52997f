//! One file per group of subcommands. Each takes its parsed arguments and a
//! [`Client`](crate::api::client::Client), prints its result (text, or one
//! JSON document with `--json`) and returns the exit code.

pub mod act;
pub mod alertmanager;
pub mod audit;
pub mod bench;
pub mod dashboard;
pub mod demo;
pub mod directory;
pub mod discover;
pub mod discover_vault;
pub mod fleet_kill;
pub mod guardrails;
pub mod inventory;
pub mod kill;
pub mod serve;
pub mod token_exchange;
mod tokens;
pub mod triage;
pub mod vault;
pub mod vault_rotate;
pub mod view;

use super::args::{Command, GrantCommand, GuardrailsCommand, PersonCommand, TokenCommand};
use super::error::{CliError, CmdResult};
use crate::api::client::Client;

/// Runs a command that talks to a backend.
pub async fn run(client: &Client, command: Command) -> CmdResult {
    match command {
        Command::Serve(_) => Err(CliError::failed("serve does not talk to a backend")),
        Command::Demo(_) => Err(CliError::failed("demo runs its own backend")),
        Command::Bench(_) => Err(CliError::failed("bench runs its own backend")),
        Command::Discover(_) => Err(CliError::failed("discover reads files, not a backend")),
        Command::Vault(_) => Err(CliError::failed("vault reads the config's Vault backends")),
        Command::Register(a) => inventory::register(client, a).await,
        Command::Person(PersonCommand::Add(a)) => inventory::person_add(client, a).await,
        Command::Person(PersonCommand::List(a)) => directory::people(client, a).await,
        Command::Person(PersonCommand::Offboard(a)) => directory::offboard(client, a).await,
        Command::Grant(GrantCommand::List(a)) => directory::grants(client, a).await,
        Command::Grant(GrantCommand::Add(a)) => directory::grant_add(client, a).await,
        Command::Grant(GrantCommand::Remove(a)) => directory::grant_remove(client, a).await,
        Command::Issue(a) => inventory::issue(client, a).await,
        Command::Delegate(a) => inventory::delegate(client, a).await,
        Command::Token(TokenCommand::Create(a)) => inventory::token_create(client, a).await,
        Command::Token(TokenCommand::List(a)) => tokens::list(client, a).await,
        Command::Token(TokenCommand::Revoke(a)) => tokens::revoke(client, a).await,
        Command::Token(TokenCommand::Exchange(a)) => token_exchange::run(client, a).await,
        Command::Guardrails(GuardrailsCommand::List(a)) => guardrails::list(client, a).await,
        Command::Guardrails(GuardrailsCommand::Stop(a)) => guardrails::stop(client, a).await,
        Command::Guardrails(GuardrailsCommand::Run(a)) => guardrails::run(client, a).await,
        Command::Agents(a) => view::agents(client, a).await,
        Command::Agent(a) => view::agent(client, a).await,
        Command::Alerts(a) => view::alerts(client, a).await,
        Command::Kill(a) => kill::kill(client, a).await,
        Command::Suspend(a) => act::suspend(client, a).await,
        Command::Resume(a) => act::resume(client, a).await,
        Command::Revoke(a) => act::revoke(client, a).await,
        Command::Rotate(a) => act::rotate(client, a).await,
        Command::Owner(a) => act::owner(client, a).await,
        Command::Ack(a) => act::ack(client, a).await,
        Command::Snooze(a) => act::snooze(client, a).await,
        Command::Unsnooze(a) => act::unsnooze(client, a).await,
        Command::Triage(a) => triage::triage(client, a).await,
        Command::Audit(a) => audit::run(client, a).await,
    }
}
