//! The screens, one plugin each, as `Screen` states; what they hand each other is in `flow`.

pub mod debrief;
pub mod flow;
pub mod library;
pub mod loading;
pub mod play;
pub mod progress;
pub mod reasons;
pub mod shift;
pub mod title;

use bevy::prelude::*;

pub use flow::{FinishedSession, PlayRequest, ShiftRun, fresh_seed, start_shift};

/// The app's screens.
#[derive(States, Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Screen {
    /// Scenario files are being read and validated.
    #[default]
    Loading,
    Title,
    Library,
    Play,
    Debrief,
    /// The trainee's level, streak, stars, badges, review queue and scores over time.
    Progress,
    /// The end of a shift: each call's handle time and the callers' satisfaction.
    ShiftSummary,
}

pub fn plugin(app: &mut App) {
    app.add_plugins((
        loading::plugin,
        title::plugin,
        library::plugin,
        play::plugin,
        debrief::plugin,
        progress::plugin,
        shift::plugin,
    ));
}

/// Whether a typing box has the keyboard, so single-key shortcuts must stand aside.
pub fn typing(
    focus: Option<&bevy::input_focus::InputFocus>,
    boxes: &Query<(), With<bevy::text::EditableText>>,
) -> bool {
    focus
        .and_then(|f| f.get())
        .is_some_and(|e| boxes.contains(e))
}
