//! The title screen: the product, the trainee's name (asked once, then remembered), and the
//! way in: continue where they left off, browse the library or see progress. Trainees sharing
//! a machine switch here or add themselves. Also the text-size setting.

use bevy::input_focus::{AutoFocus, InputFocus};
use bevy::prelude::*;
use bevy::text::EditableText;

use super::flow::PlayRequest;
use crate::app::profile::TraineeProfile;
use crate::app::scenario_assets::ScenarioLibrary;
use crate::app::theme::{self, TextScale, palette};
use crate::app::{AppSystems, Screen};

#[derive(Message, Debug, Clone, PartialEq)]
pub enum TitleAction {
    /// The trainee typed their name.
    SetName(String),
    /// Play the first scenario not yet passed.
    Continue,
    Library,
    Progress,
    /// Show (or hide) the list of trainees to switch to.
    ChooseTrainee,
    SwitchTo(String),
    NewTrainee,
    /// Ask for a new name for this trainee id.
    Rename(String),
    /// Ask before deleting this trainee id.
    Delete(String),
    ConfirmDelete,
    TextSize,
    Quit,
}

/// What the title card shows.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub enum TitleMode {
    /// The welcome, or the name box on a first run.
    #[default]
    Welcome,
    /// The trainees to switch to, rename or delete.
    Choosing,
    /// The name box, for a new name for this trainee id.
    Renaming(String),
    /// "Delete this trainee?" for this trainee id.
    ConfirmingDelete(String),
}

/// The name box, shown until the trainee has a profile.
#[derive(Component)]
pub struct NameBox;

/// Marks the title screen's root, to rebuild it when the name is set or the text size changes.
#[derive(Component)]
struct TitleRoot;

pub fn plugin(app: &mut App) {
    theme::add_button_action::<TitleAction>(app);
    app.init_resource::<TitleMode>()
        .add_systems(OnEnter(Screen::Title), spawn)
        .add_systems(
            Update,
            (
                (keys, submit_name).chain().in_set(AppSystems::RecordInput),
                act.in_set(AppSystems::Act),
            )
                .run_if(in_state(Screen::Title)),
        );
}

fn spawn(
    mut commands: Commands,
    profile: Res<TraineeProfile>,
    library: Res<ScenarioLibrary>,
    scale: Res<TextScale>,
    mode: Res<TitleMode>,
) {
    let root = commands
        .spawn((
            Name::new("Title screen"),
            TitleRoot,
            DespawnOnExit(Screen::Title),
            Node {
                justify_content: JustifyContent::Center,
                align_items: AlignItems::Center,
                ..theme::screen_root()
            },
        ))
        .id();
    let card = commands
        .spawn((
            theme::panel(Node {
                width: px(640),
                padding: UiRect::all(px(32)),
                row_gap: px(16),
                ..default()
            }),
            ChildOf(root),
            children![
                theme::title("holdline"),
                theme::text(
                    "Practise customer-service conversations with scripted customers. \
                     Every reply is scored on empathy, accuracy and de-escalation, and explained.",
                    theme::BODY_SIZE,
                    palette::TEXT_MUTED,
                ),
            ],
        ))
        .id();
    if let Some(notice) = &profile.notice {
        commands.spawn((
            theme::text(notice, theme::SMALL_SIZE, palette::WARN),
            ChildOf(card),
        ));
    }
    match &*mode {
        TitleMode::Welcome => spawn_trainee(&mut commands, card, &profile, &library),
        TitleMode::Choosing => spawn_trainee_list(&mut commands, card, &profile),
        TitleMode::Renaming(id) => spawn_rename(&mut commands, card, &profile, id),
        TitleMode::ConfirmingDelete(id) => spawn_confirm_delete(&mut commands, card, &profile, id),
    }
    spawn_footer(&mut commands, card, &library, &scale);
}

