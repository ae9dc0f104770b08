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

use crate::progress::AttemptKind;
use crate::scenario::model::Scenario;
use crate::scenario::mood::Mood;

/// The scenario and seed the play screen starts with next, and what kind of practice it is.
#[derive(Resource, Debug, Clone)]
pub struct PlayRequest {
    pub scenario: Arc<Scenario>,
    pub seed: u64,
    pub mode: PlayMode,
}

impl PlayRequest {
    /// The whole scenario with a fresh seed.
    pub fn fresh(scenario: Arc<Scenario>) -> PlayRequest {
        PlayRequest {
            scenario,
            seed: fresh_seed(),
            mode: PlayMode::Scenario,
        }
    }
}

/// What kind of practice a conversation is: it decides how the session starts, what the
/// attempt is recorded as and where the debrief leads.
#[derive(Debug, Clone, PartialEq)]
pub enum PlayMode {
    Scenario,
    /// A review drill: one node, the customer in the mood the trainee missed it in.
    Drill {
        node_id: String,
        mood: Mood,
    },
    /// Call `call` (0-based) of a shift of `calls`.
    Shift {
        shift_id: String,
        call: u32,
        calls: u32,
    },
}

impl PlayMode {
    pub fn attempt_kind(&self) -> AttemptKind {
        match self {
            PlayMode::Scenario => AttemptKind::Scenario,
            PlayMode::Drill { node_id, .. } => AttemptKind::Drill {
                node_id: node_id.clone(),
            },
            PlayMode::Shift {
                shift_id,
                call,
                calls,
            } => AttemptKind::Shift {
                shift_id: shift_id.clone(),
                call: *call,
                calls: *calls,
            },
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
