//! The free-text scorer's behaviour on the traps trainers care about, its explanations, the
//! `holdline score` command, and that no input string can make it panic.

use std::path::PathBuf;
use std::sync::Arc;

use holdline::scenario::library::load_paths;
use holdline::scenario::model::{Scenario, Turn};
use holdline::scoring::{Lexicon, ReplyScore, ReplyScorer, RuleScorer, ScoringContext};
use proptest::prelude::*;

fn scenario(id: &str) -> Arc<Scenario> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let report = load_paths(&[dir], &Lexicon::builtin());
    Arc::clone(&report.find(id).expect("shipped scenario").scenario)
}

fn score_at(scenario: &Scenario, node: &str, reply: &str, earlier: &[String]) -> ReplyScore {
    let node = scenario.node(node).expect("node");
    assert!(matches!(node.turn, Turn::FreeText(_)), "a free-text node");
    let context = ScoringContext::at(scenario, node, "Fine. So where is it?", earlier);
    RuleScorer::default().score(&context, reply)
}

fn parcel(reply: &str) -> ReplyScore {
    score_at(&scenario("late-parcel"), "explain-status", reply, &[])
}

fn fired(score: &ReplyScore, rule: &str) -> bool {
    [&score.empathy, &score.accuracy, &score.deescalation]
        .iter()
        .any(|d| d.reasons.iter().any(|r| r.rule == rule && r.delta != 0))
}

#[test]
fn every_reason_is_explained_and_points_at_its_words() {
    let reply = "I'm so sorry, Dana. It's held at the Eastfield depot and will arrive Thursday 13 June; I'll send the tracking link.";
    let score = parcel(reply);
    for d in [&score.empathy, &score.accuracy, &score.deescalation] {
        let sum: i32 = d.reasons.iter().map(|r| r.delta).sum();
        assert!(i32::from(d.score) <= 100 && i32::from(d.score) >= 0);
        assert!(!d.reasons.is_empty());
        for r in &d.reasons {
            assert!(!r.explanation.is_empty() && !r.hint.is_empty(), "{r:?}");
            if let Some((s, e)) = r.span {
                assert_eq!(&reply[s..e], r.matched, "{r:?}");
            }
        }
        let _ = sum;
    }
    assert!(fired(&score, "empathy.uses-name"));
    assert!(
        fired(&score, "empathy.validate-first"),
        "apology came before the facts"
    );
    assert_eq!(score.accuracy.score, 100);
}

#[test]
fn negation_takes_away_the_credit_its_keywords_suggest() {
    let sorry = parcel("I'm sorry the parcel is late, Dana.");
    let not_sorry = parcel("I'm not sorry the parcel is late, Dana.");
    assert!(sorry.empathy.score > not_sorry.empathy.score);
    let cannot = parcel("I can't help you with that.");
    assert!(!fired(&cannot, "deescalation.ownership"), "{cannot:#?}");
    let not_blame = parcel("This is not your fault, Dana.");
    assert!(!fired(&not_blame, "empathy.blame"));
    let but = parcel("I understand, but it's not my problem.");
    assert!(fired(&but, "empathy.undone-by-but"), "{but:#?}");
}

#[test]
fn the_customers_complaint_read_back_earns_no_understanding() {
    let late = scenario("late-parcel");
    let node = late.node("explain-status").unwrap();
    let said = "My order was out for delivery on Tuesday and again yesterday, it still hasn't come, and it's my daughter's birthday present for Saturday.";
    let score = |reply: &str| {
        RuleScorer::default().score(&ScoringContext::at(&late, node, said, &[]), reply)
    };
    let checklist = score(
        "I understand that your order was out for delivery on Tuesday and again yesterday and it still hasn't come and it's your daughter's birthday present. It's held at the Eastfield depot and arrives Thursday 13 June.",
    );
    assert!(
        fired(&checklist, "empathy.restates-complaint"),
        "{:#?}",
        checklist.empathy
    );
    assert!(
        !fired(&checklist, "empathy.acknowledge-feeling"),
        "{:#?}",
        checklist.empathy
    );
    let own_words = score(
        "I understand how upsetting two missed deliveries are with the party on Saturday. It's held at the Eastfield depot and arrives Thursday 13 June.",
    );
    assert!(
        !fired(&own_words, "empathy.restates-complaint"),
        "{:#?}",
        own_words.empathy
    );
    assert!(fired(&own_words, "empathy.acknowledge-feeling"));
    assert!(own_words.empathy.score > checklist.empathy.score);
}

