//! Scoring one typed reply: a typical two-sentence reply and a 10 KB one, at a real node.

use criterion::{Criterion, criterion_group, criterion_main};
use holdline::scenario::library::load_source;
use holdline::scenario::model::Turn;
use holdline::scoring::{Lexicon, ReplyScorer, RuleScorer, ScoringContext};

fn bench(c: &mut Criterion) {
    let bytes = include_bytes!("../scenarios/late-parcel.ron");
    let (scenario, _) = load_source("late-parcel.ron", bytes, &Lexicon::builtin());
    let scenario = scenario.expect("late-parcel is valid");
    let node = scenario.node("explain-status").expect("node");
    let Turn::FreeText(free) = &node.turn else {
        panic!("explain-status is a free-text node")
    };
    let context = ScoringContext {
        scenario: &scenario,
        node,
        rubric: &free.rubric,
        customer_line: "Fine. So where is it?",
        earlier_replies: &[],
    };
    let scorer = RuleScorer::default();
    let typical = "I'm so sorry, Dana, two missed deliveries before a birthday is really stressful. \
                   It's held at our Eastfield depot and I've booked the priority van, so it arrives Thursday 13 June before 6 pm.";
    let long: String = typical.repeat(10_240 / typical.len() + 1);
    assert!(long.len() >= 10_240);

    c.bench_function("score typical reply", |b| {
        b.iter(|| scorer.score(&context, std::hint::black_box(typical)))
    });
    c.bench_function("score 10 KB reply", |b| {
        b.iter(|| scorer.score(&context, std::hint::black_box(&long)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
