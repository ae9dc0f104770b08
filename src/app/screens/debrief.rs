//! The debrief: how the conversation ended, stars, the three scores as bars, the mood curve,
//! and the transcript with each turn's feedback and, beside each typed reply, a model answer.
//! From here: retry (same or new seed), the next scenario, or the library.

use bevy::prelude::*;

use super::play::FinishedSession;
use super::{PlayRequest, fresh_seed};
use crate::app::Screen;
use crate::app::scenario_assets::ScenarioLibrary;
use crate::app::theme::{self, palette};
use crate::scenario::model::{EndingKind, Turn};
use crate::scoring::Dimension;
use crate::session::mood::Mood;
use crate::session::{Session, TurnResult};

#[derive(Message, Debug, Clone, PartialEq)]
pub enum DebriefAction {
    RetrySameSeed,
    RetryNewSeed,
    NextScenario,
    Library,
}

/// One plotted point of the mood curve; tests read these.
#[derive(Component, Debug, Clone, Copy)]
pub struct MoodPoint {
    pub turn: usize,
    pub mood: Mood,
}

const PLOT_WIDTH: f32 = 440.0;
const PLOT_HEIGHT: f32 = 150.0;

pub fn plugin(app: &mut App) {
    theme::add_button_action::<DebriefAction>(app);
    app.add_systems(OnEnter(Screen::Debrief), spawn)
        .add_systems(
            Update,
            (keys, act).chain().run_if(in_state(Screen::Debrief)),
        );
}

fn spawn(
    mut commands: Commands,
    finished: Option<Res<FinishedSession>>,
    mut next: ResMut<NextState<Screen>>,
) {
    let Some(finished) = finished else {
        next.set(Screen::Library);
        return;
    };
    let session = &finished.0;
    let Some(outcome) = session.outcome() else {
        next.set(Screen::Library);
        return;
    };
    let scenario = session.scenario();
    let root = commands
        .spawn((
            Name::new("Debrief screen"),
            DespawnOnExit(Screen::Debrief),
            theme::screen_root(),
        ))
        .id();
    let header = commands
        .spawn((
            Node {
                justify_content: JustifyContent::SpaceBetween,
                ..theme::row(10.0)
            },
            ChildOf(root),
        ))
        .id();
    commands.spawn((
        theme::column(4.0),
        ChildOf(header),
        children![
            theme::heading(format!("Debrief: {}", scenario.title)),
            theme::muted(format!("Seed {} | {} turns", session.seed(), outcome.turns)),
        ],
    ));
    commands.spawn((
        theme::row(8.0),
        ChildOf(header),
        children![
            theme::primary_button("Next scenario  [Enter]", DebriefAction::NextScenario),
            theme::button("Retry  [R]", DebriefAction::RetrySameSeed),
            theme::button("New seed  [N]", DebriefAction::RetryNewSeed),
            theme::button("Library  [L]", DebriefAction::Library),
        ],
    ));

    let body = commands
        .spawn((
            Node {
                flex_grow: 1.0,
                min_height: px(0),
                align_items: AlignItems::Stretch,
                ..theme::row(theme::GAP)
            },
            ChildOf(root),
        ))
        .id();
    // Left: outcome, scores, mood curve.
    let left = commands
        .spawn((
            Node {
                width: px(500),
                flex_shrink: 0.0,
                ..theme::column(theme::GAP)
            },
            ChildOf(body),
        ))
        .id();
    let (verdict, color) = match (outcome.passed, outcome.kind) {
        (true, _) => ("Passed", palette::GOOD),
        (false, EndingKind::CustomerLeft) => ("The customer left", palette::BAD),
        (false, _) => ("Not passed yet", palette::WARN),
    };
    commands.spawn((
        theme::panel(Node::default()),
        ChildOf(left),
        children![
            (
                theme::row(12.0),
                children![
                    theme::text(verdict, theme::HEADING_SIZE, color),
                    theme::star_row(outcome.stars, 3, 18.0),
                    theme::muted(format!(
                        "{} of 3 stars | overall {} (pass mark {})",
                        outcome.stars, outcome.overall, scenario.pass_mark
                    )),
                ],
            ),
            theme::body(&outcome.text),
        ],
    ));
    let scores = commands
        .spawn((theme::panel(Node::default()), ChildOf(left)))
        .id();
    commands.spawn((theme::subheading("Scores"), ChildOf(scores)));
    for (dimension, value) in [
        (Dimension::Empathy, outcome.empathy),
        (Dimension::Accuracy, outcome.accuracy),
        (Dimension::Deescalation, outcome.deescalation),
    ] {
        commands.spawn((
            theme::meter(
                dimension.label(),
                value,
                super::play::verdict(value),
                palette::score_color(value),
            ),
            ChildOf(scores),
        ));
    }
    spawn_mood_curve(&mut commands, left, session);

    // Right: the transcript with feedback.
    let transcript = commands
        .spawn((
            theme::panel(Node {
                flex_grow: 1.0,
                min_width: px(0),
                overflow: Overflow::scroll_y(),
                ..default()
            }),
            bevy::ui_widgets::ScrollArea,
            ChildOf(body),
        ))
        .id();
    commands.spawn((
        theme::subheading("Transcript and feedback"),
        ChildOf(transcript),
    ));
    for (i, turn) in session.transcript().iter().enumerate() {
        spawn_turn(&mut commands, transcript, session, i, turn);
    }
}

