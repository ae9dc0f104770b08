//! Exit codes, named, and the one error type every command returns. `cli::run` turns a
//! command's result into the process's exit code in one place, printing the error there.

use std::fmt::Display;
use std::process::ExitCode;

/// What was checked or asked for is not valid: `validate` found errors, the scenario cannot be
/// played, there is nothing to list, an attempt could not be saved.
pub const INVALID: u8 = 1;
/// The command was given something it cannot use (an unknown trainee, a bad file or node, an
/// unreadable lexicon), or could not write its output.
pub const USAGE: u8 = 2;
/// The input ended before the conversation did (`play` with piped answers).
pub const INPUT_ENDED: u8 = 3;

/// Why a command stopped: an exit code and, unless the command already printed its reasons (a
/// list of diagnostics, say), the message to print.
#[derive(Debug)]
pub struct CliError {
    code: u8,
    message: Option<String>,
}

/// What every command returns: the exit code of a command that did its work (which may still
/// be non-zero, as for `validate` finding errors), or why it could not.
pub type CliResult = Result<ExitCode, CliError>;

impl CliError {
    pub fn invalid(message: impl Display) -> CliError {
        CliError {
            code: INVALID,
            message: Some(message.to_string()),
        }
    }

    pub fn usage(message: impl Display) -> CliError {
        CliError {
            code: USAGE,
            message: Some(message.to_string()),
        }
    }

    /// Exit with `code`, the reasons already printed.
    pub fn reported(code: u8) -> CliError {
        CliError {
            code,
            message: None,
        }
    }

    /// The same error under another exit code (a command that counts it as a usage error).
    pub fn with_code(self, code: u8) -> CliError {
        CliError { code, ..self }
    }

    pub fn code(&self) -> u8 {
        self.code
    }
}

impl From<crate::progress::ProgressError> for CliError {
    fn from(err: crate::progress::ProgressError) -> CliError {
        CliError::usage(err)
    }
}

impl From<serde_json::Error> for CliError {
    fn from(err: serde_json::Error) -> CliError {
        CliError::usage(format!("cannot write JSON: {err}"))
    }
}

/// The exit code for `result`, printing the error's message first.
pub fn finish(result: CliResult) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            if let Some(message) = &err.message {
                eprintln!("error: {message}");
            }
            ExitCode::from(err.code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_error_keeps_its_code() {
        assert_eq!(CliError::invalid("x").code(), INVALID);
        assert_eq!(CliError::usage("x").code(), USAGE);
        assert_eq!(CliError::reported(INPUT_ENDED).code(), INPUT_ENDED);
        assert_eq!(finish(Ok(ExitCode::SUCCESS)), ExitCode::SUCCESS);
        assert_eq!(
            finish(Err(CliError::reported(USAGE))),
            ExitCode::from(USAGE)
        );
    }
}
