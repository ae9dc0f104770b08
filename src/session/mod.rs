//! The conversation runtime: a session walks one scenario from its start node to an ending,
//! scoring each reply, moving the customer's mood and recording the transcript. Every random
//! choice comes from one ChaCha8 RNG seeded at creation, so a seed and the same inputs replay
//! the session exactly.

mod drill;
pub mod explore;
pub mod generated;
pub mod mood;
pub mod paths;
pub mod scenario_tests;
pub mod start;

use std::collections::HashMap;
use std::sync::Arc;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::scenario::model::{
    Choice, Condition, CustomerLine, EndingKind, FreeText, Node, Scenario, Turn, Walkout,
};
use crate::scenario::mood::{Mood, MoodBand, MoodDelta};
use crate::scoring::{CriticalBreach, ReplyScore, ReplyScorer, ScoringContext, mean_score};
pub use drill::DRILL_ENDING;
use mood::{delta_from_scores, hesitation_delta};
pub use start::{Start, meets_review_mark};

/// What the trainee does on their turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// Pick a choice by 0-based index.
    Choice(usize),
    /// Type a reply.
    Text(String),
}

/// A response plus how long the trainee took to give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedResponse {
    /// What the trainee did.
    pub response: Response,
    /// Milliseconds the trainee took to respond; time past the persona's patience costs mood.
    pub elapsed_ms: u64,
}

/// Where the conversation goes after a turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Next {
    /// On to the node with this id.
    Node(String),
    /// To the ending with this id; the conversation is over.
    Ending(String),
}

/// The result of one turn, as shown in the feedback panel and kept in the transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnResult {
    /// Id of the node the turn was at.
    pub node_id: String,
    /// What the customer said before the trainee replied.
    pub customer_line: String,
    /// The band the customer was in when they said it.
    pub band: MoodBand,
    /// The reply as text (the choice's text for a picked choice).
    pub reply: String,
    /// The picked choice, 0-based, when the turn was a choice.
    pub choice: Option<usize>,
    /// Milliseconds the trainee took to reply.
    pub elapsed_ms: u64,
    /// How the reply scored, per dimension and overall.
    pub score: ReplyScore,
    /// The author's feedback for a picked choice.
    pub feedback: Option<String>,
    /// The customer's mood before the reply.
    pub mood_before: Mood,
    /// The mood cost of hesitating past the persona's patience (zero within it).
    pub hesitation: MoodDelta,
    /// The customer's mood after the reply and any hesitation, each meter 0–100.
    pub mood_after: Mood,
    /// True when anger crossed the persona's walkout threshold on this turn.
    pub walked_out: bool,
    /// Where the conversation went next; the walkout ending if the customer walked out.
    pub next: Next,
}

/// How the session ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Id of the ending reached; [`DRILL_ENDING`] for a drill.
    pub ending_id: String,
    /// What kind of ending it was.
    pub kind: EndingKind,
    /// The ending's text; for a drill, what the reply would have led to.
    pub text: String,
    /// Mean per-dimension scores over all turns.
    pub empathy: u8,
    /// Mean accuracy over all turns, 0–100, rounded.
    pub accuracy: u8,
    /// Mean de-escalation over all turns, 0–100, rounded.
    pub deescalation: u8,
    /// Mean of the three dimension means, 0–100, rounded.
    pub overall: u8,
    /// Whether `overall` reached the pass mark without the customer leaving and with no
    /// critical breach; a drill passes by [`meets_review_mark`] instead.
    pub passed: bool,
    /// The critical forbidden claims made, in turn order: any one fails the attempt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub critical: Vec<CriticalBreach>,
    /// 0 when not passed (the customer left, a critical breach, or under the pass mark), 2 for
    /// passing, 3 for passing with a resolved ending at the three-star mark.
    pub stars: u8,
    /// How many replies the trainee gave.
    pub turns: usize,
}

