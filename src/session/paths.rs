//! Every path through a scenario, for trainers: which endings can be reached, the lowest and
//! highest overall score over the paths that reach each, whether it can pass and how many stars
//! it can give, and the shortest inputs to it.
//!
//! The conversation is searched as a graph of states (node × customer mood). At a choice turn
//! every choice is tried; at a typed turn each of the node's model answers and the
//! [`POOR_REPLIES`]. Each input is tried at once and after a wait of three times the persona's
//! patience, since hesitation moves the mood and can make the customer walk out. Typed replies
//! are scored once per node and mood band, as if they were the first reply there, so the search
//! stays fast on large scenarios; the lowest, highest and shortest paths are then replayed
//! through a real [`Session`] and their figures are the replay's, exactly what a trainee gets.
//!
//! The score range of an ending is found by a search over path lengths: for every length up to
//! [`PathLimits::max_turns`], the highest and lowest sum of reply scores with which each state
//! can be reached in exactly that many replies. A scenario with loops therefore has its ranges
//! over paths of at most that many replies.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use serde::Serialize;

use super::explore::POOR_REPLIES;
use super::mood::hesitation_delta;
use super::{
    Outcome, Response, Session, TimedResponse, choice_mood_after, offered_choices, route_typed,
    walkout_at,
};
use crate::scenario::model::{Condition, EndingKind, Scenario, Turn};
use crate::scenario::mood::{Mood, MoodBand, MoodDelta};
use crate::scoring::{ReplyScore, ReplyScorer, ScoringContext};

/// How far the search goes.
#[derive(Debug, Clone)]
pub struct PathLimits {
    /// Paths longer than this many replies are not followed (only matters with loops).
    pub max_turns: usize,
    /// Distinct (node, mood) states explored before the search stops and says so.
    pub max_states: usize,
}

impl Default for PathLimits {
    fn default() -> Self {
        PathLimits {
            max_turns: 100,
            max_states: 500_000,
        }
    }
}

/// One input on a path, with how a trainer reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathInput {
    /// What the trainee does, and after how long.
    pub input: TimedResponse,
    /// The node it is given at.
    pub node: String,
    /// How it reads: `choice 2`, `model answer 1`, `weak reply "ok"`, with "after 60 s" when the
    /// trainee kept the customer waiting.
    pub label: String,
    /// For a choice, the number the trainee sees it under (from 1), which differs from its
    /// place in the file when a `when` hides an earlier choice; set when the path is replayed.
    pub shown: Option<usize>,
}

/// A path played through a real session, and where it ended.
#[derive(Debug, Clone, Serialize)]
pub struct PlayedPath {
    /// The inputs, from the scenario's start.
    pub inputs: Vec<PathInput>,
    /// How the replayed session ended; `None` if the replay stopped early (it should not).
    pub outcome: Option<Outcome>,
}

impl PlayedPath {
    /// Whether the replay reached `ending`: typed replies can score differently after earlier
    /// ones (repeating yourself costs points), so a replay may end elsewhere than the search.
    pub fn reaches(&self, ending: &str) -> bool {
        self.outcome.as_ref().is_some_and(|o| o.ending_id == ending)
    }
}

/// Everything found about one ending.
#[derive(Debug, Clone, Serialize)]
pub struct EndingPaths {
    /// The ending's id.
    pub ending: String,
    /// Its kind.
    pub kind: EndingKind,
    /// The fewest replies that reach it.
    pub shortest: PlayedPath,
    /// The path reaching it with the lowest overall score.
    pub lowest: PlayedPath,
    /// The path reaching it with the highest overall score.
    pub highest: PlayedPath,
}

impl EndingPaths {
    /// Whether some path to this ending passes (the highest-scoring one is the one to try).
    pub fn can_pass(&self) -> bool {
        self.highest.outcome.as_ref().is_some_and(|o| o.passed)
    }

