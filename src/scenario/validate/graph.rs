//! The conversation as a graph: the start, the endings, what can be reached from the start and
//! what can still reach an ending.

use std::collections::{HashMap, HashSet, VecDeque};

use super::Target;
use crate::scenario::diagnostic::{Reporter, Severity, did_you_mean};
use crate::scenario::model::{EndingKind, Happened, Scenario, Turn};
use crate::scenario::span_index::Step;

use Step::{Field as F, Index as I};

pub(super) fn check_endings(r: &mut Reporter<'_>, s: &Scenario) {
    if s.endings.is_empty() {
        r.error(
            &[F("endings")],
            "no-endings",
            "the scenario has no endings".into(),
        );
    } else if !s.endings.iter().any(|e| e.kind == EndingKind::Resolved) {
        r.warn(
            &[F("endings")],
            "no-resolved-ending",
            "no ending resolves the customer's problem".into(),
        );
    }
    let facts: Vec<&str> = s
        .nodes
        .iter()
        .filter_map(|n| match &n.turn {
            Turn::FreeText(free) => Some(free.rubric.facts.iter().map(|f| f.id.as_str())),
            Turn::Choices(_) => None,
        })
        .flatten()
        .collect();
    for (i, ending) in s.endings.iter().enumerate() {
        r.require_text(
            &[F("endings"), I(i), F("text")],
            &format!("ending \"{}\" text", ending.id),
            &ending.text,
        );
        for (v, variant) in ending.variants.iter().enumerate() {
            let at = |field| [F("endings"), I(i), F("variants"), I(v), F(field)];
            r.require_text(
                &at("text"),
                &format!("ending \"{}\" variant {} text", ending.id, v + 1),
                &variant.text,
            );
            if variant.when.is_empty() {
                r.error(
                    &at("when"),
                    "empty-list",
                    format!(
                        "variant {} of ending \"{}\" has no conditions, so it always shows and the ending's own text never does; give it conditions or make it the ending's text",
                        v + 1,
                        ending.id
                    ),
                );
            }
            for (w, happened) in variant.when.iter().enumerate() {
                let path = [F("endings"), I(i), F("variants"), I(v), F("when"), I(w)];
                match happened {
                    Happened::Stated(fact) | Happened::NotStated(fact)
                        if !facts.contains(&fact.as_str()) =>
                    {
                        r.error(
                            &path,
                            "unknown-fact",
                            format!(
                                "no node's rubric has a fact \"{fact}\"; the facts are: {}",
                                facts.join(", ")
                            ),
                        );
                    }
                    Happened::Visited(node) | Happened::NotVisited(node)
                        if !s.nodes.iter().any(|n| &n.id == node) =>
                    {
                        r.error(
                            &path,
                            "unknown-node",
                            format!("no node is called \"{node}\""),
                        );
                    }
                    _ => {}
                }
            }
        }
    }
    if s.nodes.is_empty() {
        r.error(
            &[F("nodes")],
            "empty-list",
            "the scenario has no nodes".into(),
        );
    }
}

/// Every `next` of node `n`, in file order.
fn successors(s: &Scenario, n: usize) -> Vec<&str> {
    s.nodes[n].next_ids()
}

pub(super) fn check_graph(r: &mut Reporter<'_>, s: &Scenario, targets: &HashMap<&str, Target>) {
    let Some(start) = start_node(r, s, targets) else {
        return;
    };
    let edges: Vec<Vec<Target>> = (0..s.nodes.len())
        .map(|n| {
            successors(s, n)
                .into_iter()
                .filter_map(|id| targets.get(id).copied())
                .collect()
        })
        .collect();
    let (reached, mut reached_endings) = reachable_from(s, start, &edges);
    if let Some(walkout) = &s.persona.walkout {
        reached_endings.insert(walkout.ending.as_str());
    }
    let can_end = can_reach_an_ending(&edges);

    for (n, node) in s.nodes.iter().enumerate() {
        if targets.get(node.id.as_str()) != Some(&Target::Node(n)) {
            // A duplicate id: already reported, and nothing can point at this copy.
            continue;
        }
        if !reached[n] {
            r.report(
                Severity::Warning,
                &[F("nodes"), I(n), F("id")],
                "unreachable",
                format!("node \"{}\" can never be reached from the start", node.id),
                Some("point a choice or route at it, or delete it".into()),
            );
        } else if !can_end[n] {
            r.report(
                Severity::Error,
                &[F("nodes"), I(n), F("id")],
                "no-way-out",
                format!("node \"{}\" has no path to any ending", node.id),
                Some("a trainee who gets here loops forever; route one of its replies towards an ending".into()),
            );
        }
    }
    for (i, ending) in s.endings.iter().enumerate() {
        if !reached_endings.contains(ending.id.as_str()) {
            r.report(
                Severity::Warning,
                &[F("endings"), I(i), F("id")],
                "unreachable",
                format!("ending \"{}\" can never be reached", ending.id),
                Some("point a choice or route at it (or the walkout at it), or delete it".into()),
            );
        }
    }
}

/// The start node's index, or `None` with an error when `start` names an ending or nothing.
fn start_node(
    r: &mut Reporter<'_>,
    s: &Scenario,
    targets: &HashMap<&str, Target>,
) -> Option<usize> {
    match targets.get(s.start.as_str()) {
        Some(Target::Node(i)) => Some(*i),
        Some(Target::Ending) => {
            r.error(
                &[F("start")],
                "start-is-ending",
                format!("start \"{}\" is an ending, not a node", s.start),
            );
            None
        }
        None => {
            let help = did_you_mean(&s.start, s.nodes.iter().map(|n| n.id.as_str()))
                .map(|c| format!("did you mean \"{c}\"?"));
            r.report(
                Severity::Error,
                &[F("start")],
                "unknown-target",
                format!("start node \"{}\" does not exist", s.start),
                help,
            );
            None
        }
    }
}

/// Forward from `start`: which nodes a trainee can reach, and which endings.
fn reachable_from<'s>(
    s: &'s Scenario,
    start: usize,
    edges: &[Vec<Target>],
) -> (Vec<bool>, HashSet<&'s str>) {
    let mut reached = vec![false; s.nodes.len()];
    let mut reached_endings: HashSet<&str> = HashSet::new();
    let mut queue = VecDeque::from([start]);
    reached[start] = true;
    while let Some(n) = queue.pop_front() {
        for (id, target) in successors(s, n).into_iter().zip(&edges[n]) {
            match *target {
                Target::Node(m) if !reached[m] => {
                    reached[m] = true;
                    queue.push_back(m);
                }
                Target::Node(_) => {}
                Target::Ending => {
                    reached_endings.insert(id);
                }
            }
        }
    }
    (reached, reached_endings)
}

/// Backward from the endings: which nodes can still reach one.
fn can_reach_an_ending(edges: &[Vec<Target>]) -> Vec<bool> {
    let mut predecessors: Vec<Vec<usize>> = vec![Vec::new(); edges.len()];
    let mut can_end = vec![false; edges.len()];
    let mut queue = VecDeque::new();
    for (n, outs) in edges.iter().enumerate() {
        for target in outs {
            match *target {
                Target::Node(m) => predecessors[m].push(n),
                Target::Ending if !can_end[n] => {
                    can_end[n] = true;
                    queue.push_back(n);
                }
                Target::Ending => {}
            }
        }
    }
    while let Some(m) = queue.pop_front() {
        for &n in &predecessors[m] {
            if !can_end[n] {
                can_end[n] = true;
                queue.push_back(n);
            }
        }
    }
    can_end
}
