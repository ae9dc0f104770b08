//! The progress screen: level and XP bar, practice streak, stars per tier with what opens the
//! next, the review queue, each dimension's score over time, and the badge grid (earned ones
//! lit, locked ones saying how to earn them).

use crate::app::Curricula;
use crate::progress::curriculum::{CurriculumStanding, ModuleState, curriculum_standing};
use crate::progress::{day_of, local_offset_secs};
use bevy::prelude::*;

use super::flow::{PlayRequest, fresh_seed, start_shift};
use crate::app::profile::TraineeProfile;
use crate::app::scenario_assets::ScenarioLibrary;
use crate::app::theme::{self, PlotSeries, palette};
use crate::app::{AppSystems, Screen};
use crate::progress::certification::{CertificationState, certification_state, trainee_state};
use crate::progress::review::ReviewItem;
use crate::progress::standing::BadgeState;
use crate::progress::today;
use crate::scenario::model::Turn;
use crate::session::Start;

#[derive(Message, Debug, Clone, PartialEq)]
pub enum ProgressAction {
    Back,
    /// Drill the due review item at this index.
    Drill(usize),
    Shift,
}

/// Review items listed on the screen at once.
const REVIEW_SHOWN: usize = 4;

/// One badge card; tests read these.
#[derive(Component, Debug, Clone)]
pub struct BadgeCard {
    pub id: String,
    pub earned: bool,
}

/// Attempts shown in the scores-over-time chart: the most recent ones.
const CHART_ATTEMPTS: usize = 30;

/// What each count counts, in words: stars come from every finished scenario, XP and badge
/// counts only from those that met the minimum effort, so a trainee with three stars and no
/// practice yet sees why.
fn attempt_counts(
    s: &crate::progress::standing::Standing,
    rules: &crate::progress::ProgressRules,
) -> String {
    let plural = |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{} finished ({} counted as practice: {}+ replies, {}+ s) | {} | {} left unfinished",
        plural(s.finished, "scenario", "scenarios"),
        s.practised,
        rules.effort.min_replies,
        rules.effort.min_seconds,
        plural(s.drills, "review drill", "review drills"),
        s.abandoned
    )
}

pub fn plugin(app: &mut App) {
    theme::add_button_action::<ProgressAction>(app);
    app.add_systems(OnEnter(Screen::Progress), spawn)
        .add_systems(
            Update,
            (
                keys.in_set(AppSystems::RecordInput),
                act.in_set(AppSystems::Act),
            )
                .run_if(in_state(Screen::Progress)),
        );
}

