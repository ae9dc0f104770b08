//! The customer's portrait, drawn from rounded shapes: brows, eyes and mouth change with the
//! mood band, and the band is written underneath so the face is never the only cue. Each persona
//! has a look of their own (skin, hair, clothes, glasses, age), drawn from their name, so the
//! same customer always looks the same and two customers rarely look alike.

use bevy::prelude::*;

use crate::app::theme::{self, palette};
use crate::scenario::model::Persona;
use crate::scenario::mood::MoodBand;
use crate::session::Session;

const SKIN_TONES: [(f32, f32, f32); 6] = [
    (0.96, 0.82, 0.70),
    (0.91, 0.74, 0.60),
    (0.80, 0.60, 0.45),
    (0.66, 0.47, 0.33),
    (0.50, 0.34, 0.23),
    (0.36, 0.24, 0.16),
];
const HAIR_COLOURS: [(f32, f32, f32); 5] = [
    (0.10, 0.08, 0.07),
    (0.27, 0.18, 0.13),
    (0.45, 0.30, 0.18),
    (0.62, 0.30, 0.16),
    (0.85, 0.72, 0.45),
];
/// Grey to white, for older customers.
const GREY_HAIR: (f32, f32, f32) = (0.80, 0.80, 0.82);
const CLOTHES: [(f32, f32, f32); 6] = [
    (0.25, 0.49, 0.85),
    (0.72, 0.25, 0.30),
    (0.25, 0.55, 0.40),
    (0.55, 0.40, 0.70),
    (0.85, 0.60, 0.20),
    (0.35, 0.38, 0.45),
];

/// How a persona's hair is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HairStyle {
    Short,
    /// Down to the shoulders, either side of the face.
    Long,
    /// Gathered on top.
    Bun,
    /// Thin on top, kept at the sides.
    Receding,
}

/// A persona's look: fixed by their name (and whether the backstory says they are older).
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Look {
    pub skin: Color,
    pub hair: Color,
    pub style: HairStyle,
    pub clothes: Color,
    pub glasses: bool,
    pub older: bool,
}

/// FNV-1a: stable across runs and machines, unlike the standard library's hasher.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn rgb((r, g, b): (f32, f32, f32)) -> Color {
    Color::srgb(r, g, b)
}

/// Words in a backstory that say the customer is older.
const OLDER_CUES: [&str; 8] = [
    "retired",
    "grandson",
    "granddaughter",
    "grandchild",
    "pensioner",
    "widow",
    "elderly",
    "in her 80s",
];

/// The age a backstory states as "81-year-old" or "aged 81"; 0 when it states none.
fn stated_age(story: &str) -> u32 {
    let before = |at: usize| {
        let digits: String = story[..at]
            .chars()
            .rev()
            .skip_while(|c| *c == ' ')
            .take_while(char::is_ascii_digit)
            .collect();
        digits
            .chars()
            .rev()
            .collect::<String>()
            .parse()
            .unwrap_or(0)
    };
    let after = |at: usize| {
        story[at..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0)
    };
    let years_old = story.match_indices("-year-old").map(|(at, _)| before(at));
    let aged = story
        .match_indices("aged ")
        .map(|(at, w)| after(at + w.len()));
    years_old.chain(aged).max().unwrap_or(0)
}

