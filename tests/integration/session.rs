//! The session runtime end to end on real scenario files: replies, scores, mood, routing,
//! hesitation, walkouts, outcomes, and byte-for-byte determinism from a seed.

use std::path::PathBuf;
use std::sync::Arc;

use holdline::scenario::library::load_source;
use holdline::scenario::model::{EndingKind, Scenario};
use holdline::scenario::mood::MoodBand;
use holdline::scoring::{Lexicon, ReplyScorer, RuleScorer};
use holdline::session::{
    Next, OfferedChoice, Options, Response, Session, SessionError, Start, TimedResponse,
};

fn load(relative: &str) -> Arc<Scenario> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    let bytes = std::fs::read(&path).expect("fixture exists");
    let (scenario, diagnostics) = load_source(relative, &bytes, &Lexicon::builtin());
    Arc::new(scenario.unwrap_or_else(|| panic!("{relative} is valid: {diagnostics:#?}")))
}

fn scorer() -> Arc<dyn ReplyScorer> {
    Arc::new(RuleScorer::default())
}

fn text(t: &str) -> Response {
    Response::Text(t.to_string())
}

#[test]
fn a_good_path_resolves_with_stars_and_a_full_transcript() {
    let scenario = load("tests/fixtures/valid.ron");
    let mut session = Session::new(Arc::clone(&scenario), 1, scorer()).unwrap();
    let prompt = session.prompt().unwrap();
    assert_eq!(prompt.node_id, "opening");
    assert_eq!(prompt.customer_line, "Where is my refund?");
    assert_eq!(prompt.band, MoodBand::Annoyed);
    assert_eq!(
        prompt.options,
        Options::Choices(vec![
            OfferedChoice {
                index: 0,
                text: "I'm sorry for the wait. Let me check.",
            },
            OfferedChoice {
                index: 1,
                text: "Refunds take time.",
            },
        ])
    );

    let turn = session.respond(Response::Choice(0), 1_000).unwrap().clone();
    assert_eq!(
        (
            turn.score.empathy.score,
            turn.score.accuracy.score,
            turn.score.deescalation.score
        ),
        (80, 60, 80)
    );
    assert_eq!(turn.feedback.as_deref(), Some("Apology and ownership."));
    assert_eq!(turn.next, Next::Node("explain".into()));

    let reply = "I'm sorry, Sam. Your refund of $20 was sent on 4 May; I'll check it shows within 3 business days.";
    let turn = session.respond(text(reply), 2_000).unwrap().clone();
    let fact = turn
        .score
        .accuracy
        .reasons
        .iter()
        .find(|r| r.rule == "accuracy.fact-stated")
        .unwrap();
    assert_eq!(fact.matched, "4 May");
    assert_eq!(&reply[fact.span.unwrap().0..fact.span.unwrap().1], "4 May");
    assert_eq!(turn.score.accuracy.score, 100);
    assert!(
        turn.mood_after.anger < turn.mood_before.anger,
        "a good reply calms: {turn:#?}"
    );
    assert_eq!(turn.next, Next::Ending("resolved".into()));

    let outcome = session.outcome().expect("ended");
    assert_eq!(outcome.kind, EndingKind::Resolved);
    assert_eq!(outcome.turns, 2);
    assert!(outcome.passed);
    assert_eq!(
        outcome.empathy,
        holdline::scoring::mean_score(&[80, turn.score.empathy.score])
    );
    assert!(session.prompt().is_none());
    assert_eq!(
        session.respond(Response::Choice(0), 0).unwrap_err(),
        SessionError::Ended
    );
    assert_eq!(session.transcript().len(), 2);
}

#[test]
fn a_weak_free_text_reply_takes_the_fallback_route_and_fails() {
    let scenario = load("tests/fixtures/valid.ron");
    let inputs = [
        TimedResponse {
            response: Response::Choice(0),
            elapsed_ms: 0,
        },
        TimedResponse {
            response: text("dunno, refunds are slow"),
            elapsed_ms: 0,
        },
    ];
    let session = Session::replay(scenario, Start::Scenario, 1, scorer(), &inputs).unwrap();
    let last = session.transcript().last().unwrap();
    assert_eq!(
        last.score.accuracy.score, 20,
        "no fact stated: {:#?}",
        last.score.accuracy
    );
    let missing = &last.score.accuracy.reasons[0];
    assert_eq!(
        (missing.rule.as_str(), missing.delta),
        ("accuracy.fact-missing", 0)
    );
    let outcome = session.outcome().unwrap();
    assert_eq!(outcome.kind, EndingKind::Escalated);
    assert!(!outcome.passed);
    assert_eq!(outcome.stars, 0, "a failed attempt earns no star");
}