fn spawn(
    mut commands: Commands,
    profile: Res<TraineeProfile>,
    library: Res<ScenarioLibrary>,
    curricula: Option<Res<Curricula>>,
) {
    let root = commands
        .spawn((
            Name::new("Progress screen"),
            DespawnOnExit(Screen::Progress),
            theme::screen_root(),
        ))
        .id();
    let s = &profile.standing;
    let header = commands.spawn((theme::header_row(), ChildOf(root))).id();
    commands.spawn((
        theme::heading(format!(
            "Progress: {}",
            profile.name().unwrap_or("no trainee")
        )),
        ChildOf(header),
    ));
    commands.spawn((
        theme::row(8.0),
        ChildOf(header),
        children![
            theme::button("Start a shift  [H]", ProgressAction::Shift),
            theme::button("Back  [Esc]", ProgressAction::Back),
        ],
    ));
    let body = commands.spawn((theme::body_row(), ChildOf(root))).id();
    // The left column scrolls too: at the largest text size its panels do not fit at 720p.
    let left = theme::spawn_scrolling(
        &mut commands,
        body,
        Node {
            width: px(440),
            flex_shrink: 0.0,
            ..default()
        },
        false,
        theme::GAP,
    );

    // Level and XP.
    let (to_next, share) = match &s.next_level {
        Some((title, xp)) => (
            format!("{} XP to {title}", xp.saturating_sub(s.xp)),
            (s.xp.saturating_sub(s.level_floor) * 100 / (xp - s.level_floor).max(1)) as u8,
        ),
        None => ("top level".to_string(), 100),
    };
    commands.spawn((
        theme::panel(Node::default()),
        ChildOf(left),
        children![
            theme::subheading(format!("Level {}: {}", s.level + 1, s.level_title)),
            theme::body(format!("{} XP | {to_next}", s.xp)),
            theme::bar(share, palette::ACCENT),
            theme::muted(attempt_counts(s, &profile.rules)),
        ],
    ));

    // Streak.
    let streak = s.streak;
    commands.spawn((
        theme::panel(Node::default()),
        ChildOf(left),
        children![
            theme::subheading(format!(
                "Streak: {} day{}",
                streak.current,
                if streak.current == 1 { "" } else { "s" }
            )),
            theme::muted(format!(
                "Longest {} | {} | {} freeze{} left this week",
                streak.longest,
                if streak.practised_today {
                    "practised today"
                } else {
                    "not practised yet today"
                },
                streak.freezes_left,
                if streak.freezes_left == 1 { "" } else { "s" }
            )),
        ],
    ));

    // Stars per tier.
    let tiers = commands
        .spawn((theme::panel(Node::default()), ChildOf(left)))
        .id();
    commands.spawn((theme::subheading("Stars by tier"), ChildOf(tiers)));
    for tier in 1..=3u8 {
        let stars = s.stars_by_tier.get(&tier).copied().unwrap_or(0);
        let state = if s.unlocked_tiers.contains(&tier) {
            "open".to_string()
        } else {
            profile
                .rules
                .unlocks
                .iter()
                .find(|u| u.tier == tier)
                .map_or("locked".into(), |u| {
                    format!("locked: {} stars in tier {} open it", u.stars, u.from_tier)
                })
        };
        commands.spawn((
            theme::text(
                format!("Tier {tier}: {stars} stars ({state})"),
                theme::BODY_SIZE,
                if s.unlocked_tiers.contains(&tier) {
                    palette::TEXT
                } else {
                    palette::TEXT_MUTED
                },
            ),
            ChildOf(tiers),
        ));
    }

    // Review queue.
    let review = commands
        .spawn((theme::panel(Node::default()), ChildOf(left)))
        .id();
    commands.spawn((
        theme::subheading(format!(
            "Review queue: {} due, {} later",
            s.review_due.len(),
            s.review_later.len()
        )),
        ChildOf(review),
    ));
    if s.review_due.is_empty() && s.review_later.is_empty() {
        commands.spawn((
            theme::muted("Replies under the review mark come back here as one-reply drills."),
            ChildOf(review),
        ));
    }
    for (index, item) in s.review_due.iter().enumerate().take(REVIEW_SHOWN) {
        spawn_review_item(&mut commands, review, &library, item, Some(index));
    }
    let shown = s.review_due.len().min(REVIEW_SHOWN);
    let later_shown = s.review_later.len().min(REVIEW_SHOWN - shown);
    for item in s.review_later.iter().take(later_shown) {
        spawn_review_item(&mut commands, review, &library, item, None);
    }
    // The heading counts them all; say how many the list leaves out.
    let hidden = s.review_due.len() + s.review_later.len() - shown - later_shown;
    if hidden > 0 {
        commands.spawn((
            theme::muted(format!(
                "and {hidden} more, shown as the ones above are drilled"
            )),
            ChildOf(review),
        ));
    }

    // Right: the chart and the badges, scrolling.
    let right = theme::spawn_scrolling(
        &mut commands,
        body,
        Node {
            flex_grow: 1.0,
            min_width: px(0),
            ..default()
        },
        true,
        10.0,
    );
    if let (Some(curricula), Some(trainee)) = (&curricula, &profile.trainee) {
        let first_day = day_of(trainee.created_at, local_offset_secs());
        for curriculum in curricula.0.iter() {
            let standing = curriculum_standing(curriculum, &profile.attempts, first_day, today());
            let panel = spawn_curriculum(&mut commands, right, &standing, &library);
            if let Some(certification) = &curriculum.certification {
                let (state, notices) =
                    trainee_state(&profile.store, &trainee.id, certification, &standing)
                        .unwrap_or_else(|err| {
                            // Read as no sittings, as the terminal's progress does.
                            let none = certification_state(certification, &standing, 0, &[]);
                            (none, vec![err.to_string()])
                        });
                notices.iter().for_each(|n| warn!("{n}"));
                spawn_certification(&mut commands, panel, curriculum, certification, &state);
            }
        }
    }
    commands.spawn((theme::subheading("Scores over time"), ChildOf(right)));
    let recent: Vec<_> = s
        .history
        .iter()
        .skip(s.history.len().saturating_sub(CHART_ATTEMPTS))
        .collect();
    if recent.len() < 2 {
        commands.spawn((
            theme::muted("Finish two scenarios to see your scores over time."),
            ChildOf(right),
        ));
    } else {
        let series = [
            PlotSeries::new("empathy", palette::ACCENT, recent.iter().map(|p| p.empathy)),
            PlotSeries::new("accuracy", palette::GOOD, recent.iter().map(|p| p.accuracy)),
            PlotSeries::new(
                "de-escalation",
                palette::WARN,
                recent.iter().map(|p| p.deescalation),
            ),
        ];
        theme::spawn_line_plot(&mut commands, right, &series, 520.0, 150.0);
        commands.spawn((
            theme::muted(format!(
                "Your last {} finished attempts, oldest on the left.",
                recent.len()
            )),
            ChildOf(right),
        ));
    }
    let earned = s.badges.iter().filter(|b| b.earned_by.is_some()).count();
    commands.spawn((
        theme::subheading(format!("Badges: {earned} of {}", s.badges.len())),
        ChildOf(right),
    ));
    let grid = commands
        .spawn((
            Node {
                flex_wrap: FlexWrap::Wrap,
                align_items: AlignItems::FlexStart,
                row_gap: px(10),
                ..theme::row(10.0)
            },
            ChildOf(right),
        ))
        .id();
    for badge in &s.badges {
        spawn_badge(&mut commands, grid, badge);
    }
}

