//! Reading RON files safely: size and encoding checks, then ron with its spans turned into
//! diagnostics that say where the problem is and what to do. Never panics on any input.

use serde::de::DeserializeOwned;

use super::diagnostic::{Diagnostic, LineIndex, Severity, did_you_mean};

/// Larger files are refused before parsing: no real scenario comes close, and a runaway file
/// should not stall the app or the validator.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// Nesting deeper than this is refused (a scenario needs fewer than 10 levels).
pub const MAX_NESTING: usize = 64;

/// Reads a file holdline was given, refusing what is not a plain file before opening it (a FIFO
/// would block forever, `/dev/zero` would never end) and reading at most `max_bytes + 1` bytes,
/// so the size check that follows can report an oversized file without it all being in memory.
pub fn read_input_file(path: &std::path::Path, max_bytes: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        let what = if metadata.is_dir() {
            "a folder"
        } else {
            "not a regular file (a pipe, device or socket)"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {what}; give the path of a file"),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Which kind of RON file is being read, so that a syntax error's help names that kind's
/// documentation and its number ranges, not a scenario's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RonKind {
    /// A scenario file (`scenarios/*.ron`).
    Scenario,
    /// The scoring lexicon (`assets/scoring/lexicon.ron`).
    Lexicon,
    /// The progress rules (`assets/progress/rules.ron`).
    ProgressRules,
    /// A calibration labels file (`holdline calibrate`).
    Labels,
    /// The semantic scorer's exemplar banks (`assets/scoring/exemplars.ron`).
    Exemplars,
    /// A scenario's tests (`scenarios/*.test.ron`, run by `holdline test`).
    ScenarioTests,
    /// The semantic scorer's calibrated directions (`assets/scoring/calibrated.ron`).
    Calibrated,
    /// An onboarding curriculum (`curricula/*.ron`).
    Curriculum,
}

impl RonKind {
    /// Where every field of this kind of file is described.
    fn docs(self) -> &'static str {
        match self {
            RonKind::Scenario => "docs/scenario-format.md lists every field",
            RonKind::Lexicon => "docs/scoring-lexicon.md lists every field",
            RonKind::ProgressRules => {
                "assets/progress/rules.ron shows every field, with a comment on each"
            }
            RonKind::Labels => "README.md (Calibrating the scorer) shows the labels format",
            RonKind::Exemplars => "docs/scoring-lexicon.md (The semantic layer) lists every field",
            RonKind::ScenarioTests => "docs/scenario-tests.md lists every field",
            RonKind::Calibrated => {
                "docs/scoring-lexicon.md (Calibrated directions) lists every field"
            }
            RonKind::Curriculum => "docs/curricula.md lists every field",
        }
    }

    /// The ranges of this kind's numbers, for a number too big for its field.
    fn number_ranges(self) -> &'static str {
        match self {
            RonKind::Scenario => "scores, moods and marks are 0–100; tiers are 1–3",
            RonKind::Lexicon => {
                "base scores and percents are 0–100, word counts at most 65,535; rule weights -100 to 100"
            }
            RonKind::ProgressRules => {
                "marks and percents are 0–100; XP awards are at most 10,000; counts are whole numbers"
            }
            RonKind::Labels => "bands are Low, Mid or High",
            RonKind::Exemplars => "similarities are 0.0–1.0; bank weights -100 to 100",
            RonKind::ScenarioTests => {
                "score bounds are 0–100, stars 1–3, waits in whole seconds; Pick numbers choices from 1"
            }
            RonKind::Calibrated => "max_points is 0–100; weights are numbers",
            RonKind::Curriculum => {
                "marks are 0–100; due days and attempt limits are whole numbers from 1"
            }
        }
    }
}

/// Parses `bytes` (the contents of `file`, a file of `kind`) as a `T`, or explains why not.
pub fn parse_ron<T: DeserializeOwned>(
    kind: RonKind,
    file: &str,
    bytes: &[u8],
) -> Result<T, Diagnostic> {
    let text = decode(file, bytes)?;
    ron_options()
        .from_str::<T>(text)
        .map_err(|err| syntax_diagnostic(kind, file, text, &err))
}

