//! Shift mode: a queue of customers drawn with the seeded RNG, weighted towards the scenarios
//! where the trainee is weakest, and the shift's handle times and caller satisfaction.

use std::collections::{BTreeMap, BTreeSet};

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde::Serialize;

use super::attempt::{AttemptKind, AttemptRecord};
use super::rules::ShiftRules;
use crate::scenario::model::EndingKind;
use crate::session::Start;

/// A scenario that may be drawn, with how weak the trainee is there: 100 minus their best
/// score on its weakest dimension (50 if never played).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftCandidate {
    /// Id of the scenario.
    pub scenario_id: String,
    /// 100 minus the trainee's best score on its weakest dimension, 0–100; 50 if never played.
    pub weakness: u8,
}

/// The scenarios a shift may draw from: those in an unlocked tier, given as (id, tier), each
/// with the trainee's weakness there worked out from `attempts` (drills do not count: one node
/// is not the scenario).
pub fn shift_candidates<'a>(
    scenarios: impl IntoIterator<Item = (&'a str, u8)>,
    unlocked_tiers: &BTreeSet<u8>,
    attempts: &[AttemptRecord],
) -> Vec<ShiftCandidate> {
    // Best score per dimension, per scenario.
    let mut best: BTreeMap<&str, [u8; 3]> = BTreeMap::new();
    for record in attempts {
        let Some(outcome) = record.finished() else {
            continue;
        };
        if matches!(record.kind, AttemptKind::Drill { .. }) {
            continue;
        }
        let entry = best.entry(record.scenario_id.as_str()).or_default();
        for (have, now) in
            entry
                .iter_mut()
                .zip([outcome.empathy, outcome.accuracy, outcome.deescalation])
        {
            *have = (*have).max(now);
        }
    }
    scenarios
        .into_iter()
        .filter(|(_, tier)| unlocked_tiers.contains(tier))
        .map(|(id, _)| ShiftCandidate {
            scenario_id: id.to_string(),
            weakness: best.get(id).map_or(50, |dims| {
                100 - dims.iter().copied().min().unwrap_or(0).min(100)
            }),
        })
        .collect()
}

/// Draws `rules.calls` scenario ids. Each draw picks with weight `100 + weak_skill_weight ×
/// weakness`, without repeats until every candidate has been drawn once. The same seed and
/// candidates give the same shift.
pub fn draw_shift(seed: u64, candidates: &[ShiftCandidate], rules: &ShiftRules) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut left: Vec<&ShiftCandidate> = Vec::new();
    let mut shift = Vec::new();
    while shift.len() < rules.calls as usize && !candidates.is_empty() {
        if left.is_empty() {
            left = candidates.iter().collect();
        }
        let weight =
            |c: &ShiftCandidate| 100 + u64::from(rules.weak_skill_weight) * u64::from(c.weakness);
        let total: u64 = left.iter().map(|c| weight(c)).sum();
        // Multiply-shift maps the 64 random bits onto 0..total without modulo bias worth noting.
        let mut pick = ((u128::from(rng.next_u64()) * u128::from(total)) >> 64) as u64;
        let index = left
            .iter()
            .position(|c| {
                let w = weight(c);
                if pick < w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .unwrap_or(left.len() - 1);
        shift.push(left.remove(index).scenario_id.clone());
    }
    shift
}

/// A shift as drawn: its id, its seed and the scenario of each call in order. Everything a
/// replay needs is here: the draw comes from the seed, and so does each call's own seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftPlan {
    /// Id of the shift, "shift-{start time}-{seed}"; each call's attempt records it.
    pub shift_id: String,
    /// Seed of the draw; each call's own seed is derived from it.
    pub seed: u64,
    /// Scenario ids, one per call.
    pub calls: Vec<String>,
}

impl ShiftPlan {
    /// Draws a shift (see [`draw_shift`]) begun at `now` (seconds since the Unix epoch, which
    /// with the seed makes the shift's id). `None` when there is nothing to draw from.
    pub fn draw(
        seed: u64,
        candidates: &[ShiftCandidate],
        rules: &ShiftRules,
        now: u64,
    ) -> Option<ShiftPlan> {
        let calls = draw_shift(seed, candidates, rules);
        (!calls.is_empty()).then(|| ShiftPlan {
            shift_id: format!("shift-{now}-{seed}"),
            seed,
            calls,
        })
    }

    /// Call `call`'s (0-based) own seed, derived from the shift's so the whole shift replays,
    /// and different per call so two calls of one scenario do not play the same lines.
    pub fn call_seed(&self, call: usize) -> u64 {
        self.seed.wrapping_mul(31).wrapping_add(call as u64 + 1)
    }

    /// How call `call` begins.
    pub fn call_start(&self, call: usize) -> Start {
        Start::ShiftCall {
            shift_id: self.shift_id.clone(),
            call: call as u32,
            calls: self.calls.len() as u32,
        }
    }
}