    /// The most stars a path to this ending gives.
    pub fn max_stars(&self) -> u8 {
        self.highest.outcome.as_ref().map_or(0, |o| o.stars)
    }
}

/// The result of a path search.
#[derive(Debug, Clone, Serialize)]
pub struct PathsReport {
    /// The reachable endings, in the scenario's order.
    pub endings: Vec<EndingPaths>,
    /// Endings no path reaches, in the scenario's order.
    pub unreachable: Vec<String>,
    /// How many (node, mood) states were explored.
    pub states: usize,
    /// Whether the search stopped early, at [`PathLimits::max_states`] states or when the
    /// lengths searched for score ranges grew too many: figures then cover only part of it.
    pub truncated: bool,
    /// How many times the search treated a mood as a nearby one, at a node reached in more
    /// moods than [`moods_per_node`]; 0 means the search was exact.
    pub merged_moods: usize,
    /// Whether the conversation can loop back to a node it has already visited.
    pub has_cycle: bool,
    /// The longest paths considered for score ranges, in replies: the longest path there is
    /// when the scenario has no loop.
    pub max_turns: usize,
}

/// What an input is, before it is turned into a [`TimedResponse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum InputKind {
    /// Choice `i` (0-based, as authored).
    Choice(usize),
    /// Model answer `i` of the node.
    ModelAnswer(usize),
    /// [`POOR_REPLIES`]`[i]`.
    Weak(usize),
}

/// Where an edge leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    State(u32),
    Ending(u32),
}

/// One input from one state.
#[derive(Debug, Clone, Copy)]
struct Edge {
    kind: InputKind,
    slow: bool,
    /// Empathy + accuracy + de-escalation of the reply (0–300).
    sum: u16,
    target: Target,
}

/// The explored state graph, edges stored per state in one array.
struct StateGraph {
    /// (node index, mood) of each state; state 0 is the start.
    states: Vec<(u32, Mood)>,
    /// Edges of state `s` are `edges[first_edge[s]..first_edge[s + 1]]`.
    first_edge: Vec<u32>,
    edges: Vec<Edge>,
    truncated: bool,
    /// How many times a mood was merged into a nearby one at a full node.
    merged: usize,
}

impl StateGraph {
    fn edges_of(&self, state: u32) -> &[Edge] {
        let s = state as usize;
        &self.edges[self.first_edge[s] as usize..self.first_edge[s + 1] as usize]
    }
}

/// Searches every path of `scenario` (which should have passed validation) from its start.
/// Customer lines are picked with `seed` when the found paths are replayed.
pub fn paths(
    scenario: Arc<Scenario>,
    seed: u64,
    scorer: Arc<dyn ReplyScorer>,
    limits: &PathLimits,
) -> PathsReport {
    let graph = explore_states(&scenario, scorer.as_ref(), limits.max_states);
    let shortest = shortest_paths(&scenario, &graph);
    let extremes = score_extremes(&graph, limits.max_turns);
    let replay =
        |edges: &[(u32, usize)]| replay_path(&scenario, &graph, edges, seed, Arc::clone(&scorer));
    let has_cycle = has_cycle(&scenario);
    let mut endings = Vec::new();
    let mut unreachable = Vec::new();
    for (e, ending) in scenario.endings.iter().enumerate() {
        let Some(short) = shortest.get(&(e as u32)) else {
            unreachable.push(ending.id.clone());
            continue;
        };
        let (low, high) = extremes
            .paths
            .get(&(e as u32))
            .map_or((short.clone(), short.clone()), |(l, h)| {
                (l.clone(), h.clone())
            });
        endings.push(EndingPaths {
            ending: ending.id.clone(),
            kind: ending.kind,
            shortest: replay(short),
            lowest: replay(&low),
            highest: replay(&high),
        });
    }
    PathsReport {
        endings,
        unreachable,
        states: graph.states.len(),
        truncated: graph.truncated || extremes.cut_short,
        merged_moods: graph.merged,
        has_cycle,
        max_turns: extremes.turns_searched.min(limits.max_turns),
    }
}