/// The full record of a session: enough to replay it and to re-score it later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Id of the scenario played.
    pub scenario_id: String,
    /// The scenario's `version` when it was played.
    pub scenario_version: u32,
    /// Seed the customer's lines were picked with; the same seed and inputs replay the session.
    pub seed: u64,
    /// The customer's mood before the first reply: the persona's, or the one a drill began in.
    pub starting_mood: Mood,
    /// Every turn, oldest first.
    pub transcript: Vec<TurnResult>,
    /// How the session ended; `None` if it was left before an ending.
    pub outcome: Option<Outcome>,
}

/// What the trainee sees at the current node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt<'s> {
    /// Id of the current node.
    pub node_id: &'s str,
    /// What the customer says here, picked on entering the node.
    pub customer_line: &'s str,
    /// The mood band the customer was in when the line was picked.
    pub band: MoodBand,
    /// How the trainee may answer.
    pub options: Options<'s>,
}

/// How the trainee may answer at a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Options<'s> {
    /// Pick one of these replies, listed in order: the node's choices whose `when` holds for
    /// the customer's mood. Answer with [`Response::Choice`] of the picked one's `index`.
    Choices(Vec<OfferedChoice<'s>>),
    /// Type a reply, answered with [`Response::Text`].
    FreeText {
        /// What the trainee is asked to do, e.g. "Explain when the refund arrives."
        prompt: &'s str,
    },
}

/// A choice offered at the current node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferedChoice<'s> {
    /// Its 0-based place among the node's choices as authored: what [`Response::Choice`] takes
    /// and the transcript records, whichever choices the mood hides.
    pub index: usize,
    /// The reply as the trainee sees it.
    pub text: &'s str,
}

/// The choices offered to a customer in `mood`, as 0-based authored indices: those whose `when`
/// holds. When none does (validation warns of it), every choice is offered rather than none.
pub fn offered_choices(choices: &[Choice], mood: Mood) -> Vec<usize> {
    let offered: Vec<usize> = (0..choices.len())
        .filter(|&i| choices[i].offered_in(mood))
        .collect();
    if offered.is_empty() {
        (0..choices.len()).collect()
    } else {
        offered
    }
}

/// The longest typed reply a session takes, in characters. A thorough email reply is under
/// 3,000; the limit keeps a pasted document (or `yes | holdline play`) from being scored and kept
/// in full.
pub const MAX_REPLY_CHARS: usize = 10_000;

/// The most replies one session takes. Real scenarios end within a few dozen; a path that loops
/// back on itself would otherwise grow the transcript without end.
pub const MAX_TURNS: usize = 500;

/// Why a session refused a response or could not begin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// A response came after the conversation had ended.
    #[error("the conversation has already ended")]
    Ended,
    /// The picked choice does not exist.
    #[error("choice {given} does not exist; pick 1 to {available}")]
    NoSuchChoice {
        /// The choice picked, numbered from 1 as the trainee sees it.
        given: usize,
        /// How many choices the turn has.
        available: usize,
    },
    /// The picked choice exists but is not offered in the customer's current mood.
    #[error("choice {given} is not offered to the customer in this mood")]
    NotOffered {
        /// The choice picked, numbered from 1 among the node's authored choices.
        given: usize,
    },
    /// Typed text was given at a turn that takes a choice.
    #[error("this turn takes a choice number, not typed text")]
    ExpectedChoice,
    /// A choice number was given at a turn that takes typed text.
    #[error("this turn takes a typed reply, not a choice number")]
    ExpectedText,
    /// The typed reply is blank.
    #[error("the reply is empty")]
    EmptyReply,
    /// The typed reply is longer than [`MAX_REPLY_CHARS`].
    #[error(
        "the reply is {chars} characters long; a reply can have at most {MAX_REPLY_CHARS} (shorten it: customers stop reading long before that)"
    )]
    ReplyTooLong {
        /// The reply's length in characters.
        chars: usize,
    },
    /// The session already has [`MAX_TURNS`] replies, so a path that loops is stopped.
    #[error(
        "this conversation has had {MAX_TURNS} replies, the most one session takes; it goes round in circles, so it stops here"
    )]
    TooManyTurns,
    /// The scenario points at a node or ending that does not exist (the id given), or a turn has
    /// no routes: it did not pass validation.
    #[error("the scenario points at \"{0}\", which does not exist (validate the scenario)")]
    BrokenScenario(String),
    /// A reply scored for another turn was given to [`Session::respond_scored`].
    #[error("this reply was scored for another turn or conversation; send it again")]
    StaleReply,
}

