//! The desktop app: a thin Bevy layer over the core. One plugin per screen, screens as
//! [`Screen`] states, every screen's UI despawned when the screen is left.

pub mod profile;
pub mod scenario_assets;
pub mod screens;

pub use screens::Screen;
pub mod startup_timeline;
pub mod theme;
pub mod tour;
pub mod trainer;
pub mod typed_text;
pub mod window_errors;
pub mod xapi_push;

use crate::progress::curriculum::Curriculum;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use bevy::prelude::*;
use bevy::window::WindowResolution;

use crate::progress::ProgressRules;
use crate::scoring::{HybridScorer, Lexicon, ReplyScorer};

/// What the app was started with.
#[derive(Resource, Clone)]
pub struct AppConfig {
    /// The scenario folder (absolute, so Bevy's asset source finds it from anywhere).
    pub scenarios_dir: PathBuf,
    pub lexicon: Arc<Lexicon>,
    /// How typed replies are scored (the semantic layer may still be loading).
    pub scorer: Arc<HybridScorer>,
    /// The gamification rules progress is worked out with.
    pub rules: Arc<ProgressRules>,
    /// Where the trainee's profile lives.
    pub data_dir: PathBuf,
    /// Trainer mode: the scenario folder is watched and saved files reload on screen.
    pub trainer: bool,
    /// The onboarding curricula the progress screen shows the trainee's standing on.
    pub curricula: Arc<Vec<Curriculum>>,
}

/// The curricula of [`AppConfig::curricula`], for the screens.
#[derive(Resource, Clone, Default)]
pub struct Curricula(pub Arc<Vec<Curriculum>>);

/// The scorer free-text turns use, shared by every session the app starts.
#[derive(Resource, Clone)]
pub struct SharedScorer(pub Arc<dyn ReplyScorer>);

/// The one order of the app's `Update` work, for every screen: clocks tick, then input becomes
/// actions, then actions change the state, then the screen shows the state. Screens put their
/// systems in these sets instead of chaining their own.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppSystems {
    TickTimers,
    RecordInput,
    Act,
    Present,
}

/// Everything except the window, renderer and input backends: what the headless tests add on
/// top of `MinimalPlugins` and `StatesPlugin`.
pub struct HoldlinePlugin {
    pub config: AppConfig,
}

impl Plugin for HoldlinePlugin {
    fn build(&self, app: &mut App) {
        let scorer: Arc<dyn ReplyScorer> = self.config.scorer.clone();
        if self.config.scorer.loads_shipped_model_later() {
            // The model loads (and its exemplars embed, the first time) while the trainee reads
            // the title and library screens; a reply typed before then waits on its own thread.
            let spawned = std::thread::Builder::new()
                .name("holdline-model".into())
                .spawn(|| {
                    if let Err(why) = crate::scoring::hybrid_scorer::warm_up() {
                        warn!("{why}; typed replies are scored by the lexicon rules alone");
                    }
                });
            if let Err(err) = spawned {
                warn!(
                    "cannot load the scoring model in the background ({err}); it loads with the first typed reply"
                );
            }
        }
        app.insert_resource(self.config.clone())
            .insert_resource(SharedScorer(scorer))
            .insert_resource(Curricula(Arc::clone(&self.config.curricula)))
            .init_state::<Screen>()
            .configure_sets(
                Update,
                (
                    AppSystems::TickTimers,
                    AppSystems::RecordInput,
                    AppSystems::Act,
                    AppSystems::Present,
                )
                    .chain(),
            )
            .add_plugins((
                theme::plugin,
                profile::plugin,
                screens::plugin,
                xapi_push::plugin,
                typed_text::plugin,
            ));
        // The windowed app adds it earlier, straight after `AssetPlugin` (see `run`).
        if !app.is_plugin_added::<scenario_assets::ScenarioAssetsPlugin>() {
            app.add_plugins(scenario_assets::ScenarioAssetsPlugin::new(&self.config));
        }
        if self.config.trainer {
            app.add_plugins(trainer::TrainerPlugin::new(&self.config));
        }
    }
}

/// How the binary runs the app: a normal session, or a scripted tour for screenshots and
/// start-up measurement.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub tour: Option<tour::TourConfig>,
}

/// Opens the app window and runs until it is closed.
pub fn run(config: AppConfig, options: RunOptions) -> ExitCode {
    if let Err(message) = window_errors::check_display() {
        eprintln!("{message}");
        return ExitCode::from(1);
    }
    window_errors::report_start_failures();
    let mut app = App::new();
    // The scenario folder is its own asset source, so fonts and images stay under `assets/`.
    scenario_assets::register_source(&mut app, &config.scenarios_dir);
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: "holdline: customer-service practice".into(),
                    resolution: WindowResolution::new(1280, 720),
                    ..default()
                }),
                ..default()
            })
            .set(bevy::log::LogPlugin {
                filter: "warn,holdline=info".into(),
                ..default()
            })
            // Scenario files start loading on the asset threads here, while the window and the
            // renderer are still being set up.
            .add_after::<bevy::asset::AssetPlugin>(scenario_assets::ScenarioAssetsPlugin::new(
                &config,
            )),
    )
    .insert_resource(ClearColor(theme::palette::BACKGROUND))
    .add_plugins(HoldlinePlugin { config })
    .add_systems(Startup, spawn_camera)
    .add_systems(
        First,
        (
            window_errors::mark_window_up,
            startup_timeline::mark_frame_begins,
        ),
    );
    if let Some(tour) = options.tour {
        app.add_plugins(tour::TourPlugin { config: tour });
    }
    startup_timeline::mark("plugins added");
    match app.run() {
        AppExit::Success => ExitCode::SUCCESS,
        AppExit::Error(code) => ExitCode::from(code.get()),
    }
}

fn spawn_camera(mut commands: Commands) {
    startup_timeline::mark("first update begins (Startup systems)");
    // No multisampling: the app draws UI only (flat boxes and text, antialiased by its glyph
    // atlas), and under software rendering 4x MSAA multiplies the cost of every frame.
    commands.spawn((Name::new("Camera"), Camera2d, Msaa::Off));
}
