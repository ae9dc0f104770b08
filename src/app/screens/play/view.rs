//! Draws the play screen: header, customer portrait and mood meters, the conversation in the
//! channel's look, the case file, the reply area, and the feedback and leave dialogs. Parts
//! rebuild only when what they show changes; the clocks update in place every frame.

use bevy::input_focus::AutoFocus;
use bevy::prelude::*;
use bevy::text::EditableText;

use super::conversation::spawn_conversation;
use super::feedback::{continue_button, spawn_briefing, spawn_feedback, spawn_leave_dialog};
use super::portrait::spawn_portrait;
use super::{ActiveSession, Phase, PlayAction, PlayOverlay};
use crate::app::theme::channel_badge;
use crate::app::theme::{self, palette};
use crate::app::{AppSystems, Screen};
use crate::scenario::model::{Channel, Scenario};
use crate::scenario::mood::{Mood, MoodDelta, anger_label, level_label};
use crate::session::mood::hesitation_delta;
use crate::session::{Options, Session, Start};

/// The typed-reply box.
#[derive(Component)]
pub struct ReplyBox;

/// The thin bar beside the reply box, shown once the reply holds more lines than the box: the
/// trainee can see that earlier lines are above and how far down they are.
#[derive(Component)]
struct ReplyScrollTrack;

/// The reply scrollbar's thumb: its height is the share of the reply in view, its top where
/// the view is.
#[derive(Component)]
struct ReplyScrollThumb;

/// The "Send" button beside the reply box: sends what the box holds.
#[derive(Component)]
struct SendButton;

/// Which part of the screen an entity holds; each is rebuilt on its own.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Portrait,
    Meters,
    Conversation,
    Reply,
    Overlay,
}

/// Texts that update every frame.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenText {
    CallTimer,
    Patience,
}

#[derive(Component)]
struct PatienceBar;

/// What the last build showed, to rebuild only what changed.
#[derive(Default, PartialEq, Clone)]
struct Shown {
    turns: usize,
    phase: Option<Phase>,
    overlay: PlayOverlay,
    notice: Option<String>,
    /// Patience periods the customer has been kept waiting past, at the current prompt: the
    /// customer reacts on screen as each one starts, not only at the next reply.
    waited: i16,
    /// Whether the customer of a chat sees the trainee typing.
    typing: bool,
}

pub fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Play), spawn_layout.after(super::start))
        .add_systems(
            Update,
            (rebuild, update_clocks, send_button, show_reply_scroll)
                .in_set(AppSystems::Present)
                .run_if(in_state(Screen::Play).and_then(resource_exists::<ActiveSession>)),
        );
}

fn spawn_layout(mut commands: Commands, active: Option<Res<ActiveSession>>) {
    let Some(active) = active else { return };
    let scenario = active.session.scenario();
    let root = commands
        .spawn((
            Name::new("Play screen"),
            DespawnOnExit(Screen::Play),
            Node {
                padding: UiRect::all(px(16)),
                ..theme::screen_root()
            },
        ))
        .id();
    spawn_header(&mut commands, root, scenario, active.session.start());

    let body = commands.spawn((theme::body_row(), ChildOf(root))).id();
    let left = commands
        .spawn((theme::side_column(250.0), ChildOf(body)))
        .id();
    commands.spawn((
        theme::panel(Node {
            align_items: AlignItems::Center,
            ..default()
        }),
        Slot::Portrait,
        ChildOf(left),
    ));
    commands.spawn((theme::panel(Node::default()), Slot::Meters, ChildOf(left)));
    commands.spawn((
        theme::panel(Node::default()),
        ChildOf(left),
        children![
            (
                theme::text("", theme::SMALL_SIZE, palette::TEXT),
                ScreenText::Patience
            ),
            (
                Node {
                    width: percent(100),
                    height: px(8),
                    border_radius: BorderRadius::all(px(4)),
                    ..default()
                },
                BackgroundColor(palette::PANEL_RAISED),
                children![(
                    Node {
                        width: percent(100),
                        height: percent(100),
                        border_radius: BorderRadius::all(px(4)),
                        ..default()
                    },
                    BackgroundColor(palette::GOOD),
                    PatienceBar,
                )],
            ),
        ],
    ));

    let center = commands
        .spawn((
            Node {
                flex_grow: 1.0,
                min_width: px(0),
                ..theme::column(theme::GAP)
            },
            ChildOf(body),
        ))
        .id();
    let conversation = theme::spawn_scrolling(
        &mut commands,
        center,
        Node {
            flex_grow: 1.0,
            min_height: px(0),
            ..default()
        },
        true,
        8.0,
    );
    commands.entity(conversation).insert(Slot::Conversation);
    commands.spawn((theme::panel(Node::default()), Slot::Reply, ChildOf(center)));

    spawn_case_file(&mut commands, body, scenario);

    commands.spawn((
        Node {
            position_type: PositionType::Absolute,
            ..theme::full_window_centred()
        },
        GlobalZIndex(10),
        Pickable::IGNORE,
        Slot::Overlay,
        DespawnOnExit(Screen::Play),
    ));
}