#[derive(Debug, Clone)]
enum State {
    AtNode {
        node: usize,
        line: String,
        band: MoodBand,
    },
    Ended(Outcome),
}

/// One trainee's run through one scenario.
#[derive(Clone)]
pub struct Session {
    scenario: Arc<Scenario>,
    scorer: Arc<dyn ReplyScorer>,
    node_index: HashMap<String, usize>,
    seed: u64,
    rng: ChaCha8Rng,
    /// The mood the customer started in: the persona's, or the one a drill was set up with.
    starting_mood: Mood,
    mood: Mood,
    state: State,
    transcript: Vec<TurnResult>,
    /// How it began; a drill ends after one reply.
    start: Start,
}

impl Session {
    /// Starts `scenario` as a whole, at its start node: `begin` with [`Start::Scenario`].
    pub fn new(
        scenario: Arc<Scenario>,
        seed: u64,
        scorer: Arc<dyn ReplyScorer>,
    ) -> Result<Self, SessionError> {
        Session::begin(scenario, Start::Scenario, seed, scorer)
    }

    /// Starts practice as `start` says: at the scenario's start node in the persona's mood, or
    /// for a drill at its node in its mood. The customer's lines are picked with `seed`, so the
    /// same start, seed and inputs replay exactly. The scenario should have passed validation;
    /// a node that does not exist is reported rather than panicking.
    pub fn begin(
        scenario: Arc<Scenario>,
        start: Start,
        seed: u64,
        scorer: Arc<dyn ReplyScorer>,
    ) -> Result<Self, SessionError> {
        let (node_id, mood) = match &start {
            Start::Drill { node_id, mood, .. } => (node_id.clone(), *mood),
            Start::Scenario | Start::ShiftCall { .. } => {
                (scenario.start.clone(), scenario.persona.mood)
            }
        };
        let node_id = node_id.as_str();
        let node_index = scenario
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .collect::<HashMap<_, _>>();
        let first = *node_index
            .get(node_id)
            .ok_or_else(|| SessionError::BrokenScenario(node_id.to_string()))?;
        let mut session = Session {
            scenario,
            scorer,
            node_index,
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
            starting_mood: mood,
            mood,
            state: State::Ended(placeholder_outcome()),
            transcript: Vec::new(),
            start,
        };
        session.enter(first);
        Ok(session)
    }

    /// A trainer's preview: the whole scenario played on from `node_id`, the customer in
    /// `mood`, as if the conversation had reached that node that way. Not a drill (it goes on
    /// to an ending) and not meant to be saved: a replay starts from the scenario's start.
    pub fn preview(
        scenario: Arc<Scenario>,
        node_id: &str,
        mood: Mood,
        seed: u64,
        scorer: Arc<dyn ReplyScorer>,
    ) -> Result<Self, SessionError> {
        let mut session = Session::begin(scenario, Start::Scenario, seed, scorer)?;
        let node = *session
            .node_index
            .get(node_id)
            .ok_or_else(|| SessionError::BrokenScenario(node_id.to_string()))?;
        session.mood = mood;
        session.starting_mood = mood;
        session.enter(node);
        Ok(session)
    }

    /// Plays `inputs` in order from a fresh session begun as `start`; stops early on the first
    /// invalid input.
    pub fn replay(
        scenario: Arc<Scenario>,
        start: Start,
        seed: u64,
        scorer: Arc<dyn ReplyScorer>,
        inputs: &[TimedResponse],
    ) -> Result<Self, SessionError> {
        let mut session = Session::begin(scenario, start, seed, scorer)?;
        for input in inputs {
            session.respond(input.response.clone(), input.elapsed_ms)?;
        }
        Ok(session)
    }

    /// The scenario being played.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The seed the customer's lines are picked with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The customer's mood now: after the latest reply, or the starting mood before any.
    pub fn mood(&self) -> Mood {
        self.mood
    }

