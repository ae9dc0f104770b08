//! Semantic checks on a parsed scenario. Collects every problem in one pass, compiler-style,
//! each pointing at the line and column of the field at fault.

use std::collections::{HashMap, HashSet, VecDeque};

use super::diagnostic::{Diagnostic, Reporter, Severity, did_you_mean};
use super::model::{Condition, EndingKind, MAX_TIER, Scenario, Turn};
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
    check_metadata(&mut r, scenario);
    check_persona(&mut r, scenario);
    check_case_file(&mut r, scenario);
    for (i, id) in scenario.scoring.disable.iter().enumerate() {
        check_rule_id(&mut r, &[F("scoring"), F("disable"), I(i)], id, rules);
    }
    let targets = check_ids(&mut r, scenario);
    check_nodes(&mut r, scenario, &targets, rules);
    check_endings(&mut r, scenario);
    check_graph(&mut r, scenario, &targets);
    r.out.sort_by_key(|d| (d.line, d.col));
    r.out
}

fn check_metadata(r: &mut Reporter<'_>, s: &Scenario) {
    r.require_text(&[F("id")], "scenario id", &s.id);
    if !is_kebab_case(&s.id) && !s.id.trim().is_empty() {
        r.report(
            Severity::Warning,
            &[F("id")],
            "id-style",
            format!("scenario id \"{}\" is not kebab-case", s.id),
            Some("use lowercase words joined by hyphens, e.g. \"late-parcel\"".into()),
        );
    }
    r.require_text(&[F("title")], "title", &s.title);
    r.require_text(&[F("summary")], "summary", &s.summary);
    r.require_range(
        &[F("version")],
        "version",
        s.version.into(),
        1,
        u32::MAX.into(),
    );
    r.require_range(&[F("tier")], "tier", s.tier.into(), 1, MAX_TIER.into());
    r.require_range(
        &[F("minutes")],
        "estimated minutes",
        s.minutes.into(),
        1,
        120,
    );
    if s.objectives.is_empty() {
        r.error(
            &[F("objectives")],
            "empty-list",
            "the scenario lists no learning objectives".into(),
        );
    }
    for (i, objective) in s.objectives.iter().enumerate() {
        r.require_text(
            &[F("objectives"), I(i)],
            &format!("objective {}", i + 1),
            objective,
        );
    }
    for (i, tag) in s.tags.iter().enumerate() {
        r.require_text(&[F("tags"), I(i)], &format!("tag {}", i + 1), tag);
    }
    if let Some(subject) = &s.subject {
        r.require_text(&[F("subject")], "subject", subject);
    }
    r.require_range(&[F("pass_mark")], "pass mark", s.pass_mark.into(), 0, 100);
    r.require_range(
        &[F("three_star_mark")],
        "three-star mark",
        s.three_star_mark.into(),
        0,
        100,
    );
    // Compared with the pass mark only when both are in range: "must be between 255 and 100"
    // would send the trainer looking at the wrong field.
    if s.pass_mark <= 100 && s.three_star_mark <= 100 && s.three_star_mark < s.pass_mark {
        r.report(
            Severity::Error,
            &[F("three_star_mark")],
            "three-star-below-pass",
            format!(
                "the three-star mark ({}) is below the pass mark ({})",
                s.three_star_mark, s.pass_mark
            ),
            Some(
                "three stars must be at least a pass: raise three_star_mark or lower pass_mark"
                    .into(),
            ),
        );
    }
}

