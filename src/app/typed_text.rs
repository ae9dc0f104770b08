//! Typed text keeps every key typed, however many key events one frame carries.
//!
//! Bevy's text box decides what a key does from the Shift, Ctrl, Alt and Super state in
//! `ButtonInput<Key>`, which is the state at the *end* of the frame's input, not at each key
//! event. When a slow frame carries "Space, Shift down, T", the Space is read as Shift+Space,
//! which the box ignores, and the trainee's "reaches you Thursday" arrives as "reaches
//! youThursday" (and loses marks for a name it no longer recognises). This plugin follows the
//! modifiers event by event and types what the box dropped. It only ever adds a key the box
//! skipped; a key the box typed is left alone, so the rarer opposite case (Ctrl released in the
//! same frame as the "v" of Ctrl+V types a "v") is not undone.

use bevy::input::InputSystems;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input_focus::{FocusedInput, InputFocusSystems};
use bevy::prelude::*;
use bevy::text::{EditableText, TextEdit};

/// Modifier bits, one per key, as the text box combines them.
const SUPER: u8 = 1;
const CTRL: u8 = 2;
const ALT: u8 = 4;
const SHIFT: u8 = 8;

/// The modifiers held at the key event being handled: those held when the frame began, then
/// each modifier event of the frame in order.
#[derive(Resource, Debug, Default)]
struct ModifiersAtEvent(u8);

pub fn plugin(app: &mut App) {
    app.init_resource::<ModifiersAtEvent>()
        .add_systems(
            PreUpdate,
            start_frame
                .after(InputSystems)
                .before(InputFocusSystems::Dispatch),
        )
        .add_observer(type_what_the_box_dropped);
}

fn modifier_bit(key: &Key) -> Option<u8> {
    MODIFIERS
        .iter()
        .find(|(modifier, _)| modifier == key)
        .map(|(_, bit)| *bit)
}

const MODIFIERS: [(Key, u8); 4] = [
    (Key::Super, SUPER),
    (Key::Control, CTRL),
    (Key::Alt, ALT),
    (Key::Shift, SHIFT),
];

/// The modifiers as the text box reads them: held at the end of the frame's input.
fn held_at_frame_end(keys: &ButtonInput<Key>) -> u8 {
    MODIFIERS
        .iter()
        .filter(|(key, _)| keys.pressed(key.clone()))
        .fold(0, |bits, (_, bit)| bits | bit)
}

/// The modifiers held before this frame's first key event: not pressed during the frame, and
/// either still down or released during it.
fn held_at_frame_start(keys: &ButtonInput<Key>) -> u8 {
    MODIFIERS
        .iter()
        .filter(|(key, _)| {
            !keys.just_pressed(key.clone())
                && (keys.pressed(key.clone()) || keys.just_released(key.clone()))
        })
        .fold(0, |bits, (_, bit)| bits | bit)
}

fn start_frame(keys: Option<Res<ButtonInput<Key>>>, mut at_event: ResMut<ModifiersAtEvent>) {
    at_event.0 = keys.map_or(0, |keys| held_at_frame_start(&keys));
}

/// Whether the text box types this key's text with these modifiers held: a character with or
/// without Shift, or Space alone (the rule in `bevy_ui_widgets`' text input).
fn box_types(modifiers: u8, key: &Key) -> bool {
    match key {
        Key::Character(_) | Key::Unidentified(_) => modifiers == 0 || modifiers == SHIFT,
        Key::Space => modifiers == 0,
        _ => false,
    }
}

/// Whether a key typed with these modifiers held should type its text: as the box's rule, and
/// Shift+Space is a space too (as in every text editor; it is how a space before a capital is
/// often typed).
fn should_type(modifiers: u8, key: &Key) -> bool {
    box_types(modifiers, key) || (*key == Key::Space && modifiers == SHIFT)
}

fn type_what_the_box_dropped(
    input: On<FocusedInput<KeyboardInput>>,
    mut boxes: Query<&mut EditableText>,
    keys: Option<Res<ButtonInput<Key>>>,
    mut at_event: ResMut<ModifiersAtEvent>,
) {
    // The event bubbles up from the focused entity; count each key once, where it began.
    if input.event_target() != input.original_event_target() {
        return;
    }
    let event = &input.input;
    if let Some(bit) = modifier_bit(&event.logical_key) {
        if event.state.is_pressed() {
            at_event.0 |= bit;
        } else {
            at_event.0 &= !bit;
        }
        return;
    }
    let Ok(mut text_box) = boxes.get_mut(input.focused_entity) else {
        return;
    };
    if !event.state.is_pressed() || text_box.is_composing() {
        return;
    }
    let at_frame_end = keys.map_or(0, |keys| held_at_frame_end(&keys));
    if should_type(at_event.0, &event.logical_key)
        && !box_types(at_frame_end, &event.logical_key)
        && let Some(text) = event.text.as_ref().filter(|t| !t.is_empty())
    {
        text_box.queue_edit(TextEdit::Insert(text.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_space_read_with_a_later_shift_is_typed() {
        // Space typed with nothing held, in a frame that ends with Shift down.
        assert!(should_type(0, &Key::Space) && !box_types(SHIFT, &Key::Space));
        // A letter the box already typed is not typed twice.
        let t = Key::Character("T".into());
        assert!(box_types(SHIFT, &t));
    }

    #[test]
    fn ctrl_shortcuts_type_nothing() {
        assert!(!should_type(CTRL, &Key::Character("a".into())));
        assert!(!should_type(CTRL | SHIFT, &Key::Space));
        assert!(!should_type(0, &Key::Enter));
    }
}
