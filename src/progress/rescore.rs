//! Re-scoring old attempts with today's rules: each saved attempt is replayed, reply for
//! reply, against the scenario as it is now and the current scorer, and compared with what
//! the trainee was scored at the time. Trainers use it to see what a lexicon or scenario
//! change would do to real practice before they ship it. Saved attempts are never rewritten:
//! they are the record of what the trainee saw.

use std::sync::Arc;

use serde::Serialize;

use super::attempt::{AttemptRecord, AttemptStatus};
use crate::scenario::model::Scenario;
use crate::scoring::ReplyScorer;

/// One attempt, then and now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rescored {
    /// Id of the saved attempt.
    pub attempt_id: String,
    /// Id of the scenario it played.
    pub scenario_id: String,
    /// The scenario's version when the attempt was made.
    pub version_then: u32,
    /// The scenario's version now; `None` when it is no longer in the library.
    pub version_now: Option<u32>,
    /// The overall score then; `None` for an abandoned attempt.
    pub overall_then: Option<u8>,
    /// Id of the ending reached then; `None` for an abandoned attempt.
    pub ending_then: Option<String>,
    /// What replaying it today gives.
    pub now: RescoreResult,
}

/// What replaying a saved attempt today gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RescoreResult {
    /// Replayed to the end of the recorded replies.
    Replayed {
        /// The overall score now; `None` for an abandoned attempt, or if the replay now stops
        /// short of an ending.
        overall: Option<u8>,
        /// Id of the ending reached now; `None` in the same cases as `overall`.
        ending: Option<String>,
        /// Replies whose score changed.
        turns_changed: usize,
        /// Replies whose scores were the same as then.
        turns_same: usize,
    },
    /// The attempt cannot be replayed now, and why.
    Skipped(String),
}

/// Replays every attempt in `attempts` with `scorer`, finding each scenario with `find`; a
/// drill is judged at `review_mark` (the progress rules' `review.below`).
pub fn rescore(
    attempts: &[AttemptRecord],
    find: impl Fn(&str) -> Option<Arc<Scenario>> + Sync,
    scorer: &Arc<dyn ReplyScorer>,
    review_mark: u8,
) -> Vec<Rescored> {
    let one = |record: &AttemptRecord| {
        let scenario = find(&record.scenario_id);
        let then = record.outcome.as_ref();
        Rescored {
            attempt_id: record.id.clone(),
            scenario_id: record.scenario_id.clone(),
            version_then: record.scenario_version,
            version_now: scenario.as_ref().map(|s| s.version),
            overall_then: then.map(|o| o.overall),
            ending_then: then.map(|o| o.ending_id.clone()),
            now: replay_one(record, scenario, scorer, review_mark),
        }
    };
    // Attempts replay independently, so they are shared among the cores in order-keeping
    // chunks: each reply's score is the same whichever thread computes it, and the semantic
    // layer makes a replay take tens of milliseconds.
    super::parallel::map_in_order(attempts, super::parallel::cores(), one)
}

fn replay_one(
    record: &AttemptRecord,
    scenario: Option<Arc<Scenario>>,
    scorer: &Arc<dyn ReplyScorer>,
    review_mark: u8,
) -> RescoreResult {
    if record.legacy {
        return RescoreResult::Skipped(
            "kept from format 1, which saved no replies to replay".into(),
        );
    }
    let Some(scenario) = scenario else {
        return RescoreResult::Skipped("the scenario is no longer in the library".into());
    };
    match record.replay(scenario, Arc::clone(scorer), review_mark) {
        Ok(session) => {
            let turns_changed = session
                .transcript()
                .iter()
                .zip(&record.turns)
                .filter(|(now, then)| now.score != then.score)
                .count();
            let outcome = match record.status {
                AttemptStatus::Finished => session.outcome(),
                AttemptStatus::Abandoned => None,
            };
            RescoreResult::Replayed {
                overall: outcome.map(|o| o.overall),
                ending: outcome.map(|o| o.ending_id.clone()),
                turns_changed,
                turns_same: record.turns.len() - turns_changed,
            }
        }
        Err(err) => RescoreResult::Skipped(format!(
            "the scenario no longer accepts these replies: {err}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::library::load_source;
    use crate::scoring::{DimensionScore, Lexicon, ReplyScore, RuleScorer, ScoringContext};
    use crate::session::{Response, Session};

    /// A scorer that gives every typed reply the same middling marks: a stand-in for "the
    /// rules changed".
    struct Flat;
    impl ReplyScorer for Flat {
        fn score(&self, _: &ScoringContext<'_>, _: &str) -> ReplyScore {
            let dim = DimensionScore {
                score: 55,
                reasons: vec![],
            };
            ReplyScore {
                empathy: dim.clone(),
                accuracy: dim.clone(),
                deescalation: dim,
                overall: 55,
                critical: Vec::new(),
            }
        }
    }

    fn fixture() -> Arc<Scenario> {
        let text = include_str!("../../tests/fixtures/valid.ron");
        let (scenario, diagnostics) =
            load_source("valid.ron", text.as_bytes(), &Lexicon::builtin());
        Arc::new(scenario.unwrap_or_else(|| panic!("{diagnostics:?}")))
    }

    #[test]
    fn the_same_rules_change_nothing_and_new_rules_change_only_typed_replies() {
        let scenario = fixture();
        let builtin: Arc<dyn ReplyScorer> = Arc::new(RuleScorer::default());
        let mut session = Session::new(Arc::clone(&scenario), 4, Arc::clone(&builtin)).unwrap();
        session.respond(Response::Choice(0), 2_000).unwrap();
        session
            .respond(
                Response::Text("Sorry Sam, your $20 refund went out on 4 May.".into()),
                9_000,
            )
            .unwrap();
        let mut record = AttemptRecord::from_session(&session, 10, 20);
        record.id = "a1".into();
        let mut gone = record.clone();
        gone.id = "a2".into();
        gone.scenario_id = "deleted".into();
        let attempts = [record.clone(), gone];
        let find = |id: &str| (id == "valid").then(|| Arc::clone(&scenario));

        let same = rescore(&attempts, find, &builtin, 50);
        assert_eq!(
            same[0].now,
            RescoreResult::Replayed {
                overall: record.outcome.as_ref().map(|o| o.overall),
                ending: record.outcome.as_ref().map(|o| o.ending_id.clone()),
                turns_changed: 0,
                turns_same: 2,
            }
        );
        assert!(matches!(&same[1].now, RescoreResult::Skipped(why) if why.contains("no longer")));

        let flat: Arc<dyn ReplyScorer> = Arc::new(Flat);
        let changed = rescore(&attempts[..1], find, &flat, 50);
        let RescoreResult::Replayed {
            turns_changed,
            turns_same,
            overall,
            ..
        } = &changed[0].now
        else {
            panic!("{changed:?}");
        };
        assert_eq!(
            (*turns_changed, *turns_same),
            (1, 1),
            "the picked choice keeps its authored scores"
        );
        assert_ne!(*overall, changed[0].overall_then);
    }
}
