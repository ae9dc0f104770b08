//! Scoring of trainee replies: the result types shared by choices and free text, and the
//! [`ReplyScorer`] interface that free-text scorers implement.

// The free-text scorer's machinery is private: outside this layer only the lexicon, the
// result types, `ReplyScorer` and `RuleScorer` are used.
pub mod calibration;
mod fast_hash;
pub mod hybrid_scorer;
pub mod lexicon;
mod matcher;
mod node_cache;
pub mod rule_scorer;
pub mod semantic;
mod text;
mod vocabulary;

use serde::{Deserialize, Serialize};

use crate::scenario::model::{Choice, Node, Rubric, Scenario, Turn};

pub use crate::scenario::rule::{Dimension, Rule};
pub use hybrid_scorer::HybridScorer;
pub use lexicon::Lexicon;
pub use rule_scorer::RuleScorer;

/// One explained contribution to a dimension's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The id of the rule that fired.
    pub rule: String,
    /// Points this rule added (or removed, when negative).
    pub delta: i32,
    /// The words in the reply that triggered the rule (empty when the rule is about an absence).
    pub matched: String,
    /// Byte span of `matched` in the reply, when the rule matched text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<(usize, usize)>,
    /// Why it matters: the rule's explanation with any details added, or a choice's feedback.
    pub explanation: String,
    /// How to do better; empty when there is none (a picked choice with no hint).
    pub hint: String,
}

/// The rule id of a picked choice's score: the author's numbers and feedback, not a lexicon rule.
pub const AUTHORED_CHOICE_RULE: &str = "authored-choice";

impl Reason {
    /// Whether this is a picked choice's authored score. Its explanation is the choice's
    /// feedback, the same for every dimension, so screens show it once, not once per dimension.
    pub fn is_authored(&self) -> bool {
        self.rule == AUTHORED_CHOICE_RULE
    }
}

/// A 0–100 score for one dimension, with the reasons that produced it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DimensionScore {
    /// The dimension's score, 0–100.
    pub score: u8,
    /// What moved the score away from its base, in the scorer's order.
    pub reasons: Vec<Reason>,
}

/// The full judgement of one reply.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReplyScore {
    /// How warmly the reply acknowledged the customer.
    pub empathy: DimensionScore,
    /// Whether the reply stated the right facts and made no false claims.
    pub accuracy: DimensionScore,
    /// How well the reply calmed the customer.
    pub deescalation: DimensionScore,
    /// Mean of the three dimension scores, rounded.
    pub overall: u8,
    /// Critical forbidden claims the reply made: each fails the attempt whatever the scores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub critical: Vec<CriticalBreach>,
}

/// A critical forbidden claim made in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriticalBreach {
    /// The claim's id in the node's rubric.
    pub claim: String,
    /// The words that made it.
    pub matched: String,
    /// Why it is wrong, from the rubric.
    pub why: String,
}

impl CriticalBreach {
    /// What the debrief and the terminal say of it, after their "Critical breach:" label.
    pub fn told(&self) -> String {
        format!(
            "you said \"{}\". {} Any critical breach fails the attempt, whatever the scores.",
            self.matched, self.why
        )
    }
}

impl ReplyScore {
    /// A score from its three dimensions, with `overall` worked out as their rounded mean.
    pub fn new(
        empathy: DimensionScore,
        accuracy: DimensionScore,
        deescalation: DimensionScore,
    ) -> Self {
        let overall = mean_score(&[empathy.score, accuracy.score, deescalation.score]);
        ReplyScore {
            empathy,
            accuracy,
            deescalation,
            overall,
            critical: Vec::new(),
        }
    }

    /// The same score, with the critical breaches the reply made.
    pub fn with_critical(mut self, critical: Vec<CriticalBreach>) -> Self {
        self.critical = critical;
        self
    }

    /// The ids of the rubric facts the reply states, in rubric order.
    pub fn facts_stated(&self) -> Vec<&str> {
        self.fact_ids(lexicon::builtin::FACT_STATED)
    }

    /// The ids of the rubric facts the reply misses, in rubric order.
    pub fn facts_missing(&self) -> Vec<&str> {
        self.fact_ids(lexicon::builtin::FACT_MISSING)
    }

    /// Every reason, in each dimension's order: empathy, accuracy, de-escalation.
    pub fn reasons(&self) -> impl Iterator<Item = &Reason> {
        Dimension::ALL
            .into_iter()
            .flat_map(|d| self.dimension(d).reasons.iter())
    }

    /// Every reason's rule id, in each dimension's order: empathy, accuracy, de-escalation.
    pub fn rules_fired(&self) -> impl Iterator<Item = &str> {
        self.reasons().map(|r| r.rule.as_str())
    }