/// A caller's satisfaction, 1 to 5, CSAT-style: from how they felt at the end (trust up,
/// anger and confusion down) and whether they were helped. A caller who hung up gives 1.
pub fn satisfaction(record: &AttemptRecord) -> u8 {
    let Some(outcome) = record.finished() else {
        return 1;
    };
    if outcome.kind == EndingKind::CustomerLeft {
        return 1;
    }
    let end = record
        .mood_curve()
        .last()
        .copied()
        .unwrap_or(record.starting_mood);
    let feeling = (u32::from(end.trust) + 200
        - u32::from(end.anger.min(100))
        - u32::from(end.confusion.min(100)))
        / 3;
    let resolved_bonus = if outcome.kind == EndingKind::Resolved {
        10
    } else {
        0
    };
    let score = (feeling + resolved_bonus).min(100);
    (1 + (score * 4 + 50) / 100) as u8
}

/// A finished shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShiftSummary {
    /// Id of the shift.
    pub shift_id: String,
    /// How many calls were taken.
    pub calls: u32,
    /// Seconds per call, in the order taken.
    pub handle_secs: Vec<u64>,
    /// Each caller's satisfaction, 1–5, in the order taken.
    pub satisfaction: Vec<u8>,
    /// Percent of calls at or above the satisfied mark.
    pub satisfied_percent: u8,
    /// When the last call finished, in seconds since the Unix epoch; 0 for a shift with no calls.
    pub finished_at: u64,
}

/// Sums up the `calls` of shift `shift_id`: handle times, satisfaction and the share satisfied
/// under `rules`.
pub fn summarise(shift_id: &str, calls: &[&AttemptRecord], rules: &ShiftRules) -> ShiftSummary {
    let satisfaction: Vec<u8> = calls.iter().map(|c| satisfaction(c)).collect();
    let satisfied = satisfaction
        .iter()
        .filter(|&&s| s >= rules.satisfied_from)
        .count();
    ShiftSummary {
        shift_id: shift_id.to_string(),
        calls: calls.len() as u32,
        handle_secs: calls.iter().map(|c| c.handle_secs()).collect(),
        satisfied_percent: (satisfied * 100)
            .checked_div(calls.len())
            .unwrap_or_default() as u8,
        satisfaction,
        finished_at: calls
            .iter()
            .map(|c| c.finished_at)
            .max()
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates() -> Vec<ShiftCandidate> {
        [("strong", 0u8), ("weak", 100), ("middling", 50)]
            .iter()
            .map(|(id, weakness)| ShiftCandidate {
                scenario_id: id.to_string(),
                weakness: *weakness,
            })
            .collect()
    }

    fn rules(calls: u32) -> ShiftRules {
        ShiftRules {
            calls,
            weak_skill_weight: 3,
            satisfied_from: 4,
        }
    }

    #[test]
    fn a_plan_replays_from_its_seed_and_gives_each_call_its_own_seed() {
        let plan = ShiftPlan::draw(7, &candidates(), &rules(5), 1_000).unwrap();
        assert_eq!(
            plan,
            ShiftPlan::draw(7, &candidates(), &rules(5), 1_000).unwrap()
        );
        assert_eq!(plan.shift_id, "shift-1000-7");
        assert_eq!(plan.calls.len(), 5);
        let seeds: BTreeSet<u64> = (0..5).map(|call| plan.call_seed(call)).collect();
        assert_eq!(seeds.len(), 5, "every call has its own seed");
        assert_eq!(
            plan.call_start(2),
            Start::ShiftCall {
                shift_id: "shift-1000-7".into(),
                call: 2,
                calls: 5
            }
        );
        assert_eq!(ShiftPlan::draw(7, &[], &rules(5), 1_000), None);
    }

    #[test]
    fn the_same_seed_draws_the_same_shift_and_covers_everyone_before_repeating() {
        let a = draw_shift(7, &candidates(), &rules(5));
        assert_eq!(a, draw_shift(7, &candidates(), &rules(5)));
        assert_eq!(a.len(), 5);
        let mut first_three = a[..3].to_vec();
        first_three.sort();
        assert_eq!(first_three, ["middling", "strong", "weak"]);
    }

    #[test]
    fn weak_scenarios_come_first_more_often() {
        let firsts = (0..2000u64)
            .map(|seed| draw_shift(seed, &candidates(), &rules(1)).remove(0))
            .collect::<Vec<_>>();
        let count = |id: &str| firsts.iter().filter(|f| *f == id).count();
        // Weights 100, 400 and 250 of 750: about 267, 1067 and 667 of 2000.
        assert!(
            count("weak") > 900 && count("weak") < 1250,
            "{}",
            count("weak")
        );
        assert!(
            count("strong") > 170 && count("strong") < 370,
            "{}",
            count("strong")
        );
        assert!(draw_shift(1, &[], &rules(3)).is_empty());
    }
}
