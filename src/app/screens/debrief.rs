//! The debrief: how the conversation ended, stars, the three scores as bars, the mood curve,
//! and the transcript with each turn's feedback and, beside each typed reply, a model answer.
//! From here: retry (same or new seed), the next scenario, or the library.

use bevy::prelude::*;

use super::flow::{FinishedSession, PlayRequest, ShiftRun, fresh_seed};
use super::reasons;
use crate::app::profile::TraineeProfile;
use crate::app::scenario_assets::ScenarioLibrary;
use crate::app::theme::{self, PlotSeries, palette};
use crate::app::{AppSystems, Screen};
use crate::progress::review::reply_passes;
use crate::progress::standing::{Earned, effort_shortfall};
use crate::scenario::model::{EndingKind, Turn};
use crate::scenario::mood::Mood;
use crate::scoring::Dimension;
use crate::session::{Outcome, Start};
use crate::session::{Session, TurnResult};

#[derive(Message, Debug, Clone, PartialEq)]
pub enum DebriefAction {
    RetrySameSeed,
    RetryNewSeed,
    /// Enter: the next scenario, the next call of a shift, or back to progress after a drill.
    NextScenario,
    Library,
    /// In the "leave the shift?" dialog: leave it.
    ConfirmLeaveShift,
    /// In the "leave the shift?" dialog: stay for the next call.
    CancelLeaveShift,
}

/// Whether the "leave the shift?" dialog is open: leaving a shift with calls still to take
/// asks first, since the shift cannot be picked up again.
#[derive(Resource, Debug, Default)]
pub struct LeavingShift(pub bool);

#[derive(Component)]
struct LeaveShiftDialog;

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
    app.init_resource::<LeavingShift>()
        .add_systems(
            OnEnter(Screen::Debrief),
            (|mut leaving: ResMut<LeavingShift>| leaving.0 = false, spawn).chain(),
        )
        .add_systems(
            Update,
            (
                keys.in_set(AppSystems::RecordInput),
                act.in_set(AppSystems::Act),
                show_leave_shift_dialog.in_set(AppSystems::Present),
            )
                .run_if(in_state(Screen::Debrief)),
        );
}

fn spawn(
    mut commands: Commands,
    finished: Option<Res<FinishedSession>>,
    profile: Res<TraineeProfile>,
    shift: Option<Res<ShiftRun>>,
    mut next: ResMut<NextState<Screen>>,
) {
    let Some(finished) = finished else {
        next.set(Screen::Library);
        return;
    };
    let session = &finished.session;
    let Some(outcome) = session.outcome() else {
        next.set(Screen::Library);
        return;
    };
    let root = commands
        .spawn((
            Name::new("Debrief screen"),
            DespawnOnExit(Screen::Debrief),
            theme::screen_root(),
        ))
        .id();
    spawn_header(&mut commands, root, &finished, shift.as_deref());

    let body = commands.spawn((theme::body_row(), ChildOf(root))).id();
    // Left: outcome, scores, mood curve; it scrolls, because at 720p they do not all fit.
    let left = theme::spawn_scrolling(
        &mut commands,
        body,
        Node {
            width: px(520),
            flex_shrink: 0.0,
            ..default()
        },
        false,
        theme::GAP,
    );
    spawn_verdict(&mut commands, left, session.start(), session, &profile);
    if let Some((id, earned)) = finished
        .attempt
        .as_deref()
        .and_then(|id| Some((id, profile.earned(id)?)))
    {
        spawn_earned(&mut commands, left, &profile, id, earned);
    }
    spawn_scores(&mut commands, left, outcome);
    spawn_mood_curve(&mut commands, left, session);

    // Right: the transcript with feedback.
    let transcript = theme::spawn_scrolling(
        &mut commands,
        body,
        Node {
            flex_grow: 1.0,
            min_width: px(0),
            ..default()
        },
        true,
        8.0,
    );
    commands.spawn((
        theme::subheading("Transcript and feedback"),
        ChildOf(transcript),
    ));
    for (i, turn) in session.transcript().iter().enumerate() {
        spawn_turn(&mut commands, transcript, session, i, turn);
    }
}

/// The heading (what kind of practice, which scenario), the seed and turns, and the buttons.
fn spawn_header(
    commands: &mut Commands,
    root: Entity,
    finished: &FinishedSession,
    shift: Option<&ShiftRun>,
) {
    let session = &finished.session;
    let scenario = session.scenario();
    let turns = session.transcript().len();
    let header = commands.spawn((theme::header_row(), ChildOf(root))).id();
    let heading = match session.start() {
        Start::Scenario => format!("Debrief: {}", scenario.title),
        Start::Drill { .. } => format!("Review drill: {}", scenario.title),
        Start::ShiftCall { call, calls, .. } => {
            format!("Call {} of {calls}: {}", call + 1, scenario.title)
        }
    };
    commands.spawn((
        theme::column(4.0),
        ChildOf(header),
        children![
            theme::heading(heading),
            theme::muted(format!("Seed {} | {} turns", session.seed(), turns)),
        ],
    ));
    let buttons = commands.spawn((theme::row(8.0), ChildOf(header))).id();
    for (i, (label, action)) in buttons_for(session.start(), shift).into_iter().enumerate() {
        if i == 0 {
            commands.spawn((theme::primary_button(label, action), ChildOf(buttons)));
        } else {
            commands.spawn((theme::button(label, action), ChildOf(buttons)));
        }
    }
}

