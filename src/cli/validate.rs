//! `holdline validate`: compiler-style diagnostics for scenario and rule files.

use std::path::PathBuf;
use std::process::ExitCode;

use super::exit::{self, CliResult};
use crate::progress::ProgressRules;
use crate::scenario::Diagnostic;
use crate::scenario::library::{FileKind, load_paths_checking};
use crate::scoring::Lexicon;

pub fn run(paths: &[PathBuf], lexicon: &Lexicon, deny_warnings: bool, json: bool) -> CliResult {
    let report = load_paths_checking(paths, lexicon, &check_other_file);
    let tally = report.tally();
    let failed =
        tally.errors > 0 || (deny_warnings && tally.warnings > 0) || report.files_checked == 0;
    if json {
        // For editors and CI: every diagnostic with its file, line, column, code and help.
        let value = serde_json::json!({
            "files_checked": report.files_checked,
            "scenarios_ok": report.scenarios.iter().map(|s| &s.scenario.id).collect::<Vec<_>>(),
            "errors": tally.errors,
            "warnings": tally.warnings,
            "passed": !failed,
            "diagnostics": &report.diagnostics,
        });
        let mut value = value;
        if report.files_checked == 0 {
            value["help"] = format!(
                "no .ron files found in {}; give scenario files or folders",
                join(paths)
            )
            .into();
        }
        println!("{value}");
        return Ok(if failed {
            ExitCode::from(exit::INVALID)
        } else {
            ExitCode::SUCCESS
        });
    }
    for diagnostic in &report.diagnostics {
        println!("{diagnostic}");
    }
    println!(
        "checked {} file{}: {} scenario{} ok, {} error{}, {} warning{}",
        report.files_checked,
        plural(report.files_checked),
        report.scenarios.len(),
        plural(report.scenarios.len()),
        tally.errors,
        plural(tally.errors),
        tally.warnings,
        plural(tally.warnings),
    );
    if failed {
        if report.files_checked == 0 {
            println!("no .ron files found in {}", join(paths));
        }
        Ok(ExitCode::from(exit::INVALID))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// Which checks a file gets is decided here, above the layers that define each format: the
/// scenario layer knows nothing of lexicons or progress rules.
fn check_other_file(kind: FileKind, label: &str, bytes: &[u8]) -> Vec<Diagnostic> {
    match kind {
        FileKind::Lexicon => match Lexicon::from_source(label, bytes) {
            Ok((_, warnings)) => warnings,
            Err(errors) => errors,
        },
        FileKind::ProgressRules => ProgressRules::from_source(label, bytes)
            .err()
            .unwrap_or_default(),
        FileKind::ExemplarBanks => {
            match crate::scoring::semantic::banks::ExemplarBanks::from_source(label, bytes) {
                Ok(_) => Vec::new(),
                Err(errors) => errors,
            }
        }
        FileKind::Scenario => Vec::new(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn join(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
