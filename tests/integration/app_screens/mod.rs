//! The real app plugins driven headlessly (MinimalPlugins, assets, states; no window or
//! renderer): load the library, name the trainee, play by choice and by typed text, reach the
//! debrief, and check what the screens show and what the session and profile recorded.

mod harness;
mod modes;
mod trainer;
mod typing;

use bevy::prelude::*;

use harness::*;
use holdline::app::Screen;
use holdline::app::scenario_assets::ScenarioLibrary;
use holdline::app::screens::debrief::MoodPoint;
use holdline::app::screens::flow::FinishedSession;
use holdline::app::screens::library::{LibraryAction, ScenarioCard};
use holdline::app::screens::play::conversation::{ConversationLine, Speaker};
use holdline::app::screens::play::{ActiveSession, Phase, PlayAction, PlayOverlay};
use holdline::app::screens::title::{NameBox, TitleAction};
use holdline::progress::{AttemptStatus, ProgressStore};
use holdline::scenario::model::Channel;
use holdline::session::Options;

#[test]
fn a_new_trainee_names_themselves_browses_and_plays_to_the_debrief() {
    let data = temp_dir("flow");
    let mut app = app_with(&shipped_scenarios(), &data);
    app.update_until(Screen::Title);

    let library = app.world().resource::<ScenarioLibrary>();
    let shipped = crate::cli::shipped_scenario_count();
    assert!(shipped >= 24);
    assert_eq!(
        library.playable().len(),
        shipped,
        "every shipped scenario loads through the asset loader"
    );
    assert_eq!(library.broken().count(), 0);
    let name_boxes = app
        .world_mut()
        .query::<&NameBox>()
        .iter(app.world())
        .count();
    assert_eq!(name_boxes, 1, "a first run asks for the trainee's name");
    assert!(app.screen_text().contains("What should we call you?"));

    app.send(TitleAction::SetName("  Sam Rivera ".into()));
    let text = app.screen_text();
    assert!(
        text.contains("Welcome, Sam Rivera.") && !text.contains("Welcome back"),
        "a first visit is not a return: {text}"
    );
    assert!(
        text.contains("Start: ") && text.contains("not played yet"),
        "the title says what Enter starts: {text}"
    );
    let (trainee, _) = saved_history(&data);
    assert_eq!(trainee.name, "Sam Rivera", "the name is saved at once");

    app.press(KeyCode::KeyL);
    assert_eq!(app.screen(), Screen::Library);
    let cards = app
        .world_mut()
        .query::<&ScenarioCard>()
        .iter(app.world())
        .count();
    assert_eq!(cards, shipped);
    assert!(app.screen_text().contains("Tier 1"));

    app.send(LibraryAction::Play("late-parcel".into()));
    assert_eq!(app.screen(), Screen::Play);
    let text = app.screen_text();
    assert!(
        text.contains("Before you start") && text.contains("The case file"),
        "a briefing first: {text}"
    );
    app.begin();
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
        match app.good_reply() {
            GoodReply::FirstChoice => {
                app.press(KeyCode::Digit1);
                choice_turns += 1;
            }
            GoodReply::ModelAnswer(text) => {
                app.send(PlayAction::Submit(text));
                typed_turns += 1;
            }
        }
        let active = app.world().resource::<ActiveSession>();
        assert_eq!(
            active.phase,
            Phase::Feedback,
            "a reply opens the feedback panel"
        );
        let over = active.session.is_over();
        let text = app.screen_text();
        assert!(
            text.contains("How that landed"),
            "feedback shows the scores: {text}"
        );
        assert!(
            text.contains("Empathy") && text.contains("Accuracy") && text.contains("De-escalation")
        );
        app.press(KeyCode::Enter);
        if over {
            break;
        }
    }
    assert!(
        choice_turns >= 1 && typed_turns >= 1,
        "both kinds of turn were played"
    );
    assert_eq!(app.screen(), Screen::Debrief);

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
    let text = app.screen_text();
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
    app.press(KeyCode::KeyR);
    assert_eq!(app.screen(), Screen::Play);
    let again = app.world().resource::<ActiveSession>();
    assert_eq!(again.session.seed(), finished.seed());
    assert_eq!(again.session.prompt().unwrap().customer_line, first_line);
}

