//! The free-text scorer against a trainer's judgement: labelled pairs of replies to the same
//! customer moment (`tests/scoring_pairs.ron`), where the better reply must score higher on the
//! named dimension in at least 90% of pairs, per dimension. Misses are printed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use holdline::scenario::library::load_paths;
use holdline::scenario::model::Turn;
use holdline::scenario::mood::MoodBand;
use holdline::scoring::calibration::{CalibrationSet, calibrate};
use holdline::scoring::hybrid_scorer::shared_semantic_layer;
use holdline::scoring::{Dimension, Lexicon, ReplyScorer, ScoringContext};
use holdline::scoring::{HybridScorer, RuleScorer};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Pair {
    scenario: String,
    node: String,
    dimension: Dimension,
    better: String,
    worse: String,
    note: String,
}

const REQUIRED_SHARE: f64 = 0.90;

#[test]
fn the_rules_agree_with_the_trainer_on_at_least_90_percent_per_dimension() {
    agrees_with_the_trainer(&RuleScorer::default());
}

#[test]
fn the_hybrid_scorer_agrees_with_the_trainer_on_at_least_90_percent_per_dimension() {
    let layer = shared_semantic_layer().expect("the shipped model loads");
    agrees_with_the_trainer(&HybridScorer::with_layer(Lexicon::builtin(), layer));
}

fn agrees_with_the_trainer(scorer: &dyn ReplyScorer) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("tests/scoring_pairs.ron")).unwrap();
    let pairs: Vec<Pair> = holdline::scenario::load::ron_options()
        .from_str(&text)
        .expect("pairs parse");
    assert!(pairs.len() >= 60, "only {} pairs", pairs.len());
    let library = load_paths(&[root.join("scenarios")], &Lexicon::builtin());

    let mut results: BTreeMap<Dimension, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for pair in &pairs {
        let loaded = library
            .find(&pair.scenario)
            .unwrap_or_else(|| panic!("no scenario {}", pair.scenario));
        let s = &loaded.scenario;
        let node = s
            .node(&pair.node)
            .unwrap_or_else(|| panic!("no node {} in {}", pair.node, s.id));
        assert!(
            matches!(node.turn, Turn::FreeText(_)),
            "{} is not a free-text node",
            node.id
        );
        let customer_line = node
            .customer
            .for_band(MoodBand::Annoyed)
            .first()
            .map_or("", String::as_str);
        let context = ScoringContext::at(s, node, customer_line, &[]);
        let better = scorer.score(&context, &pair.better);
        let worse = scorer.score(&context, &pair.worse);
        let (b, w) = (
            better.dimension(pair.dimension).score,
            worse.dimension(pair.dimension).score,
        );
        let entry = results.entry(pair.dimension).or_default();
        entry.1 += 1;
        if b > w {
            entry.0 += 1;
        } else {
            let rules = |s: &holdline::scoring::ReplyScore| {
                s.dimension(pair.dimension)
                    .reasons
                    .iter()
                    .map(|r| format!("{}{:+}", r.rule, r.delta))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            misses.push(format!(
                "MISS {:?} {}/{}: better {b} [{}] vs worse {w} [{}]\n  note: {}\n  better: {}\n  worse: {}",
                pair.dimension, pair.scenario, pair.node, rules(&better), rules(&worse), pair.note, pair.better, pair.worse
            ));
        }
    }
    for miss in &misses {
        println!("{miss}");
    }
    for (dimension, (right, all)) in &results {
        println!("{dimension:?}: {right}/{all} ranked as the trainer did");
    }
    for (dimension, (right, all)) in &results {
        assert!(
            *right as f64 >= REQUIRED_SHARE * *all as f64,
            "{dimension:?}: {right}/{all} below {REQUIRED_SHARE}; misses:\n{}",
            misses.join("\n")
        );
    }
}

/// The labels and scenarios under `tests/calibration/<half>/` for each half, loaded as
/// `holdline calibrate` loads them.
fn calibration_halves(halves: &[&str]) -> (CalibrationSet, holdline::scenario::LoadReport) {
    let mut set = CalibrationSet::default();
    let mut scenario_dirs = Vec::new();
    for half in halves {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/calibration")
            .join(half);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ron"))
            .collect();
        files.sort();
        for file in &files {
            let bytes = std::fs::read(file).unwrap();
            let found = CalibrationSet::parse(&file.display().to_string(), &bytes)
                .unwrap_or_else(|d| panic!("{d}"));
            set.pairs.extend(found.pairs);
            set.singles.extend(found.singles);
        }
        scenario_dirs.push(root.join("scenarios"));
    }
    let library = load_paths(&scenario_dirs, &Lexicon::builtin());
    (set, library)
}

