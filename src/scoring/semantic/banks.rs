//! Exemplar banks: the semantic layer's data, kept in `assets/scoring/exemplars.ron` where a
//! trainer can read and extend them. A bank is a named set of short example clauses of one kind
//! ("acknowledges how the customer feels", "blames the customer"), a dimension, the points a
//! clause that reads like one of them earns or costs, and the explanation and hint shown with
//! those points. Each bank has a partner of the other sign in the same dimension: a clause counts
//! only when it reads more like one than like the other.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::scenario::diagnostic::{Diagnostic, Reporter};
use crate::scenario::load::{RonKind, parse_ron};
use crate::scenario::rule::Dimension;
use crate::scenario::span_index::Step;

/// The banks shipped with holdline, built into the binary like the lexicon.
pub const BUILTIN_EXEMPLARS: &str = include_str!("../../../assets/scoring/exemplars.ron");
/// Where the shipped banks live in the repository; names them in diagnostics.
pub const BUILTIN_EXEMPLARS_PATH: &str = "assets/scoring/exemplars.ron";

/// The whole exemplars file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExemplarBanks {
    /// Version of the file (the shipped one is 1); not checked.
    pub version: u32,
    /// How similarities turn into points.
    pub thresholds: Thresholds,
    /// Plain statements of fact and procedure, with no tone at all ("the refund reaches your
    /// card in five working days"). A clause that reads as much like these as like a bank is
    /// about the facts, whatever nouns it shares with the bank's exemplars, and earns nothing.
    #[serde(default)]
    pub neutral: Vec<String>,
    /// Every bank.
    pub banks: Vec<Bank>,
}

/// How a clause's similarity to a bank becomes points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Below this cosine similarity a clause does not read like the bank at all.
    pub min_similarity: f32,
    /// At or above this similarity a clause earns the bank's full weight; between the two, a
    /// share in proportion.
    pub full_similarity: f32,
    /// A clause counts for a bank only when it is at least this much more like it than like the
    /// best bank of the other sign in the same dimension.
    pub margin: f32,
}

/// One bank of exemplars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bank {
    /// Unique id, shown in explanations as `semantic.<id>`.
    pub id: String,
    /// The dimension its points go to.
    pub dimension: Dimension,
    /// Points at full similarity: positive for a bank of good replies, negative for bad ones.
    pub weight: i32,
    /// Points in other dimensions too: blaming the customer costs empathy and de-escalation,
    /// `also: [(Deescalation, -14)]`.
    #[serde(default)]
    pub also: Vec<(Dimension, i32)>,
    /// Why it matters, shown with the points.
    pub explanation: String,
    /// How to do better, shown with the points.
    pub hint: String,
    /// Example clauses, in plain words.
    pub exemplars: Vec<String>,
}

impl Bank {
    /// Every dimension the bank scores in, with its weight there: `dimension` first, then
    /// `also`.
    pub fn points(&self) -> impl Iterator<Item = (Dimension, i32)> + '_ {
        std::iter::once((self.dimension, self.weight)).chain(self.also.iter().copied())
    }
}

impl ExemplarBanks {
    /// The banks shipped in `assets/scoring/exemplars.ron`.
    pub fn builtin() -> ExemplarBanks {
        // A test checks that the shipped file parses and validates cleanly.
        parse_ron(
            RonKind::Exemplars,
            BUILTIN_EXEMPLARS_PATH,
            BUILTIN_EXEMPLARS.as_bytes(),
        )
        .expect("the built-in exemplar banks are checked by tests")
    }

    /// Parses and validates an exemplars file; `Err` holds every problem found.
    pub fn from_source(file: &str, bytes: &[u8]) -> Result<ExemplarBanks, Vec<Diagnostic>> {
        let banks: ExemplarBanks =
            parse_ron(RonKind::Exemplars, file, bytes).map_err(|d| vec![d])?;
        let text = std::str::from_utf8(bytes).unwrap_or_default();
        let diagnostics = banks.validate(file, text);
        if diagnostics.iter().any(Diagnostic::is_error) {
            Err(diagnostics)
        } else {
            Ok(banks)
        }
    }

