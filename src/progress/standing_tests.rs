//! Tests of the standing worked out from attempt histories: XP for quality and improvement,
//! little for mastered replays, nothing for click-throughs; stars, unlocks, badges and shifts.

use super::attempt::{AttemptKind, AttemptRecord, AttemptStatus};
use super::rules::ProgressRules;
use super::standing::standing;
use crate::scenario::model::{Channel, EndingKind, Industry};
use crate::scenario::mood::{Mood, MoodBand, MoodDelta};
use crate::scoring::{DimensionScore, Reason, ReplyScore};
use crate::session::{Next, Outcome, TurnResult};

const DAY: u64 = 86_400;

fn turn(scores: [u8; 3], anger_after: u8, penalty: bool) -> TurnResult {
    let dim = |score| DimensionScore {
        score,
        reasons: if penalty {
            vec![Reason {
                rule: "blame".into(),
                delta: -15,
                matched: "you should have".into(),
                span: None,
                explanation: "blames the customer".into(),
                hint: "own it".into(),
            }]
        } else {
            vec![]
        },
    };
    TurnResult {
        node_id: "n1".into(),
        customer_line: "Where is it?".into(),
        band: MoodBand::Annoyed,
        reply: "typed".into(),
        choice: None,
        elapsed_ms: 20_000,
        score: ReplyScore {
            empathy: dim(scores[0]),
            accuracy: dim(scores[1]),
            deescalation: dim(scores[2]),
            overall: ((u32::from(scores[0]) + u32::from(scores[1]) + u32::from(scores[2])) / 3)
                as u8,
            critical: Vec::new(),
        },
        feedback: None,
        mood_before: Mood::default(),
        hesitation: MoodDelta::default(),
        mood_after: Mood {
            anger: anger_after,
            confusion: 10,
            trust: 70,
        },
        walked_out: false,
        next: Next::Ending("done".into()),
    }
}

/// A finished attempt of three equal turns on `scenario` at `day`.
pub(crate) fn attempt(
    scenario: &str,
    channel: Channel,
    day: u64,
    scores: [u8; 3],
    stars: u8,
) -> AttemptRecord {
    let overall = ((u32::from(scores[0]) + u32::from(scores[1]) + u32::from(scores[2])) / 3) as u8;
    let at = day * DAY + 3600;
    AttemptRecord {
        id: format!("{at:012}-{scenario}"),
        kind: AttemptKind::Scenario,
        status: AttemptStatus::Finished,
        scenario_id: scenario.into(),
        scenario_version: 1,
        channel: Some(channel),
        industry: Some(Industry::Retail),
        tier: Some(1),
        seed: 1,
        started_at: at - 120,
        finished_at: at,
        starting_mood: Mood {
            anger: 60,
            confusion: 20,
            trust: 30,
        },
        turns: vec![turn(scores, 20, false); 3],
        outcome: Some(Outcome {
            ending_id: "done".into(),
            kind: EndingKind::Resolved,
            text: String::new(),
            empathy: scores[0],
            accuracy: scores[1],
            deescalation: scores[2],
            overall,
            passed: stars >= 2,
            critical: Vec::new(),
            stars,
            turns: 3,
        }),
        utc_offset_secs: 0,
        legacy: false,
    }
}

fn rules() -> ProgressRules {
    ProgressRules::builtin()
}

#[test]
fn xp_rewards_quality_and_improving_the_weakest_dimension() {
    let r = rules();
    let first = attempt("a", Channel::Phone, 100, [80, 40, 60], 2);
    let s = standing(&r, std::slice::from_ref(&first), 100);
    // base 20 + 60 overall; no earlier attempts, so no improvement bonus.
    assert_eq!(s.xp, 20 + 60);
    // Accuracy was weakest (40). Raising it to 70 earns 3 per point of the 30 gained.
    let better = attempt("b", Channel::Phone, 100, [80, 70, 60], 2);
    let s2 = standing(&r, &[first.clone(), better.clone()], 100);
    assert_eq!(s2.earned[&better.id].xp, 20 + 70 + 3 * 30);
    // The same overall without raising accuracy earns less.
    let flat = attempt("b", Channel::Phone, 100, [100, 40, 70], 2);
    let s3 = standing(&r, &[first, flat.clone()], 100);
    assert!(s3.earned[&flat.id].xp < s2.earned[&better.id].xp);
}