/// The attempt's score on each dimension, as meters with a word beside each.
fn spawn_scores(commands: &mut Commands, parent: Entity, outcome: &Outcome) {
    let scores = commands
        .spawn((theme::panel(Node::default()), ChildOf(parent)))
        .id();
    commands.spawn((theme::subheading("Scores"), ChildOf(scores)));
    for (dimension, value) in [
        (Dimension::Empathy, outcome.empathy),
        (Dimension::Accuracy, outcome.accuracy),
        (Dimension::Deescalation, outcome.deescalation),
    ] {
        commands.spawn((
            theme::score_meter(dimension.label(), value),
            ChildOf(scores),
        ));
    }
}

/// The header's buttons for each kind of practice, the primary one first. A shift's calls
/// cannot be retried: a real customer does not call back to be handled again.
fn buttons_for(mode: &Start, shift: Option<&ShiftRun>) -> Vec<(String, DebriefAction)> {
    let label = |s: &str| s.to_string();
    match mode {
        Start::Scenario => vec![
            (label("Next scenario  [Enter]"), DebriefAction::NextScenario),
            (label("Retry  [R]"), DebriefAction::RetrySameSeed),
            (label("New seed  [N]"), DebriefAction::RetryNewSeed),
            (label("Library  [L]"), DebriefAction::Library),
        ],
        Start::Drill { .. } => vec![
            (
                label("Back to progress  [Enter]"),
                DebriefAction::NextScenario,
            ),
            (label("Drill again  [R]"), DebriefAction::RetryNewSeed),
            (label("Library  [L]"), DebriefAction::Library),
        ],
        Start::ShiftCall { .. } => {
            let next = match shift.and_then(ShiftRun::next_call) {
                Some(request) => match request.start {
                    Start::ShiftCall { call, calls, .. } => {
                        format!("Next call ({} of {calls})  [Enter]", call + 1)
                    }
                    _ => label("Next call  [Enter]"),
                },
                None => label("Shift summary  [Enter]"),
            };
            vec![
                (next, DebriefAction::NextScenario),
                (label("Leave the shift  [L]"), DebriefAction::Library),
            ]
        }
    }
}

/// How it ended. A drill is judged the way the review queue judges it: every dimension at
/// the review mark; it has no stars, because one reply says nothing about a whole scenario.
fn spawn_verdict(
    commands: &mut Commands,
    parent: Entity,
    mode: &Start,
    session: &Session,
    profile: &TraineeProfile,
) {
    let Some(outcome) = session.outcome() else {
        return;
    };
    let scenario = session.scenario();
    let panel = commands
        .spawn((theme::panel(Node::default()), ChildOf(parent)))
        .id();
    if let Start::Drill { .. } = mode {
        let below = profile.rules.review.below;
        let passed = session
            .transcript()
            .iter()
            .all(|t| reply_passes(&profile.rules.review, t));
        let (verdict, color, how) = if passed {
            (
                "Review passed",
                palette::GOOD,
                format!("Every dimension reached {below}."),
            )
        } else {
            (
                "Not yet",
                palette::WARN,
                format!("A review passes when every dimension reaches {below}; it comes back."),
            )
        };
        commands.spawn((
            theme::row(12.0),
            ChildOf(panel),
            children![
                theme::text(verdict, theme::HEADING_SIZE, color),
                theme::muted(how),
            ],
        ));
    } else {
        let (verdict, color) = match (outcome.passed, outcome.kind) {
            (true, _) => ("Passed", palette::GOOD),
            (false, _) if !outcome.critical.is_empty() => ("Failed: critical breach", palette::BAD),
            (false, EndingKind::CustomerLeft) => ("The customer left", palette::BAD),
            (false, _) => ("Not passed yet", palette::WARN),
        };
        commands.spawn((
            theme::row(12.0),
            ChildOf(panel),
            children![
                theme::text(verdict, theme::HEADING_SIZE, color),
                theme::star_row(outcome.stars, 3, 18.0),
                theme::muted(format!(
                    "{} of 3 stars | overall {} (pass mark {})",
                    outcome.stars, outcome.overall, scenario.pass_mark
                )),
            ],
        ));
    }
    for breach in &outcome.critical {
        // Said in full whatever the scores: one breach fails the attempt, as contact-centre QA's
        // fatal criteria do.
        commands.spawn((
            theme::text(
                format!("Critical breach: {}", breach.told()),
                theme::BODY_SIZE,
                palette::BAD,
            ),
            ChildOf(panel),
        ));
    }
    commands.spawn((theme::body(&outcome.text), ChildOf(panel)));
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
        labelled_half("You said", palette::ACCENT, &turn.reply),
        ChildOf(replies),
    ));
    if let Some(model) = model_answer {
        commands.spawn((
            labelled_half("A model answer", palette::GOOD, &model),
            ChildOf(replies),
        ));
    }
    if let Some(feedback) = &turn.feedback {
        commands.spawn((
            theme::text(feedback, theme::SMALL_SIZE, palette::TEXT),
            ChildOf(item),
        ));
    }
    reasons::spawn_authored_hint(commands, item, s);
    for reason in reasons::listed(s) {
        reasons::spawn_reason(commands, item, reason);
    }
    reasons::spawn_missing_facts(commands, item, &reasons::missing_facts(scenario, turn));
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

