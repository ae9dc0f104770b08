//! Curricula: an onboarding programme's tracks of modules (scenarios, review drills, shifts),
//! with prerequisites, due days, a required score per dimension, attempt limits and whether a
//! critical breach fails the module. Written as RON in `curricula/*.ron`, validated with located
//! errors, and worked out against a trainee's attempts: what is passed, what is next, what is due.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::attempt::{AttemptKind, AttemptRecord, AttemptStatus};
use super::certification::{self, Certification};
use crate::scenario::diagnostic::{Diagnostic, Reporter, Severity, did_you_mean};
use crate::scenario::load::{RonKind, parse_ron};
use crate::scenario::model::EndingKind;
use crate::scenario::span_index::Step;

use Step::{Field as F, Index as I};

/// One programme: its tracks, in the order trainees take them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Curriculum {
    /// Unique name, kebab-case, e.g. "new-hire-core".
    pub id: String,
    /// Shown to trainees and in reports.
    pub title: String,
    /// The tracks, in order; at least one.
    pub tracks: Vec<Track>,
    /// The sitting that certifies a trainee at the end of the programme, if it has one.
    #[serde(default)]
    pub certification: Option<Certification>,
}

/// A group of modules, such as "Week 1: foundations".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Track {
    /// Unique within the curriculum (tracks and modules share one set of names).
    pub id: String,
    /// Shown to trainees.
    pub title: String,
    /// The modules, in the order they are suggested; at least one.
    pub modules: Vec<Module>,
}

/// One thing a trainee must pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    /// Unique within the curriculum; named by other modules' `requires`.
    pub id: String,
    /// What has to be done.
    pub task: Task,
    /// Modules (ids) that must be passed before this one opens.
    #[serde(default)]
    pub requires: Vec<String>,
    /// The day of the programme it is due by, counted from the trainee's first day (day 1).
    #[serde(default)]
    pub due_day: Option<u32>,
    /// The score needed on each dimension (the attempt's mean, 0–100); by default the
    /// scenario's own pass decides.
    #[serde(default)]
    pub pass: Option<Marks>,
    /// Attempts allowed before the module is failed; unlimited by default.
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// Whether a critical breach (a forbidden claim marked critical) fails the attempt whatever
    /// its scores; true by default.
    #[serde(default = "yes")]
    pub critical_fails: bool,
}

fn yes() -> bool {
    true
}

/// What a module asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Task {
    /// Pass this scenario (by id), played whole or as a shift call.
    Scenario(String),
    /// Pass this many review drills (any scenario).
    ReviewDrills(u32),
    /// Finish a whole shift with every call passed at the marks.
    Shift,
}

/// A score per dimension, each 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marks {
    /// Empathy needed.
    pub empathy: u8,
    /// Accuracy needed.
    pub accuracy: u8,
    /// De-escalation needed.
    pub deescalation: u8,
}

