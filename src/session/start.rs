//! How practice begins, in one place: a whole scenario, a review drill at one node in a given
//! mood, or one call of a shift. The app, the terminal player and replay all start sessions
//! through [`Session::begin`] with a [`Start`], so the choice between a full run and a drill,
//! and what a drill needs to pass, is made here and nowhere else.

use super::TurnResult;
use crate::scenario::mood::Mood;

/// What kind of practice a session is, with what it needs to begin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// The whole scenario from its start node, the customer in the persona's mood.
    Scenario,
    /// A review drill: one reply at `node_id`, the customer in `mood` (the mood the trainee met
    /// there when they missed it). It passes when the reply meets the review `mark`; see
    /// [`meets_review_mark`].
    Drill {
        /// Id of the node the drill is at.
        node_id: String,
        /// The customer's mood when the drill begins.
        mood: Mood,
        /// Score, 0–100, that every dimension must reach for the drill to pass.
        mark: u8,
    },
    /// Call `call` (0-based) of the `calls` in shift `shift_id`: played as a whole scenario.
    ShiftCall {
        /// Id of the shift the call belongs to.
        shift_id: String,
        /// Which call of the shift this is, from 0.
        call: u32,
        /// How many calls the shift has.
        calls: u32,
    },
}

impl Start {
    /// Whether this is a one-reply review drill.
    pub fn is_drill(&self) -> bool {
        matches!(self, Start::Drill { .. })
    }
}

/// The one definition of a reply good enough for review: every dimension at `mark` or above,
/// no critical breach, with the customer still on the line. A drill passes by it, its debrief says so by it, its
/// XP is paid by it, and the review queue counts a node as missed or cleared by it.
pub fn meets_review_mark(turn: &TurnResult, mark: u8) -> bool {
    let score = &turn.score;
    !turn.walked_out
        && score.critical.is_empty()
        && [
            score.empathy.score,
            score.accuracy.score,
            score.deescalation.score,
        ]
        .iter()
        .all(|&s| s >= mark)
}
