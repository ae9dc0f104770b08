//! `holdline test`: runs the `*.test.ron` files beside the scenarios, reports each failure at
//! its `file:line:col`, and prints what the tests exercised (nodes, endings, rubric facts,
//! lexicon rules). Exit code 1 when a test fails, or with `--deny-untested` when a scenario has
//! no test file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use super::ScorerChoice;
use super::exit::{self, CliError, CliResult};
use super::plural;
use crate::scenario::library::{FileKind, load_paths, ron_files, sniff_file};
use crate::scenario::load::{MAX_FILE_BYTES, read_input_file};
use crate::scenario::rule::KnownRules;
use crate::scoring::semantic::RULE_PREFIX;
use crate::scoring::semantic::banks::ExemplarBanks;
use crate::scoring::{Lexicon, ReplyScorer};
use crate::session::paths::{PathLimits, paths};
use crate::session::scenario_tests::{
    Coverage, CoverageCounts, draft_tests, parse_tests, run_tests, test_text,
};

/// The file name ending that marks a scenario's tests.
pub const TEST_SUFFIX: &str = ".test.ron";

pub fn run(
    folder: &Path,
    paths: &[PathBuf],
    deny_untested: bool,
    lexicon: Lexicon,
    scoring: &ScorerChoice,
) -> CliResult {
    let given: Vec<PathBuf> = if paths.is_empty() {
        vec![folder.to_path_buf()]
    } else {
        paths.to_vec()
    };
    if let Some(missing) = given.iter().find(|p| !p.exists()) {
        return Err(CliError::usage(format!(
            "{} does not exist; give test files or folders of them (default: the scenarios folder)",
            missing.display()
        )));
    }
    let files: Vec<PathBuf> = ron_files(&given)
        .into_iter()
        .filter(|f| given.contains(f) || is_test_file(f))
        .collect();
    // The scenarios a test can name: the library, and the folders the tests are in.
    let mut library_dirs: Vec<PathBuf> = vec![folder.to_path_buf()];
    for file in &files {
        let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        if !library_dirs.contains(&dir) {
            library_dirs.push(dir);
        }
    }
    let library_dirs: Vec<PathBuf> = library_dirs.into_iter().filter(|d| d.is_dir()).collect();
    let library = load_paths(&library_dirs, &lexicon);
    let scorer: Arc<dyn ReplyScorer> = Arc::new(scoring.build(&lexicon));
    let banks = scoring
        .exemplars
        .clone()
        .unwrap_or_else(ExemplarBanks::builtin);

    let mut passed = 0usize;
    let mut failed = 0usize;
    let mut broken_files = 0usize;
    let mut tested: BTreeMap<String, Coverage> = BTreeMap::new();
    for file in &files {
        let label = file.display().to_string();
        let bytes = match read_input_file(file, MAX_FILE_BYTES) {
            Ok(b) => b,
            Err(err) => {
                eprintln!("{label}: error: cannot read test file: {err}");
                broken_files += 1;
                continue;
            }
        };
        let tests = match parse_tests(&label, &bytes) {
            Ok(t) => t,
            Err(diagnostic) => {
                eprintln!("{diagnostic}");
                broken_files += 1;
                // Its scenario has a test file, broken: not listed as untested.
                if let Some(stem) = file
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(TEST_SUFFIX))
                {
                    tested.entry(stem.to_string()).or_default();
                }
                continue;
            }
        };
        let Some(loaded) = library.find(&tests.scenario) else {
            let why = if library
                .diagnostics
                .iter()
                .any(|d| d.is_error() && d.file.contains(&tests.scenario))
            {
                "it has errors (run `holdline validate`)"
            } else {
                "no scenario has that id in the scenarios folder or beside the test file"
            };
            eprintln!(
                "{label}: error: the tests are for \"{}\", which cannot be loaded: {why}",
                tests.scenario
            );
            broken_files += 1;
            continue;
        };
        let scenario = &loaded.scenario;
        let known = |id: &str| {
            lexicon.knows_rule(id)
                || scenario.scoring.rules.iter().any(|r| r.id == id)
                || id
                    .strip_prefix(RULE_PREFIX)
                    .is_some_and(|bank| banks.banks.iter().any(|b| b.id == bank))
        };
        let text = test_text(&label, &bytes).unwrap_or_default();
        let result = run_tests(&label, text, &tests, scenario, &scorer, &known);
        let failing_tests = result.failed;
        for failure in &result.failures {
            println!("{failure}");
        }
        passed += result.tests.saturating_sub(failing_tests);
        failed += failing_tests;
        println!(
            "{label}: {} test{}, {}; {}",
            result.tests,
            plural(result.tests),
            if failing_tests == 0 {
                "all passed".to_string()
            } else {
                format!("{failing_tests} failed")
            },
            counts_line(result.coverage.counts(scenario))
        );
        tested
            .entry(scenario.id.clone())
            .or_default()
            .merge(&result.coverage);
    }
    // Scenarios without tests are looked for only in the folders given (the whole library by
    // default): running one test file says nothing about the others.
    let searched: Vec<&PathBuf> = given.iter().filter(|p| p.is_dir()).collect();
    let untested: Vec<&str> = library
        .scenarios
        .iter()
        .filter(|s| searched.iter().any(|dir| s.path.starts_with(dir)))
        .map(|s| s.scenario.id.as_str())
        .filter(|id| !tested.contains_key(*id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut counts = CoverageCounts::default();
    let mut rules_fired: BTreeSet<&str> = BTreeSet::new();
    for loaded in &library.scenarios {
        if let Some(coverage) = tested.get(&loaded.scenario.id) {
            counts = counts.plus(coverage.counts(&loaded.scenario));
            rules_fired.extend(coverage.rules.iter().map(String::as_str));
        }
    }
    let lexicon_rules = lexicon.rule_ids();
    let rules_hit = lexicon_rules
        .iter()
        .filter(|r| rules_fired.contains(**r))
        .count();
    println!();
    println!(
        "coverage over {} tested scenario{}: {}; lexicon rules {rules_hit}/{} fired",
        tested.len(),
        plural(tested.len()),
        counts_line(counts),
        lexicon_rules.len()
    );
    if !untested.is_empty() {
        let severity = if deny_untested { "error" } else { "warning" };
        println!(
            "{severity}: {} scenario{} without a test file: {} (add NAME{TEST_SUFFIX} beside each; docs/scenario-tests.md)",
            untested.len(),
            plural(untested.len()),
            untested.join(", ")
        );
    }
    let untested_fails = deny_untested && !untested.is_empty();
    let ok = failed == 0 && broken_files == 0 && !untested_fails;
    println!(
        "test result: {}. {passed} passed; {failed} failed; {} file{} read{}",
        if ok { "ok" } else { "FAILED" },
        files.len(),
        plural(files.len()),
        if broken_files > 0 {
            format!(", {broken_files} could not be run")
        } else {
            String::new()
        }
    );
    if files.is_empty() {
        eprintln!(
            "note: no *{TEST_SUFFIX} files found in {}",
            given
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if ok {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(CliError::reported(exit::INVALID))
    }
}

/// `holdline test --draft ID`: a starting test file on stdout.
pub fn draft(folder: &Path, wanted: &str, lexicon: Lexicon, scoring: &ScorerChoice) -> CliResult {
    let loaded = super::resolve_scenario(folder, wanted, &lexicon)?;
    let scorer: Arc<dyn ReplyScorer> = Arc::new(scoring.build(&lexicon));
    let seed = 1;
    let found = paths(
        Arc::clone(&loaded.scenario),
        seed,
        Arc::clone(&scorer),
        &PathLimits::default(),
    );
    print!("{}", draft_tests(&loaded.scenario, &found, seed, &scorer));
    Ok(ExitCode::SUCCESS)
}

/// `nodes 7/9, endings 4/5, rubric facts 3/3 stated`.
fn counts_line(counts: CoverageCounts) -> String {
    let CoverageCounts {
        nodes,
        endings,
        facts,
    } = counts;
    format!(
        "nodes {}/{}, endings {}/{}, rubric facts {}/{} stated",
        nodes.0, nodes.1, endings.0, endings.1, facts.0, facts.1
    )
}

/// A `NAME.test.ron`, or any `.ron` file whose first item is `ScenarioTests(`.
fn is_test_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.ends_with(TEST_SUFFIX)
        || (name.ends_with(".ron") && sniff_file(path) == Some(FileKind::ScenarioTests))
}