fn calibration_half(half: &str) -> (CalibrationSet, holdline::scenario::LoadReport) {
    calibration_halves(&[half])
}

/// Every set the scorer has been tuned on. `dev-2` to `dev-5` were held out when they were
/// written and measured as such; each joined the tuning data once a newer blind set took its
/// place (`dev-5` was `heldout/` until `heldout-2/` was written).
const TUNING_SETS: [&str; 5] = ["dev", "dev-2", "dev-3", "dev-4", "dev-5"];

#[test]
fn both_halves_of_the_blind_set_load_and_every_label_names_a_real_node() {
    for (half, pairs, singles) in [
        ("dev", 100, 16),
        ("dev-2", 100, 16),
        ("dev-3", 60, 12),
        ("dev-4", 60, 12),
        ("dev-5", 200, 36),
        ("heldout-2", 216, 36),
        ("heldout-3", 216, 36),
        ("heldout-4", 216, 36),
        ("heldout-5", 216, 36),
        ("heldout-6", 216, 36),
        ("heldout-7", 216, 36),
        ("heldout-8", 216, 36),
    ] {
        let (set, library) = calibration_half(half);
        assert_eq!(
            library.tally().errors,
            0,
            "{half}: {:#?}",
            library.diagnostics
        );
        assert!(
            set.pairs.len() >= pairs,
            "{half}: {} pairs",
            set.pairs.len()
        );
        assert!(
            set.singles.len() >= singles,
            "{half}: {} singles",
            set.singles.len()
        );
        let report = calibrate(
            &set,
            |id| library.find(id).map(|s| s.scenario.as_ref()),
            &RuleScorer::default(),
        );
        assert!(report.skipped.is_empty(), "{half}: {:?}", report.skipped);
    }
}

/// The scorer holdline uses, rules and semantic layer, on every set it was tuned on
/// (`holdline calibrate tests/calibration/dev tests/calibration/dev-2 ...`): at least 90% of
/// pairs on every dimension, the goal of issue 15. The lexicon and exemplar banks were tuned on
/// these, so they overstate agreement on new replies; the newest blind set (`heldout-8/`) is
/// never tuned on and has no test of its figures. The rules alone keep their own floor (what they
/// agree on today), so a rule change that loses agreement fails here too.
#[test]
fn the_tuning_sets_agree_on_at_least_90_percent_per_dimension() {
    let (set, library) = calibration_halves(&TUNING_SETS);
    let find = |id: &str| library.find(id).map(|s| s.scenario.as_ref());
    let layer = shared_semantic_layer().expect("the shipped model loads");
    let hybrid = calibrate(
        &set,
        find,
        &HybridScorer::with_layer(Lexicon::builtin(), layer),
    );
    let rules = calibrate(&set, find, &RuleScorer::default());
    let rule_floors = [
        (Dimension::Empathy, 159),
        (Dimension::Accuracy, 190),
        (Dimension::Deescalation, 135),
    ];
    for ((hybrid, rules), (dimension, rule_floor)) in hybrid
        .dimensions
        .iter()
        .zip(&rules.dimensions)
        .zip(rule_floors)
    {
        assert_eq!((hybrid.dimension, rules.dimension), (dimension, dimension));
        let (h, r) = (&hybrid.pairs, &rules.pairs);
        println!(
            "{dimension:?}: hybrid {}/{}, rules alone {}/{}",
            h.agreed, h.of, r.agreed, r.of
        );
        assert!(
            h.agreed * 10 >= h.of * 9,
            "{dimension:?}: the hybrid scorer agrees on {}/{} pairs, under 90%",
            h.agreed,
            h.of
        );
        assert!(
            r.agreed >= rule_floor,
            "{dimension:?}: the rules alone agree on {}/{} pairs, below their {rule_floor}",
            r.agreed,
            r.of
        );
    }
}
