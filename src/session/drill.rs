//! Review drills: a session that starts at one node, in the mood the trainee met it in, and
//! ends after a single reply. The review queue brings weak nodes back this way.

use super::start::{Start, meets_review_mark};
use super::{Next, Outcome, Session};
use crate::scenario::model::EndingKind;

/// The ending id a drill's outcome carries: a drill stops before the scenario's own endings.
pub const DRILL_ENDING: &str = "drill";

impl Session {
    /// Ends a drill after its reply. It passes by [`meets_review_mark`], the definition the
    /// review queue and the drill's XP use too; the stars are always 1, because one node says
    /// nothing about a whole scenario (progress does not count drill stars).
    pub(super) fn finish_drill(&mut self) {
        let [empathy, accuracy, deescalation, overall] = self.means();
        let Some(last) = self.transcript.last() else {
            return;
        };
        let Start::Drill { mark, .. } = self.start else {
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
            passed: meets_review_mark(last, mark),
            critical: self.critical_breaches(),
            stars: 1,
            turns: self.transcript.len(),
        });
    }
}