#[test]
fn invalid_responses_are_refused_and_change_nothing() {
    let scenario = load("tests/fixtures/valid.ron");
    let mut session = Session::new(scenario, 3, scorer()).unwrap();
    let before = session.record();
    assert_eq!(
        session.respond(Response::Choice(5), 0).unwrap_err(),
        SessionError::NoSuchChoice {
            given: 6,
            available: 2
        }
    );
    assert_eq!(
        session.respond(text("hello"), 0).unwrap_err(),
        SessionError::ExpectedChoice
    );
    assert_eq!(session.record(), before);
    session.respond(Response::Choice(0), 0).unwrap();
    assert_eq!(
        session.respond(Response::Choice(0), 0).unwrap_err(),
        SessionError::ExpectedText
    );
    assert_eq!(
        session.respond(text("  \n "), 0).unwrap_err(),
        SessionError::EmptyReply
    );
    assert_eq!(session.transcript().len(), 1);
}

#[test]
fn hesitating_past_patience_raises_anger() {
    let scenario = load("tests/fixtures/valid.ron");
    let quick = Session::replay(
        Arc::clone(&scenario),
        Start::Scenario,
        1,
        scorer(),
        &[TimedResponse {
            response: Response::Choice(0),
            elapsed_ms: 29_000,
        }],
    )
    .unwrap();
    let slow = Session::replay(
        scenario,
        Start::Scenario,
        1,
        scorer(),
        &[TimedResponse {
            response: Response::Choice(0),
            elapsed_ms: 61_000,
        }],
    )
    .unwrap();
    let (quick, slow) = (&quick.transcript()[0], &slow.transcript()[0]);
    assert_eq!(quick.hesitation.anger, 0);
    // 31 s past a 30 s patience: two started periods, 5 anger each.
    assert_eq!(slow.hesitation.anger, 10);
    assert_eq!(slow.mood_after.anger, quick.mood_after.anger + 10);
    assert_eq!(slow.mood_after.trust + 4, quick.mood_after.trust);
}

#[test]
fn anger_past_the_walkout_threshold_ends_the_conversation() {
    let scenario = load("scenarios/late-parcel.ron");
    let walkout = scenario
        .persona
        .walkout
        .clone()
        .expect("late-parcel has a walkout");
    // "Please calm down" adds 25 anger to a customer who starts at 62; waiting adds 20 more.
    let mut session = Session::new(Arc::clone(&scenario), 1, scorer()).unwrap();
    let turn = session
        .respond(Response::Choice(2), 10 * 60 * 1000)
        .unwrap()
        .clone();
    assert!(turn.mood_after.anger >= walkout.anger, "{turn:#?}");
    assert!(turn.walked_out);
    assert_eq!(turn.next, Next::Ending(walkout.ending.clone()));
    let outcome = session.outcome().unwrap();
    assert_eq!(outcome.kind, EndingKind::CustomerLeft);
    assert!(!outcome.passed);
}

#[test]
fn customer_lines_follow_the_mood_band() {
    let mut scenario = (*load("scenarios/late-parcel.ron")).clone();
    scenario.persona.mood.anger = 90;
    let irate = Session::new(Arc::new(scenario.clone()), 1, scorer()).unwrap();
    assert_eq!(irate.prompt().unwrap().band, MoodBand::Irate);
    let opening = scenario.nodes[0].customer.clone();
    assert!(
        opening
            .irate
            .contains(&irate.prompt().unwrap().customer_line.to_string())
    );
    scenario.persona.mood.anger = 10;
    // No calm lines at the opening: the nearest band (annoyed) speaks.
    let calm = Session::new(Arc::new(scenario), 1, scorer()).unwrap();
    assert!(
        opening
            .annoyed
            .contains(&calm.prompt().unwrap().customer_line.to_string())
    );
}

fn play_record(scenario: &Arc<Scenario>, seed: u64) -> String {
    let inputs = [
        TimedResponse {
            response: Response::Choice(0),
            elapsed_ms: 12_345,
        },
        TimedResponse {
            response: text(
                "I'm so sorry Dana. It's held at the Eastfield depot and will come on Thursday 13 June.",
            ),
            elapsed_ms: 50_000,
        },
        TimedResponse {
            response: Response::Choice(0),
            elapsed_ms: 3_000,
        },
    ];
    let session = Session::replay(
        Arc::clone(scenario),
        Start::Scenario,
        seed,
        scorer(),
        &inputs,
    )
    .unwrap();
    assert!(session.is_over());
    serde_json::to_string(&session.record()).unwrap()
}

#[test]
fn same_seed_and_inputs_replay_byte_for_byte() {
    let scenario = load("scenarios/late-parcel.ron");
    for seed in [0, 1, 42, u64::MAX] {
        assert_eq!(play_record(&scenario, seed), play_record(&scenario, seed));
    }
}