/// Breadth-first over (node, mood) states from the start, every input tried at every state.
fn explore_states(scenario: &Scenario, scorer: &dyn ReplyScorer, max_states: usize) -> StateGraph {
    let node_index: HashMap<&str, u32> = scenario
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i as u32))
        .collect();
    let ending_index: HashMap<&str, u32> = scenario
        .endings
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i as u32))
        .collect();
    let mut graph = StateGraph {
        states: Vec::new(),
        first_edge: vec![0],
        edges: Vec::new(),
        truncated: false,
        merged: 0,
    };
    let Some(&start) = node_index.get(scenario.start.as_str()) else {
        graph.first_edge.clear();
        graph.first_edge.push(0);
        return graph;
    };
    let mask = MoodMask::of(scenario);
    let per_node = moods_per_node(scenario);
    let mut ids: HashMap<(u32, Mood), u32> = HashMap::new();
    let mut typed_scores: HashMap<(u32, MoodBand, InputKind), ReplyScore> = HashMap::new();
    let first = (start, mask.apply(scenario.persona.mood));
    ids.insert(first, 0);
    graph.states.push(first);
    // The states of each node, to find the nearest once a node has its fill of moods.
    let mut by_node: Vec<Vec<u32>> = vec![Vec::new(); scenario.nodes.len()];
    by_node[start as usize].push(0);
    // A slow answer waits three times the node's patience, so it costs the same two periods of
    // hesitation at every node, typed or not.
    let patience = scenario.persona.patience_secs.max(1);
    let hesitations = [
        (false, MoodDelta::default()),
        (
            true,
            hesitation_delta(patience, u64::from(patience) * SLOW_WAIT_PATIENCES * 1000),
        ),
    ];
    // States are numbered in the order they are found, so walking them in order is breadth-first.
    let mut next_state = 0usize;
    while next_state < graph.states.len() {
        let (node_i, mood) = graph.states[next_state];
        next_state += 1;
        let node = &scenario.nodes[node_i as usize];
        let mut found: Vec<(InputKind, bool, u16, Mood, &str)> = Vec::new();
        match &node.turn {
            Turn::Choices(choices) => {
                for i in offered_choices(choices, mood) {
                    let choice = &choices[i];
                    let s = &choice.scores;
                    let sum =
                        u16::from(s.empathy) + u16::from(s.accuracy) + u16::from(s.deescalation);
                    for (slow, hesitation) in hesitations {
                        let after = choice_mood_after(choice, mood, hesitation);
                        found.push((InputKind::Choice(i), slow, sum, after, choice.next.as_str()));
                    }
                }
            }
            Turn::FreeText(free) => {
                let band = mood.band();
                let kinds = (0..free.rubric.model_answers.len())
                    .map(InputKind::ModelAnswer)
                    .chain((0..POOR_REPLIES.len()).map(InputKind::Weak));
                for kind in kinds {
                    let score = typed_scores.entry((node_i, band, kind)).or_insert_with(|| {
                        let line = node
                            .customer
                            .for_band(band)
                            .first()
                            .map_or("", String::as_str);
                        let context = ScoringContext::at(scenario, node, line, &[]);
                        scorer.score(&context, typed_text(scenario, node_i as usize, kind))
                    });
                    let sum = u16::from(score.empathy.score)
                        + u16::from(score.accuracy.score)
                        + u16::from(score.deescalation.score);
                    for (slow, hesitation) in hesitations {
                        let Ok((after, next)) =
                            route_typed(free, &node.id, score, mood, hesitation)
                        else {
                            continue;
                        };
                        found.push((kind, slow, sum, after, next));
                    }
                }
            }
        }
        for (kind, slow, sum, after, routed) in found {
            let next = walkout_at(scenario, after).map_or(routed, |w| w.ending.as_str());
            let target = if let Some(&n) = node_index.get(next) {
                let key = (n, mask.apply(after));
                match ids.get(&key) {
                    Some(&id) => Target::State(id),
                    None if by_node[n as usize].len() >= per_node => {
                        // The nearest mood already seen at this node stands in for this one.
                        graph.merged += 1;
                        let nearest = by_node[n as usize]
                            .iter()
                            .copied()
                            .min_by_key(|&id| mood_distance(graph.states[id as usize].1, key.1))
                            .expect("the node has states");
                        Target::State(nearest)
                    }
                    None if graph.states.len() >= max_states => {
                        graph.truncated = true;
                        continue;
                    }
                    None => {
                        let id = graph.states.len() as u32;
                        ids.insert(key, id);
                        graph.states.push(key);
                        by_node[n as usize].push(id);
                        Target::State(id)
                    }
                }
            } else if let Some(&e) = ending_index.get(next) {
                Target::Ending(e)
            } else {
                // A broken target: validation reports it; the search skips it.
                continue;
            };
            graph.edges.push(Edge {
                kind,
                slow,
                sum,
                target,
            });
        }
        graph.first_edge.push(graph.edges.len() as u32);
    }
    graph
}

