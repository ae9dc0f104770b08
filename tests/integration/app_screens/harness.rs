//! The headless harness the app tests share: the real plugins on `MinimalPlugins` with the
//! asset and state plugins, a scratch profile folder, and ways to press keys, send actions and
//! read what the screen says.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;

use holdline::app::scenario_assets::register_source;
use holdline::app::screens::play::{ActiveSession, Phase, PlayAction};
use holdline::app::{AppConfig, HoldlinePlugin, Screen};
use holdline::progress::{ProgressStore, Trainee};
use holdline::scenario::model::Turn;
use holdline::scoring::Lexicon;
use holdline::session::Options;

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("holdline-app-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn shipped_scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

pub fn app_with(scenarios: &Path, data_dir: &Path) -> App {
    let mut app = App::new();
    register_source(&mut app, scenarios);
    app.add_plugins((MinimalPlugins, AssetPlugin::default(), StatesPlugin))
        .insert_resource(ButtonInput::<KeyCode>::default())
        .add_plugins(HoldlinePlugin {
            config: AppConfig {
                scenarios_dir: scenarios.to_path_buf(),
                lexicon: Arc::new(Lexicon::builtin()),
                rules: Arc::new(holdline::progress::ProgressRules::builtin()),
                data_dir: data_dir.to_path_buf(),
            },
        });
    app
}

/// Runs frames until `screen` is current (asset loading is asynchronous).
pub fn update_until(app: &mut App, screen: Screen) {
    for _ in 0..2000 {
        app.update();
        if *app.world().resource::<State<Screen>>().get() == screen {
            // One more frame so the screen's UI exists.
            app.update();
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("never reached {screen:?}");
}

/// The trainee the app saved as current, and their saved attempts.
pub fn saved_history(data: &Path) -> (Trainee, Vec<holdline::progress::AttemptRecord>) {
    let store = ProgressStore::new(data);
    let id = store.current().expect("a current trainee is saved");
    let (trainee, notice) = store.trainee(&id).unwrap();
    assert_eq!(notice, None);
    let history = store.history(&id).unwrap();
    assert!(history.notices.is_empty(), "{:?}", history.notices);
    (trainee, history.attempts)
}

pub fn screen(app: &App) -> Screen {
    *app.world().resource::<State<Screen>>().get()
}

pub fn press(app: &mut App, key: KeyCode) {
    app.world_mut()
        .resource_mut::<ButtonInput<KeyCode>>()
        .press(key);
    app.update();
    let mut input = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
    input.release(key);
    input.clear();
    // The state change a key asks for lands on the next frame.
    app.update();
}

pub fn send<M: Message>(app: &mut App, message: M) {
    app.world_mut().write_message(message);
    app.update();
    app.update();
}

/// Every text on screen, joined, for "does the screen show X" checks.
pub fn screen_text(app: &mut App) -> String {
    let mut texts = app.world_mut().query::<&Text>();
    texts
        .iter(app.world())
        .map(|t| t.0.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Gives one good reply (the first choice, or the first model answer) and dismisses the
/// feedback. Returns whether that reply ended the conversation.
pub fn reply_well(app: &mut App) -> bool {
    let (choices, model) = {
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
    if choices {
        send(app, PlayAction::Choose(0));
    } else {
        send(app, PlayAction::Submit(model.unwrap()));
    }
    let over = app.world().resource::<ActiveSession>().session.is_over();
    send(app, PlayAction::Continue);
    over
}