impl Curriculum {
    /// Parses and validates a curriculum file; `Err` holds every problem found. `scenario_known`
    /// says whether a scenario id is in the library (`None`: not checked).
    pub fn from_source(
        file: &str,
        bytes: &[u8],
        scenario_known: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<(Curriculum, Vec<Diagnostic>), Vec<Diagnostic>> {
        let curriculum: Curriculum =
            parse_ron(RonKind::Curriculum, file, bytes).map_err(|d| vec![d])?;
        let text = std::str::from_utf8(bytes).unwrap_or_default();
        let diagnostics = curriculum.validate(file, text, scenario_known);
        if diagnostics.iter().any(Diagnostic::is_error) {
            Err(diagnostics)
        } else {
            Ok((curriculum, diagnostics))
        }
    }

    /// Every module with where it sits: (track index, module index, module).
    pub fn modules(&self) -> impl Iterator<Item = (usize, usize, &Module)> {
        self.tracks.iter().enumerate().flat_map(|(t, track)| {
            track
                .modules
                .iter()
                .enumerate()
                .map(move |(m, module)| (t, m, module))
        })
    }

    /// Every problem in one pass, each at its line and column.
    pub fn validate(
        &self,
        file: &str,
        text: &str,
        scenario_known: Option<&dyn Fn(&str) -> bool>,
    ) -> Vec<Diagnostic> {
        let mut r = Reporter::new(file, text);
        r.require_text(&[F("id")], "the curriculum id", &self.id);
        r.require_text(&[F("title")], "the title", &self.title);
        if self.tracks.is_empty() {
            r.error(
                &[F("tracks")],
                "empty-list",
                "the curriculum has no tracks".into(),
            );
        }
        let mut seen: HashSet<&str> = HashSet::new();
        for (t, track) in self.tracks.iter().enumerate() {
            r.require_text(&[F("tracks"), I(t), F("id")], "a track id", &track.id);
            if !seen.insert(track.id.as_str()) {
                r.error(
                    &[F("tracks"), I(t), F("id")],
                    "duplicate-id",
                    format!(
                        "\"{}\" is used twice (tracks and modules share one set of names)",
                        track.id
                    ),
                );
            }
            if track.modules.is_empty() {
                r.error(
                    &[F("tracks"), I(t), F("modules")],
                    "empty-list",
                    format!("track \"{}\" has no modules", track.id),
                );
            }
        }
        let module_ids: Vec<&str> = self.modules().map(|(_, _, m)| m.id.as_str()).collect();
        for (t, m, module) in self.modules() {
            let at = |field: &'static str| [F("tracks"), I(t), F("modules"), I(m), F(field)];
            r.require_text(&at("id"), "a module id", &module.id);
            if !seen.insert(module.id.as_str()) {
                r.error(
                    &at("id"),
                    "duplicate-id",
                    format!(
                        "\"{}\" is used twice (tracks and modules share one set of names)",
                        module.id
                    ),
                );
            }
            match &module.task {
                Task::Scenario(id) => {
                    if let Some(known) = scenario_known
                        && !known(id)
                    {
                        r.report(
                            Severity::Error,
                            &at("task"),
                            "unknown-scenario",
                            format!("module \"{}\" names scenario \"{id}\", which is not in the library", module.id),
                            Some("check the id with `holdline list`".into()),
                        );
                    }
                }
                Task::ReviewDrills(n) => {
                    r.require_range(
                        &at("task"),
                        "the number of review drills",
                        (*n).into(),
                        1,
                        100,
                    );
                }
                Task::Shift => {}
            }
            for (k, required) in module.requires.iter().enumerate() {
                let path = [F("tracks"), I(t), F("modules"), I(m), F("requires"), I(k)];
                if required == &module.id {
                    r.error(
                        &path,
                        "requires-itself",
                        format!("module \"{}\" requires itself", module.id),
                    );
                } else if !module_ids.contains(&required.as_str()) {
                    let help = did_you_mean(required, module_ids.iter().copied())
                        .map(|c| format!("did you mean \"{c}\"?"));
                    r.report(
                        Severity::Error,
                        &path,
                        "unknown-module",
                        format!("module \"{}\" requires \"{required}\", which is not a module of this curriculum", module.id),
                        help,
                    );
                }
            }
            if let Some(day) = module.due_day {
                r.require_range(&at("due_day"), "the due day", day.into(), 1, 3650);
            }
            if let Some(n) = module.max_attempts {
                r.require_range(&at("max_attempts"), "the attempt limit", n.into(), 1, 1000);
            }
            if let Some(marks) = module.pass {
                for (field, v) in [
                    ("empathy", marks.empathy),
                    ("accuracy", marks.accuracy),
                    ("deescalation", marks.deescalation),
                ] {
                    r.require_range(
                        &[F("tracks"), I(t), F("modules"), I(m), F("pass"), F(field)],
                        &format!("the {field} mark"),
                        v.into(),
                        0,
                        100,
                    );
                }
            }
        }
        if let Some(c) = &self.certification {
            certification::validate(&mut r, c, &module_ids, scenario_known);
        }
        if let Some((t, m, cycle)) = self.requires_cycle() {
            r.error(
                &[F("tracks"), I(t), F("modules"), I(m), F("requires")],
                "requires-cycle",
                format!(
                    "modules require each other in a circle ({}), so none of them can open",
                    cycle.join(" -> ")
                ),
            );
        }
        r.out.sort_by_key(|d| (d.line, d.col));
        r.out
    }

    /// A loop of `requires`, if any: where it starts and the ids around it.
    fn requires_cycle(&self) -> Option<(usize, usize, Vec<String>)> {
        let by_id: BTreeMap<&str, (usize, usize, &Module)> = self
            .modules()
            .map(|(t, m, module)| (module.id.as_str(), (t, m, module)))
            .collect();
        for (&start, &(t, m, _)) in &by_id {
            // Walk every chain from `start`; modules are few, so depth-first with a path is fine.
            let mut stack: Vec<(&str, Vec<String>)> = vec![(start, vec![start.to_string()])];
            let mut visited: HashSet<&str> = HashSet::new();
            while let Some((id, path)) = stack.pop() {
                let Some((_, _, module)) = by_id.get(id) else {
                    continue;
                };
                for next in &module.requires {
                    if next == start {
                        let mut cycle = path.clone();
                        cycle.push(start.to_string());
                        return Some((t, m, cycle));
                    }
                    if visited.insert(next.as_str()) {
                        let mut longer = path.clone();
                        longer.push(next.clone());
                        stack.push((next.as_str(), longer));
                    }
                }
            }
        }
        None
    }
}

/// Where a trainee stands on one module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ModuleState {
    /// Passed, on the attempt that did it.
    Passed {
        /// Day of the programme it was passed on (1 = the trainee's first day).
        on_day: i64,
        /// Attempts it took.
        attempts: u32,
    },
    /// Waiting for these modules to be passed first.
    Locked {
        /// The required modules not yet passed.
        waiting_for: Vec<String>,
    },
    /// Open, with attempts used so far.
    Open {
        /// Attempts made (finished or not).
        attempts: u32,
    },
    /// Every allowed attempt used without passing.
    Failed {
        /// Attempts made.
        attempts: u32,
    },
}