    /// The fact reasons of `rule` carry the fact's id in brackets at the end of their
    /// explanation, "… (refund-date)", where the debrief shows it.
    fn fact_ids(&self, rule: &str) -> Vec<&str> {
        self.accuracy
            .reasons
            .iter()
            .filter(|r| r.rule == rule)
            .map(|r| fact_id(&r.explanation))
            .collect()
    }

    /// The score for one dimension.
    pub fn dimension(&self, dimension: Dimension) -> &DimensionScore {
        match dimension {
            Dimension::Empathy => &self.empathy,
            Dimension::Accuracy => &self.accuracy,
            Dimension::Deescalation => &self.deescalation,
        }
    }

    /// The score of a picked choice: the author's numbers, explained by the author's feedback.
    pub fn from_choice(choice: &Choice) -> Self {
        let explained = |score: u8| DimensionScore {
            score,
            reasons: vec![Reason {
                rule: AUTHORED_CHOICE_RULE.to_string(),
                delta: i32::from(score),
                matched: choice.text.clone(),
                span: None,
                explanation: choice.feedback.clone(),
                hint: choice.hint.clone().unwrap_or_default(),
            }],
        };
        ReplyScore::new(
            explained(choice.scores.empathy),
            explained(choice.scores.accuracy),
            explained(choice.scores.deescalation),
        )
    }
}

/// Rounded mean of 0–100 scores; 0 for an empty slice.
pub fn mean_score(scores: &[u8]) -> u8 {
    if scores.is_empty() {
        return 0;
    }
    let sum: u32 = scores.iter().map(|&s| u32::from(s)).sum();
    let n = scores.len() as u32;
    ((sum + n / 2) / n) as u8
}

/// The fact id at the end of a fact reason's explanation: "Stated a required fact (eta)" → "eta".
pub fn fact_id(explanation: &str) -> &str {
    explanation
        .rsplit_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or(explanation)
}

/// Everything a scorer may look at besides the reply itself.
#[derive(Debug, Clone, Copy)]
pub struct ScoringContext<'a> {
    /// The scenario being played.
    pub scenario: &'a Scenario,
    /// The node the reply answers.
    pub node: &'a Node,
    /// The node's rubric; an empty one at a node with choices.
    pub rubric: &'a Rubric,
    /// What the customer just said (to spot a reply that only parrots it).
    pub customer_line: &'a str,
    /// The trainee's earlier free-text and choice replies in this session, oldest first.
    pub earlier_replies: &'a [String],
}

/// The rubric of a node whose turn has none (a choice node).
static NO_RUBRIC: Rubric = Rubric {
    facts: Vec::new(),
    forbidden: Vec::new(),
    model_answers: Vec::new(),
    rules: Vec::new(),
};

impl<'a> ScoringContext<'a> {
    /// A reply at `node` of `scenario`, after the customer said `customer_line`, following the
    /// trainee's `earlier_replies` in this session. The rubric is the node's (none for a node
    /// with choices). Every scorer call is set up here or by [`ScoringContext::first_reply`].
    pub fn at(
        scenario: &'a Scenario,
        node: &'a Node,
        customer_line: &'a str,
        earlier_replies: &'a [String],
    ) -> ScoringContext<'a> {
        let rubric = match &node.turn {
            Turn::FreeText(free) => &free.rubric,
            Turn::Choices(_) => &NO_RUBRIC,
        };
        ScoringContext {
            scenario,
            node,
            rubric,
            customer_line,
            earlier_replies,
        }
    }

    /// A reply at `node` as the first of a session: after the first line the customer says
    /// there in the persona's starting mood, with nothing said before. What `holdline score`
    /// and the scorer's tests judge a reply in.
    pub fn first_reply(scenario: &'a Scenario, node: &'a Node) -> ScoringContext<'a> {
        let band = scenario.persona.mood.band();
        let customer_line = node
            .customer
            .for_band(band)
            .first()
            .map_or("", String::as_str);
        ScoringContext::at(scenario, node, customer_line, &[])
    }
}

/// Scores a typed reply. Implementations must be deterministic and must not panic on any input.
pub trait ReplyScorer: Send + Sync {
    /// Judges `reply`, typed at the point `context` describes.
    fn score(&self, context: &ScoringContext<'_>, reply: &str) -> ReplyScore;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_rounds_half_up_and_handles_empty() {
        assert_eq!(mean_score(&[]), 0);
        assert_eq!(mean_score(&[100, 0]), 50);
        assert_eq!(mean_score(&[1, 2]), 2);
        assert_eq!(mean_score(&[100, 100, 99]), 100);
    }
}
