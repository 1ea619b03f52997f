//! How a command fails: one line for stderr, the contract's exit code
//! (1 the backend refused, failed or could not be reached, 2 bad usage,
//! 3 not found, 4 cancelled at a prompt, 5 `--expect` did not match), and
//! for `--json` the same failure as `{"error":{"code","message"}}` on stdout
//! with a code a script can branch on: the backend's own where it gave one,
//! else ours (`unreachable`, `timeout`, `usage`, `not_found`, `cancelled`,
//! `count_mismatch`, `failed`, …).

use crate::api::client::ClientError;
use serde_json::json;
use std::process::ExitCode;

/// Exit code: the backend refused or failed, or could not be reached.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: bad usage (clap's own code for a parse error, too).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the thing named does not exist.
pub const EXIT_NOT_FOUND: u8 = 3;
/// Exit code: cancelled at a confirmation prompt; nothing was changed.
pub const EXIT_CANCELLED: u8 = 4;
/// Exit code: `--expect N` did not match what the filter found; nothing
/// was changed.
pub const EXIT_MISMATCH: u8 = 5;

#[derive(Debug)]
pub struct CliError {
    /// The process's exit code.
    pub code: u8,
    /// The code `--json` prints: the backend's, or one of ours.
    pub error_code: String,
    pub message: String,
    /// The command already printed its JSON answer, and that answer says
    /// what failed (a kill whose operation failed): stdout keeps that one
    /// document, and only stderr gets the line.
    pub answered: bool,
}

impl CliError {
    /// An error with an exit code, and the JSON code that goes with it.
    pub fn new(code: u8, message: impl Into<String>) -> CliError {
        let error_code = match code {
            EXIT_USAGE => "usage",
            EXIT_NOT_FOUND => "not_found",
            EXIT_CANCELLED => "cancelled",
            EXIT_MISMATCH => "count_mismatch",
            _ => "failed",
        };
        CliError {
            code,
            error_code: error_code.into(),
            message: message.into(),
            answered: false,
        }
    }

    pub fn failed(message: impl Into<String>) -> CliError {
        CliError::new(EXIT_FAILED, message)
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(EXIT_USAGE, message)
    }

    /// The user said no at a prompt.
    pub fn cancelled(message: impl Into<String>) -> CliError {
        CliError::new(EXIT_CANCELLED, message)
    }

    /// Marks the failure as already told by the JSON answer on stdout.
    pub fn answered(mut self) -> CliError {
        self.answered = true;
        self
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }

    /// The error as `--json` prints it.
    pub fn to_json(&self) -> serde_json::Value {
        json!({"error": {"code": self.error_code, "message": self.message}})
    }
}

impl From<ClientError> for CliError {
    fn from(e: ClientError) -> CliError {
        let (code, error_code) = match &e {
            ClientError::Api {
                status: 404, code, ..
            } => (EXIT_NOT_FOUND, code.clone()),
            ClientError::Api { code, .. } => (EXIT_FAILED, code.clone()),
            ClientError::InvalidUrl { .. } | ClientError::InvalidArgument(_) => {
                (EXIT_USAGE, "usage".into())
            }
            ClientError::Unreachable { .. } => (EXIT_FAILED, "unreachable".into()),
            ClientError::Timeout { .. } => (EXIT_FAILED, "timeout".into()),
            ClientError::Redirected { .. } => (EXIT_FAILED, "redirected".into()),
            ClientError::Malformed { .. } => (EXIT_FAILED, "malformed_answer".into()),
            ClientError::Build(_) => (EXIT_FAILED, "failed".into()),
        };
        CliError {
            code,
            error_code,
            message: e.to_string(),
            answered: false,
        }
    }
}

/// What a command that printed its result wants the process to exit with.
pub type CmdResult = Result<ExitCode, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_code_is_kept_and_ours_fill_the_rest() {
        let e = CliError::from(ClientError::Api {
            status: 409,
            code: "agent_killed".into(),
            message: "no".into(),
        });
        assert_eq!((e.code, e.error_code.as_str()), (1, "agent_killed"));
        let e = CliError::from(ClientError::Api {
            status: 404,
            code: "not_found".into(),
            message: "no".into(),
        });
        assert_eq!((e.code, e.error_code.as_str()), (3, "not_found"));
        let e = CliError::from(ClientError::Unreachable {
            url: "http://h".into(),
            cause: "refused".into(),
        });
        assert_eq!((e.code, e.error_code.as_str()), (1, "unreachable"));
        let e = CliError::cancelled("no");
        assert_eq!((e.code, e.error_code.as_str()), (4, "cancelled"));
        assert_eq!(
            e.to_json(),
            json!({"error": {"code": "cancelled", "message": "no"}})
        );
    }
}
