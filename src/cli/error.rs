//! How a command fails: one line for stderr and the contract's exit code
//! (1 the backend refused, failed or could not be reached, 2 bad usage,
//! 3 not found).

use crate::api::client::ClientError;
use std::process::ExitCode;

/// Exit code: the backend refused or failed, or could not be reached.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: bad usage (clap's own code for a parse error, too).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the thing named does not exist.
pub const EXIT_NOT_FOUND: u8 = 3;

#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn failed(message: impl Into<String>) -> CliError {
        CliError {
            code: EXIT_FAILED,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl From<ClientError> for CliError {
    fn from(e: ClientError) -> CliError {
        let code = match &e {
            ClientError::Api { status: 404, .. } => EXIT_NOT_FOUND,
            ClientError::InvalidUrl { .. } | ClientError::InvalidArgument(_) => EXIT_USAGE,
            _ => EXIT_FAILED,
        };
        CliError {
            code,
            message: e.to_string(),
        }
    }
}

/// What a command that printed its result wants the process to exit with.
pub type CmdResult = Result<ExitCode, CliError>;
