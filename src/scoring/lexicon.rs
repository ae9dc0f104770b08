//! The scoring lexicon: rules as data (RON) that a trainer can read and change. Each rule has an
//! id, a dimension, a weight, the phrases that fire it, an explanation and a hint.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::scenario::diagnostic::{Diagnostic, Reporter, Severity, did_you_mean};
use crate::scenario::load::{RonKind, parse_ron};
use crate::scenario::rule::{KnownRules, Rule};
use crate::scenario::span_index::Step;

/// The lexicon shipped with holdline, built into the binary so it runs from any directory.
pub const BUILTIN_LEXICON: &str = include_str!("../../assets/scoring/lexicon.ron");
/// Where the shipped lexicon lives in the repository; names it in diagnostics.
pub const BUILTIN_LEXICON_PATH: &str = "assets/scoring/lexicon.ron";

/// Rules the scorer fires from a node's rubric rather than from patterns; their weights,
/// explanations and hints still come from the lexicon.
pub mod builtin {
    /// Once for each rubric fact the reply states, worth the fact's share of accuracy.
    pub const FACT_STATED: &str = "accuracy.fact-stated";
    /// Once for each rubric fact the reply does not state.
    pub const FACT_MISSING: &str = "accuracy.fact-missing";
    /// Once for each forbidden claim the reply makes.
    pub const FORBIDDEN_CLAIM: &str = "accuracy.forbidden-claim";
    /// Once for each of the persona's triggers in the reply.
    pub const CUSTOMER_TRIGGER: &str = "deescalation.customer-trigger";
    /// At most once a reply: a figure not in the case file, rubric, customer's line or backstory.
    pub const WRONG_FIGURE: &str = "accuracy.wrong-figure";
    /// The customer's name is used once or twice.
    pub const USES_NAME: &str = "empathy.uses-name";
    /// A fact is stated after empathy is shown, in this reply or an earlier one.
    pub const VALIDATE_FIRST: &str = "empathy.validate-first";
    /// Too many empathy phrases in one reply (`limits.stuffing_hits` or more).
    pub const STUFFING: &str = "empathy.stuffing";
    /// An empathy credit taken back by a "but" followed by a penalty in the same sentence.
    pub const UNDONE_BY_BUT: &str = "empathy.undone-by-but";
    /// An empathy phrase in a sentence that mostly restates the customer's complaint in their
    /// own words ("I understand that you ..." and the checklist).
    pub const RESTATES_COMPLAINT: &str = "empathy.restates-complaint";
    /// Fewer words than `limits.too_short_words`; the empathy half of the pair.
    pub const TOO_SHORT_EMPATHY: &str = "empathy.too-short";
    /// The reply mostly repeats the customer's line; the empathy half of the pair.
    pub const PARROTING_EMPATHY: &str = "empathy.parroting";
    /// Words in capitals, a run of "!!", or a mostly upper-case reply.
    pub const SHOUTING: &str = "deescalation.shouting";
    /// More words than `limits.wall_of_text_words`.
    pub const WALL_OF_TEXT: &str = "deescalation.wall-of-text";
    /// De-escalation held at `limits.false_comfort_deescalation` because the reply makes a
    /// forbidden claim.
    pub const FALSE_COMFORT: &str = "deescalation.false-comfort";
    /// Fewer words than `limits.too_short_words`; the de-escalation half of the pair.
    pub const TOO_SHORT_DEESCALATION: &str = "deescalation.too-short";
    /// The reply mostly repeats the customer's line; the de-escalation half of the pair.
    pub const PARROTING_DEESCALATION: &str = "deescalation.parroting";
    /// Built-in rules added after trainers had written their own lexicons: one missing from a
    /// lexicon is a warning, and the rule does not fire, so an older lexicon keeps working.
    pub const ADDED_LATER: [&str; 3] = [RESTATES_COMPLAINT, FALSE_COMFORT, JARGON];
    /// `limits.jargon_terms` or more acronyms the customer did not use themselves.
    pub const JARGON: &str = "deescalation.jargon";
    /// All fifteen built-in rule ids; the lexicon must define every one.
    pub const ALL: [&str; 15] = [
        FACT_STATED,
        FACT_MISSING,
        FORBIDDEN_CLAIM,
        CUSTOMER_TRIGGER,
        WRONG_FIGURE,
        USES_NAME,
        VALIDATE_FIRST,
        STUFFING,
        UNDONE_BY_BUT,
        TOO_SHORT_EMPATHY,
        PARROTING_EMPATHY,
        SHOUTING,
        WALL_OF_TEXT,
        TOO_SHORT_DEESCALATION,
        PARROTING_DEESCALATION,
    ];
}

