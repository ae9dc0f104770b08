//! The customer's portrait, drawn from rounded shapes: brows, eyes and mouth change with the
//! mood band, and the band is written underneath so the face is never the only cue.

use bevy::prelude::*;

use crate::app::theme::{self, palette};
use crate::scenario::mood::MoodBand;
use crate::session::Session;

/// The face currently drawn; tests read it.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Face(pub MoodBand);

fn shape(
    left: f32,
    top: f32,
    width: f32,
    height: f32,
    radius: f32,
    color: Color,
) -> (Node, BackgroundColor) {
    (
        Node {
            position_type: PositionType::Absolute,
            left: px(left),
            top: px(top),
            width: px(width),
            height: px(height),
            border_radius: BorderRadius::all(px(radius)),
            ..default()
        },
        BackgroundColor(color),
    )
}

pub fn spawn_portrait(commands: &mut Commands, slot: Entity, session: &Session) {
    let band = session.mood().band();
    let hair = Color::srgb(0.27, 0.18, 0.13);
    let ink = Color::srgb(0.13, 0.10, 0.10);
    let face = commands
        .spawn((
            Face(band),
            Node {
                width: px(140),
                height: px(150),
                ..default()
            },
            ChildOf(slot),
        ))
        .id();
    let mut add = |bundle: (Node, BackgroundColor)| {
        commands.spawn((bundle, ChildOf(face)));
    };
    // Shoulders, neck, head, hair.
    add(shape(
        15.0,
        118.0,
        110.0,
        40.0,
        30.0,
        palette::ACCENT_PRESSED,
    ));
    add(shape(58.0, 96.0, 24.0, 26.0, 6.0, palette::SKIN));
    add(shape(28.0, 14.0, 84.0, 96.0, 42.0, palette::SKIN));
    add(shape(26.0, 8.0, 88.0, 34.0, 20.0, hair));
    // Cheeks flush when irate.
    if band == MoodBand::Irate {
        add(shape(
            36.0,
            66.0,
            16.0,
            10.0,
            5.0,
            Color::srgba(0.9, 0.3, 0.3, 0.55),
        ));
        add(shape(
            88.0,
            66.0,
            16.0,
            10.0,
            5.0,
            Color::srgba(0.9, 0.3, 0.3, 0.55),
        ));
    }
    // Eyes.
    add(shape(48.0, 54.0, 10.0, 10.0, 5.0, ink));
    add(shape(82.0, 54.0, 10.0, 10.0, 5.0, ink));
    // Brows: level when calm, drawn in and down when annoyed, steep when irate.
    let tilt = match band {
        MoodBand::Calm => 0.0,
        MoodBand::Annoyed => 0.22,
        MoodBand::Irate => 0.45,
    };
    for (left, sign) in [(42.0, 1.0), (76.0, -1.0)] {
        commands.spawn((
            shape(left, 44.0, 22.0, 4.0, 2.0, hair),
            UiTransform::from_rotation(Rot2::radians(tilt * sign)),
            ChildOf(face),
        ));
    }
    // Mouth: a smile, a flat line, or an open shout.
    let mouth = match band {
        MoodBand::Calm => (
            Node {
                position_type: PositionType::Absolute,
                left: px(54.0),
                top: px(78.0),
                width: px(32.0),
                height: px(10.0),
                border: UiRect::bottom(px(3.0)),
                border_radius: BorderRadius::bottom(px(12.0)),
                ..default()
            },
            BackgroundColor(Color::NONE),
            BorderColor::all(ink),
        ),
        MoodBand::Annoyed => (
            Node {
                position_type: PositionType::Absolute,
                left: px(56.0),
                top: px(84.0),
                width: px(28.0),
                height: px(3.0),
                ..default()
            },
            BackgroundColor(ink),
            BorderColor::all(Color::NONE),
        ),
        MoodBand::Irate => (
            Node {
                position_type: PositionType::Absolute,
                left: px(58.0),
                top: px(78.0),
                width: px(24.0),
                height: px(14.0),
                border_radius: BorderRadius::all(px(7.0)),
                ..default()
            },
            BackgroundColor(Color::srgb(0.45, 0.12, 0.12)),
            BorderColor::all(Color::NONE),
        ),
    };
    commands.spawn((mouth, ChildOf(face)));
    let name = &session.scenario().persona.name;
    commands.spawn((theme::subheading(name), ChildOf(slot)));
    commands.spawn((
        theme::text(
            format!("Mood: {}", band.label()),
            theme::BODY_SIZE,
            band_color(band),
        ),
        ChildOf(slot),
    ));
}

pub fn band_color(band: MoodBand) -> Color {
    match band {
        MoodBand::Calm => palette::GOOD,
        MoodBand::Annoyed => palette::WARN,
        MoodBand::Irate => palette::BAD,
    }
}
