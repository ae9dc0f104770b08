//! No input file, however broken, may panic the loader: truncated, binary, enormous, deeply
//! nested, or randomly mutated. Each must come back as diagnostics that say where and what.

use holdline::scenario::library::load_source;
use holdline::scenario::load::{MAX_FILE_BYTES, MAX_NESTING};
use holdline::scoring::Lexicon;
use proptest::prelude::*;

const LATE_PARCEL: &str = include_str!("../../scenarios/late-parcel.ron");

fn errors_of(bytes: &[u8]) -> Vec<holdline::scenario::Diagnostic> {
    let (scenario, diagnostics) = load_source("input.ron", bytes, &Lexicon::builtin());
    if scenario.is_none() {
        assert!(
            diagnostics.iter().any(|d| d.is_error()),
            "rejected without an error"
        );
    }
    diagnostics
}

#[test]
fn every_truncation_of_a_valid_file_is_an_error_not_a_panic() {
    let bytes = LATE_PARCEL.as_bytes();
    let lexicon = Lexicon::builtin();
    // Every 3rd prefix keeps the test quick while still cutting inside every kind of token.
    for end in (0..bytes.len()).step_by(3) {
        if bytes[end..].iter().all(u8::is_ascii_whitespace) {
            continue; // only trailing whitespace was cut: still the whole scenario
        }
        let (scenario, diagnostics) = load_source("cut.ron", &bytes[..end], &lexicon);
        assert!(scenario.is_none(), "a file cut at byte {end} loaded");
        assert!(
            diagnostics.iter().any(|d| d.is_error() && d.line >= 1),
            "cut at {end}: {diagnostics:?}"
        );
    }
}

#[test]
fn binary_data_is_reported_with_its_position() {
    let mut bytes = b"Scenario(\n  id: \"x\",\n  ti".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, 0x00, 0x81]);
    let diagnostics = errors_of(&bytes);
    assert_eq!(diagnostics.len(), 1);
    let d = &diagnostics[0];
    assert_eq!((d.code, d.line, d.col), ("not-utf8", 3, 5), "{d}");
    assert!(d.message.contains("0xff"), "{d}");
}

#[test]
fn enormous_files_are_refused_before_parsing() {
    let mut bytes = LATE_PARCEL.as_bytes().to_vec();
    bytes.resize(MAX_FILE_BYTES + 1, b' ');
    let diagnostics = errors_of(&bytes);
    assert_eq!(diagnostics[0].code, "file-too-large");
    // Only the first 4 MiB + 1 bytes are read, so the message names the limit, not a size
    // ("4194305 bytes" for a 30 MB file would be wrong).
    let shown = diagnostics[0].to_string();
    assert!(shown.contains("larger than 4 MiB"), "{shown}");
    assert!(
        !shown.contains(&(MAX_FILE_BYTES + 1).to_string()),
        "{shown}"
    );
}

#[test]
fn deep_nesting_is_refused_with_a_location() {
    // Nesting where the format expects a value of another shape fails at the first bracket;
    // nesting ron must descend into (a tuple struct of tuples) hits the depth limit.
    for open in ["[", "(", "{\"a\":", "Some("] {
        for field in ["id", "tags", "persona", "nodes"] {
            let text = format!("Scenario({field}: {}", open.repeat(100_000));
            let diagnostics = errors_of(text.as_bytes());
            let d = &diagnostics[0];
            assert!(
                d.is_error() && d.line == 1 && d.col > field.len(),
                "{field} {open}: {d}"
            );
        }
    }
    let text = format!("Scenario(tags: [{}", "(".repeat(100_000));
    let d = &errors_of(text.as_bytes())[0];
    assert!(
        d.col <= MAX_NESTING + 20,
        "stopped within the nesting limit: {d}"
    );
}

#[test]
fn huge_strings_and_odd_text_load_or_fail_cleanly() {
    let long = "x".repeat(1 << 20);
    let text = LATE_PARCEL.replacen("A customer's birthday present", &long, 1);
    let (scenario, _) = load_source("long.ron", text.as_bytes(), &Lexicon::builtin());
    assert!(scenario.is_some(), "a long summary is legal");
    let odd = LATE_PARCEL.replacen(
        "The parcel that never came",
        "مرحبا 👋🏽 \u{202e}evil\u{0007}",
        1,
    );
    let (scenario, _) = load_source("odd.ron", odd.as_bytes(), &Lexicon::builtin());
    assert!(scenario.is_some(), "unicode titles are legal");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = errors_of(&bytes);
    }

    #[test]
    fn random_edits_of_a_valid_file_never_panic(
        edits in proptest::collection::vec((0usize..LATE_PARCEL.len(), 0usize..40, "[\\[\\](){}\",:a-z0-9 \\n-]{0,6}"), 1..6)
    ) {
        let mut text = LATE_PARCEL.as_bytes().to_vec();
        for (at, remove, insert) in edits {
            let at = at.min(text.len());
            let end = (at + remove).min(text.len());
            text.splice(at..end, insert.bytes());
        }
        let _ = errors_of(&text);
    }
}