/// The scoring lexicon: every rule the free-text scorer can fire, and the numbers it starts from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// Version of the lexicon (the shipped one is 2); not checked.
    pub version: u32,
    /// Where each dimension starts before rules add or remove points.
    pub base: BaseScores,
    /// Thresholds of the built-in checks on a reply's shape; the shipped values by default.
    #[serde(default)]
    pub limits: Limits,
    /// Groups of words that count as the same when matching; the first is the canonical form.
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
    /// Every rule the scorer can fire; must include all the built-in rules, with unique ids.
    pub rules: Vec<Rule>,
}

/// Thresholds for the built-in surface checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Replies with fewer words are too short to help.
    pub too_short_words: u8,
    /// Replies with more words are a wall of text.
    pub wall_of_text_words: u16,
    /// This many empathy phrases or more in one reply is stuffing.
    pub stuffing_hits: u8,
    /// This many words in capitals or more is shouting.
    pub shouted_words: u8,
    /// This many different acronyms the customer did not use ("your FPS hit TM on a CoP
    /// match") or more is a jargon wall.
    #[serde(default = "default_jargon_terms")]
    pub jargon_terms: u8,
    /// A reply whose words come this much (percent) from the customer's line is parroting.
    pub parroting_percent: u8,
    /// De-escalation is held at this score at most when the reply makes a forbidden claim:
    /// comfort built on something untrue ("refunded today, guaranteed") sets up the next call.
    #[serde(default = "default_false_comfort_cap")]
    pub false_comfort_deescalation: u8,
}

fn default_false_comfort_cap() -> u8 {
    60
}

fn default_jargon_terms() -> u8 {
    4
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            too_short_words: 4,
            wall_of_text_words: 120,
            stuffing_hits: 4,
            shouted_words: 2,
            jargon_terms: default_jargon_terms(),
            parroting_percent: 70,
            false_comfort_deescalation: default_false_comfort_cap(),
        }
    }
}

/// Where each dimension starts before rules add or remove points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseScores {
    /// Starting empathy, 0–100.
    pub empathy: u8,
    /// Accuracy when the node's rubric lists no facts to state.
    pub accuracy: u8,
    /// Accuracy before any rubric fact is stated; stating all of them adds up to 100.
    pub accuracy_with_facts: u8,
    /// Starting de-escalation, 0–100.
    pub deescalation: u8,
}

impl Lexicon {
    /// The lexicon shipped in `assets/scoring/lexicon.ron`.
    pub fn builtin() -> Lexicon {
        // A test checks that the shipped file parses and validates cleanly.
        parse_ron(
            RonKind::Lexicon,
            BUILTIN_LEXICON_PATH,
            BUILTIN_LEXICON.as_bytes(),
        )
        .expect("the built-in lexicon is checked by tests")
    }

    /// Parses and validates a lexicon file; `Err` holds every problem found.
    pub fn from_source(
        file: &str,
        bytes: &[u8],
    ) -> Result<(Lexicon, Vec<Diagnostic>), Vec<Diagnostic>> {
        let lexicon: Lexicon = parse_ron(RonKind::Lexicon, file, bytes).map_err(|d| vec![d])?;
        // parse_ron succeeded, so the bytes are UTF-8.
        let text = std::str::from_utf8(bytes).unwrap_or_default();
        let diagnostics = lexicon.validate(file, text);
        if diagnostics.iter().any(Diagnostic::is_error) {
            Err(diagnostics)
        } else {
            Ok((lexicon, diagnostics))
        }
    }