/// Who is practising: one button per trainee, and a new one.
fn spawn_trainee_list(commands: &mut Commands, card: Entity, profile: &TraineeProfile) {
    commands.spawn((theme::subheading("Who is practising?"), ChildOf(card)));
    for trainee in profile.trainees() {
        let current = profile.trainee.as_ref().is_some_and(|t| t.id == trainee.id);
        let label = if current {
            format!("{} (now)", trainee.name)
        } else {
            trainee.name.clone()
        };
        commands.spawn((
            theme::row(8.0),
            ChildOf(card),
            children![
                theme::button(label, TitleAction::SwitchTo(trainee.id.clone())),
                theme::button("Rename", TitleAction::Rename(trainee.id.clone())),
                theme::button("Delete", TitleAction::Delete(trainee.id)),
            ],
        ));
    }
    commands.spawn((
        theme::row(10.0),
        ChildOf(card),
        children![
            theme::primary_button("New trainee", TitleAction::NewTrainee),
            theme::button("Cancel  [S]", TitleAction::ChooseTrainee),
        ],
    ));
}

/// The trainee's name as listed, or their id when they are gone.
fn listed_name(profile: &TraineeProfile, id: &str) -> String {
    profile
        .trainees()
        .into_iter()
        .find(|t| t.id == id)
        .map_or(id.to_string(), |t| t.name)
}

fn name_box(commands: &mut Commands, card: Entity) {
    commands.spawn((
        NameBox,
        AutoFocus,
        EditableText {
            max_characters: Some(40),
            ..default()
        },
        theme::text_box(
            20.0,
            Node {
                width: percent(100),
                ..default()
            },
        ),
        ChildOf(card),
    ));
}

fn spawn_rename(commands: &mut Commands, card: Entity, profile: &TraineeProfile, id: &str) {
    commands.spawn((
        theme::subheading(format!("A new name for {}", listed_name(profile, id))),
        ChildOf(card),
    ));
    name_box(commands, card);
    commands.spawn((
        theme::muted("Type the new name and press Enter. Their progress stays as it is."),
        ChildOf(card),
    ));
    commands.spawn((
        theme::button("Cancel", TitleAction::ChooseTrainee),
        ChildOf(card),
    ));
}

/// Deleting is the one action that loses a trainee's practice, so it says what goes and asks.
fn spawn_confirm_delete(commands: &mut Commands, card: Entity, profile: &TraineeProfile, id: &str) {
    let attempts = profile
        .store
        .history(id)
        .map_or(0, |history| history.attempts.len());
    commands.spawn((
        theme::text(
            format!(
                "Delete {} and all {attempts} of their attempts? This cannot be undone.",
                listed_name(profile, id)
            ),
            theme::SUBHEADING_SIZE,
            palette::BAD,
        ),
        ChildOf(card),
    ));
    commands.spawn((
        theme::row(10.0),
        ChildOf(card),
        children![
            theme::button("Delete for good", TitleAction::ConfirmDelete),
            theme::primary_button("Keep them", TitleAction::ChooseTrainee),
        ],
    ));
}

