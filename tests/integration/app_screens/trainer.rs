//! Trainer mode: a scenario saved while the app runs reloads within a second, its errors on
//! screen at file:line:col, and the conversation in progress restarts at the node it was at.

use std::time::{Duration, Instant};

use bevy::prelude::*;

use super::harness::*;
use holdline::app::Screen;
use holdline::app::scenario_assets::ScenarioLibrary;
use holdline::app::screens::library::LibraryAction;
use holdline::app::screens::play::{ActiveSession, PlayAction};
use holdline::app::screens::title::TitleAction;
use holdline::app::trainer::TrainerNotice;

/// Runs frames for up to a second of real time, until `done` holds; returns how long it took.
fn frames_until(app: &mut App, done: impl Fn(&App) -> bool) -> Duration {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(1) {
        app.update();
        if done(app) {
            return started.elapsed();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!(
        "not done within a second; the trainer banner says: {:?}",
        app.world().resource::<TrainerNotice>().lines
    );
}

fn notice(app: &App) -> TrainerNotice {
    app.world().resource::<TrainerNotice>().clone()
}

#[test]
fn a_saved_scenario_reloads_in_play_at_the_same_node_and_its_errors_show_on_screen() {
    let scenarios = temp_dir("trainer-scenarios");
    let data = temp_dir("trainer-data");
    let source = std::fs::read_to_string(shipped_scenarios().join("late-parcel.ron")).unwrap();
    let file = scenarios.join("late-parcel.ron");
    std::fs::write(&file, &source).unwrap();
    let mut app = trainer_app_with(&scenarios, &data);
    app.update_until(Screen::Title);
    assert!(
        app.screen_text()
            .contains("Trainer mode: watching scenarios/")
    );
    app.send(TitleAction::SetName("Trainer".into()));
    app.press(KeyCode::KeyL);
    app.send(LibraryAction::Play("late-parcel".into()));
    assert_eq!(app.screen(), Screen::Play);
    app.send(PlayAction::Choose(0));
    app.send(PlayAction::Continue);
    let node = |app: &App| {
        let active = app.world().resource::<ActiveSession>();
        active.session.prompt().map(|p| p.node_id.to_string())
    };
    let at = node(&app).expect("the conversation goes on");
    assert_ne!(at, "opening");
    let mood = app.world().resource::<ActiveSession>().session.mood();

    // The trainer rewrites what the customer says at every node, and saves.
    let edited = source.replace("CustomerLine(", "CustomerLine(\n            calm: [\"(edited) Go on.\"], annoyed: [\"(edited) Well?\"], irate: [\"(edited) Now!\"],\n            // was:");
    let edited = strip_old_bands(&edited);
    std::fs::write(&file, &edited).unwrap();
    let took = frames_until(&mut app, |app| {
        app.world()
            .get_resource::<ActiveSession>()
            .is_some_and(|a| a.preview)
    });
    assert!(took < Duration::from_secs(1), "reloaded in {took:?}");
    let active = app.world().resource::<ActiveSession>();
    let prompt = active.session.prompt().unwrap();
    assert_eq!(prompt.node_id, at, "restarted at the node it was at");
    assert!(
        prompt.customer_line.starts_with("(edited)"),
        "{}",
        prompt.customer_line
    );
    assert_eq!(active.session.mood(), mood, "in the mood it was in");
    assert!(notice(&app).lines[0].contains("scenarios/late-parcel.ron reloaded"));
    assert!(
        app.screen_text()
            .contains("resumed at this node (not saved)")
    );

    // A mistake: the library keeps the scenario out, the error is shown where it is, and the
    // conversation in front of the trainer goes on.
    std::fs::write(
        &file,
        edited.replacen("start: \"opening\"", "start: \"openng\"", 1),
    )
    .unwrap();
    frames_until(&mut app, |app| notice(app).has_errors);
    let shown = notice(&app).lines.join("\n");
    assert!(
        shown.contains("scenarios/late-parcel.ron has 1 error"),
        "{shown}"
    );
    assert!(shown.contains("scenarios/late-parcel.ron:"), "{shown}");
    assert!(shown.contains("openng"), "{shown}");
    assert!(app.screen_text().contains("error:"), "the banner shows it");
    assert!(
        app.world()
            .resource::<ScenarioLibrary>()
            .find("late-parcel")
            .is_none()
    );
    assert_eq!(app.screen(), Screen::Play);

    // Fixed again: playable again.
    std::fs::write(&file, &edited).unwrap();
    frames_until(&mut app, |app| !notice(app).has_errors);
    assert!(
        app.world()
            .resource::<ScenarioLibrary>()
            .find("late-parcel")
            .is_some()
    );
}

/// Removes the lines that followed each inserted "// was:" up to the closing bracket of the
/// old `CustomerLine(`, so each node keeps only the edited bands.
fn strip_old_bands(text: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.trim_start().starts_with("// was:") {
            skipping = true;
            continue;
        }
        if skipping {
            if line.trim_start().starts_with("),") {
                skipping = false;
                out += line;
                out.push('\n');
            }
            continue;
        }
        out += line;
        out.push('\n');
    }
    out
}