impl Look {
    /// The look of `persona`: each feature from its own bits of the name's hash; older (grey
    /// hair, glasses more likely) when the backstory says so.
    pub fn for_persona(persona: &Persona) -> Look {
        let h = name_hash(&persona.name);
        let pick = |shift: u32, n: usize| ((h >> shift) % n as u64) as usize;
        let story = persona.backstory.to_lowercase();
        let older = OLDER_CUES.iter().any(|cue| story.contains(cue)) || stated_age(&story) >= 65;
        let style = [
            HairStyle::Short,
            HairStyle::Long,
            HairStyle::Bun,
            HairStyle::Receding,
        ][pick(24, 4)];
        Look {
            skin: rgb(SKIN_TONES[pick(0, SKIN_TONES.len())]),
            hair: rgb(if older {
                GREY_HAIR
            } else {
                HAIR_COLOURS[pick(8, HAIR_COLOURS.len())]
            }),
            style,
            clothes: rgb(CLOTHES[pick(16, CLOTHES.len())]),
            glasses: pick(32, if older { 2 } else { 4 }) == 0,
            older,
        }
    }
}

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
    let look = Look::for_persona(&session.scenario().persona);
    let hair = look.hair;
    let ink = Color::srgb(0.13, 0.10, 0.10);
    let face = commands
        .spawn((
            Face(band),
            look,
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
    // Long hair falls behind the shoulders and face, so it is drawn first.
    if look.style == HairStyle::Long {
        add(shape(22.0, 10.0, 96.0, 110.0, 36.0, hair));
    }
    // Shoulders, neck, head, hair.
    add(shape(15.0, 118.0, 110.0, 40.0, 30.0, look.clothes));
    add(shape(58.0, 96.0, 24.0, 26.0, 6.0, look.skin));
    add(shape(28.0, 14.0, 84.0, 96.0, 42.0, look.skin));
    match look.style {
        HairStyle::Short | HairStyle::Long => add(shape(26.0, 8.0, 88.0, 34.0, 20.0, hair)),
        HairStyle::Bun => {
            add(shape(26.0, 10.0, 88.0, 30.0, 20.0, hair));
            add(shape(54.0, -6.0, 32.0, 24.0, 12.0, hair));
        }
        HairStyle::Receding => {
            add(shape(24.0, 30.0, 14.0, 34.0, 7.0, hair));
            add(shape(102.0, 30.0, 14.0, 34.0, 7.0, hair));
        }
    }
    if look.older {
        // Lines at the eyes' corners.
        add(shape(36.0, 60.0, 6.0, 2.0, 1.0, ink.with_alpha(0.35)));
        add(shape(98.0, 60.0, 6.0, 2.0, 1.0, ink.with_alpha(0.35)));
    }
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
    // Eyes, and glasses round them.
    add(shape(48.0, 54.0, 10.0, 10.0, 5.0, ink));
    add(shape(82.0, 54.0, 10.0, 10.0, 5.0, ink));
    if look.glasses {
        for left in [41.0, 75.0] {
            commands.spawn((
                Node {
                    position_type: PositionType::Absolute,
                    left: px(left),
                    top: px(48.0),
                    width: px(24.0),
                    height: px(22.0),
                    border: UiRect::all(px(2.0)),
                    border_radius: BorderRadius::all(px(8.0)),
                    ..default()
                },
                BorderColor::all(ink),
                ChildOf(face),
            ));
        }
        // The bridge.
        commands.spawn((shape(65.0, 57.0, 10.0, 2.0, 1.0, ink), ChildOf(face)));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::model::Walkout;
    use crate::scenario::mood::Mood;

    fn persona(name: &str, backstory: &str) -> Persona {
        Persona {
            name: name.into(),
            backstory: backstory.into(),
            mood: Mood::default(),
            patience_secs: 30,
            triggers: Vec::new(),
            walkout: None::<Walkout>,
        }
    }

    #[test]
    fn each_customer_keeps_a_look_of_their_own() {
        let names = [
            "Jess Carver",
            "Zoë Nguyễn",
            "Erik Lindqvist",
            "Mrs Hollis",
            "Sam Ortiz",
            "Łukasz Nowak",
        ];
        let looks: Vec<Look> = names
            .iter()
            .map(|n| Look::for_persona(&persona(n, "")))
            .collect();
        assert_eq!(
            looks[0],
            Look::for_persona(&persona("Jess Carver", "")),
            "same name, same look"
        );
        let distinct = (0..looks.len())
            .flat_map(|i| (i + 1..looks.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| looks[i] != looks[j])
            .count();
        assert_eq!(distinct, 15, "no two of these six look the same: {looks:?}");
        let older = Look::for_persona(&persona(
            "Mrs Hollis",
            "An 81-year-old who pays her gas bill online.",
        ));
        assert!(older.older && older.hair == rgb(GREY_HAIR));
        assert!(!Look::for_persona(&persona("Sam Ortiz", "Paid £81.50 in 1981.")).older);
        assert_eq!(stated_age("she is aged 72 and"), 72);
    }
}