fn spawn_turn(
    commands: &mut Commands,
    parent: Entity,
    session: &Session,
    index: usize,
    turn: &TurnResult,
) {
    let scenario = session.scenario();
    let name = scenario
        .persona
        .name
        .split_whitespace()
        .next()
        .unwrap_or("Customer");
    let item = commands
        .spawn((
            Node {
                flex_direction: FlexDirection::Column,
                row_gap: px(4),
                padding: UiRect::all(px(10)),
                border_radius: BorderRadius::all(px(6)),
                ..default()
            },
            BackgroundColor(palette::PANEL_RAISED),
            ChildOf(parent),
        ))
        .id();
    let s = &turn.score;
    commands.spawn((
        theme::muted(format!(
            "Turn {}  |  empathy {}  accuracy {}  de-escalation {}  |  overall {}",
            index + 1,
            s.empathy.score,
            s.accuracy.score,
            s.deescalation.score,
            s.overall
        )),
        ChildOf(item),
    ));
    commands.spawn((
        theme::text(
            format!("{name}: {}", turn.customer_line),
            theme::BODY_SIZE,
            palette::TEXT_MUTED,
        ),
        ChildOf(item),
    ));
    let model_answer = scenario
        .node(&turn.node_id)
        .and_then(|node| match &node.turn {
            Turn::FreeText(free) if turn.choice.is_none() => {
                free.rubric.model_answers.first().cloned()
            }
            _ => None,
        });
    let replies = commands
        .spawn((
            Node {
                align_items: AlignItems::FlexStart,
                ..theme::row(10.0)
            },
            ChildOf(item),
        ))
        .id();
    commands.spawn((
        Node {
            flex_direction: FlexDirection::Column,
            flex_basis: percent(50),
            flex_grow: 1.0,
            ..default()
        },
        ChildOf(replies),
        children![
            theme::text("You said", theme::SMALL_SIZE, palette::ACCENT),
            theme::body(&turn.reply)
        ],
    ));
    if let Some(model) = model_answer {
        commands.spawn((
            Node {
                flex_direction: FlexDirection::Column,
                flex_basis: percent(50),
                flex_grow: 1.0,
                ..default()
            },
            ChildOf(replies),
            children![
                theme::text("A model answer", theme::SMALL_SIZE, palette::GOOD),
                theme::body(model)
            ],
        ));
    }
    if let Some(feedback) = &turn.feedback {
        commands.spawn((
            theme::text(feedback, theme::SMALL_SIZE, palette::TEXT),
            ChildOf(item),
        ));
    }
    for dimension in Dimension::ALL {
        for reason in s
            .dimension(dimension)
            .reasons
            .iter()
            .filter(|r| r.delta != 0)
        {
            let (sign, color) = if reason.delta > 0 {
                ("+", palette::GOOD)
            } else {
                ("", palette::BAD)
            };
            let mut line = format!(
                "{sign}{} {}: {}",
                reason.delta, reason.rule, reason.explanation
            );
            if reason.delta < 0 && !reason.hint.is_empty() {
                line.push_str(&format!(" Hint: {}", reason.hint));
            }
            commands.spawn((theme::text(line, theme::SMALL_SIZE, color), ChildOf(item)));
        }
    }
    if turn.hesitation.anger > 0 {
        commands.spawn((
            theme::text(
                format!(
                    "You took {:.0} s: past {name}'s patience.",
                    turn.elapsed_ms as f32 / 1000.0
                ),
                theme::SMALL_SIZE,
                palette::WARN,
            ),
            ChildOf(item),
        ));
    }
}

