//! The command line: parse, choose the backend, dispatch to a subcommand,
//! and map failures to the exit codes of the contract (0 success, 1 the
//! backend refused or failed or could not be reached, 2 bad usage, 3 not
//! found, 4 cancelled at a prompt, 5 `--expect` did not match), each
//! failure as one `warden: error: …` line on stderr and, for a command
//! that asked for JSON, as `{"error":{"code","message"}}` on stdout too.

pub mod args;
pub mod backend;
pub mod commands;
pub mod error;
pub mod export;
pub mod output;
pub mod vault;

use crate::fleet::safe_text;
use args::{Cli, Command};
use clap::Parser;
use error::CliError;
use std::process::ExitCode;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; mistakes to stderr with 2.
            let _ = e.print();
            if e.use_stderr() && args::args_want_json(std::env::args_os()) {
                let _ = output::json(&CliError::usage(clap_summary(&e)).to_json());
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(error::EXIT_USAGE));
        }
    };
    let json = args::args_want_json(std::env::args_os());
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            report(&e, json);
            e.exit_code()
        }
    }
}

/// clap's first paragraph on one line, without its `error: ` prefix and
/// its styling: what is wrong, with the arguments it names.
fn clap_summary(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let first = text.split("\n\n").next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let words: Vec<&str> = first.split_whitespace().collect();
    if words.is_empty() {
        "bad usage; see --help".into()
    } else {
        words.join(" ")
    }
}

fn run(cli: Cli) -> error::CmdResult {
    let command = match cli.command {
        None => return commands::dashboard::dashboard(&cli.global, cli.dashboard),
        Some(Command::Demo(args)) => {
            return commands::demo::demo(&cli.global, cli.dashboard, args);
        }
        Some(Command::Serve(args)) => return commands::serve::serve(&cli.global, args),
        Some(Command::Bench(args)) => return commands::bench::bench(&cli.global, args),
        Some(Command::Vault(args)) => return commands::vault::run(&cli.global, args),
        Some(Command::Discover(args)) => return commands::discover::run(&cli.global, args),
        Some(command) => command,
    };
    if cli.dashboard.readonly {
        return Err(CliError::usage(
            "--readonly is for the dashboard (`warden`, `warden demo`); \
             the scripting commands act only when asked to",
        ));
    }
    if cli.dashboard.theme.is_some() {
        return Err(CliError::usage(
            "--theme is for the dashboard (`warden`, `warden demo`); \
             the scripting commands print plain text",
        ));
    }
    // A Vault credential is revoked or rotated in its Vault, not through
    // Warden.
    let command = match command {
        Command::Revoke(a) if a.credential_id.contains("vault:") => {
            let args = args::VaultRevokeArgs {
                id: a.credential_id,
                reason: a.reason,
                backend: args::VaultBackendArg { backend: None },
                json: a.json,
            };
            return commands::vault::run(&cli.global, args::VaultCommand::Revoke(args));
        }
        Command::Rotate(a) if a.credential_id.contains("vault:") => {
            return commands::vault_rotate::rotate(&cli.global, a);
        }
        other => other,
    };
    // An Alertmanager's alerts need no Warden backend, and more config.
    if let Some(config) = commands::alertmanager::wanted(&cli.global, &command) {
        return commands::alertmanager::run(&cli.global, &config, command);
    }
    let backend = backend::choose(&cli.global)?;
    let client = backend.client()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(commands::run(&client, command))
}

/// Prints the error line, and with `json` the error as JSON on stdout
/// (unless the command's own JSON answer already says what failed). The
/// line may quote the backend, so it is made safe, which also keeps it on
/// one line; JSON needs no such care.
fn report(e: &CliError, json: bool) {
    eprintln!("warden: error: {}", safe_text::escape(&e.message));
    if json && !e.answered {
        let _ = output::json(&e.to_json());
    }
}
