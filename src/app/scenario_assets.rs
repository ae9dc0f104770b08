//! Scenario files as Bevy assets: a custom loader runs the core's parser and validator, so an
//! invalid file still loads, carrying its diagnostics for the library screen to show instead of
//! crashing. The library is built once every file has loaded or failed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bevy::asset::io::{AssetSourceBuilder, Reader};
use bevy::asset::{AssetLoader, AssetPath, AssetTrackingSystems, LoadContext, LoadState};
use bevy::prelude::*;

use super::{AppConfig, Screen};
use crate::scenario::diagnostic::Diagnostic;
use crate::scenario::library::{FileKind, TakenIds, library_order, load_scenario_file, sniff_kind};
use crate::scenario::model::Scenario;
use crate::scoring::Lexicon;

/// The asset source name of the scenario folder: `scenarios://late-parcel.ron`.
pub const SOURCE: &str = "scenarios";

/// One scenario file: the scenario when it has no errors, and every diagnostic either way.
#[derive(Asset, TypePath, Debug, Clone)]
pub struct ScenarioFile {
    pub file: String,
    pub scenario: Option<Arc<Scenario>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Lexicon files may sit beside scenarios; they are not scenarios.
    pub is_lexicon: bool,
}

#[derive(TypePath)]
pub struct ScenarioLoader {
    lexicon: Arc<Lexicon>,
}

impl AssetLoader for ScenarioLoader {
    type Asset = ScenarioFile;
    type Settings = ();
    type Error = std::io::Error;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        load_context: &mut LoadContext<'_>,
    ) -> Result<ScenarioFile, Self::Error> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        let file = format!("scenarios/{}", load_context.path().path().display());
        // Rule files kept beside the scenarios are not scenarios; `holdline validate` checks them.
        if sniff_kind(&bytes) != FileKind::Scenario {
            return Ok(ScenarioFile {
                file,
                scenario: None,
                diagnostics: Vec::new(),
                is_lexicon: true,
            });
        }
        let stem = load_context
            .path()
            .path()
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let (scenario, diagnostics) = load_scenario_file(&file, &stem, &bytes, &*self.lexicon);
        Ok(ScenarioFile {
            file,
            scenario: scenario.map(Arc::new),
            diagnostics,
            is_lexicon: false,
        })
    }

    fn extensions(&self) -> &[&str] {
        &["ron"]
    }
}

/// One entry of the library: a playable scenario, or a file that failed with its diagnostics.
#[derive(Debug, Clone)]
pub struct LibraryEntry {
    pub file: String,
    pub scenario: Option<Arc<Scenario>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Every scenario file in the folder, in file-name order.
#[derive(Resource, Debug, Clone, Default)]
pub struct ScenarioLibrary {
    pub entries: Vec<LibraryEntry>,
}

impl ScenarioLibrary {
    /// Playable scenarios, ordered by tier then title.
    pub fn playable(&self) -> Vec<Arc<Scenario>> {
        let mut list: Vec<Arc<Scenario>> = self
            .entries
            .iter()
            .filter_map(|e| e.scenario.clone())
            .collect();
        list.sort_by(|a, b| library_order(a, b));
        list
    }

    pub fn find(&self, id: &str) -> Option<Arc<Scenario>> {
        self.entries
            .iter()
            .filter_map(|e| e.scenario.as_ref())
            .find(|s| s.id == id)
            .cloned()
    }

