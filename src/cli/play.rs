//! `holdline play`: a scenario in the terminal, interactively or with answers piped on stdin.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use crate::scenario::model::Scenario;
use crate::scoring::{Dimension, DimensionScore, Lexicon, ReplyScorer, RuleScorer};
use crate::session::mood::{Mood, level_label};
use crate::session::{Options, Response, Session, SessionError, TurnResult};

/// How a terminal play-through ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlayOutcome {
    Finished {
        passed: bool,
    },
    /// The input ran out before an ending was reached.
    InputEnded,
}

pub fn run(folder: &Path, wanted: &str, seed: u64, lexicon: Lexicon) -> ExitCode {
    let Some(loaded) = super::resolve_scenario(folder, wanted, &lexicon) else {
        return ExitCode::from(1);
    };
    let scorer: Arc<dyn ReplyScorer> = Arc::new(RuleScorer::new(lexicon));
    let stdin = std::io::stdin();
    let timed = stdin.is_terminal();
    let mut input = stdin.lock();
    let mut output = std::io::stdout().lock();
    match play(
        loaded.scenario,
        seed,
        scorer,
        &mut input,
        &mut output,
        timed,
    ) {
        Ok(PlayOutcome::Finished { .. }) => ExitCode::SUCCESS,
        Ok(PlayOutcome::InputEnded) => ExitCode::from(3),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(1)
        }
    }
}

/// Plays `scenario` reading one reply per line from `input`. When `timed`, the time taken to
/// answer counts as hesitation; piped answers count as instant, so a piped run is reproducible.
pub fn play(
    scenario: Arc<Scenario>,
    seed: u64,
    scorer: Arc<dyn ReplyScorer>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    timed: bool,
) -> std::io::Result<PlayOutcome> {
    let mut session =
        Session::new(Arc::clone(&scenario), seed, scorer).map_err(std::io::Error::other)?;
    print_header(out, &scenario, seed)?;
    loop {
        if let Some(outcome) = session.outcome() {
            writeln!(
                out,
                "\n=== {} — {} ===",
                outcome.kind.label(),
                outcome.ending_id
            )?;
            writeln!(out, "{}", outcome.text)?;
            writeln!(
                out,
                "Empathy {}  Accuracy {}  De-escalation {}  Overall {} (pass mark {})",
                outcome.empathy,
                outcome.accuracy,
                outcome.deescalation,
                outcome.overall,
                scenario.pass_mark
            )?;
            let stars = "*".repeat(outcome.stars.into());
            let verdict = if outcome.passed {
                "PASSED"
            } else {
                "NOT PASSED"
            };
            writeln!(
                out,
                "{verdict}  {stars:<3} ({}/3 stars) in {} turns",
                outcome.stars, outcome.turns
            )?;
            return Ok(PlayOutcome::Finished {
                passed: outcome.passed,
            });
        }
        let Some(prompt) = session.prompt() else {
            return Ok(PlayOutcome::InputEnded);
        };
        writeln!(
            out,
            "\n{} ({}): {}",
            scenario.persona.name,
            prompt.band.label(),
            prompt.customer_line
        )?;
        let choices = match &prompt.options {
            Options::Choices(choices) => {
                for (i, text) in choices.iter().enumerate() {
                    writeln!(out, "  {}. {text}", i + 1)?;
                }
                write!(out, "Your choice (1-{}): ", choices.len())?;
                Some(choices.len())
            }
            Options::FreeText { prompt } => {
                writeln!(out, "  [{prompt}]")?;
                write!(out, "Your reply: ")?;
                None
            }
        };
        out.flush()?;
        let asked = Instant::now();
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(
                out,
                "\n(input ended before the conversation did; session abandoned)"
            )?;
            return Ok(PlayOutcome::InputEnded);
        }
        let elapsed_ms = if timed {
            asked.elapsed().as_millis() as u64
        } else {
            0
        };
        let line = line.trim();
        if !timed {
            writeln!(out, "{line}")?;
        }
        let response = match choices {
            Some(count) => match line.parse::<usize>() {
                Ok(n) if (1..=count).contains(&n) => Response::Choice(n - 1),
                _ => {
                    writeln!(out, "  (type a number from 1 to {count})")?;
                    continue;
                }
            },
            None => Response::Text(line.to_string()),
        };
        match session.respond(response, elapsed_ms) {
            Ok(turn) => print_turn(out, turn)?,
            Err(err @ (SessionError::EmptyReply | SessionError::NoSuchChoice { .. })) => {
                writeln!(out, "  ({err}; try again)")?;
            }
            Err(err) => return Err(std::io::Error::other(err)),
        }
    }
}

