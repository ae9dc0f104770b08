//! Any text as a typed reply at a free-text node of a shipped scenario: scored, with every
//! score between 0 and 100, never a panic.
#![no_main]

use std::sync::{Arc, OnceLock};

use holdline::scenario::library::load_source;
use holdline::scenario::model::{Scenario, Turn};
use holdline::scoring::{Lexicon, ReplyScorer, RuleScorer, ScoringContext};
use libfuzzer_sys::fuzz_target;

const LATE_PARCEL: &[u8] = include_bytes!("../../scenarios/late-parcel.ron");

static SETUP: OnceLock<(Arc<Scenario>, RuleScorer)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (scenario, scorer) = SETUP.get_or_init(|| {
        let lexicon = Lexicon::builtin();
        let (scenario, _) = load_source("late-parcel.ron", LATE_PARCEL, &lexicon);
        (Arc::new(scenario.expect("shipped scenario")), RuleScorer::new(lexicon))
    });
    let reply = String::from_utf8_lossy(data);
    for node in &scenario.nodes {
        let Turn::FreeText(free) = &node.turn else {
            continue;
        };
        let context = ScoringContext {
            scenario,
            node,
            rubric: &free.rubric,
            customer_line: "So where is it?",
            earlier_replies: &[],
        };
        let score = scorer.score(&context, &reply);
        assert!(score.overall <= 100);
    }
});
