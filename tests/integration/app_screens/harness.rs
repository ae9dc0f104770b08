//! The headless harness the app tests share: the real plugins on `MinimalPlugins` with the
//! asset and state plugins, a scratch profile folder, and ways to press keys, send actions and
//! read what the screen says.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;

use holdline::app::scenario_assets::register_source;
use holdline::app::screens::play::{ActiveSession, Phase, PlayAction, PlayOverlay};
use holdline::app::{AppConfig, HoldlinePlugin, Screen};
use holdline::progress::{ProgressStore, Trainee};
use holdline::scenario::model::Turn;
use holdline::scoring::{HybridScorer, Lexicon};
use holdline::session::Options;

/// A scratch folder for one test, removed when the test ends (passing or failing), so runs
/// leave nothing behind in the temp folder.
pub struct ScratchDir(PathBuf);

impl std::ops::Deref for ScratchDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for ScratchDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn temp_dir(name: &str) -> ScratchDir {
    let dir = std::env::temp_dir().join(format!("holdline-app-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    ScratchDir(dir)
}

pub fn shipped_scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

pub fn app_with(scenarios: &Path, data_dir: &Path) -> App {
    app_in_mode(scenarios, data_dir, false)
}

/// The app in trainer mode (`holdline --trainer`): the scenario folder is watched.
pub fn trainer_app_with(scenarios: &Path, data_dir: &Path) -> App {
    app_in_mode(scenarios, data_dir, true)
}

fn app_in_mode(scenarios: &Path, data_dir: &Path, trainer: bool) -> App {
    let mut app = App::new();
    register_source(&mut app, scenarios);
    app.add_plugins((MinimalPlugins, AssetPlugin::default(), StatesPlugin))
        .insert_resource(ButtonInput::<KeyCode>::default())
        .add_plugins(HoldlinePlugin {
            config: AppConfig {
                scenarios_dir: scenarios.to_path_buf(),
                lexicon: Arc::new(Lexicon::builtin()),
                // The rules alone: app tests are about screens, and the scorer has its own.
                scorer: Arc::new(HybridScorer::rules_only(Lexicon::builtin())),
                rules: Arc::new(holdline::progress::ProgressRules::builtin()),
                data_dir: data_dir.to_path_buf(),
                trainer,
                curricula: Arc::new(vec![
                    holdline::progress::curriculum::Curriculum::from_source(
                        "new-hire-core.ron",
                        include_bytes!("../../../curricula/new-hire-core.ron"),
                        None,
                    )
                    .expect("the shipped curriculum is valid")
                    .0,
                ]),
            },
        });
    app
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

/// What the app tests do to an app, as methods on it (`app.press(KeyCode::Enter)`), the way
/// YarnSpinner's tests extend `App`.
pub trait AppHarness {
    /// Runs frames until `screen` is current (asset loading is asynchronous).
    fn update_until(&mut self, screen: Screen);
    fn screen(&self) -> Screen;
    /// Presses and releases `key`, with the frames its effect needs.
    fn press(&mut self, key: KeyCode);
    /// Writes `message` and runs the frames it needs.
    fn send<M: Message>(&mut self, message: M);
    /// Checks a conversation opened on its briefing with the clock stopped, and starts it with
    /// Enter, as a trainee would.
    fn begin(&mut self);
    /// Every text on screen, joined, for "does the screen show X" checks.
    fn screen_text(&mut self) -> String;
    /// A good reply to the current turn: the first choice, or the first model answer.
    fn good_reply(&self) -> GoodReply;
    /// Gives [`AppHarness::good_reply`] and dismisses the feedback. Returns whether that reply
    /// ended the conversation.
    fn reply_well(&mut self) -> bool;
}

/// A good reply to the turn in front of the trainee.
#[derive(Debug, Clone, PartialEq)]
pub enum GoodReply {
    FirstChoice,
    ModelAnswer(String),
}

impl AppHarness for App {
    fn update_until(&mut self, screen: Screen) {
        for _ in 0..2000 {
            self.update();
            if *self.world().resource::<State<Screen>>().get() == screen {
                // One more frame so the screen's UI exists.
                self.update();
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        panic!("never reached {screen:?}");
    }

    fn screen(&self) -> Screen {
        *self.world().resource::<State<Screen>>().get()
    }

    fn press(&mut self, key: KeyCode) {
        self.world_mut()
            .resource_mut::<ButtonInput<KeyCode>>()
            .press(key);
        self.update();
        let mut input = self.world_mut().resource_mut::<ButtonInput<KeyCode>>();
        input.release(key);
        input.clear();
        // The state change a key asks for lands on the next frame.
        self.update();
    }

    fn send<M: Message>(&mut self, message: M) {
        self.world_mut().write_message(message);
        self.update();
        self.update();
        // A typed reply is scored on another thread: wait for it as a trainee would.
        for _ in 0..5000 {
            let scoring = self
                .world()
                .get_resource::<ActiveSession>()
                .is_some_and(|a| a.scoring.is_some());
            if !scoring {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
            self.update();
        }
    }

    fn begin(&mut self) {
        assert_eq!(
            *self.world().resource::<State<PlayOverlay>>().get(),
            PlayOverlay::Briefing,
            "a conversation opens on its briefing"
        );
        self.update();
        assert_eq!(
            self.world().resource::<ActiveSession>().call_secs,
            0.0,
            "the clock stands still during the briefing"
        );
        self.press(KeyCode::Enter);
        assert_eq!(
            *self.world().resource::<State<PlayOverlay>>().get(),
            PlayOverlay::None
        );
    }

    fn screen_text(&mut self) -> String {
        let mut texts = self.world_mut().query::<&Text>();
        texts
            .iter(self.world())
            .map(|t| t.0.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn good_reply(&self) -> GoodReply {
        let active = self.world().resource::<ActiveSession>();
        assert_eq!(active.phase, Phase::Answering);
        let choices = matches!(
            active.session.prompt().unwrap().options,
            Options::Choices(_)
        );
        if choices {
            return GoodReply::FirstChoice;
        }
        let model = active.session.current_node().and_then(|n| match &n.turn {
            Turn::FreeText(f) => f.rubric.model_answers.first().cloned(),
            Turn::Choices(_) => None,
        });
        GoodReply::ModelAnswer(model.expect("a free-text turn has a model answer"))
    }

    fn reply_well(&mut self) -> bool {
        match self.good_reply() {
            GoodReply::FirstChoice => self.send(PlayAction::Choose(0)),
            GoodReply::ModelAnswer(text) => self.send(PlayAction::Submit(text)),
        }
        let over = self.world().resource::<ActiveSession>().session.is_over();
        self.send(PlayAction::Continue);
        over
    }
}