/// The RON dialect holdline files use: `Some(…)` may be left out around optional values, and
/// enum variants that wrap a struct are written `FreeText(prompt: …)` rather than
/// `FreeText((prompt: …))`.
pub fn ron_options() -> ron::Options {
    use ron::extensions::Extensions;
    ron::Options::default()
        .with_recursion_limit(MAX_NESTING)
        .with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// Checks size and encoding, returning the text.
pub fn decode<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str, Diagnostic> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::whole_file(
            file.to_string(),
            "file-too-large",
            // Only the first MAX_FILE_BYTES + 1 bytes are read, so the true size is unknown.
            format!(
                "file is larger than {} MiB, the limit for scenario, lexicon and rules files",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            Some(
                "split the scenario into smaller ones, or check that this is the file you meant"
                    .into(),
            ),
        ));
    }
    // A byte-order mark, which some Windows editors put at the start of UTF-8 files, is not part
    // of the text: it is dropped rather than reported as a syntax error at 1:1.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|err| {
        let valid = &bytes[..err.valid_up_to()];
        // The prefix is valid UTF-8 by construction, so this cannot fail.
        let prefix = std::str::from_utf8(valid).unwrap_or_default();
        let (line, col) = LineIndex::new(prefix).position(prefix.len());
        Diagnostic {
            severity: Severity::Error,
            file: file.to_string(),
            line,
            col,
            code: "not-utf8",
            message: format!(
                "file is not UTF-8 text (invalid byte 0x{:02x} at byte {})",
                bytes[err.valid_up_to()],
                err.valid_up_to()
            ),
            help: Some("save the file as UTF-8; is this really a .ron scenario?".into()),
        }
    })
}

/// Byte offset of a ron position (1-based line, 1-based character column).
fn offset_of(text: &str, at: &ron::error::Position) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(at.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = text.get(line_start..).unwrap_or_default();
    line_start
        + rest
            .char_indices()
            .nth(at.col.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// Whether only whitespace and comments follow the error position.
fn at_end_of_text(text: &str, at: &ron::error::Position) -> bool {
    let rest = text.get(offset_of(text, at)..).unwrap_or_default();
    rest.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with("//"))
}

/// When the last string literal before the error spans a line break, where it starts: an
/// unclosed quote swallows the following lines, and ron only notices further down.
fn open_string_before(text: &str, at: &ron::error::Position) -> Option<(usize, usize)> {
    let end = offset_of(text, at);
    let bytes = text.as_bytes();
    let (mut i, mut last) = (0, None);
    while i < end.min(bytes.len()) {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                last = Some((start, i.min(bytes.len())));
            }
            _ => {}
        }
        i += 1;
    }
    let (start, close) = last?;
    text.get(start..close)
        .filter(|s| s.contains('\n'))
        .map(|_| LineIndex::new(text).position(start))
}

/// Whether the error is at the `.` of a decimal like `1.5` where a whole number was parsed: ron
/// reads the `1`, then reports the `.` as a missing comma.
fn at_decimal_point(text: &str, at: &ron::error::Position) -> bool {
    let offset = offset_of(text, at);
    let before = text.get(..offset).and_then(|t| t.chars().next_back());
    let mut after = text.get(offset..).unwrap_or_default().chars();
    before.is_some_and(|c| c.is_ascii_digit())
        && after.next() == Some('.')
        && after.next().is_some_and(|c| c.is_ascii_digit())
}

/// The field name and the number written at byte `offset` (where ron points at a number too
/// big for its field): `("pass_mark", "300")`.
fn field_and_number_before(text: &str, offset: usize) -> Option<(String, String)> {
    // The number's end: ron points at its start.
    let rest = text.get(offset..)?;
    let offset = offset + rest.len()
        - rest
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-')
            .len();
    let before = text.get(..offset)?;
    let digits = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .count();
    let number_start = before.len() - digits;
    let number = before.get(number_start..)?;
    let rest = before
        .get(..number_start)?
        .trim_end()
        .strip_suffix(':')?
        .trim_end();
    let name_len = rest
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum::<usize>();
    let name = rest.get(rest.len() - name_len..)?;
    (!number.is_empty() && !name.is_empty()).then(|| (name.to_string(), number.to_string()))
}

/// The curly quote at byte `offset` (after any spaces), if there is one.
fn curly_quote_at(text: &str, offset: usize) -> Option<char> {
    text.get(offset..)?
        .chars()
        .find(|c| !c.is_whitespace())
        .filter(|c| {
            matches!(
                c,
                '\u{201c}'
                    | '\u{201d}'
                    | '\u{2018}'
                    | '\u{2019}'
                    | '\u{201e}'
                    | '\u{ab}'
                    | '\u{bb}'
            )
        })
}

/// Whether `((` ends at byte `offset` (ron points at the second one), spaces aside:
/// `FreeText((prompt: …`.
fn doubled_parenthesis_before(text: &str, offset: usize) -> bool {
    let end = text
        .get(offset..)
        .and_then(|t| t.chars().next())
        .map_or(offset, |c| offset + c.len_utf8());
    let before: String = text
        .get(..end)
        .unwrap_or_default()
        .chars()
        .rev()
        .filter(|c| !c.is_whitespace())
        .take(2)
        .collect();
    before == "(("
}

