//! `holdline play`: a scenario in the terminal, interactively or with answers piped on stdin.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use super::ScorerChoice;
use super::exit::{self, CliError, CliResult};
use crate::progress::{OpenTrainee, ProgressRules, ProgressStore, Trainee, unix_now};
use crate::scenario::model::Scenario;
use crate::scenario::mood::{Mood, anger_label, level_label};
use crate::scoring::{Dimension, DimensionScore, Lexicon, ReplyScorer};
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

/// Where a terminal attempt is saved, as the app saves one.
pub struct SaveTo<'a> {
    pub data_dir: &'a Path,
    /// `--trainee`: a name or id; `None` for the trainee who played last.
    pub trainee: Option<&'a str>,
    /// The progress rules the trainee's standing is worked out by.
    pub rules: &'a ProgressRules,
}

pub fn run(
    folder: &Path,
    wanted: &str,
    seed: u64,
    lexicon: Lexicon,
    scoring: &ScorerChoice,
    save: SaveTo,
) -> CliResult {
    let loaded = super::resolve_scenario(folder, wanted, &lexicon)?;
    let store = ProgressStore::new(save.data_dir);
    // Who the attempt is for is settled before the customer says a word, so a wrong name is
    // said up front, not after the conversation: the trainee named, else the one who played
    // last, else the only one. With no trainee at all (a trainer trying a scenario), the
    // scenario is played and nothing is saved.
    let nobody_yet = save.trainee.is_none()
        && store
            .trainees()
            .is_ok_and(|(trainees, _)| trainees.is_empty());
    let trainee = if nobody_yet {
        None
    } else {
        Some(super::progress::pick_trainee(
            &store,
            save.data_dir,
            save.trainee,
        )?)
    };
    let scorer: Arc<dyn ReplyScorer> = Arc::new(scoring.build(&lexicon));
    let stdin = std::io::stdin();
    let timed = stdin.is_terminal();
    let mut input = stdin.lock();
    let mut output = std::io::stdout().lock();
    let started_at = unix_now();
    let pace = Pace {
        timed,
        scores: true,
    };
    let (outcome, session) =
        match play(loaded.scenario, seed, scorer, &mut input, &mut output, pace) {
            Ok(played) => played,
            // The reader stopped reading (`holdline play x | head`): a quiet end, as for any tool.
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {
                return Ok(ExitCode::SUCCESS);
            }
            Err(err) => return Err(CliError::invalid(err)),
        };
    drop(output);
    let code = match outcome {
        PlayOutcome::Finished { .. } => ExitCode::SUCCESS,
        PlayOutcome::InputEnded => ExitCode::from(exit::INPUT_ENDED),
    };
    save_attempt(&store, save.rules, trainee.as_ref(), &session, started_at).map_err(
        |message| {
            eprintln!("{message}");
            CliError::reported(exit::INVALID)
        },
    )?;
    Ok(code)
}

/// Saves a terminal attempt for `trainee` exactly as the app saves one (finished, or abandoned
/// when the input ran out), under the trainee's lock, and remembers them as the one who played
/// last. Says on stderr what happened, so the transcript on stdout stays the same for the same
/// seed and answers.
fn save_attempt(
    store: &ProgressStore,
    rules: &ProgressRules,
    trainee: Option<&Trainee>,
    session: &Session,
    started_at: u64,
) -> Result<(), String> {
    if session.transcript().is_empty() {
        return Ok(());
    }
    let Some(trainee) = trainee else {
        eprintln!(
            "(not saved: there are no trainees in {}; add one with `holdline trainee add NAME`)",
            store.dir().display()
        );
        return Ok(());
    };
    // Opened as the app opens a trainee, so the attempt is saved by the same policy: under the
    // trainee's lock, and remembered as the one who played last.
    let mut open = OpenTrainee::new(store.clone(), rules.clone());
    open.open(trainee.clone());
    let not_saved = |why: &str| format!("error: this attempt was not saved: {why}");
    if !open.holds_lock() {
        return Err(not_saved(
            open.notice.as_deref().unwrap_or("the trainee is in use"),
        ));
    }
    let id = open.record(session, started_at).unwrap_or_default();
    if id.is_empty() || id.starts_with(crate::progress::UNSAVED_PREFIX) {
        return Err(not_saved(open.notice.as_deref().unwrap_or("unknown error")));
    }
    eprintln!("(saved for {} as attempt {id})", trainee.name);
    Ok(())
}