/// States the search aims to stay within. A large scenario in which every reply moves the mood
/// a little can reach each node in hundreds of moods; the search then tells apart at most
/// `STATE_BUDGET / nodes` moods at a node (never fewer than [`MIN_MOODS_PER_NODE`]), and a
/// further mood is treated as the nearest one already seen there. Small scenarios are always
/// searched exactly. Figures stay exact for the paths shown, which are replayed; only whether
/// the search found every ending and the true extremes is then approximate, and the report
/// says so.
pub const STATE_BUDGET: usize = 300_000;

/// The fewest moods told apart at a node, however large the scenario.
pub const MIN_MOODS_PER_NODE: usize = 16;

/// How many moods the search tells apart at each node of `scenario`.
pub fn moods_per_node(scenario: &Scenario) -> usize {
    (STATE_BUDGET / scenario.nodes.len().max(1)).max(MIN_MOODS_PER_NODE)
}

/// How far apart two moods are: the sum of the meters' differences.
fn mood_distance(a: Mood, b: Mood) -> u32 {
    u32::from(a.anger.abs_diff(b.anger))
        + u32::from(a.confusion.abs_diff(b.confusion))
        + u32::from(a.trust.abs_diff(b.trust))
}

/// Which mood meters can change where a conversation goes. Anger always can (the walkout, the
/// mood band that picks the customer's line); confusion and trust only when some route or
/// choice tests them. A meter that cannot is kept at 0 in the search's states, so states that
/// differ only in it are one state: an exact saving, since nothing that is scored or routed
/// reads it.
#[derive(Debug, Clone, Copy)]
struct MoodMask {
    confusion: bool,
    trust: bool,
}

impl MoodMask {
    fn of(scenario: &Scenario) -> MoodMask {
        let conditions = scenario.nodes.iter().flat_map(|n| -> Vec<Condition> {
            match &n.turn {
                Turn::Choices(c) => c.iter().filter_map(|c| c.when).collect(),
                Turn::FreeText(f) => f.routes.iter().map(|r| r.when).collect(),
            }
        });
        let mut mask = MoodMask {
            confusion: false,
            trust: false,
        };
        for condition in conditions {
            match condition {
                Condition::ConfusionAtLeast(_) => mask.confusion = true,
                Condition::TrustAtLeast(_) => mask.trust = true,
                _ => {}
            }
        }
        mask
    }

    fn apply(self, mood: Mood) -> Mood {
        Mood {
            anger: mood.anger,
            confusion: if self.confusion { mood.confusion } else { 0 },
            trust: if self.trust { mood.trust } else { 0 },
        }
    }
}

/// The wait tried as "slow", in the node's patience periods.
const SLOW_WAIT_PATIENCES: u64 = 3;