#[test]
fn the_seed_picks_between_alternative_lines() {
    let scenario = load("scenarios/late-parcel.ron");
    let lines: std::collections::BTreeSet<String> = (0..32)
        .map(|seed| {
            Session::new(Arc::clone(&scenario), seed, scorer())
                .unwrap()
                .prompt()
                .unwrap()
                .customer_line
                .to_string()
        })
        .collect();
    assert_eq!(
        lines.len(),
        scenario.nodes[0].customer.annoyed.len(),
        "{lines:#?}"
    );
}

/// A review drill at `node_id` with the customer in `mood`, judged at the built-in mark (50).
fn drill_at(node_id: &str, mood: holdline::scenario::mood::Mood) -> Start {
    Start::Drill {
        node_id: node_id.to_string(),
        mood,
        mark: 50,
    }
}

#[test]
fn a_drill_starts_at_its_node_in_the_given_mood_and_ends_after_one_reply() {
    use holdline::scenario::mood::Mood;
    use holdline::session::DRILL_ENDING;
    let scenario = load("tests/fixtures/valid.ron");
    let calm = Mood {
        anger: 10,
        confusion: 10,
        trust: 70,
    };
    let mut drill = Session::begin(
        Arc::clone(&scenario),
        drill_at("explain", calm),
        3,
        scorer(),
    )
    .unwrap();
    assert!(drill.is_drill());
    assert_eq!(drill.prompt().unwrap().node_id, "explain");
    assert_eq!(drill.prompt().unwrap().band, MoodBand::Calm);
    assert_eq!(drill.record().starting_mood, calm);
    let reply =
        "I'm sorry, Sam. Your $20 refund was sent on 4 May and should show within 3 business days.";
    drill.respond(text(reply), 2_000).unwrap();
    let outcome = drill
        .outcome()
        .expect("a drill ends after one reply")
        .clone();
    assert_eq!(outcome.ending_id, DRILL_ENDING);
    assert_eq!((outcome.turns, outcome.stars), (1, 1));
    assert!(outcome.passed, "{outcome:?}");
    assert_eq!(drill.respond(text("more"), 0), Err(SessionError::Ended));

    // A drill at a choice node that would lead on to another node also ends there.
    let mut drill = Session::begin(
        Arc::clone(&scenario),
        drill_at("opening", calm),
        3,
        scorer(),
    )
    .unwrap();
    drill.respond(Response::Choice(1), 1_000).unwrap();
    let outcome = drill.outcome().unwrap();
    assert!(!outcome.passed);
    assert_eq!(outcome.kind, EndingKind::Escalated);

    assert!(matches!(
        Session::begin(scenario, drill_at("nowhere", calm), 3, scorer()),
        Err(SessionError::BrokenScenario(id)) if id == "nowhere"
    ));
}

/// Plays `scenario` to an ending: `first` at the first typed turn, then the first choice at
/// choice turns and the first model answer at typed ones.
fn play_through(scenario: &Arc<Scenario>, first: &str) -> holdline::session::Outcome {
    let mut session = Session::new(Arc::clone(scenario), 3, scorer()).unwrap();
    let mut first = Some(first.to_string());
    for _ in 0..30 {
        if let Some(outcome) = session.outcome() {
            return outcome.clone();
        }
        let response = match session.prompt().unwrap().options {
            Options::Choices(_) => Response::Choice(0),
            Options::FreeText { .. } => match first.take() {
                Some(reply) => text(&reply),
                None => {
                    let node = session.current_node().unwrap();
                    let holdline::scenario::model::Turn::FreeText(free) = &node.turn else {
                        unreachable!()
                    };
                    text(&free.rubric.model_answers[0])
                }
            },
        };
        session.respond(response, 0).unwrap();
    }
    panic!("no ending within 30 turns");
}

#[test]
fn a_critical_breach_fails_the_attempt_whatever_the_scores() {
    let scenario = load("scenarios/recall-notice.ron");
    let node = scenario.node("first-email").unwrap();
    let holdline::scenario::model::Turn::FreeText(free) = &node.turn else {
        panic!("first-email is a typed turn")
    };
    let model = free.rubric.model_answers[0].clone();
    let clean = play_through(&scenario, &model);
    assert!(clean.passed, "the model answers pass: {clean:?}");
    assert!(clean.critical.is_empty());

    let breach = format!("{model} Honestly though, it's perfectly safe until the new one comes.");
    let failed = play_through(&scenario, &breach);
    assert!(
        failed.overall >= scenario.pass_mark,
        "the averages alone would pass: {failed:?}"
    );
    assert!(!failed.passed, "one critical breach fails it: {failed:?}");
    assert_eq!(failed.stars, 0);
    assert_eq!(failed.critical.len(), 1);
    assert_eq!(failed.critical[0].claim, "safe-to-keep-using");
    assert_eq!(failed.critical[0].matched, "perfectly safe");
}