#[test]
fn escape_mid_scenario_asks_before_leaving() {
    let data = temp_dir("escape");
    let mut app = app_with(&shipped_scenarios(), &data);
    app.update_until(Screen::Title);
    app.send(TitleAction::SetName("Ana".into()));
    app.send(TitleAction::Library);
    app.send(LibraryAction::Play("double-charge".into()));
    assert_eq!(
        app.screen(),
        Screen::Library,
        "tier 2 is locked for a new trainee"
    );
    app.send(LibraryAction::Play("outage-public-post".into()));
    assert_eq!(app.screen(), Screen::Play);
    app.begin();

    app.press(KeyCode::Escape);
    assert_eq!(
        *app.world().resource::<State<PlayOverlay>>().get(),
        PlayOverlay::ConfirmLeave
    );
    assert!(app.screen_text().contains("Leave this conversation?"));
    app.press(KeyCode::Digit1);
    assert_eq!(
        app.world().resource::<ActiveSession>().phase,
        Phase::Answering,
        "keys behind the dialog do nothing"
    );
    app.press(KeyCode::KeyN);
    assert_eq!(
        *app.world().resource::<State<PlayOverlay>>().get(),
        PlayOverlay::None
    );
    assert!(!app.screen_text().contains("Leave this conversation?"));

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
        app.send(PlayAction::Choose(0));
    } else {
        app.send(PlayAction::Submit(
            "I'm sorry about that, let me check.".into(),
        ));
    }
    app.press(KeyCode::Escape);
    app.press(KeyCode::KeyY);
    assert_eq!(app.screen(), Screen::Library);
    let (_, attempts) = saved_history(&data);
    assert_eq!(attempts.len(), 1, "an abandoned attempt is kept");
    assert_eq!(attempts[0].status, AttemptStatus::Abandoned);
    assert_eq!(
        (attempts[0].turns.len(), attempts[0].outcome.as_ref()),
        (1, None)
    );
}

#[test]
fn the_library_filters_by_channel() {
    let data = temp_dir("filter");
    let mut app = app_with(&shipped_scenarios(), &data);
    app.update_until(Screen::Title);
    app.send(TitleAction::Library);
    app.send(LibraryAction::Filter(Some(Channel::Email)));
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
    app.update_until(Screen::Title);
    let library = app.world().resource::<ScenarioLibrary>().clone();
    assert_eq!(library.playable().len(), 1);
    let broken: Vec<_> = library.broken().collect();
    assert_eq!(broken.len(), 1);
    assert!(
        broken[0].diagnostics[0].line > 0,
        "the error has a location"
    );
    assert!(app.screen_text().contains("1 scenario file(s) have errors"));
    app.send(TitleAction::Library);
    let text = app.screen_text();
    assert!(text.contains("Files with errors"));
    assert!(
        text.contains("scenarios/half-written.ron:3:"),
        "file:line:col is shown: {text}"
    );
}

#[test]
fn trainees_switch_on_the_title_screen_and_progress_shows_every_badge() {
    use holdline::app::screens::progress::BadgeCard;
    let data = temp_dir("switch");
    let mut app = app_with(&shipped_scenarios(), &data);
    app.update_until(Screen::Title);
    app.send(TitleAction::SetName("Sam Rivera".into()));

    app.press(KeyCode::KeyP);
    assert_eq!(app.screen(), Screen::Progress);
    let text = app.screen_text();
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
    app.press(KeyCode::Escape);
    assert_eq!(app.screen(), Screen::Title);

    // A second trainee adds themselves, then the first switches back.
    app.press(KeyCode::KeyS);
    let text = app.screen_text();
    assert!(
        text.contains("Who is practising?") && text.contains("Sam Rivera (now)"),
        "{text}"
    );
    app.send(TitleAction::NewTrainee);
    assert!(app.screen_text().contains("What should we call you?"));
    app.send(TitleAction::SetName("Ana".into()));
    assert!(app.screen_text().contains("Welcome, Ana."));
    let store = ProgressStore::new(&*data);
    assert_eq!(store.trainees().unwrap().0.len(), 2);
    assert_eq!(store.current().as_deref(), Some("ana"));
    app.send(TitleAction::SwitchTo("sam-rivera".into()));
    assert!(app.screen_text().contains("Welcome, Sam Rivera."));
    assert_eq!(store.current().as_deref(), Some("sam-rivera"));
    // Ana's lock was released when Sam took over, so another window could open her.
    drop(store.lock("ana").expect("Ana is free"));
    assert!(
        store.lock("sam-rivera").is_err(),
        "Sam is held by this window"
    );
}

#[test]
fn a_critical_breach_fails_the_attempt_and_the_debrief_says_which() {
    let data = temp_dir("critical");
    let mut app = app_with(&shipped_scenarios(), &data);
    app.update_until(Screen::Title);
    app.send(TitleAction::SetName("Ana".into()));
    app.send(TitleAction::Library);
    app.send(LibraryAction::Play("elderly-online-banking".into()));
    assert_eq!(app.screen(), Screen::Play);
    let mut breached = false;
    for _ in 0..20 {
        if app.screen() != Screen::Play {
            break;
        }
        match app.good_reply() {
            GoodReply::ModelAnswer(text) if !breached => {
                breached = true;
                app.send(PlayAction::Submit(format!(
                    "{text} To save time, could you tell me the code it sent?"
                )));
                app.send(PlayAction::Continue);
            }
            _ => {
                app.reply_well();
            }
        }
    }
    assert!(breached, "the scenario has a typed turn");
    assert_eq!(app.screen(), Screen::Debrief);
    let finished = app.world().resource::<FinishedSession>();
    let outcome = finished.session.outcome().expect("it ended");
    assert!(!outcome.passed);
    assert_eq!(outcome.critical.len(), 1);
    assert_eq!(outcome.critical[0].claim, "asks-for-secret");
    let text = app.screen_text();
    assert!(text.contains("Failed: critical breach"), "{text}");
    assert!(
        text.contains("Critical breach: you said \"could you tell me the code\""),
        "{text}"
    );
}
