//! The library: scenario cards grouped by tier with channel, industry, minutes, objectives and
//! the trainee's best stars; a channel filter; arrow keys and Enter or the mouse to pick.
//! Files with errors are listed with their diagnostics instead of being hidden.

use crate::app::trainer::TrainerMode;
use std::sync::Arc;

use bevy::prelude::*;

use super::flow::{PlayRequest, start_shift};
use crate::app::profile::TraineeProfile;
use crate::app::scenario_assets::ScenarioLibrary;
use crate::app::theme::{self, palette};
use crate::app::{AppSystems, Screen};
use crate::scenario::model::{Channel, Scenario};

#[derive(Message, Debug, Clone, PartialEq)]
pub enum LibraryAction {
    Play(String),
    Filter(Option<Channel>),
    /// Start a shift of calls drawn from the unlocked scenarios.
    Shift,
    Back,
}

/// The channel filter and the keyboard selection (an index into the visible cards).
#[derive(Resource, Debug, Default)]
pub struct LibraryView {
    pub filter: Option<Channel>,
    pub selected: usize,
}

/// A scenario card; its index among the visible cards.
#[derive(Component, Debug)]
pub struct ScenarioCard {
    pub index: usize,
    pub scenario_id: String,
    /// In a tier the trainee has not unlocked yet.
    pub locked: bool,
}

#[derive(Component)]
struct LibraryRoot;

pub fn plugin(app: &mut App) {
    theme::add_button_action::<LibraryAction>(app);
    app.init_resource::<LibraryView>()
        .add_systems(OnEnter(Screen::Library), spawn)
        .add_systems(
            Update,
            (
                keys.in_set(AppSystems::RecordInput),
                act.in_set(AppSystems::Act),
                highlight_selected.in_set(AppSystems::Present),
            )
                .run_if(in_state(Screen::Library)),
        );
}

fn visible(library: &ScenarioLibrary, filter: Option<Channel>) -> Vec<Arc<Scenario>> {
    library
        .playable()
        .into_iter()
        .filter(|s| filter.is_none_or(|c| s.channel == c))
        .collect()
}

fn spawn(
    mut commands: Commands,
    library: Res<ScenarioLibrary>,
    profile: Res<TraineeProfile>,
    mut view: ResMut<LibraryView>,
    trainer: Option<Res<TrainerMode>>,
) {
    let scenarios = visible(&library, view.filter);
    view.selected = view.selected.min(scenarios.len().saturating_sub(1));
    let root = commands
        .spawn((
            Name::new("Library screen"),
            LibraryRoot,
            DespawnOnExit(Screen::Library),
            theme::screen_root(),
        ))
        .id();
    // Header: title, filters, back.
    let header = commands.spawn((theme::header_row(), ChildOf(root))).id();
    commands.spawn((theme::heading("Scenario library"), ChildOf(header)));
    let filters = commands.spawn((theme::row(6.0), ChildOf(header))).id();
    commands.spawn((theme::muted("Channel [F]:"), ChildOf(filters)));
    let options = std::iter::once(None).chain(Channel::ALL.map(Some));
    for option in options {
        let label = option.map_or("All", Channel::label);
        let action = LibraryAction::Filter(option);
        if option == view.filter {
            commands.spawn((theme::primary_button(label, action), ChildOf(filters)));
        } else {
            commands.spawn((theme::button(label, action), ChildOf(filters)));
        }
    }
    commands.spawn((
        theme::row(8.0),
        ChildOf(header),
        children![
            theme::button("Start a shift  [H]", LibraryAction::Shift),
            theme::button("Back  [Esc]", LibraryAction::Back),
        ],
    ));

    // The cards, scrolling.
    let list = theme::spawn_scrolling(
        &mut commands,
        root,
        Node {
            flex_grow: 1.0,
            min_height: px(0),
            ..default()
        },
        false,
        14.0,
    );
    if scenarios.is_empty() {
        commands.spawn((
            theme::body("No scenarios match this filter."),
            ChildOf(list),
        ));
    }
    let mut tiers: Vec<u8> = scenarios.iter().map(|s| s.tier).collect();
    tiers.dedup();
    let mut index = 0;
    for tier in tiers {
        // A trainer previews every tier.
        let lock = lock_reason(&profile, tier).filter(|_| trainer.is_none());
        commands.spawn((
            theme::row(12.0),
            ChildOf(list),
            children![
                theme::subheading(format!("Tier {tier}: {}", tier_name(tier))),
                theme::text(
                    lock.clone().unwrap_or_default(),
                    theme::SMALL_SIZE,
                    palette::WARN
                ),
            ],
        ));
        let grid = commands
            .spawn((
                Node {
                    flex_wrap: FlexWrap::Wrap,
                    // Cards of different heights line up along their tops.
                    align_items: AlignItems::FlexStart,
                    row_gap: px(14),
                    ..theme::row(14.0)
                },
                ChildOf(list),
            ))
            .id();
        for scenario in scenarios.iter().filter(|s| s.tier == tier) {
            spawn_card(
                &mut commands,
                grid,
                scenario,
                index,
                profile.best_stars(&scenario.id),
                lock.is_some(),
            );
            index += 1;
        }
    }
    let broken: Vec<_> = library.broken().collect();
    if !broken.is_empty() {
        commands.spawn((
            theme::text("Files with errors", theme::SUBHEADING_SIZE, palette::BAD),
            ChildOf(list),
        ));
        for entry in broken {
            let card = commands
                .spawn((theme::panel(Node::default()), ChildOf(list)))
                .id();
            commands.spawn((theme::body(&entry.file), ChildOf(card)));
            for d in entry.diagnostics.iter().filter(|d| d.is_error()).take(6) {
                commands.spawn((
                    theme::text(d.to_string(), theme::SMALL_SIZE, palette::TEXT_MUTED),
                    ChildOf(card),
                ));
            }
        }
    }
}

