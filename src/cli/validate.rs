//! `holdline validate`: compiler-style diagnostics for scenario and rule files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::ScorerChoice;
use super::exit::{self, CliResult};
use super::plural;
use crate::progress::ProgressRules;
use crate::progress::certification::pack_changed;
use crate::progress::curriculum::Curriculum;
use crate::scenario::Diagnostic;
use crate::scenario::library::LoadedScenario;
use crate::scenario::library::{FileKind, load_paths_checking};
use crate::scenario::load::{MAX_FILE_BYTES, read_input_file};
use crate::scenario::model::{Condition, Turn};
use crate::scenario::span_index::Step;
use crate::scoring::lexicon::builtin;
use crate::scoring::{Lexicon, ReplyScorer, ScoringContext};

pub fn run(
    paths: &[PathBuf],
    lexicon: &Lexicon,
    scoring: &ScorerChoice,
    pack_sources: super::certify::PackSources<'_>,
    deny_warnings: bool,
    json: bool,
) -> CliResult {
    let mut report = load_paths_checking(paths, lexicon, &check_other_file);
    // Model answers are scored as play scores them (rules plus the semantic layer), so a lint
    // agrees with what a trainee who types the answer gets. The model loads only when there is
    // a typed turn to check; if it cannot load, `build` says so and the rules judge alone.
    let has_typed_turn = report.scenarios.iter().any(|loaded| {
        loaded
            .scenario
            .nodes
            .iter()
            .any(|n| matches!(n.turn, Turn::FreeText(_)))
    });
    let lints: Vec<Diagnostic> = if has_typed_turn {
        let scorer = scoring.build(lexicon);
        report
            .scenarios
            .iter()
            .flat_map(|loaded| check_model_answers(loaded, &scorer))
            .collect()
    } else {
        Vec::new()
    };
    report.diagnostics.extend(lints);
    report.diagnostics.extend(check_curriculum_scenarios(
        paths,
        &report.scenarios,
        pack_sources,
    ));
    report
        .diagnostics
        .extend(check_label_targets(paths, &report.scenarios, lexicon));
    let tally = report.tally();
    let failed =
        tally.errors > 0 || (deny_warnings && tally.warnings > 0) || report.files_checked == 0;
    if json {
        // For editors and CI: every diagnostic with its file, line, column, code and help.
        let mut value = serde_json::json!({
            "files_checked": report.files_checked,
            "scenarios_ok": report.scenarios.iter().map(|s| &s.scenario.id).collect::<Vec<_>>(),
            "errors": tally.errors,
            "warnings": tally.warnings,
            "passed": !failed,
            "diagnostics": &report.diagnostics,
        });
        if report.files_checked == 0 {
            value["help"] = format!(
                "no .ron files found in {}; give scenario files or folders",
                join(paths)
            )
            .into();
        }
        println!("{value}");
        return Ok(if failed {
            ExitCode::from(exit::INVALID)
        } else {
            ExitCode::SUCCESS
        });
    }
    for diagnostic in &report.diagnostics {
        println!("{diagnostic}");
    }
    println!(
        "checked {} file{}: {} scenario{} ok, {} error{}, {} warning{}",
        report.files_checked,
        plural(report.files_checked),
        report.scenarios.len(),
        plural(report.scenarios.len()),
        tally.errors,
        plural(tally.errors),
        tally.warnings,
        plural(tally.warnings),
    );
    if failed {
        if report.files_checked == 0 {
            println!("no .ron files found in {}", join(paths));
        }
        Ok(ExitCode::from(exit::INVALID))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// Which checks a file gets is decided here, above the layers that define each format: the
/// scenario layer knows nothing of lexicons or progress rules.
fn check_other_file(kind: FileKind, label: &str, bytes: &[u8]) -> Vec<Diagnostic> {
    match kind {
        FileKind::Lexicon => match Lexicon::from_source(label, bytes) {
            Ok((_, warnings)) => warnings,
            Err(errors) => errors,
        },
        FileKind::ProgressRules => ProgressRules::from_source(label, bytes)
            .err()
            .unwrap_or_default(),
        FileKind::ExemplarBanks => {
            match crate::scoring::semantic::banks::ExemplarBanks::from_source(label, bytes) {
                Ok(_) => Vec::new(),
                Err(errors) => errors,
            }
        }
        // Parsed here, for located syntax errors; `holdline test` runs them against the scenario.
        FileKind::ScenarioTests => crate::session::scenario_tests::parse_tests(label, bytes)
            .err()
            .into_iter()
            .collect(),
        // Structure here; the scenario ids it names are checked in `run`, against the library.
        FileKind::Curriculum => {
            match crate::progress::curriculum::Curriculum::from_source(label, bytes, None) {
                Ok((_, warnings)) => warnings,
                Err(errors) => errors,
            }
        }
        FileKind::XapiConfig => check_xapi_config(label, bytes),
        FileKind::CalibratedDirections => check_calibrated(label, bytes),
        // Structure here; `holdline calibrate` says which scenarios or nodes it cannot find.
        FileKind::CalibrationLabels => {
            crate::scoring::calibration::CalibrationSet::parse(label, bytes)
                .err()
                .into_iter()
                .collect()
        }
        FileKind::Scenario => Vec::new(),
    }
}

/// Calibrated directions: they parse, have the model's length, and belong to the shipped model.
fn check_calibrated(label: &str, bytes: &[u8]) -> Vec<Diagnostic> {
    use crate::scoring::semantic::calibrated::CalibratedDirections;
    CalibratedDirections::from_source(label, bytes)
        .and_then(|d| d.check_model(label))
        .err()
        .into_iter()
        .collect()
}

/// An `xapi.ron`: it parses, and its endpoint is one holdline can send to.
fn check_xapi_config(label: &str, bytes: &[u8]) -> Vec<Diagnostic> {
    use crate::progress::xapi_sync::{CONFIG_HELP, XapiConfig};
    let error = |line, col, message| Diagnostic {
        severity: crate::scenario::diagnostic::Severity::Error,
        file: label.to_string(),
        line,
        col,
        code: "bad-xapi-config",
        message,
        help: Some(CONFIG_HELP.into()),
    };
    match XapiConfig::parse_located(bytes) {
        Err(e) => vec![error(e.line, e.col, e.message)],
        Ok(config) => crate::progress::lrs::Endpoint::parse(&config.endpoint, &config.auth)
            .err()
            .map(|why| error(0, 0, why))
            .into_iter()
            .collect(),
    }
}

/// Each calibration label's scenario and node: among the scenarios of this run or in the
/// `scenarios/` folder beside the labels file (where `holdline calibrate` looks), and a typed
/// turn (only typed replies are scored). A label that names neither is reported where it
/// stands, rather than skipped in silence by `calibrate`.
fn check_label_targets(
    paths: &[PathBuf],
    scenarios: &[LoadedScenario],
    lexicon: &Lexicon,
) -> Vec<Diagnostic> {
    use crate::scenario::diagnostic::Reporter;
    use crate::scenario::model::Turn;
    use crate::scenario::span_index::Step::{Field as F, Index as I};
    use crate::scoring::calibration::CalibrationSet;
    let labels: Vec<(String, Vec<u8>, CalibrationSet)> = crate::scenario::library::ron_files(paths)
        .into_iter()
        .filter(|file| {
            crate::scenario::library::sniff_file(file) == Some(FileKind::CalibrationLabels)
        })
        .filter_map(|file| {
            let bytes = read_input_file(&file, MAX_FILE_BYTES).ok()?;
            let label = file.display().to_string();
            // A syntax error is reported with the other files.
            let set = CalibrationSet::parse(&label, &bytes).ok()?;
            Some((label, bytes, set))
        })
        .collect();
    // Each scenarios/ folder beside the labels, loaded once however many labels files share it.
    let mut folders: Vec<PathBuf> = Vec::new();
    for (label, ..) in &labels {
        if let Some(dir) = super::calibrate::scenarios_beside(Path::new(label))
            && !folders.contains(&dir)
        {
            folders.push(dir);
        }
    }
    let own = crate::scenario::library::load_paths(&folders, lexicon);
    let find = |id: &str| {
        scenarios
            .iter()
            .find(|l| l.scenario.id == id)
            .or_else(|| own.find(id))
            .map(|l| &l.scenario)
    };
    let mut out = Vec::new();
    for (label, bytes, set) in &labels {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let mut r = Reporter::new(label, &text);
        let pairs = set.pairs.iter().enumerate();
        let targets = pairs
            .map(|(i, p)| ("pairs", i, p.scenario.as_str(), p.node.as_str()))
            .chain(
                set.singles
                    .iter()
                    .enumerate()
                    .map(|(i, s)| ("singles", i, s.scenario.as_str(), s.node.as_str())),
            );
        for (list, i, scenario_id, node_id) in targets {
            let at = |field| [F(list), I(i), F(field)];
            match find(scenario_id) {
                None => r.error(
                    &at("scenario"),
                    "unknown-scenario",
                    format!(
                        "no scenario \"{scenario_id}\" in this run or in a scenarios/ folder beside the labels; calibrate would skip this label"
                    ),
                ),
                Some(s) => match s.node(node_id).map(|n| &n.turn) {
                    Some(Turn::FreeText(_)) => {}
                    Some(Turn::Choices(_)) => r.error(
                        &at("node"),
                        "not-a-typed-turn",
                        format!("node \"{node_id}\" of \"{scenario_id}\" is a choice turn; labels score typed replies, at free-text nodes"),
                    ),
                    None => r.error(
                        &at("node"),
                        "unknown-node",
                        format!("scenario \"{scenario_id}\" has no node \"{node_id}\""),
                    ),
                },
            }
        }
        out.extend(r.out);
    }
    out
}

/// The scenario ids curricula name, checked against the scenarios loaded in the same run (the
/// structure of each curriculum is checked with the other files), and each certification's
/// locked pack against the pack those scenarios and this scorer make.
fn check_curriculum_scenarios(
    paths: &[PathBuf],
    scenarios: &[LoadedScenario],
    pack_sources: super::certify::PackSources<'_>,
) -> Vec<Diagnostic> {
    if scenarios.is_empty() {
        return Vec::new();
    }
    let known = |id: &str| scenarios.iter().any(|s| s.scenario.id == id);
    crate::scenario::library::ron_files(paths)
        .into_iter()
        .filter_map(|file| {
            if crate::scenario::library::sniff_file(&file) != Some(FileKind::Curriculum) {
                return None;
            }
            let bytes = read_input_file(&file, MAX_FILE_BYTES).ok()?;
            Some({
                let label = file.display().to_string();
                let (curriculum, found) =
                    match Curriculum::from_source(&label, &bytes, Some(&known)) {
                        Ok((c, d)) => (Some(c), d),
                        Err(d) => (None, d),
                    };
                let text = String::from_utf8_lossy(&bytes);
                let pack = curriculum
                    .as_ref()
                    .and_then(|c| c.certification.as_ref())
                    .and_then(|cert| {
                        let here =
                            super::certify::current_pack(scenarios, cert, pack_sources).ok()?;
                        pack_changed(&label, &text, cert, &here)
                    });
                found
                    .into_iter()
                    .filter(|d| d.code == "unknown-scenario")
                    .chain(pack)
                    .collect::<Vec<_>>()
            })
        })
        .flatten()
        .collect()
}

fn join(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each model answer, scored as a first reply at its node: it should state every rubric fact,
/// make no forbidden claim, and reach the first route's score (the route an author lists first
/// is the one a strong reply should take). A model answer that fails these teaches the wrong
/// thing in the debrief.
fn check_model_answers(loaded: &LoadedScenario, scorer: &impl ReplyScorer) -> Vec<Diagnostic> {
    let label = loaded.path.display().to_string();
    let Ok(text) = std::fs::read_to_string(&loaded.path) else {
        return Vec::new();
    };
    let scenario = &loaded.scenario;
    let mut r = crate::scenario::diagnostic::Reporter::new(&label, &text);
    for (n, node) in scenario.nodes.iter().enumerate() {
        let Turn::FreeText(free) = &node.turn else {
            continue;
        };
        let context = ScoringContext::first_reply(scenario, node);
        for (i, answer) in free.rubric.model_answers.iter().enumerate() {
            let path = [
                Step::Field("nodes"),
                Step::Index(n),
                Step::Field("turn"),
                Step::Field("rubric"),
                Step::Field("model_answers"),
                Step::Index(i),
            ];
            let score = scorer.score(&context, answer);
            let of = |rule: &str| -> Vec<String> {
                score
                    .accuracy
                    .reasons
                    .iter()
                    .filter(|x| x.rule == rule)
                    .map(|x| x.explanation.clone())
                    .collect()
            };
            let facts = score.facts_missing();
            if !facts.is_empty() {
                r.warn(
                    &path,
                    "model-answer-misses-fact",
                    format!(
                        "model answer {} at node \"{}\" does not state {} (no accepted phrasing matches): add the phrasing it uses to the fact's `accept`, or state the fact in the answer",
                        i + 1,
                        node.id,
                        facts.join(", ")
                    ),
                );
            }
            if !of(builtin::FORBIDDEN_CLAIM).is_empty() {
                r.warn(
                    &path,
                    "model-answer-forbidden",
                    format!(
                        "model answer {} at node \"{}\" makes a forbidden claim; trainees copy model answers",
                        i + 1,
                        node.id
                    ),
                );
            }
            if let Some(Condition::ScoreAtLeast(mark)) = free.routes.first().map(|r| r.when)
                && score.overall < mark
            {
                r.warn(
                    &path,
                    "model-answer-below-route",
                    format!(
                        "model answer {} at node \"{}\" scores {} overall as a first reply, below the first route's ScoreAtLeast({mark}): a trainee who writes it takes a worse route",
                        i + 1,
                        node.id,
                        score.overall
                    ),
                );
            }
        }
    }
    r.out
}