#[test]
fn replaying_a_mastered_scenario_gives_a_tenth_and_click_throughs_give_nothing() {
    let r = rules();
    let mastered = attempt("a", Channel::Chat, 100, [90, 90, 90], 3);
    let again = attempt("a", Channel::Chat, 101, [90, 90, 90], 3);
    let s = standing(&r, &[mastered, again.clone()], 101);
    assert_eq!(s.earned[&again.id].xp, (20 + 90) / 10);

    let mut rushed = attempt("c", Channel::Chat, 101, [90, 90, 90], 3);
    rushed.id.push_str("-rushed");
    for t in &mut rushed.turns {
        t.elapsed_ms = 1_000;
    }
    // Three seconds on the call clock, start to end.
    rushed.started_at = rushed.finished_at - 3;
    let mut abandoned = attempt("d", Channel::Chat, 101, [90, 90, 90], 3);
    abandoned.status = AttemptStatus::Abandoned;
    let s = standing(&r, &[rushed.clone(), abandoned.clone()], 101);
    assert_eq!(
        (s.earned[&rushed.id].xp, s.earned[&abandoned.id].xp),
        (0, 0)
    );
    // The rushed attempt is finished (its stars count) but is not practice (no XP, no badge
    // counts): the two counts say so apart.
    assert_eq!(
        (s.finished, s.practised, s.drills, s.abandoned),
        (1, 0, 0, 1)
    );
    assert!(s.streak.current == 0, "a click-through is not practice");
    assert_eq!(s.stars.get("c"), Some(&3), "stars need no minimum effort");
    assert_eq!(s.stars.get("d"), None, "an unfinished attempt earns none");
}

#[test]
fn stars_are_the_best_and_tier_two_opens_after_six_tier_one_stars() {
    let r = rules();
    let mut history = vec![
        attempt("a", Channel::Phone, 100, [90, 90, 90], 3),
        attempt("a", Channel::Phone, 101, [50, 50, 50], 1),
        attempt("b", Channel::Chat, 101, [70, 70, 70], 2),
    ];
    let s = standing(&r, &history, 101);
    assert_eq!(s.stars["a"], 3, "the best of a's attempts");
    assert_eq!(s.stars_by_tier[&1], 5);
    assert!(!s.unlocked_tiers.contains(&2));
    history.push(attempt("c", Channel::Email, 102, [70, 70, 70], 2));
    let s = standing(&r, &history, 102);
    assert!(s.unlocked_tiers.contains(&2) && !s.unlocked_tiers.contains(&3));
}

#[test]
fn failed_attempts_earn_no_stars_and_open_no_tier() {
    let r = rules();
    // Six different tier-one scenarios, each failed: saved with the one star a failure used to
    // earn, and one where the customer left.
    let mut history: Vec<AttemptRecord> = (0..6)
        .map(|i| attempt(&format!("s{i}"), Channel::Phone, 100, [40, 40, 40], 1))
        .collect();
    if let Some(outcome) = history[5].outcome.as_mut() {
        outcome.kind = EndingKind::CustomerLeft;
    }
    let s = standing(&r, &history, 100);
    assert_eq!(
        s.stars_by_tier.get(&1).copied().unwrap_or(0),
        0,
        "{:?}",
        s.stars
    );
    assert!(
        !s.unlocked_tiers.contains(&2),
        "six failures must not open tier 2"
    );
    // Three passes open it.
    history.extend((0..3).map(|i| attempt(&format!("s{i}"), Channel::Phone, 101, [75, 75, 75], 2)));
    assert!(standing(&r, &history, 101).unlocked_tiers.contains(&2));
}

#[test]
fn skill_and_breadth_badges_are_earned_by_the_attempt_that_meets_them() {
    let r = rules();
    let mut calm = attempt("irate", Channel::Phone, 100, [80, 80, 80], 2);
    calm.starting_mood.anger = 85;
    let channels = [Channel::Chat, Channel::Email, Channel::Social];
    let mut history = vec![calm.clone()];
    for (i, channel) in channels.iter().enumerate() {
        history.push(attempt(
            &format!("s{i}"),
            *channel,
            101 + i as u64,
            [70, 70, 70],
            2,
        ));
    }
    let s = standing(&r, &history, 104);
    let badge = |id: &str| s.badges.iter().find(|b| b.id == id).unwrap();
    assert_eq!(
        badge("cool-head").earned_by.as_deref(),
        Some(calm.id.as_str())
    );
    assert_eq!(
        badge("first-call").earned_by.as_deref(),
        Some(calm.id.as_str())
    );
    assert_eq!(
        badge("all-channels").earned_by.as_deref(),
        Some(history[3].id.as_str())
    );
    assert_eq!(
        badge("ten-calls").progress,
        Some((4, 10)),
        "locked badges show progress"
    );
    assert!(
        badge("precise").earned_by.is_none(),
        "tier 1 cannot earn the tier-3 badge"
    );
    assert!(
        s.earned[&history[3].id]
            .badges
            .contains(&"all-channels".to_string())
    );
    assert_eq!(s.streak.current, 4, "four days in a row; today is not over");
}