fn spawn_header(commands: &mut Commands, root: Entity, scenario: &Scenario, start: &Start) {
    let header = commands.spawn((theme::header_row(), ChildOf(root))).id();
    if let Start::ShiftCall { call, calls, .. } = start {
        // A shift is worked call after call: say where in it the trainee is.
        commands.spawn((
            theme::text(
                format!("Shift: call {} of {calls}", call + 1),
                theme::BODY_SIZE,
                palette::ACCENT,
            ),
            ChildOf(header),
        ));
    }
    commands.spawn((
        theme::row(10.0),
        ChildOf(header),
        children![
            channel_badge(scenario.channel),
            theme::subheading(&scenario.title),
            theme::muted(format!(
                "{} | {}",
                scenario.channel.label(),
                scenario.persona.name
            )),
        ],
    ));
    let right = commands.spawn((theme::row(14.0), ChildOf(header))).id();
    let clock_label = match scenario.channel {
        Channel::Phone => "Call",
        Channel::Chat => "Chat",
        Channel::Email => "Thread",
        Channel::Social => "Thread",
    };
    commands.spawn((
        theme::text(
            format!("{clock_label} 00:00"),
            theme::BODY_SIZE,
            palette::TEXT,
        ),
        ScreenText::CallTimer,
        ChildOf(right),
    ));
    commands.spawn((
        theme::button("Leave  [Esc]", PlayAction::AskLeave),
        ChildOf(right),
    ));
}

