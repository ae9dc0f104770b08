//! The shipped scenario library: it validates with no warnings, covers the channels, industries
//! and tiers a training programme needs, and every ending of every scenario can be reached by
//! playing it through the real session runtime.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use holdline::scenario::library::load_paths;
use holdline::scenario::model::{Channel, EndingKind, Turn};
use holdline::scoring::{Lexicon, RuleScorer};
use holdline::session::paths::{PathLimits, paths};
use holdline::session::{Session, Start};

fn library() -> holdline::scenario::LoadReport {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    load_paths(&[dir], &Lexicon::builtin())
}

#[test]
fn every_shipped_scenario_validates_without_warnings() {
    let report = library();
    let shown: Vec<String> = report.diagnostics.iter().map(ToString::to_string).collect();
    assert!(
        shown.is_empty(),
        "diagnostics in shipped scenarios:\n{}",
        shown.join("\n")
    );
    assert!(
        report.files_checked >= 12,
        "only {} files",
        report.files_checked
    );
    // Every file is a scenario or a scenario's tests (NAME.test.ron, one beside each).
    assert_eq!(report.scenarios.len() * 2, report.files_checked);
}

#[test]
fn library_covers_channels_industries_and_tiers() {
    let report = library();
    let scenarios: Vec<_> = report.scenarios.iter().map(|l| &l.scenario).collect();
    let channels: BTreeSet<Channel> = scenarios.iter().map(|s| s.channel).collect();
    assert_eq!(channels.len(), Channel::ALL.len(), "channels: {channels:?}");
    let industries: BTreeSet<_> = scenarios.iter().map(|s| s.industry).collect();
    assert!(industries.len() >= 6, "industries: {industries:?}");
    let tiers: BTreeSet<u8> = scenarios.iter().map(|s| s.tier).collect();
    assert_eq!(tiers, BTreeSet::from([1, 2, 3]));
    for s in &scenarios {
        let choices = s.nodes.iter().any(|n| matches!(n.turn, Turn::Choices(_)));
        let free_text = s.nodes.iter().any(|n| matches!(n.turn, Turn::FreeText(_)));
        assert!(
            choices && free_text,
            "{} needs both choice and free-text turns",
            s.id
        );
        assert!(
            s.endings.iter().any(|e| e.kind == EndingKind::Resolved),
            "{} has no resolved ending",
            s.id
        );
    }
}

#[test]
fn every_ending_of_every_scenario_is_reached_by_play() {
    let report = library();
    let scorer: Arc<dyn holdline::scoring::ReplyScorer> = Arc::new(RuleScorer::default());
    for loaded in &report.scenarios {
        let scenario = Arc::clone(&loaded.scenario);
        // The search trainers use (`holdline paths`), whose paths are played in real sessions.
        let found = paths(
            Arc::clone(&scenario),
            7,
            scorer.clone(),
            &PathLimits::default(),
        );
        assert!(
            found.unreachable.is_empty(),
            "{}: never reached: {:?}",
            scenario.id,
            found.unreachable
        );
        for ending in &found.endings {
            let path = &ending.shortest;
            assert!(
                path.reaches(&ending.ending),
                "{}: {}",
                scenario.id,
                ending.ending
            );
            // Replaying the inputs in a fresh session lands on the same outcome, exactly.
            let inputs: Vec<_> = path.inputs.iter().map(|i| i.input.clone()).collect();
            let replayed = Session::replay(
                Arc::clone(&scenario),
                Start::Scenario,
                7,
                scorer.clone(),
                &inputs,
            )
            .expect("inputs found by the search replay");
            assert_eq!(
                replayed.outcome(),
                path.outcome.as_ref(),
                "{}: {}",
                scenario.id,
                ending.ending
            );
        }
    }
}

#[test]
fn model_answers_take_the_best_route() {
    // A trainer's model answer should score at least the threshold of the first route it
    // offers, or the "good" branch of the scenario is unreachable for someone who writes it.
    let report = library();
    let scorer = RuleScorer::default();
    for loaded in &report.scenarios {
        let s = &loaded.scenario;
        for node in &s.nodes {
            let Turn::FreeText(free) = &node.turn else {
                continue;
            };
            let Some(holdline::scenario::model::Route {
                when: holdline::scenario::model::Condition::ScoreAtLeast(threshold),
                ..
            }) = free.routes.first()
            else {
                continue;
            };
            for answer in &free.rubric.model_answers {
                let context = holdline::scoring::ScoringContext::at(s, node, "", &[]);
                let score = holdline::scoring::ReplyScorer::score(&scorer, &context, answer);
                assert!(
                    score.overall >= *threshold,
                    "{} node {}: model answer scores {} < {threshold}: {score:#?}",
                    s.id,
                    node.id,
                    score.overall
                );
            }
        }
    }
}