/// Why `tier` is locked for this trainee, or `None` when it is open.
fn lock_reason(profile: &TraineeProfile, tier: u8) -> Option<String> {
    let standing = &profile.standing;
    if standing.unlocked_tiers.contains(&tier) {
        return None;
    }
    let unlock = profile.rules.unlocks.iter().find(|u| u.tier == tier);
    Some(unlock.map_or("Locked".to_string(), |u| {
        let have = standing
            .stars_by_tier
            .get(&u.from_tier)
            .copied()
            .unwrap_or(0);
        format!(
            "Locked: {} stars in tier {} open it (you have {have})",
            u.stars, u.from_tier
        )
    }))
}

fn tier_name(tier: u8) -> &'static str {
    match tier {
        1 => "first calls",
        2 => "harder conversations",
        _ => "expert",
    }
}

fn spawn_card(
    commands: &mut Commands,
    grid: Entity,
    scenario: &Scenario,
    index: usize,
    stars: u8,
    locked: bool,
) {
    let card = commands
        .spawn((
            Name::new(format!("Card {}", scenario.id)),
            ScenarioCard {
                index,
                scenario_id: scenario.id.clone(),
                locked,
            },
            theme::panel(Node {
                width: px(360),
                min_height: px(170),
                border: UiRect::all(px(2)),
                ..default()
            }),
            ChildOf(grid),
        ))
        .id();
    if locked {
        // Seen, so the trainee knows what is ahead, but not playable yet.
        commands
            .entity(card)
            .insert(BackgroundColor(palette::BACKGROUND));
    } else {
        commands.entity(card).insert((
            Button,
            theme::ButtonAction(LibraryAction::Play(scenario.id.clone())),
        ));
    }
    commands.spawn((
        theme::row(8.0),
        Pickable::IGNORE,
        ChildOf(card),
        children![
            (theme::channel_badge(scenario.channel), Pickable::IGNORE),
            (theme::subheading(&scenario.title), Pickable::IGNORE),
        ],
    ));
    commands.spawn((
        theme::muted(format!(
            "{} | {} | about {} min",
            scenario.channel.label(),
            scenario.industry.label(),
            scenario.minutes
        )),
        Pickable::IGNORE,
        ChildOf(card),
    ));
    for objective in scenario.objectives.iter().take(3) {
        commands.spawn((
            theme::text(format!("- {objective}"), theme::SMALL_SIZE, palette::TEXT),
            Pickable::IGNORE,
            ChildOf(card),
        ));
    }
    let best = if locked {
        "Locked: earn stars in the tier above".to_string()
    } else if stars == 0 {
        "Not played yet".to_string()
    } else {
        format!("Best: {stars} of 3 stars")
    };
    commands.spawn((
        theme::row(8.0),
        Pickable::IGNORE,
        ChildOf(card),
        children![
            (theme::star_row(stars, 3, 12.0), Pickable::IGNORE),
            (theme::muted(best), Pickable::IGNORE),
        ],
    ));
}