/// One module's standing, with its due day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleStanding {
    /// The module's id.
    pub module: String,
    /// The track it is in.
    pub track: String,
    /// What it asks for, in words: "Pass late-parcel", "Pass 3 review drills", "Pass a shift".
    pub task: String,
    /// The scenario it asks for, when it asks for one (for screens that show its title).
    pub scenario: Option<String>,
    /// Where the trainee stands.
    pub state: ModuleState,
    /// The day of the programme it is due by.
    pub due_day: Option<u32>,
    /// Whether it is past due and not passed.
    pub overdue: bool,
}

/// A trainee's standing on a whole curriculum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurriculumStanding {
    /// The curriculum's id.
    pub curriculum: String,
    /// Its title.
    pub title: String,
    /// Today's day of the programme (1 = the trainee's first day).
    pub day: i64,
    /// Every module, in curriculum order.
    pub modules: Vec<ModuleStanding>,
}

impl CurriculumStanding {
    /// Modules passed, of all.
    pub fn passed(&self) -> (usize, usize) {
        let passed = self
            .modules
            .iter()
            .filter(|m| matches!(m.state, ModuleState::Passed { .. }))
            .count();
        (passed, self.modules.len())
    }

    /// The first open module, in curriculum order: what to do next.
    pub fn next(&self) -> Option<&ModuleStanding> {
        self.modules
            .iter()
            .find(|m| matches!(m.state, ModuleState::Open { .. }))
    }
}

/// Whether `attempt` passes `module`'s bar. Abandoned attempts and walkouts never pass.
pub fn attempt_passes(module: &Module, attempt: &AttemptRecord) -> bool {
    let Some(outcome) = attempt
        .outcome
        .as_ref()
        .filter(|_| attempt.status == AttemptStatus::Finished)
    else {
        return false;
    };
    if outcome.kind == EndingKind::CustomerLeft {
        return false;
    }
    if !outcome.critical.is_empty() && module.critical_fails {
        return false;
    }
    match module.pass {
        Some(marks) => {
            outcome.empathy >= marks.empathy
                && outcome.accuracy >= marks.accuracy
                && outcome.deescalation >= marks.deescalation
        }
        // The scenario's own pass, minus the critical rule when the module waives it.
        None => outcome.passed || (!module.critical_fails && !outcome.critical.is_empty()),
    }
}

/// The attempts that count towards `module`, oldest first.
fn attempts_for<'a>(module: &Module, attempts: &'a [AttemptRecord]) -> Vec<&'a AttemptRecord> {
    attempts
        .iter()
        .filter(|a| match (&module.task, &a.kind) {
            (Task::Scenario(id), AttemptKind::Scenario | AttemptKind::Shift { .. }) => {
                &a.scenario_id == id
            }
            (Task::ReviewDrills(_), AttemptKind::Drill { .. }) => true,
            (Task::Shift, AttemptKind::Shift { .. }) => true,
            _ => false,
        })
        .collect()
}

/// A module worked out: its track's index, the module, attempts counted, and (programme day,
/// attempts taken) when passed.
type Worked<'c> = (usize, &'c Module, u32, Option<(i64, u32)>);

