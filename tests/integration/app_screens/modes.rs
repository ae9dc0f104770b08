//! The practice modes beyond a single scenario, driven through the real app: review drills
//! from the progress screen, a shift of calls to its summary, and renaming and deleting
//! trainees with a confirmation.

use std::sync::Arc;

use bevy::prelude::*;

use super::harness::*;
use holdline::app::Screen;
use holdline::app::screens::library::LibraryAction;
use holdline::app::screens::play::{ActiveSession, FinishedSession};
use holdline::app::screens::shift::{ShiftCallRow, ShiftRun};
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
    update_until(&mut app, Screen::Title);
    send(&mut app, TitleAction::Progress);
    assert_eq!(screen(&app), Screen::Progress);
    let text = screen_text(&mut app);
    assert!(text.contains("Review queue: 1 due"), "{text}");
    assert!(
        text.contains("Drill  [D]"),
        "a due item can be drilled: {text}"
    );

    press(&mut app, KeyCode::KeyD);
    assert_eq!(screen(&app), Screen::Play);
    {
        let active = app.world().resource::<ActiveSession>();
        assert!(active.session.is_drill());
        assert_eq!(active.session.prompt().unwrap().node_id, node_id);
        assert!(matches!(&active.start, Start::Drill { node_id: n, .. } if *n == node_id));
    }
    assert!(reply_well(&mut app), "a drill is one reply");
    assert_eq!(screen(&app), Screen::Debrief);
    let text = screen_text(&mut app);
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

    press(&mut app, KeyCode::Enter);
    assert_eq!(
        screen(&app),
        Screen::Progress,
        "Enter goes back to progress"
    );
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn a_shift_takes_its_calls_in_turn_and_ends_on_its_summary() {
    let data = temp_dir("shift");
    let mut app = app_with(&shipped_scenarios(), &data);
    update_until(&mut app, Screen::Title);
    send(&mut app, TitleAction::SetName("Kim".into()));
    send(&mut app, TitleAction::Library);
    send(&mut app, LibraryAction::Shift);
    assert_eq!(screen(&app), Screen::Play);
    let run = app.world().resource::<ShiftRun>().clone();
    let calls = run.queue.len();
    assert_eq!(calls, 5, "the rules ask for five calls");
    assert!(
        run.queue.iter().all(|s| s.tier == 1),
        "a new trainee's shift draws only from tier 1"
    );

    for call in 0..calls {
        assert_eq!(screen(&app), Screen::Play, "call {call}");
        assert_eq!(
            app.world()
                .resource::<ActiveSession>()
                .session
                .scenario()
                .id,
            run.queue[call].id
        );
        // Fifteen seconds a reply, so each call counts as practice (the rules' minimum effort).
        loop {
            app.world_mut()
                .resource_mut::<ActiveSession>()
                .thinking_secs = 15.0;
            if reply_well(&mut app) {
                break;
            }
        }
        assert_eq!(screen(&app), Screen::Debrief);
        let text = screen_text(&mut app);
        assert!(
            text.contains(&format!("Call {} of {calls}", call + 1)),
            "{text}"
        );
        assert!(!text.contains("Retry"), "a call is not retried: {text}");
        press(&mut app, KeyCode::Enter);
    }
    assert_eq!(screen(&app), Screen::ShiftSummary);
    let rows: Vec<ShiftCallRow> = app
        .world_mut()
        .query::<&ShiftCallRow>()
        .iter(app.world())
        .cloned()
        .collect();
    assert_eq!(rows.len(), calls);
    assert!(rows.iter().all(|r| (1..=5).contains(&r.satisfaction)));
    let text = screen_text(&mut app);
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
    press(&mut app, KeyCode::KeyL);
    assert_eq!(screen(&app), Screen::Library);
    assert!(app.world().get_resource::<ShiftRun>().is_none());
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn a_trainee_is_renamed_and_deleted_only_after_confirming() {
    let data = temp_dir("rename-delete");
    let mut app = app_with(&shipped_scenarios(), &data);
    update_until(&mut app, Screen::Title);
    send(&mut app, TitleAction::SetName("Sam".into()));
    send(&mut app, TitleAction::NewTrainee);
    send(&mut app, TitleAction::SetName("Ana".into()));
    let store = ProgressStore::new(&data);

    send(&mut app, TitleAction::ChooseTrainee);
    send(&mut app, TitleAction::Rename("sam".into()));
    assert!(screen_text(&mut app).contains("A new name for Sam"));
    send(&mut app, TitleAction::SetName("Sam Rivera".into()));
    assert_eq!(store.find("sam").unwrap().unwrap().name, "Sam Rivera");
    assert!(
        screen_text(&mut app).contains("Welcome back, Ana."),
        "renaming someone else leaves Ana current"
    );

    send(&mut app, TitleAction::ChooseTrainee);
    send(&mut app, TitleAction::Delete("sam".into()));
    let text = screen_text(&mut app);
    assert!(
        text.contains("Delete Sam Rivera and all 0 of their attempts?"),
        "{text}"
    );
    send(&mut app, TitleAction::ChooseTrainee);
    assert_eq!(store.trainees().unwrap().0.len(), 2, "cancel keeps them");

    // Deleting the current trainee closes them first, then removes their folder.
    send(&mut app, TitleAction::Delete("ana".into()));
    send(&mut app, TitleAction::ConfirmDelete);
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
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn an_attempt_that_could_not_be_saved_is_saved_with_the_next_one() {
    let data = temp_dir("retry");
    let mut app = app_with(&shipped_scenarios(), &data);
    update_until(&mut app, Screen::Title);
    send(&mut app, TitleAction::SetName("Rae".into()));
    // A file where the attempts folder should be: the save fails as on a broken disk.
    let attempts_dir = data.join("trainees").join("rae").join("attempts");
    let _ = std::fs::remove_dir_all(&attempts_dir);
    std::fs::write(&attempts_dir, "in the way").unwrap();
    let play_once = |app: &mut App| {
        send(app, TitleAction::Library);
        send(app, LibraryAction::Play("late-parcel".into()));
        while !reply_well(app) {}
        assert_eq!(screen(app), Screen::Debrief);
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
    press(&mut app, KeyCode::KeyL);
    press(&mut app, KeyCode::Escape);
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
    std::fs::remove_dir_all(&data).unwrap();
}
