//! The conversation in its channel's look: chat bubbles, a phone-call transcript, an email
//! thread, or a public social post with reactions and replies.

use bevy::prelude::*;

use super::Phase;
use crate::app::theme::{self, palette};
use crate::scenario::model::{Channel, Persona};
use crate::scenario::mood::Mood;
use crate::session::Session;

/// Who said a line.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    Customer,
    Trainee,
}

/// One line of the conversation as shown; tests read these.
#[derive(Component, Debug, Clone)]
pub struct ConversationLine {
    pub speaker: Speaker,
    pub text: String,
}

pub fn spawn_conversation(commands: &mut Commands, slot: Entity, session: &Session, phase: Phase) {
    let scenario = session.scenario();
    let channel = scenario.channel;
    let name = scenario.persona.name.as_str();
    let first_name = name.split_whitespace().next().unwrap_or(name);
    let subject = scenario
        .subject
        .clone()
        .unwrap_or_else(|| scenario.title.clone());
    let mut lines: Vec<(Speaker, String, Mood)> = Vec::new();
    for turn in session.transcript() {
        lines.push((
            Speaker::Customer,
            turn.customer_line.clone(),
            turn.mood_before,
        ));
        lines.push((Speaker::Trainee, turn.reply.clone(), turn.mood_after));
    }
    if let (Phase::Answering, Some(prompt)) = (phase, session.prompt()) {
        lines.push((
            Speaker::Customer,
            prompt.customer_line.to_string(),
            session.mood(),
        ));
    }
    for (i, (speaker, text, mood)) in lines.iter().enumerate() {
        let entity = match channel {
            Channel::Chat => bubble(commands, *speaker, text, first_name),
            Channel::Phone => phone_line(commands, *speaker, text, first_name),
            Channel::Email => email(commands, *speaker, text, name, &subject, i),
            Channel::Social if i == 0 => social_post(commands, text, &scenario.persona, *mood),
            Channel::Social => social_reply(commands, *speaker, text, first_name),
        };
        commands.entity(entity).insert((
            ConversationLine {
                speaker: *speaker,
                text: text.clone(),
            },
            ChildOf(slot),
        ));
    }
    let waiting = phase == Phase::Feedback && !session.is_over();
    if waiting {
        let note = match channel {
            Channel::Chat | Channel::Social => format!("{first_name} is typing..."),
            Channel::Phone => format!("({first_name} is listening)"),
            Channel::Email => format!("Waiting for {first_name}'s reply..."),
        };
        commands.spawn((theme::muted(note), ChildOf(slot)));
    }
    if session.is_over() {
        commands.spawn((theme::muted("The conversation has ended."), ChildOf(slot)));
    }
}

fn bubble(commands: &mut Commands, speaker: Speaker, text: &str, first_name: &str) -> Entity {
    let (align, color, who) = match speaker {
        Speaker::Customer => (AlignSelf::FlexStart, palette::CUSTOMER_BUBBLE, first_name),
        Speaker::Trainee => (AlignSelf::FlexEnd, palette::TRAINEE_BUBBLE, "You"),
    };
    commands
        .spawn((
            Node {
                align_self: align,
                max_width: percent(78),
                flex_direction: FlexDirection::Column,
                padding: UiRect::axes(px(12), px(8)),
                row_gap: px(2),
                border_radius: BorderRadius::all(px(12)),
                ..default()
            },
            BackgroundColor(color),
            children![theme::muted(who), theme::body(text)],
        ))
        .id()
}

fn phone_line(commands: &mut Commands, speaker: Speaker, text: &str, first_name: &str) -> Entity {
    let (who, color) = match speaker {
        Speaker::Customer => (first_name.to_uppercase(), palette::WARN),
        Speaker::Trainee => ("YOU".to_string(), palette::ACCENT),
    };
    commands
        .spawn((
            Node {
                column_gap: px(12),
                ..theme::row(12.0)
            },
            children![
                (
                    Node {
                        width: px(90),
                        flex_shrink: 0.0,
                        ..default()
                    },
                    children![theme::text(who, theme::SMALL_SIZE, color)],
                ),
                (
                    Node {
                        flex_grow: 1.0,
                        flex_shrink: 1.0,
                        ..default()
                    },
                    children![theme::body(text)],
                ),
            ],
        ))
        .id()
}

fn email(
    commands: &mut Commands,
    speaker: Speaker,
    text: &str,
    name: &str,
    subject: &str,
    index: usize,
) -> Entity {
    let (from, to) = match speaker {
        Speaker::Customer => (name.to_string(), "Customer support".to_string()),
        Speaker::Trainee => ("You (Customer support)".to_string(), name.to_string()),
    };
    let prefix = if index == 0 { "" } else { "Re: " };
    commands
        .spawn((
            Node {
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(12)),
                row_gap: px(4),
                border: UiRect::left(px(3)),
                ..default()
            },
            BackgroundColor(palette::PANEL_RAISED),
            BorderColor::all(if speaker == Speaker::Customer {
                palette::WARN
            } else {
                palette::ACCENT
            }),
            children![
                theme::muted(format!("From: {from}    To: {to}")),
                theme::text(
                    format!("Subject: {prefix}{subject}"),
                    theme::BODY_SIZE,
                    palette::TEXT
                ),
                theme::body(text),
            ],
        ))
        .id()
}

/// The public post that started it, with reactions that grow with the customer's anger: an
/// angry public post draws a crowd.
fn social_post(commands: &mut Commands, text: &str, persona: &Persona, mood: Mood) -> Entity {
    let name = persona.name.as_str();
    let handle = persona.social_handle();
    let likes = 12 + u32::from(mood.anger) * 3;
    let shares = 2 + u32::from(mood.anger) / 4;
    commands
        .spawn((
            Node {
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(12)),
                row_gap: px(6),
                border: UiRect::all(px(1)),
                border_radius: BorderRadius::all(px(10)),
                ..default()
            },
            BackgroundColor(palette::PANEL_RAISED),
            BorderColor::all(palette::BORDER),
            children![
                theme::text(
                    format!("{name}  @{handle}  - public post"),
                    theme::SMALL_SIZE,
                    palette::TEXT_MUTED
                ),
                theme::body(text),
                theme::text(
                    format!("{likes} likes   {shares} shares   visible to everyone"),
                    theme::SMALL_SIZE,
                    palette::BAD,
                ),
            ],
        ))
        .id()
}

fn social_reply(commands: &mut Commands, speaker: Speaker, text: &str, first_name: &str) -> Entity {
    let who = match speaker {
        Speaker::Customer => first_name.to_string(),
        Speaker::Trainee => "Support team (you)".to_string(),
    };
    commands
        .spawn((
            Node {
                flex_direction: FlexDirection::Column,
                margin: UiRect::left(px(28)),
                padding: UiRect::axes(px(10), px(6)),
                border: UiRect::left(px(2)),
                ..default()
            },
            BorderColor::all(palette::BORDER),
            children![theme::muted(format!("Reply from {who}")), theme::body(text)],
        ))
        .id()
}