fn syntax_diagnostic(
    kind: RonKind,
    file: &str,
    text: &str,
    err: &ron::error::SpannedError,
) -> Diagnostic {
    use ron::Error as E;
    let (code, message, help): (&'static str, String, Option<String>) = match &err.code {
        E::Eof => (
            "unexpected-end",
            "the file ends in the middle of a value".into(),
            Some("a bracket, parenthesis or quote is not closed; was the file cut short?".into()),
        ),
        E::ExceededRecursionLimit => (
            "too-deep",
            format!("values are nested more than {MAX_NESTING} levels deep"),
            Some("scenarios need only a few levels; look for unbalanced brackets".into()),
        ),
        E::MissingStructField { field, outer } => (
            "missing-field",
            format!(
                "missing field `{field}`{}",
                outer
                    .as_deref()
                    .map(|o| format!(" in {o}"))
                    .unwrap_or_default()
            ),
            Some(format!("add `{field}: …`; {}", kind.docs())),
        ),
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => (
            "unknown-field",
            format!(
                "unknown field `{found}`{}",
                outer
                    .as_deref()
                    .map(|o| format!(" in {o}"))
                    .unwrap_or_default()
            ),
            Some(match did_you_mean(found, expected.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("expected one of: {}", expected.join(", ")),
            }),
        ),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => (
            "unknown-variant",
            format!(
                "`{found}` is not a valid {}",
                outer.as_deref().unwrap_or("value here")
            ),
            Some(match did_you_mean(found, expected.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("expected one of: {}", expected.join(", ")),
            }),
        ),
        E::DuplicateStructField { field, .. } => (
            "duplicate-field",
            format!("field `{field}` is given twice"),
            Some("keep one of them".into()),
        ),
        E::InvalidValueForType { expected, found } => (
            "wrong-type",
            format!("expected {expected}, found {found}"),
            None,
        ),
        E::IntegerOutOfBounds => (
            "number-out-of-range",
            match field_and_number_before(text, offset_of(text, &err.span.start)) {
                Some((field, number)) => {
                    format!("`{field}` cannot be {number}: the number is out of range")
                }
                None => "this number does not fit the field".into(),
            },
            Some(kind.number_ranges().into()),
        ),
        E::ExpectedComma if at_decimal_point(text, &err.span.start) => (
            "wrong-type",
            "expected a whole number here, found a decimal".into(),
            Some("this field takes whole numbers: write `2`, not `1.5`".into()),
        ),
        E::ExpectedComma => (
            "expected-comma",
            "expected a comma between values".into(),
            Some("every field and list item is followed by `,`".into()),
        ),
        E::ExpectedStringEnd => (
            "unclosed-string",
            "this string is never closed".into(),
            Some("add the closing `\"`".into()),
        ),
        E::TrailingCharacters => (
            "trailing-characters",
            "unexpected text after the end of the scenario".into(),
            Some(
                "the file should hold exactly one value; is a parenthesis closed too early?".into(),
            ),
        ),
        E::ExpectedInteger => ("wrong-type", "expected a whole number here".into(), None),
        E::ExpectedString => (
            "wrong-type",
            "expected text in double quotes here".into(),
            curly_quote_at(text, offset_of(text, &err.span.start)).map(|q| {
                format!("`{q}` is a curly quote (word processors put them in); RON text needs straight double quotes: \"like this\"")
            }),
        ),
        E::ExpectedBoolean => ("wrong-type", "expected `true` or `false` here".into(), None),
        E::ExpectedArray => (
            "wrong-type",
            "expected a list in square brackets, `[…]`, here".into(),
            None,
        ),
        E::ExpectedNamedStructLike(name) => {
            ("wrong-type", format!("expected `{name}(…)` here"), None)
        }
        other => {
            let help = doubled_parenthesis_before(text, offset_of(text, &err.span.start)).then(|| {
                "a variant that holds fields takes one pair of parentheses here: `FreeText(prompt: …)`, not `FreeText((prompt: …))`".to_string()
            });
            ("syntax", other.to_string(), help)
        }
    };
    let (code, message, help) = if at_end_of_text(text, &err.span.start) && code != "too-deep" {
        (
            "unexpected-end",
            format!("the file ends too early ({message})"),
            Some("a bracket, parenthesis or quote is not closed; was the file cut short?".into()),
        )
    } else {
        (code, message, help)
    };
    // An unclosed quote is the likelier cause than whatever ron tripped over lines later.
    let help = open_string_before(text, &err.span.start)
        .map(|(line, col)| {
            format!("the text starting at {line}:{col} runs over several lines; is its closing `\"` missing?")
        })
        .or(help);
    Diagnostic {
        severity: Severity::Error,
        file: file.to_string(),
        line: err.span.start.line,
        col: err.span.start.col,
        code,
        message,
        help,
    }
}