/// Plays `scenario` from its start, reading one reply per line from `input`, at `pace`.
pub fn play(
    scenario: Arc<Scenario>,
    seed: u64,
    scorer: Arc<dyn ReplyScorer>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    pace: Pace,
) -> std::io::Result<(PlayOutcome, Session)> {
    let session =
        Session::new(Arc::clone(&scenario), seed, scorer).map_err(std::io::Error::other)?;
    print_header(out, &scenario, seed)?;
    play_session(session, input, out, pace)
}

/// How a session is played in the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Whether the time taken to answer counts as hesitation (a person at a terminal), or
    /// answers count as instant (piped), so a piped run is reproducible.
    pub timed: bool,
    /// Whether each reply's scores and the ending's are shown; a certification sitting shows
    /// only how the customer took each reply, and gives the scores at the end.
    pub scores: bool,
}

/// A trainer's preview (`play --from NODE [--mood A,C,T]`): the scenario from one node, in a
/// chosen mood, played as `play` plays; nothing is saved.
pub fn run_preview(
    folder: &Path,
    wanted: &str,
    from: &str,
    mood: Option<Mood>,
    seed: u64,
    lexicon: Lexicon,
    scoring: &ScorerChoice,
) -> CliResult {
    let loaded = super::resolve_scenario(folder, wanted, &lexicon)?;
    let scenario = loaded.scenario;
    super::find_node(&scenario, from)?;
    let mood = mood.unwrap_or(scenario.persona.mood);
    let scorer: Arc<dyn ReplyScorer> = Arc::new(scoring.build(&lexicon));
    let session = Session::preview(Arc::clone(&scenario), from, mood, seed, scorer)
        .map_err(CliError::invalid)?;
    let stdin = std::io::stdin();
    let timed = stdin.is_terminal();
    let mut input = stdin.lock();
    let mut output = std::io::stdout().lock();
    let played = print_header(&mut output, &scenario, seed)
        .and_then(|()| {
            writeln!(
                output,
                "Preview from node {from}, the customer at anger {}, confusion {}, trust {} (not saved)",
                mood.anger, mood.confusion, mood.trust
            )
        })
        .and_then(|()| {
            play_session(
                session,
                &mut input,
                &mut output,
                Pace {
                    timed,
                    scores: true,
                },
            )
        });
    match played {
        Ok((PlayOutcome::Finished { .. }, _)) => Ok(ExitCode::SUCCESS),
        Ok((PlayOutcome::InputEnded, _)) => Ok(ExitCode::from(exit::INPUT_ENDED)),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(err) => Err(CliError::invalid(err)),
    }
}