#[test]
fn a_penalty_phrase_breaks_the_clean_run() {
    let r = rules();
    let mut history: Vec<AttemptRecord> = (0..4)
        .map(|i| attempt(&format!("s{i}"), Channel::Chat, 100, [80, 80, 80], 2))
        .collect();
    let mut slip = attempt("s4", Channel::Chat, 100, [80, 80, 80], 2);
    slip.turns[1] = turn([60, 80, 40], 20, true);
    history.push(slip);
    let s = standing(&r, &history, 100);
    let clean = s.badges.iter().find(|b| b.id == "clean-five").unwrap();
    assert!(clean.earned_by.is_none());
    assert_eq!(clean.progress, Some((0, 5)));
    history.push(attempt("s5", Channel::Chat, 100, [80, 80, 80], 2));
    let s = standing(&r, &history, 100);
    let clean = s.badges.iter().find(|b| b.id == "clean-five").unwrap();
    assert_eq!(clean.progress, Some((1, 5)));
}

#[test]
fn a_weak_reply_enters_the_review_queue_and_a_finished_shift_is_summarised() {
    let r = rules();
    let mut weak = attempt("a", Channel::Phone, 100, [80, 30, 60], 1);
    weak.turns[0] = turn([80, 30, 60], 20, false);
    let s = standing(&r, std::slice::from_ref(&weak), 100);
    assert!(s.review_due.is_empty());
    assert_eq!(s.review_later[0].node_id, "n1");
    let s = standing(&r, std::slice::from_ref(&weak), 101);
    assert_eq!(s.review_due.len(), 1, "due the next day");

    let calls: Vec<AttemptRecord> = (0..r.shift.calls)
        .map(|i| {
            let mut call = attempt(&format!("c{i}"), Channel::Phone, 100, [80, 80, 80], 2);
            call.kind = AttemptKind::Shift {
                shift_id: "shift-1".into(),
                call: i,
                calls: r.shift.calls,
            };
            call
        })
        .collect();
    let s = standing(&r, &calls, 100);
    assert_eq!(s.shifts.len(), 1);
    assert_eq!(s.shifts[0].handle_secs, vec![60; r.shift.calls as usize]);
    assert_eq!(s.shifts[0].satisfied_percent, 100);
    let first_shift = s.badges.iter().find(|b| b.id == "first-shift").unwrap();
    assert!(first_shift.earned_by.is_some());
}

#[test]
fn a_drill_clears_its_node_and_shifts_lean_towards_weak_unlocked_scenarios() {
    use super::shift::shift_candidates;
    let r = rules();
    let mut weak = attempt("a", Channel::Phone, 100, [80, 30, 60], 1);
    for (i, turn) in weak.turns.iter_mut().enumerate() {
        turn.mood_before.anger = 70 + i as u8;
    }
    let s = standing(&r, std::slice::from_ref(&weak), 101);
    assert_eq!(
        s.review_due[0].mood.anger, 72,
        "the drill starts as the latest miss did"
    );

    // Two due drills at the node, each passing, clear it and earn drill XP.
    let drill = |day: u64| {
        let mut d = attempt("a", Channel::Phone, day, [70, 70, 70], 1);
        d.id = format!("drill-{day}");
        d.kind = AttemptKind::Drill {
            node_id: "n1".into(),
        };
        d.turns.truncate(1);
        d
    };
    let history = [weak.clone(), drill(101), drill(104)];
    let s = standing(&r, &history, 104);
    assert!(s.review_due.is_empty() && s.review_later.is_empty());
    assert_eq!(s.earned["drill-101"].xp, r.xp.drill_passed);
    assert_eq!(
        s.stars["a"], 0,
        "drills never add stars (and the failed attempt earned none)"
    );

    let unlocked = [1u8].into();
    let scenarios = [("a", 1u8), ("fresh", 1), ("locked", 2)];
    let candidates = shift_candidates(scenarios, &unlocked, &history);
    let weakness: Vec<(&str, u8)> = candidates
        .iter()
        .map(|c| (c.scenario_id.as_str(), c.weakness))
        .collect();
    // "a": best accuracy 30 from full attempts (the drills' 70 does not count).
    assert_eq!(weakness, [("a", 70), ("fresh", 50)]);
}

