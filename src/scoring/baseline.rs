//! The baseline free-text scorer: lexicon phrases matched on word boundaries, rubric facts found
//! or missing, forbidden claims and the persona's trigger phrases. Deterministic and explainable.

use super::lexicon::builtin;
use super::{
    Dimension, DimensionScore, Lexicon, Reason, ReplyScore, ReplyScorer, Rule, ScoringContext,
};

/// Scores typed replies with the lexicon's phrase rules and the node's rubric.
#[derive(Debug, Clone)]
pub struct BaselineScorer {
    lexicon: Lexicon,
}

impl BaselineScorer {
    pub fn new(lexicon: Lexicon) -> Self {
        BaselineScorer { lexicon }
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }
}

impl Default for BaselineScorer {
    fn default() -> Self {
        BaselineScorer::new(Lexicon::builtin())
    }
}

/// Byte range of the first occurrence of `needle` in `haystack` as a whole phrase: not inside a
/// longer word. Both are compared ASCII-case-insensitively, which keeps byte offsets exact.
pub fn find_phrase(haystack: &str, needle: &str) -> Option<(usize, usize)> {
    let needle = needle.trim();
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    let hay = haystack.as_bytes();
    let pin = needle.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'\'' || b >= 0x80;
    (0..=hay.len() - pin.len()).find_map(|start| {
        let end = start + pin.len();
        let same = hay[start..end].eq_ignore_ascii_case(pin);
        let left_ok = start == 0 || !is_word(hay[start - 1]) || !is_word(pin[0]);
        let right_ok = end == hay.len() || !is_word(hay[end]) || !is_word(pin[pin.len() - 1]);
        (same && left_ok && right_ok).then_some((start, end))
    })
}

fn first_match<'p>(
    reply: &str,
    phrases: impl IntoIterator<Item = &'p String>,
) -> Option<(usize, usize)> {
    phrases
        .into_iter()
        .filter_map(|p| find_phrase(reply, p))
        .min_by_key(|&(start, end)| (start, std::cmp::Reverse(end)))
}

fn reason(rule: &Rule, delta: i32, reply: &str, span: Option<(usize, usize)>) -> Reason {
    Reason {
        rule: rule.id.clone(),
        delta,
        matched: span
            .and_then(|(s, e)| reply.get(s..e))
            .unwrap_or_default()
            .to_string(),
        span,
        explanation: rule.explanation.clone(),
        hint: rule.hint.clone(),
    }
}

fn total(base: u8, reasons: Vec<Reason>) -> DimensionScore {
    let sum: i32 = reasons.iter().map(|r| r.delta).sum();
    DimensionScore {
        score: (i32::from(base) + sum).clamp(0, 100) as u8,
        reasons,
    }
}

impl BaselineScorer {
    fn active_rules<'a>(&'a self, context: &ScoringContext<'a>) -> impl Iterator<Item = &'a Rule> {
        let overrides = &context.scenario.scoring;
        let node_rules = &context.rubric.rules;
        self.lexicon
            .rules
            .iter()
            .filter(move |r| {
                (r.default_on || node_rules.contains(&r.id)) && !overrides.disable.contains(&r.id)
            })
            .chain(overrides.rules.iter())
            .filter(|r| !r.patterns.is_empty())
    }

    fn builtin_rule(&self, id: &str) -> Rule {
        // The lexicon validator requires every built-in rule, but a hand-built Lexicon may lack one.
        self.lexicon.rule(id).cloned().unwrap_or_else(|| Rule {
            id: id.to_string(),
            dimension: Dimension::Accuracy,
            weight: 0,
            patterns: Vec::new(),
            explanation: String::new(),
            hint: String::new(),
            default_on: true,
        })
    }

