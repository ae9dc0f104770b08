//! The practice modes beyond a single scenario, driven through the real app: review drills
//! from the progress screen, a shift of calls to its summary, and renaming and deleting
//! trainees with a confirmation.

use std::sync::Arc;

use bevy::prelude::*;

use super::harness::*;
use holdline::app::Screen;
use holdline::app::screens::flow::{FinishedSession, ShiftRun};
use holdline::app::screens::library::LibraryAction;
use holdline::app::screens::play::{ActiveSession, PlayOverlay};
use holdline::app::screens::shift::ShiftCallRow;
use holdline::app::screens::title::TitleAction;
use holdline::progress::{AttemptKind, AttemptRecord, ProgressRules, ProgressStore, unix_now};
use holdline::scenario::library::load_source;
use holdline::scenario::model::Turn;
use holdline::scoring::{Lexicon, RuleScorer};
use holdline::session::Start;
use holdline::session::{Response, Session};

/// Saves, for a new trainee, an attempt two days old whose first reply was the worst on offer,
/// so its node is due for review. Returns the node id.
fn save_weak_attempt(data: &std::path::Path, trainee: &str) -> String {
    let path = shipped_scenarios().join("late-parcel.ron");
    let bytes = std::fs::read(&path).unwrap();
    let (scenario, _) = load_source("late-parcel.ron", &bytes, &Lexicon::builtin());
    let scenario = Arc::new(scenario.unwrap());
    let mut session = Session::new(scenario, 9, Arc::new(RuleScorer::default())).unwrap();
    let node = session.current_node().unwrap().clone();
    let response = match &node.turn {
        Turn::Choices(choices) => {
            let worst = (0..choices.len())
                .min_by_key(|&i| choices[i].scores.empathy)
                .unwrap();
            Response::Choice(worst)
        }
        Turn::FreeText(_) => Response::Text("whatever".into()),
    };
    session.respond(response, 5_000).unwrap();
    let store = ProgressStore::new(data);
    let trainee = store.create(trainee).unwrap();
    let two_days_ago = unix_now() - 2 * 86_400;
    let mut record = AttemptRecord::from_session(&session, two_days_ago, two_days_ago);
    store.save_attempt(&trainee.id, &mut record).unwrap();
    store.set_current(&trainee.id).unwrap();
    node.id
}

#[test]
fn a_due_review_is_drilled_from_the_progress_screen_as_one_reply() {
    let data = temp_dir("drill");
    let node_id = save_weak_attempt(&data, "Dee");
    let mut app = app_with(&shipped_scenarios(), &data);
    app.update_until(Screen::Title);
    app.send(TitleAction::Progress);
    assert_eq!(app.screen(), Screen::Progress);
    let text = app.screen_text();
    assert!(text.contains("Review queue: 1 due"), "{text}");
    assert!(
        text.contains("Drill  [D]"),
        "a due item can be drilled: {text}"
    );

    app.press(KeyCode::KeyD);
    assert_eq!(app.screen(), Screen::Play);
    {
        let active = app.world().resource::<ActiveSession>();
        assert!(active.session.is_drill());
        assert_eq!(active.session.prompt().unwrap().node_id, node_id);
        assert!(matches!(active.session.start(), Start::Drill { node_id: n, .. } if *n == node_id));
    }
    assert!(app.reply_well(), "a drill is one reply");
    assert_eq!(app.screen(), Screen::Debrief);
    let text = app.screen_text();
    assert!(text.contains("Review drill: "), "{text}");
    assert!(
        text.contains("Review passed") || text.contains("Not yet"),
        "{text}"
    );
    assert!(!text.contains("of 3 stars"), "a drill has no stars: {text}");

    let (_, attempts) = saved_history(&data);
    let drill = attempts
        .iter()
        .find(|a| matches!(a.kind, AttemptKind::Drill { .. }))
        .expect("the drill is saved");
    assert_eq!(drill.turns.len(), 1);
    assert_eq!(drill.turns[0].node_id, node_id);
    // The drill replays from its record to the same transcript.
    let finished = app.world().resource::<FinishedSession>().session.clone();
    let replayed = drill
        .replay(
            Arc::new(finished.scenario().clone()),
            Arc::new(RuleScorer::new(Lexicon::builtin())),
            ProgressRules::builtin().review.below,
        )
        .unwrap();
    assert_eq!(replayed.transcript(), finished.transcript());

    app.press(KeyCode::Enter);
    assert_eq!(
        app.screen(),
        Screen::Progress,
        "Enter goes back to progress"
    );
}

