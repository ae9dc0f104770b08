//! The `holdline` binary: parses the command line and hands over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    // The start-up probe counts from here, as the bare-window baseline counts from its `main`.
    #[cfg(feature = "app")]
    holdline::app::startup_timeline::start(std::time::Instant::now());
    holdline::cli::output_errors::quiet_on_closed_pipe();
    holdline::cli::run(holdline::cli::Cli::parse())
}
