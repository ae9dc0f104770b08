//! The hybrid scorer (rules plus the semantic layer) on what trainers tried by hand: empathy and
//! ownership in a trainee's own words earn points the rules alone miss, negation and sarcasm
//! cost them, every semantic point names the exemplar it resembled, and scores repeat exactly.

use std::path::PathBuf;
use std::sync::Arc;

use holdline::scenario::library::load_paths;
use holdline::scenario::model::Scenario;
use holdline::scoring::hybrid_scorer::shared_semantic_layer;
use holdline::scoring::{
    DimensionScore, HybridScorer, Lexicon, ReplyScore, ReplyScorer, RuleScorer, ScoringContext,
};

fn parcel() -> Arc<Scenario> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let report = load_paths(&[dir], &Lexicon::builtin());
    Arc::clone(
        &report
            .find("late-parcel")
            .expect("shipped scenario")
            .scenario,
    )
}

/// The reply scored at late-parcel/explain-status by the hybrid scorer and by the rules alone.
fn both(reply: &str) -> (ReplyScore, ReplyScore) {
    let scenario = parcel();
    let node = scenario.node("explain-status").expect("node");
    let context = ScoringContext::first_reply(&scenario, node);
    let layer = shared_semantic_layer().expect("the shipped model loads");
    let hybrid = HybridScorer::with_layer(Lexicon::builtin(), layer);
    (
        hybrid.score(&context, reply),
        RuleScorer::default().score(&context, reply),
    )
}

fn semantic(d: &DimensionScore) -> Vec<&str> {
    d.reasons
        .iter()
        .filter(|r| r.rule.starts_with("semantic."))
        .map(|r| r.rule.as_str())
        .collect()
}

#[test]
fn apologies_and_empathy_in_the_trainees_own_words_earn_empathy() {
    for reply in [
        "I'm truly sorry about all of this.",
        "I'm really sorry this has happened to you.",
        "Sorry about all this, honestly.",
        "Oh no, that's the last thing you need before the party.",
    ] {
        let (hybrid, rules) = both(reply);
        assert!(
            hybrid.empathy.score > rules.empathy.score,
            "{reply:?}: hybrid {} vs rules {}: {:#?}",
            hybrid.empathy.score,
            rules.empathy.score,
            hybrid.empathy.reasons
        );
    }
}

#[test]
fn ownership_in_plain_words_earns_deescalation() {
    let (hybrid, rules) = both("I'm opening an urgent review right now.");
    assert!(hybrid.deescalation.score > rules.deescalation.score);
    assert!(!semantic(&hybrid.deescalation).is_empty());
}

#[test]
fn a_semantic_point_names_the_exemplar_and_how_close_it_was() {
    let (hybrid, _) = both("Oh no, that's the last thing you need before the party.");
    let reason = hybrid
        .empathy
        .reasons
        .iter()
        .find(|r| r.rule == "semantic.acknowledges-feeling")
        .expect("the acknowledgement is read");
    assert!(
        reason.explanation.starts_with("Read like: \""),
        "{reason:?}"
    );
    assert!(reason.explanation.contains(" (0."), "{reason:?}");
    assert!(!reason.hint.trim().is_empty());
    let (start, end) = reason.span.expect("it points at its clause");
    assert_eq!(
        &"Oh no, that's the last thing you need before the party."[start..end],
        reason.matched
    );
}

#[test]
fn negation_sarcasm_and_dismissal_cost_empathy() {
    for reply in [
        "I'm not sorry about this at all.",
        // No word of it is on the rules' sarcasm list ("what a surprise" now is).
        "Oh wonderful, another denial, just what you needed.",
        "I'm not going to apologise for our policy.",
    ] {
        let (hybrid, rules) = both(reply);
        assert!(
            hybrid.empathy.score < rules.empathy.score,
            "{reply:?}: hybrid {} vs rules {}: {:#?}",
            hybrid.empathy.score,
            rules.empathy.score,
            hybrid.empathy.reasons
        );
    }
    // "I understand, but ..." keeps no empathy credit.
    let (hybrid, _) = both("I understand, but that's just how it works.");
    assert!(hybrid.empathy.score <= 35, "{:#?}", hybrid.empathy);
    // A negated blame is not blame.
    let (hybrid, _) = both("That's not your fault at all.");
    assert!(
        !semantic(&hybrid.empathy).contains(&"semantic.blames-the-customer"),
        "{:#?}",
        hybrid.empathy
    );
}

#[test]
fn a_plain_fact_earns_no_bank_points_and_reads_colder_than_the_same_fact_said_warmly() {
    let (hybrid, _) = both("The parcel is held at the Eastfield depot.");
    for d in [&hybrid.empathy, &hybrid.accuracy, &hybrid.deescalation] {
        let banks: Vec<&str> = semantic(d)
            .into_iter()
            .filter(|r| *r != "semantic.calibrated")
            .collect();
        assert!(banks.is_empty(), "{d:#?}");
    }
    let (warm, _) = both(
        "Oh Dana, I'm so sorry, that's awful timing. The parcel is held at the Eastfield depot.",
    );
    assert!(warm.empathy.score > hybrid.empathy.score, "{warm:#?}");
}

#[test]
fn the_same_reply_scores_the_same_every_time() {
    let reply = "I'm so sorry, Dana, two missed deliveries before a birthday is awful. It's at the Eastfield depot and I've booked the priority van for Thursday 13 June.";
    let (first, _) = both(reply);
    for _ in 0..3 {
        assert_eq!(both(reply).0, first);
    }
}

#[test]
fn the_nodes_model_answer_lends_its_empathy_to_the_banks() {
    // "I can see why you're fed up." is in late-parcel's model answer at explain-status, and in
    // no bank of the shipped file.
    let banks = holdline::scoring::semantic::banks::ExemplarBanks::builtin();
    assert!(
        banks
            .banks
            .iter()
            .flat_map(|b| &b.exemplars)
            .all(|e| !e.contains("see why you're fed up"))
    );
    let (hybrid, _) = both("I can tell why you're so fed up with us.");
    let reason = hybrid
        .empathy
        .reasons
        .iter()
        .find(|r| r.rule == "semantic.acknowledges-feeling")
        .expect("the acknowledgement is read");
    assert!(
        reason
            .explanation
            .starts_with("Read like: \"I can see why you're fed up.\""),
        "{reason:?}"
    );
}

#[test]
fn a_clause_that_says_the_opposite_of_a_bad_exemplar_in_other_word_forms_is_not_that_bad() {
    // "I'm not staying on the line for this" is a threat; "I'll stay on the line" is its
    // opposite, though the embeddings put them close. Stems make the negation line up.
    let (hybrid, _) = both("I'll stay on the line while you check.");
    assert!(
        !semantic(&hybrid.deescalation).contains(&"semantic.threatens-to-end-contact"),
        "{:#?}",
        hybrid.deescalation.reasons
    );
    // "not yours" negates the "your" of a blaming exemplar: no blame.
    let (hybrid, _) = both("That's our fault, not yours.");
    assert!(
        !semantic(&hybrid.empathy).contains(&"semantic.blames-the-customer"),
        "{:#?}",
        hybrid.empathy.reasons
    );
    // "hardly" and "not" negate alike, so this still reads as the brush-off it is.
    let (hybrid, rules) = both("It's not the end of the world.");
    assert!(hybrid.deescalation.score < rules.deescalation.score || rules.deescalation.score < 35);
}