/// One review item: where, when, and for a due one a button that starts its drill.
/// A curriculum as a panel: what is next, then each module with its state and due day.
/// A curriculum's certification, under its modules: where the trainee stands and, when it is
/// open, how to sit it (in a terminal: the app has no certification screen yet).
fn spawn_certification(
    commands: &mut Commands,
    panel: Entity,
    curriculum: &crate::progress::curriculum::Curriculum,
    certification: &crate::progress::certification::Certification,
    state: &CertificationState,
) {
    let color = match state {
        CertificationState::Passed { .. } => palette::GOOD,
        CertificationState::Failed { .. } => palette::BAD,
        CertificationState::Open { .. } => palette::ACCENT,
        CertificationState::Locked { .. } | CertificationState::NotLocked => palette::TEXT_MUTED,
    };
    let how = match state {
        CertificationState::Open { .. } => {
            format!(". Sit it in a terminal: holdline certify {}", curriculum.id)
        }
        _ => String::new(),
    };
    commands.spawn((
        theme::text(
            format!(
                "Certification \"{}\": {}{how}",
                certification.title,
                state.words(certification.max_attempts)
            ),
            theme::SMALL_SIZE,
            color,
        ),
        ChildOf(panel),
    ));
}

/// Spawns a curriculum's panel and returns it.
fn spawn_curriculum(
    commands: &mut Commands,
    parent: Entity,
    c: &CurriculumStanding,
    library: &ScenarioLibrary,
) -> Entity {
    // A scenario module reads by its title, as on the library's cards.
    let task = |m: &crate::progress::curriculum::ModuleStanding| {
        m.scenario
            .as_deref()
            .and_then(|id| library.find(id))
            .map_or_else(|| m.task.clone(), |s| format!("Pass \"{}\"", s.title))
    };
    let panel = commands
        .spawn((theme::panel(Node::default()), ChildOf(parent)))
        .id();
    let (passed, total) = c.passed();
    commands.spawn((
        theme::subheading(format!("{}: {passed} of {total} modules passed", c.title)),
        ChildOf(panel),
    ));
    let next = match c.next() {
        Some(next) => format!("Day {} of the programme. Next: {}", c.day, task(next)),
        None if passed == total => format!("Day {} of the programme. Every module passed.", c.day),
        None => format!("Day {} of the programme. Nothing is open yet.", c.day),
    };
    commands.spawn((theme::body(next), ChildOf(panel)));
    for m in &c.modules {
        let (state, color) = match &m.state {
            ModuleState::Passed { on_day, .. } => {
                (format!("passed on day {on_day}"), palette::GOOD)
            }
            ModuleState::Open { attempts: 0 } => ("to do".to_string(), palette::TEXT),
            ModuleState::Open { attempts } => (
                format!(
                    "{attempts} attempt{} so far",
                    if *attempts == 1 { "" } else { "s" }
                ),
                palette::TEXT,
            ),
            ModuleState::Locked { waiting_for } => (
                format!("after {}", waiting_for.join(", ")),
                palette::TEXT_MUTED,
            ),
            ModuleState::Failed { attempts } => (
                format!(
                    "not passed in {attempts} attempt{}: see your trainer",
                    if *attempts == 1 { "" } else { "s" }
                ),
                palette::BAD,
            ),
        };
        let due = match (m.due_day, m.overdue) {
            (Some(day), true) => format!(" | overdue (day {day})"),
            (Some(day), false) if !matches!(m.state, ModuleState::Passed { .. }) => {
                format!(" | due day {day}")
            }
            _ => String::new(),
        };
        let color = if m.overdue { palette::WARN } else { color };
        commands.spawn((
            theme::text(
                format!("{}: {state}{due}", task(m)),
                theme::SMALL_SIZE,
                color,
            ),
            ChildOf(panel),
        ));
    }
    panel
}

