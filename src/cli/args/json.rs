//! Which parsed commands asked for JSON (`--json`, or `triage --format
//! json`): their failures are then also printed on stdout as
//! `{"error":{"code","message"}}`.

use super::{
    AuditCommand, Command, GrantCommand, PersonCommand, TokenCommand, TriageFormat, VaultCommand,
};

impl Command {
    pub fn wants_json(&self) -> bool {
        match self {
            Command::Demo(_) | Command::Serve(_) => false,
            Command::Bench(a) => a.json,
            Command::Register(a) => a.json.json,
            Command::Person(PersonCommand::Add(a)) => a.json.json,
            Command::Person(PersonCommand::List(a)) => a.json,
            Command::Person(PersonCommand::Offboard(a)) => a.json.json,
            Command::Grant(GrantCommand::List(a)) => a.json.json,
            Command::Grant(GrantCommand::Add(a)) => a.json.json,
            Command::Grant(GrantCommand::Remove(a)) => a.json.json,
            Command::Issue(a) => a.json.json,
            Command::Delegate(a) => a.json.json,
            Command::Token(TokenCommand::Create(a)) => a.json.json,
            Command::Token(TokenCommand::List(a)) => a.json,
            Command::Token(TokenCommand::Revoke(a)) => a.json.json,
            Command::Agents(a) => a.json.json,
            Command::Agent(a) => a.json.json,
            Command::Kill(a) => a.json.json,
            Command::Suspend(a) | Command::Resume(a) => a.json.json,
            Command::Revoke(a) => a.json.json,
            Command::Rotate(a) => a.json.json,
            Command::Owner(a) => a.json.json,
            Command::Alerts(a) => a.json,
            Command::Ack(a) => a.json.json,
            Command::Triage(a) => a.json.json || a.format == Some(TriageFormat::Json),
            Command::Audit(AuditCommand::Verify(a)) => a.json,
            Command::Vault(VaultCommand::Ls(a)) => a.json.json,
            Command::Vault(VaultCommand::Revoke(a)) => a.json.json,
            Command::Vault(VaultCommand::Policy(_)) => false,
        }
    }
}

/// Whether raw arguments hold `--json` (or `--format json`) before any
/// `--`: for a command line that did not parse, whose failure a script
/// still reads as JSON.
pub fn args_want_json<I, S>(args: I) -> bool
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut previous_was_format = false;
    for arg in args {
        let arg = arg.as_ref();
        if arg == "--" {
            return false;
        }
        if arg == "--json" || arg == "--format=json" || (previous_was_format && arg == "json") {
            return true;
        }
        previous_was_format = arg == "--format";
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::Cli;
    use clap::Parser;

    #[test]
    fn json_is_seen_parsed_and_raw() {
        let wants = |args: &[&str]| {
            Cli::try_parse_from(args)
                .ok()
                .and_then(|c| c.command)
                .map(|c| c.wants_json())
        };
        assert_eq!(wants(&["warden", "agents", "--json"]), Some(true));
        assert_eq!(wants(&["warden", "agents"]), Some(false));
        assert_eq!(wants(&["warden", "triage", "--format", "json"]), Some(true));
        assert_eq!(wants(&["warden", "person", "list", "--json"]), Some(true));
        assert!(args_want_json(["warden", "kill", "--json"]));
        assert!(args_want_json(["warden", "triage", "--format", "json"]));
        assert!(!args_want_json(["warden", "register", "--", "--json"]));
        assert!(!args_want_json(["warden", "agents"]));
    }
}