    /// The mood before the first reply.
    pub fn starting_mood(&self) -> Mood {
        self.starting_mood
    }

    /// Whether this is a one-reply review drill rather than a whole scenario.
    pub fn is_drill(&self) -> bool {
        self.start.is_drill()
    }

    /// How this session began.
    pub fn start(&self) -> &Start {
        &self.start
    }

    /// Every turn so far, oldest first.
    pub fn transcript(&self) -> &[TurnResult] {
        &self.transcript
    }

    /// How the session ended; `None` while it is still going.
    pub fn outcome(&self) -> Option<&Outcome> {
        match &self.state {
            State::Ended(outcome) => Some(outcome),
            State::AtNode { .. } => None,
        }
    }

    /// Whether the session has reached an ending.
    pub fn is_over(&self) -> bool {
        self.outcome().is_some()
    }

    /// Seconds the customer waits at the current prompt before hesitation costs mood: the
    /// persona's patience, plus a typing allowance at a typed turn. `None` once it is over.
    pub fn patience_secs_now(&self) -> Option<u32> {
        let State::AtNode { node, .. } = &self.state else {
            return None;
        };
        Some(mood::patience_secs_at(
            &self.scenario.persona,
            &self.scenario.nodes[*node],
        ))
    }

    /// The current customer line and the trainee's options; `None` once the session has ended.
    pub fn prompt(&self) -> Option<Prompt<'_>> {
        let State::AtNode { node, line, band } = &self.state else {
            return None;
        };
        let node = &self.scenario.nodes[*node];
        let options = match &node.turn {
            Turn::Choices(choices) => Options::Choices(
                offered_choices(choices, self.mood)
                    .into_iter()
                    .map(|index| OfferedChoice {
                        index,
                        text: choices[index].text.as_str(),
                    })
                    .collect(),
            ),
            Turn::FreeText(free) => Options::FreeText {
                prompt: free.prompt.as_str(),
            },
        };
        Some(Prompt {
            node_id: &node.id,
            customer_line: line,
            band: *band,
            options,
        })
    }

    /// The current node, for views that need more than the prompt (e.g. the rubric).
    pub fn current_node(&self) -> Option<&Node> {
        match &self.state {
            State::AtNode { node, .. } => self.scenario.nodes.get(*node),
            State::Ended(_) => None,
        }
    }

    /// A record of the session so far, for saving, replaying and re-scoring.
    pub fn record(&self) -> SessionRecord {
        SessionRecord {
            scenario_id: self.scenario.id.clone(),
            scenario_version: self.scenario.version,
            seed: self.seed,
            starting_mood: self.starting_mood,
            transcript: self.transcript.clone(),
            outcome: self.outcome().cloned(),
        }
    }

    /// Where the session stands when a reply may be given: the current node, the customer's
    /// line and its band.
    fn awaiting_reply(&self) -> Result<(usize, String, MoodBand), SessionError> {
        let State::AtNode { node, line, band } = &self.state else {
            return Err(SessionError::Ended);
        };
        if self.transcript.len() >= MAX_TURNS {
            return Err(SessionError::TooManyTurns);
        }
        Ok((*node, line.clone(), *band))
    }

    /// Takes the trainee's reply, given after `elapsed_ms` of thinking, and moves the
    /// conversation on. An invalid response changes nothing.
    pub fn respond(
        &mut self,
        response: Response,
        elapsed_ms: u64,
    ) -> Result<&TurnResult, SessionError> {
        let (node_index, _, _) = self.awaiting_reply()?;
        let scenario = Arc::clone(&self.scenario);
        let node = &scenario.nodes[node_index];
        match (&node.turn, response) {
            (Turn::Choices(choices), Response::Choice(i)) => {
                if i < choices.len() && !offered_choices(choices, self.mood).contains(&i) {
                    return Err(SessionError::NotOffered { given: i + 1 });
                }
                let patience = mood::patience_secs_at(&scenario.persona, node);
                let hesitation = hesitation_delta(patience, elapsed_ms);
                let judged = judge_choice(choices, i, self.mood, hesitation)?;
                self.advance(judged, elapsed_ms)
            }
            (Turn::Choices(_), Response::Text(_)) => Err(SessionError::ExpectedChoice),
            (Turn::FreeText(_), Response::Choice(_)) => Err(SessionError::ExpectedText),
            (Turn::FreeText(_), Response::Text(text)) => {
                let scored = self.prepare_typed(text)?.score();
                self.respond_scored(scored, elapsed_ms)
            }
        }
    }

    /// A typed reply at the current node, checked and ready to be scored apart from the
    /// session (the app scores on another thread so its frames keep coming). Give the result
    /// of [`PendingReply::score`] to [`Session::respond_scored`].
    pub fn prepare_typed(&self, text: String) -> Result<PendingReply, SessionError> {
        let (node_index, customer_line, _) = self.awaiting_reply()?;
        if let Turn::Choices(_) = &self.scenario.nodes[node_index].turn {
            return Err(SessionError::ExpectedChoice);
        }
        if text.trim().is_empty() {
            return Err(SessionError::EmptyReply);
        }
        let chars = text.chars().count();
        if chars > MAX_REPLY_CHARS {
            return Err(SessionError::ReplyTooLong { chars });
        }
        Ok(PendingReply {
            scorer: Arc::clone(&self.scorer),
            scenario: Arc::clone(&self.scenario),
            node: node_index,
            turn: self.transcript.len(),
            customer_line,
            earlier: self.transcript.iter().map(|t| t.reply.clone()).collect(),
            text,
        })
    }

    /// Takes a typed reply scored by [`PendingReply::score`], given after `elapsed_ms` of
    /// thinking, and moves the conversation on. A reply prepared at another turn is refused.
    pub fn respond_scored(
        &mut self,
        scored: ScoredReply,
        elapsed_ms: u64,
    ) -> Result<&TurnResult, SessionError> {
        let (node_index, _, _) = self.awaiting_reply()?;
        let same_conversation = Arc::ptr_eq(&scored.scenario, &self.scenario)
            && scored.node == node_index
            && scored.turn == self.transcript.len();
        if !same_conversation {
            return Err(SessionError::StaleReply);
        }
        let scenario = Arc::clone(&self.scenario);
        let node = &scenario.nodes[node_index];
        let Turn::FreeText(free) = &node.turn else {
            return Err(SessionError::ExpectedChoice);
        };
        // A typed turn's patience includes the time it takes to type (see `mood`).
        let hesitation =
            hesitation_delta(mood::patience_secs_at(&scenario.persona, node), elapsed_ms);
        let judged = judge_typed(free, &node.id, scored, self.mood, hesitation)?;
        self.advance(judged, elapsed_ms)
    }

    /// Records a judged reply and moves to where it leads (or to the walkout ending).
    fn advance(&mut self, judged: Judged, elapsed_ms: u64) -> Result<&TurnResult, SessionError> {
        let (node_index, customer_line, band) = self.awaiting_reply()?;
        let scenario = Arc::clone(&self.scenario);
        let node = &scenario.nodes[node_index];
        let mood_before = self.mood;
        let Judged {
            reply,
            choice,
            hesitation,
            score,
            feedback,
            mood_after,
            next: routed,
        } = judged;

        let walkout = walkout_at(&scenario, mood_after);
        let next_id = walkout.map_or(routed, |w| w.ending.clone());
        let next = if self.node_index.contains_key(&next_id) {
            Next::Node(next_id)
        } else if scenario.ending(&next_id).is_some() {
            Next::Ending(next_id)
        } else {
            return Err(SessionError::BrokenScenario(next_id));
        };

        self.mood = mood_after;
        self.transcript.push(TurnResult {
            node_id: node.id.clone(),
            customer_line,
            band,
            reply,
            choice,
            elapsed_ms,
            score,
            feedback,
            mood_before,
            hesitation,
            mood_after,
            walked_out: walkout.is_some(),
            next: next.clone(),
        });
        match next {
            _ if self.start.is_drill() => self.finish_drill(),
            Next::Node(id) => self.enter(self.node_index[&id]),
            Next::Ending(id) => self.finish(&id),
        }
        Ok(self.transcript.last().expect("a turn was just recorded"))
    }

    fn enter(&mut self, node: usize) {
        let band = self.mood.band();
        let line = pick_line(&self.scenario.nodes[node].customer, band, &mut self.rng);
        self.state = State::AtNode { node, line, band };
    }

    /// Mean empathy, accuracy and de-escalation over the transcript, and their mean.
    fn means(&self) -> [u8; 4] {
        let per_dimension = |pick: fn(&ReplyScore) -> u8| {
            mean_score(
                &self
                    .transcript
                    .iter()
                    .map(|t| pick(&t.score))
                    .collect::<Vec<_>>(),
            )
        };
        let empathy = per_dimension(|s| s.empathy.score);
        let accuracy = per_dimension(|s| s.accuracy.score);
        let deescalation = per_dimension(|s| s.deescalation.score);
        [
            empathy,
            accuracy,
            deescalation,
            mean_score(&[empathy, accuracy, deescalation]),
        ]
    }

    fn finish(&mut self, ending_id: &str) {
        let Some(ending) = self.scenario.ending(ending_id) else {
            return;
        };
        let [empathy, accuracy, deescalation, overall] = self.means();
        let critical = self.critical_breaches();
        let passed = overall >= self.scenario.pass_mark
            && ending.kind != EndingKind::CustomerLeft
            && critical.is_empty();
        let stars = match passed {
            true if overall >= self.scenario.three_star_mark
                && ending.kind == EndingKind::Resolved =>
            {
                3
            }
            true => 2,
            // A failed attempt earns nothing towards the next tier.
            false => 0,
        };
        // The ending's text for what happened on the way: facts stated, nodes passed.
        let stated = |fact: &str| {
            self.transcript
                .iter()
                .any(|t| t.choice.is_none() && t.score.facts_stated().contains(&fact))
        };
        let visited = |node: &str| self.transcript.iter().any(|t| t.node_id == node);
        let text = ending.text_for(&stated, &visited).to_string();
        self.state = State::Ended(Outcome {
            ending_id: ending.id.clone(),
            kind: ending.kind,
            text,
            empathy,
            accuracy,
            deescalation,
            overall,
            passed,
            critical,
            stars,
            turns: self.transcript.len(),
        });
    }

    /// Every critical breach in the transcript, oldest first.
    fn critical_breaches(&self) -> Vec<CriticalBreach> {
        self.transcript
            .iter()
            .flat_map(|t| t.score.critical.iter().cloned())
            .collect()
    }
}

