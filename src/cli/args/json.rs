//! Whether a command line asked for JSON (`--json`, or `--format json`):
//! its failures are then also printed on stdout as
//! `{"error":{"code","message"}}`. Read from the raw arguments, so that a
//! command line that did not parse is answered in JSON too, and a command
//! added later needs nothing here. clap takes no value that looks like an
//! option (`--reason --json` is refused), so a `--json` seen here is the
//! flag.

/// Whether raw arguments hold `--json` (or `--format json`) before any
/// `--`.
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
    fn json_is_asked_for_by_flag_or_format() {
        assert!(args_want_json(["warden", "agents", "--json"]));
        assert!(args_want_json(["warden", "kill", "--json"]));
        assert!(args_want_json(["warden", "triage", "--format", "json"]));
        assert!(args_want_json(["warden", "triage", "--format=json"]));
        assert!(!args_want_json(["warden", "triage", "--format", "csv"]));
        assert!(!args_want_json(["warden", "register", "--", "--json"]));
        assert!(!args_want_json(["warden", "agents"]));
        // A command line with a misplaced value is still refused by clap.
        assert!(Cli::try_parse_from(["warden", "suspend", "x", "--reason", "--json"]).is_err());
    }
}
