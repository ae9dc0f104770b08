//! Loading scenario files and folders into a library: parse, validate, and cross-file checks
//! (duplicate scenario ids, file names that do not match ids). Bad files are reported, not fatal.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::diagnostic::{Diagnostic, DiagnosticCounts, Severity};
use super::load::{MAX_FILE_BYTES, RonKind, decode, parse_ron};
use super::model::Scenario;
use super::rule::KnownRules;
use super::validate::validate;

/// A scenario that loaded with no errors (it may have warnings).
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The file the scenario was read from.
    pub path: PathBuf,
    /// The scenario itself, shared so screens and sessions can hold it cheaply.
    pub scenario: Arc<Scenario>,
}

/// Everything found while loading some paths.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// The scenarios that loaded without errors, in the order their files were read.
    pub scenarios: Vec<LoadedScenario>,
    /// Every diagnostic from every file, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were tried, readable or not and of whatever kind.
    pub files_checked: usize,
}

impl LoadReport {
    /// Counts of errors and warnings across every file.
    pub fn tally(&self) -> DiagnosticCounts {
        DiagnosticCounts::of(&self.diagnostics)
    }

    /// The loaded scenario with this id, if any.
    pub fn find(&self, id: &str) -> Option<&LoadedScenario> {
        self.scenarios.iter().find(|s| s.scenario.id == id)
    }
}

/// Parses and validates one scenario held in memory. `file` labels the diagnostics.
/// Returns the scenario when it has no errors, and every diagnostic either way.
pub fn load_source(
    file: &str,
    bytes: &[u8],
    rules: &dyn KnownRules,
) -> (Option<Scenario>, Vec<Diagnostic>) {
    let scenario: Scenario = match parse_ron(RonKind::Scenario, file, bytes) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let text = decode(file, bytes).unwrap_or_default();
    let diagnostics = validate(file, text, &scenario, rules);
    let ok = !diagnostics.iter().any(Diagnostic::is_error);
    (ok.then_some(scenario), diagnostics)
}

/// Which kind of holdline file a RON text holds, judged by its first identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A scenario (anything that is not one of the other kinds).
    Scenario,
    /// The scoring lexicon, starting with `Lexicon`.
    Lexicon,
    /// The progress rules, starting with `ProgressRules`.
    ProgressRules,
    /// The semantic layer's exemplar banks, starting with `ExemplarBanks`.
    ExemplarBanks,
    /// A scenario's tests, starting with `ScenarioTests` (`holdline test` runs them).
    ScenarioTests,
    /// An onboarding curriculum, starting with `Curriculum`.
    Curriculum,
    /// A desktop's learning record store settings (`xapi.ron`), starting with `XapiConfig`.
    XapiConfig,
    /// The semantic layer's calibrated directions, starting with `CalibratedDirections`.
    CalibratedDirections,
    /// A trainer's calibration labels (`holdline calibrate` reads them), starting with
    /// `Calibration`.
    CalibrationLabels,
}

/// Which kind of file `bytes` holds, from the first line in its first 4 KiB that is neither blank
/// nor a comment.
pub fn sniff_kind(bytes: &[u8]) -> FileKind {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let code = text
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with("//"))
        .unwrap_or("");
    if code.starts_with("Lexicon") {
        FileKind::Lexicon
    } else if code.starts_with("ProgressRules") {
        FileKind::ProgressRules
    } else if code.starts_with("ExemplarBanks") {
        FileKind::ExemplarBanks
    } else if code.starts_with("ScenarioTests") {
        FileKind::ScenarioTests
    } else if code.starts_with("Curriculum") {
        FileKind::Curriculum
    } else if code.starts_with("XapiConfig") {
        FileKind::XapiConfig
    } else if code.starts_with("CalibratedDirections") {
        FileKind::CalibratedDirections
    } else if code.starts_with("Calibration") {
        FileKind::CalibrationLabels
    } else {
        FileKind::Scenario
    }
}

/// Which kind of file `path` is, from its first 4 KiB; `None` for anything that is not a
/// readable regular file (a pipe would block a plain read for ever).
pub fn sniff_file(path: &Path) -> Option<FileKind> {
    super::load::read_input_file(path, 4096)
        .ok()
        .map(|bytes| sniff_kind(&bytes))
}

/// Checks a lexicon, progress-rules or exemplars file found among scenarios: given by the layer that
/// knows those formats (`holdline validate`), as (kind, label, bytes) → diagnostics.
pub type OtherFileCheck<'a> = &'a dyn Fn(FileKind, &str, &[u8]) -> Vec<Diagnostic>;

/// Loads every `.ron` file in `paths` (folders are searched recursively, in name order).
/// Lexicon and progress-rules files found among them are skipped: they are not scenarios.
pub fn load_paths(paths: &[PathBuf], rules: &dyn KnownRules) -> LoadReport {
    load_paths_checking(paths, rules, &|_, _, _| Vec::new())
}

/// As [`load_paths`], with lexicon and progress-rules files checked by `check_other`, their
/// diagnostics in file order among the scenarios'.
pub fn load_paths_checking(
    paths: &[PathBuf],
    rules: &dyn KnownRules,
    check_other: OtherFileCheck<'_>,
) -> LoadReport {
    let mut report = LoadReport::default();
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_ron_files(path, &mut files, &mut report.diagnostics);
        } else {
            files.push(path.clone());
        }
    }
    for file in files {
        load_file(&file, rules, check_other, &mut report);
    }
    check_duplicate_ids(&mut report);
    report
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

fn whole_file_error(
    path: &Path,
    code: &'static str,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    Diagnostic::whole_file(display(path), code, message, help)
}

/// Folders nested deeper than this below a folder given to holdline are not searched.
pub const MAX_FOLDER_DEPTH: usize = 16;

