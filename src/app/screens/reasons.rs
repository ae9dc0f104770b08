//! How a reply's reasons read on screen. The feedback dialog and the debrief both use this, so a
//! trainee sees each reason worded the same way in both places.

use bevy::prelude::*;

use crate::app::theme::{self, palette};
use crate::scenario::model::{Scenario, Turn};
use crate::scoring::{Dimension, Reason, ReplyScore};
use crate::session::TurnResult;

/// What a typed reply left out, in words a new hire can act on: each fact the customer needed
/// and did not hear, with the author's hint and one way the model answer put it.
pub struct MissingFact {
    /// The fact's id as words: "held-at-depot" reads "held at depot".
    pub what: String,
    pub hint: Option<String>,
    /// An accepted wording, e.g. "Thursday", so the trainee sees what would have counted.
    pub for_example: Option<String>,
}

/// The facts a typed turn's reply missed, in rubric order; none for a picked choice.
pub fn missing_facts(scenario: &Scenario, turn: &TurnResult) -> Vec<MissingFact> {
    if turn.choice.is_some() {
        return Vec::new();
    }
    let Some(Turn::FreeText(free)) = scenario.node(&turn.node_id).map(|n| &n.turn) else {
        return Vec::new();
    };
    let missing = turn.score.facts_missing();
    free.rubric
        .facts
        .iter()
        .filter(|fact| missing.contains(&fact.id.as_str()))
        .map(|fact| MissingFact {
            what: fact.id.replace(['-', '_'], " "),
            hint: fact.hint.clone(),
            for_example: fact.accept.first().cloned(),
        })
        .collect()
}

/// Spawns the "Not said" list under a typed reply's feedback.
pub fn spawn_missing_facts(commands: &mut Commands, parent: Entity, missing: &[MissingFact]) {
    if missing.is_empty() {
        return;
    }
    commands.spawn((
        theme::text(
            "What the customer still needed to hear:",
            theme::SMALL_SIZE,
            palette::WARN,
        ),
        ChildOf(parent),
    ));
    for fact in missing {
        let example = fact
            .for_example
            .as_deref()
            .map(|e| format!(" (for example \u{201c}{e}\u{201d})"))
            .unwrap_or_default();
        let hint = fact
            .hint
            .as_deref()
            .map(|h| format!(": {h}"))
            .unwrap_or_default();
        commands.spawn((
            theme::text(
                format!("- {}{example}{hint}", fact.what),
                theme::SMALL_SIZE,
                palette::TEXT,
            ),
            ChildOf(parent),
        ));
    }
}

/// The reasons worth listing: those that moved a score. A picked choice's authored score is
/// left out, because the choice's own feedback already says it, once for all three dimensions.
pub fn listed(score: &ReplyScore) -> Vec<(Dimension, &Reason)> {
    Dimension::ALL
        .into_iter()
        .flat_map(|d| score.dimension(d).reasons.iter().map(move |r| (d, r)))
        .filter(|(_, r)| r.delta != 0 && !r.is_authored())
        .collect()
}

/// Spawns the hint that came with a picked choice, once, if the author wrote one.
pub fn spawn_authored_hint(commands: &mut Commands, parent: Entity, score: &ReplyScore) {
    let hint = Dimension::ALL
        .iter()
        .flat_map(|d| score.dimension(*d).reasons.iter())
        .find(|r| r.is_authored() && !r.hint.is_empty());
    if let Some(reason) = hint {
        commands.spawn((
            theme::text(
                format!("Hint: {}", reason.hint),
                theme::SMALL_SIZE,
                palette::ACCENT,
            ),
            ChildOf(parent),
        ));
    }
}

/// Spawns one reason: the points and the explanation in plain words first, with the words of
/// the reply that fired it; for a penalty the hint for doing better; and last, small, the rule's
/// id, for a trainer or a curious trainee (day one needs the words, not "empathy.validate-first").
pub fn spawn_reason(
    commands: &mut Commands,
    parent: Entity,
    (dimension, reason): (Dimension, &Reason),
) {
    let (sign, color) = if reason.delta > 0 {
        ("+", palette::GOOD)
    } else {
        ("", palette::BAD)
    };
    let matched = if reason.matched.is_empty() {
        String::new()
    } else {
        format!("  \u{201c}{}\u{201d}", reason.matched)
    };
    let item = commands.spawn((theme::column(1.0), ChildOf(parent))).id();
    commands.spawn((
        theme::text(
            format!(
                "{sign}{} {}  {}{matched}",
                reason.delta,
                dimension.label().to_lowercase(),
                reason.explanation
            ),
            theme::SMALL_SIZE,
            color,
        ),
        ChildOf(item),
    ));
    if reason.delta < 0 && !reason.hint.is_empty() {
        commands.spawn((
            theme::text(
                format!("Hint: {}", reason.hint),
                theme::SMALL_SIZE,
                palette::TEXT_MUTED,
            ),
            ChildOf(item),
        ));
    }
    commands.spawn((
        theme::text(format!("rule {}", reason.rule), 11.0, palette::TEXT_MUTED),
        ChildOf(item),
    ));
}
