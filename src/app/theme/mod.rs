//! The look every screen shares: palette, text sizes (scaled by the trainee's text-size
//! setting), and the widgets built from them. Screens build UI only from these.

pub mod palette;
pub mod plot;
pub mod widgets;

use bevy::prelude::*;
use bevy::text::{EditableText, TextEdit};

pub use plot::{PlotSeries, spawn_line_plot};
pub use widgets::*;

/// The trainee's text-size setting: a multiplier on every themed font size.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct TextScale(pub f32);

impl Default for TextScale {
    fn default() -> Self {
        TextScale(1.0)
    }
}

impl TextScale {
    pub const STEPS: [f32; 4] = [0.9, 1.0, 1.15, 1.3];

    pub fn label(self) -> &'static str {
        match self.0 {
            s if s < 0.95 => "Small",
            s if s < 1.1 => "Normal",
            s if s < 1.2 => "Large",
            _ => "Larger",
        }
    }

    /// The next size up, wrapping round to the smallest.
    pub fn next(self) -> TextScale {
        let i = Self::STEPS
            .iter()
            .position(|&s| s > self.0 + 0.01)
            .unwrap_or(0);
        TextScale(Self::STEPS[i])
    }
}

/// A text whose font size follows [`TextScale`].
#[derive(Component, Debug, Clone, Copy)]
pub struct ThemedText {
    pub base_size: f32,
}

/// A button that sends `A` when pressed (by mouse, or by a test setting its `Interaction`).
#[derive(Component, Debug, Clone)]
pub struct ButtonAction<A: Message + Clone>(pub A);

/// Colours a button takes at rest, hovered and pressed.
#[derive(Component, Debug, Clone, Copy)]
pub struct ButtonColors {
    pub normal: Color,
    pub hovered: Color,
    pub pressed: Color,
}

pub fn plugin(app: &mut App) {
    app.init_resource::<TextScale>()
        .add_systems(
            Update,
            (
                apply_text_scale,
                color_buttons,
                cycle_text_size_keys,
                show_scrollbars_when_needed,
            ),
        )
        .add_systems(
            PostUpdate,
            fold_typed_text.before(bevy::text::EditableTextSystems),
        );
}

/// Registers `A` as a message that [`ButtonAction<A>`] buttons send.
pub fn add_button_action<A: Message + Clone>(app: &mut App) {
    app.add_message::<A>().add_systems(
        PreUpdate,
        press_buttons::<A>.after(bevy::ui::UiSystems::Focus),
    );
}

fn press_buttons<A: Message + Clone>(
    buttons: Query<(&Interaction, &ButtonAction<A>), Changed<Interaction>>,
    mut actions: MessageWriter<A>,
) {
    for (interaction, action) in &buttons {
        if *interaction == Interaction::Pressed {
            actions.write(action.0.clone());
        }
    }
}

fn color_buttons(
    mut buttons: Query<(&Interaction, &ButtonColors, &mut BackgroundColor), Changed<Interaction>>,
) {
    for (interaction, colors, mut background) in &mut buttons {
        background.0 = match interaction {
            Interaction::Pressed => colors.pressed,
            Interaction::Hovered => colors.hovered,
            Interaction::None => colors.normal,
        };
    }
}

#[allow(clippy::type_complexity)]
fn apply_text_scale(
    scale: Res<TextScale>,
    mut texts: ParamSet<(
        Query<(&ThemedText, &mut TextFont), Added<ThemedText>>,
        Query<(&ThemedText, &mut TextFont)>,
    )>,
) {
    let size = |t: &ThemedText| bevy::text::FontSize::Px(t.base_size * scale.0);
    if scale.is_changed() {
        for (themed, mut font) in &mut texts.p1() {
            font.font_size = size(themed);
        }
    } else {
        for (themed, mut font) in &mut texts.p0() {
            font.font_size = size(themed);
        }
    }
}