/// What the attempt earned: XP, the level it leaves the trainee at, and any new badge.
fn spawn_earned(
    commands: &mut Commands,
    parent: Entity,
    profile: &TraineeProfile,
    attempt_id: &str,
    earned: &Earned,
) {
    let standing = &profile.standing;
    let next = standing
        .next_level
        .as_ref()
        .map(|(title, xp)| format!(" | {} XP to {title}", xp.saturating_sub(standing.xp)))
        .unwrap_or_default();
    let panel = commands
        .spawn((theme::panel(Node::default()), ChildOf(parent)))
        .id();
    commands.spawn((
        theme::text(
            format!(
                "+{} XP  |  {}, {} XP{next}",
                earned.xp, standing.level_title, standing.xp
            ),
            theme::BODY_SIZE,
            palette::ACCENT,
        ),
        ChildOf(panel),
    ));
    if earned.xp == 0
        && let Some(attempt) = profile.attempts.iter().find(|a| a.id == attempt_id)
        && let Some(short) = effort_shortfall(&profile.rules, attempt)
    {
        // Say which part fell short, so a good but rushed attempt does not look like a bug.
        commands.spawn((
            theme::muted(format!(
                "No XP this time: {short} to count as practice (stars count either way)."
            )),
            ChildOf(panel),
        ));
    }
    for id in &earned.badges {
        if let Some(badge) = standing.badges.iter().find(|b| &b.id == id) {
            commands.spawn((
                theme::text(
                    format!("Badge earned: {}. {}", badge.name, badge.how),
                    theme::SMALL_SIZE,
                    palette::WARN,
                ),
                ChildOf(panel),
            ));
        }
    }
}

/// Half of a row: a coloured label over a reply, so the trainee's reply and the model answer
/// sit side by side.
fn labelled_half(label: &str, color: Color, reply: &str) -> impl Bundle {
    (
        Node {
            flex_direction: FlexDirection::Column,
            flex_basis: percent(50),
            flex_grow: 1.0,
            ..default()
        },
        children![
            theme::text(label, theme::SMALL_SIZE, color),
            theme::body(reply)
        ],
    )
}

/// Anger, confusion and trust over the turns, one step per reply.
fn spawn_mood_curve(commands: &mut Commands, parent: Entity, session: &Session) {
    let panel = commands
        .spawn((theme::panel(Node::default()), ChildOf(parent)))
        .id();
    commands.spawn((
        theme::subheading("Mood over the conversation"),
        ChildOf(panel),
    ));
    let mut moods = vec![session.starting_mood()];
    moods.extend(session.transcript().iter().map(|t| t.mood_after));
    let series = [
        PlotSeries::new("anger", palette::BAD, moods.iter().map(|m| m.anger)),
        PlotSeries::new(
            "confusion",
            palette::WARN,
            moods.iter().map(|m| m.confusion),
        ),
        PlotSeries::new("trust", palette::GOOD, moods.iter().map(|m| m.trust)),
    ];
    let plot = theme::spawn_line_plot(commands, panel, &series, PLOT_WIDTH, PLOT_HEIGHT);
    for (turn, mood) in moods.iter().enumerate() {
        commands.spawn((
            MoodPoint { turn, mood: *mood },
            Node::default(),
            ChildOf(plot),
        ));
    }
    commands.spawn((
        theme::muted("Start on the left; one step per reply. 0 at the bottom, 100 at the top."),
        ChildOf(panel),
    ));
}