#[test]
fn a_shift_takes_its_calls_in_turn_and_ends_on_its_summary() {
    let data = temp_dir("shift");
    let mut app = app_with(&shipped_scenarios(), &data);
    app.update_until(Screen::Title);
    app.send(TitleAction::SetName("Kim".into()));
    app.send(TitleAction::Library);
    app.send(LibraryAction::Shift);
    assert_eq!(app.screen(), Screen::Play);
    let run = app.world().resource::<ShiftRun>().clone();
    let calls = run.queue.len();
    assert_eq!(calls, 5, "the rules ask for five calls");
    assert!(
        run.queue.iter().all(|s| s.tier == 1),
        "a new trainee's shift draws only from tier 1"
    );

    for call in 0..calls {
        assert_eq!(app.screen(), Screen::Play, "call {call}");
        assert_eq!(
            app.world()
                .resource::<ActiveSession>()
                .session
                .scenario()
                .id,
            run.queue[call].id
        );
        let text = app.screen_text();
        assert!(
            text.contains(&format!("Shift: call {} of {calls}", call + 1)),
            "the play screen says where in the shift the trainee is: {text}"
        );
        if call == 0 {
            // Esc in a call's briefing asks (leaving drops the shift); "Keep going" goes back
            // to the briefing, the clock still stopped.
            app.press(KeyCode::Escape);
            assert!(app.screen_text().contains("Leave this call and the shift?"));
            app.press(KeyCode::KeyN);
            assert_eq!(
                *app.world().resource::<State<PlayOverlay>>().get(),
                PlayOverlay::Briefing
            );
        }
        // Fifteen seconds a reply, so each call counts as practice (the rules' minimum effort).
        loop {
            app.world_mut()
                .resource_mut::<ActiveSession>()
                .thinking_secs = 15.0;
            if app.reply_well() {
                break;
            }
        }
        assert_eq!(app.screen(), Screen::Debrief);
        let text = app.screen_text();
        assert!(
            text.contains(&format!("Call {} of {calls}", call + 1)),
            "{text}"
        );
        assert!(!text.contains("Retry"), "a call is not retried: {text}");
        if call == 0 {
            // Leaving with calls still to take asks first; N stays for the next call.
            app.press(KeyCode::KeyL);
            assert_eq!(app.screen(), Screen::Debrief);
            let text = app.screen_text();
            assert!(
                text.contains("Leave the shift?") && text.contains("4 calls still to take"),
                "{text}"
            );
            // Enter, the usual "next call" key, stays: leaving needs Y or L.
            app.press(KeyCode::Enter);
            assert_eq!(app.screen(), Screen::Debrief);
            assert!(!app.screen_text().contains("Leave the shift?"));
            assert!(app.world().get_resource::<ShiftRun>().is_some());
        }
        app.press(KeyCode::Enter);
    }
    assert_eq!(app.screen(), Screen::ShiftSummary);
    let rows: Vec<ShiftCallRow> = app
        .world_mut()
        .query::<&ShiftCallRow>()
        .iter(app.world())
        .cloned()
        .collect();
    assert_eq!(rows.len(), calls);
    assert!(rows.iter().all(|r| (1..=5).contains(&r.satisfaction)));
    let text = app.screen_text();
    assert!(
        text.contains("CSAT") && text.contains("handle time"),
        "{text}"
    );

    let (_, attempts) = saved_history(&data);
    let shift_calls: Vec<u32> = attempts
        .iter()
        .filter_map(|a| match &a.kind {
            AttemptKind::Shift { shift_id, call, .. } if shift_id == run.shift_id() => Some(*call),
            _ => None,
        })
        .collect();
    assert_eq!(
        shift_calls.len(),
        calls,
        "every call is saved as part of the shift"
    );
    let profile = app
        .world()
        .resource::<holdline::app::profile::TraineeProfile>();
    assert_eq!(profile.standing.shifts.len(), 1);
    app.press(KeyCode::KeyL);
    assert_eq!(app.screen(), Screen::Library);
    assert!(app.world().get_resource::<ShiftRun>().is_none());
}

