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
    use_bundled_font(app);
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

/// Ctrl + `=` / Ctrl + `-` (or the keypad's + and -) change the text size on any screen.
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
    if keys.any_just_pressed([KeyCode::Equal, KeyCode::NumpadAdd]) && i + 1 < steps.len() {
        scale.0 = steps[i + 1];
    }
    if keys.any_just_pressed([KeyCode::Minus, KeyCode::NumpadSubtract]) && i > 0 {
        scale.0 = steps[i - 1];
    }
}

/// Text as it is shown: exactly as written or typed (the bundled DejaVu Sans draws Latin with
/// every accent, Greek, Cyrillic, Vietnamese, curly quotes, dashes and currency signs), with
/// control characters other than line breaks and tabs dropped, so a stray one cannot show as
/// a box or move the text.
pub fn display_text(text: &str) -> String {
    text.chars()
        .filter(|c| matches!(c, '\n' | '\t') || !c.is_control())
        .collect()
}

/// The UI font, bundled: DejaVu Sans (Bitstream Vera licence, in `assets/fonts/`), a
/// proportional face with wide coverage. It replaces Bevy's built-in font, which covers
/// ASCII only, as the default every text uses.
const UI_FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Makes [`UI_FONT`] the default font. Without the text plugin (headless tests) there is no
/// font to replace.
fn use_bundled_font(app: &mut App) {
    if let Some(mut fonts) = app.world_mut().get_resource_mut::<Assets<Font>>() {
        let replaced = fonts.insert(AssetId::default(), Font::from_bytes(UI_FONT.to_vec()));
        if let Err(err) = replaced {
            warn!("cannot use the bundled font ({err}); text falls back to Bevy's own");
        }
    }
}

/// Control characters typed or pasted by key are dropped as they arrive, so the reply box shows
/// exactly what will be sent.
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
    fn text_is_shown_as_written_with_controls_dropped() {
        let written = "Zoë Nguyễn said \u{201c}it\u{2019}s late\u{201d} \u{2014} £42.90, Łukasz, Ελένη, Ольга\u{2026}";
        assert_eq!(display_text(written), written);
        assert_eq!(display_text("a\u{7}b\n\u{4f60}"), "ab\n\u{4f60}");
    }

    #[test]
    fn the_bundled_font_draws_the_names_trainees_meet() {
        // The font's character map holds every character of these names and signs.
        let face = super::ttf_parser_lite::Face(super::UI_FONT);
        for c in "Zoë Nguyễn Łukasz Ελένη Ольга Siobhán “” — £ € …"
            .chars()
            .filter(|c| !c.is_whitespace())
        {
            assert!(face.has_glyph(c), "no glyph for {c:?}");
        }
    }
}

/// Just enough of the OpenType `cmap` table to ask whether a font has a glyph for a character,
/// for the test above (format 4 and format 12 subtables).
#[cfg(test)]
mod ttf_parser_lite {
    pub struct Face(pub &'static [u8]);

    fn u16_at(d: &[u8], at: usize) -> u16 {
        u16::from_be_bytes([d[at], d[at + 1]])
    }
    fn u32_at(d: &[u8], at: usize) -> u32 {
        u32::from_be_bytes([d[at], d[at + 1], d[at + 2], d[at + 3]])
    }

    impl Face {
        fn cmap(&self) -> usize {
            let d = self.0;
            let tables = u16_at(d, 4) as usize;
            (0..tables)
                .map(|i| 12 + i * 16)
                .find(|&at| &d[at..at + 4] == b"cmap")
                .map(|at| u32_at(d, at + 8) as usize)
                .expect("a cmap table")
        }

        pub fn has_glyph(&self, c: char) -> bool {
            let d = self.0;
            let cmap = self.cmap();
            let code = c as u32;
            for i in 0..u16_at(d, cmap + 2) as usize {
                let sub = cmap + u32_at(d, cmap + 4 + i * 8 + 4) as usize;
                match u16_at(d, sub) {
                    4 if code <= 0xffff => {
                        let segs = u16_at(d, sub + 6) as usize / 2;
                        let ends = sub + 14;
                        let starts = ends + segs * 2 + 2;
                        for s in 0..segs {
                            let end = u32::from(u16_at(d, ends + s * 2));
                            let start = u32::from(u16_at(d, starts + s * 2));
                            if (start..=end).contains(&code) && end != 0xffff {
                                return true;
                            }
                        }
                    }
                    12 => {
                        let groups = u32_at(d, sub + 12) as usize;
                        for g in 0..groups {
                            let at = sub + 16 + g * 12;
                            if (u32_at(d, at)..=u32_at(d, at + 4)).contains(&code) {
                                return true;
                            }
                        }
                    }
                    _ => {}
                }
            }
            false
        }
    }
}