    /// Files that cannot be played, with what is wrong.
    pub fn broken(&self) -> impl Iterator<Item = &LibraryEntry> {
        self.entries.iter().filter(|e| e.scenario.is_none())
    }
}

/// Handles of the files being loaded, and a problem with the folder itself if it had one.
#[derive(Resource, Default)]
struct PendingFiles {
    files: Vec<(String, Handle<ScenarioFile>)>,
    folder_problem: Option<LibraryEntry>,
}

/// Registers the scenario folder as the `scenarios://` asset source. Must run before
/// `AssetPlugin` is added.
pub fn register_source(app: &mut App, dir: &Path) {
    app.register_asset_source(
        SOURCE,
        AssetSourceBuilder::platform_default(&dir.to_string_lossy(), None),
    );
}

/// Scenario files as assets. The files start loading as soon as this plugin is built, so the
/// app adds it straight after `AssetPlugin`: the asset threads then read and validate the
/// library while the window and the renderer are still being set up (about 100 ms under
/// software Vulkan), and the title screen can be shown on the very first frame. The library is
/// read once, at start-up.
pub struct ScenarioAssetsPlugin {
    pub scenarios_dir: PathBuf,
    pub lexicon: Arc<Lexicon>,
}

impl ScenarioAssetsPlugin {
    pub fn new(config: &AppConfig) -> ScenarioAssetsPlugin {
        ScenarioAssetsPlugin {
            scenarios_dir: config.scenarios_dir.clone(),
            lexicon: Arc::clone(&config.lexicon),
        }
    }
}

impl Plugin for ScenarioAssetsPlugin {
    fn build(&self, app: &mut App) {
        app.init_asset::<ScenarioFile>()
            .register_asset_loader(ScenarioLoader {
                lexicon: Arc::clone(&self.lexicon),
            })
            .init_resource::<ScenarioLibrary>();
        let pending = start_loading(&self.scenarios_dir, app.world().resource::<AssetServer>());
        app.insert_resource(pending).add_systems(
            // Right after the asset server has taken in this frame's finished loads, and before
            // this frame's state transition: the title then appears in the frame the last file
            // finished, not in the one after.
            PreUpdate,
            finish_loading
                .run_if(in_state(Screen::Loading))
                .after(AssetTrackingSystems),
        );
    }
}

fn start_loading(dir: &Path, assets: &AssetServer) -> PendingFiles {
    super::startup_timeline::mark("scenario loading started");
    let mut pending = PendingFiles::default();
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".ron"))
            .collect(),
        Err(err) => {
            pending.folder_problem = Some(LibraryEntry {
                file: dir.display().to_string(),
                scenario: None,
                diagnostics: vec![Diagnostic::whole_file(
                    dir.display().to_string(),
                    "no-scenario-folder",
                    format!("cannot read the scenario folder: {err}"),
                    Some("start holdline from the project folder, or pass --scenarios DIR".into()),
                )],
            });
            Vec::new()
        }
    };
    names.sort();
    for name in names {
        let path = AssetPath::from(name.clone()).with_source(SOURCE);
        pending.files.push((name, assets.load(path)));
    }
    pending
}

fn finish_loading(
    assets: Res<AssetServer>,
    files: Res<Assets<ScenarioFile>>,
    mut pending: ResMut<PendingFiles>,
    mut library: ResMut<ScenarioLibrary>,
    mut next: ResMut<NextState<Screen>>,
) {
    let done = pending.files.iter().all(|(_, h)| {
        matches!(
            assets.load_state(h),
            LoadState::Loaded | LoadState::Failed(_)
        )
    });
    if !done {
        return;
    }
    library.entries.clear();
    library.entries.extend(pending.folder_problem.take());
    for (name, handle) in pending.files.drain(..) {
        match files.get(&handle) {
            Some(file) if file.is_lexicon => {}
            Some(file) => library.entries.push(LibraryEntry {
                file: file.file.clone(),
                scenario: file.scenario.clone(),
                diagnostics: file.diagnostics.clone(),
            }),
            None => {
                let file = format!("scenarios/{name}");
                let why = match assets.load_state(&handle) {
                    LoadState::Failed(err) => err.to_string(),
                    _ => "it did not load".to_string(),
                };
                library.entries.push(LibraryEntry {
                    diagnostics: vec![Diagnostic::whole_file(
                        file.clone(),
                        "unreadable",
                        format!("cannot read the file: {why}"),
                        None,
                    )],
                    file,
                    scenario: None,
                });
            }
        }
    }
    flag_duplicate_ids(&mut library.entries);
    super::startup_timeline::mark("scenario library loaded");
    next.set(Screen::Title);
}

/// Two files with one scenario id would make progress ambiguous: the later file is not played,
/// by the same rule (and message) as the CLI's library.
pub fn flag_duplicate_ids(entries: &mut [LibraryEntry]) {
    let mut taken = TakenIds::default();
    for entry in entries.iter_mut() {
        let Some(id) = entry.scenario.as_ref().map(|s| s.id.clone()) else {
            continue;
        };
        if let Err(refused) = taken.claim(&id, &entry.file) {
            entry.diagnostics.push(refused);
            entry.scenario = None;
        }
    }
}