    /// The rule with this id, if the lexicon has one.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Checks ids, weights and texts; `text` is the file the lexicon was parsed from.
    pub fn validate(&self, file: &str, text: &str) -> Vec<Diagnostic> {
        let mut r = Reporter::new(file, text);
        for (field, value) in [
            ("empathy", self.base.empathy),
            ("accuracy", self.base.accuracy),
            ("accuracy_with_facts", self.base.accuracy_with_facts),
            ("deescalation", self.base.deescalation),
        ] {
            let path = [Step::Field("base"), Step::Field(field)];
            r.require_range(&path, &format!("base {field}"), value.into(), 0, 100);
        }
        let limits = [
            (
                "too_short_words",
                i64::from(self.limits.too_short_words),
                1,
                50,
            ),
            (
                "wall_of_text_words",
                i64::from(self.limits.wall_of_text_words),
                20,
                5000,
            ),
            ("stuffing_hits", i64::from(self.limits.stuffing_hits), 2, 50),
            (
                "false_comfort_deescalation",
                i64::from(self.limits.false_comfort_deescalation),
                0,
                100,
            ),
            ("shouted_words", i64::from(self.limits.shouted_words), 1, 50),
            ("jargon_terms", i64::from(self.limits.jargon_terms), 2, 50),
            (
                "parroting_percent",
                i64::from(self.limits.parroting_percent),
                1,
                100,
            ),
        ];
        for (field, value, min, max) in limits {
            let path = [Step::Field("limits"), Step::Field(field)];
            r.require_range(&path, &format!("limit {field}"), value, min, max);
        }
        for (i, group) in self.synonyms.iter().enumerate() {
            let path = [Step::Field("synonyms"), Step::Index(i)];
            if group.len() < 2
                || group
                    .iter()
                    .any(|w| w.trim().is_empty() || w.contains(char::is_whitespace))
            {
                r.error(
                    &path,
                    "bad-synonyms",
                    "a synonym group needs two or more single words".into(),
                );
            }
        }
        let mut seen = HashSet::new();
        for (i, rule) in self.rules.iter().enumerate() {
            let at =
                |field: &'static str| [Step::Field("rules"), Step::Index(i), Step::Field(field)];
            rule.check(&mut r, &[Step::Field("rules"), Step::Index(i)], &mut seen);
            if rule.patterns.is_empty()
                && !builtin::ALL.contains(&rule.id.as_str())
                && !builtin::ADDED_LATER.contains(&rule.id.as_str())
            {
                let help = did_you_mean(&rule.id, builtin::ALL)
                    .map(|c| format!("did you mean the built-in rule \"{c}\"?"));
                r.report(
                    Severity::Warning,
                    &at("patterns"),
                    "rule-never-fires",
                    format!(
                        "rule \"{}\" has no patterns and is not a built-in rule, so it never fires",
                        rule.id
                    ),
                    help,
                );
            }
        }
        for id in builtin::ALL {
            if self.rule(id).is_none() {
                r.error(
                    &[Step::Field("rules")],
                    "missing-builtin",
                    format!("the built-in rule \"{id}\" is missing"),
                );
            }
        }
        for id in builtin::ADDED_LATER {
            if self.rule(id).is_none() {
                r.report(
                    Severity::Warning,
                    &[Step::Field("rules")],
                    "missing-builtin",
                    format!("the built-in rule \"{id}\" is missing, so it never fires"),
                    Some("copy it from the built-in lexicon, assets/scoring/lexicon.ron".into()),
                );
            }
        }
        r.out
    }
}

impl KnownRules for Lexicon {
    fn knows_rule(&self, id: &str) -> bool {
        self.rule(id).is_some()
    }

    fn rule_ids(&self) -> Vec<&str> {
        self.rules.iter().map(|rule| rule.id.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::rule::Dimension;

    #[test]
    fn shipped_lexicon_is_clean() {
        let (lexicon, diagnostics) =
            Lexicon::from_source(BUILTIN_LEXICON_PATH, BUILTIN_LEXICON.as_bytes())
                .expect("valid lexicon");
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        // Accuracy earns its points from rubric facts; every dimension can lose points.
        for dimension in [Dimension::Empathy, Dimension::Deescalation] {
            assert!(
                lexicon
                    .rules
                    .iter()
                    .any(|r| r.dimension == dimension && r.weight > 0)
            );
        }
        for dimension in Dimension::ALL {
            assert!(
                lexicon
                    .rules
                    .iter()
                    .any(|r| r.dimension == dimension && r.weight < 0)
            );
        }
    }

    #[test]
    fn duplicate_and_missing_builtin_rules_are_errors() {
        let text = r#"Lexicon(version: 1, base: (empathy: 40, accuracy: 70, accuracy_with_facts: 20, deescalation: 40),
rules: [
  Rule(id: "x", dimension: Empathy, weight: 5, patterns: ["a"], explanation: "e", hint: "h"),
  Rule(id: "x", dimension: Empathy, weight: 500, patterns: ["b"], explanation: "e", hint: "h"),
])"#;
        let errors = Lexicon::from_source("l.ron", text.as_bytes()).unwrap_err();
        let codes: Vec<_> = errors.iter().map(|d| (d.code, d.line)).collect();
        assert!(codes.contains(&("duplicate-id", 4)), "{errors:#?}");
        assert!(codes.contains(&("out-of-range", 4)), "{errors:#?}");
        assert_eq!(
            errors
                .iter()
                .filter(|d| d.code == "missing-builtin" && d.is_error())
                .count(),
            builtin::ALL.len()
        );
        // A rule added after trainers wrote their lexicons is only a warning when missing.
        assert!(errors.iter().any(|d| d.code == "missing-builtin"
            && !d.is_error()
            && d.message.contains(builtin::RESTATES_COMPLAINT)));
    }
}