#[test]
fn a_trainee_is_renamed_and_deleted_only_after_confirming() {
    let data = temp_dir("rename-delete");
    let mut app = app_with(&shipped_scenarios(), &data);
    app.update_until(Screen::Title);
    app.send(TitleAction::SetName("Sam".into()));
    app.send(TitleAction::NewTrainee);
    app.send(TitleAction::SetName("Ana".into()));
    let store = ProgressStore::new(&*data);

    app.send(TitleAction::ChooseTrainee);
    app.send(TitleAction::Rename("sam".into()));
    assert!(app.screen_text().contains("A new name for Sam"));
    app.send(TitleAction::SetName("Sam Rivera".into()));
    assert_eq!(store.find("sam").unwrap().unwrap().name, "Sam Rivera");
    assert!(
        app.screen_text().contains("Welcome, Ana."),
        "renaming someone else leaves Ana current"
    );

    app.send(TitleAction::ChooseTrainee);
    app.send(TitleAction::Delete("sam".into()));
    let text = app.screen_text();
    assert!(
        text.contains("Delete Sam Rivera and all 0 of their attempts?"),
        "{text}"
    );
    app.send(TitleAction::ChooseTrainee);
    assert_eq!(store.trainees().unwrap().0.len(), 2, "cancel keeps them");

    // Deleting the current trainee closes them first, then removes their folder.
    app.send(TitleAction::Delete("ana".into()));
    app.send(TitleAction::ConfirmDelete);
    let names: Vec<String> = store
        .trainees()
        .unwrap()
        .0
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Sam Rivera"]);
    let profile = app
        .world()
        .resource::<holdline::app::profile::TraineeProfile>();
    assert!(profile.trainee.is_none() && profile.notice.is_none());
}

#[test]
fn an_attempt_that_could_not_be_saved_is_saved_with_the_next_one() {
    let data = temp_dir("retry");
    let mut app = app_with(&shipped_scenarios(), &data);
    app.update_until(Screen::Title);
    app.send(TitleAction::SetName("Rae".into()));
    // A file where the attempts folder should be: the save fails as on a broken disk.
    let attempts_dir = data.join("trainees").join("rae").join("attempts");
    let _ = std::fs::remove_dir_all(&attempts_dir);
    std::fs::write(&attempts_dir, "in the way").unwrap();
    let play_once = |app: &mut App| {
        app.send(TitleAction::Library);
        app.send(LibraryAction::Play("late-parcel".into()));
        while !app.reply_well() {}
        assert_eq!(app.screen(), Screen::Debrief);
    };
    play_once(&mut app);
    let notice = app
        .world()
        .resource::<holdline::app::profile::TraineeProfile>()
        .notice
        .clone()
        .unwrap_or_default();
    assert!(notice.contains("could not be saved"), "{notice}");

    std::fs::remove_file(&attempts_dir).unwrap();
    app.press(KeyCode::KeyL);
    app.press(KeyCode::Escape);
    play_once(&mut app);
    let (_, attempts) = saved_history(&data);
    assert_eq!(
        attempts.len(),
        2,
        "the first attempt was saved on the second try"
    );
    let profile = app
        .world()
        .resource::<holdline::app::profile::TraineeProfile>();
    assert!(
        profile
            .attempts
            .iter()
            .all(|a| !a.id.starts_with("unsaved-"))
    );
    assert_eq!(profile.notice, None);
}
