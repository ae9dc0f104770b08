//! `holdline list`: the scenario library as a table or JSON.

use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

use super::exit::{CliError, CliResult};
use crate::scenario::library::{library_order, load_paths};
use crate::scoring::Lexicon;

#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    title: &'a str,
    channel: &'a str,
    industry: &'a str,
    tier: u8,
    minutes: u32,
    objectives: &'a [String],
    path: String,
}

pub fn run(folder: &Path, lexicon: &Lexicon, json: bool) -> CliResult {
    let report = load_paths(&[folder.to_path_buf()], lexicon);
    let mut scenarios: Vec<_> = report.scenarios.iter().collect();
    scenarios.sort_by(|a, b| library_order(&a.scenario, &b.scenario));
    let entries: Vec<Entry<'_>> = scenarios
        .iter()
        .map(|loaded| {
            let s = &loaded.scenario;
            Entry {
                id: &s.id,
                title: &s.title,
                channel: s.channel.label(),
                industry: s.industry.label(),
                tier: s.tier,
                minutes: s.minutes,
                objectives: &s.objectives,
                path: loaded.path.display().to_string(),
            }
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
    } else {
        println!(
            "{:<28} {:<4} {:<13} {:<20} {:>4}  title",
            "id", "tier", "channel", "industry", "min"
        );
        for e in &entries {
            println!(
                "{:<28} {:<4} {:<13} {:<20} {:>4}  {}",
                e.id, e.tier, e.channel, e.industry, e.minutes, e.title
            );
            for objective in e.objectives {
                println!("{:<28} - {objective}", "");
            }
        }
        println!(
            "{} scenario{}",
            entries.len(),
            if entries.len() == 1 { "" } else { "s" }
        );
    }
    let skipped = report.tally().errors;
    if skipped > 0 {
        eprintln!("note: some files have errors and are not listed; run `holdline validate`");
    }
    if entries.is_empty() {
        // An empty list is not a success: the folder is wrong, or every file in it is broken.
        let looked = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
        return Err(CliError::invalid(format!(
            "no playable scenarios in {}; run holdline from the project folder, pass \
             --scenarios DIR, or run `holdline validate` to see what is wrong with the files",
            looked.display()
        )));
    }
    Ok(ExitCode::SUCCESS)
}
