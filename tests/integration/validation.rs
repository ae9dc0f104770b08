//! The validator on a folder of broken files, one per kind of problem: each must produce the
//! right diagnostic, at the right line and column, with a message a trainer can act on.

use std::path::PathBuf;

use holdline::scenario::diagnostic::Severity;
use holdline::scenario::library::load_paths;
use holdline::scoring::Lexicon;

struct Expect {
    file: &'static str,
    severity: Severity,
    code: &'static str,
    line: usize,
    col: usize,
    message: &'static str,
    /// Text the `help:` line must contain ("" when not checked).
    help: &'static str,
}

const fn error(
    file: &'static str,
    code: &'static str,
    line: usize,
    col: usize,
    message: &'static str,
) -> Expect {
    Expect {
        file,
        severity: Severity::Error,
        code,
        line,
        col,
        message,
        help: "",
    }
}

const fn warning(
    file: &'static str,
    code: &'static str,
    line: usize,
    col: usize,
    message: &'static str,
) -> Expect {
    Expect {
        file,
        severity: Severity::Warning,
        code,
        line,
        col,
        message,
        help: "",
    }
}

const fn with_help(expect: Expect, help: &'static str) -> Expect {
    Expect { help, ..expect }
}

const EXPECTED: &[Expect] = &[
    with_help(
        error(
            "duplicate-id.ron",
            "duplicate-id",
            42,
            13,
            "id \"opening\" is used more than once",
        ),
        "rename one",
    ),
    error(
        "empty-text.ron",
        "empty-text",
        34,
        21,
        "choice 2 text is empty",
    ),
    error(
        "missing-comma.ron",
        "expected-comma",
        5,
        5,
        "expected a comma between values",
    ),
    with_help(
        error(
            "missing-field.ron",
            "missing-field",
            60,
            1,
            "missing field `pass_mark` in Scenario",
        ),
        "add `pass_mark: …`",
    ),
    with_help(
        error(
            "no-fallback-route.ron",
            "no-fallback-route",
            50,
            17,
            "routes at node \"explain\" have no `Otherwise` fallback",
        ),
        "Route(when: Otherwise",
    ),
    warning(
        "fact-trips-forbidden.ron",
        "fact-trips-forbidden",
        48,
        78,
        "forbidden phrase \"sent on\" is inside \"sent on 4 may\", an accepted phrasing of fact \"date\": stating the fact that way also makes the claim",
    ),
    error(
        "unknown-fact.ron",
        "unknown-fact",
        58,
        104,
        "no node's rubric has a fact \"refund-date\"; the facts are: date",
    ),
    warning(
        "no-feedback.ron",
        "no-feedback",
        33,
        17,
        "choice 2 has no feedback",
    ),
    error(
        "no-model-answer.ron",
        "no-model-answer",
        46,
        17,
        "free-text turn at node \"explain\" has no model answer",
    ),
    error(
        "no-way-out.ron",
        "no-way-out",
        24,
        13,
        "node \"opening\" has no path to any ending",
    ),
    error(
        "no-way-out.ron",
        "no-way-out",
        42,
        13,
        "node \"explain\" has no path to any ending",
    ),
    warning(
        "no-way-out.ron",
        "unreachable",
        58,
        16,
        "ending \"resolved\" can never be reached",
    ),
    error(
        "out-of-range.ron",
        "out-of-range",
        8,
        5,
        "tier is 4, but must be between 1 and 3",
    ),
    error(
        "out-of-range.ron",
        "out-of-range",
        14,
        20,
        "starting anger is 150, but must be between 0 and 100",
    ),
    error(
        "trailing-characters.ron",
        "trailing-characters",
        61,
        2,
        "unexpected text after the end of the scenario",
    ),
    with_help(
        error(
            "truncated.ron",
            "unexpected-end",
            40,
            11,
            "the file ends too early",
        ),
        "was the file cut short?",
    ),
    with_help(
        error(
            "unclosed-string.ron",
            "expected-comma",
            5,
            15,
            "expected a comma",
        ),
        "the text starting at 3:12 runs over several lines",
    ),
    with_help(
        error(
            "unknown-field.ron",
            "unknown-field",
            9,
            5,
            "unknown field `minuets` in Scenario",
        ),
        "did you mean `minutes`?",
    ),
    with_help(
        error(
            "unknown-rule.ron",
            "unknown-rule",
            21,
            41,
            "unknown scoring rule \"empathy.apologyy\"",
        ),
        "did you mean \"empathy.apology\"?",
    ),
    with_help(
        error(
            "unknown-target.ron",
            "unknown-target",
            37,
            21,
            "choice 2 goes to unknown node \"escalte\"",
        ),
        "did you mean \"escalate\"?",
    ),
    with_help(
        error(
            "unknown-variant.ron",
            "unknown-variant",
            7,
            14,
            "`Fax` is not a valid Channel",
        ),
        "Phone, Chat, Email, Social",
    ),
    warning(
        "unreachable-node.ron",
        "unreachable",
        57,
        13,
        "node \"orphan\" can never be reached from the start",
    ),
    error(
        "wrong-type.ron",
        "wrong-type",
        8,
        10,
        "expected a whole number here",
    ),
];

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn the_valid_fixture_has_no_diagnostics() {
    let report = load_paths(&[fixtures().join("valid.ron")], &Lexicon::builtin());
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    assert_eq!(report.scenarios.len(), 1);
}

