//! How a reply's reasons read on screen. The feedback dialog and the debrief both use this, so a
//! trainee sees each reason worded the same way in both places.

use bevy::prelude::*;

use crate::app::theme::{self, palette};
use crate::scoring::{Dimension, Reason, ReplyScore};

/// The reasons worth listing: those that moved a score. A picked choice's authored score is
/// left out, because the choice's own feedback already says it, once for all three dimensions.
pub fn listed(score: &ReplyScore) -> Vec<&Reason> {
    Dimension::ALL
        .iter()
        .flat_map(|d| score.dimension(*d).reasons.iter())
        .filter(|r| r.delta != 0 && !r.is_authored())
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

/// Spawns one reason: the points and the rule with the words that fired it, the explanation,
/// and for a penalty the hint for doing better.
pub fn spawn_reason(commands: &mut Commands, parent: Entity, reason: &Reason) {
    let (sign, color) = if reason.delta > 0 {
        ("+", palette::GOOD)
    } else {
        ("", palette::BAD)
    };
    let matched = if reason.matched.is_empty() {
        String::new()
    } else {
        format!("  \"{}\"", reason.matched)
    };
    let item = commands.spawn((theme::column(1.0), ChildOf(parent))).id();
    commands.spawn((
        theme::text(
            format!("{sign}{}  {}{matched}", reason.delta, reason.rule),
            theme::SMALL_SIZE,
            color,
        ),
        ChildOf(item),
    ));
    commands.spawn((
        theme::text(&reason.explanation, theme::SMALL_SIZE, palette::TEXT),
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
}