fn print_header(out: &mut dyn Write, s: &Scenario, seed: u64) -> std::io::Result<()> {
    writeln!(out, "=== {} ===", s.title)?;
    writeln!(
        out,
        "{} · {} · tier {} · about {} min · seed {seed}",
        s.channel.label(),
        s.industry.label(),
        s.tier,
        s.minutes
    )?;
    writeln!(
        out,
        "Customer: {} — {}",
        s.persona.name, s.persona.backstory
    )?;
    if let Some(subject) = &s.subject {
        writeln!(out, "Subject: {subject}")?;
    }
    writeln!(out, "Case file:")?;
    for fact in &s.case_file.facts {
        writeln!(out, "  {}: {}", fact.label, fact.value)?;
    }
    for policy in &s.case_file.policies {
        writeln!(out, "  Policy — {}: {}", policy.title, policy.text)?;
    }
    print_mood(out, "Mood", s.persona.mood)
}

fn print_mood(out: &mut dyn Write, label: &str, mood: Mood) -> std::io::Result<()> {
    writeln!(
        out,
        "{label}: anger {} ({}), confusion {} ({}), trust {} ({})",
        mood.anger,
        level_label(mood.anger),
        mood.confusion,
        level_label(mood.confusion),
        mood.trust,
        level_label(mood.trust)
    )
}

fn bar(score: u8) -> String {
    let filled = usize::from(score.min(100)) / 10;
    format!("{}{}", "#".repeat(filled), ".".repeat(10 - filled))
}

fn print_turn(out: &mut dyn Write, turn: &TurnResult) -> std::io::Result<()> {
    for dimension in Dimension::ALL {
        let DimensionScore { score, reasons } = turn.score.dimension(dimension);
        writeln!(
            out,
            "  {:<14} {:>3} [{}]",
            dimension.label(),
            score,
            bar(*score)
        )?;
        if turn.choice.is_none() {
            for reason in reasons {
                let matched = if reason.matched.is_empty() {
                    String::new()
                } else {
                    format!(" \"{}\"", reason.matched)
                };
                writeln!(
                    out,
                    "      {:+} {}{matched}: {}",
                    reason.delta, reason.rule, reason.explanation
                )?;
                if reason.delta <= 0 && !reason.hint.is_empty() {
                    writeln!(out, "         hint: {}", reason.hint)?;
                }
            }
        }
    }
    if let Some(feedback) = &turn.feedback {
        writeln!(out, "  Feedback: {feedback}")?;
    }
    if let Some(hint) = turn
        .score
        .empathy
        .reasons
        .first()
        .map(|r| &r.hint)
        .filter(|h| turn.choice.is_some() && !h.is_empty())
    {
        writeln!(out, "  Hint: {hint}")?;
    }
    if turn.hesitation.anger > 0 {
        writeln!(
            out,
            "  (you kept the customer waiting: anger +{})",
            turn.hesitation.anger
        )?;
    }
    print_mood(out, "  Mood", turn.mood_after)?;
    if turn.walked_out {
        writeln!(out, "  The customer has had enough and leaves.")?;
    }
    Ok(())
}
