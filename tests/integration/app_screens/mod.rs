//! The real app plugins driven headlessly (MinimalPlugins, assets, states; no window or
//! renderer): load the library, name the trainee, play by choice and by typed text, reach the
//! debrief, and check what the screens show and what the session and profile recorded.

mod harness;
mod modes;

use bevy::prelude::*;

use harness::*;
use holdline::app::Screen;
use holdline::app::scenario_assets::ScenarioLibrary;
use holdline::app::screens::debrief::MoodPoint;
use holdline::app::screens::library::{LibraryAction, ScenarioCard};
use holdline::app::screens::play::conversation::{ConversationLine, Speaker};
use holdline::app::screens::play::{ActiveSession, FinishedSession, Phase, PlayAction};
use holdline::app::screens::title::{NameBox, TitleAction};
use holdline::progress::{AttemptStatus, ProgressStore};
use holdline::scenario::model::{Channel, Turn};
use holdline::session::Options;

#[test]
fn a_new_trainee_names_themselves_browses_and_plays_to_the_debrief() {
    let data = temp_dir("flow");
    let mut app = app_with(&shipped_scenarios(), &data);
    update_until(&mut app, Screen::Title);

    let library = app.world().resource::<ScenarioLibrary>();
    assert_eq!(
        library.playable().len(),
        12,
        "every shipped scenario loads through the asset loader"
    );
    assert_eq!(library.broken().count(), 0);
    let name_boxes = app
        .world_mut()
        .query::<&NameBox>()
        .iter(app.world())
        .count();
    assert_eq!(name_boxes, 1, "a first run asks for the trainee's name");
    assert!(screen_text(&mut app).contains("What should we call you?"));

    send(&mut app, TitleAction::SetName("  Sam Rivera ".into()));
    assert!(screen_text(&mut app).contains("Welcome back, Sam Rivera."));
    let (trainee, _) = saved_history(&data);
    assert_eq!(trainee.name, "Sam Rivera", "the name is saved at once");

    press(&mut app, KeyCode::KeyL);
    assert_eq!(screen(&app), Screen::Library);
    let cards = app
        .world_mut()
        .query::<&ScenarioCard>()
        .iter(app.world())
        .count();
    assert_eq!(cards, 12);
    assert!(screen_text(&mut app).contains("Tier 1"));

    send(&mut app, LibraryAction::Play("late-parcel".into()));
    assert_eq!(screen(&app), Screen::Play);
    let first_line = {
        let active = app.world().resource::<ActiveSession>();
        active.session.prompt().unwrap().customer_line.to_string()
    };
    let mut lines = app.world_mut().query::<&ConversationLine>();
    let shown: Vec<_> = lines.iter(app.world()).cloned().collect();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].speaker, Speaker::Customer);
    assert_eq!(shown[0].text, first_line);

    // Play to the end: choices by number key, typed turns by the model answer.
    let mut typed_turns = 0;
    let mut choice_turns = 0;
    for _ in 0..20 {
        let (options, model) = {
            let active = app.world().resource::<ActiveSession>();
            assert_eq!(active.phase, Phase::Answering);
            let model = active.session.current_node().and_then(|n| match &n.turn {
                Turn::FreeText(f) => f.rubric.model_answers.first().cloned(),
                Turn::Choices(_) => None,
            });
            (
                matches!(
                    active.session.prompt().unwrap().options,
                    Options::Choices(_)
                ),
                model,
            )
        };
        if options {
            press(&mut app, KeyCode::Digit1);
            choice_turns += 1;
        } else {
            send(&mut app, PlayAction::Submit(model.unwrap()));
            typed_turns += 1;
        }
        let active = app.world().resource::<ActiveSession>();
        assert_eq!(
            active.phase,
            Phase::Feedback,
            "a reply opens the feedback panel"
        );
        let over = active.session.is_over();
        let text = screen_text(&mut app);
        assert!(
            text.contains("How that landed"),
            "feedback shows the scores: {text}"
        );
        assert!(
            text.contains("Empathy") && text.contains("Accuracy") && text.contains("De-escalation")
        );
        press(&mut app, KeyCode::Enter);
        if over {
            break;
        }
    }
    assert!(
        choice_turns >= 1 && typed_turns >= 1,
        "both kinds of turn were played"
    );
    assert_eq!(screen(&app), Screen::Debrief);

    let finished = app.world().resource::<FinishedSession>().session.clone();
    let outcome = finished.outcome().unwrap().clone();
    assert_eq!(finished.transcript().len(), choice_turns + typed_turns);
    assert!(
        finished.transcript().iter().any(|t| t.choice.is_none()),
        "a typed reply was recorded"
    );
    let points = app
        .world_mut()
        .query::<&MoodPoint>()
        .iter(app.world())
        .count();
    assert_eq!(
        points,
        finished.transcript().len() + 1,
        "the mood curve has a point per reply plus the start"
    );
    let text = screen_text(&mut app);
    assert!(text.contains("Debrief: "));
    assert!(
        text.contains("A model answer"),
        "typed replies show a model answer beside them"
    );
    assert!(text.contains(&format!("{} of 3 stars", outcome.stars)));

    assert!(
        text.contains(" XP"),
        "the debrief shows the XP earned: {text}"
    );
    let (_, attempts) = saved_history(&data);
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].status, AttemptStatus::Finished);
    assert_eq!(attempts[0].turns, finished.transcript());
    assert_eq!(attempts[0].outcome.as_ref(), Some(&outcome));
    let profile = app
        .world()
        .resource::<holdline::app::profile::TraineeProfile>();
    assert_eq!(profile.best_stars("late-parcel"), outcome.stars);

    // Retry with the same seed replays the same opening line.
    press(&mut app, KeyCode::KeyR);
    assert_eq!(screen(&app), Screen::Play);
    let again = app.world().resource::<ActiveSession>();
    assert_eq!(again.session.seed(), finished.seed());
    assert_eq!(again.session.prompt().unwrap().customer_line, first_line);
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn escape_mid_scenario_asks_before_leaving() {
    let data = temp_dir("escape");
    let mut app = app_with(&shipped_scenarios(), &data);
    update_until(&mut app, Screen::Title);
    send(&mut app, TitleAction::SetName("Ana".into()));
    send(&mut app, TitleAction::Library);
    send(&mut app, LibraryAction::Play("double-charge".into()));
    assert_eq!(
        screen(&app),
        Screen::Library,
        "tier 2 is locked for a new trainee"
    );
    send(&mut app, LibraryAction::Play("outage-public-post".into()));
    assert_eq!(screen(&app), Screen::Play);

    press(&mut app, KeyCode::Escape);
    assert!(app.world().resource::<ActiveSession>().confirming_leave);
    assert!(screen_text(&mut app).contains("Leave this conversation?"));
    press(&mut app, KeyCode::Digit1);
    assert_eq!(
        app.world().resource::<ActiveSession>().phase,
        Phase::Answering,
        "keys behind the dialog do nothing"
    );
    press(&mut app, KeyCode::KeyN);
    assert!(!app.world().resource::<ActiveSession>().confirming_leave);
    assert!(!screen_text(&mut app).contains("Leave this conversation?"));

    // One reply, then leave: the attempt is kept as abandoned.
    let choices = matches!(
        app.world()
            .resource::<ActiveSession>()
            .session
            .prompt()
            .unwrap()
            .options,
        Options::Choices(_)
    );
    if choices {
        send(&mut app, PlayAction::Choose(0));
    } else {
        send(
            &mut app,
            PlayAction::Submit("I'm sorry about that, let me check.".into()),
        );
    }
    press(&mut app, KeyCode::Escape);
    press(&mut app, KeyCode::KeyY);
    assert_eq!(screen(&app), Screen::Library);
    let (_, attempts) = saved_history(&data);
    assert_eq!(attempts.len(), 1, "an abandoned attempt is kept");
    assert_eq!(attempts[0].status, AttemptStatus::Abandoned);
    assert_eq!(
        (attempts[0].turns.len(), attempts[0].outcome.as_ref()),
        (1, None)
    );
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn the_library_filters_by_channel() {
    let data = temp_dir("filter");
    let mut app = app_with(&shipped_scenarios(), &data);
    update_until(&mut app, Screen::Title);
    send(&mut app, TitleAction::Library);
    send(&mut app, LibraryAction::Filter(Some(Channel::Email)));
    let library = app.world().resource::<ScenarioLibrary>().clone();
    let mut cards = app.world_mut().query::<&ScenarioCard>();
    let ids: Vec<String> = cards
        .iter(app.world())
        .map(|c| c.scenario_id.clone())
        .collect();
    assert!(!ids.is_empty());
    for id in &ids {
        assert_eq!(
            library.find(id).unwrap().channel,
            Channel::Email,
            "{id} is not an email scenario"
        );
    }
    let emails = library
        .playable()
        .iter()
        .filter(|s| s.channel == Channel::Email)
        .count();
    assert_eq!(ids.len(), emails);
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn a_broken_scenario_file_shows_its_diagnostics_instead_of_crashing() {
    let data = temp_dir("broken-data");
    let scenarios = temp_dir("broken-scenarios");
    std::fs::copy(
        shipped_scenarios().join("late-parcel.ron"),
        scenarios.join("late-parcel.ron"),
    )
    .unwrap();
    std::fs::write(
        scenarios.join("half-written.ron"),
        "Scenario(\n    id: \"half-written\",\n    title: 42,\n",
    )
    .unwrap();
    let mut app = app_with(&scenarios, &data);
    update_until(&mut app, Screen::Title);
    let library = app.world().resource::<ScenarioLibrary>().clone();
    assert_eq!(library.playable().len(), 1);
    let broken: Vec<_> = library.broken().collect();
    assert_eq!(broken.len(), 1);
    assert!(
        broken[0].diagnostics[0].line > 0,
        "the error has a location"
    );
    assert!(screen_text(&mut app).contains("1 scenario file(s) have errors"));
    send(&mut app, TitleAction::Library);
    let text = screen_text(&mut app);
    assert!(text.contains("Files with errors"));
    assert!(
        text.contains("scenarios/half-written.ron:3:"),
        "file:line:col is shown: {text}"
    );
    std::fs::remove_dir_all(&data).unwrap();
    std::fs::remove_dir_all(&scenarios).unwrap();
}

#[test]
fn trainees_switch_on_the_title_screen_and_progress_shows_every_badge() {
    use holdline::app::screens::progress::BadgeCard;
    let data = temp_dir("switch");
    let mut app = app_with(&shipped_scenarios(), &data);
    update_until(&mut app, Screen::Title);
    send(&mut app, TitleAction::SetName("Sam Rivera".into()));

    press(&mut app, KeyCode::KeyP);
    assert_eq!(screen(&app), Screen::Progress);
    let text = screen_text(&mut app);
    assert!(text.contains("Progress: Sam Rivera"), "{text}");
    assert!(text.contains("Level 1: Trainee"), "{text}");
    let badges: Vec<BadgeCard> = app
        .world_mut()
        .query::<&BadgeCard>()
        .iter(app.world())
        .cloned()
        .collect();
    assert_eq!(badges.len(), 20, "every badge, earned or locked");
    assert!(badges.iter().all(|b| !b.earned), "nothing earned yet");
    assert!(
        text.contains("Finish any scenario."),
        "locked badges say how to earn them"
    );
    press(&mut app, KeyCode::Escape);
    assert_eq!(screen(&app), Screen::Title);

    // A second trainee adds themselves, then the first switches back.
    press(&mut app, KeyCode::KeyS);
    let text = screen_text(&mut app);
    assert!(
        text.contains("Who is practising?") && text.contains("Sam Rivera (now)"),
        "{text}"
    );
    send(&mut app, TitleAction::NewTrainee);
    assert!(screen_text(&mut app).contains("What should we call you?"));
    send(&mut app, TitleAction::SetName("Ana".into()));
    assert!(screen_text(&mut app).contains("Welcome back, Ana."));
    let store = ProgressStore::new(&data);
    assert_eq!(store.trainees().unwrap().0.len(), 2);
    assert_eq!(store.current().as_deref(), Some("ana"));
    send(&mut app, TitleAction::SwitchTo("sam-rivera".into()));
    assert!(screen_text(&mut app).contains("Welcome back, Sam Rivera."));
    assert_eq!(store.current().as_deref(), Some("sam-rivera"));
    // Ana's lock was released when Sam took over, so another window could open her.
    drop(store.lock("ana").expect("Ana is free"));
    assert!(
        store.lock("sam-rivera").is_err(),
        "Sam is held by this window"
    );
    std::fs::remove_dir_all(&data).unwrap();
}
