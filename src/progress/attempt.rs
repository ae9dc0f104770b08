//! One attempt as it is kept on disk: every reply with its timing, per-turn and final scores and
//! the mood curve, so the attempt can be replayed exactly and re-scored with newer rules.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::scenario::model::{Channel, Industry, Scenario};
use crate::scenario::mood::Mood;
use crate::scoring::ReplyScorer;
use crate::session::{Outcome, Response, Session, SessionError, Start, TimedResponse, TurnResult};

/// What kind of practice an attempt was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttemptKind {
    /// A whole scenario from its start node.
    Scenario,
    /// A review drill: one node alone, with its case file.
    Drill {
        /// Id of the node drilled.
        node_id: String,
    },
    /// One call of a shift: `call` of `calls` in the shift `shift_id`.
    Shift {
        /// Id of the shift the call belongs to.
        shift_id: String,
        /// Which call of the shift this was, from 0.
        call: u32,
        /// How many calls the shift had.
        calls: u32,
    },
}

impl AttemptKind {
    /// What an attempt begun as `start` is recorded as. The drill's mood is kept in the
    /// record's `starting_mood`, and its mark comes from the progress rules when it is replayed.
    pub fn of(start: &Start) -> AttemptKind {
        match start {
            Start::Scenario => AttemptKind::Scenario,
            Start::Drill { node_id, .. } => AttemptKind::Drill {
                node_id: node_id.clone(),
            },
            Start::ShiftCall {
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

/// Whether the trainee reached an ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttemptStatus {
    /// The trainee reached an ending.
    Finished,
    /// Left before an ending. Kept, because how often a trainee gives up is worth seeing.
    Abandoned,
}

/// One attempt, finished or abandoned. The scenario's channel, industry and tier are copied in,
/// so progress can be worked out without the scenario files (which may have changed or gone).
/// They are `None` only in attempts migrated from format 1, which did not keep them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRecord {
    /// The file name this record is kept under, without `.json`; unique per trainee.
    pub id: String,
    /// What kind of practice it was.
    pub kind: AttemptKind,
    /// Whether the trainee reached an ending or left before one.
    pub status: AttemptStatus,
    /// Id of the scenario played.
    pub scenario_id: String,
    /// The scenario's `version` when it was played.
    pub scenario_version: u32,
    /// The scenario's channel at the time.
    pub channel: Option<Channel>,
    /// The scenario's industry at the time.
    pub industry: Option<Industry>,
    /// The scenario's difficulty tier (1–3) at the time.
    pub tier: Option<u8>,
    /// Seed the session was begun with; with the recorded replies it replays the attempt exactly.
    pub seed: u64,
    /// Seconds since the Unix epoch.
    pub started_at: u64,
    /// When the attempt finished or was abandoned, in seconds since the Unix epoch; never before
    /// `started_at`.
    pub finished_at: u64,
    /// The customer's mood before the first reply; for a drill, the mood it was set up in.
    pub starting_mood: Mood,
    /// Every turn: the reply, how long it took, its scores and reasons, the mood before and after.
    pub turns: Vec<TurnResult>,
    /// How the session ended; `None` for an abandoned attempt.
    pub outcome: Option<Outcome>,
    /// The local offset from UTC when the attempt was made, in seconds east: the attempt
    /// counts for the trainee's own calendar day. 0 (UTC) in files written before it was kept.
    #[serde(default)]
    pub utc_offset_secs: i32,
    /// Migrated from a format-1 profile, which kept only a summary: no turns to replay.
    #[serde(default)]
    pub legacy: bool,
}

impl AttemptRecord {
    /// The record of `session` as it stands: finished if it reached an ending, else abandoned.
    pub fn from_session(session: &Session, started_at: u64, finished_at: u64) -> AttemptRecord {
        let scenario = session.scenario();
        let outcome = session.outcome().cloned();
        AttemptRecord {
            id: String::new(),
            kind: AttemptKind::of(session.start()),
            status: if outcome.is_some() {
                AttemptStatus::Finished
            } else {
                AttemptStatus::Abandoned
            },
            scenario_id: scenario.id.clone(),
            scenario_version: scenario.version,
            channel: Some(scenario.channel),
            industry: Some(scenario.industry),
            tier: Some(scenario.tier),
            seed: session.seed(),
            started_at,
            finished_at: finished_at.max(started_at),
            starting_mood: session.starting_mood(),
            turns: session.transcript().to_vec(),
            outcome,
            utc_offset_secs: super::local_offset_secs(),
            legacy: false,
        }
    }

    /// The inputs that replay this attempt through [`Session::replay`] with its seed.
    pub fn inputs(&self) -> Vec<TimedResponse> {
        self.turns
            .iter()
            .map(|t| TimedResponse {
                response: match t.choice {
                    Some(i) => Response::Choice(i),
                    None => Response::Text(t.reply.clone()),
                },
                elapsed_ms: t.elapsed_ms,
            })
            .collect()
    }

    /// How this attempt began, for replaying it; a drill is judged at `review_mark` (the
    /// progress rules' `review.below`).
    pub fn start(&self, review_mark: u8) -> Start {
        match &self.kind {
            AttemptKind::Scenario => Start::Scenario,
            AttemptKind::Drill { node_id } => Start::Drill {
                node_id: node_id.clone(),
                mood: self.starting_mood,
                mark: review_mark,
            },
            AttemptKind::Shift {
                shift_id,
                call,
                calls,
            } => Start::ShiftCall {
                shift_id: shift_id.clone(),
                call: *call,
                calls: *calls,
            },
        }
    }

    /// Plays this attempt's inputs again against `scenario` as it is now, scored by `scorer`:
    /// the same transcript when nothing changed, new scores when the rules did. Stops with an
    /// error at the first reply the scenario no longer accepts (a removed choice, say).
    pub fn replay(
        &self,
        scenario: Arc<Scenario>,
        scorer: Arc<dyn ReplyScorer>,
        review_mark: u8,
    ) -> Result<Session, SessionError> {
        let start = self.start(review_mark);
        Session::replay(scenario, start, self.seed, scorer, &self.inputs())
    }

    /// The mood before the first reply and after each one.
    pub fn mood_curve(&self) -> Vec<Mood> {
        std::iter::once(self.starting_mood)
            .chain(self.turns.iter().map(|t| t.mood_after))
            .collect()
    }

    /// The outcome, if the attempt was finished; `None` for an abandoned one.
    pub fn finished(&self) -> Option<&Outcome> {
        match self.status {
            AttemptStatus::Finished => self.outcome.as_ref(),
            AttemptStatus::Abandoned => None,
        }
    }

    /// Seconds with the customer as the call clock on screen counts them: from the conversation's
    /// start to its end, reading feedback included; at least the replies' own timings (records
    /// made without a clock, in tests or by older versions, have start and end equal).
    pub fn practice_secs(&self) -> u64 {
        self.finished_at
            .saturating_sub(self.started_at)
            .max(self.handle_secs())
    }

    /// Time spent talking to the customer, from the replies' own timings.
    pub fn handle_secs(&self) -> u64 {
        self.turns.iter().map(|t| t.elapsed_ms).sum::<u64>() / 1000
    }

    /// The trainee's calendar day of the attempt, as whole days since 1970-01-01.
    pub fn day(&self) -> i64 {
        super::day_of(self.finished_at, self.utc_offset_secs)
    }
}
