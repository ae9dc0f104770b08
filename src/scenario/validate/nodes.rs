//! Each node: what the customer says, the choices or the free-text rubric, and its routes.

use std::collections::HashMap;

use super::{
    MAX_CHOICES, MAX_RUBRIC_PHRASES, Target, check_mood_delta, check_rule_id, check_target,
};
use crate::scenario::diagnostic::{Reporter, Severity};
use crate::scenario::model::{Choice, Condition, FreeText, Node, Scenario, Turn};
use crate::scenario::mood::Mood;
use crate::scenario::rule::KnownRules;
use crate::scenario::span_index::Step;

use Step::{Field as F, Index as I};

pub(super) fn check_nodes(
    r: &mut Reporter<'_>,
    s: &Scenario,
    targets: &HashMap<&str, Target>,
    rules: &dyn KnownRules,
) {
    for (n, node) in s.nodes.iter().enumerate() {
        check_customer_lines(r, n, node);
        match &node.turn {
            Turn::Choices(choices) => check_choices(r, n, node, choices, targets),
            Turn::FreeText(free) => {
                check_free_text(r, n, node, free, rules);
                check_routes(r, s, n, targets);
            }
        }
    }
}

/// The path to `rest` inside node `n`.
fn node_path(n: usize, rest: &[Step<'static>]) -> Vec<Step<'static>> {
    let mut path = vec![F("nodes"), I(n)];
    path.extend_from_slice(rest);
    path
}

/// The customer has something to say in some band, and no line is blank.
fn check_customer_lines(r: &mut Reporter<'_>, n: usize, node: &Node) {
    let at = |rest: &[Step<'static>]| node_path(n, rest);
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
}

/// A choice turn: some choices, at most the number keys, each with text, scores in range,
/// feedback, a sane mood change and a known target.
fn check_choices(
    r: &mut Reporter<'_>,
    n: usize,
    node: &Node,
    choices: &[Choice],
    targets: &HashMap<&str, Target>,
) {
    let at = |rest: &[Step<'static>]| node_path(n, rest);
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
                Some("say why this reply lands the way it does; trainees learn from it".into()),
            );
        }
        check_mood_delta(r, &here("mood"), &choice.mood);
        check_target(r, &here("next"), &label, &choice.next, targets);
        if let Some(when) = choice.when {
            check_choice_condition(r, &here("when"), &label, when);
        }
    }
    if let Some(mood) = mood_offered_nothing(choices) {
        r.report(
            Severity::Warning,
            &at(&[F("turn")]),
            "no-choice-offered",
            format!(
                "at node \"{}\" a customer at anger {}, confusion {}, trust {} is offered none of the choices (every one has a `when` that fails); the trainee is then shown them all",
                node.id, mood.anger, mood.confusion, mood.trust
            ),
            Some("leave `when` off one choice, or give the choices conditions that cover every mood (AngerBelow(50) and AngerAtLeast(50))".into()),
        );
    }
}

/// A choice's `when`: a mood condition with a threshold in 0–100.
fn check_choice_condition(r: &mut Reporter<'_>, path: &[Step<'_>], label: &str, when: Condition) {
    match when {
        Condition::ScoreAtLeast(_) | Condition::ScoreBelow(_) => r.report(
            Severity::Error,
            path,
            "choice-when-score",
            format!("{label} is offered on a score, which is known only after the reply"),
            Some("a choice's `when` tests the mood: AngerAtLeast, AngerBelow, TrustAtLeast or ConfusionAtLeast".into()),
        ),
        Condition::AngerAtLeast(v)
        | Condition::AngerBelow(v)
        | Condition::TrustAtLeast(v)
        | Condition::ConfusionAtLeast(v) => {
            r.require_range(path, &format!("{label} `when` threshold"), v.into(), 0, 100);
        }
        Condition::Otherwise => {}
    }
}

/// A mood in which no choice is offered, if there is one. Each meter is tried at 0, 100 and
/// either side of every threshold the choices name, which covers every case.
fn mood_offered_nothing(choices: &[Choice]) -> Option<Mood> {
    if choices.iter().any(|c| c.when.is_none()) {
        return None;
    }
    let mut values: [Vec<u8>; 3] = [vec![0, 100], vec![0, 100], vec![0, 100]];
    for when in choices.iter().filter_map(|c| c.when) {
        let (meter, v) = match when {
            Condition::AngerAtLeast(v) | Condition::AngerBelow(v) => (0, v),
            Condition::ConfusionAtLeast(v) => (1, v),
            Condition::TrustAtLeast(v) => (2, v),
            _ => continue,
        };
        values[meter].extend([v.saturating_sub(1), v.min(100)]);
    }
    for &anger in &values[0] {
        for &confusion in &values[1] {
            for &trust in &values[2] {
                let mood = Mood {
                    anger,
                    confusion,
                    trust,
                };
                if !choices.iter().any(|c| c.offered_in(mood)) {
                    return Some(mood);
                }
            }
        }
    }
    None
}

/// A free-text turn's prompt and rubric: model answers, facts, forbidden claims, the phrase
/// limit and the rules it names. Its routes are checked by [`check_routes`].
fn check_free_text(
    r: &mut Reporter<'_>,
    n: usize,
    node: &Node,
    free: &FreeText,
    rules: &dyn KnownRules,
) {
    let at = |rest: &[Step<'static>]| node_path(n, rest);
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
            Some(
                "add `model_answers: [\"…\"]`; the debrief shows it beside the trainee's reply"
                    .into(),
            ),
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
        for (j, phrase) in claim.phrases.iter().enumerate() {
            let phrase_path = at(&[
                F("turn"),
                F("rubric"),
                F("forbidden"),
                I(i),
                F("phrases"),
                I(j),
            ]);
            for fact in &rubric.facts {
                if let Some(accept) = fact
                    .accept
                    .iter()
                    .find(|a| !phrase.trim().is_empty() && contains_words(a, phrase))
                {
                    r.report(
                        Severity::Warning,
                        &phrase_path,
                        "fact-trips-forbidden",
                        format!(
                            "forbidden phrase \"{phrase}\" is inside \"{accept}\", an accepted phrasing of fact \"{}\": stating the fact that way also makes the claim",
                            fact.id
                        ),
                        Some("make the forbidden phrase longer than the accepted one, or drop one of them".into()),
                    );
                }
            }
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

/// Whether `phrase`'s words appear, in order and together, among `text`'s (case-insensitive).
fn contains_words(text: &str, phrase: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '$' || c == '.'))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (text, phrase) = (words(text), words(phrase));
    !phrase.is_empty() && text.windows(phrase.len()).any(|w| w == phrase.as_slice())
}