fn placeholder_outcome() -> Outcome {
    Outcome {
        ending_id: String::new(),
        kind: EndingKind::CustomerLeft,
        text: String::new(),
        empathy: 0,
        accuracy: 0,
        deescalation: 0,
        overall: 0,
        passed: false,
        critical: Vec::new(),
        stars: 1,
        turns: 0,
    }
}

/// Whether a route's condition holds for a reply's overall score and the mood after it.
pub fn condition_holds(condition: Condition, overall: u8, mood: Mood) -> bool {
    match condition {
        Condition::ScoreAtLeast(v) => overall >= v,
        Condition::ScoreBelow(v) => overall < v,
        mood_condition => mood_condition.holds_for_mood(mood).unwrap_or(true),
    }
}

/// What one reply led to, before the walkout check: the reply as text, the picked choice, its
/// score and feedback, the mood after it and where its choice or route points.
struct Judged {
    reply: String,
    choice: Option<usize>,
    hesitation: MoodDelta,
    score: ReplyScore,
    feedback: Option<String>,
    mood_after: Mood,
    next: String,
}

/// Choice `i` picked, with the customer in `mood` and `hesitation` to add: the author's scores,
/// feedback, mood change and target. The two mood changes are added before they are applied,
/// so a meter clamped at 0 or 100 by one is not clamped again by the other (replays depend on
/// this).
fn judge_choice(
    choices: &[Choice],
    i: usize,
    mood: Mood,
    hesitation: MoodDelta,
) -> Result<Judged, SessionError> {
    let picked = choices.get(i).ok_or(SessionError::NoSuchChoice {
        given: i + 1,
        available: choices.len(),
    })?;
    Ok(Judged {
        reply: picked.text.clone(),
        choice: Some(i),
        hesitation,
        score: ReplyScore::from_choice(picked),
        feedback: Some(picked.feedback.clone()).filter(|f| !f.trim().is_empty()),
        mood_after: choice_mood_after(picked, mood, hesitation),
        next: picked.next.clone(),
    })
}

