//! What trainees actually do in a scenario, from their saved attempts: how often each choice is
//! picked at each node, how typed replies score there, which rubric facts are missed most and
//! which penalties fire most. For trainers deciding what to rewrite or coach.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{AttemptRecord, AttemptStatus};
use crate::scoring::{ReplyScore, fact_id};

/// The rule id of a missing rubric fact; its explanation ends with the fact's id in brackets.
const FACT_MISSING: &str = "accuracy.fact-missing";

/// A scenario's statistics over the attempts given.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ScenarioStats {
    /// The scenario's id.
    pub scenario_id: String,
    /// Attempts at this scenario (drills included).
    pub attempts: usize,
    /// Of them, reached an ending.
    pub finished: usize,
    /// Of them, passed.
    pub passed: usize,
    /// Of them, failed by a critical breach.
    pub critical_breaches: usize,
    /// Per node, by id.
    pub nodes: BTreeMap<String, NodeStats>,
    /// Rubric facts left out of typed replies, most often first: (node, fact id, times).
    pub most_missed_facts: Vec<(String, String, usize)>,
    /// Rules that took points off typed replies, most often first: (rule id, times).
    pub most_frequent_penalties: Vec<(String, usize)>,
}

/// One node's statistics.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct NodeStats {
    /// Replies given at this node.
    pub replies: usize,
    /// Choice picks, by 0-based choice index: (the choice's text as played, times picked).
    pub picks: BTreeMap<usize, (String, usize)>,
    /// Typed replies at this node.
    pub typed: usize,
    /// Mean scores of the typed replies (empathy, accuracy, de-escalation, overall), rounded.
    pub typed_mean: Option<[u8; 4]>,
}

/// How many entries the "most" lists keep.
const TOP: usize = 10;

/// Statistics per scenario over `attempts`, by scenario id.
pub fn scenario_stats(attempts: &[AttemptRecord]) -> BTreeMap<String, ScenarioStats> {
    let mut stats = StatsAccumulator::default();
    attempts.iter().for_each(|a| stats.add(a));
    stats.finish()
}

/// [`scenario_stats`] one attempt at a time, for a cohort too large to hold in memory at once:
/// what it keeps grows with the scenarios and nodes played, not with the attempts.
#[derive(Debug, Default)]
pub struct StatsAccumulator {
    out: BTreeMap<String, ScenarioStats>,
    missed: BTreeMap<String, BTreeMap<(String, String), usize>>,
    penalties: BTreeMap<String, BTreeMap<String, usize>>,
    sums: BTreeMap<(String, String), [u32; 4]>,
}

impl StatsAccumulator {
    /// Counts one attempt in.
    pub fn add(&mut self, attempt: &AttemptRecord) {
        let id = &attempt.scenario_id;
        let stats = self.out.entry(id.clone()).or_insert_with(|| ScenarioStats {
            scenario_id: id.clone(),
            ..ScenarioStats::default()
        });
        stats.attempts += 1;
        if attempt.status == AttemptStatus::Finished {
            stats.finished += 1;
        }
        if let Some(outcome) = &attempt.outcome {
            stats.passed += usize::from(outcome.passed);
            stats.critical_breaches += usize::from(!outcome.critical.is_empty());
        }
        for turn in &attempt.turns {
            let node = stats.nodes.entry(turn.node_id.clone()).or_default();
            node.replies += 1;
            match turn.choice {
                Some(i) => {
                    let pick = node.picks.entry(i).or_insert((turn.reply.clone(), 0));
                    pick.1 += 1;
                }
                None => {
                    node.typed += 1;
                    let s = &turn.score;
                    let sum = self
                        .sums
                        .entry((id.clone(), turn.node_id.clone()))
                        .or_default();
                    for (total, v) in sum.iter_mut().zip(scores(s)) {
                        *total += u32::from(v);
                    }
                    for reason in s.reasons() {
                        if reason.rule == FACT_MISSING {
                            let fact = fact_id(&reason.explanation).to_string();
                            *self
                                .missed
                                .entry(id.clone())
                                .or_default()
                                .entry((turn.node_id.clone(), fact))
                                .or_default() += 1;
                        } else if reason.delta < 0 {
                            *self
                                .penalties
                                .entry(id.clone())
                                .or_default()
                                .entry(reason.rule.clone())
                                .or_default() += 1;
                        }
                    }
                }
            }
        }
    }

    /// The statistics of every attempt added, by scenario id.
    pub fn finish(self) -> BTreeMap<String, ScenarioStats> {
        let StatsAccumulator {
            mut out,
            mut missed,
            mut penalties,
            sums,
        } = self;
        for ((scenario, node), sum) in sums {
            if let Some(n) = out.get_mut(&scenario).and_then(|s| s.nodes.get_mut(&node))
                && n.typed > 0
            {
                let count = n.typed as u32;
                n.typed_mean = Some(sum.map(|total| ((total + count / 2) / count) as u8));
            }
        }
        for (scenario, stats) in &mut out {
            stats.most_missed_facts = top(missed.remove(scenario).unwrap_or_default())
                .into_iter()
                .map(|((node, fact), n)| (node, fact, n))
                .collect();
            stats.most_frequent_penalties = top(penalties.remove(scenario).unwrap_or_default());
        }
        out
    }
}

fn scores(s: &ReplyScore) -> [u8; 4] {
    [
        s.empathy.score,
        s.accuracy.score,
        s.deescalation.score,
        s.overall,
    ]
}

/// The fact id a missing-fact explanation ends with: "... was not stated. (held-at-depot)".
/// The most frequent first, ties by key, at most [`TOP`].
fn top<K: Ord + Clone>(counts: BTreeMap<K, usize>) -> Vec<(K, usize)> {
    let mut list: Vec<(K, usize)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list.truncate(TOP);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fact_id_is_read_from_the_end_of_the_explanation() {
        assert_eq!(
            fact_id("A fact the customer needs was not stated. (held-at-depot)"),
            "held-at-depot"
        );
        assert_eq!(fact_id("no brackets"), "no brackets");
    }

    #[test]
    fn most_frequent_first_ties_by_name() {
        let counts = BTreeMap::from([("b", 2), ("a", 2), ("c", 5)]);
        assert_eq!(top(counts), vec![("c", 5), ("a", 2), ("b", 2)]);
    }
}
