//! A scoring rule and the dimensions it scores, as files state them: the lexicon lists rules,
//! and a scenario may add its own. Matching replies against them is the scoring layer's work.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::diagnostic::Reporter;
use super::span_index::Step;

/// The three things every reply is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Dimension {
    /// How warmly the reply acknowledges the customer and their situation.
    Empathy,
    /// Whether the reply states the right facts and makes no false promises.
    Accuracy,
    /// How well the reply calms the customer rather than inflaming them.
    Deescalation,
}

impl Dimension {
    /// All three dimensions, in the order scores are shown.
    pub const ALL: [Dimension; 3] = [
        Dimension::Empathy,
        Dimension::Accuracy,
        Dimension::Deescalation,
    ];

    /// Name shown to trainees, e.g. "De-escalation".
    pub fn label(self) -> &'static str {
        match self {
            Dimension::Empathy => "Empathy",
            Dimension::Accuracy => "Accuracy",
            Dimension::Deescalation => "De-escalation",
        }
    }

    /// The key used in JSON output and RON files.
    pub fn key(self) -> &'static str {
        match self {
            Dimension::Empathy => "empathy",
            Dimension::Accuracy => "accuracy",
            Dimension::Deescalation => "deescalation",
        }
    }
}

/// One scoring rule: phrases that, when a typed reply contains them, move one dimension's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Rule name, e.g. "deescalation.calm-down"; shown in the debrief and used by `disable`.
    pub id: String,
    /// The score the rule changes.
    pub dimension: Dimension,
    /// Points added when the rule fires (negative for penalties).
    pub weight: i32,
    /// Phrases that fire the rule, matched case-insensitively on word boundaries.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Why the rule matters; shown in the debrief when it fires.
    pub explanation: String,
    /// How to do better; shown in the debrief with the explanation.
    pub hint: String,
    /// Off-by-default rules apply only where a node's rubric lists them.
    #[serde(default = "yes")]
    pub default_on: bool,
}

fn yes() -> bool {
    true
}

/// The scoring rules a scenario may name (in `scoring.disable` and a rubric's `rules`). The
/// lexicon, one layer up, provides them; validation needs only their ids.
pub trait KnownRules {
    /// Whether `id` is a rule.
    fn knows_rule(&self, id: &str) -> bool;
    /// Every rule id, for "did you mean" suggestions.
    fn rule_ids(&self) -> Vec<&str>;
}

impl Rule {
    /// Checks the rule's id (against the ids `seen` so far in its list), weight (-100 to 100),
    /// explanation, hint and each pattern's text, as the lexicon and a scenario's own rules
    /// both state them; `base` is the rule's place in the file.
    pub fn check<'a>(
        &'a self,
        r: &mut Reporter<'_>,
        base: &[Step<'_>],
        seen: &mut HashSet<&'a str>,
    ) {
        let at = |field: &'static str| {
            let mut path = base.to_vec();
            path.push(Step::Field(field));
            path
        };
        r.require_text(&at("id"), "rule id", &self.id);
        if !seen.insert(self.id.as_str()) {
            r.error(
                &at("id"),
                "duplicate-id",
                format!("rule id \"{}\" is used more than once", self.id),
            );
        }
        r.require_range(
            &at("weight"),
            &format!("weight of \"{}\"", self.id),
            self.weight.into(),
            -100,
            100,
        );
        r.require_text(
            &at("explanation"),
            &format!("explanation of \"{}\"", self.id),
            &self.explanation,
        );
        r.require_text(&at("hint"), &format!("hint of \"{}\"", self.id), &self.hint);
        for (p, pattern) in self.patterns.iter().enumerate() {
            let mut path = at("patterns");
            path.push(Step::Index(p));
            r.require_text(
                &path,
                &format!("pattern {} of \"{}\"", p + 1, self.id),
                pattern,
            );
        }
    }
}
