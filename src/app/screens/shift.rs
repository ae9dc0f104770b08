//! Shift mode: a queue of customers drawn with the seeded RNG (weighted towards the trainee's
//! weak scenarios), taken one after another, and the shift's summary screen with each call's
//! handle time and the callers' satisfaction (CSAT-style, 1 to 5).

use bevy::prelude::*;

use super::flow::{ShiftRun, start_shift};
use crate::app::profile::TraineeProfile;
use crate::app::scenario_assets::ScenarioLibrary;
use crate::app::theme::{self, palette};
use crate::app::{AppSystems, Screen};
use crate::progress::shift::satisfaction;
use crate::progress::standing::meets_effort;

#[derive(Message, Debug, Clone, PartialEq)]
pub enum ShiftAction {
    AnotherShift,
    Progress,
    Library,
}

/// One call's row on the summary; tests read these.
#[derive(Component, Debug, Clone)]
pub struct ShiftCallRow {
    pub scenario_id: String,
    pub handle_secs: u64,
    pub satisfaction: u8,
}

pub fn plugin(app: &mut App) {
    theme::add_button_action::<ShiftAction>(app);
    app.add_systems(OnEnter(Screen::ShiftSummary), spawn)
        .add_systems(
            Update,
            (
                keys.in_set(AppSystems::RecordInput),
                act.in_set(AppSystems::Act),
            )
                .run_if(in_state(Screen::ShiftSummary)),
        );
}

/// `m:ss`, the way a contact centre shows handle time.
pub fn minutes(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

fn spawn(mut commands: Commands, run: Option<Res<ShiftRun>>, profile: Res<TraineeProfile>) {
    let Some(run) = run else { return };
    let summary = run.summary(&profile);
    let root = commands
        .spawn((
            Name::new("Shift summary screen"),
            DespawnOnExit(Screen::ShiftSummary),
            theme::screen_root(),
        ))
        .id();
    let header = commands.spawn((theme::header_row(), ChildOf(root))).id();
    commands.spawn((
        theme::column(4.0),
        ChildOf(header),
        children![
            theme::heading("Shift summary"),
            theme::muted(format!("{} calls | seed {}", summary.calls, run.plan.seed)),
        ],
    ));
    commands.spawn((
        theme::row(8.0),
        ChildOf(header),
        children![
            theme::primary_button("Another shift  [Enter]", ShiftAction::AnotherShift),
            theme::button("Progress  [P]", ShiftAction::Progress),
            theme::button("Library  [L]", ShiftAction::Library),
        ],
    ));

    let calls = summary.calls.max(1) as u64;
    let mean_handle = summary.handle_secs.iter().sum::<u64>() / calls;
    let mean_satisfaction = summary
        .satisfaction
        .iter()
        .map(|&s| u64::from(s))
        .sum::<u64>() as f32
        / calls as f32;
    // The previous shift, for a trend: the standing already holds this one once it is saved.
    let previous = profile
        .standing
        .shifts
        .iter()
        .rev()
        .find(|s| s.shift_id != run.shift_id());
    let trend = previous.map_or("Your first shift.".to_string(), |p| {
        format!(
            "Last shift: {}% satisfied, {} average handle time.",
            p.satisfied_percent,
            minutes(p.handle_secs.iter().sum::<u64>() / u64::from(p.calls.max(1)))
        )
    });
    commands.spawn((
        theme::panel(Node::default()),
        ChildOf(root),
        children![
            theme::text(
                format!(
                    "CSAT {}%: callers who rated {} or 5 out of 5",
                    summary.satisfied_percent, profile.rules.shift.satisfied_from
                ),
                theme::HEADING_SIZE,
                palette::score_color(summary.satisfied_percent),
            ),
            theme::body(format!(
                "Average satisfaction {mean_satisfaction:.1} of 5 | average handle time {}",
                minutes(mean_handle)
            )),
            theme::muted(trend),
        ],
    ));

    let list = theme::spawn_scrolling(
        &mut commands,
        root,
        Node {
            flex_grow: 1.0,
            min_height: px(0),
            ..default()
        },
        false,
        8.0,
    );
    for (i, record) in run.taken.iter().enumerate() {
        let title = run
            .queue
            .get(i)
            .map_or(record.scenario_id.as_str(), |s| s.title.as_str());
        let outcome = record.finished().map_or("not finished", |o| o.kind.label());
        let stars = satisfaction(record);
        commands.spawn((
            ShiftCallRow {
                scenario_id: record.scenario_id.clone(),
                handle_secs: record.handle_secs(),
                satisfaction: stars,
            },
            // The panel lays its children out in a column, so the call's facts sit in a row
            // inside it.
            theme::panel(Node::default()),
            ChildOf(list),
            children![(
                theme::row(16.0),
                children![
                    theme::subheading(format!("Call {}", i + 1)),
                    (
                        Node {
                            flex_grow: 1.0,
                            ..theme::column(2.0)
                        },
                        children![
                            theme::body(title),
                            theme::muted(format!(
                                "{outcome} | overall {}",
                                record.finished().map_or(0, |o| o.overall)
                            )),
                        ],
                    ),
                    theme::body(format!("Handle time {}", minutes(record.handle_secs()))),
                    theme::muted(if meets_effort(&profile.rules, record) {
                        ""
                    } else {
                        "rushed: not counted"
                    }),
                    theme::star_row(stars, 5, 14.0),
                    theme::muted(format!("{stars} of 5")),
                ],
            )],
        ));
    }
    commands.spawn((
        theme::muted(
            "Handle time counts the time you took to reply. Satisfaction comes from how the \
             caller felt at the end and whether they were helped; a caller who hung up gives 1. \
             A shift counts towards badges when every call meets the minimum effort.",
        ),
        ChildOf(root),
    ));
}

fn keys(keys: Option<Res<ButtonInput<KeyCode>>>, mut actions: MessageWriter<ShiftAction>) {
    let Some(keys) = keys else { return };
    let map = [
        (KeyCode::Enter, ShiftAction::AnotherShift),
        (KeyCode::KeyP, ShiftAction::Progress),
        (KeyCode::KeyL, ShiftAction::Library),
        (KeyCode::Escape, ShiftAction::Library),
    ];
    for (key, action) in map {
        if keys.just_pressed(key) {
            actions.write(action);
        }
    }
}

fn act(
    mut commands: Commands,
    mut actions: MessageReader<ShiftAction>,
    library: Res<ScenarioLibrary>,
    mut profile: ResMut<TraineeProfile>,
    mut next: ResMut<NextState<Screen>>,
) {
    for action in actions.read() {
        commands.remove_resource::<ShiftRun>();
        match action {
            ShiftAction::AnotherShift => {
                start_shift(&mut commands, &library, &mut profile, &mut next);
            }
            ShiftAction::Progress => next.set(Screen::Progress),
            ShiftAction::Library => next.set(Screen::Library),
        }
    }
}