fn spawn_trainee(
    commands: &mut Commands,
    card: Entity,
    profile: &TraineeProfile,
    library: &ScenarioLibrary,
) {
    match profile.name() {
        None => {
            commands.spawn((theme::subheading("What should we call you?"), ChildOf(card)));
            name_box(commands, card);
            commands.spawn((
                theme::muted("Type your name and press Enter."),
                ChildOf(card),
            ));
            if !profile.trainees().is_empty() {
                commands.spawn((
                    theme::button("I already practise here", TitleAction::ChooseTrainee),
                    ChildOf(card),
                ));
            }
        }
        Some(name) => {
            let playable = library.playable();
            let passed = playable
                .iter()
                .filter(|s| profile.best_stars(&s.id) >= 2)
                .count();
            let first_visit = profile.attempts.is_empty();
            let greeting = if first_visit {
                format!("Welcome, {name}.")
            } else {
                format!("Welcome back, {name}.")
            };
            commands.spawn((theme::subheading(greeting), ChildOf(card)));
            commands.spawn((
                theme::muted(format!("{passed} of {} scenarios passed.", playable.len())),
                ChildOf(card),
            ));
            let up = next_up(profile, library);
            let continue_label = match (&up, first_visit) {
                (Some(up), true) => format!("Start: {}  [Enter]", up.scenario.title),
                (Some(up), false) => format!("Continue: {}  [Enter]", up.scenario.title),
                (None, _) => "Choose a scenario  [Enter]".to_string(),
            };

            let standing = &profile.standing;
            commands.spawn((
                theme::muted(format!(
                    "Level {} {} | {} XP | streak {} day{}",
                    standing.level + 1,
                    standing.level_title,
                    standing.xp,
                    standing.streak.current,
                    if standing.streak.current == 1 {
                        ""
                    } else {
                        "s"
                    }
                )),
                ChildOf(card),
            ));
            // What Enter starts gets a line of its own (a scenario's title can be long), with
            // why that one under it.
            commands.spawn((
                theme::primary_button(continue_label, TitleAction::Continue),
                ChildOf(card),
            ));
            if let Some(up) = &up {
                commands.spawn((theme::muted(up.why.clone()), ChildOf(card)));
            }
            commands.spawn((
                theme::button_row(10.0),
                ChildOf(card),
                children![
                    theme::button("Library  [L]", TitleAction::Library),
                    theme::button("Progress  [P]", TitleAction::Progress),
                ],
            ));
            commands.spawn((
                theme::button(
                    format!("Not {name}? Switch trainee  [S]"),
                    TitleAction::ChooseTrainee,
                ),
                ChildOf(card),
            ));
        }
    }
}

/// What "Continue" on the title screen starts, and why that one.
struct NextUp {
    scenario: std::sync::Arc<crate::scenario::model::Scenario>,
    why: String,
}

/// The scenario to continue with: the one left before its end last time, if it is still not
/// passed; otherwise the first unlocked scenario not passed yet. `None` once every unlocked
/// scenario is passed (the library is the place to choose then).
fn next_up(profile: &TraineeProfile, library: &ScenarioLibrary) -> Option<NextUp> {
    let open: Vec<_> = library
        .playable()
        .into_iter()
        .filter(|s| profile.standing.unlocked_tiers.contains(&s.tier))
        .collect();
    let not_passed = |id: &str| profile.best_stars(id) < 2;
    let latest = profile
        .attempts
        .iter()
        .filter(|a| !matches!(a.kind, crate::progress::AttemptKind::Drill { .. }))
        .max_by_key(|a| (a.finished_at, a.id.clone()));
    if let Some(left) = latest.filter(|a| a.finished().is_none())
        && not_passed(&left.scenario_id)
        && let Some(scenario) = open.iter().find(|s| s.id == left.scenario_id)
    {
        return Some(NextUp {
            scenario: scenario.clone(),
            why: "You left this one before the end last time; it starts again from the top.".into(),
        });
    }
    let scenario = open.into_iter().find(|s| not_passed(&s.id))?;
    let why = match profile.times_played(&scenario.id) {
        0 => "Next in the library, not played yet.".to_string(),
        1 => "Played once, not passed yet.".to_string(),
        n => format!("Played {n} times, not passed yet."),
    };
    Some(NextUp { scenario, why })
}

fn spawn_footer(
    commands: &mut Commands,
    card: Entity,
    library: &ScenarioLibrary,
    scale: &TextScale,
) {
    let broken = library.broken().count();
    if broken > 0 {
        commands.spawn((
            theme::text(
                format!("{broken} scenario file(s) have errors: see the library."),
                theme::SMALL_SIZE,
                palette::BAD,
            ),
            ChildOf(card),
        ));
    }
    commands.spawn((
        theme::row(10.0),
        ChildOf(card),
        children![
            theme::button(
                format!("Text size: {}  [T]", scale.label()),
                TitleAction::TextSize
            ),
            theme::button("Quit", TitleAction::Quit),
        ],
    ));
}