    /// Checks thresholds, ids, weights, texts, and that each dimension with a bank of one sign
    /// has a bank of the other.
    pub fn validate(&self, file: &str, text: &str) -> Vec<Diagnostic> {
        let mut r = Reporter::new(file, text);
        let t = self.thresholds;
        let path = [Step::Field("thresholds")];
        let ordered = (0.0..1.0).contains(&t.min_similarity)
            && t.min_similarity < t.full_similarity
            && t.full_similarity <= 1.0;
        if !ordered {
            r.error(
                &path,
                "bad-thresholds",
                format!(
                    "thresholds need 0 <= min_similarity < full_similarity <= 1 (got {} and {})",
                    t.min_similarity, t.full_similarity
                ),
            );
        }
        if !(0.0..=0.5).contains(&t.margin) {
            r.error(
                &path,
                "bad-thresholds",
                format!("margin {} is outside 0.0–0.5", t.margin),
            );
        }
        let mut seen = HashSet::new();
        for (i, bank) in self.banks.iter().enumerate() {
            let at = |field| [Step::Field("banks"), Step::Index(i), Step::Field(field)];
            if bank.id.trim().is_empty() || !seen.insert(bank.id.as_str()) {
                r.error(
                    &at("id"),
                    "bad-id",
                    format!("bank id {:?} is blank or used twice", bank.id),
                );
            }
            if bank.weight == 0 || !(-100..=100).contains(&bank.weight) {
                r.error(
                    &at("weight"),
                    "out-of-range",
                    format!(
                        "bank {}: weight {} must be -100..=100 and not 0",
                        bank.id, bank.weight
                    ),
                );
            }
            let mut dimensions = HashSet::new();
            for (i, (dimension, weight)) in bank.points().enumerate() {
                if !dimensions.insert(dimension) {
                    r.error(
                        &at("also"),
                        "bad-id",
                        format!("bank {}: {dimension:?} is given points twice", bank.id),
                    );
                }
                if i > 0 && (weight == 0 || !(-100..=100).contains(&weight)) {
                    r.error(
                        &at("also"),
                        "out-of-range",
                        format!(
                            "bank {}: weight {weight} for {dimension:?} must be -100..=100 and not 0",
                            bank.id
                        ),
                    );
                }
            }
            for (field, value) in [("explanation", &bank.explanation), ("hint", &bank.hint)] {
                if value.trim().is_empty() {
                    r.error(
                        &at(field),
                        "empty-text",
                        format!(
                            "bank {}: the {field} is blank; a trainee sees it with the points",
                            bank.id
                        ),
                    );
                }
            }
            let blank = bank
                .exemplars
                .iter()
                .any(|e| e.split_whitespace().count() < 2);
            if bank.exemplars.is_empty() || blank {
                r.error(
                    &at("exemplars"),
                    "empty-text",
                    format!(
                        "bank {}: every bank needs exemplars of two words or more",
                        bank.id
                    ),
                );
            }
        }
        for dimension in [
            Dimension::Empathy,
            Dimension::Accuracy,
            Dimension::Deescalation,
        ] {
            let signs: HashSet<bool> = self
                .banks
                .iter()
                .flat_map(Bank::points)
                .filter(|(d, _)| *d == dimension)
                .map(|(_, weight)| weight > 0)
                .collect();
            if signs.len() == 1 {
                r.error(
                    &[Step::Field("banks")],
                    "unpaired-bank",
                    format!(
                        "{dimension:?} has banks of only one sign; a clause is judged against the best bank of each sign, so add one of the other"
                    ),
                );
            }
        }
        r.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_banks_are_valid() {
        let banks =
            ExemplarBanks::from_source(BUILTIN_EXEMPLARS_PATH, BUILTIN_EXEMPLARS.as_bytes())
                .unwrap_or_else(|d| panic!("{d:#?}"));
        assert!(banks.banks.len() >= 6);
    }

    #[test]
    fn a_bank_without_a_partner_or_hint_is_located() {
        let src = r#"(version: 1, thresholds: (min_similarity: 0.9, full_similarity: 0.5, margin: 0.0),
            banks: [(id: "a", dimension: Empathy, weight: 10, explanation: "x", hint: " ", exemplars: ["so sorry"])])"#;
        let errors = ExemplarBanks::from_source("x.ron", src.as_bytes()).unwrap_err();
        let text: Vec<String> = errors.iter().map(|d| d.to_string()).collect();
        assert!(
            text.iter().any(|t| t.contains("full_similarity")),
            "{text:?}"
        );
        assert!(text.iter().any(|t| t.contains("hint is blank")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("only one sign")), "{text:?}");
    }
}
