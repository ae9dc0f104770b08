//! `holdline paths`: every reachable ending of a scenario with the lowest and highest overall
//! score over the paths that reach it, whether it can pass, its stars, and the shortest inputs.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use super::ScorerChoice;
use super::exit::{CliError, CliResult};
use crate::scenario::model::Scenario;
use crate::scoring::{Lexicon, ReplyScorer};
use crate::session::explore::POOR_REPLIES;
use crate::session::paths::{PathLimits, PathsReport, PlayedPath, moods_per_node, paths};

pub fn run(
    folder: &Path,
    wanted: &str,
    seed: u64,
    json: bool,
    lexicon: Lexicon,
    scoring: &ScorerChoice,
) -> CliResult {
    let loaded = super::resolve_scenario(folder, wanted, &lexicon)?;
    let scenario = loaded.scenario;
    let scorer: Arc<dyn ReplyScorer> = Arc::new(scoring.build(&lexicon));
    let report = paths(Arc::clone(&scenario), seed, scorer, &PathLimits::default());
    let mut out = std::io::stdout().lock();
    let written = if json {
        serde_json::to_writer_pretty(&mut out, &report)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out))
    } else {
        write_text(&mut out, &scenario, &report)
    };
    match written {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(err) => Err(CliError::invalid(err)),
    }
}

fn write_text(
    out: &mut dyn Write,
    scenario: &Scenario,
    report: &PathsReport,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {} of {} endings reachable; {} states (node x mood) explored{}.",
        scenario.id,
        report.endings.len(),
        scenario.endings.len(),
        report.states,
        if report.has_cycle {
            format!(
                "; the conversation can loop, so ranges are over paths of up to {} replies",
                report.max_turns
            )
        } else {
            format!(
                "; no loops, the longest path has {} replies",
                report.max_turns
            )
        }
    )?;
    writeln!(
        out,
        "Typed turns are tried with each model answer and {} weak replies ({}); every input at once and after a wait of 3x the customer's patience.",
        POOR_REPLIES.len(),
        POOR_REPLIES
            .iter()
            .map(|r| format!("\"{r}\""))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    if report.merged_moods > 0 {
        writeln!(
            out,
            "note: some nodes can be reached in more than {} moods; beyond that, nearby moods were searched as one ({} times), so an ending or an extreme may be missed. Every path below was replayed exactly.",
            moods_per_node(scenario),
            report.merged_moods
        )?;
    }
    if report.truncated {
        writeln!(
            out,
            "warning: the search stopped early (too many states); endings and ranges below cover only part of the scenario."
        )?;
    }
    for ending in &report.endings {
        writeln!(out)?;
        writeln!(out, "{} ({})", ending.ending, ending.kind.label())?;
        let low = ending.lowest.outcome.as_ref().map_or(0, |o| o.overall);
        let high = ending.highest.outcome.as_ref().map_or(0, |o| o.overall);
        let pass = if ending.can_pass() {
            format!("can pass (pass mark {})", scenario.pass_mark)
        } else if ending.kind == crate::scenario::model::EndingKind::CustomerLeft {
            "never passes (the customer left)".to_string()
        } else {
            format!(
                "cannot pass: its best path scores {high}, under the pass mark {}",
                scenario.pass_mark
            )
        };
        let stars = ending.max_stars();
        writeln!(
            out,
            "  overall {low}-{high} over the paths that reach it; {pass}; at most {stars} star{}",
            if stars == 1 { "" } else { "s" }
        )?;
        write_path(out, "shortest", &ending.shortest, &ending.ending)?;
        write_path(out, "lowest", &ending.lowest, &ending.ending)?;
        write_path(out, "highest", &ending.highest, &ending.ending)?;
    }
    if !report.unreachable.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Never reached: {} (no choice or route that a path takes leads there; see `holdline graph {}`).",
            report.unreachable.join(", "),
            scenario.id
        )?;
    }
    Ok(())
}

fn write_path(
    out: &mut dyn Write,
    what: &str,
    path: &PlayedPath,
    ending: &str,
) -> std::io::Result<()> {
    let steps: Vec<String> = path
        .inputs
        .iter()
        .map(|i| format!("{}: {}", i.node, i.label))
        .collect();
    let score = path
        .outcome
        .as_ref()
        .map(|o| {
            format!(
                " [overall {}, {} star{}]",
                o.overall,
                o.stars,
                if o.stars == 1 { "" } else { "s" }
            )
        })
        .unwrap_or_default();
    writeln!(
        out,
        "  {what}, {} repl{}{score}: {}",
        steps.len(),
        if steps.len() == 1 { "y" } else { "ies" },
        steps.join(" -> ")
    )?;
    if !path.reaches(ending) {
        let actual = path
            .outcome
            .as_ref()
            .map_or("no ending".to_string(), |o| o.ending_id.clone());
        writeln!(
            out,
            "    note: played in full, this path ends at {actual}: typed replies score differently after earlier ones"
        )?;
    }
    Ok(())
}
