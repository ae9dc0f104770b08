//! `holdline stats`: what trainees on this machine actually do in each scenario, from every
//! trainee's saved attempts.

use std::path::Path;
use std::process::ExitCode;

use super::exit::{CliError, CliResult};
use crate::progress::ProgressStore;
use crate::progress::stats::{ScenarioStats, scenario_stats};
use crate::scenario::visible_text::one_line;

pub fn run(data_dir: &Path, scenario: Option<&str>, json: bool) -> CliResult {
    let store = ProgressStore::new(data_dir);
    let (trainees, notices) = store.trainees()?;
    notices.iter().for_each(|n| eprintln!("note: {n}"));
    let mut attempts = Vec::new();
    for trainee in &trainees {
        // One unreadable history is named and left out; it does not hide the others.
        match store.history(&trainee.id) {
            Ok(history) => {
                history.notices.iter().for_each(|n| eprintln!("note: {n}"));
                attempts.extend(history.attempts);
            }
            Err(err) => eprintln!("note: {}'s attempts were left out: {err}", trainee.name),
        }
    }
    let mut all = scenario_stats(&attempts);
    if let Some(id) = scenario {
        all.retain(|k, _| k == id);
        if all.is_empty() {
            return Err(CliError::usage(format!(
                "no saved attempts at \"{id}\" by the {} trainee(s) in {} (see `holdline list` for ids)",
                trainees.len(),
                data_dir.display()
            )));
        }
    }
    if json {
        let list: Vec<&ScenarioStats> = all.values().collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        println!(
            "no saved attempts yet by the {} trainee(s) in {}",
            trainees.len(),
            data_dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    for stats in all.values() {
        print_scenario(stats);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_scenario(s: &ScenarioStats) {
    println!(
        "{}: {} attempt{}, {} finished, {} passed, {} failed by a critical breach",
        s.scenario_id,
        s.attempts,
        super::plural(s.attempts),
        s.finished,
        s.passed,
        s.critical_breaches
    );
    for (id, node) in &s.nodes {
        println!("  node {id}: {} replies", node.replies);
        for (i, (text, n)) in &node.picks {
            let share = 100 * n / node.replies.max(1);
            println!(
                "    choice {}: {n} ({share}%)  \"{}\"",
                i + 1,
                one_line(text, 70)
            );
        }
        if let Some([e, a, d, o]) = node.typed_mean {
            println!(
                "    typed: {} replies, mean empathy {e}, accuracy {a}, de-escalation {d}, overall {o}",
                node.typed
            );
        }
    }
    if !s.most_missed_facts.is_empty() {
        println!("  facts missed most:");
        for (node, fact, n) in &s.most_missed_facts {
            println!("    {n} x {fact} (at {node})");
        }
    }
    if !s.most_frequent_penalties.is_empty() {
        println!("  penalties that fired most:");
        for (rule, n) in &s.most_frequent_penalties {
            println!("    {n} x {rule}");
        }
    }
    println!();
}