fn spawn_case_file(commands: &mut Commands, body: Entity, scenario: &Scenario) {
    let panel = theme::spawn_scrolling(
        commands,
        body,
        Node {
            width: px(290),
            flex_shrink: 0.0,
            ..default()
        },
        true,
        8.0,
    );
    commands.spawn((theme::subheading("Case file"), ChildOf(panel)));
    for fact in &scenario.case_file.facts {
        commands.spawn((
            theme::column(1.0),
            ChildOf(panel),
            children![
                theme::muted(&fact.label),
                theme::text(&fact.value, theme::SMALL_SIZE, palette::TEXT)
            ],
        ));
    }
    for policy in &scenario.case_file.policies {
        commands.spawn((
            theme::text(&policy.title, theme::BODY_SIZE, palette::ACCENT),
            ChildOf(panel),
        ));
        commands.spawn((
            theme::text(&policy.text, theme::SMALL_SIZE, palette::TEXT),
            ChildOf(panel),
        ));
        for may in &policy.may {
            commands.spawn((
                theme::text(format!("You may: {may}"), theme::SMALL_SIZE, palette::GOOD),
                ChildOf(panel),
            ));
        }
        for must_not in &policy.must_not {
            commands.spawn((
                theme::text(
                    format!("Never: {must_not}"),
                    theme::SMALL_SIZE,
                    palette::BAD,
                ),
                ChildOf(panel),
            ));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn rebuild(
    mut commands: Commands,
    active: Res<ActiveSession>,
    slots: Query<(Entity, &Slot)>,
    new_slots: Query<(), Added<Slot>>,
    mut shown: Local<Option<Shown>>,
    mut scroll: Query<&mut ScrollPosition>,
    overlay: Res<State<PlayOverlay>>,
    boxes: Query<&EditableText, With<ReplyBox>>,
) {
    let waiting = waiting_cost(&active);
    let now = Shown {
        turns: active.session.transcript().len(),
        phase: Some(active.phase),
        overlay: *overlay.get(),
        notice: active.notice.clone(),
        waited: waiting.anger,
        typing: active.session.scenario().channel == Channel::Chat
            && active.phase == Phase::Answering
            // Read in place: this runs every frame, and a copy of the text would be made each time.
            && boxes
                .iter()
                .any(|b| b.value().chars().any(|c| !c.is_whitespace())),
    };
    // `shown` outlives a visit to the screen: slots spawned since the last run mean a new
    // layout, whatever the previous visit showed.
    let before = shown
        .take()
        .filter(|_| !slots.is_empty() && new_slots.is_empty());
    // A fresh layout (new entities, empty slots) always builds everything.
    let fresh = before.as_ref().is_none_or(|b| b.phase.is_none());
    let turn_changed = fresh
        || before
            .as_ref()
            .is_some_and(|b| b.turns != now.turns || b.phase != now.phase);
    let overlay_changed = turn_changed || before.as_ref().is_some_and(|b| b.overlay != now.overlay);
    let notice_changed = turn_changed || before.as_ref().is_some_and(|b| b.notice != now.notice);
    let waiting_changed = turn_changed
        || before
            .as_ref()
            .is_some_and(|b| b.waited != now.waited || b.typing != now.typing);
    let typing = now.typing;
    *shown = Some(now);
    let session = &active.session;
    let now_overlay = *overlay.get();
    for (entity, slot) in &slots {
        let rebuild = match slot {
            Slot::Portrait => turn_changed,
            Slot::Meters | Slot::Conversation => waiting_changed,
            Slot::Reply => notice_changed,
            Slot::Overlay => overlay_changed,
        };
        if !rebuild {
            continue;
        }
        commands.entity(entity).despawn_children();
        match slot {
            Slot::Portrait => spawn_portrait(&mut commands, entity, session),
            // The meters show what the wait has cost so far: it lands with the next reply.
            Slot::Meters => spawn_meters(&mut commands, entity, session.mood().apply(waiting)),
            Slot::Conversation => {
                spawn_conversation(&mut commands, entity, session, active.phase);
                spawn_waiting_line(&mut commands, entity, session, waiting, typing);
                if let Ok(mut position) = scroll.get_mut(entity) {
                    // Stick to the newest line; layout clamps this to the content.
                    position.y = f32::MAX / 4.0;
                }
            }
            Slot::Reply => spawn_reply(&mut commands, entity, &active),
            Slot::Overlay => {
                if now_overlay == PlayOverlay::Briefing {
                    spawn_briefing(&mut commands, entity, session);
                } else if now_overlay == PlayOverlay::ConfirmLeave {
                    spawn_leave_dialog(&mut commands, entity, session.start());
                } else if active.phase == Phase::Feedback
                    && let Some(turn) = session.transcript().last()
                {
                    spawn_feedback(&mut commands, entity, session, turn);
                }
            }
        }
    }
}

/// What keeping the customer waiting has cost so far at this prompt (nothing while the reply
/// is being scored or the feedback is read).
fn waiting_cost(active: &ActiveSession) -> MoodDelta {
    match active.session.patience_secs_now() {
        Some(patience) if active.phase == Phase::Answering && active.scoring.is_none() => {
            hesitation_delta(patience, (active.thinking_secs * 1000.0) as u64)
        }
        _ => MoodDelta::default(),
    }
}

/// Below the conversation: the customer reacting to the wait, and in a chat, that they see
/// the trainee typing.
fn spawn_waiting_line(
    commands: &mut Commands,
    slot: Entity,
    session: &Session,
    waiting: MoodDelta,
    typing: bool,
) {
    let name = &session.scenario().persona.name;
    let first = name.split_whitespace().next().unwrap_or(name);
    if waiting.anger > 0 {
        commands.spawn((
            theme::text(
                format!(
                    "{first} is still waiting, and it shows: anger +{}, trust {} so far.",
                    waiting.anger, waiting.trust
                ),
                theme::SMALL_SIZE,
                palette::BAD,
            ),
            ChildOf(slot),
        ));
    }
    if typing {
        commands.spawn((
            theme::muted(format!("{first} sees: typing\u{2026}")),
            ChildOf(slot),
        ));
    }
}

fn spawn_meters(commands: &mut Commands, slot: Entity, mood: Mood) {
    commands.spawn((theme::subheading("Customer mood"), ChildOf(slot)));
    let meters = [
        ("Anger", mood.anger, true, anger_label(mood.anger)),
        (
            "Confusion",
            mood.confusion,
            true,
            level_label(mood.confusion),
        ),
        ("Trust", mood.trust, false, level_label(mood.trust)),
    ];
    for (label, value, high_is_bad, word) in meters {
        let goodness = if high_is_bad {
            100 - value.min(100)
        } else {
            value
        };
        commands.spawn((
            theme::meter(label, value, word, palette::score_color(goodness)),
            ChildOf(slot),
        ));
    }
}

fn spawn_reply(commands: &mut Commands, slot: Entity, active: &ActiveSession) {
    if let Some(notice) = &active.notice {
        commands.spawn((
            theme::text(notice, theme::SMALL_SIZE, palette::WARN),
            ChildOf(slot),
        ));
    }
    let session: &Session = &active.session;
    match (active.phase, session.prompt()) {
        (Phase::Answering, Some(prompt)) => match prompt.options {
            Options::Choices(choices) => {
                commands.spawn((theme::muted("Choose a reply (keys 1-9):"), ChildOf(slot)));
                for (i, choice) in choices.iter().enumerate() {
                    // The button bundle has its own `Node`; a second one in the same bundle
                    // panics, so the left-aligned layout replaces it after the spawn.
                    commands
                        .spawn((
                            theme::button(
                                format!("{}.  {}", i + 1, choice.text),
                                PlayAction::Choose(i),
                            ),
                            ChildOf(slot),
                        ))
                        .insert(Node {
                            justify_content: JustifyContent::FlexStart,
                            padding: UiRect::axes(px(14), px(8)),
                            border_radius: BorderRadius::all(px(6)),
                            ..default()
                        });
                }
            }
            Options::FreeText { prompt } => {
                commands.spawn((
                    theme::muted(format!("Type your reply: {prompt}")),
                    ChildOf(slot),
                ));
                let row = commands
                    .spawn((
                        Node {
                            align_items: AlignItems::FlexEnd,
                            ..theme::row(10.0)
                        },
                        ChildOf(slot),
                    ))
                    .id();
                let framed = commands
                    .spawn((
                        Node {
                            flex_grow: 1.0,
                            min_width: px(0),
                            align_items: AlignItems::Stretch,
                            ..theme::row(4.0)
                        },
                        ChildOf(row),
                    ))
                    .id();
                commands
                    .spawn((
                        ReplyBox,
                        AutoFocus,
                        EditableText {
                            max_characters: Some(2000),
                            // Four whole lines at every text size: the box's height follows the
                            // lines, so none shows cut in half.
                            visible_lines: Some(4.0),
                            ..default()
                        },
                        theme::text_box(
                            17.0,
                            Node {
                                flex_grow: 1.0,
                                min_width: px(0),
                                ..default()
                            },
                        ),
                        ChildOf(framed),
                    ))
                    .observe(scroll_reply_box);
                commands.spawn((
                    ReplyScrollTrack,
                    Node {
                        width: px(6),
                        flex_shrink: 0.0,
                        border_radius: BorderRadius::all(px(3)),
                        ..default()
                    },
                    BackgroundColor(palette::PANEL_RAISED),
                    Visibility::Hidden,
                    ChildOf(framed),
                    children![(
                        ReplyScrollThumb,
                        Node {
                            position_type: PositionType::Absolute,
                            width: percent(100),
                            border_radius: BorderRadius::all(px(3)),
                            ..default()
                        },
                        BackgroundColor(palette::TEXT_MUTED),
                    )],
                ));
                commands.spawn((
                    theme::primary_button("Send  [Enter]", PlayAction::Continue),
                    SendButton,
                    ChildOf(row),
                ));
            }
        },
        _ => {
            commands.spawn((continue_button(session), ChildOf(slot)));
        }
    }
}

/// The reply box's text height and view height, in the same (physical) pixels as its scroll.
fn reply_extent(node: &ComputedNode, layout: &bevy::text::TextLayoutInfo) -> (f32, f32) {
    (layout.size.y, node.content_box().size().y)
}

/// Shows the reply scrollbar while the reply is taller than its box, sized and placed to match.
fn show_reply_scroll(
    boxes: Query<
        (
            &bevy::ui::widget::TextScroll,
            &ComputedNode,
            &bevy::text::TextLayoutInfo,
        ),
        With<ReplyBox>,
    >,
    mut tracks: Query<&mut Visibility, With<ReplyScrollTrack>>,
    mut thumbs: Query<&mut Node, With<ReplyScrollThumb>>,
) {
    let Ok((scroll, node, layout)) = boxes.single() else {
        return;
    };
    let (content, view) = reply_extent(node, layout);
    // Half a pixel of slack: a reply that just fits shows no bar.
    let overflows = view > 0.0 && content > view + 0.5;
    for mut visibility in &mut tracks {
        visibility.set_if_neq(if overflows {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        });
    }
    if !overflows {
        return;
    }
    let height = (view / content * 100.0).clamp(10.0, 100.0);
    let top = (scroll.0.y / content * 100.0).clamp(0.0, 100.0 - height);
    for mut thumb in &mut thumbs {
        if thumb.height != percent(height) || thumb.top != percent(top) {
            thumb.height = percent(height);
            thumb.top = percent(top);
        }
    }
}

/// The mouse wheel over the reply box scrolls its lines (the box scrolls to the cursor as the
/// trainee types, but reading back over a long reply needs the wheel too).
fn scroll_reply_box(
    mut wheel: On<Pointer<Scroll>>,
    mut boxes: Query<
        (
            &mut bevy::ui::widget::TextScroll,
            &ComputedNode,
            &bevy::text::TextLayoutInfo,
        ),
        With<ReplyBox>,
    >,
) {
    let Ok((mut scroll, node, layout)) = boxes.get_mut(wheel.entity) else {
        return;
    };
    let (content, view) = reply_extent(node, layout);
    if content <= view {
        return;
    }
    wheel.propagate(false);
    let lines = match wheel.unit {
        bevy::input::mouse::MouseScrollUnit::Line => {
            wheel.y * bevy::input::mouse::MouseScrollUnit::SCROLL_UNIT_CONVERSION_FACTOR
        }
        bevy::input::mouse::MouseScrollUnit::Pixel => wheel.y,
    };
    // The wheel's pixels are logical; the scroll is in physical pixels.
    let by = lines / node.inverse_scale_factor.max(f32::EPSILON);
    let y = (scroll.0.y - by).clamp(0.0, content - view).floor();
    if y != scroll.0.y {
        scroll.0.y = y;
    }
}

/// The Send button reads the reply box: its own action is only a placeholder.
fn send_button(
    buttons: Query<&Interaction, (Changed<Interaction>, With<SendButton>)>,
    boxes: Query<&EditableText, With<ReplyBox>>,
    mut actions: MessageWriter<PlayAction>,
) {
    if buttons.iter().any(|i| *i == Interaction::Pressed) {
        for reply_box in &boxes {
            actions.write(PlayAction::Submit(reply_box.value().to_string()));
        }
    }
}

fn update_clocks(
    active: Res<ActiveSession>,
    mut texts: Query<(&ScreenText, &mut Text)>,
    mut bars: Query<(&mut Node, &mut BackgroundColor), With<PatienceBar>>,
) {
    let call = active.call_secs as u64;
    // The current prompt's patience: a typed turn includes time to type.
    let patience = active
        .session
        .patience_secs_now()
        .unwrap_or(active.session.scenario().persona.patience_secs)
        .max(1) as f32;
    let left = patience - active.thinking_secs;
    let answering = active.phase == Phase::Answering && !active.session.is_over();
    for (which, mut text) in &mut texts {
        let value = match which {
            ScreenText::CallTimer => {
                let label = text.0.split(' ').next().unwrap_or("Call").to_string();
                format!("{label} {:02}:{:02}", call / 60, call % 60)
            }
            ScreenText::Patience if !answering => "Patience: paused while you read".to_string(),
            ScreenText::Patience if left >= 0.0 => {
                format!("Patience: {} s left", left.ceil() as u32)
            }
            ScreenText::Patience => "Past patience: the customer is getting annoyed".to_string(),
        };
        if text.0 != value {
            text.0 = value;
        }
    }
    for (mut node, mut color) in &mut bars {
        let share = if answering {
            (left / patience).clamp(0.0, 1.0)
        } else {
            1.0
        };
        node.width = percent(share * 100.0);
        color.0 = palette::score_color((share * 100.0) as u8);
    }
}