fn check_persona(r: &mut Reporter<'_>, s: &Scenario) {
    let p = &s.persona;
    r.require_text(&[F("persona"), F("name")], "persona name", &p.name);
    r.require_text(
        &[F("persona"), F("backstory")],
        "persona backstory",
        &p.backstory,
    );
    let mood = [
        ("anger", p.mood.anger),
        ("confusion", p.mood.confusion),
        ("trust", p.mood.trust),
    ];
    for (field, value) in mood {
        let path = [F("persona"), F("mood"), F(field)];
        r.require_range(&path, &format!("starting {field}"), value.into(), 0, 100);
    }
    r.require_range(
        &[F("persona"), F("patience_secs")],
        "patience",
        p.patience_secs.into(),
        1,
        600,
    );
    for (i, trigger) in p.triggers.iter().enumerate() {
        r.require_text(
            &[F("persona"), F("triggers"), I(i)],
            &format!("trigger {}", i + 1),
            trigger,
        );
    }
    if let Some(walkout) = &p.walkout {
        let path = [F("persona"), F("walkout")];
        r.require_range(
            &[path[0], path[1], F("anger")],
            "walkout anger",
            walkout.anger.into(),
            1,
            100,
        );
        match s.ending(&walkout.ending) {
            None => {
                let help = did_you_mean(&walkout.ending, s.endings.iter().map(|e| e.id.as_str()))
                    .map(|c| format!("did you mean \"{c}\"?"));
                r.report(
                    Severity::Error,
                    &[path[0], path[1], F("ending")],
                    "unknown-target",
                    format!("walkout goes to unknown ending \"{}\"", walkout.ending),
                    help,
                );
            }
            Some(ending) if ending.kind != EndingKind::CustomerLeft => r.warn(
                &[path[0], path[1], F("ending")],
                "walkout-kind",
                format!(
                    "walkout ending \"{}\" is not a CustomerLeft ending",
                    ending.id
                ),
            ),
            Some(_) => {}
        }
    }
}