#[test]
fn an_attempt_counts_on_the_trainees_own_calendar_day() {
    use super::day_of;
    // 23:30 UTC on day 100 is already day 101 in Berlin (UTC+1) and still day 100 in New York.
    let late = 100 * DAY + 23 * 3600 + 1800;
    assert_eq!(day_of(late, 3600), 101);
    assert_eq!(day_of(late, -5 * 3600), 100);
    assert_eq!(
        day_of(1800, -3600),
        -1,
        "before the epoch rounds down, not towards zero"
    );
    let mut a = attempt("s", Channel::Chat, 100, [80, 80, 80], 2);
    a.finished_at = late;
    a.utc_offset_secs = -5 * 3600;
    let mut b = a.clone();
    b.id = "later".into();
    b.finished_at = late + 2 * 3600; // 01:30 UTC on day 101: 20:30 the same evening in New York.
    let s = standing(&rules(), &[a, b], 100);
    assert_eq!(
        (s.streak.current, s.streak.longest),
        (1, 1),
        "one evening is one practice day, not two UTC days"
    );
}

/// One definition of a drill's "passed": what the session saves, what the review queue and the
/// debrief judge by (`reply_passes`) and whether the drill earns XP agree, including for a
/// reply whose overall score clears the scenario's pass mark while one dimension misses the
/// review mark (the case the two old definitions disagreed on).
#[test]
fn a_drills_verdict_its_debrief_and_its_xp_agree() {
    use std::sync::Arc;

    use super::review::reply_passes;
    use crate::scenario::library::load_source;
    use crate::scoring::{Lexicon, RuleScorer};
    use crate::session::{Response, Session, Start};

    let rules = ProgressRules::builtin();
    let fixture = include_str!("../../tests/fixtures/valid.ron");
    for (scores, should_pass) in [
        // Overall 76, above the pass mark of 60, but de-escalation 40 is under the mark of 50.
        ("Scores(empathy: 95, accuracy: 95, deescalation: 40)", false),
        ("Scores(empathy: 80, accuracy: 60, deescalation: 80)", true),
    ] {
        let text = fixture.replacen(
            "Scores(empathy: 80, accuracy: 60, deescalation: 80)",
            scores,
            1,
        );
        let (scenario, diagnostics) =
            load_source("valid.ron", text.as_bytes(), &Lexicon::builtin());
        let scenario = Arc::new(scenario.unwrap_or_else(|| panic!("{diagnostics:?}")));
        assert!(scenario.pass_mark <= 76);
        let start = Start::Drill {
            node_id: "opening".into(),
            mood: scenario.persona.mood,
            mark: rules.review.below,
        };
        let mut drill =
            Session::begin(scenario, start, 5, Arc::new(RuleScorer::default())).unwrap();
        drill.respond(Response::Choice(0), 5_000).unwrap();
        let saved = AttemptRecord::from_session(&drill, 100 * DAY, 100 * DAY + 60);
        let passed_when_saved = saved.outcome.as_ref().unwrap().passed;
        let passed_in_debrief = saved.turns.iter().all(|t| reply_passes(&rules.review, t));
        let xp = standing(&rules, &[saved], 100).xp;
        assert_eq!(passed_when_saved, should_pass, "{scores}");
        assert_eq!(passed_in_debrief, should_pass, "{scores}");
        let expected_xp = if should_pass {
            rules.xp.drill_passed
        } else {
            0
        };
        assert_eq!(xp, expected_xp, "{scores}");
    }
}

#[test]
fn effort_counts_the_call_clock_and_says_which_part_fell_short() {
    use super::standing::{effort_shortfall, meets_effort};
    let r = rules();
    // Replies timed at 5 s each (15 s), but 40 s on the call clock, feedback read included:
    // the rule agrees with the clock the trainee watched.
    let mut read_feedback = attempt("a", Channel::Chat, 100, [70, 70, 70], 2);
    for t in &mut read_feedback.turns {
        t.elapsed_ms = 5_000;
    }
    read_feedback.started_at = read_feedback.finished_at - 40;
    assert!(meets_effort(&r, &read_feedback));
    assert_eq!(effort_shortfall(&r, &read_feedback), None);

    let mut quick = read_feedback.clone();
    quick.started_at = quick.finished_at - 20;
    assert_eq!(
        effort_shortfall(&r, &quick).as_deref(),
        Some("20 of the 30 seconds with the customer it needs")
    );
    quick.turns.truncate(2);
    assert_eq!(
        effort_shortfall(&r, &quick).as_deref(),
        Some("2 of the 3 replies it needs, and 20 of the 30 seconds with the customer it needs")
    );
}