/// The mood after `choice` is picked with the customer in `mood` and `hesitation` to add.
fn choice_mood_after(choice: &Choice, mood: Mood, hesitation: MoodDelta) -> Mood {
    mood.apply(hesitation.plus(choice.mood))
}

/// A typed reply, scored, with the customer in `mood` and `hesitation` to add: the mood moved
/// by its scores and the hesitation together, and the first route whose condition holds (else
/// the last).
fn judge_typed(
    free: &FreeText,
    node_id: &str,
    scored: ScoredReply,
    mood: Mood,
    hesitation: MoodDelta,
) -> Result<Judged, SessionError> {
    let ScoredReply { text, score, .. } = scored;
    let (mood_after, next) = route_typed(free, node_id, &score, mood, hesitation)?;
    Ok(Judged {
        reply: text,
        choice: None,
        hesitation,
        score,
        feedback: None,
        mood_after,
        next: next.to_string(),
    })
}

/// Where a typed reply scored `score` leads, with the customer in `mood` and `hesitation` to
/// add: the mood after it, and the first route whose condition holds then (else the last).
fn route_typed<'f>(
    free: &'f FreeText,
    node_id: &str,
    score: &ReplyScore,
    mood: Mood,
    hesitation: MoodDelta,
) -> Result<(Mood, &'f str), SessionError> {
    let mood_after = mood.apply(hesitation.plus(delta_from_scores(score)));
    let route = free
        .routes
        .iter()
        .find(|r| condition_holds(r.when, score.overall, mood_after))
        .or(free.routes.last())
        .ok_or_else(|| SessionError::BrokenScenario(format!("{node_id} (no routes)")))?;
    Ok((mood_after, route.next.as_str()))
}

