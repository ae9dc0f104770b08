//! `holdline progress` and `holdline trainee`: a trainee's standing (level, XP, streak, stars
//! per tier, badges, review queue, shifts, scores over time) and managing the trainees on this
//! machine.

use crate::progress::certification::{CertificationLine, CertificationState};
use crate::progress::curriculum::{
    Curriculum, CurriculumStanding, ModuleState, curriculum_standing,
};
use crate::progress::{day_of, local_offset_secs};
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

use super::exit::{CliError, CliResult};
use crate::progress::standing::Standing;
use crate::progress::{ProgressRules, ProgressStore, Trainee, standing, today};

#[derive(Debug, Clone, clap::Subcommand)]
pub enum TraineeCommand {
    /// List the trainees on this machine.
    List,
    /// Add a trainee.
    Add { name: String },
    /// Rename a trainee (by name or id); their history stays.
    Rename { trainee: String, new_name: String },
    /// Delete a trainee and all their attempts, for good.
    Delete {
        trainee: String,
        /// Confirm the deletion (without it, nothing is deleted).
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Serialize)]
struct Report<'a> {
    trainee: &'a Trainee,
    attempts: usize,
    standing: &'a Standing,
    curricula: &'a [CurriculumStanding],
    certifications: &'a [CertificationLine],
}

/// The trainee named (by name or id) `key`, or else the one who played last, or the only
/// one; or why there is none to pick.
pub(super) fn pick_trainee(
    store: &ProgressStore,
    data_dir: &Path,
    trainee: Option<&str>,
) -> Result<Trainee, CliError> {
    let (trainees, notices) = store.trainees()?;
    notices.iter().for_each(|n| eprintln!("note: {n}"));
    match trainee {
        Some(key) => store.find(key)?.ok_or_else(|| {
            CliError::usage(format!(
                "no trainee \"{key}\" in {}; `holdline trainee list` shows them, \
                 `holdline trainee add NAME` adds one",
                data_dir.display()
            ))
        }),
        None => store
            .current()
            .and_then(|id| trainees.iter().find(|t| t.id == id).cloned())
            .or_else(|| (trainees.len() == 1).then(|| trainees[0].clone()))
            .ok_or_else(|| {
                if trainees.is_empty() {
                    CliError::usage(format!(
                        "no trainees yet in {}; open the app or run `holdline trainee add NAME`",
                        data_dir.display()
                    ))
                } else {
                    CliError::usage("several trainees here; pick one with --trainee NAME")
                }
            }),
    }
}

/// A picked trainee and their saved attempts, read as `progress` and `rescore` need them.
pub(super) struct TraineeHistory {
    pub trainee: Trainee,
    pub attempts: Vec<crate::progress::AttemptRecord>,
}

/// Opens the store in `data_dir`, picks the trainee (see [`pick_trainee`]) and reads their
/// history, printing a note for each attempt that had to be set aside.
pub(super) fn open_history(
    data_dir: &Path,
    trainee: Option<&str>,
) -> Result<TraineeHistory, CliError> {
    let store = ProgressStore::new(data_dir);
    let trainee = pick_trainee(&store, data_dir, trainee)?;
    let history = store.history(&trainee.id)?;
    history.notices.iter().for_each(|n| eprintln!("note: {n}"));
    Ok(TraineeHistory {
        trainee,
        attempts: history.attempts,
    })
}