/// Every `.ron` file in `paths` (folders searched recursively, in name order; files as given).
/// Problems reading folders are left to the loaders, which report them.
pub fn ron_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_ron_files(path, &mut files, &mut ignored);
        } else {
            files.push(path.clone());
        }
    }
    files
}

fn collect_ron_files(dir: &Path, out: &mut Vec<PathBuf>, diagnostics: &mut Vec<Diagnostic>) {
    let mut visited = std::collections::HashSet::new();
    collect_ron_files_in(dir, 0, &mut visited, out, diagnostics);
}

/// Walks `dir`, each real folder once: a link back to a folder already walked (`ln -s . a`) is
/// reported and skipped, instead of being walked again and again.
fn collect_ron_files_in(
    dir: &Path,
    depth: usize,
    visited: &mut std::collections::HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if !visited.insert(real.clone()) {
        diagnostics.push(Diagnostic {
            severity: super::diagnostic::Severity::Warning,
            ..whole_file_error(
                dir,
                "folder-loop",
                format!(
                    "this folder is {} again, through a link; it was searched once",
                    real.display()
                ),
                Some("remove the link, or point it outside the scenario folder".into()),
            )
        });
        return;
    }
    if depth > MAX_FOLDER_DEPTH {
        diagnostics.push(Diagnostic {
            severity: super::diagnostic::Severity::Warning,
            ..whole_file_error(
                dir,
                "folder-too-deep",
                format!("folders more than {MAX_FOLDER_DEPTH} levels deep are not searched"),
                Some("move the scenarios nearer the top of the folder".into()),
            )
        });
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            diagnostics.push(whole_file_error(
                dir,
                "unreadable",
                format!("cannot read folder: {err}"),
                None,
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_ron_files_in(&path, depth + 1, visited, out, diagnostics);
        } else if path.extension().is_some_and(|e| e == "ron") {
            out.push(path);
        }
    }
}

fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    super::load::read_input_file(path, MAX_FILE_BYTES)
}

fn load_file(
    path: &Path,
    rules: &dyn KnownRules,
    check_other: OtherFileCheck<'_>,
    report: &mut LoadReport,
) {
    report.files_checked += 1;
    let label = display(path);
    let bytes = match read_limited(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            let help = (err.kind() == std::io::ErrorKind::NotFound).then(|| {
                "check the path; `holdline list` shows the scenarios it can find".to_string()
            });
            report.diagnostics.push(whole_file_error(
                path,
                "unreadable",
                format!("cannot read file: {err}"),
                help,
            ));
            return;
        }
    };
    match sniff_kind(&bytes) {
        FileKind::Scenario => {}
        other => {
            report
                .diagnostics
                .extend(check_other(other, &label, &bytes));
            return;
        }
    }
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let (scenario, diagnostics) = load_scenario_file(&label, stem, &bytes, rules);
    report.diagnostics.extend(diagnostics);
    if let Some(scenario) = scenario {
        report.scenarios.push(LoadedScenario {
            path: path.to_path_buf(),
            scenario: Arc::new(scenario),
        });
    }
}

fn check_duplicate_ids(report: &mut LoadReport) {
    let mut taken = TakenIds::default();
    let mut keep = Vec::new();
    for loaded in std::mem::take(&mut report.scenarios) {
        match taken.claim(&loaded.scenario.id, &display(&loaded.path)) {
            Ok(()) => keep.push(loaded),
            Err(refused) => report.diagnostics.push(refused),
        }
    }
    report.scenarios = keep;
}

/// One scenario file as a library takes it (the CLI's and the app's alike): parsed and
/// validated, and warned about when its name (`file_stem`) is not its id, so trainers can find
/// it. `label` names the file in diagnostics.
pub fn load_scenario_file(
    label: &str,
    file_stem: &str,
    bytes: &[u8],
    rules: &dyn KnownRules,
) -> (Option<Scenario>, Vec<Diagnostic>) {
    let (scenario, mut diagnostics) = load_source(label, bytes, rules);
    if let Some(scenario) = &scenario
        && file_stem != scenario.id
    {
        let text = decode(label, bytes).unwrap_or_default();
        let (line, col) = super::diagnostic::LineIndex::new(text).position(
            super::span_index::SpanNode::index(text)
                .locate(&[super::span_index::Step::Field("id")]),
        );
        diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            file: label.to_string(),
            line,
            col,
            code: "file-name",
            message: format!(
                "scenario id \"{}\" does not match the file name \"{file_stem}.ron\"",
                scenario.id
            ),
            help: Some(format!(
                "rename the file to {}.ron so trainers can find it",
                scenario.id
            )),
        });
    }
    (scenario, diagnostics)
}

/// The scenario ids one library has taken, and the file that took each. Progress is stored by
/// scenario id, so a second file with an id already taken is refused, not played.
#[derive(Debug, Default)]
pub struct TakenIds(HashMap<String, String>);

impl TakenIds {
    /// Takes `id` for the file `label`, or says which file already has it.
    pub fn claim(&mut self, id: &str, label: &str) -> Result<(), Diagnostic> {
        if let Some(first) = self.0.get(id) {
            return Err(Diagnostic::whole_file(
                label.to_string(),
                "duplicate-scenario",
                format!("scenario id \"{id}\" is already used by {first}"),
                Some("every scenario needs its own id; progress is stored by id".into()),
            ));
        }
        self.0.insert(id.to_string(), label.to_string());
        Ok(())
    }
}

/// The order a library is shown in, everywhere: by tier, then title, then id.
pub fn library_order(a: &Scenario, b: &Scenario) -> std::cmp::Ordering {
    (a.tier, &a.title, &a.id).cmp(&(b.tier, &b.title, &b.id))
}