/// The wait tried as "slow" at node `node`: three times its patience (the persona's, plus the
/// typing allowance at a typed turn).
pub fn slow_wait_ms(scenario: &Scenario, node: usize) -> u64 {
    u64::from(super::mood::patience_secs_at(
        &scenario.persona,
        &scenario.nodes[node],
    )) * SLOW_WAIT_PATIENCES
        * 1000
}

/// The text of a typed input at node `node`.
fn typed_text(scenario: &Scenario, node: usize, kind: InputKind) -> &str {
    match (&scenario.nodes[node].turn, kind) {
        (Turn::FreeText(free), InputKind::ModelAnswer(i)) => &free.rubric.model_answers[i],
        (_, InputKind::Weak(i)) => POOR_REPLIES[i],
        _ => "",
    }
}

/// A path as the (state, edge index within the state) pairs it takes.
type EdgePath = Vec<(u32, usize)>;

/// The shortest path to each reachable ending, by breadth-first search over states.
fn shortest_paths(scenario: &Scenario, graph: &StateGraph) -> BTreeMap<u32, EdgePath> {
    let mut found = BTreeMap::new();
    if graph.states.is_empty() {
        return found;
    }
    // How each state was first reached: (previous state, edge index there).
    let mut parent: Vec<Option<(u32, usize)>> = vec![None; graph.states.len()];
    let mut seen = vec![false; graph.states.len()];
    seen[0] = true;
    let mut queue = VecDeque::from([0u32]);
    let path_to = |parent: &[Option<(u32, usize)>], mut state: u32| {
        let mut path = Vec::new();
        while let Some((prev, edge)) = parent[state as usize] {
            path.push((prev, edge));
            state = prev;
        }
        path.reverse();
        path
    };
    while let Some(state) = queue.pop_front() {
        for (k, edge) in graph.edges_of(state).iter().enumerate() {
            match edge.target {
                Target::State(next) if !seen[next as usize] => {
                    seen[next as usize] = true;
                    parent[next as usize] = Some((state, k));
                    queue.push_back(next);
                }
                Target::State(_) => {}
                Target::Ending(e) => {
                    found.entry(e).or_insert_with(|| {
                        let mut path = path_to(&parent, state);
                        path.push((state, k));
                        path
                    });
                }
            }
        }
        if found.len() == scenario.endings.len() {
            break;
        }
    }
    found
}

/// A state reached in exactly `k` replies, with the highest and lowest score sums it can be
/// reached with and where each came from (index in the previous layer, edge index).
#[derive(Debug, Clone, Copy)]
struct LayerEntry {
    state: u32,
    max: u32,
    max_from: (u32, u32),
    min: u32,
    min_from: (u32, u32),
}

/// The best way found into an ending: the score sum, the path length, and the last step
/// (layer, entry in it, edge index).
#[derive(Debug, Clone, Copy)]
struct Best {
    sum: u32,
    turns: u32,
    layer: u32,
    entry: u32,
    edge: u32,
}

impl Best {
    /// Whether this mean (sum / turns) is above `other`'s, compared without division.
    fn above(&self, other: &Best) -> bool {
        u64::from(self.sum) * u64::from(other.turns) > u64::from(other.sum) * u64::from(self.turns)
    }
}

/// The layers of [`score_extremes`] kept for walking back hold at most this many entries in all
/// (about 300 MB); a looping scenario with very many states gets its ranges over shorter paths.
const MAX_LAYER_ENTRIES: usize = 10_000_000;

/// The lowest- and highest-scoring path into each ending, and how long the paths searched were.
struct Extremes {
    paths: BTreeMap<u32, (EdgePath, EdgePath)>,
    turns_searched: usize,
    /// Whether [`MAX_LAYER_ENTRIES`] stopped the search before `max_turns`.
    cut_short: bool,
}