pub fn run_progress(
    data_dir: &Path,
    rules: &ProgressRules,
    curricula: &[Curriculum],
    trainee: Option<&str>,
    json: bool,
) -> CliResult {
    let history = open_history(data_dir, trainee)?;
    let standing = standing(rules, &history.attempts, today());
    // The programme starts on the day the trainee was added.
    let first_day = day_of(history.trainee.created_at, local_offset_secs());
    let programmes: Vec<CurriculumStanding> = curricula
        .iter()
        .map(|c| curriculum_standing(c, &history.attempts, first_day, today()))
        .collect();
    let store = ProgressStore::new(data_dir);
    let certifications: Vec<CertificationLine> = curricula
        .iter()
        .zip(&programmes)
        .filter_map(|(c, standing)| {
            let cert = c.certification.as_ref()?;
            let state = super::certify::state_of(&store, &history.trainee.id, cert, standing);
            Some(CertificationLine::new(c, cert, state))
        })
        .collect();
    if json {
        let report = Report {
            trainee: &history.trainee,
            attempts: history.attempts.len(),
            standing: &standing,
            curricula: &programmes,
            certifications: &certifications,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_standing(&history.trainee, rules, &standing);
        for standing in &programmes {
            print_curriculum(standing);
            certifications
                .iter()
                .filter(|line| line.curriculum == standing.curriculum)
                .for_each(print_certification);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A curriculum as the trainee sees it: what is next, what is due, what is passed.
fn print_curriculum(c: &CurriculumStanding) {
    let (passed, total) = c.passed();
    println!();
    println!(
        "Curriculum: {} (day {} of the programme): {passed} of {total} modules passed",
        c.title, c.day
    );
    match c.next() {
        Some(next) => println!("  Next: {} ({})", next.task, next.module),
        None if passed == total => println!("  Every module passed."),
        None => println!("  Nothing is open: see what each module is waiting for below."),
    }
    let mut track = "";
    for m in &c.modules {
        if m.track != track {
            track = &m.track;
            println!("  {track}");
        }
        let state = match &m.state {
            ModuleState::Passed { on_day, attempts } => format!(
                "passed on day {on_day} ({attempts} attempt{})",
                super::plural(*attempts as usize)
            ),
            ModuleState::Locked { waiting_for } => {
                format!("locked until {} passed", waiting_for.join(", "))
            }
            ModuleState::Open { attempts: 0 } => "open, not tried yet".to_string(),
            ModuleState::Open { attempts } => format!(
                "open, {attempts} attempt{} so far",
                super::plural(*attempts as usize)
            ),
            ModuleState::Failed { attempts } => {
                format!("failed: all {attempts} attempts used (ask your trainer)")
            }
        };
        let due = match (m.due_day, m.overdue) {
            (Some(day), true) => format!(", OVERDUE (due day {day})"),
            (Some(day), false) if !matches!(m.state, ModuleState::Passed { .. }) => {
                format!(", due by day {day}")
            }
            _ => String::new(),
        };
        println!("    [{}] {}: {state}{due}", mark(&m.state), m.task);
    }
}

/// A certification's line under its curriculum.
fn print_certification(line: &CertificationLine) {
    let then = match &line.state {
        CertificationState::Open { .. } => {
            format!(": sit it with `holdline certify {}`", line.curriculum)
        }
        CertificationState::Failed { .. } => " (ask your trainer)".into(),
        _ => String::new(),
    };
    println!(
        "  Certification: {}: {}{then}",
        line.title,
        line.state.words(line.max_attempts)
    );
}

fn mark(state: &ModuleState) -> char {
    match state {
        ModuleState::Passed { .. } => 'x',
        ModuleState::Failed { .. } => '!',
        ModuleState::Locked { .. } => '-',
        ModuleState::Open { .. } => ' ',
    }
}

fn bar(have: u32, from: u32, to: u32, width: usize) -> String {
    let share = f64::from(have.saturating_sub(from)) / f64::from(to.saturating_sub(from).max(1));
    let filled = ((share.clamp(0.0, 1.0)) * width as f64).round() as usize;
    format!("[{}{}]", "#".repeat(filled), "-".repeat(width - filled))
}

fn print_standing(trainee: &Trainee, rules: &ProgressRules, s: &Standing) {
    println!("{} ({})", trainee.name, trainee.id);
    match &s.next_level {
        Some((title, xp)) => println!(
            "Level {} {}: {} XP {} {} XP to {title}",
            s.level + 1,
            s.level_title,
            s.xp,
            bar(s.xp, s.level_floor, *xp, 20),
            xp - s.xp
        ),
        None => println!(
            "Level {} {}: {} XP (top level)",
            s.level + 1,
            s.level_title,
            s.xp
        ),
    }
    println!(
        "Streak: {} day{} (longest {}), {}, {} freeze{} left this week",
        s.streak.current,
        super::plural(s.streak.current as usize),
        s.streak.longest,
        if s.streak.practised_today {
            "practised today"
        } else {
            "not practised yet today"
        },
        s.streak.freezes_left,
        super::plural(s.streak.freezes_left as usize),
    );
    println!(
        "Attempts: {} scenarios finished ({} counted as practice: at least {} replies and {} s; only these earn XP and badge counts), {} review drills, {} left unfinished",
        s.finished,
        s.practised,
        rules.effort.min_replies,
        rules.effort.min_seconds,
        s.drills,
        s.abandoned
    );
    let tiers: Vec<u8> = s
        .stars_by_tier
        .keys()
        .chain(rules.unlocks.iter().map(|u| &u.tier))
        .copied()
        .chain([1])
        .collect::<std::collections::BTreeSet<u8>>()
        .into_iter()
        .collect();
    for tier in tiers {
        let stars = s.stars_by_tier.get(&tier).copied().unwrap_or(0);
        let state = if s.unlocked_tiers.contains(&tier) {
            "unlocked".to_string()
        } else {
            rules
                .unlocks
                .iter()
                .find(|u| u.tier == tier)
                .map_or("locked".into(), |u| {
                    format!("locked: {} stars in tier {} opens it", u.stars, u.from_tier)
                })
        };
        println!("Tier {tier}: {stars} stars ({state})");
    }
    let earned = s.badges.iter().filter(|b| b.earned_by.is_some()).count();
    println!("Badges: {earned} of {}", s.badges.len());
    for badge in &s.badges {
        let mark = if badge.earned_by.is_some() { "x" } else { " " };
        let progress = match (badge.earned_by.is_some(), badge.progress) {
            (false, Some((have, need))) => format!(" ({have}/{need})"),
            _ => String::new(),
        };
        println!("  [{mark}] {}: {}{progress}", badge.name, badge.how);
    }
    println!(
        "Review queue: {} due now, {} later",
        s.review_due.len(),
        s.review_later.len()
    );
    for item in s.review_due.iter().chain(&s.review_later).take(10) {
        let when = item.due_day - today();
        let due = match when {
            i64::MIN..=0 => "due now".to_string(),
            1 => "due tomorrow".to_string(),
            n => format!("due in {n} days"),
        };
        println!("  {} / {}: {due}", item.scenario_id, item.node_id);
    }
    for shift in &s.shifts {
        println!(
            "Shift {}: {} calls, {}% satisfied, handle times {:?} s",
            shift.shift_id, shift.calls, shift.satisfied_percent, shift.handle_secs
        );
    }
    if !s.history.is_empty() {
        println!("Scores over time (last 10): empathy / accuracy / de-escalation");
        for point in s.history.iter().rev().take(10).rev() {
            println!(
                "  {}  {:<24} {:>3} / {:>3} / {:>3}",
                calendar_date(point.finished_at),
                point.scenario_id,
                point.empathy,
                point.accuracy,
                point.deescalation
            );
        }
    }
}

pub fn run_trainee(data_dir: &Path, command: &TraineeCommand) -> CliResult {
    let store = ProgressStore::new(data_dir);
    let find = |key: &str| {
        store.find(key)?.ok_or_else(|| {
            CliError::usage(format!("no trainee \"{key}\" in {}", data_dir.display()))
        })
    };
    match command {
        TraineeCommand::List => {
            let (trainees, notices) = store.trainees()?;
            notices.iter().for_each(|n| eprintln!("note: {n}"));
            let current = store.current();
            for t in &trainees {
                let mark = if current.as_deref() == Some(&t.id) {
                    "*"
                } else {
                    " "
                };
                println!("{mark} {} ({})", t.name, t.id);
            }
            if trainees.is_empty() {
                println!("no trainees yet in {}", data_dir.display());
            }
        }
        TraineeCommand::Add { name } => {
            let t = store.create(name)?;
            println!("added {} ({})", t.name, t.id);
        }
        TraineeCommand::Rename { trainee, new_name } => {
            let t = find(trainee)?;
            let renamed = store.rename(&t.id, new_name)?;
            println!("renamed {} to {}", t.name, renamed.name);
        }
        TraineeCommand::Delete { trainee, yes } => {
            let t = find(trainee)?;
            if !yes {
                return Err(CliError::usage(format!(
                    "this deletes {} and every attempt they made; run again with --yes to confirm",
                    t.name
                )));
            }
            store.delete(&t.id)?;
            println!("deleted {} ({})", t.name, t.id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A moment as the trainee's own calendar date (`2026-12-02`), or `?` for one no calendar has.
fn calendar_date(unix_secs: u64) -> String {
    i64::try_from(unix_secs)
        .ok()
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .map(|utc| {
            utc.with_timezone(&chrono::Local)
                .format("%Y-%m-%d")
                .to_string()
        })
        .unwrap_or_else(|| "?".to_string())
}
