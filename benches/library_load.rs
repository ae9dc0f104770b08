//! Loading and validating scenario libraries: the shipped one, and a generated 1,000-scenario
//! library written to a temporary folder (so the figure includes reading files).

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use holdline::scenario::library::{load_paths, load_source};
use holdline::scoring::Lexicon;

fn shipped_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Writes `count` copies of the shipped scenarios, each with its own id, into a fresh folder.
fn generated_library(count: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("holdline-bench-{}-{count}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut sources: Vec<(String, String)> = std::fs::read_dir(shipped_dir())
        .expect("scenarios folder")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        // Scenario tests (NAME.test.ron) are not scenarios.
        .filter(|p| !p.to_string_lossy().ends_with(".test.ron"))
        .map(|p| {
            let id = p.file_stem().unwrap().to_string_lossy().into_owned();
            (id, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect();
    sources.sort();
    for i in 0..count {
        let (id, text) = &sources[i % sources.len()];
        let new_id = format!("{id}-{i:04}");
        let text = text.replacen(&format!("id: \"{id}\""), &format!("id: \"{new_id}\""), 1);
        std::fs::write(dir.join(format!("{new_id}.ron")), text).expect("write");
    }
    dir
}

fn bench(c: &mut Criterion) {
    let lexicon = Lexicon::builtin();
    let shipped = shipped_dir();
    let report = load_paths(std::slice::from_ref(&shipped), &lexicon);
    assert_eq!(
        report.tally().errors,
        0,
        "the shipped library must be valid to benchmark"
    );

    c.bench_function("load+validate shipped library", |b| {
        b.iter(|| {
            load_paths(
                std::hint::black_box(std::slice::from_ref(&shipped)),
                &lexicon,
            )
        })
    });

    let late_parcel = std::fs::read(shipped.join("late-parcel.ron")).expect("late-parcel");
    c.bench_function("parse+validate one scenario (in memory)", |b| {
        b.iter(|| {
            load_source(
                "late-parcel.ron",
                std::hint::black_box(&late_parcel),
                &lexicon,
            )
        })
    });

    let generated = generated_library(1000);
    let report = load_paths(std::slice::from_ref(&generated), &lexicon);
    assert_eq!(
        report.scenarios.len(),
        1000,
        "{:?}",
        report.diagnostics.first()
    );
    let mut group = c.benchmark_group("generated");
    group.sample_size(10);
    group.bench_function("load+validate 1,000 scenarios", |b| {
        b.iter(|| {
            load_paths(
                std::hint::black_box(std::slice::from_ref(&generated)),
                &lexicon,
            )
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&generated);
}

criterion_group!(benches, bench);
criterion_main!(benches);