/// Where a trainee stands on `curriculum`, from `attempts` (oldest first), the programme having
/// begun on calendar day `first_day` and today being `today` (days as [`super::day_of`]).
pub fn curriculum_standing(
    curriculum: &Curriculum,
    attempts: &[AttemptRecord],
    first_day: i64,
    today: i64,
) -> CurriculumStanding {
    let programme_day = |day: i64| day - first_day + 1;
    let mut passed: BTreeMap<&str, (i64, u32)> = BTreeMap::new();
    let mut raw: Vec<Worked<'_>> = Vec::new();
    for (t, _, module) in curriculum.modules() {
        let counted = attempts_for(module, attempts);
        let result = match &module.task {
            Task::Scenario(_) => counted
                .iter()
                .enumerate()
                .find(|(_, a)| attempt_passes(module, a))
                .map(|(i, a)| (programme_day(a.day()), i as u32 + 1)),
            Task::ReviewDrills(needed) => {
                let mut count = 0;
                counted.iter().enumerate().find_map(|(i, a)| {
                    count += u32::from(attempt_passes(module, a) || drill_passed(a));
                    (count >= *needed).then(|| (programme_day(a.day()), i as u32 + 1))
                })
            }
            Task::Shift => shift_passed(module, &counted).map(|(d, n)| (programme_day(d), n)),
        };
        if let Some(done) = result {
            passed.insert(module.id.as_str(), done);
        }
        raw.push((t, module, counted.len() as u32, result));
    }
    let modules = raw
        .into_iter()
        .map(|(t, module, attempts, result)| {
            let waiting_for: Vec<String> = module
                .requires
                .iter()
                .filter(|r| !passed.contains_key(r.as_str()))
                .cloned()
                .collect();
            let state = match result {
                Some((on_day, attempts)) => ModuleState::Passed { on_day, attempts },
                None if !waiting_for.is_empty() => ModuleState::Locked { waiting_for },
                None if module.max_attempts.is_some_and(|max| attempts >= max) => {
                    ModuleState::Failed { attempts }
                }
                None => ModuleState::Open { attempts },
            };
            let overdue = !matches!(state, ModuleState::Passed { .. })
                && module
                    .due_day
                    .is_some_and(|d| programme_day(today) > i64::from(d));
            ModuleStanding {
                module: module.id.clone(),
                track: curriculum.tracks[t].title.clone(),
                task: match &module.task {
                    Task::Scenario(id) => format!("Pass {id}"),
                    Task::ReviewDrills(1) => "Pass a review drill".to_string(),
                    Task::ReviewDrills(n) => format!("Pass {n} review drills"),
                    Task::Shift => "Pass a whole shift".to_string(),
                },
                scenario: match &module.task {
                    Task::Scenario(id) => Some(id.clone()),
                    _ => None,
                },
                state,
                due_day: module.due_day,
                overdue,
            }
        })
        .collect();
    CurriculumStanding {
        curriculum: curriculum.id.clone(),
        title: curriculum.title.clone(),
        day: programme_day(today),
        modules,
    }
}

/// A drill passes by its own review mark, recorded as the outcome's `passed`.
fn drill_passed(attempt: &AttemptRecord) -> bool {
    attempt.outcome.as_ref().is_some_and(|o| o.passed)
}

