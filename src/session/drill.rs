//! Review drills: a session that starts at one node, in the mood the trainee met it in, and
//! ends after a single reply. The review queue brings weak nodes back this way.

use std::sync::Arc;

use super::{Next, Outcome, Session, SessionError};
use crate::scenario::model::{EndingKind, Scenario};
use crate::scenario::mood::Mood;
use crate::scoring::ReplyScorer;

/// The ending id a drill's outcome carries: a drill stops before the scenario's own endings.
pub const DRILL_ENDING: &str = "drill";

impl Session {
    /// A one-reply drill at `node_id`, with the customer in `mood`. The customer's line is
    /// picked with `seed` as in a full session, so a drill replays like one.
    pub fn drill(
        scenario: Arc<Scenario>,
        node_id: &str,
        mood: Mood,
        seed: u64,
        scorer: Arc<dyn ReplyScorer>,
    ) -> Result<Session, SessionError> {
        Session::start_at(scenario, node_id, mood, seed, scorer, true)
    }

    /// Ends a drill after its reply. Passing means the scenario's pass mark and a customer
    /// still on the line; the stars are always 1, because one node says nothing about a whole
    /// scenario (progress does not count drill stars).
    pub(super) fn finish_drill(&mut self) {
        let [empathy, accuracy, deescalation, overall] = self.means();
        let Some(last) = self.transcript.last() else {
            return;
        };
        let (kind, text) = if last.walked_out {
            (
                EndingKind::CustomerLeft,
                "The customer would have hung up here.".to_string(),
            )
        } else {
            match &last.next {
                Next::Ending(id) => (
                    self.scenario
                        .ending(id)
                        .map_or(EndingKind::Resolved, |e| e.kind),
                    format!("That reply would have ended the call: {id}."),
                ),
                Next::Node(_) => (
                    EndingKind::Resolved,
                    "The customer is still with you: the conversation would go on from here."
                        .to_string(),
                ),
            }
        };
        self.state = super::State::Ended(Outcome {
            ending_id: DRILL_ENDING.to_string(),
            kind,
            text,
            empathy,
            accuracy,
            deescalation,
            overall,
            passed: overall >= self.scenario.pass_mark && kind != EndingKind::CustomerLeft,
            stars: 1,
            turns: self.transcript.len(),
        });
    }
}