/// Plays `session` on to its end, reading one reply per line from `input`.
fn play_session(
    mut session: Session,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    pace: Pace,
) -> std::io::Result<(PlayOutcome, Session)> {
    let Pace { timed, scores } = pace;
    // Only these two are read below; the session keeps the scenario itself.
    let pass_mark = session.scenario().pass_mark;
    let name = session.scenario().persona.name.clone();
    loop {
        if let Some(outcome) = session.outcome() {
            writeln!(
                out,
                "\n=== {} — {} ===",
                outcome.kind.label(),
                outcome.ending_id
            )?;
            writeln!(out, "{}", outcome.text)?;
            if !scores {
                let outcome = PlayOutcome::Finished {
                    passed: outcome.passed,
                };
                return Ok((outcome, session));
            }
            writeln!(
                out,
                "Empathy {}  Accuracy {}  De-escalation {}  Overall {} (pass mark {})",
                outcome.empathy, outcome.accuracy, outcome.deescalation, outcome.overall, pass_mark
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
            for breach in &outcome.critical {
                writeln!(out, "CRITICAL BREACH: {}", breach.told())?;
            }
            let outcome = PlayOutcome::Finished {
                passed: outcome.passed,
            };
            return Ok((outcome, session));
        }
        let Some(prompt) = session.prompt() else {
            return Ok((PlayOutcome::InputEnded, session));
        };
        writeln!(
            out,
            "\n{} ({}): {}",
            name,
            prompt.band.label(),
            prompt.customer_line
        )?;
        let choices = match &prompt.options {
            Options::Choices(choices) => {
                for (i, choice) in choices.iter().enumerate() {
                    writeln!(out, "  {}. {}", i + 1, choice.text)?;
                }
                write!(out, "Your choice (1-{}): ", choices.len())?;
                Some(choices.iter().map(|c| c.index).collect::<Vec<_>>())
            }
            Options::FreeText { prompt } => {
                writeln!(out, "  [{prompt}]")?;
                write!(out, "Your reply: ")?;
                None
            }
        };
        out.flush()?;
        let asked = Instant::now();
        let Some(line) = read_reply_line(input)? else {
            writeln!(
                out,
                "\n(input ended before the conversation did; session abandoned)"
            )?;
            return Ok((PlayOutcome::InputEnded, session));
        };
        let elapsed_ms = if timed {
            asked.elapsed().as_millis() as u64
        } else {
            0
        };
        let line = line.trim();
        if !timed {
            writeln!(out, "{line}")?;
        }
        let response = match &choices {
            Some(offered) => match line.parse::<usize>() {
                // The trainee numbers the choices shown; the session takes the authored index.
                Ok(n) if (1..=offered.len()).contains(&n) => Response::Choice(offered[n - 1]),
                _ => {
                    writeln!(out, "  (type a number from 1 to {})", offered.len())?;
                    continue;
                }
            },
            None => Response::Text(line.to_string()),
        };
        match session.respond(response, elapsed_ms) {
            Ok(turn) if scores => print_turn(out, turn)?,
            Ok(turn) => print_reaction(out, turn)?,
            Err(
                err @ (SessionError::EmptyReply
                | SessionError::NoSuchChoice { .. }
                | SessionError::ReplyTooLong { .. }),
            ) => {
                writeln!(out, "  ({err}; try again)")?;
            }
            Err(err @ SessionError::TooManyTurns) => {
                writeln!(out, "\n({err}; session abandoned)")?;
                return Ok((PlayOutcome::InputEnded, session));
            }
            Err(err) => return Err(std::io::Error::other(err)),
        }
    }
}

/// The most bytes of one input line kept: room for the longest reply a session takes in any
/// script, so an over-long line is still refused by the session with its length, while a
/// gigabyte line is never held in memory.
const MAX_LINE_BYTES: usize = crate::session::MAX_REPLY_CHARS * 4 + 4;

/// One line of input, without its line ending, or `None` at the end of the input. Bytes that
/// are not UTF-8 are replaced (one bad line must not end the session), and only the first
/// `MAX_LINE_BYTES` of a line are kept; the rest of it is read and dropped.
fn read_reply_line(input: &mut dyn BufRead) -> std::io::Result<Option<String>> {
    let mut kept = Vec::new();
    let mut read_any = false;
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            break;
        }
        read_any = true;
        let (chunk, found_end) = match buffer.iter().position(|&b| b == b'\n') {
            Some(end) => (&buffer[..end], true),
            None => (buffer, false),
        };
        let room = MAX_LINE_BYTES.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len() + usize::from(found_end);
        input.consume(used);
        if found_end {
            break;
        }
    }
    if !read_any {
        return Ok(None);
    }
    if kept.last() == Some(&b'\r') {
        kept.pop();
    }
    Ok(Some(String::from_utf8_lossy(&kept).into_owned()))
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
        anger_label(mood.anger),
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

/// How the customer took a reply, without its scores.
fn print_reaction(out: &mut dyn Write, turn: &TurnResult) -> std::io::Result<()> {
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
    print_reaction(out, turn)
}