/// A scrollbar shows only while its column holds more than fits; a full-length thumb on a
/// column with nothing more to see would only be noise.
fn show_scrollbars_when_needed(
    mut bars: Query<(&bevy::ui_widgets::Scrollbar, &mut Visibility), With<ScrollbarTrack>>,
    areas: Query<&ComputedNode>,
) {
    for (bar, mut visibility) in &mut bars {
        let Ok(area) = areas.get(bar.target) else {
            continue;
        };
        let wanted = if area.content_size.y > area.size.y + 1.0 {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        visibility.set_if_neq(wanted);
    }
}

/// Ctrl + `=` / Ctrl + `-` change the text size on any screen.
fn cycle_text_size_keys(keys: Option<Res<ButtonInput<KeyCode>>>, mut scale: ResMut<TextScale>) {
    let Some(keys) = keys else { return };
    if !keys.any_pressed([KeyCode::ControlLeft, KeyCode::ControlRight]) {
        return;
    }
    let steps = TextScale::STEPS;
    let i = steps
        .iter()
        .position(|&s| (s - scale.0).abs() < 0.01)
        .unwrap_or(1);
    if keys.just_pressed(KeyCode::Equal) && i + 1 < steps.len() {
        scale.0 = steps[i + 1];
    }
    if keys.just_pressed(KeyCode::Minus) && i > 0 {
        scale.0 = steps[i - 1];
    }
}

/// Text as the bundled font can draw it. The default font covers printable ASCII only, so
/// typographic punctuation is folded to its plain form and accented Latin letters to their base
/// letter, rather than shown as boxes. Other scripts still show as boxes: that needs a bundled
/// font with wider coverage.
pub fn display_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{02bc}' => out.push('\''),
            '\u{201c}' | '\u{201d}' => out.push('"'),
            '\u{2013}' | '\u{2014}' | '\u{2212}' => out.push('-'),
            '\u{2026}' => out.push_str("..."),
            '\u{00a0}' | '\u{2009}' | '\u{202f}' => out.push(' '),
            '\u{00a3}' => out.push_str("GBP "),
            '\u{20ac}' => out.push_str("EUR "),
            '\u{00d7}' => out.push('x'),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => match latin_base(c) {
                Some(base) => out.push_str(base),
                None => out.push(c),
            },
        }
    }
    out
}

/// The plain letters for an accented Latin-1 letter, so "Zoë" reads "Zoe" instead of "Zo" and a
/// box.
fn latin_base(c: char) -> Option<&'static str> {
    Some(match c {
        'À'..='Å' => "A",
        'Æ' => "AE",
        'Ç' => "C",
        'È'..='Ë' => "E",
        'Ì'..='Ï' => "I",
        'Ð' => "D",
        'Ñ' => "N",
        'Ò'..='Ö' | 'Ø' => "O",
        'Ù'..='Ü' => "U",
        'Ý' => "Y",
        'ß' => "ss",
        'à'..='å' => "a",
        'æ' => "ae",
        'ç' => "c",
        'è'..='ë' => "e",
        'ì'..='ï' => "i",
        'ð' => "d",
        'ñ' => "n",
        'ò'..='ö' | 'ø' => "o",
        'ù'..='ü' => "u",
        'ý' | 'ÿ' => "y",
        'Œ' => "OE",
        'œ' => "oe",
        _ => return None,
    })
}

/// Typed or pasted-by-key characters the font cannot draw are folded as they arrive, so the
/// reply box shows exactly what will be sent: an em dash appears as "-", not as an empty box.
fn fold_typed_text(mut boxes: Query<&mut EditableText>) {
    let folds =
        |edit: &TextEdit| matches!(edit, TextEdit::Insert(s) if display_text(s) != s.as_str());
    for mut editable in &mut boxes {
        // Read through the plain reference first: most frames have nothing to fold, and a
        // mutable access would mark the box changed every frame.
        if !editable.pending_edits.iter().any(folds) {
            continue;
        }
        for edit in &mut editable.pending_edits {
            if let TextEdit::Insert(typed) = edit {
                *edit = TextEdit::Insert(display_text(typed).as_str().into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::display_text;

    #[test]
    fn typographic_punctuation_and_accents_fold_to_what_the_font_draws() {
        assert_eq!(
            display_text("Zoë said \u{201c}it\u{2019}s late\u{201d} \u{2014} ça va\u{2026}"),
            "Zoe said \"it's late\" - ca va..."
        );
    }

    #[test]
    fn other_scripts_pass_through_and_controls_are_dropped() {
        assert_eq!(display_text("a\u{7}b\n\u{4f60}"), "ab\n\u{4f60}");
    }
}
