//! Compiler-style diagnostics (`file:line:col: error: message`) and byte-offset → line:col mapping.

use std::fmt;

use serde::Serialize;

use super::span_index::{SpanNode, Step};
use super::visible_text::shown;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be loaded: the scenario is not listed and cannot be played.
    Error,
    /// The file loads, but something is probably a mistake; fails only under `--deny-warnings`.
    Warning,
}

impl Severity {
    /// Lower-case name printed in diagnostics: "error" or "warning".
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in a file, with where it is and, when we know it, what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Whether the problem stops the file loading.
    pub severity: Severity,
    /// The file the problem is in, as given to holdline.
    pub file: String,
    /// 1-based line; 0 when the problem is about the file as a whole.
    pub line: usize,
    /// 1-based column in characters; 0 when the problem is about the file as a whole.
    pub col: usize,
    /// A short stable name for the kind of problem, e.g. `unknown-target`.
    pub code: &'static str,
    /// What is wrong, in a sentence.
    pub message: String,
    /// What to do about it, when known; printed on a "help:" line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error about a file as a whole (unreadable, too large): no line or column.
    pub fn whole_file(
        file: String,
        code: &'static str,
        message: String,
        help: Option<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file,
            line: 0,
            col: 0,
            code,
            message,
            help,
        }
    }

    /// Whether this diagnostic is an error rather than a warning.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Messages quote the file's own text (ids, phrases): shown with escapes, so a control
        // character cannot rewrite the terminal and an invisible one is seen.
        let file = shown(&self.file);
        if self.line == 0 {
            write!(f, "{file}: ")?;
        } else {
            write!(f, "{file}:{}:{}: ", self.line, self.col)?;
        }
        write!(f, "{}: {}", self.severity.label(), shown(&self.message))?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {}", shown(help))?;
        }
        Ok(())
    }
}

/// Maps byte offsets in a text to 1-based line and character column.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// An index of the line starts in `text`.
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, line_starts }
    }

    /// The 1-based line and character column of byte `offset`; an offset past the end is the end.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, col + 1)
    }
}

/// Counts of errors and warnings, for summary lines and exit codes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiagnosticCounts {
    /// How many diagnostics are errors.
    pub errors: usize,
    /// How many diagnostics are warnings.
    pub warnings: usize,
}

impl DiagnosticCounts {
    /// Counts the errors and warnings in `diagnostics`.
    pub fn of(diagnostics: &[Diagnostic]) -> Self {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        DiagnosticCounts {
            errors,
            warnings: diagnostics.len() - errors,
        }
    }
}

/// The closest candidate to `wanted` by edit distance, if it is close enough to be a likely typo.
pub fn did_you_mean<'c>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (wanted.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(wanted, c), c))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, c)| (distance, c))
        .map(|(_, c)| c)
}

/// Collects diagnostics, turning structural paths into line:col.
pub struct Reporter<'a> {
    file: &'a str,
    tree: SpanNode,
    lines: LineIndex<'a>,
    /// The diagnostics reported so far, in report order.
    pub out: Vec<Diagnostic>,
}

impl<'a> Reporter<'a> {
    /// A reporter for `text`, the contents of `file`, which labels every diagnostic.
    pub fn new(file: &'a str, text: &'a str) -> Self {
        Reporter {
            file,
            tree: SpanNode::index(text),
            lines: LineIndex::new(text),
            out: Vec::new(),
        }
    }

    /// Records a diagnostic at the position `path` leads to in the text.
    pub fn report(
        &mut self,
        severity: Severity,
        path: &[Step<'_>],
        code: &'static str,
        message: String,
        help: Option<String>,
    ) {
        let (line, col) = self.lines.position(self.tree.locate(path));
        self.out.push(Diagnostic {
            severity,
            file: self.file.to_string(),
            line,
            col,
            code,
            message,
            help,
        });
    }

    /// Records an error, with no help, at the position `path` leads to.
    pub fn error(&mut self, path: &[Step<'_>], code: &'static str, message: String) {
        self.report(Severity::Error, path, code, message, None);
    }

    /// Records a warning, with no help, at the position `path` leads to.
    pub fn warn(&mut self, path: &[Step<'_>], code: &'static str, message: String) {
        self.report(Severity::Warning, path, code, message, None);
    }

    /// Errors if `text` is blank.
    pub fn require_text(&mut self, path: &[Step<'_>], what: &str, text: &str) {
        if text.trim().is_empty() {
            self.error(path, "empty-text", format!("{what} is empty"));
        }
    }

    /// Errors (`out-of-range`) if `value` is outside `min..=max`; `what` names it in the message.
    pub fn require_range(&mut self, path: &[Step<'_>], what: &str, value: i64, min: i64, max: i64) {
        if value < min || value > max {
            self.report(
                Severity::Error,
                path,
                "out-of-range",
                format!("{what} is {value}, but must be between {min} and {max}"),
                None,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let index = LineIndex::new("ab\n\u{e9}x\n");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(1), (1, 2));
        assert_eq!(index.position(3), (2, 1));
        // 'x' sits after a two-byte character: byte 5, column 2.
        assert_eq!(index.position(5), (2, 2));
        assert_eq!(index.position(999), (3, 1));
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        let ids = ["escalate", "opening", "refund"];
        assert_eq!(did_you_mean("escalte", ids), Some("escalate"));
        assert_eq!(did_you_mean("zzz", ids), None);
    }

    #[test]
    fn display_is_compiler_style() {
        let d = Diagnostic {
            severity: Severity::Error,
            file: "scenarios/x.ron".into(),
            line: 4,
            col: 9,
            code: "unknown-target",
            message: "choice 2 goes to unknown node \"escalte\"".into(),
            help: Some("did you mean \"escalate\"?".into()),
        };
        assert_eq!(
            d.to_string(),
            "scenarios/x.ron:4:9: error: choice 2 goes to unknown node \"escalte\"\n  help: did you mean \"escalate\"?"
        );
    }
}
