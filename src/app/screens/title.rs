//! The title screen: the product, the trainee's name (asked once, then remembered), and the
//! way in: continue where they left off, or browse the library. Also the text-size setting.

use bevy::input_focus::{AutoFocus, InputFocus};
use bevy::prelude::*;
use bevy::text::{EditableText, TextCursorStyle};

use super::{PlayRequest, fresh_seed};
use crate::app::Screen;
use crate::app::profile::TraineeProfile;
use crate::app::scenario_assets::ScenarioLibrary;
use crate::app::theme::{self, TextScale, palette};

#[derive(Message, Debug, Clone, PartialEq)]
pub enum TitleAction {
    /// The trainee typed their name.
    SetName(String),
    /// Play the first scenario not yet passed.
    Continue,
    Library,
    TextSize,
    Quit,
}

/// The name box, shown until the trainee has a profile.
#[derive(Component)]
pub struct NameBox;

/// Marks the title screen's root, to rebuild it when the name is set or the text size changes.
#[derive(Component)]
struct TitleRoot;

pub fn plugin(app: &mut App) {
    theme::add_button_action::<TitleAction>(app);
    app.add_systems(OnEnter(Screen::Title), spawn).add_systems(
        Update,
        (keys, submit_name, act)
            .chain()
            .run_if(in_state(Screen::Title)),
    );
}

fn spawn(
    mut commands: Commands,
    profile: Res<TraineeProfile>,
    library: Res<ScenarioLibrary>,
    scale: Res<TextScale>,
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
                width: px(560),
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
    match profile.name() {
        None => {
            commands.spawn((theme::subheading("What should we call you?"), ChildOf(card)));
            commands.spawn((
                NameBox,
                AutoFocus,
                EditableText {
                    max_characters: Some(40),
                    ..default()
                },
                TextCursorStyle::default(),
                TextFont::from_font_size(20.0),
                TextColor(palette::TEXT),
                Node {
                    width: percent(100),
                    padding: UiRect::all(px(10)),
                    border: UiRect::all(px(2)),
                    border_radius: BorderRadius::all(px(6)),
                    ..default()
                },
                BorderColor::all(palette::ACCENT),
                BackgroundColor(palette::PANEL_RAISED),
                ChildOf(card),
            ));
            commands.spawn((
                theme::muted("Type your name and press Enter."),
                ChildOf(card),
            ));
        }
        Some(name) => {
            let playable = library.playable();
            let passed = playable
                .iter()
                .filter(|s| profile.best_stars(&s.id) >= 2)
                .count();
            commands.spawn((
                theme::subheading(format!("Welcome back, {name}.")),
                ChildOf(card),
            ));
            commands.spawn((
                theme::muted(format!("{passed} of {} scenarios passed.", playable.len())),
                ChildOf(card),
            ));
            commands.spawn((
                theme::row(10.0),
                ChildOf(card),
                children![
                    theme::primary_button("Continue  [Enter]", TitleAction::Continue),
                    theme::button("Library  [L]", TitleAction::Library),
                ],
            ));
        }
    }
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
    mut next: ResMut<NextState<Screen>>,
    roots: Query<Entity, With<TitleRoot>>,
    mut exit: MessageWriter<AppExit>,
) {
    let mut rebuild = false;
    for action in actions.read() {
        match action {
            TitleAction::SetName(name) => {
                profile.set_name(name);
                rebuild = true;
            }
            TitleAction::Continue => {
                let playable = library.playable();
                let next_up = playable
                    .iter()
                    .find(|s| profile.best_stars(&s.id) < 2)
                    .or(playable.first());
                match next_up {
                    Some(scenario) => {
                        commands.insert_resource(PlayRequest {
                            scenario: scenario.clone(),
                            seed: fresh_seed(),
                        });
                        next.set(Screen::Play);
                    }
                    None => next.set(Screen::Library),
                }
            }
            TitleAction::Library => next.set(Screen::Library),
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