    fn accuracy(&self, context: &ScoringContext<'_>, reply: &str) -> DimensionScore {
        let rubric = context.rubric;
        let mut reasons = Vec::new();
        let base = if rubric.facts.is_empty() {
            self.lexicon.base.accuracy
        } else {
            let stated_rule = self.builtin_rule(builtin::FACT_STATED);
            let missing_rule = self.builtin_rule(builtin::FACT_MISSING);
            let base = self.lexicon.base.accuracy_with_facts;
            let pool = 100 - i32::from(base.min(100));
            let n = rubric.facts.len() as i32;
            for (i, fact) in rubric.facts.iter().enumerate() {
                // Shares add up to exactly the pool, the remainder going to the first facts.
                let share = pool / n + i32::from((i as i32) < pool % n);
                match first_match(reply, &fact.accept) {
                    Some(span) => {
                        let mut r = reason(&stated_rule, share, reply, Some(span));
                        r.explanation = format!("{} ({})", stated_rule.explanation, fact.id);
                        reasons.push(r);
                    }
                    None => {
                        let mut r = reason(&missing_rule, 0, reply, None);
                        r.explanation = format!("{} ({})", missing_rule.explanation, fact.id);
                        if let Some(hint) = &fact.hint {
                            r.hint = hint.clone();
                        }
                        reasons.push(r);
                    }
                }
            }
            base
        };
        let forbidden_rule = self.builtin_rule(builtin::FORBIDDEN_CLAIM);
        for claim in &rubric.forbidden {
            if let Some(span) = first_match(reply, &claim.phrases) {
                let mut r = reason(&forbidden_rule, forbidden_rule.weight, reply, Some(span));
                r.explanation = format!("{} {}", forbidden_rule.explanation, claim.why);
                reasons.push(r);
            }
        }
        self.add_phrase_rules(context, reply, Dimension::Accuracy, &mut reasons);
        total(base, reasons)
    }

    fn add_phrase_rules(
        &self,
        context: &ScoringContext<'_>,
        reply: &str,
        dimension: Dimension,
        out: &mut Vec<Reason>,
    ) {
        for rule in self
            .active_rules(context)
            .filter(|r| r.dimension == dimension)
        {
            if let Some(span) = first_match(reply, &rule.patterns) {
                out.push(reason(rule, rule.weight, reply, Some(span)));
            }
        }
    }
}

impl ReplyScorer for BaselineScorer {
    fn score(&self, context: &ScoringContext<'_>, reply: &str) -> ReplyScore {
        let base = self.lexicon.base;
        let mut empathy = Vec::new();
        self.add_phrase_rules(context, reply, Dimension::Empathy, &mut empathy);
        let mut deescalation = Vec::new();
        self.add_phrase_rules(context, reply, Dimension::Deescalation, &mut deescalation);
        let trigger_rule = self.builtin_rule(builtin::CUSTOMER_TRIGGER);
        for trigger in &context.scenario.persona.triggers {
            if let Some(span) = find_phrase(reply, trigger) {
                deescalation.push(reason(
                    &trigger_rule,
                    trigger_rule.weight,
                    reply,
                    Some(span),
                ));
            }
        }
        let accuracy = self.accuracy(context, reply);
        if reply.trim().is_empty() {
            return ReplyScore::new(
                total(0, Vec::new()),
                total(0, Vec::new()),
                total(0, Vec::new()),
            );
        }
        ReplyScore::new(
            total(base.empathy, empathy),
            accuracy,
            total(base.deescalation, deescalation),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_whole_words_only() {
        assert_eq!(
            find_phrase("I'm sorry about that", "i'm sorry"),
            Some((0, 9))
        );
        assert_eq!(find_phrase("the within-day fee", "within"), Some((4, 10)));
        assert_eq!(find_phrase("notwithstanding", "within"), None);
        assert_eq!(find_phrase("hi", "a longer needle"), None);
        assert_eq!(find_phrase("refund of $42.90.", "$42.90"), Some((10, 16)));
        assert_eq!(find_phrase("", "x"), None);
    }
}
