//! Breadth-first exploration of a scenario's conversation graph through the real session
//! runtime, cloning a whole session at every step: which endings can be reached, and the
//! shortest inputs that reach each. Too slow for large scenarios (`paths` is what trainers and
//! the library tests use); it stays as the plain oracle the path search is checked against.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::Arc;

use super::{Options, Outcome, Response, Session, TimedResponse};
use crate::scenario::model::{Scenario, Turn};
use crate::scenario::mood::Mood;
use crate::scoring::ReplyScorer;

/// Replies tried at every free-text turn besides the node's model answers: a poor one that
/// fires penalties, and a minimal one.
pub const POOR_REPLIES: [&str; 2] = [
    "Calm down. It's our policy and there's nothing I can do, as I said.",
    "ok",
];

/// How far an exploration searches before it stops.
#[derive(Debug, Clone)]
pub struct ExploreLimits {
    /// Paths longer than this many turns are not followed.
    pub max_turns: usize,
    /// Distinct (node, mood) states visited before giving up.
    pub max_states: usize,
}

impl Default for ExploreLimits {
    fn default() -> Self {
        ExploreLimits {
            max_turns: 40,
            max_states: 200_000,
        }
    }
}

/// A sequence of inputs and where it ends.
#[derive(Debug, Clone)]
pub struct EndingPath {
    /// The responses, oldest first, played from the scenario's start node.
    pub inputs: Vec<TimedResponse>,
    /// The outcome they lead to.
    pub outcome: Outcome,
}

/// The inputs to try at the session's current node: every choice or candidate reply, each
/// answered at once and after keeping the customer waiting three times their patience.
fn candidate_inputs(session: &Session) -> Vec<TimedResponse> {
    let Some(prompt) = session.prompt() else {
        return Vec::new();
    };
    let slow_ms = session
        .patience_secs_now()
        .map_or(0, |secs| u64::from(secs) * 3_000);
    let responses: Vec<Response> = match (&prompt.options, session.current_node().map(|n| &n.turn))
    {
        (Options::Choices(choices), _) => {
            choices.iter().map(|c| Response::Choice(c.index)).collect()
        }
        (Options::FreeText { .. }, Some(Turn::FreeText(free))) => free
            .rubric
            .model_answers
            .iter()
            .map(String::as_str)
            .chain(POOR_REPLIES)
            .map(|t| Response::Text(t.to_string()))
            .collect(),
        _ => Vec::new(),
    };
    responses
        .into_iter()
        .flat_map(|response| {
            [0, slow_ms].map(|elapsed_ms| TimedResponse {
                response: response.clone(),
                elapsed_ms,
            })
        })
        .collect()
}

/// The shortest input sequence found to each reachable ending, keyed by ending id.
pub fn endings_reached(
    scenario: Arc<Scenario>,
    seed: u64,
    scorer: Arc<dyn ReplyScorer>,
    limits: &ExploreLimits,
) -> BTreeMap<String, EndingPath> {
    let mut found = BTreeMap::new();
    let Ok(start) = Session::new(scenario, seed, scorer) else {
        return found;
    };
    let mut seen: HashSet<(String, Mood)> = HashSet::new();
    let mut queue = VecDeque::from([(start, Vec::<TimedResponse>::new())]);
    while let Some((session, inputs)) = queue.pop_front() {
        if seen.len() >= limits.max_states {
            break;
        }
        for input in candidate_inputs(&session) {
            let mut next = session.clone();
            if next
                .respond(input.response.clone(), input.elapsed_ms)
                .is_err()
            {
                continue;
            }
            let mut path = inputs.clone();
            path.push(input);
            if let Some(outcome) = next.outcome() {
                found
                    .entry(outcome.ending_id.clone())
                    .or_insert_with(|| EndingPath {
                        inputs: path,
                        outcome: outcome.clone(),
                    });
                continue;
            }
            let node = next
                .prompt()
                .map(|p| p.node_id.to_string())
                .unwrap_or_default();
            if path.len() < limits.max_turns && seen.insert((node, next.mood())) {
                queue.push_back((next, path));
            }
        }
    }
    found
}
