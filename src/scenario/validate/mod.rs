//! Semantic checks on a parsed scenario. Collects every problem in one pass, compiler-style,
//! each pointing at the line and column of the field at fault. One file per pass: the
//! scenario's own fields (`metadata`), each node (`nodes`), and the conversation's graph
//! (`graph`); the ids and targets they share are here.

mod consistency;
mod graph;
mod habits;
mod metadata;
pub(crate) use metadata::is_kebab_case;
mod nodes;

use std::collections::HashMap;

use super::diagnostic::{Diagnostic, Reporter, Severity, did_you_mean};
use super::model::Scenario;
use super::mood::MoodDelta;
use super::rule::KnownRules;
use super::span_index::Step;
use super::visible_text::hidden_char_in_id;

use Step::{Field as F, Index as I};

/// More choices than this cannot all be picked with the number keys.
pub const MAX_CHOICES: usize = 9;

/// Accept and forbidden phrases in one rubric, together. Each is tried, typo-tolerantly, at
/// every word of a reply, so the time to score grows with phrases × reply length; no real
/// rubric needs more than a few dozen.
pub const MAX_RUBRIC_PHRASES: usize = 300;

/// Checks `scenario`, parsed from `text` in `file`; rule ids it names must be among `rules`.
pub fn validate(
    file: &str,
    text: &str,
    scenario: &Scenario,
    rules: &dyn KnownRules,
) -> Vec<Diagnostic> {
    let mut r = Reporter::new(file, text);
    metadata::check_metadata(&mut r, scenario);
    metadata::check_persona(&mut r, scenario);
    metadata::check_case_file(&mut r, scenario);
    for (i, id) in scenario.scoring.disable.iter().enumerate() {
        check_rule_id(&mut r, &[F("scoring"), F("disable"), I(i)], id, rules);
    }
    check_scenario_rules(&mut r, scenario);
    let targets = check_ids(&mut r, scenario);
    nodes::check_nodes(&mut r, scenario, &targets, rules);
    graph::check_endings(&mut r, scenario);
    graph::check_graph(&mut r, scenario, &targets);
    habits::check_longest_choice(&mut r, scenario);
    consistency::check_social_handles(&mut r, scenario);
    consistency::check_case_file_quotes(&mut r, scenario);
    consistency::check_ending_texts_by_score(&mut r, scenario);
    consistency::check_choices_fit_every_line(&mut r, scenario);
    r.out.sort_by_key(|d| (d.line, d.col));
    r.out
}

/// A scenario's own rules are checked as the lexicon's are: ids, weights, texts, patterns.
fn check_scenario_rules(r: &mut Reporter<'_>, scenario: &Scenario) {
    let mut seen = std::collections::HashSet::new();
    for (i, rule) in scenario.scoring.rules.iter().enumerate() {
        let at = |field: &'static str| [F("scoring"), F("rules"), I(i), F(field)];
        rule.check(r, &[F("scoring"), F("rules"), I(i)], &mut seen);
        if rule.patterns.iter().all(|p| p.trim().is_empty()) {
            r.error(
                &at("patterns"),
                "empty-list",
                format!(
                    "scenario rule \"{}\" has no patterns, so it can never fire",
                    rule.id
                ),
            );
        }
    }
}

fn check_rule_id(r: &mut Reporter<'_>, path: &[Step<'_>], id: &str, rules: &dyn KnownRules) {
    if !rules.knows_rule(id) {
        let help = did_you_mean(id, rules.rule_ids())
            .map(|c| format!("did you mean \"{c}\"?"))
            .or_else(|| Some("rule ids are listed in assets/scoring/lexicon.ron".into()));
        r.report(
            Severity::Error,
            path,
            "unknown-rule",
            format!("unknown scoring rule \"{id}\""),
            help,
        );
    }
}

/// What a `next` may point at: a node (by index) or an ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Node(usize),
    Ending,
}

fn check_ids<'s>(r: &mut Reporter<'_>, s: &'s Scenario) -> HashMap<&'s str, Target> {
    let mut targets: HashMap<&str, Target> = HashMap::new();
    let ids = s
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), F("nodes"), i, Target::Node(i)))
        .chain(
            s.endings
                .iter()
                .enumerate()
                .map(|(i, e)| (e.id.as_str(), F("endings"), i, Target::Ending)),
        );
    for (id, list, i, target) in ids {
        let path = [list, I(i), F("id")];
        if id.trim().is_empty() {
            r.error(&path, "empty-text", "id is empty".into());
            continue;
        }
        // Two ids that print the same must not be two ids: "a" and "a" + a zero-width space
        // would each be "defined", and a route to the wrong one would look right.
        if let Some(c) = hidden_char_in_id(id) {
            r.report(
                Severity::Error,
                &path,
                "hidden-character",
                format!(
                    "id \"{id}\" contains a character that cannot be seen (U+{:04X})",
                    c as u32
                ),
                Some("retype the id with letters, digits and hyphens only".into()),
            );
        }
        // The first definition wins, so references resolve to it and only the copy is flagged.
        if targets.contains_key(id) {
            r.report(
                Severity::Error,
                &path,
                "duplicate-id",
                format!("id \"{id}\" is used more than once"),
                Some("node and ending ids share one namespace; rename one".into()),
            );
        } else {
            targets.insert(id, target);
        }
    }
    targets
}

fn check_target(
    r: &mut Reporter<'_>,
    path: &[Step<'_>],
    what: &str,
    next: &str,
    targets: &HashMap<&str, Target>,
) {
    if targets.contains_key(next) {
        return;
    }
    let help =
        did_you_mean(next, targets.keys().copied()).map(|c| format!("did you mean \"{c}\"?"));
    r.report(
        Severity::Error,
        path,
        "unknown-target",
        format!("{what} goes to unknown node \"{next}\""),
        help,
    );
}

fn check_mood_delta(r: &mut Reporter<'_>, path: &[Step<'_>], delta: &MoodDelta) {
    for (field, value) in [
        ("anger", delta.anger),
        ("confusion", delta.confusion),
        ("trust", delta.trust),
    ] {
        let mut full = path.to_vec();
        full.push(F(field));
        r.require_range(
            &full,
            &format!("mood change to {field}"),
            value.into(),
            -100,
            100,
        );
    }
}
