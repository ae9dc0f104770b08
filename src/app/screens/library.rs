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
    /// Why the last card asked for could not be played (a locked tier), shown in the header.
    pub notice: Option<String>,
    /// Set when the keyboard moved the selection, so the list scrolls it into view.
    pub scroll_to_selected: bool,
}

/// The header line that says why a card cannot be played.
#[derive(Component)]
struct LibraryNotice;

/// The scrolling list of cards.
#[derive(Component)]
struct CardList;

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
                (hover_selects, keys)
                    .chain()
                    .in_set(AppSystems::RecordInput),
                act.in_set(AppSystems::Act),
                (highlight_selected, show_notice, scroll_selected_into_view)
                    .in_set(AppSystems::Present),
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
    scale: Res<theme::TextScale>,
) {
    let scenarios = visible(&library, view.filter);
    view.selected = view.selected.min(scenarios.len().saturating_sub(1));
    view.notice = None;
    // Back from a scenario, the card just played is in view and selected.
    view.scroll_to_selected = true;
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
    let filters = commands
        .spawn((theme::button_row(6.0), ChildOf(header)))
        .id();
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
        theme::button_row(8.0),
        ChildOf(header),
        children![
            theme::muted(format!("Text: {} (Ctrl + / -)", scale.label())),
            theme::button("Start a shift  [H]", LibraryAction::Shift),
            theme::button("Back  [Esc]", LibraryAction::Back),
        ],
    ));
    commands.spawn((
        LibraryNotice,
        theme::text("", theme::SMALL_SIZE, palette::WARN),
        ChildOf(root),
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
    commands.entity(list).insert(CardList);
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
                CardRecord {
                    stars: profile.best_stars(&scenario.id),
                    played: profile.times_played(&scenario.id),
                },
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

/// What a card says of the trainee's own record on its scenario.
struct CardRecord {
    stars: u8,
    /// Attempts from the start, finished or left.
    played: usize,
}

impl CardRecord {
    fn label(&self, locked: bool, tier: u8) -> String {
        match (locked, self.stars, self.played) {
            (true, _, _) => format!(
                "Locked: pass tier {} scenarios to open it",
                tier.saturating_sub(1).max(1)
            ),
            (false, 0, 0) => "Not played yet".to_string(),
            (false, 0, 1) => "Played once, not passed yet".to_string(),
            (false, 0, n) => format!("Played {n} times, not passed yet"),
            (false, stars, _) => format!("Best: {stars} of 3 stars"),
        }
    }
}

fn spawn_card(
    commands: &mut Commands,
    grid: Entity,
    scenario: &Scenario,
    index: usize,
    record: CardRecord,
    locked: bool,
) {
    let stars = record.stars;
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
    // A locked card is seen, so the trainee knows what is ahead, and a click on it says why it
    // cannot be played yet.
    commands.entity(card).insert((
        Button,
        theme::ButtonAction(LibraryAction::Play(scenario.id.clone())),
    ));
    if locked {
        commands
            .entity(card)
            .insert(BackgroundColor(palette::BACKGROUND));
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
    let best = record.label(locked, scenario.tier);
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

/// Pointing at a card selects it, so the highlight, Enter and the mouse agree. Only when the
/// pointer moved: a card that slides under a still pointer as the list scrolls (or as the
/// screen opens) must not take the selection from the keyboard.
fn hover_selects(
    cards: Query<(&Interaction, &ScenarioCard), Changed<Interaction>>,
    windows: Query<&Window>,
    mut last_cursor: Local<Option<Vec2>>,
    mut view: ResMut<LibraryView>,
) {
    let cursor = windows.iter().find_map(Window::cursor_position);
    let moved = cursor.is_some() && cursor != *last_cursor && last_cursor.is_some();
    *last_cursor = cursor.or(*last_cursor);
    if !moved {
        return;
    }
    for (interaction, card) in &cards {
        if *interaction == Interaction::Hovered && view.selected != card.index {
            view.selected = card.index;
        }
    }
}

/// The card an arrow key moves to. Left and right step through the cards in reading order;
/// up and down go to the nearest card (by its centre's x) in the row above or below, however
/// many cards the window's width fits in a row. `centres` holds each card's index and laid-out
/// position: the x of its centre and the y of its top (cards in a row line up along their tops
/// and differ in height); before layout (all at one point) up and down step by one card.
pub fn card_in_direction(centres: &[(usize, Vec2)], selected: usize, key: KeyCode) -> usize {
    let count = centres.len();
    let by_one = |delta: isize| {
        (selected as isize + delta).clamp(0, count.saturating_sub(1) as isize) as usize
    };
    let down = match key {
        KeyCode::ArrowRight => return by_one(1),
        KeyCode::ArrowLeft => return by_one(-1),
        KeyCode::ArrowDown => true,
        KeyCode::ArrowUp => false,
        _ => return selected,
    };
    let Some(&(_, from)) = centres.iter().find(|(i, _)| *i == selected) else {
        return selected;
    };
    // A row is the cards whose centres sit within a few pixels of one height.
    const SAME_ROW: f32 = 4.0;
    let beyond = |at: Vec2| {
        if down {
            at.y > from.y + SAME_ROW
        } else {
            at.y < from.y - SAME_ROW
        }
    };
    let row_y = centres
        .iter()
        .filter(|(_, at)| beyond(*at))
        .map(|(_, at)| at.y)
        .min_by(|a, b| {
            let (a, b) = ((a - from.y).abs(), (b - from.y).abs());
            a.total_cmp(&b)
        });
    let Some(row_y) = row_y else {
        // Nothing laid out above or below: the last (or first) card, or one step before layout.
        let all_one_point = centres.iter().all(|(_, at)| at.distance(from) < SAME_ROW);
        return if all_one_point {
            by_one(if down { 1 } else { -1 })
        } else {
            selected
        };
    };
    centres
        .iter()
        .filter(|(_, at)| (at.y - row_y).abs() <= SAME_ROW)
        .min_by(|(_, a), (_, b)| (a.x - from.x).abs().total_cmp(&(b.x - from.x).abs()))
        .map_or(selected, |(i, _)| *i)
}

fn keys(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    library: Res<ScenarioLibrary>,
    cards: Query<(&ScenarioCard, &UiGlobalTransform, &ComputedNode)>,
    mut view: ResMut<LibraryView>,
    mut actions: MessageWriter<LibraryAction>,
) {
    let Some(keys) = keys else { return };
    let scenarios = visible(&library, view.filter);
    let mut centres: Vec<(usize, Vec2)> = cards
        .iter()
        .map(|(card, at, node)| {
            let top = at.translation.y - node.size.y / 2.0;
            (card.index, Vec2::new(at.translation.x, top))
        })
        .collect();
    centres.sort_by_key(|(i, _)| *i);
    if centres.len() != scenarios.len() {
        // Not laid out (or headless): the cards in reading order, at one point.
        centres = (0..scenarios.len()).map(|i| (i, Vec2::ZERO)).collect();
    }
    for key in [
        KeyCode::ArrowRight,
        KeyCode::ArrowLeft,
        KeyCode::ArrowDown,
        KeyCode::ArrowUp,
    ] {
        if keys.just_pressed(key) {
            view.selected = card_in_direction(&centres, view.selected, key);
            view.scroll_to_selected = true;
        }
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
                let Some(scenario) = library.find(id) else {
                    continue;
                };
                if let Some(at) = visible(&library, view.filter)
                    .iter()
                    .position(|s| s.id == scenario.id)
                {
                    // Coming back, the library selects the card just played.
                    view.selected = at;
                }
                let lock = lock_reason(&profile, scenario.tier).filter(|_| trainer.is_none());
                match lock {
                    None => {
                        commands.insert_resource(PlayRequest::fresh(scenario));
                        next.set(Screen::Play);
                    }
                    Some(why) => {
                        view.notice = Some(format!(
                            "\u{201c}{}\u{201d} is in tier {}. {why}.",
                            scenario.title, scenario.tier
                        ));
                    }
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

fn show_notice(view: Res<LibraryView>, mut notices: Query<&mut Text, With<LibraryNotice>>) {
    if !view.is_changed() {
        return;
    }
    for mut text in &mut notices {
        let wanted = view.notice.as_deref().unwrap_or_default();
        if text.0 != wanted {
            text.0 = wanted.to_string();
        }
    }
}

/// Scrolls the card list so the selected card is fully in view, after the keyboard moved the
/// selection or the screen opened (layout first places the cards, so this waits for it).
fn scroll_selected_into_view(
    mut view: ResMut<LibraryView>,
    cards: Query<(&ScenarioCard, &ComputedNode, &UiGlobalTransform)>,
    mut lists: Query<(&ComputedNode, &UiGlobalTransform, &mut ScrollPosition), With<CardList>>,
) {
    if !view.scroll_to_selected {
        return;
    }
    let Some((_, card, card_at)) = cards.iter().find(|(c, ..)| c.index == view.selected) else {
        return;
    };
    let Ok((list, list_at, mut scroll)) = lists.single_mut() else {
        return;
    };
    if list.size.y <= 0.0 || card.size.y <= 0.0 {
        return; // Not laid out yet: try next frame.
    }
    view.scroll_to_selected = false;
    // Layout sizes and positions are in physical pixels; the scroll offset is in logical ones.
    let to_logical = list.inverse_scale_factor;
    let top =
        (card_at.translation.y - card.size.y / 2.0) - (list_at.translation.y - list.size.y / 2.0);
    let bottom = top + card.size.y;
    let margin = 12.0 / to_logical.max(f32::EPSILON);
    if top < margin {
        scroll.y = (scroll.y + (top - margin) * to_logical).max(0.0);
    } else if bottom > list.size.y - margin {
        scroll.y += (bottom - list.size.y + margin) * to_logical;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_and_down_go_to_the_nearest_card_in_the_next_row() {
        // Three to a row, then two.
        let at = |i: usize, x: f32, y: f32| (i, Vec2::new(x, y));
        let cards = [
            at(0, 100.0, 100.0),
            at(1, 500.0, 100.0),
            at(2, 900.0, 100.0),
            at(3, 100.0, 320.0),
            at(4, 500.0, 320.0),
        ];
        assert_eq!(
            card_in_direction(&cards, 1, KeyCode::ArrowDown),
            4,
            "middle stays middle"
        );
        assert_eq!(
            card_in_direction(&cards, 2, KeyCode::ArrowDown),
            4,
            "nearest below"
        );
        assert_eq!(card_in_direction(&cards, 4, KeyCode::ArrowUp), 1);
        assert_eq!(
            card_in_direction(&cards, 4, KeyCode::ArrowDown),
            4,
            "no row below"
        );
        assert_eq!(card_in_direction(&cards, 0, KeyCode::ArrowUp), 0);
        assert_eq!(card_in_direction(&cards, 2, KeyCode::ArrowRight), 3);
        assert_eq!(card_in_direction(&cards, 0, KeyCode::ArrowLeft), 0);
    }

    #[test]
    fn before_layout_up_and_down_step_one_card() {
        let cards: Vec<(usize, Vec2)> = (0..3).map(|i| (i, Vec2::ZERO)).collect();
        assert_eq!(card_in_direction(&cards, 0, KeyCode::ArrowDown), 1);
        assert_eq!(card_in_direction(&cards, 1, KeyCode::ArrowUp), 0);
    }

    #[test]
    fn a_card_says_whether_it_was_played_and_why_it_is_locked() {
        let record = |stars, played| CardRecord { stars, played };
        assert_eq!(record(0, 0).label(false, 1), "Not played yet");
        assert_eq!(
            record(0, 3).label(false, 1),
            "Played 3 times, not passed yet"
        );
        assert_eq!(record(2, 3).label(false, 1), "Best: 2 of 3 stars");
        assert!(record(0, 0).label(true, 2).contains("tier 1"));
    }
}