fn keys(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    focus: Option<Res<InputFocus>>,
    boxes: Query<(), With<EditableText>>,
    mut actions: MessageWriter<TitleAction>,
) {
    let Some(keys) = keys else { return };
    if super::typing(focus.as_deref(), &boxes) || !boxes.is_empty() {
        return;
    }
    if keys.just_pressed(KeyCode::Enter) {
        actions.write(TitleAction::Continue);
    }
    if keys.just_pressed(KeyCode::KeyL) {
        actions.write(TitleAction::Library);
    }
    if keys.just_pressed(KeyCode::KeyT) {
        actions.write(TitleAction::TextSize);
    }
    if keys.just_pressed(KeyCode::KeyP) {
        actions.write(TitleAction::Progress);
    }
    if keys.just_pressed(KeyCode::KeyS) {
        actions.write(TitleAction::ChooseTrainee);
    }
}

/// Enter in the name box sets the name.
fn submit_name(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    boxes: Query<&EditableText, With<NameBox>>,
    mut actions: MessageWriter<TitleAction>,
) {
    let Some(keys) = keys else { return };
    if !keys.just_pressed(KeyCode::Enter) {
        return;
    }
    for name_box in &boxes {
        let name = name_box.value().to_string();
        if !name.trim().is_empty() {
            actions.write(TitleAction::SetName(name));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn act(
    mut commands: Commands,
    mut actions: MessageReader<TitleAction>,
    mut profile: ResMut<TraineeProfile>,
    library: Res<ScenarioLibrary>,
    mut scale: ResMut<TextScale>,
    mut mode: ResMut<TitleMode>,
    mut next: ResMut<NextState<Screen>>,
    roots: Query<Entity, With<TitleRoot>>,
    mut exit: MessageWriter<AppExit>,
) {
    let mut rebuild = false;
    for action in actions.read() {
        match action {
            TitleAction::SetName(name) => {
                match &*mode {
                    TitleMode::Renaming(id) => profile.rename(id, name),
                    _ => profile.set_name(name),
                }
                *mode = TitleMode::Welcome;
                rebuild = true;
            }
            TitleAction::Continue => match next_up(&profile, &library) {
                Some(up) => {
                    commands.insert_resource(PlayRequest::fresh(up.scenario));
                    next.set(Screen::Play);
                }
                None => next.set(Screen::Library),
            },
            TitleAction::Library => next.set(Screen::Library),
            TitleAction::Progress if profile.trainee.is_some() => next.set(Screen::Progress),
            TitleAction::Progress => {}
            TitleAction::ChooseTrainee => {
                *mode = match *mode {
                    TitleMode::Choosing => TitleMode::Welcome,
                    _ => TitleMode::Choosing,
                };
                rebuild = true;
            }
            TitleAction::SwitchTo(id) => {
                profile.switch_to(id);
                *mode = TitleMode::Welcome;
                rebuild = true;
            }
            TitleAction::NewTrainee => {
                profile.start_new();
                *mode = TitleMode::Welcome;
                rebuild = true;
            }
            TitleAction::Rename(id) => {
                *mode = TitleMode::Renaming(id.clone());
                rebuild = true;
            }
            TitleAction::Delete(id) => {
                *mode = TitleMode::ConfirmingDelete(id.clone());
                rebuild = true;
            }
            TitleAction::ConfirmDelete => {
                if let TitleMode::ConfirmingDelete(id) = &*mode {
                    profile.delete(id);
                }
                *mode = TitleMode::Choosing;
                rebuild = true;
            }
            TitleAction::TextSize => {
                *scale = scale.next();
                rebuild = true;
            }
            TitleAction::Quit => {
                exit.write(AppExit::Success);
            }
        }
    }
    if rebuild {
        // Re-entering the state rebuilds the screen with the new name or size label.
        for root in &roots {
            commands.entity(root).despawn();
        }
        commands.run_system_cached(spawn);
    }
}