/// Anger, confusion and trust over the turns, as lines of thin rotated nodes, each labelled by
/// name at its end so the lines do not rely on colour.
#[allow(clippy::type_complexity)]
fn spawn_mood_curve(commands: &mut Commands, parent: Entity, session: &Session) {
    let panel = commands
        .spawn((theme::panel(Node::default()), ChildOf(parent)))
        .id();
    commands.spawn((
        theme::subheading("Mood over the conversation"),
        ChildOf(panel),
    ));
    let plot = commands
        .spawn((
            Node {
                width: px(PLOT_WIDTH),
                height: px(PLOT_HEIGHT),
                border: UiRect::new(px(1), px(0), px(0), px(1)),
                ..default()
            },
            BorderColor::all(palette::BORDER),
            ChildOf(panel),
        ))
        .id();
    let mut moods = vec![session.scenario().persona.mood];
    moods.extend(session.transcript().iter().map(|t| t.mood_after));
    let steps = (moods.len() - 1).max(1) as f32;
    let point = |i: usize, value: u8| {
        Vec2::new(
            10.0 + i as f32 / steps * (PLOT_WIDTH - 90.0),
            PLOT_HEIGHT - 6.0 - f32::from(value.min(100)) / 100.0 * (PLOT_HEIGHT - 12.0),
        )
    };
    for (i, mood) in moods.iter().enumerate() {
        commands.spawn((
            MoodPoint {
                turn: i,
                mood: *mood,
            },
            Node::default(),
            ChildOf(plot),
        ));
    }
    let series: [(&str, fn(&Mood) -> u8, Color); 3] = [
        ("anger", |m| m.anger, palette::BAD),
        ("confusion", |m| m.confusion, palette::WARN),
        ("trust", |m| m.trust, palette::GOOD),
    ];
    for (label, value, color) in series {
        let points: Vec<Vec2> = moods
            .iter()
            .enumerate()
            .map(|(i, m)| point(i, value(m)))
            .collect();
        for pair in points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let d = b - a;
            let length = d.length();
            let middle = (a + b) / 2.0;
            commands.spawn((
                Node {
                    position_type: PositionType::Absolute,
                    left: px(middle.x - length / 2.0),
                    top: px(middle.y - 1.5),
                    width: px(length),
                    height: px(3.0),
                    ..default()
                },
                UiTransform::from_rotation(Rot2::radians(d.y.atan2(d.x))),
                BackgroundColor(color),
                ChildOf(plot),
            ));
        }
        for p in &points {
            commands.spawn((
                Node {
                    position_type: PositionType::Absolute,
                    left: px(p.x - 4.0),
                    top: px(p.y - 4.0),
                    width: px(8.0),
                    height: px(8.0),
                    border_radius: BorderRadius::MAX,
                    ..default()
                },
                BackgroundColor(color),
                ChildOf(plot),
            ));
        }
        if let (Some(last), Some(m)) = (points.last(), moods.last()) {
            commands.spawn((
                Node {
                    position_type: PositionType::Absolute,
                    left: px(last.x + 8.0),
                    top: px(last.y - 9.0),
                    ..default()
                },
                ChildOf(plot),
                children![theme::text(
                    format!("{label} {}", value(m)),
                    theme::SMALL_SIZE,
                    color
                )],
            ));
        }
    }
    commands.spawn((
        theme::muted("Start on the left; one step per reply. 0 at the bottom, 100 at the top."),
        ChildOf(panel),
    ));
}

fn keys(keys: Option<Res<ButtonInput<KeyCode>>>, mut actions: MessageWriter<DebriefAction>) {
    let Some(keys) = keys else { return };
    let map = [
        (KeyCode::Enter, DebriefAction::NextScenario),
        (KeyCode::KeyR, DebriefAction::RetrySameSeed),
        (KeyCode::KeyN, DebriefAction::RetryNewSeed),
        (KeyCode::KeyL, DebriefAction::Library),
        (KeyCode::Escape, DebriefAction::Library),
    ];
    for (key, action) in map {
        if keys.just_pressed(key) {
            actions.write(action);
        }
    }
}

fn act(
    mut commands: Commands,
    mut actions: MessageReader<DebriefAction>,
    finished: Option<Res<FinishedSession>>,
    library: Res<ScenarioLibrary>,
    mut next: ResMut<NextState<Screen>>,
) {
    let Some(finished) = finished else { return };
    let session = &finished.0;
    let current = session.scenario();
    for action in actions.read() {
        let request = match action {
            DebriefAction::RetrySameSeed => library.find(&current.id).map(|s| (s, session.seed())),
            DebriefAction::RetryNewSeed => library.find(&current.id).map(|s| (s, fresh_seed())),
            DebriefAction::NextScenario => {
                let playable = library.playable();
                let at = playable.iter().position(|s| s.id == current.id);
                at.and_then(|i| playable.get(i + 1))
                    .cloned()
                    .map(|s| (s, fresh_seed()))
            }
            DebriefAction::Library => None,
        };
        match request {
            Some((scenario, seed)) => {
                commands.insert_resource(PlayRequest { scenario, seed });
                next.set(Screen::Play);
            }
            None => next.set(Screen::Library),
        }
    }
}
