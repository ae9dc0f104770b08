//! What happens when the command line cannot write its output. A closed pipe
//! (`holdline list | head -1`) is a quiet exit, as for any Unix tool; a full disk or another write
//! failure (`holdline progress --json > /dev/full`) is an error message and exit code 2. Rust's
//! `println!` panics on both, so the commands' output goes through this hook rather than through
//! a `Result` at each of their many print sites.

/// Installs the hook. Panics other than failed writes to stdout or stderr keep the hook that was
/// there before (Rust's report, with its backtrace).
pub fn quiet_on_closed_pipe() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        match classify(payload) {
            Some(WriteFailure::ClosedPipe) => std::process::exit(0),
            Some(WriteFailure::Other(reason)) => {
                // stderr may be the failing stream; a failure here has nowhere else to go.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "error: holdline could not write its output ({reason}). Is the disk full? \
                     Free some space or write somewhere else, then run the command again."
                );
                std::process::exit(2);
            }
            None => previous(info),
        }
    }));
}

#[derive(Debug, PartialEq, Eq)]
enum WriteFailure {
    ClosedPipe,
    Other(String),
}

/// Recognises the panic `print!`/`println!`/`eprintln!` raise when a write fails.
fn classify(panic: &str) -> Option<WriteFailure> {
    let reason = panic
        .strip_prefix("failed printing to stdout: ")
        .or_else(|| panic.strip_prefix("failed printing to stderr: "))?;
    if reason.contains("Broken pipe") || reason.contains("os error 32") {
        Some(WriteFailure::ClosedPipe)
    } else {
        Some(WriteFailure::Other(reason.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_told_apart_from_a_full_disk_and_from_other_panics() {
        assert_eq!(
            classify("failed printing to stdout: Broken pipe (os error 32)"),
            Some(WriteFailure::ClosedPipe)
        );
        assert_eq!(
            classify("failed printing to stdout: No space left on device (os error 28)"),
            Some(WriteFailure::Other(
                "No space left on device (os error 28)".into()
            ))
        );
        assert_eq!(classify("index out of bounds"), None);
    }
}
