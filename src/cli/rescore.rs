//! `holdline rescore`: replays a trainee's saved attempts with the current scenarios and
//! lexicon, and shows what each would score now beside what it scored then.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use super::ScorerChoice;
use super::exit::CliResult;
use super::progress::open_history;
use crate::progress::ProgressRules;
use crate::progress::rescore::{RescoreResult, Rescored, rescore};
use crate::scenario::library::load_paths;
use crate::scoring::{Lexicon, ReplyScorer};

pub fn run(
    data_dir: &Path,
    scenarios: &Path,
    lexicon: &Lexicon,
    scoring: &ScorerChoice,
    rules: &ProgressRules,
    trainee: Option<&str>,
    json: bool,
) -> CliResult {
    let history = open_history(data_dir, trainee)?;
    let wanted = &history.trainee;
    let library = load_paths(&[scenarios.to_path_buf()], lexicon);
    let scorer: Arc<dyn ReplyScorer> = Arc::new(scoring.build(lexicon));
    let find = |id: &str| {
        library
            .scenarios
            .iter()
            .find(|s| s.scenario.id == id)
            .map(|s| Arc::clone(&s.scenario))
    };
    let results = rescore(&history.attempts, find, &scorer, rules.review.below);
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}: {} attempts replayed with the scenarios in {} and the current lexicon",
        wanted.name,
        results.len(),
        scenarios.display()
    );
    let (mut changed, mut skipped) = (0, 0);
    for r in &results {
        println!("{}", line(r));
        match &r.now {
            RescoreResult::Replayed { turns_changed, .. } if *turns_changed > 0 => changed += 1,
            RescoreResult::Replayed { .. } => {}
            RescoreResult::Skipped(_) => skipped += 1,
        }
    }
    println!(
        "{changed} would score differently now, {} the same, {skipped} could not be replayed. \
         Saved attempts are unchanged.",
        results.len() - changed - skipped
    );
    Ok(ExitCode::SUCCESS)
}

fn line(r: &Rescored) -> String {
    let score = |overall: Option<u8>| overall.map_or("unfinished".to_string(), |o| o.to_string());
    let version = match r.version_now {
        Some(now) if now != r.version_then => format!(" (scenario v{} -> v{now})", r.version_then),
        _ => String::new(),
    };
    let now = match &r.now {
        RescoreResult::Replayed {
            overall,
            ending,
            turns_changed,
            turns_same,
        } => {
            let ending = if *ending != r.ending_then {
                format!(
                    ", ending {} -> {}",
                    or_none(&r.ending_then),
                    or_none(ending)
                )
            } else {
                String::new()
            };
            format!(
                "overall {} -> {}, {turns_changed} of {} replies scored differently{ending}",
                score(r.overall_then),
                score(*overall),
                turns_changed + turns_same
            )
        }
        RescoreResult::Skipped(why) => format!("not replayed: {why}"),
    };
    format!("  {}  {}{version}: {now}", r.attempt_id, r.scenario_id)
}

fn or_none(ending: &Option<String>) -> &str {
    ending.as_deref().unwrap_or("none")
}
