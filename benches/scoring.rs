//! Scoring one typed reply: a typical two-sentence reply and a 10 KB one, at a real node, by
//! the rules alone and by the hybrid scorer (rules + semantic layer) side by side in one run.

use criterion::{Criterion, criterion_group};
use holdline::scenario::library::load_source;
use holdline::scenario::model::{Scenario, Turn};
use holdline::scoring::hybrid_scorer::shared_semantic_layer;
use holdline::scoring::{HybridScorer, Lexicon, ReplyScorer, RuleScorer, ScoringContext};

struct Fixture {
    scenario: Scenario,
    typical: &'static str,
    long: String,
}

fn fixture() -> Fixture {
    let bytes = include_bytes!("../scenarios/late-parcel.ron");
    let (scenario, _) = load_source("late-parcel.ron", bytes, &Lexicon::builtin());
    let scenario = scenario.expect("late-parcel is valid");
    let typical = "I'm so sorry, Dana, two missed deliveries before a birthday is really stressful. \
                   It's held at our Eastfield depot and I've booked the priority van, so it arrives Thursday 13 June before 6 pm.";
    let long: String = typical.repeat(10_240 / typical.len() + 1);
    assert!(long.len() >= 10_240);
    Fixture {
        scenario,
        typical,
        long,
    }
}

fn context(scenario: &Scenario) -> ScoringContext<'_> {
    let node = scenario.node("explain-status").expect("node");
    let Turn::FreeText(free) = &node.turn else {
        panic!("explain-status is a free-text node")
    };
    ScoringContext {
        scenario,
        node,
        rubric: &free.rubric,
        customer_line: "Fine. So where is it?",
        earlier_replies: &[],
    }
}

fn bench(c: &mut Criterion) {
    let Fixture {
        scenario,
        typical,
        long,
    } = fixture();
    let context = context(&scenario);
    let scorer = RuleScorer::default();
    c.bench_function("score typical reply", |b| {
        b.iter(|| scorer.score(&context, std::hint::black_box(typical)))
    });
    c.bench_function("score 10 KB reply", |b| {
        b.iter(|| scorer.score(&context, std::hint::black_box(&long)))
    });
    // Loaded before timing: the model loads once a process, not once a reply.
    let layer = shared_semantic_layer().expect("the shipped model loads");
    let hybrid = HybridScorer::with_layer(Lexicon::builtin(), layer);
    c.bench_function("hybrid: score typical reply", |b| {
        b.iter(|| hybrid.score(&context, std::hint::black_box(typical)))
    });
    c.bench_function("hybrid: score 10 KB reply", |b| {
        b.iter(|| hybrid.score(&context, std::hint::black_box(&long)))
    });
}

/// `HOLDLINE_SCORE_REPS=N` scores the typical reply N times and exits, for counting
/// instructions under `valgrind --tool=callgrind` (scripts/score-instructions): a count that,
/// unlike time, does not move with the load on a shared machine.
fn score_repeatedly(reps: usize) {
    let fixture = fixture();
    let context = context(&fixture.scenario);
    let scorer = RuleScorer::default();
    for _ in 0..reps {
        std::hint::black_box(scorer.score(&context, std::hint::black_box(fixture.typical)));
    }
}

criterion_group!(benches, bench);

fn main() {
    if let Some(reps) = std::env::var("HOLDLINE_SCORE_REPS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        score_repeatedly(reps);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
