//! What the scorer derives from one node's context (the persona's name and triggers, the
//! rubric's phrases, the scenario's own rules, the figures the case file knows, the customer's
//! words), compiled once and cached by a hash of the texts it came from. Normalising that text
//! was most of the cost of a score; now a reply pays only for its own words.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use super::ScoringContext;
use super::fast_hash::{FastSet, TextHasher};
use super::matcher::Phrase;
use super::vocabulary::Vocabulary;

/// A node's context, ready to match replies against.
#[derive(Debug)]
pub struct CompiledNode {
    /// The persona's name, one phrase per word of two or more letters.
    pub names: Vec<Phrase>,
    /// One phrase per persona trigger, in the persona's order.
    pub triggers: Vec<Phrase>,
    /// Accepted phrasings of each rubric fact, in rubric order.
    pub facts: Vec<Vec<Phrase>>,
    /// Phrases of each forbidden claim, in rubric order.
    pub forbidden: Vec<Vec<Phrase>>,
    /// Patterns of each rule the scenario adds, in its order.
    pub scenario_rules: Vec<Vec<Phrase>>,
    /// Figures the case file, persona, rubric or the customer's line mention.
    pub known_figures: FastSet<String>,
    /// Distinct token keys of the customer's line, for the parroting check.
    pub customer_keys: FastSet<String>,
}

/// Token keys that are figures: numbers, times, amounts and dates.
pub fn is_figure_key(key: &str) -> bool {
    key.starts_with("date:") || key.starts_with(|c: char| c.is_ascii_digit())
}

impl CompiledNode {
    fn compile(vocabulary: &Vocabulary, context: &ScoringContext<'_>) -> CompiledNode {
        let scenario = context.scenario;
        let phrases = |texts: &[String]| -> Vec<Phrase> {
            texts.iter().map(|t| vocabulary.phrase(t)).collect()
        };
        let mut known_figures = FastSet::default();
        for text in figure_sources(context) {
            known_figures.extend(
                vocabulary
                    .normalize(text)
                    .tokens
                    .into_iter()
                    .map(|t| t.key)
                    .filter(|k| is_figure_key(k)),
            );
        }
        let customer_keys: FastSet<String> = vocabulary
            .normalize(context.customer_line)
            .tokens
            .into_iter()
            .map(|t| t.key)
            .collect();
        known_figures.extend(customer_keys.iter().filter(|k| is_figure_key(k)).cloned());
        CompiledNode {
            names: scenario
                .persona
                .name
                .split_whitespace()
                .filter(|w| w.len() >= 2)
                .map(|w| vocabulary.phrase(w))
                .collect(),
            triggers: phrases(&scenario.persona.triggers),
            facts: context
                .rubric
                .facts
                .iter()
                .map(|f| phrases(&f.accept))
                .collect(),
            forbidden: context
                .rubric
                .forbidden
                .iter()
                .map(|c| phrases(&c.phrases))
                .collect(),
            scenario_rules: scenario
                .scoring
                .rules
                .iter()
                .map(|r| phrases(&r.patterns))
                .collect(),
            known_figures,
            customer_keys,
        }
    }
}

/// Every text whose figures a reply may repeat without being wrong.
fn figure_sources<'a>(context: &ScoringContext<'a>) -> Vec<&'a str> {
    let s = context.scenario;
    let mut sources: Vec<&str> = vec![s.persona.backstory.as_str()];
    for fact in &s.case_file.facts {
        sources.extend([fact.value.as_str(), fact.label.as_str()]);
    }
    for policy in &s.case_file.policies {
        sources.push(&policy.text);
        sources.extend(
            policy
                .may
                .iter()
                .chain(&policy.must_not)
                .map(String::as_str),
        );
    }
    for fact in &context.rubric.facts {
        sources.extend(fact.accept.iter().map(String::as_str));
    }
    sources.extend(context.rubric.model_answers.iter().map(String::as_str));
    sources
}

/// A hash of every text [`CompiledNode::compile`] reads, so an edited, reloaded scenario gets
/// a fresh entry rather than a stale one.
fn context_key(context: &ScoringContext<'_>) -> u64 {
    let mut h = TextHasher::default();
    let s = context.scenario;
    s.persona.name.hash(&mut h);
    s.persona.triggers.hash(&mut h);
    for fact in &context.rubric.facts {
        fact.accept.hash(&mut h);
    }
    for claim in &context.rubric.forbidden {
        claim.phrases.hash(&mut h);
    }
    for rule in &s.scoring.rules {
        rule.patterns.hash(&mut h);
    }
    figure_sources(context).hash(&mut h);
    context.customer_line.hash(&mut h);
    h.finish()
}

/// Compiled nodes by context hash. Bounded: a trainer's 10,000-node scenario clears it now and
/// then rather than growing without limit.
#[derive(Debug, Default)]
pub struct NodeCache {
    entries: Mutex<HashMap<u64, Arc<CompiledNode>>>,
}

const MAX_ENTRIES: usize = 4096;

impl NodeCache {
    pub fn get(&self, vocabulary: &Vocabulary, context: &ScoringContext<'_>) -> Arc<CompiledNode> {
        let key = context_key(context);
        // A poisoned lock only means another thread panicked mid-insert; the map is still whole.
        let lookup = |entries: &Mutex<HashMap<u64, Arc<CompiledNode>>>| {
            let map = entries.lock().unwrap_or_else(|e| e.into_inner());
            map.get(&key).cloned()
        };
        if let Some(node) = lookup(&self.entries) {
            return node;
        }
        let node = Arc::new(CompiledNode::compile(vocabulary, context));
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(key, Arc::clone(&node));
        node
    }
}
