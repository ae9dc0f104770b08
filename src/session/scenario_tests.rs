//! Scenario tests: a `NAME.test.ron` file beside a scenario holds whole input scripts with the
//! ending they should reach, and golden typed replies with score bounds, the route they should
//! take and the facts they should state. `holdline test` runs them; each failure is located at
//! its `file:line:col`. Bounds rather than exact values, so a scorer change moves a test only when
//! it changes what a reply is worth. `docs/scenario-tests.md` documents the format.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Deserialize;

use super::{Next, Response, Session, TurnResult};
use crate::scenario::diagnostic::{Diagnostic, Reporter, did_you_mean};
use crate::scenario::load::{RonKind, decode, parse_ron};
use crate::scenario::model::{EndingKind, Scenario, Turn};
use crate::scenario::mood::Mood;
use crate::scenario::span_index::Step;
use crate::scoring::{ReplyScore, ReplyScorer};

/// The tests of one scenario, as written in its test file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioTests {
    /// The id of the scenario tested.
    pub scenario: String,
    /// Seed the customer's lines are picked with; 1 by default, as in `holdline play`.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Whole conversations played from the start.
    #[serde(default)]
    pub scripts: Vec<Script>,
    /// Typed replies judged at one node each.
    #[serde(default)]
    pub replies: Vec<GoldenReply>,
}

fn default_seed() -> u64 {
    1
}

/// Inclusive bounds on a score, `(low, high)`, each 0–100.
pub type Bounds = (u8, u8);

/// A whole conversation and what it should come to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// What the script shows, printed when it fails.
    pub name: String,
    /// The trainee's inputs from the start node.
    pub inputs: Vec<Input>,
    /// The ending it should reach; the script fails if it reaches another or none.
    pub ending: String,
    /// Whether the attempt should pass.
    #[serde(default)]
    pub passed: Option<bool>,
    /// Bounds on the attempt's overall score.
    #[serde(default)]
    pub overall: Option<Bounds>,
    /// Bounds on the stars, 1–3.
    #[serde(default)]
    pub stars: Option<Bounds>,
}

/// One input in a script.
#[derive(Debug, Clone, Deserialize)]
pub enum Input {
    /// Pick a choice, numbered from 1 as the trainee sees them.
    Pick(usize),
    /// Type a reply.
    Type(String),
    /// Keep the customer waiting this many seconds before the next input (0 by default).
    Wait(u32),
}

/// A typed reply judged at one node, with what it should score and where it should lead.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "Reply")]
pub struct GoldenReply {
    /// The node it is typed at (a typed-reply node).
    pub node: String,
    /// The reply.
    pub text: String,
    /// The customer's mood when it is typed; the persona's starting mood by default.
    #[serde(default)]
    pub mood: Option<Mood>,
    /// Bounds on empathy.
    #[serde(default)]
    pub empathy: Option<Bounds>,
    /// Bounds on accuracy.
    #[serde(default)]
    pub accuracy: Option<Bounds>,
    /// Bounds on de-escalation.
    #[serde(default)]
    pub deescalation: Option<Bounds>,
    /// Bounds on the reply's overall score.
    #[serde(default)]
    pub overall: Option<Bounds>,
    /// The node or ending the reply should lead to.
    #[serde(default)]
    pub route: Option<String>,
    /// Rubric facts (ids) the reply should state.
    #[serde(default)]
    pub states: Vec<String>,
    /// Rubric facts (ids) the reply should be marked as missing.
    #[serde(default)]
    pub misses: Vec<String>,
    /// Rule ids that should fire (`empathy.apology`, `semantic.validates-feelings`, ...).
    #[serde(default)]
    pub fires: Vec<String>,
    /// Rule ids that should not fire.
    #[serde(default)]
    pub not_fires: Vec<String>,
}

/// What running one test file found.
#[derive(Debug, Default)]
pub struct TestRun {
    /// Tests that ran (scripts + replies).
    pub tests: usize,
    /// Of them, the tests with at least one failure.
    pub failed: usize,
    /// Each failed expectation, located in the test file; also problems with the file itself.
    pub failures: Vec<Diagnostic>,
    /// What the tests exercised, for the coverage line.
    pub coverage: Coverage,
}