/// For each ending, the lowest- and highest-scoring paths into it (by mean reply score), over
/// paths of at most `max_turns` replies.
fn score_extremes(graph: &StateGraph, max_turns: usize) -> Extremes {
    let mut best: HashMap<u32, (Best, Best)> = HashMap::new();
    let mut extremes = Extremes {
        paths: BTreeMap::new(),
        turns_searched: 0,
        cut_short: false,
    };
    if graph.states.is_empty() {
        return extremes;
    }
    let mut entries = 1usize;
    let mut layers: Vec<Vec<LayerEntry>> = vec![vec![LayerEntry {
        state: 0,
        max: 0,
        max_from: (0, 0),
        min: 0,
        min_from: (0, 0),
    }]];
    // Where each state sits in the layer being built, reset after each layer.
    let mut slot: Vec<u32> = vec![u32::MAX; graph.states.len()];
    for turns in 1..=max_turns {
        let previous = layers.last().expect("layer 0 exists");
        let mut next: Vec<LayerEntry> = Vec::new();
        for (p, entry) in previous.iter().enumerate() {
            for (k, edge) in graph.edges_of(entry.state).iter().enumerate() {
                let hi = entry.max + u32::from(edge.sum);
                let lo = entry.min + u32::from(edge.sum);
                let from = (p as u32, k as u32);
                match edge.target {
                    Target::State(s) => {
                        let at = slot[s as usize];
                        if at == u32::MAX {
                            slot[s as usize] = next.len() as u32;
                            next.push(LayerEntry {
                                state: s,
                                max: hi,
                                max_from: from,
                                min: lo,
                                min_from: from,
                            });
                        } else {
                            let e = &mut next[at as usize];
                            if hi > e.max {
                                e.max = hi;
                                e.max_from = from;
                            }
                            if lo < e.min {
                                e.min = lo;
                                e.min_from = from;
                            }
                        }
                    }
                    Target::Ending(end) => {
                        let layer = (turns - 1) as u32;
                        let high = Best {
                            sum: hi,
                            turns: turns as u32,
                            layer,
                            entry: p as u32,
                            edge: k as u32,
                        };
                        let low = Best { sum: lo, ..high };
                        let record = best.entry(end).or_insert((low, high));
                        if record.0.above(&low) {
                            record.0 = low;
                        }
                        if high.above(&record.1) {
                            record.1 = high;
                        }
                    }
                }
            }
        }
        for entry in &next {
            slot[entry.state as usize] = u32::MAX;
        }
        extremes.turns_searched = turns;
        if next.is_empty() {
            break;
        }
        entries += next.len();
        layers.push(next);
        if entries > MAX_LAYER_ENTRIES && turns < max_turns {
            extremes.cut_short = true;
            break;
        }
    }
    let walk_back = |b: &Best, highest: bool| {
        let mut path = Vec::with_capacity(b.turns as usize);
        let mut layer = b.layer as usize;
        let mut entry = b.entry as usize;
        path.push((layers[layer][entry].state, b.edge as usize));
        while layer > 0 {
            let e = layers[layer][entry];
            let (prev, edge) = if highest { e.max_from } else { e.min_from };
            layer -= 1;
            entry = prev as usize;
            path.push((layers[layer][entry].state, edge as usize));
        }
        path.reverse();
        path
    };
    extremes.paths = best
        .iter()
        .map(|(&end, (low, high))| (end, (walk_back(low, false), walk_back(high, true))))
        .collect();
    extremes
}