fn spawn_review_item(
    commands: &mut Commands,
    parent: Entity,
    library: &ScenarioLibrary,
    item: &ReviewItem,
    due_index: Option<usize>,
) {
    let scenario = library.find(&item.scenario_id);
    let title = scenario
        .as_ref()
        .map_or(item.scenario_id.as_str(), |s| s.title.as_str());
    let when = match item.due_day - today() {
        i64::MIN..=0 => "due now".to_string(),
        1 => "tomorrow".to_string(),
        n => format!("in {n} days"),
    };
    let row = commands
        .spawn((
            Node {
                justify_content: JustifyContent::SpaceBetween,
                ..theme::row(8.0)
            },
            ChildOf(parent),
        ))
        .id();
    // What happened there, in words: the task at a typed turn, the customer's line at a choice;
    // the node's id is for trainers.
    let moment = scenario
        .as_ref()
        .and_then(|s| s.node(&item.node_id))
        .map(|node| match &node.turn {
            Turn::FreeText(free) => free.prompt.clone(),
            Turn::Choices(_) => {
                let line = node
                    .customer
                    .all()
                    .next()
                    .map_or(String::new(), |l| shorten(l, 60));
                format!("answering \u{201c}{line}\u{201d}")
            }
        })
        .unwrap_or_else(|| item.node_id.clone());
    commands.spawn((
        theme::muted(format!("{title}: {moment} ({when})")),
        ChildOf(row),
    ));
    match (due_index, scenario) {
        (Some(index), Some(_)) => {
            let key = if index == 0 { "  [D]" } else { "" };
            commands.spawn((
                theme::button(format!("Drill{key}"), ProgressAction::Drill(index)),
                ChildOf(row),
            ));
        }
        (Some(_), None) => {
            commands.spawn((
                theme::text("not in the library", theme::SMALL_SIZE, palette::WARN),
                ChildOf(row),
            ));
        }
        (None, _) => {}
    }
}

fn spawn_badge(commands: &mut Commands, grid: Entity, badge: &BadgeState) {
    let earned = badge.earned_by.is_some();
    let (border, title_color, status) = if earned {
        (palette::WARN, palette::WARN, "Earned".to_string())
    } else {
        let progress = badge
            .progress
            .map(|(have, need)| format!(" ({have} of {need})"))
            .unwrap_or_default();
        (
            palette::BORDER,
            palette::TEXT_MUTED,
            format!("Locked{progress}"),
        )
    };
    let card = commands
        .spawn((
            BadgeCard {
                id: badge.id.clone(),
                earned,
            },
            Node {
                width: px(200),
                flex_direction: FlexDirection::Column,
                row_gap: px(3),
                padding: UiRect::all(px(10)),
                border: UiRect::all(px(if earned { 2 } else { 1 })),
                border_radius: BorderRadius::all(px(6)),
                ..default()
            },
            BorderColor::all(border),
            BackgroundColor(palette::PANEL_RAISED),
            ChildOf(grid),
        ))
        .id();
    commands.spawn((
        theme::text(&badge.name, theme::BODY_SIZE, title_color),
        ChildOf(card),
    ));
    commands.spawn((
        theme::text(&badge.how, theme::SMALL_SIZE, palette::TEXT),
        ChildOf(card),
    ));
    commands.spawn((theme::muted(status), ChildOf(card)));
}

fn keys(keys: Option<Res<ButtonInput<KeyCode>>>, mut actions: MessageWriter<ProgressAction>) {
    let Some(keys) = keys else { return };
    if keys.any_just_pressed([KeyCode::Escape, KeyCode::Backspace]) {
        actions.write(ProgressAction::Back);
    }
    if keys.just_pressed(KeyCode::KeyD) {
        actions.write(ProgressAction::Drill(0));
    }
    if keys.just_pressed(KeyCode::KeyH) {
        actions.write(ProgressAction::Shift);
    }
}

fn act(
    mut commands: Commands,
    mut actions: MessageReader<ProgressAction>,
    library: Res<ScenarioLibrary>,
    mut profile: ResMut<TraineeProfile>,
    mut next: ResMut<NextState<Screen>>,
) {
    for action in actions.read() {
        match action {
            ProgressAction::Back => next.set(Screen::Title),
            ProgressAction::Shift => start_shift(&mut commands, &library, &mut profile, &mut next),
            ProgressAction::Drill(index) => {
                let Some(item) = profile.standing.review_due.get(*index) else {
                    continue;
                };
                if let Some(scenario) = library.find(&item.scenario_id) {
                    commands.insert_resource(PlayRequest {
                        scenario,
                        seed: fresh_seed(),
                        start: Start::Drill {
                            node_id: item.node_id.clone(),
                            mood: item.mood,
                            mark: profile.rules.review.below,
                        },
                    });
                    next.set(Screen::Play);
                }
            }
        }
    }
}

/// `text` cut to about `chars` characters at a word boundary, with an ellipsis when cut.
fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(chars).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}\u{2026}", at_word.trim_end_matches([',', '.', ';', ':']))
}