#[test]
fn comfort_built_on_a_false_promise_holds_de_escalation_down() {
    let promise = parcel(
        "I'm so sorry, Dana, I'll sort this myself right now. It's at the Eastfield depot and it will arrive today, this afternoon, and I'll message you by 3pm with the tracking.",
    );
    assert!(fired(&promise, "accuracy.forbidden-claim"));
    assert!(
        fired(&promise, "deescalation.false-comfort"),
        "{:#?}",
        promise.deescalation
    );
    assert_eq!(promise.deescalation.score, 60);
    let sum: i32 = promise.deescalation.reasons.iter().map(|r| r.delta).sum();
    assert!(
        sum < 60,
        "the reasons add up to the score from the base: {sum}"
    );
    let honest = parcel(
        "I'm so sorry, Dana, I'll sort this myself right now. It's at the Eastfield depot and it will arrive Thursday 13 June, and I'll message you today by 3pm with the tracking.",
    );
    assert!(!fired(&honest, "deescalation.false-comfort"));
    assert!(honest.deescalation.score > promise.deescalation.score);
}

#[test]
fn forbidden_claims_cost_accuracy_unless_denied() {
    let promise = parcel("It's held at the Eastfield depot; it will arrive today, this afternoon.");
    let denial = parcel(
        "It's held at the Eastfield depot. I can't promise it will arrive today; the earliest is Thursday 13 June.",
    );
    assert!(fired(&promise, "accuracy.forbidden-claim"));
    assert!(!fired(&denial, "accuracy.forbidden-claim"), "{denial:#?}");
    assert!(denial.accuracy.score > promise.accuracy.score);
}

#[test]
fn facts_match_across_formats_and_typos_but_wrong_figures_cost() {
    let typo = parcel("it's at the eastfield depot, coming thurday 13th of june");
    assert_eq!(typo.accuracy.score, 100, "{:#?}", typo.accuracy);
    let wrong = parcel("It's at the Eastfield depot and comes on 20 June.");
    assert!(
        fired(&wrong, "accuracy.wrong-figure"),
        "{:#?}",
        wrong.accuracy
    );
    assert!(wrong.accuracy.score < typo.accuracy.score);
}

#[test]
fn gaming_the_scorer_gains_nothing() {
    let good = parcel(
        "I'm so sorry, Dana, two missed deliveries before a birthday is stressful. It's at the Eastfield depot and arrives Thursday 13 June.",
    );
    let stuffed = parcel(
        "I'm sorry I'm sorry I understand I understand I apologise, that must be so frustrating, I can imagine, I'm sorry. It's at the Eastfield depot and arrives Thursday 13 June.",
    );
    assert!(fired(&stuffed, "empathy.stuffing"));
    assert!(good.empathy.score > stuffed.empathy.score);
    let essay = format!(
        "{} {}",
        "I completely understand how you feel and I am so sorry about this, Dana.",
        "We value you as a customer and we always try to do our best for everyone. ".repeat(40)
    );
    let essay = parcel(&essay);
    assert!(fired(&essay, "deescalation.wall-of-text"));
    assert!(good.overall > essay.overall);
    let ok = parcel("ok");
    assert!(ok.overall < 30, "{ok:#?}");
    let shouting = parcel("IT IS AT THE DEPOT!!! IT COMES THURSDAY 13 JUNE");
    assert!(fired(&shouting, "deescalation.shouting"));
}