/// The path's inputs, played through a real session from the start.
fn replay_path(
    scenario: &Arc<Scenario>,
    graph: &StateGraph,
    path: &[(u32, usize)],
    seed: u64,
    scorer: Arc<dyn ReplyScorer>,
) -> PlayedPath {
    let mut inputs: Vec<PathInput> = path
        .iter()
        .map(|&(state, k)| {
            let node = graph.states[state as usize].0 as usize;
            let slow_ms = slow_wait_ms(scenario, node);
            let edge = graph.edges_of(state)[k];
            let response = match edge.kind {
                InputKind::Choice(i) => Response::Choice(i),
                kind => Response::Text(typed_text(scenario, node, kind).to_string()),
            };
            let mut label = match edge.kind {
                InputKind::Choice(i) => format!("choice {}", i + 1),
                InputKind::ModelAnswer(i) => format!("model answer {}", i + 1),
                InputKind::Weak(i) => format!("weak reply \"{}\"", POOR_REPLIES[i]),
            };
            if edge.slow {
                label += &format!(" after {} s", slow_ms / 1000);
            }
            PathInput {
                input: TimedResponse {
                    response,
                    elapsed_ms: if edge.slow { slow_ms } else { 0 },
                },
                node: scenario.nodes[node].id.clone(),
                label,
                shown: None,
            }
        })
        .collect();
    let mut session = match Session::new(Arc::clone(scenario), seed, scorer) {
        Ok(s) => s,
        Err(_) => {
            return PlayedPath {
                inputs,
                outcome: None,
            };
        }
    };
    for input in &mut inputs {
        if let (Response::Choice(index), Some(super::Options::Choices(offered))) =
            (&input.input.response, session.prompt().map(|p| p.options))
        {
            input.shown = offered
                .iter()
                .position(|c| c.index == *index)
                .map(|p| p + 1);
            if let Some(shown) = input.shown {
                input.label = input.label.replacen(
                    &format!("choice {}", index + 1),
                    &format!("choice {shown}"),
                    1,
                );
            }
        }
        if session
            .respond(input.input.response.clone(), input.input.elapsed_ms)
            .is_err()
        {
            break;
        }
    }
    PlayedPath {
        outcome: session.outcome().cloned(),
        inputs,
    }
}