#[test]
fn a_byte_order_mark_at_the_start_is_accepted_and_positions_stay_right() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(LATE_PARCEL.as_bytes());
    let (scenario, diagnostics) = load_source("bom.ron", &bytes, &Lexicon::builtin());
    assert!(scenario.is_some(), "{diagnostics:#?}");
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    // An error after a BOM is still placed where the editor shows it.
    let broken = LATE_PARCEL.replacen("id: \"late-parcel\"", "id: late-parcel\"", 1);
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(broken.as_bytes());
    let with_bom = errors_of(&bytes);
    let without = errors_of(broken.as_bytes());
    assert!(!with_bom.is_empty());
    assert_eq!(
        (with_bom[0].line, with_bom[0].col),
        (without[0].line, without[0].col)
    );
}

/// The diagnostics for the late-parcel scenario with `from` replaced by `to`.
fn errors_after(from: &str, to: &str) -> Vec<holdline::scenario::Diagnostic> {
    assert!(LATE_PARCEL.contains(from), "late-parcel contains {from}");
    errors_of(LATE_PARCEL.replacen(from, to, 1).as_bytes())
}

#[test]
fn a_decimal_where_a_whole_number_goes_is_named_as_such() {
    let errors = errors_after("version: 2,", "version: 2.5,");
    let first = &errors[0];
    assert_eq!((first.code, first.line), ("wrong-type", 6), "{first}");
    assert!(first.message.contains("decimal"), "{first}");
}

#[test]
fn marks_out_of_range_are_each_reported_against_their_own_limits() {
    let errors = errors_after(
        "pass_mark: 60,\n    three_star_mark: 85,",
        "pass_mark: 255,\n    three_star_mark: 85,",
    );
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        shown
            .iter()
            .any(|d| d.contains("pass mark is 255, but must be between 0 and 100")),
        "{shown:#?}"
    );
    assert!(
        !shown.iter().any(|d| d.contains("between 255")),
        "{shown:#?}"
    );
    let below = errors_after("three_star_mark: 85,", "three_star_mark: 40,");
    assert!(
        below.iter().any(|d| d.code == "three-star-below-pass"),
        "{below:#?}"
    );
}

#[test]
fn ids_with_invisible_characters_are_refused_and_control_characters_are_shown_escaped() {
    let errors = errors_after("id: \"explain-status\"", "id: \"explain-status\u{200b}\"");
    let hidden = errors
        .iter()
        .find(|d| d.code == "hidden-character")
        .unwrap_or_else(|| panic!("{errors:#?}"));
    assert!(hidden.to_string().contains("\\u{200B}"), "{hidden}");
    // A control character in a quoted id reaches the terminal only as an escape.
    let errors = errors_after("start: \"opening\"", "start: \"open\u{1b}[2Jing\"");
    let shown: String = errors.iter().map(|d| d.to_string()).collect();
    assert!(shown.contains("\\u{001B}[2J"), "{shown}");
    assert!(!shown.contains('\u{1b}'), "{shown}");
}

#[test]
fn common_slips_get_a_help_line_that_names_them() {
    // A number too big for its field names the field and the value.
    let errors = errors_after("pass_mark: 60,", "pass_mark: 300,");
    assert!(
        errors[0].message.contains("`pass_mark` cannot be 300"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].help.as_deref().unwrap().contains("0–100"),
        "{}",
        errors[0]
    );
    // Curly quotes pasted from a word processor.
    let errors = errors_after("id: \"late-parcel\"", "id: \u{201c}late-parcel\u{201d}");
    assert!(
        errors[0].help.as_deref().unwrap().contains("curly quote"),
        "{}",
        errors[0]
    );
    // The doubled parentheses the docs warn of.
    let errors = errors_after("turn: FreeText(", "turn: FreeText((");
    assert!(
        errors[0]
            .help
            .as_deref()
            .unwrap()
            .contains("`FreeText(prompt: …)`, not `FreeText((prompt: …))`"),
        "{}",
        errors[0]
    );
}