/// What a scenario's tests exercised: node and ending ids, `node/fact` pairs stated, rule ids
/// fired.
#[derive(Debug, Default, Clone)]
pub struct Coverage {
    /// Nodes the tests replied at.
    pub nodes: BTreeSet<String>,
    /// Endings the scripts reached.
    pub endings: BTreeSet<String>,
    /// Rubric facts stated by some typed reply, as `node/fact`.
    pub facts: BTreeSet<String>,
    /// Rule ids that fired on some reply.
    pub rules: BTreeSet<String>,
}

/// How much of a scenario its tests exercised, as (hit, total) pairs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CoverageCounts {
    /// Nodes replied at, of all nodes.
    pub nodes: (usize, usize),
    /// Endings reached, of all endings.
    pub endings: (usize, usize),
    /// Rubric facts stated at their node, of all rubric facts.
    pub facts: (usize, usize),
}

impl CoverageCounts {
    /// Both counts added together, for a total over several scenarios.
    pub fn plus(self, other: CoverageCounts) -> CoverageCounts {
        let add = |a: (usize, usize), b: (usize, usize)| (a.0 + b.0, a.1 + b.1);
        CoverageCounts {
            nodes: add(self.nodes, other.nodes),
            endings: add(self.endings, other.endings),
            facts: add(self.facts, other.facts),
        }
    }
}

impl Coverage {
    /// How much of `scenario` this coverage (of that scenario's tests) exercised.
    pub fn counts(&self, scenario: &Scenario) -> CoverageCounts {
        let facts: Vec<String> = scenario
            .nodes
            .iter()
            .flat_map(|n| match &n.turn {
                Turn::FreeText(f) => f
                    .rubric
                    .facts
                    .iter()
                    .map(|fact| format!("{}/{}", n.id, fact.id))
                    .collect(),
                Turn::Choices(_) => Vec::new(),
            })
            .collect();
        CoverageCounts {
            nodes: (
                scenario
                    .nodes
                    .iter()
                    .filter(|n| self.nodes.contains(&n.id))
                    .count(),
                scenario.nodes.len(),
            ),
            endings: (
                scenario
                    .endings
                    .iter()
                    .filter(|e| self.endings.contains(&e.id))
                    .count(),
                scenario.endings.len(),
            ),
            facts: (
                facts.iter().filter(|f| self.facts.contains(*f)).count(),
                facts.len(),
            ),
        }
    }

    /// Everything in `other` added to this.
    pub fn merge(&mut self, other: &Coverage) {
        self.nodes.extend(other.nodes.iter().cloned());
        self.endings.extend(other.endings.iter().cloned());
        self.facts.extend(other.facts.iter().cloned());
        self.rules.extend(other.rules.iter().cloned());
    }

    fn record_turn(&mut self, turn: &TurnResult) {
        self.nodes.insert(turn.node_id.clone());
        if let Next::Ending(e) = &turn.next {
            self.endings.insert(e.clone());
        }
        self.record_score(&turn.node_id, &turn.score, turn.choice.is_none());
    }

    fn record_score(&mut self, node: &str, score: &ReplyScore, typed: bool) {
        if !typed {
            return;
        }
        for fact in score.facts_stated() {
            self.facts.insert(format!("{node}/{fact}"));
        }
        for rule in score.rules_fired() {
            self.rules.insert(rule.to_string());
        }
    }
}

/// Parses a test file; the diagnostic says where and what is wrong when it cannot be read.
pub fn parse_tests(file: &str, bytes: &[u8]) -> Result<ScenarioTests, Diagnostic> {
    parse_ron(RonKind::ScenarioTests, file, bytes)
}

/// Runs `tests` (read from `file`, whose text is `text`) against `scenario`, scored by
/// `scorer`. `known_rule` says whether a rule id exists, so a misspelt one in `fires` is
/// reported as such rather than as a rule that did not fire.
pub fn run_tests(
    file: &str,
    text: &str,
    tests: &ScenarioTests,
    scenario: &Arc<Scenario>,
    scorer: &Arc<dyn ReplyScorer>,
    known_rule: &dyn Fn(&str) -> bool,
) -> TestRun {
    let mut report = Reporter::new(file, text);
    let mut run = TestRun::default();
    for (i, script) in tests.scripts.iter().enumerate() {
        let before = report.out.len();
        let at = [Step::Field("scripts"), Step::Index(i)];
        run_script(
            &mut report,
            &at,
            script,
            tests.seed,
            scenario,
            scorer,
            &mut run.coverage,
        );
        run.tests += 1;
        run.failed += usize::from(report.out.len() > before);
    }
    for (i, reply) in tests.replies.iter().enumerate() {
        let before = report.out.len();
        let at = [Step::Field("replies"), Step::Index(i)];
        let mut check = Check {
            report: &mut report,
            at: &at,
        };
        run_reply(
            &mut check,
            reply,
            tests.seed,
            scenario,
            scorer,
            known_rule,
            &mut run.coverage,
        );
        run.tests += 1;
        run.failed += usize::from(report.out.len() > before);
    }
    run.failures = report.out;
    run
}

