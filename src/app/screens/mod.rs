//! The screens, one plugin each, and what they share: which scenario to play next.

pub mod debrief;
pub mod library;
pub mod loading;
pub mod play;
pub mod progress;
pub mod reasons;
pub mod shift;
pub mod title;

use std::sync::Arc;

use bevy::prelude::*;

use crate::scenario::model::Scenario;
use crate::session::Start;

/// The scenario and seed the play screen starts with next, and what kind of practice it is.
#[derive(Resource, Debug, Clone)]
pub struct PlayRequest {
    pub scenario: Arc<Scenario>,
    pub seed: u64,
    pub start: Start,
}

impl PlayRequest {
    /// The whole scenario with a fresh seed.
    pub fn fresh(scenario: Arc<Scenario>) -> PlayRequest {
        PlayRequest {
            scenario,
            seed: fresh_seed(),
            start: Start::Scenario,
        }
    }
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

/// A seed for a fresh attempt: different each time, but recorded, so the attempt replays.
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    u64::from(nanos) % 1_000_000 + 1
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