#[test]
fn empathy_earlier_in_the_session_counts_for_the_sequence() {
    let s = scenario("late-parcel");
    let facts_only = "It's held at the Eastfield depot and will arrive Thursday 13 June.";
    let alone = score_at(&s, "explain-status", facts_only, &[]);
    let after = score_at(
        &s,
        "explain-status",
        facts_only,
        &["I'm so sorry, that sounds really stressful.".to_string()],
    );
    assert!(!fired(&alone, "empathy.validate-first"));
    assert!(fired(&after, "empathy.validate-first"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_string_panics_the_scorer(reply in any::<String>()) {
        let score = parcel(&reply);
        prop_assert!(score.overall <= 100);
    }

    #[test]
    fn odd_text_is_scored_cleanly(reply in "[\\u{0}-\\u{1f}\\u{202e}\\u{200f}\\u{05d0}-\\u{05ea}\\u{0627}-\\u{064a}\\u{1f600}-\\u{1f64f} a-zA-Z0-9'’.,!?-]{0,400}") {
        let score = parcel(&reply);
        for d in [&score.empathy, &score.accuracy, &score.deescalation] {
            for r in &d.reasons {
                if let Some((s, e)) = r.span {
                    prop_assert!(reply.get(s..e).is_some());
                }
            }
        }
    }
}

#[test]
fn a_megabyte_of_text_is_scored_without_panic() {
    let huge = "Sorry Dana ✈️ مرحبا \u{202e}!! ".repeat(40_000);
    assert!(huge.len() > 1_000_000);
    let score = parcel(&huge);
    assert!(fired(&score, "deescalation.wall-of-text"));
}

#[test]
fn a_courtesy_is_not_an_acknowledgement_and_stock_lines_in_bulk_cost_twice() {
    // Thanks and a name are polite, but nothing was acknowledged before the facts.
    let cold = parcel(
        "Thanks for the details, Dana. It's held at the Eastfield depot and arrives Thursday 13 June.",
    );
    assert!(
        !fired(&cold, "empathy.validate-first"),
        "{:#?}",
        cold.empathy
    );
    assert!(fired(&cold, "empathy.stock-opening"));
    let warm = parcel(
        "That's the last thing you need, Dana, I'm sorry. It's held at the Eastfield depot and arrives Thursday 13 June.",
    );
    assert!(
        fired(&warm, "empathy.validate-first"),
        "{:#?}",
        warm.empathy
    );
    // Four stock lines cost the penalty once; eight cost it twice.
    let stuffing = |reply: &str| -> i32 {
        parcel(reply)
            .empathy
            .reasons
            .iter()
            .filter(|r| r.rule == "empathy.stuffing")
            .map(|r| r.delta)
            .sum()
    };
    let some =
        stuffing("I'm sorry, I understand, I hear you, that's frustrating. It's at the depot.");
    let lots = stuffing(
        "I'm sorry, I understand, I hear you, that's frustrating, I apologise, so sorry, I can imagine, that sounds stressful. It's at the depot.",
    );
    assert!(some < 0, "{some}");
    assert_eq!(lots, 2 * some);
}

#[test]
fn upselling_threats_minimising_and_blame_cost_deescalation() {
    let plain = parcel("It's held at the Eastfield depot and arrives Thursday 13 June.");
    for (rule, reply) in [
        (
            "deescalation.upsell",
            "It's held at the Eastfield depot and arrives Thursday 13 June. While I have you, have you thought about our premium delivery pass?",
        ),
        (
            "deescalation.threatens-to-end",
            "Keep it civil or I'll end the chat. It's held at the Eastfield depot and arrives Thursday 13 June.",
        ),
        (
            "deescalation.minimises",
            "It's only a few days, no need to panic. It's held at the Eastfield depot and arrives Thursday 13 June.",
        ),
        (
            "deescalation.blames-customer",
            "If you'd checked the address this wouldn't happen. It's held at the Eastfield depot and arrives Thursday 13 June.",
        ),
    ] {
        let score = parcel(reply);
        assert!(fired(&score, rule), "{rule}: {:#?}", score.deescalation);
        assert!(
            score.deescalation.score < plain.deescalation.score,
            "{rule}"
        );
    }
}

#[test]
fn a_threat_earns_no_ownership_and_jargon_costs_but_acronyms_alone_do_not_shout() {
    // "I'll" inside "or I'll have to end" is the threat, not ownership.
    let threat = parcel(
        "It's held at the Eastfield depot and arrives Thursday 13 June, so stop swearing or I'll have to end the call.",
    );
    assert!(fired(&threat, "deescalation.threatens-to-end"));
    assert!(
        !fired(&threat, "deescalation.ownership"),
        "{:#?}",
        threat.deescalation
    );
    // The same "I'll" outside a threat is ownership.
    let owned =
        parcel("It's held at the Eastfield depot; I'll make sure it arrives Thursday 13 June.");
    assert!(fired(&owned, "deescalation.ownership"));

    let plain = parcel("It's held at the Eastfield depot and arrives Thursday 13 June.");
    let jargon = parcel(
        "Your consignment hit an SLA breach at the RDC, so the POD is pending and the ETA is Thursday 13 June.",
    );
    assert!(
        fired(&jargon, "deescalation.jargon"),
        "{:#?}",
        jargon.deescalation
    );
    assert!(jargon.deescalation.score < plain.deescalation.score);
    // Two acronyms, one a lone three-letter one: neither jargon nor shouting.
    let two =
        parcel("It's held at the Eastfield depot, ETA Thursday 13 June; the DPD driver has it.");
    assert!(!fired(&two, "deescalation.jargon"));
    assert!(
        !fired(&two, "deescalation.shouting"),
        "{:#?}",
        two.deescalation
    );
    // Over-keen is not shouting; three in a row is.
    assert!(!fired(
        &parcel("Good news, it arrives Thursday 13 June!!"),
        "deescalation.shouting"
    ));
    assert!(fired(
        &parcel("It arrives Thursday 13 June!!!"),
        "deescalation.shouting"
    ));
    // "I understand, but that's just how it works" keeps no empathy credit.
    let wall = parcel("I understand, but that's just how it works. It arrives Thursday 13 June.");
    assert!(fired(&wall, "empathy.undone-by-but"), "{:#?}", wall.empathy);
}

#[test]
fn a_second_negation_cancels_a_forbidden_claim_that_holds_its_own() {
    // gdpr-data-request forbids "we don't hold any" (data): a claim with its own negator.
    let gdpr = scenario("gdpr-data-request");
    let claims = |reply: &str| {
        fired(
            &score_at(&gdpr, "inbox", reply, &[]),
            "accuracy.forbidden-claim",
        )
    };
    assert!(claims("We don't hold any data about you."));
    assert!(!claims(
        "I'm not saying we don't hold any data: your profile and invoices are all there."
    ));
    assert!(claims("No we don't hold any data about you."));
}
