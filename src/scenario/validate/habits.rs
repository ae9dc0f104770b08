//! Checks on habits a trainee could learn from the scenario's shape rather than its content:
//! when the longest choice is always the best one, picking the longest wins without reading.

use super::super::diagnostic::{Reporter, Severity};
use super::super::model::{Choice, Scenario, Turn};
use super::super::span_index::Step;

use Step::{Field as F, Index as I};

/// The pattern is reported only when this many choice nodes show it: with one or two it is
/// as likely to be chance.
const MIN_NODES_FOR_PATTERN: usize = 3;

/// Warns (`longest-choice-best`) when, at every node with two or more choices (and at least
/// [`MIN_NODES_FOR_PATTERN`] of them), the longest choice also has the best mean score.
pub(super) fn check_longest_choice(r: &mut Reporter<'_>, s: &Scenario) {
    let mut first = None;
    let mut nodes = 0;
    for (n, node) in s.nodes.iter().enumerate() {
        let Turn::Choices(choices) = &node.turn else {
            continue;
        };
        if choices.len() < 2 {
            continue;
        }
        nodes += 1;
        if !longest_is_best(choices) {
            return;
        }
        first.get_or_insert(n);
    }
    let Some(n) = first.filter(|_| nodes >= MIN_NODES_FOR_PATTERN) else {
        return;
    };
    r.report(
        Severity::Warning,
        &[F("nodes"), I(n), F("turn")],
        "longest-choice-best",
        format!(
            "at all {nodes} nodes with choices, the longest choice is also the best one: a trainee can win by picking the longest without reading"
        ),
        Some("write a good reply that is short and a weak one that is long (a wordy non-answer, an over-explanation) at some nodes".into()),
    );
}

/// Whether the longest choice (by characters) has the strictly highest mean score.
fn longest_is_best(choices: &[Choice]) -> bool {
    let total = |c: &Choice| {
        u32::from(c.scores.empathy)
            + u32::from(c.scores.accuracy)
            + u32::from(c.scores.deescalation)
    };
    let len = |c: &Choice| c.text.chars().count();
    let longest = choices
        .iter()
        .max_by_key(|c| len(c))
        .expect("two or more choices");
    let best = total(longest);
    choices
        .iter()
        .filter(|c| !std::ptr::eq(*c, longest))
        .all(|c| total(c) < best && len(c) < len(longest))
}