fn keys(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    library: Res<ScenarioLibrary>,
    mut view: ResMut<LibraryView>,
    mut actions: MessageWriter<LibraryAction>,
) {
    let Some(keys) = keys else { return };
    let scenarios = visible(&library, view.filter);
    // Cards sit two or three to a row; left/right step by one, up/down by a row of two.
    let step = |delta: isize, view: &mut LibraryView| {
        let last = scenarios.len().saturating_sub(1) as isize;
        view.selected = (view.selected as isize + delta).clamp(0, last) as usize;
    };
    if keys.just_pressed(KeyCode::ArrowRight) {
        step(1, &mut view);
    }
    if keys.just_pressed(KeyCode::ArrowLeft) {
        step(-1, &mut view);
    }
    if keys.just_pressed(KeyCode::ArrowDown) {
        step(2, &mut view);
    }
    if keys.just_pressed(KeyCode::ArrowUp) {
        step(-2, &mut view);
    }
    if keys.just_pressed(KeyCode::Enter)
        && let Some(s) = scenarios.get(view.selected)
    {
        actions.write(LibraryAction::Play(s.id.clone()));
    }
    if keys.just_pressed(KeyCode::KeyF) {
        let options: Vec<Option<Channel>> = std::iter::once(None)
            .chain(Channel::ALL.map(Some))
            .collect();
        let at = options.iter().position(|o| *o == view.filter).unwrap_or(0);
        actions.write(LibraryAction::Filter(options[(at + 1) % options.len()]));
    }
    if keys.just_pressed(KeyCode::KeyH) {
        actions.write(LibraryAction::Shift);
    }
    if keys.just_pressed(KeyCode::Escape) {
        actions.write(LibraryAction::Back);
    }
}

// A Bevy system: each parameter is a resource or query it reads.
#[allow(clippy::too_many_arguments)]
fn act(
    mut commands: Commands,
    mut actions: MessageReader<LibraryAction>,
    library: Res<ScenarioLibrary>,
    mut profile: ResMut<TraineeProfile>,
    mut view: ResMut<LibraryView>,
    mut next: ResMut<NextState<Screen>>,
    trainer: Option<Res<TrainerMode>>,
    roots: Query<Entity, With<LibraryRoot>>,
) {
    for action in actions.read() {
        match action {
            LibraryAction::Shift => start_shift(&mut commands, &library, &mut profile, &mut next),
            LibraryAction::Play(id) => {
                if let Some(scenario) = library.find(id)
                    && (trainer.is_some()
                        || profile.standing.unlocked_tiers.contains(&scenario.tier))
                {
                    commands.insert_resource(PlayRequest::fresh(scenario));
                    next.set(Screen::Play);
                }
            }
            LibraryAction::Filter(filter) => {
                view.filter = *filter;
                view.selected = 0;
                for root in &roots {
                    commands.entity(root).despawn();
                }
                commands.run_system_cached(spawn);
            }
            LibraryAction::Back => next.set(Screen::Title),
        }
    }
}

fn highlight_selected(view: Res<LibraryView>, mut cards: Query<(&ScenarioCard, &mut BorderColor)>) {
    for (card, mut border) in &mut cards {
        let color = if card.index == view.selected {
            palette::ACCENT
        } else {
            palette::BORDER
        };
        if border.top != color {
            *border = BorderColor::all(color);
        }
    }
}