/// Reports failures under one test's location.
struct Check<'r, 'a, 'p> {
    report: &'r mut Reporter<'a>,
    at: &'p [Step<'p>],
}

impl Check<'_, '_, '_> {
    fn fail(&mut self, field: Option<&str>, message: String) {
        let mut path = self.at.to_vec();
        if let Some(field) = field {
            path.push(Step::Field(field));
        }
        self.report.error(&path, "test-failed", message);
    }

    fn bounds(&mut self, field: &str, what: &str, expected: Option<Bounds>, actual: u8) {
        if let Some((low, high)) = expected
            && !(low..=high).contains(&actual)
        {
            self.fail(
                Some(field),
                format!("{what} is {actual}, outside the expected {low}-{high}"),
            );
        }
    }
}

fn run_script(
    report: &mut Reporter<'_>,
    at: &[Step<'_>],
    script: &Script,
    seed: u64,
    scenario: &Arc<Scenario>,
    scorer: &Arc<dyn ReplyScorer>,
    coverage: &mut Coverage,
) {
    let mut check = Check { report, at };
    let name = &script.name;
    if scenario.ending(&script.ending).is_none() {
        let ids = scenario.endings.iter().map(|e| e.id.as_str());
        let close = did_you_mean(&script.ending, ids)
            .map(|c| format!(" (did you mean \"{c}\"?)"))
            .unwrap_or_default();
        check.fail(
            Some("ending"),
            format!(
                "script \"{name}\": {} has no ending \"{}\"{close}",
                scenario.id, script.ending
            ),
        );
        return;
    }
    let mut session = match Session::new(Arc::clone(scenario), seed, Arc::clone(scorer)) {
        Ok(s) => s,
        Err(err) => {
            check.fail(
                None,
                format!("script \"{name}\": the scenario cannot start: {err}"),
            );
            return;
        }
    };
    let mut wait_ms = 0u64;
    for (k, input) in script.inputs.iter().enumerate() {
        let node = session
            .prompt()
            .map(|p| p.node_id.to_string())
            .unwrap_or_default();
        let input_at: Vec<Step<'_>> = at
            .iter()
            .copied()
            .chain([Step::Field("inputs"), Step::Index(k)])
            .collect();
        let response = match input {
            Input::Wait(secs) => {
                wait_ms += u64::from(*secs) * 1000;
                continue;
            }
            // Numbered as the trainee sees the choices, which the mood may have narrowed.
            Input::Pick(n) => match session.prompt().map(|p| p.options) {
                Some(super::Options::Choices(offered)) => {
                    match n.checked_sub(1).and_then(|i| offered.get(i)) {
                        Some(choice) => Response::Choice(choice.index),
                        None => {
                            check.report.error(
                                &input_at,
                                "test-failed",
                                format!(
                                    "script \"{name}\": Pick({n}) at node \"{node}\", where {} choice{} offered (numbered from 1)",
                                    offered.len(),
                                    if offered.len() == 1 { " is" } else { "s are" }
                                ),
                            );
                            return;
                        }
                    }
                }
                // A typed turn: the session refuses the pick and says so below.
                _ => Response::Choice(0),
            },
            Input::Type(text) => Response::Text(text.clone()),
        };
        if session.is_over() {
            let ended = session
                .outcome()
                .map(|o| o.ending_id.clone())
                .unwrap_or_default();
            check.report.error(
                &input_at,
                "test-failed",
                format!(
                    "script \"{name}\": input {} comes after the conversation ended at {ended}; remove it or change the inputs before it",
                    k + 1
                ),
            );
            return;
        }
        match session.respond(response, std::mem::take(&mut wait_ms)) {
            Ok(turn) => coverage.record_turn(turn),
            Err(err) => {
                check.report.error(
                    &input_at,
                    "test-failed",
                    format!(
                        "script \"{name}\": input {} at node \"{node}\" was refused: {err}",
                        k + 1
                    ),
                );
                return;
            }
        }
    }
    let Some(outcome) = session.outcome() else {
        let node = session
            .prompt()
            .map(|p| p.node_id.to_string())
            .unwrap_or_default();
        check.fail(
            Some("inputs"),
            format!(
                "script \"{name}\": the inputs ran out at node \"{node}\" before an ending (expected {})",
                script.ending
            ),
        );
        return;
    };
    if outcome.ending_id != script.ending {
        check.fail(
            Some("ending"),
            format!(
                "script \"{name}\" ended at {} ({}), not at {}; the path went {}",
                outcome.ending_id,
                outcome.kind.label(),
                script.ending,
                route_taken(session.transcript())
            ),
        );
    }
    if let Some(passed) = script.passed
        && passed != outcome.passed
    {
        let why = if outcome.passed {
            format!(
                "overall {} reached the pass mark {}",
                outcome.overall, scenario.pass_mark
            )
        } else if !outcome.critical.is_empty() {
            format!("a critical breach: {}", outcome.critical[0].told())
        } else if outcome.kind == EndingKind::CustomerLeft {
            "the customer left".to_string()
        } else {
            format!(
                "overall {} is under the pass mark {}",
                outcome.overall, scenario.pass_mark
            )
        };
        check.fail(
            Some("passed"),
            format!(
                "script \"{name}\" {} ({why}), but the test expects it to {}",
                if outcome.passed { "passed" } else { "failed" },
                if passed { "pass" } else { "fail" }
            ),
        );
    }
    check.bounds(
        "overall",
        &format!("script \"{name}\": overall"),
        script.overall,
        outcome.overall,
    );
    check.bounds(
        "stars",
        &format!("script \"{name}\": stars"),
        script.stars,
        outcome.stars,
    );
}

/// The nodes a transcript went through, for a failure message: `opening -> explain -> refund`.
fn route_taken(transcript: &[TurnResult]) -> String {
    let mut steps: Vec<String> = transcript.iter().map(|t| t.node_id.clone()).collect();
    if let Some(Next::Ending(e)) = transcript.last().map(|t| &t.next) {
        steps.push(e.clone());
    }
    steps.join(" -> ")
}

fn run_reply(
    check: &mut Check<'_, '_, '_>,
    reply: &GoldenReply,
    seed: u64,
    scenario: &Arc<Scenario>,
    scorer: &Arc<dyn ReplyScorer>,
    known_rule: &dyn Fn(&str) -> bool,
    coverage: &mut Coverage,
) {
    let Some(node) = scenario.node(&reply.node) else {
        let close = did_you_mean(&reply.node, scenario.nodes.iter().map(|n| n.id.as_str()))
            .map(|c| format!(" (did you mean \"{c}\"?)"))
            .unwrap_or_default();
        check.fail(
            Some("node"),
            format!("{} has no node \"{}\"{close}", scenario.id, reply.node),
        );
        return;
    };
    let Turn::FreeText(free) = &node.turn else {
        check.fail(
            Some("node"),
            format!(
                "node \"{}\" takes a choice, not a typed reply; test choices with a script",
                reply.node
            ),
        );
        return;
    };
    let mut ids_ok = true;
    for (field, facts) in [("states", &reply.states), ("misses", &reply.misses)] {
        for fact in facts {
            if !free.rubric.facts.iter().any(|f| &f.id == fact) {
                let known: Vec<&str> = free.rubric.facts.iter().map(|f| f.id.as_str()).collect();
                check.fail(
                    Some(field),
                    format!(
                        "node \"{}\" has no rubric fact \"{fact}\"; its facts: {}",
                        reply.node,
                        if known.is_empty() {
                            "none".into()
                        } else {
                            known.join(", ")
                        }
                    ),
                );
                ids_ok = false;
            }
        }
    }
    for (field, rules) in [("fires", &reply.fires), ("not_fires", &reply.not_fires)] {
        for rule in rules {
            if !known_rule(rule) {
                check.fail(
                    Some(field),
                    format!(
                        "there is no rule \"{rule}\" (lexicon rules, scenario rules, built-in accuracy.* rules and semantic.<bank> ids can be named)"
                    ),
                );
                ids_ok = false;
            }
        }
    }
    if let Some(route) = &reply.route
        && !free.routes.iter().any(|r| &r.next == route)
        && scenario
            .persona
            .walkout
            .as_ref()
            .is_none_or(|w| &w.ending != route)
    {
        let routes: Vec<&str> = free.routes.iter().map(|r| r.next.as_str()).collect();
        check.fail(
            Some("route"),
            format!(
                "node \"{}\" has no route to \"{route}\"; its routes go to {}",
                reply.node,
                routes.join(", ")
            ),
        );
        ids_ok = false;
    }
    if !ids_ok {
        return;
    }
    let mood = reply.mood.unwrap_or(scenario.persona.mood);
    let session = Session::preview(
        Arc::clone(scenario),
        &reply.node,
        mood,
        seed,
        Arc::clone(scorer),
    );
    let mut session = match session {
        Ok(s) => s,
        Err(err) => {
            check.fail(
                Some("node"),
                format!("cannot start at \"{}\": {err}", reply.node),
            );
            return;
        }
    };
    let turn = match session.respond(Response::Text(reply.text.clone()), 0) {
        Ok(turn) => turn.clone(),
        Err(err) => {
            check.fail(Some("text"), format!("the reply was refused: {err}"));
            return;
        }
    };
    coverage.nodes.insert(turn.node_id.clone());
    coverage.record_score(&turn.node_id, &turn.score, true);
    let score = &turn.score;
    check.bounds("empathy", "empathy", reply.empathy, score.empathy.score);
    check.bounds("accuracy", "accuracy", reply.accuracy, score.accuracy.score);
    check.bounds(
        "deescalation",
        "de-escalation",
        reply.deescalation,
        score.deescalation.score,
    );
    check.bounds("overall", "overall", reply.overall, score.overall);
    if let Some(route) = &reply.route {
        let went = match &turn.next {
            Next::Node(id) | Next::Ending(id) => id,
        };
        if went != route {
            check.fail(
                Some("route"),
                format!(
                    "the reply led to \"{went}\", not \"{route}\" (overall {}, anger {} after it)",
                    score.overall, turn.mood_after.anger
                ),
            );
        }
    }
    let stated = score.facts_stated();
    for fact in &reply.states {
        if !stated.contains(&fact.as_str()) {
            check.fail(
                Some("states"),
                format!("the reply does not state \"{fact}\" (no accepted phrasing matched)"),
            );
        }
    }
    let missed = score.facts_missing();
    for fact in &reply.misses {
        if !missed.contains(&fact.as_str()) {
            check.fail(
                Some("misses"),
                format!("the reply states \"{fact}\", which the test expects it to miss"),
            );
        }
    }
    let fired: BTreeSet<&str> = score.rules_fired().collect();
    for rule in &reply.fires {
        if !fired.contains(rule.as_str()) {
            check.fail(
                Some("fires"),
                format!(
                    "\"{rule}\" did not fire; these did: {}",
                    fired.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
    for rule in &reply.not_fires {
        if fired.contains(rule.as_str()) {
            check.fail(Some("not_fires"), format!("\"{rule}\" fired"));
        }
    }
}

/// The test file's text, for locating failures; `None` when it is not UTF-8 (parsing said so).
pub fn test_text<'b>(file: &str, bytes: &'b [u8]) -> Option<&'b str> {
    decode(file, bytes).ok()
}

/// A starting test file for `scenario`, drafted from what it does now: a script per ending
/// (the highest-scoring path found, and the shortest for an ending where the customer leaves),
/// and at each typed node its first model answer and the weak replies, each with bounds 15
/// points either side of today's score and the route it takes. A trainer reviews every
/// expectation before keeping it: the draft records behaviour, it does not judge it.
pub fn draft_tests(
    scenario: &Arc<Scenario>,
    found: &super::paths::PathsReport,
    seed: u64,
    scorer: &Arc<dyn ReplyScorer>,
) -> String {
    use std::fmt::Write;
    let q = |s: &str| ron_string(s);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Tests for {}.ron, run by `holdline test` (docs/scenario-tests.md).\n// Drafted by `holdline test --draft {}` from what the scenario does now: check that each\n// expectation is what the scenario should do, and replace weak typed replies with ones a\n// trainee would write.",
        scenario.id, scenario.id
    );
    let _ = writeln!(out, "ScenarioTests(\n    scenario: {},", q(&scenario.id));
    if seed != default_seed() {
        let _ = writeln!(out, "    seed: {seed},");
    }
    out += "    scripts: [\n";
    for ending in &found.endings {
        let (which, path) = if ending.kind == EndingKind::CustomerLeft {
            ("the shortest way", &ending.shortest)
        } else {
            ("the best-scoring way", &ending.highest)
        };
        let Some(outcome) = path
            .outcome
            .as_ref()
            .filter(|_| path.reaches(&ending.ending))
        else {
            continue;
        };
        let inputs: Vec<String> = path
            .inputs
            .iter()
            .flat_map(|i| {
                let wait = (i.input.elapsed_ms > 0)
                    .then(|| format!("Wait({})", i.input.elapsed_ms / 1000));
                let act = match &i.input.response {
                    Response::Choice(c) => format!("Pick({})", i.shown.unwrap_or(c + 1)),
                    Response::Text(t) => format!("Type({})", q(t)),
                };
                wait.into_iter().chain([act])
            })
            .collect();
        let _ = writeln!(out, "        Script(");
        let _ = writeln!(
            out,
            "            name: {},",
            q(&format!("{which} to {}", ending.ending))
        );
        let _ = writeln!(out, "            inputs: [{}],", inputs.join(", "));
        let _ = writeln!(out, "            ending: {},", q(&ending.ending));
        let _ = writeln!(out, "            passed: {},", outcome.passed);
        if ending.kind != EndingKind::CustomerLeft {
            let (lo, hi) = around(outcome.overall, 10);
            let _ = writeln!(out, "            overall: ({lo}, {hi}),");
        }
        out += "        ),\n";
    }
    out += "    ],\n    replies: [\n";
    for node in &scenario.nodes {
        let Turn::FreeText(free) = &node.turn else {
            continue;
        };
        let replies = free
            .rubric
            .model_answers
            .iter()
            .take(1)
            .map(|t| (t.as_str(), true))
            .chain(super::explore::POOR_REPLIES.iter().map(|t| (*t, false)));
        for (text, model) in replies {
            let Ok(mut session) = Session::preview(
                Arc::clone(scenario),
                &node.id,
                scenario.persona.mood,
                seed,
                Arc::clone(scorer),
            ) else {
                continue;
            };
            let Ok(turn) = session.respond(Response::Text(text.to_string()), 0) else {
                continue;
            };
            let s = &turn.score;
            let route = match &turn.next {
                Next::Node(id) | Next::Ending(id) => id.clone(),
            };
            let _ = writeln!(out, "        Reply(");
            let _ = writeln!(out, "            node: {},", q(&node.id));
            let _ = writeln!(out, "            text: {},", q(text));
            for (field, v) in [
                ("empathy", s.empathy.score),
                ("accuracy", s.accuracy.score),
                ("deescalation", s.deescalation.score),
            ] {
                let (lo, hi) = around(v, 15);
                let _ = writeln!(out, "            {field}: ({lo}, {hi}),");
            }
            let _ = writeln!(out, "            route: {},", q(&route));
            let stated = s.facts_stated();
            if model && !stated.is_empty() {
                let ids: Vec<String> = stated.iter().map(|f| q(f)).collect();
                let _ = writeln!(out, "            states: [{}],", ids.join(", "));
            }
            out += "        ),\n";
        }
    }
    out += "    ],\n)\n";
    out
}

/// `value` ± `margin`, kept within 0–100.
fn around(value: u8, margin: u8) -> (u8, u8) {
    (
        value.saturating_sub(margin),
        value.saturating_add(margin).min(100),
    )
}

/// A RON string literal, escaping only what must be (ron's own writer also escapes `'`).
fn ron_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            '\n' => out += "\\n",
            '\r' => out += "\\r",
            '\t' => out += "\\t",
            c if c.is_control() => out += &format!("\\u{{{:04x}}}", c as u32),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafted_strings_read_back_as_written() {
        for text in [
            "plain",
            "it's \"quoted\" \\ back",
            "line\nbreak\ttab",
            "bell\u{7}",
            "Zoë — Nguyễn",
        ] {
            let literal = ron_string(text);
            let back: String = crate::scenario::load::ron_options()
                .from_str(&literal)
                .unwrap_or_else(|e| panic!("{literal}: {e}"));
            assert_eq!(back, text);
        }
        assert_eq!(ron_string("it's"), "\"it's\"");
    }
}