fn keys(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    leaving: Res<LeavingShift>,
    mut actions: MessageWriter<DebriefAction>,
) {
    let Some(keys) = keys else { return };
    if leaving.0 {
        // The dialog's keys only, so nothing behind it acts. Enter, this screen's "next call"
        // key, takes the dialog's primary action (stay): leaving cannot be undone, so it needs
        // Y or L.
        if keys.any_just_pressed([KeyCode::KeyY, KeyCode::KeyL]) {
            actions.write(DebriefAction::ConfirmLeaveShift);
        } else if keys.any_just_pressed([KeyCode::KeyN, KeyCode::Escape, KeyCode::Enter]) {
            actions.write(DebriefAction::CancelLeaveShift);
        }
        return;
    }
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
    shift: Option<Res<ShiftRun>>,
    mut leaving: ResMut<LeavingShift>,
    mut next: ResMut<NextState<Screen>>,
) {
    let Some(finished) = finished else { return };
    let session = &finished.session;
    let current = session.scenario();
    let again = |seed: u64| {
        library.find(&current.id).map(|scenario| PlayRequest {
            scenario,
            seed,
            start: session.start().clone(),
        })
    };
    for action in actions.read() {
        if let Start::ShiftCall { .. } = session.start() {
            match (action, shift.as_deref().map(ShiftRun::next_call)) {
                (DebriefAction::NextScenario, Some(Some(request))) => {
                    commands.insert_resource(request);
                    next.set(Screen::Play);
                }
                (DebriefAction::NextScenario, Some(None)) => next.set(Screen::ShiftSummary),
                // Calls still to take: ask before the shift is dropped.
                (DebriefAction::Library, Some(Some(_))) if !leaving.0 => leaving.0 = true,
                (DebriefAction::CancelLeaveShift, _) => leaving.0 = false,
                (DebriefAction::ConfirmLeaveShift, _) if !leaving.0 => {}
                (DebriefAction::Library | DebriefAction::ConfirmLeaveShift, _)
                | (DebriefAction::NextScenario, None) => {
                    leaving.0 = false;
                    commands.remove_resource::<ShiftRun>();
                    next.set(Screen::Library);
                }
                // A shift's calls are not retried.
                (DebriefAction::RetrySameSeed | DebriefAction::RetryNewSeed, _) => {}
            }
            continue;
        }
        let request = match action {
            DebriefAction::RetrySameSeed => again(session.seed()),
            DebriefAction::RetryNewSeed => again(fresh_seed()),
            DebriefAction::NextScenario if matches!(session.start(), Start::Drill { .. }) => {
                next.set(Screen::Progress);
                continue;
            }
            DebriefAction::NextScenario => {
                let playable = library.playable();
                let at = playable.iter().position(|s| s.id == current.id);
                at.and_then(|i| playable.get(i + 1))
                    .cloned()
                    .map(PlayRequest::fresh)
            }
            DebriefAction::Library => None,
            // Only a shift's debrief has the dialog.
            DebriefAction::ConfirmLeaveShift | DebriefAction::CancelLeaveShift => continue,
        };
        match request {
            Some(request) => {
                commands.insert_resource(request);
                next.set(Screen::Play);
            }
            None => next.set(Screen::Library),
        }
    }
}

/// Opens and closes the "leave the shift?" dialog as [`LeavingShift`] changes.
fn show_leave_shift_dialog(
    mut commands: Commands,
    leaving: Res<LeavingShift>,
    shift: Option<Res<ShiftRun>>,
    dialogs: Query<Entity, With<LeaveShiftDialog>>,
) {
    if !leaving.is_changed() {
        return;
    }
    for dialog in &dialogs {
        commands.entity(dialog).despawn();
    }
    if !leaving.0 {
        return;
    }
    let left = shift.as_deref().map_or(0, ShiftRun::calls_left);
    commands.spawn((
        LeaveShiftDialog,
        DespawnOnExit(Screen::Debrief),
        Node {
            position_type: PositionType::Absolute,
            ..theme::full_window_centred()
        },
        BackgroundColor(palette::OVERLAY),
        GlobalZIndex(10),
        // A click on the dialog or around it must not press "Library" or "Next call" behind it.
        bevy::ui::FocusPolicy::Block,
        children![(
            theme::panel(Node {
                width: px(480),
                padding: UiRect::all(px(20)),
                row_gap: px(8),
                ..default()
            }),
            children![
                theme::heading("Leave the shift?"),
                theme::body(format!(
                    "{left} call{} still to take. A shift cannot be picked up again; the calls \
                     taken so far stay in your history.",
                    if left == 1 { "" } else { "s" }
                )),
                (
                    theme::row(10.0),
                    children![
                        theme::primary_button(
                            "Stay for the next call  [N]",
                            DebriefAction::CancelLeaveShift
                        ),
                        theme::button("Leave the shift  [Y]", DebriefAction::ConfirmLeaveShift),
                    ],
                ),
            ],
        )],
    ));
}