/// Whether the node graph has a loop: a choice or route leading back to a node already on the
/// way. Iterative, so a scenario thousands of nodes deep cannot overflow the stack.
fn has_cycle(scenario: &Scenario) -> bool {
    let index: HashMap<&str, usize> = scenario
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let successors: Vec<Vec<usize>> = scenario
        .nodes
        .iter()
        .map(|n| {
            n.next_ids()
                .iter()
                .filter_map(|t| index.get(t).copied())
                .collect()
        })
        .collect();
    // 0 = not visited, 1 = on the current path, 2 = done.
    let mut colour = vec![0u8; scenario.nodes.len()];
    for root in 0..scenario.nodes.len() {
        if colour[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        colour[root] = 1;
        while let Some(top) = stack.len().checked_sub(1) {
            let (node, next_child) = stack[top];
            if let Some(&child) = successors[node].get(next_child) {
                stack[top].1 += 1;
                match colour[child] {
                    1 => return true,
                    0 => {
                        colour[child] = 1;
                        stack.push((child, 0));
                    }
                    _ => {}
                }
            } else {
                colour[node] = 2;
                stack.pop();
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::library::load_source;
    use crate::scoring::Lexicon;
    use crate::scoring::rule_scorer::RuleScorer;
    use crate::session::generated::generated_scenario;

    fn rules() -> Arc<dyn ReplyScorer> {
        Arc::new(RuleScorer::new(Lexicon::builtin()))
    }

    fn shipped(name: &str) -> Arc<Scenario> {
        let path = format!("{}/scenarios/{name}.ron", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).expect("shipped scenario");
        let (scenario, diagnostics) = load_source(&path, &bytes, &Lexicon::builtin());
        Arc::new(scenario.unwrap_or_else(|| panic!("{diagnostics:?}")))
    }

    fn shipped_ids() -> Vec<String> {
        let dir = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
        let mut ids: Vec<String> = std::fs::read_dir(dir)
            .expect("scenarios folder")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".ron") && !n.ends_with(".test.ron"))
            .map(|n| n.trim_end_matches(".ron").to_string())
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn every_shipped_ending_is_reached_and_its_paths_replay_to_it() {
        for id in shipped_ids() {
            let scenario = shipped(&id);
            let report = paths(Arc::clone(&scenario), 1, rules(), &PathLimits::default());
            assert!(
                report.unreachable.is_empty(),
                "{id}: {:?}",
                report.unreachable
            );
            assert!(
                !report.truncated && report.merged_moods == 0,
                "{id}: searched exactly"
            );
            for ending in &report.endings {
                assert!(
                    ending.shortest.reaches(&ending.ending),
                    "{id}: {}",
                    ending.ending
                );
            }
        }
        let scenario = shipped("late-parcel");
        let report = paths(Arc::clone(&scenario), 1, rules(), &PathLimits::default());
        assert_eq!(report.endings.len(), scenario.endings.len());
        for ending in &report.endings {
            assert!(ending.shortest.reaches(&ending.ending), "{}", ending.ending);
            let low = ending.lowest.outcome.as_ref().expect("replayed").overall;
            let high = ending.highest.outcome.as_ref().expect("replayed").overall;
            assert!(low <= high, "{}: {low} > {high}", ending.ending);
            assert!(ending.shortest.inputs.len() <= ending.highest.inputs.len());
            if ending.kind == EndingKind::CustomerLeft {
                assert!(!ending.can_pass());
            }
        }
        // A resolved ending is reached by a path that passes with three stars: the scenario's
        // best play is in the search.
        assert!(
            report
                .endings
                .iter()
                .any(|e| e.kind == EndingKind::Resolved && e.can_pass() && e.max_stars() == 3)
        );
    }

    #[test]
    fn the_highest_path_scores_at_least_any_other_path_found() {
        // Brute force over every input sequence on a small scenario: no path to an ending beats
        // the search's highest or undercuts its lowest (by more than rounding).
        let scenario = shipped("late-parcel");
        let report = paths(Arc::clone(&scenario), 1, rules(), &PathLimits::default());
        let found = crate::session::explore::endings_reached(
            Arc::clone(&scenario),
            1,
            rules(),
            &crate::session::explore::ExploreLimits::default(),
        );
        for (id, path) in found {
            let ending = report
                .endings
                .iter()
                .find(|e| e.ending == id)
                .expect("reached");
            let high = ending.highest.outcome.as_ref().unwrap().overall;
            let low = ending.lowest.outcome.as_ref().unwrap().overall;
            assert!(
                path.outcome.overall <= high + 1,
                "{id}: {} > {high}",
                path.outcome.overall
            );
            assert!(
                path.outcome.overall + 1 >= low,
                "{id}: {} < {low}",
                path.outcome.overall
            );
        }
    }

    #[test]
    fn loops_are_detected_and_bounded() {
        let scenario = Arc::new(generated_scenario(1_000, 7));
        let diagnostics =
            crate::scenario::validate::validate("generated", "", &scenario, &Lexicon::builtin());
        assert!(!diagnostics.iter().any(|d| d.is_error()), "{diagnostics:?}");
        assert!(has_cycle(&scenario));
        let limits = PathLimits {
            max_turns: 30,
            ..PathLimits::default()
        };
        let report = paths(Arc::clone(&scenario), 1, rules(), &limits);
        assert!(report.has_cycle);
        assert!(report.max_turns <= 30);
        for ending in &report.endings {
            assert!(ending.highest.inputs.len() <= 30);
        }
        assert!(!has_cycle(&shipped("late-parcel")));
    }

    #[test]
    fn a_ten_thousand_node_scenario_is_searched_to_every_ending() {
        let scenario = Arc::new(generated_scenario(10_000, 3));
        let report = paths(Arc::clone(&scenario), 1, rules(), &PathLimits::default());
        assert_eq!(
            report.endings.len(),
            3,
            "unreachable: {:?}; {} states, truncated {}",
            report.unreachable,
            report.states,
            report.truncated
        );
        for ending in &report.endings {
            assert!(ending.shortest.reaches(&ending.ending), "{}", ending.ending);
        }
    }
}
