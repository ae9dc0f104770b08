//! The dialogs over the conversation: the feedback on the reply just given (three scores, the
//! reasons with their hints, the mood change), and the are-you-sure when leaving mid-scenario.

use bevy::prelude::*;

use super::PlayAction;
use crate::app::screens::reasons;
use crate::app::theme::{self, palette};
use crate::scenario::model::Turn;
use crate::scoring::Dimension;
use crate::session::{Session, Start, TurnResult};

/// Reasons listed in the feedback panel; the debrief shows them all.
const MAX_REASONS: usize = 6;

fn dialog(width: f32) -> impl Bundle {
    (
        theme::panel(Node {
            width: px(width),
            max_height: percent(92),
            padding: UiRect::all(px(20)),
            row_gap: px(8),
            overflow: Overflow::scroll_y(),
            ..default()
        }),
        bevy::ui_widgets::ScrollArea,
    )
}

fn backdrop(commands: &mut Commands, slot: Entity) -> Entity {
    commands
        .spawn((
            theme::full_window_centred(),
            // A click on the dialog or around it must not press a button behind it.
            bevy::ui::FocusPolicy::Block,
            BackgroundColor(palette::OVERLAY),
            ChildOf(slot),
        ))
        .id()
}

pub fn spawn_feedback(commands: &mut Commands, slot: Entity, session: &Session, turn: &TurnResult) {
    let backdrop = backdrop(commands, slot);
    let panel = commands.spawn((dialog(760.0), ChildOf(backdrop))).id();
    let score = &turn.score;
    commands.spawn((
        theme::heading(format!("How that landed: {} / 100", score.overall)),
        ChildOf(panel),
    ));
    let bars = commands.spawn((theme::column(6.0), ChildOf(panel))).id();
    for dimension in Dimension::ALL {
        let value = score.dimension(dimension).score;
        commands.spawn((theme::score_meter(dimension.label(), value), ChildOf(bars)));
    }
    if let Some(feedback) = &turn.feedback {
        commands.spawn((
            theme::text(feedback, theme::BODY_SIZE, palette::TEXT),
            ChildOf(panel),
        ));
    }
    reasons::spawn_authored_hint(commands, panel, score);
    let reasons = reasons::listed(score);
    for reason in reasons.iter().take(MAX_REASONS) {
        reasons::spawn_reason(commands, panel, *reason);
    }
    reasons::spawn_missing_facts(
        commands,
        panel,
        &reasons::missing_facts(session.scenario(), turn),
    );
    if turn.choice.is_none()
        && let Some(Turn::FreeText(free)) = session.scenario().node(&turn.node_id).map(|n| &n.turn)
        && let Some(model) = free.rubric.model_answers.first()
    {
        // What a strong reply did, to set beside the trainee's own.
        commands.spawn((
            theme::text(
                format!("A model answer: \u{201c}{model}\u{201d}"),
                theme::SMALL_SIZE,
                palette::GOOD,
            ),
            ChildOf(panel),
        ));
    }
    if reasons.len() > MAX_REASONS {
        commands.spawn((
            theme::muted(format!(
                "{} more in the debrief.",
                reasons.len() - MAX_REASONS
            )),
            ChildOf(panel),
        ));
    }
    let (before, after) = (turn.mood_before, turn.mood_after);
    let name = session
        .scenario()
        .persona
        .name
        .split_whitespace()
        .next()
        .unwrap_or("The customer");
    commands.spawn((
        theme::muted(format!(
            "{name}: anger {} -> {}, confusion {} -> {}, trust {} -> {}{}",
            before.anger,
            after.anger,
            before.confusion,
            after.confusion,
            before.trust,
            after.trust,
            if turn.hesitation.anger > 0 {
                " (you kept them waiting)"
            } else {
                ""
            }
        )),
        ChildOf(panel),
    ));
    commands.spawn((continue_button(session), ChildOf(panel)));
}

/// The button that moves on after a reply: to the customer's answer, or to the debrief.
pub fn continue_button(session: &Session) -> impl Bundle + use<> {
    let label = if session.is_over() {
        "See your debrief  [Enter]"
    } else {
        "Continue  [Enter]"
    };
    theme::primary_button(label, PlayAction::Continue)
}

pub fn spawn_leave_dialog(commands: &mut Commands, slot: Entity, start: &Start) {
    let backdrop = backdrop(commands, slot);
    let (heading, body) = match start {
        Start::ShiftCall { call, calls, .. } => (
            "Leave this call and the shift?".to_string(),
            format!(
                "This is call {} of {calls}. Leaving ends the shift: the calls taken so far \
                 and this one, as left unfinished, are kept in your history.",
                call + 1
            ),
        ),
        _ => (
            "Leave this conversation?".to_string(),
            "It will be kept in your history as left unfinished.".to_string(),
        ),
    };
    commands.spawn((
        dialog(460.0),
        ChildOf(backdrop),
        children![
            theme::heading(heading),
            theme::body(body),
            (
                theme::row(10.0),
                children![
                    theme::primary_button("Keep going  [N]", PlayAction::CancelLeave),
                    theme::button("Leave  [Y]", PlayAction::ConfirmLeave),
                ],
            ),
        ],
    ));
}

/// The briefing a conversation opens with, the clock stopped: who the customer is, what
/// happened, the case file's facts and the objectives, as a new hire would get from a team
/// lead before taking the call.
pub fn spawn_briefing(commands: &mut Commands, slot: Entity, session: &Session) {
    let scenario = session.scenario();
    let backdrop = backdrop(commands, slot);
    let panel = commands.spawn((dialog(760.0), ChildOf(backdrop))).id();
    let persona = &scenario.persona;
    let heading = match session.start() {
        Start::ShiftCall { call, calls, .. } => {
            format!("Call {} of {calls}: {}", call + 1, scenario.title)
        }
        Start::Drill { .. } => format!("Review drill: {}", scenario.title),
        Start::Scenario => format!("Before you start: {}", scenario.title),
    };
    commands.spawn((theme::heading(heading), ChildOf(panel)));
    commands.spawn((
        theme::muted(format!(
            "{} | {} | about {} min | {} waits about {} s for each reply (longer while you type)",
            scenario.channel.label(),
            scenario.industry.label(),
            scenario.minutes,
            persona.name,
            persona.patience_secs
        )),
        ChildOf(panel),
    ));
    commands.spawn((theme::body(scenario.summary.clone()), ChildOf(panel)));
    commands.spawn((theme::subheading("The case file"), ChildOf(panel)));
    for fact in &scenario.case_file.facts {
        commands.spawn((
            theme::text(
                format!("{}: {}", fact.label, fact.value),
                theme::SMALL_SIZE,
                palette::TEXT,
            ),
            ChildOf(panel),
        ));
    }
    if !scenario.objectives.is_empty() {
        commands.spawn((theme::subheading("Your objectives"), ChildOf(panel)));
        for objective in &scenario.objectives {
            commands.spawn((
                theme::text(format!("- {objective}"), theme::SMALL_SIZE, palette::TEXT),
                ChildOf(panel),
            ));
        }
    }
    commands.spawn((
        theme::muted(
            "The case file stays on screen during the conversation. The clock starts when you do.",
        ),
        ChildOf(panel),
    ));
    commands.spawn((
        theme::row(10.0),
        ChildOf(panel),
        children![
            theme::primary_button("Start the conversation  [Enter]", PlayAction::Begin),
            theme::button("Back  [Esc]", PlayAction::AskLeave),
        ],
    ));
}