fn check_case_file(r: &mut Reporter<'_>, s: &Scenario) {
    for (i, fact) in s.case_file.facts.iter().enumerate() {
        let base = [F("case_file"), F("facts"), I(i)];
        r.require_text(
            &[base[0], base[1], base[2], F("label")],
            "fact label",
            &fact.label,
        );
        r.require_text(
            &[base[0], base[1], base[2], F("value")],
            "fact value",
            &fact.value,
        );
    }
    for (i, policy) in s.case_file.policies.iter().enumerate() {
        let base = [F("case_file"), F("policies"), I(i)];
        r.require_text(
            &[base[0], base[1], base[2], F("title")],
            "policy title",
            &policy.title,
        );
        r.require_text(
            &[base[0], base[1], base[2], F("text")],
            "policy text",
            &policy.text,
        );
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

fn check_nodes(
    r: &mut Reporter<'_>,
    s: &Scenario,
    targets: &HashMap<&str, Target>,
    rules: &dyn KnownRules,
) {
    for (n, node) in s.nodes.iter().enumerate() {
        let at = |rest: &[Step<'static>]| -> Vec<Step<'static>> {
            let mut path = vec![F("nodes"), I(n)];
            path.extend_from_slice(rest);
            path
        };
        let line = &node.customer;
        if line.calm.is_empty() && line.annoyed.is_empty() && line.irate.is_empty() {
            r.error(
                &at(&[F("customer")]),
                "no-customer-line",
                format!("node \"{}\" gives the customer nothing to say", node.id),
            );
        }
        for (band, lines) in [
            ("calm", &line.calm),
            ("annoyed", &line.annoyed),
            ("irate", &line.irate),
        ] {
            for (i, text) in lines.iter().enumerate() {
                r.require_text(
                    &at(&[F("customer"), F(band), I(i)]),
                    &format!("{band} line {}", i + 1),
                    text,
                );
            }
        }
        match &node.turn {
            Turn::Choices(choices) => {
                if choices.is_empty() {
                    r.error(
                        &at(&[F("turn")]),
                        "empty-list",
                        format!("node \"{}\" offers no choices", node.id),
                    );
                }
                if choices.len() > MAX_CHOICES {
                    r.warn(
                        &at(&[F("turn")]),
                        "too-many-choices",
                        format!(
                            "{} choices; only the first {MAX_CHOICES} have number keys",
                            choices.len()
                        ),
                    );
                }
                for (c, choice) in choices.iter().enumerate() {
                    let here = |field: &'static str| at(&[F("turn"), I(c), F(field)]);
                    let label = format!("choice {}", c + 1);
                    r.require_text(&here("text"), &format!("{label} text"), &choice.text);
                    for (field, value) in [
                        ("empathy", choice.scores.empathy),
                        ("accuracy", choice.scores.accuracy),
                        ("deescalation", choice.scores.deescalation),
                    ] {
                        let path = at(&[F("turn"), I(c), F("scores"), F(field)]);
                        r.require_range(
                            &path,
                            &format!("{label} {field} score"),
                            value.into(),
                            0,
                            100,
                        );
                    }
                    if choice.feedback.trim().is_empty() {
                        r.report(
                            Severity::Warning,
                            &at(&[F("turn"), I(c)]),
                            "no-feedback",
                            format!("{label} has no feedback"),
                            Some(
                                "say why this reply lands the way it does; trainees learn from it"
                                    .into(),
                            ),
                        );
                    }
                    check_mood_delta(r, &here("mood"), &choice.mood);
                    check_target(r, &here("next"), &label, &choice.next, targets);
                }
            }
            Turn::FreeText(free) => {
                r.require_text(
                    &at(&[F("turn"), F("prompt")]),
                    "free-text prompt",
                    &free.prompt,
                );
                let rubric = &free.rubric;
                if rubric.model_answers.is_empty() {
                    r.report(
                        Severity::Error,
                        &at(&[F("turn"), F("rubric")]),
                        "no-model-answer",
                        format!("free-text turn at node \"{}\" has no model answer", node.id),
                        Some("add `model_answers: [\"…\"]`; the debrief shows it beside the trainee's reply".into()),
                    );
                }
                for (i, answer) in rubric.model_answers.iter().enumerate() {
                    let path = at(&[F("turn"), F("rubric"), F("model_answers"), I(i)]);
                    r.require_text(&path, &format!("model answer {}", i + 1), answer);
                }
                if rubric.facts.is_empty() && rubric.forbidden.is_empty() {
                    r.warn(
                        &at(&[F("turn"), F("rubric")]),
                        "no-facts",
                        format!("free-text turn at node \"{}\" has no facts or forbidden claims to judge accuracy by", node.id),
                    );
                }
                for (i, fact) in rubric.facts.iter().enumerate() {
                    let path = at(&[F("turn"), F("rubric"), F("facts"), I(i)]);
                    r.require_text(&path, &format!("fact {} id", i + 1), &fact.id);
                    if fact.accept.iter().all(|a| a.trim().is_empty()) {
                        r.error(
                            &path,
                            "empty-list",
                            format!("fact \"{}\" accepts no phrasing", fact.id),
                        );
                    }
                }
                for (i, claim) in rubric.forbidden.iter().enumerate() {
                    let path = at(&[F("turn"), F("rubric"), F("forbidden"), I(i)]);
                    r.require_text(&path, &format!("forbidden claim {} id", i + 1), &claim.id);
                    r.require_text(
                        &path,
                        &format!("forbidden claim \"{}\" reason", claim.id),
                        &claim.why,
                    );
                    if claim.phrases.iter().all(|p| p.trim().is_empty()) {
                        r.error(
                            &path,
                            "empty-list",
                            format!("forbidden claim \"{}\" lists no phrases", claim.id),
                        );
                    }
                }
                let phrases: usize = rubric.facts.iter().map(|f| f.accept.len()).sum::<usize>()
                    + rubric
                        .forbidden
                        .iter()
                        .map(|c| c.phrases.len())
                        .sum::<usize>();
                if phrases > MAX_RUBRIC_PHRASES {
                    r.report(
                        Severity::Error,
                        &at(&[F("turn"), F("rubric")]),
                        "rubric-too-large",
                        format!(
                            "the rubric at node \"{}\" lists {phrases} phrases; at most {MAX_RUBRIC_PHRASES} are allowed",
                            node.id
                        ),
                        Some("word endings, typos and number forms already match; keep the distinct phrasings".into()),
                    );
                }
                for (i, id) in rubric.rules.iter().enumerate() {
                    check_rule_id(
                        r,
                        &at(&[F("turn"), F("rubric"), F("rules"), I(i)]),
                        id,
                        rules,
                    );
                }
                check_routes(r, s, n, targets);
            }
        }
    }
}

fn check_routes(r: &mut Reporter<'_>, s: &Scenario, n: usize, targets: &HashMap<&str, Target>) {
    let Turn::FreeText(free) = &s.nodes[n].turn else {
        return;
    };
    let route_path =
        |i: usize, field: &'static str| [F("nodes"), I(n), F("turn"), F("routes"), I(i), F(field)];
    if free.routes.is_empty() {
        r.error(
            &[F("nodes"), I(n), F("turn"), F("routes")],
            "empty-list",
            format!("free-text turn at node \"{}\" has no routes", s.nodes[n].id),
        );
        return;
    }
    let mut fallback_at = None;
    for (i, route) in free.routes.iter().enumerate() {
        let label = format!("route {}", i + 1);
        if let Some(first) = fallback_at {
            r.warn(
                &route_path(i, "when"),
                "unreachable-route",
                format!("{label} can never be taken: route {first} is `Otherwise`"),
            );
        }
        let threshold = match route.when {
            Condition::ScoreAtLeast(v)
            | Condition::ScoreBelow(v)
            | Condition::AngerAtLeast(v)
            | Condition::AngerBelow(v)
            | Condition::TrustAtLeast(v)
            | Condition::ConfusionAtLeast(v) => Some(v),
            Condition::Otherwise => {
                fallback_at.get_or_insert(i + 1);
                None
            }
        };
        if let Some(v) = threshold {
            r.require_range(
                &route_path(i, "when"),
                &format!("{label} threshold"),
                v.into(),
                0,
                100,
            );
        }
        check_target(r, &route_path(i, "next"), &label, &route.next, targets);
    }
    if fallback_at.is_none() {
        r.report(
            Severity::Error,
            &[F("nodes"), I(n), F("turn"), F("routes")],
            "no-fallback-route",
            format!("routes at node \"{}\" have no `Otherwise` fallback", s.nodes[n].id),
            Some("end the list with `Route(when: Otherwise, next: \"…\")` so every reply goes somewhere".into()),
        );
    }
}

fn check_endings(r: &mut Reporter<'_>, s: &Scenario) {
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
    for (i, ending) in s.endings.iter().enumerate() {
        r.require_text(
            &[F("endings"), I(i), F("text")],
            &format!("ending \"{}\" text", ending.id),
            &ending.text,
        );
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
    match &s.nodes[n].turn {
        Turn::Choices(choices) => choices.iter().map(|c| c.next.as_str()).collect(),
        Turn::FreeText(free) => free.routes.iter().map(|r| r.next.as_str()).collect(),
    }
}

fn check_graph(r: &mut Reporter<'_>, s: &Scenario, targets: &HashMap<&str, Target>) {
    let start = match targets.get(s.start.as_str()) {
        Some(Target::Node(i)) => *i,
        Some(Target::Ending) => {
            r.error(
                &[F("start")],
                "start-is-ending",
                format!("start \"{}\" is an ending, not a node", s.start),
            );
            return;
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
            return;
        }
    };
    let edges: Vec<Vec<Target>> = (0..s.nodes.len())
        .map(|n| {
            successors(s, n)
                .into_iter()
                .filter_map(|id| targets.get(id).copied())
                .collect()
        })
        .collect();

    // Forward: what the trainee can reach from the start.
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
    if let Some(walkout) = &s.persona.walkout {
        reached_endings.insert(walkout.ending.as_str());
    }

    // Backward: which nodes can still reach some ending.
    let mut predecessors: Vec<Vec<usize>> = vec![Vec::new(); s.nodes.len()];
    let mut can_end = vec![false; s.nodes.len()];
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
            r.warn(
                &[F("endings"), I(i), F("id")],
                "unreachable",
                format!("ending \"{}\" can never be reached", ending.id),
            );
        }
    }
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