/// The persona's walkout, when anger after a reply has reached it.
fn walkout_at(scenario: &Scenario, mood_after: Mood) -> Option<&Walkout> {
    scenario
        .persona
        .walkout
        .as_ref()
        .filter(|w| mood_after.anger >= w.anger)
}

/// A typed reply taken out of its session to be scored, on any thread: everything the scorer
/// looks at, owned, so it can be sent. Made by [`Session::prepare_typed`].
pub struct PendingReply {
    scorer: Arc<dyn ReplyScorer>,
    scenario: Arc<Scenario>,
    node: usize,
    turn: usize,
    customer_line: String,
    earlier: Vec<String>,
    text: String,
}

impl PendingReply {
    /// Scores the reply; this is the slow part (the semantic layer runs a model).
    pub fn score(self) -> ScoredReply {
        let node = &self.scenario.nodes[self.node];
        let context = ScoringContext::at(&self.scenario, node, &self.customer_line, &self.earlier);
        let score = self.scorer.score(&context, &self.text);
        ScoredReply {
            scenario: self.scenario,
            node: self.node,
            turn: self.turn,
            text: self.text,
            score,
        }
    }
}

/// A typed reply with its score, for [`Session::respond_scored`].
#[derive(Debug, Clone)]
pub struct ScoredReply {
    /// The scenario it was scored in: a reply from another conversation is refused.
    scenario: Arc<Scenario>,
    node: usize,
    turn: usize,
    text: String,
    score: ReplyScore,
}

/// Picks one alternative with the session RNG. Uses a fixed multiply-shift on `next_u64` so the
/// pick depends only on the RNG stream, not on a sampling algorithm that could change upstream.
fn pick_line(line: &CustomerLine, band: MoodBand, rng: &mut ChaCha8Rng) -> String {
    let options = line.for_band(band);
    if options.is_empty() {
        return String::new();
    }
    let index = ((u128::from(rng.next_u64()) * options.len() as u128) >> 64) as usize;
    options[index].clone()
}