/// The first shift every call of which was taken and passed the module's bar: its day, and how
/// many shifts were tried up to it.
fn shift_passed(module: &Module, calls: &[&AttemptRecord]) -> Option<(i64, u32)> {
    let mut shifts: Vec<(&str, u32, Vec<&AttemptRecord>)> = Vec::new();
    for call in calls {
        if let AttemptKind::Shift {
            shift_id,
            calls: total,
            ..
        } = &call.kind
        {
            match shifts.iter_mut().find(|(id, _, _)| id == shift_id) {
                Some((_, _, taken)) => taken.push(call),
                None => shifts.push((shift_id, *total, vec![call])),
            }
        }
    }
    shifts
        .iter()
        .enumerate()
        .find_map(|(i, (_, total, taken))| {
            let complete =
                taken.len() as u32 == *total && taken.iter().all(|c| attempt_passes(module, c));
            complete.then(|| (taken.last().map_or(0, |c| c.day()), i as u32 + 1))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::standing_tests::attempt;
    use crate::scenario::model::Channel;

    const SOURCE: &str = r#"Curriculum(
    id: "core",
    title: "Core",
    tracks: [
        Track(id: "w1", title: "Week 1", modules: [
            Module(id: "a", task: Scenario("late-parcel"), due_day: 2),
            Module(id: "b", task: Scenario("double-charge"), requires: ["a"], due_day: 3,
                pass: (empathy: 60, accuracy: 70, deescalation: 60), max_attempts: 2),
            Module(id: "c", task: ReviewDrills(1), requires: ["b"]),
        ]),
    ],
)"#;

    fn core() -> Curriculum {
        Curriculum::from_source("core.ron", SOURCE.as_bytes(), None)
            .expect("valid")
            .0
    }

    fn state(s: &CurriculumStanding, id: &str) -> ModuleState {
        s.modules
            .iter()
            .find(|m| m.module == id)
            .unwrap()
            .state
            .clone()
    }

    #[test]
    fn modules_open_in_order_pass_at_their_marks_and_fail_when_attempts_run_out() {
        let c = core();
        // Day 10 is the trainee's first day.
        let fresh = curriculum_standing(&c, &[], 10, 10);
        assert_eq!(state(&fresh, "a"), ModuleState::Open { attempts: 0 });
        assert_eq!(
            state(&fresh, "b"),
            ModuleState::Locked {
                waiting_for: vec!["a".into()]
            }
        );
        assert_eq!(fresh.next().unwrap().module, "a");

        let passed_a = attempt("late-parcel", Channel::Chat, 10, [70, 70, 70], 2);
        // Good overall but accuracy 65 is under b's mark of 70, twice: b is failed.
        let weak_b1 = attempt("double-charge", Channel::Phone, 11, [90, 65, 90], 3);
        let weak_b2 = attempt("double-charge", Channel::Phone, 12, [90, 65, 90], 3);
        let s = curriculum_standing(
            &c,
            &[passed_a.clone(), weak_b1.clone(), weak_b2.clone()],
            10,
            12,
        );
        assert_eq!(
            state(&s, "a"),
            ModuleState::Passed {
                on_day: 1,
                attempts: 1
            }
        );
        assert_eq!(state(&s, "b"), ModuleState::Failed { attempts: 2 });
        assert_eq!(
            state(&s, "c"),
            ModuleState::Locked {
                waiting_for: vec!["b".into()]
            }
        );
        // b is due by day 3: not overdue on day 3 (calendar day 12), overdue the day after.
        assert!(!s.modules[1].overdue);
        let later = curriculum_standing(&c, &[passed_a.clone(), weak_b1.clone(), weak_b2], 10, 13);
        assert!(later.modules[1].overdue);

        // One weak attempt then a good one passes b on the second attempt.
        let good_b = attempt("double-charge", Channel::Phone, 12, [70, 75, 70], 2);
        let s = curriculum_standing(&c, &[passed_a, weak_b1, good_b], 10, 12);
        assert_eq!(
            state(&s, "b"),
            ModuleState::Passed {
                on_day: 3,
                attempts: 2
            }
        );
        assert_eq!(s.passed(), (2, 3));
    }

    #[test]
    fn a_critical_breach_or_a_walkout_never_passes() {
        let c = core();
        let module = &c.tracks[0].modules[1];
        let mut breach = attempt("double-charge", Channel::Phone, 1, [90, 90, 90], 3);
        breach
            .outcome
            .as_mut()
            .unwrap()
            .critical
            .push(crate::scoring::CriticalBreach {
                claim: "card-read-aloud".into(),
                matched: "read me the card number".into(),
                why: "PCI".into(),
            });
        assert!(!attempt_passes(module, &breach));
        let mut waived = module.clone();
        waived.critical_fails = false;
        assert!(attempt_passes(&waived, &breach));
        let mut left = attempt("double-charge", Channel::Phone, 1, [90, 90, 90], 3);
        left.outcome.as_mut().unwrap().kind = EndingKind::CustomerLeft;
        assert!(!attempt_passes(module, &left));
    }

    #[test]
    fn mistakes_are_reported_where_they_are() {
        let broken = SOURCE
            .replace(r#"requires: ["a"]"#, r#"requires: ["aa", "c"]"#)
            .replace("due_day: 2", "due_day: 0");
        let known = |id: &str| id == "late-parcel";
        let errors =
            Curriculum::from_source("core.ron", broken.as_bytes(), Some(&known)).unwrap_err();
        let codes: Vec<(&str, usize)> = errors.iter().map(|d| (d.code, d.line)).collect();
        assert!(codes.contains(&("out-of-range", 6)), "{errors:?}");
        assert!(codes.contains(&("unknown-module", 7)), "{errors:?}");
        assert!(codes.contains(&("unknown-scenario", 7)), "{errors:?}");
        assert!(
            codes.iter().any(|(c, _)| *c == "requires-cycle"),
            "{errors:?}"
        );
    }

    #[test]
    fn the_shipped_curriculum_is_valid() {
        let text = include_str!("../../curricula/new-hire-core.ron");
        let (c, warnings) =
            Curriculum::from_source("new-hire-core.ron", text.as_bytes(), None).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(c.modules().count() >= 5);
    }
}
