//! The `holdline` binary: parses the command line and hands over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    holdline::cli::run(holdline::cli::Cli::parse())
}