#[test]
fn each_broken_fixture_reports_its_problem_at_its_place() {
    let dir = fixtures().join("broken");
    let report = load_paths(std::slice::from_ref(&dir), &Lexicon::builtin());
    let mut failures = Vec::new();
    for expect in EXPECTED {
        let file = dir.join(expect.file).display().to_string();
        let found = report.diagnostics.iter().any(|d| {
            d.file == file
                && d.severity == expect.severity
                && d.code == expect.code
                && (d.line, d.col) == (expect.line, expect.col)
                && d.message.contains(expect.message)
                && d.help.as_deref().unwrap_or_default().contains(expect.help)
        });
        if !found {
            let got: Vec<String> = report
                .diagnostics
                .iter()
                .filter(|d| d.file == file)
                .map(|d| format!("{d} [{}]", d.code))
                .collect();
            failures.push(format!(
                "{}: expected {:?} {} at {}:{} containing {:?}; got:\n  {}",
                expect.file,
                expect.severity,
                expect.code,
                expect.line,
                expect.col,
                expect.message,
                got.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_broken_fixture_is_covered_and_none_loads_cleanly() {
    let dir = fixtures().join("broken");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    for file in &files {
        assert!(
            EXPECTED.iter().any(|e| e.file == file),
            "{file} has no expectation"
        );
    }
    let report = load_paths(&[dir], &Lexicon::builtin());
    assert_eq!(report.files_checked, files.len());
    // Only the fixtures whose problems are warnings still load.
    let loaded: Vec<&str> = report
        .scenarios
        .iter()
        .map(|s| s.scenario.id.as_str())
        .collect();
    assert_eq!(
        loaded,
        ["fact-trips-forbidden", "no-feedback", "unreachable-node"]
    );
}

#[test]
fn all_problems_in_one_file_are_reported_in_one_run() {
    let text = std::fs::read_to_string(fixtures().join("valid.ron"))
        .unwrap()
        .replace("tier: 1,", "tier: 9,")
        .replace("next: \"explain\"", "next: \"explian\"")
        .replace("feedback: \"Vague and cold.\"", "feedback: \"\"");
    let (scenario, diagnostics) =
        holdline::scenario::load_source("multi.ron", text.as_bytes(), &Lexicon::builtin());
    assert!(scenario.is_none());
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"out-of-range"), "{codes:?}");
    assert!(codes.contains(&"unknown-target"), "{codes:?}");
    assert!(codes.contains(&"no-feedback"), "{codes:?}");
    // The unreachable node follows from the bad target: reported too, as a warning.
    assert!(codes.contains(&"unreachable"), "{codes:?}");
    let lines: Vec<usize> = diagnostics.iter().map(|d| d.line).collect();
    assert!(
        lines.windows(2).all(|w| w[0] <= w[1]),
        "sorted by position: {lines:?}"
    );
}

#[test]
fn a_scenarios_own_rules_are_checked_like_the_lexicons() {
    let text = std::fs::read_to_string(fixtures().join("valid.ron"))
        .unwrap()
        .replace(
            "    pass_mark: 60,",
            "    pass_mark: 60,\n    scoring: (rules: [\n        Rule(id: \"x.big\", dimension: Empathy, weight: 500, patterns: [\"hello\"], explanation: \" \", hint: \"h\"),\n        Rule(id: \"x.big\", dimension: Empathy, weight: 5, patterns: [], explanation: \"e\", hint: \"h\"),\n    ]),",
        );
    let (scenario, diagnostics) =
        holdline::scenario::load_source("rules.ron", text.as_bytes(), &Lexicon::builtin());
    assert!(
        scenario.is_none(),
        "a weight of 500 and a blank explanation are errors"
    );
    let found: Vec<(&str, usize)> = diagnostics.iter().map(|d| (d.code, d.line)).collect();
    for code in ["out-of-range", "empty-text", "duplicate-id", "empty-list"] {
        assert!(
            found.iter().any(|(c, _)| *c == code),
            "{code}: {diagnostics:#?}"
        );
    }
    assert!(
        diagnostics.iter().all(|d| d.line > 0 && d.col > 0),
        "{diagnostics:#?}"
    );
}
