//! `holdline score`: one typed reply scored at one node, as a readable breakdown or JSON.

use std::path::Path;
use std::process::ExitCode;

use crate::scenario::library::load_paths;
use crate::scenario::model::{Rubric, Turn};
use crate::scoring::rule_scorer::RuleScorer;
use crate::scoring::{Dimension, Lexicon, ReplyScorer, ScoringContext};
use crate::session::lines_for;

/// Exit code for every usage error of this command: bad scenario, unknown node, empty text.
const USAGE_ERROR: u8 = 2;

fn fail(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(USAGE_ERROR)
}

pub fn run(path: &Path, node_id: &str, text: &str, json: bool, lexicon: Lexicon) -> ExitCode {
    if text.trim().is_empty() {
        return fail("the reply text is empty; pass it with --text \"…\"".into());
    }
    let report = load_paths(&[path.to_path_buf()], &lexicon);
    let Some(loaded) = report.scenarios.first() else {
        report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .for_each(|d| eprintln!("{d}"));
        return fail(format!("{} is not a valid scenario", path.display()));
    };
    let scenario = &loaded.scenario;
    let Some(node) = scenario.node(node_id) else {
        let ids: Vec<&str> = scenario.nodes.iter().map(|n| n.id.as_str()).collect();
        let close = crate::scenario::diagnostic::did_you_mean(node_id, ids.iter().copied())
            .map(|c| format!(" (did you mean \"{c}\"?)"))
            .unwrap_or_default();
        return fail(format!(
            "no node \"{node_id}\" in {}{close}; nodes: {}",
            scenario.id,
            ids.join(", ")
        ));
    };
    let empty = Rubric::default();
    let rubric = match &node.turn {
        Turn::FreeText(free) => &free.rubric,
        Turn::Choices(_) => &empty,
    };
    let customer_line = lines_for(&node.customer, scenario.persona.mood.band())
        .first()
        .cloned()
        .unwrap_or_default();
    let context = ScoringContext {
        scenario,
        node,
        rubric,
        customer_line: &customer_line,
        earlier_replies: &[],
    };
    let score = RuleScorer::new(lexicon).score(&context, text);
    if json {
        match serde_json::to_string(&score) {
            Ok(out) => println!("{out}"),
            Err(err) => return fail(format!("cannot write JSON: {err}")),
        }
        return ExitCode::SUCCESS;
    }
    println!("{} / {}: overall {}", scenario.id, node.id, score.overall);
    for dimension in Dimension::ALL {
        let d = score.dimension(dimension);
        println!("\n{} {}", dimension.label(), d.score);
        for r in &d.reasons {
            let matched = if r.matched.is_empty() {
                String::new()
            } else {
                format!(" \"{}\"", r.matched)
            };
            println!("  {:+4} {}{matched}", r.delta, r.rule);
            println!("       {}", r.explanation);
            if r.delta <= 0 {
                println!("       hint: {}", r.hint);
            }
        }
    }
    ExitCode::SUCCESS
}
