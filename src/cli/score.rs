//! `holdline score`: one typed reply scored at one node, as a readable breakdown or JSON.

use std::path::Path;
use std::process::ExitCode;

use super::exit::{self, CliError, CliResult};

use super::ScorerChoice;
use crate::scoring::{Dimension, Lexicon, ReplyScorer, ScoringContext};

/// Every error of this command is a usage error (exit 2): a bad scenario, an unknown node, an
/// empty or unreadable reply.
fn fail(message: String) -> CliError {
    CliError::usage(message)
}

/// The reply to score: `--text`, else the file given with `--file` (`-` for stdin), else stdin
/// when it is not a terminal. Capped like a reply in a session.
pub fn reply_text(text: Option<String>, file: Option<&Path>) -> Result<String, CliError> {
    use std::io::{IsTerminal, Read};
    if let Some(text) = text {
        return Ok(text);
    }
    let limit = crate::session::MAX_REPLY_CHARS * 4;
    let bytes = match file {
        Some(path) if path != Path::new("-") => crate::scenario::load::read_input_file(path, limit)
            .map_err(|err| {
                fail(format!(
                    "cannot read the reply from {}: {err}",
                    path.display()
                ))
            })?,
        _ if file.is_none() && std::io::stdin().is_terminal() => {
            return Err(fail(
                "no reply to score; pass it with --text \"…\", --file FILE, or on stdin".into(),
            ));
        }
        _ => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(limit as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|err| fail(format!("cannot read the reply from stdin: {err}")))?;
            bytes
        }
    };
    String::from_utf8(bytes).map_err(|_| fail("the reply is not UTF-8 text".into()))
}

/// What `holdline score` prints.
#[derive(Debug, Clone, Copy)]
pub struct Show {
    /// One JSON object instead of the breakdown.
    pub json: bool,
    /// Each clause's similarity to each exemplar bank too.
    pub clauses: bool,
}

pub fn run(
    folder: &Path,
    wanted: &str,
    node_id: &str,
    text: &str,
    show: Show,
    lexicon: Lexicon,
    scoring: &ScorerChoice,
) -> CliResult {
    if text.trim().is_empty() {
        return Err(fail(
            "the reply text is empty; pass it with --text \"…\"".into(),
        ));
    }
    let chars = text.chars().count();
    if chars > crate::session::MAX_REPLY_CHARS {
        return Err(fail(format!(
            "the reply is {chars} characters long; a reply can have at most {}",
            crate::session::MAX_REPLY_CHARS
        )));
    }
    let loaded =
        super::resolve_scenario(folder, wanted, &lexicon).map_err(|e| e.with_code(exit::USAGE))?;
    let scenario = &loaded.scenario;
    let node = super::find_node(scenario, node_id)?;
    let context = ScoringContext::first_reply(scenario, node);
    let scorer = scoring.build(&lexicon);
    let score = scorer.score(&context, text);
    let trace = match (show.clauses, scorer.layer()) {
        (true, Some(layer)) => Some(layer.trace(text, &context.rubric.model_answers)),
        _ => None,
    };
    if show.json {
        let mut value = serde_json::to_value(&score)?;
        if let (Some(trace), Some(object)) = (&trace, value.as_object_mut()) {
            object.insert("clauses".into(), serde_json::to_value(trace)?);
        }
        println!("{value}");
        return Ok(ExitCode::SUCCESS);
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
    if let Some(trace) = trace {
        print_clauses(&trace);
    } else if show.clauses {
        println!("\n(no semantic layer: --rules-only, or the model did not load)");
    }
    Ok(ExitCode::SUCCESS)
}

/// Each clause with the banks it reads most like, closest first.
fn print_clauses(trace: &[crate::scoring::semantic::ClauseTrace]) {
    println!("\nClauses the semantic layer read (closest banks first):");
    for clause in trace {
        println!("  \"{}\"", clause.text);
        let mut banks: Vec<_> = clause.banks.iter().collect();
        banks.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        for b in banks.iter().take(4) {
            println!("    {:.2} {:<28} \"{}\"", b.similarity, b.bank, b.exemplar);
        }
    }
}
