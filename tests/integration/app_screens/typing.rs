//! Typed text through Bevy's own text box: key events that arrive together in one slow frame
//! type exactly what was typed, with `holdline`'s typing plugin on top.

use bevy::input::ButtonState;
use bevy::input::InputPlugin;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input_focus::{FocusCause, InputDispatchPlugin, InputFocus, InputFocusPlugin};
use bevy::prelude::*;
use bevy::text::{EditableText, TextEdit};
use bevy::ui_widgets::EditableTextInputPlugin;
use bevy::window::PrimaryWindow;

fn typing_app() -> (App, Entity) {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        InputPlugin,
        InputFocusPlugin,
        InputDispatchPlugin,
        EditableTextInputPlugin,
        holdline::app::typed_text::plugin,
    ));
    // The text input plugin reads pointer releases (select-all on click); no picking here.
    app.add_message::<bevy::picking::events::Pointer<bevy::picking::events::Release>>()
        .add_message::<bevy::window::Ime>()
        .init_resource::<bevy::ui::UiScale>();
    app.world_mut().spawn((Window::default(), PrimaryWindow));
    let text_box = app.world_mut().spawn(EditableText::default()).id();
    app.world_mut()
        .resource_mut::<InputFocus>()
        .set(text_box, FocusCause::Navigated);
    app.update();
    (app, text_box)
}

fn key_event(
    window: Entity,
    key: Key,
    code: KeyCode,
    text: Option<&str>,
    state: ButtonState,
) -> KeyboardInput {
    KeyboardInput {
        key_code: code,
        logical_key: key,
        state,
        text: text.map(Into::into),
        repeat: false,
        window,
    }
}

/// What the box would type: its queued insertions, joined (edits are applied later, in
/// `PostUpdate`, by the text plugin this minimal app leaves out; the queue is what the keys did).
fn typed(app: &App, text_box: Entity) -> String {
    app.world()
        .get::<EditableText>(text_box)
        .unwrap()
        .pending_edits
        .iter()
        .filter_map(|edit| match edit {
            TextEdit::Insert(text) => Some(text.to_string()),
            _ => None,
        })
        .collect()
}

fn window(app: &mut App) -> Entity {
    app.world_mut()
        .query_filtered::<Entity, With<PrimaryWindow>>()
        .single(app.world())
        .unwrap()
}

#[test]
fn a_space_then_a_capital_in_one_frame_keeps_the_space() {
    let (mut app, text_box) = typing_app();
    let w = window(&mut app);
    let press = ButtonState::Pressed;
    let release = ButtonState::Released;
    // "u Th", the way a fast typist's keys reach a slow frame: the Space is down and up, then
    // Shift goes down and T is pressed, all before the frame runs.
    for event in [
        key_event(
            w,
            Key::Character("u".into()),
            KeyCode::KeyU,
            Some("u"),
            press,
        ),
        key_event(w, Key::Character("u".into()), KeyCode::KeyU, None, release),
        key_event(w, Key::Space, KeyCode::Space, Some(" "), press),
        key_event(w, Key::Space, KeyCode::Space, None, release),
        key_event(w, Key::Shift, KeyCode::ShiftLeft, None, press),
        key_event(
            w,
            Key::Character("T".into()),
            KeyCode::KeyT,
            Some("T"),
            press,
        ),
    ] {
        app.world_mut().write_message(event);
    }
    app.update();
    // Shift is still held as the next frame starts; "h" follows once it is released.
    for event in [
        key_event(w, Key::Character("T".into()), KeyCode::KeyT, None, release),
        key_event(w, Key::Shift, KeyCode::ShiftLeft, None, release),
        key_event(
            w,
            Key::Character("h".into()),
            KeyCode::KeyH,
            Some("h"),
            press,
        ),
    ] {
        app.world_mut().write_message(event);
    }
    app.update();
    assert_eq!(typed(&app, text_box), "u Th");
}

#[test]
fn shift_space_types_a_space_and_shortcuts_type_nothing() {
    let (mut app, text_box) = typing_app();
    let w = window(&mut app);
    let press = ButtonState::Pressed;
    let release = ButtonState::Released;
    for frame in [
        vec![key_event(w, Key::Shift, KeyCode::ShiftLeft, None, press)],
        vec![
            key_event(
                w,
                Key::Character("I".into()),
                KeyCode::KeyI,
                Some("I"),
                press,
            ),
            key_event(w, Key::Space, KeyCode::Space, Some(" "), press),
        ],
        vec![key_event(w, Key::Shift, KeyCode::ShiftLeft, None, release)],
        // Ctrl+A selects; it types no "a", and nothing is typed twice.
        vec![
            key_event(w, Key::Control, KeyCode::ControlLeft, None, press),
            key_event(
                w,
                Key::Character("a".into()),
                KeyCode::KeyA,
                Some("a"),
                press,
            ),
        ],
        vec![key_event(
            w,
            Key::Control,
            KeyCode::ControlLeft,
            None,
            release,
        )],
        vec![key_event(
            w,
            Key::Character("a".into()),
            KeyCode::KeyA,
            Some("a"),
            press,
        )],
    ] {
        for event in frame {
            app.world_mut().write_message(event);
        }
        app.update();
    }
    assert_eq!(typed(&app, text_box), "I a");
}
