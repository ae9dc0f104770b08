//! `holdline paths` on a shipped scenario (the baseline) and on generated scenarios of 1,000 and
//! 10,000 nodes with loops, scored by the lexicon rules (the semantic layer's cost is per typed
//! reply, measured by the scoring bench). Target: 10,000 nodes within 2 s.

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use holdline::scenario::library::load_source;
use holdline::scoring::rule_scorer::RuleScorer;
use holdline::scoring::{Lexicon, ReplyScorer};
use holdline::session::generated::generated_scenario;
use holdline::session::paths::{PathLimits, paths};

fn bench(c: &mut Criterion) {
    let lexicon = Lexicon::builtin();
    let scorer: Arc<dyn ReplyScorer> = Arc::new(RuleScorer::new(lexicon.clone()));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/late-parcel.ron");
    let bytes = std::fs::read(path).expect("late-parcel");
    let late_parcel = Arc::new(load_source(path, &bytes, &lexicon).0.expect("valid"));
    let mut group = c.benchmark_group("paths");
    group.sample_size(10);
    group.bench_function("late-parcel (baseline)", |b| {
        b.iter(|| {
            paths(
                Arc::clone(&late_parcel),
                1,
                Arc::clone(&scorer),
                &PathLimits::default(),
            )
        })
    });
    for nodes in [1_000, 10_000] {
        let scenario = Arc::new(generated_scenario(nodes, 3));
        group.bench_function(format!("generated {nodes} nodes"), |b| {
            b.iter(|| {
                paths(
                    Arc::clone(&scenario),
                    1,
                    Arc::clone(&scorer),
                    &PathLimits::default(),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
