//! Trainer mode (`holdline --trainer`): the scenario folder is watched while the app runs. A
//! saved file is read again within half a second; its errors and warnings appear on screen at
//! their `file:line:col`, the library is updated, and a conversation in progress in that
//! scenario restarts at the node it was at, the customer in the mood they were in (from the
//! start when the node is gone). Attempts resumed that way are previews: they are not saved.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use bevy::prelude::*;

use super::scenario_assets::{LibraryEntry, ScenarioLibrary, flag_duplicate_ids};
use super::screens::flow::PlayRequest;
use super::screens::play::ActiveSession;
use super::theme::{self, palette};
use super::{AppConfig, Screen};
use crate::scenario::library::{FileKind, load_scenario_file, sniff_kind};
use crate::scenario::load::{MAX_FILE_BYTES, read_input_file};
use crate::scenario::mood::Mood;
use crate::scoring::Lexicon;

/// How often the folder is looked at. Reading a dozen file dates takes well under a millisecond.
const POLL_SECS: f32 = 0.25;

/// The most diagnostics the banner lists; the rest are counted.
const SHOWN_DIAGNOSTICS: usize = 6;

/// Watches the scenario folder and shows what it finds.
pub struct TrainerPlugin {
    pub scenarios_dir: PathBuf,
    pub lexicon: Arc<Lexicon>,
}

impl TrainerPlugin {
    pub fn new(config: &AppConfig) -> TrainerPlugin {
        TrainerPlugin {
            scenarios_dir: config.scenarios_dir.clone(),
            lexicon: Arc::clone(&config.lexicon),
        }
    }
}

impl Plugin for TrainerPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(ScenarioWatch {
            dir: self.scenarios_dir.clone(),
            lexicon: Arc::clone(&self.lexicon),
            // Taken as the library starts loading: a file saved from then on counts as a change.
            stamps: stamps_of(&self.scenarios_dir),
            timer: Timer::from_seconds(POLL_SECS, TimerMode::Repeating),
        })
        .init_resource::<TrainerNotice>()
        .insert_resource(TrainerMode)
        .add_systems(Startup, spawn_banner)
        .add_systems(
            Update,
            (
                watch_folder.run_if(not(in_state(Screen::Loading))),
                show_notice,
            )
                .chain(),
        );
    }
}

/// Present in trainer mode: the library opens every tier, so any scenario can be previewed.
#[derive(Resource, Debug, Clone, Copy)]
pub struct TrainerMode;

/// When the play screen next starts this scenario, it starts at this node in this mood (a
/// preview, not saved): set by a reload of the scenario being played.
#[derive(Resource, Debug, Clone)]
pub struct ResumeAt {
    pub scenario_id: String,
    pub node: String,
    pub mood: Mood,
}

/// What the watch last did, shown in the banner.
#[derive(Resource, Debug, Clone, Default)]
pub struct TrainerNotice {
    /// One line each: what was reloaded, then its diagnostics.
    pub lines: Vec<String>,
    /// Whether any of them is an error.
    pub has_errors: bool,
}

/// Marks the banner's text.
#[derive(Component)]
pub struct TrainerBanner;

/// The folder watched and what each file looked like when last read.
#[derive(Resource)]
struct ScenarioWatch {
    dir: PathBuf,
    lexicon: Arc<Lexicon>,
    /// File name → (modified, length), as last seen.
    stamps: BTreeMap<String, (SystemTime, u64)>,
    timer: Timer,
}

/// The `.ron` files in `dir` with their dates and sizes.
fn stamps_of(dir: &std::path::Path) -> BTreeMap<String, (SystemTime, u64)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let meta = e.metadata().ok()?;
            (name.ends_with(".ron") && meta.is_file()).then(|| {
                (
                    name,
                    (
                        meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                        meta.len(),
                    ),
                )
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn watch_folder(
    time: Res<Time>,
    mut watch: ResMut<ScenarioWatch>,
    mut library: ResMut<ScenarioLibrary>,
    mut notice: ResMut<TrainerNotice>,
    mut commands: Commands,
    active: Option<Res<ActiveSession>>,
    request: Option<Res<PlayRequest>>,
    screen: Res<State<Screen>>,
    mut next: ResMut<NextState<Screen>>,
) {
    if !watch.timer.tick(time.delta()).just_finished() {
        return;
    }
    let now = stamps_of(&watch.dir);
    let before = std::mem::replace(&mut watch.stamps, now.clone());
    let changed: Vec<&String> = now
        .iter()
        .filter(|(name, stamp)| before.get(*name) != Some(stamp))
        .map(|(name, _)| name)
        .collect();
    let removed: Vec<&String> = before.keys().filter(|n| !now.contains_key(*n)).collect();
    if changed.is_empty() && removed.is_empty() {
        return;
    }
    let mut lines = Vec::new();
    let mut has_errors = false;
    let mut reloaded = Vec::new();
    for name in &removed {
        let file = format!("scenarios/{name}");
        library.entries.retain(|e| e.file != file);
        lines.push(format!("{file} was removed from the library"));
    }
    for name in &changed {
        let file = format!("scenarios/{name}");
        let bytes = match read_input_file(&watch.dir.join(name.as_str()), MAX_FILE_BYTES) {
            Ok(bytes) => bytes,
            Err(err) => {
                lines.push(format!("{file}: cannot read it yet: {err}"));
                continue;
            }
        };
        if sniff_kind(&bytes) != FileKind::Scenario {
            continue;
        }
        let stem = name.trim_end_matches(".ron");
        let (scenario, diagnostics) = load_scenario_file(&file, stem, &bytes, &*watch.lexicon);
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        has_errors |= errors > 0;
        lines.push(match (&scenario, errors) {
            (Some(_), _) => format!(
                "{file} reloaded at {}{}",
                clock(),
                match diagnostics.len() {
                    0 => String::new(),
                    n => format!(" with {n} warning{}", if n == 1 { "" } else { "s" }),
                }
            ),
            (None, n) => format!(
                "{file} has {n} error{}; the library keeps it out until they are fixed",
                if n == 1 { "" } else { "s" }
            ),
        });
        lines.extend(
            diagnostics
                .iter()
                .take(SHOWN_DIAGNOSTICS)
                .map(|d| d.to_string()),
        );
        if diagnostics.len() > SHOWN_DIAGNOSTICS {
            lines.push(format!(
                "... and {} more (holdline validate {file})",
                diagnostics.len() - SHOWN_DIAGNOSTICS
            ));
        }
        let entry = LibraryEntry {
            file: file.clone(),
            scenario: scenario.map(Arc::new),
            diagnostics,
        };
        if let Some(scenario) = &entry.scenario {
            reloaded.push(Arc::clone(scenario));
        }
        match library.entries.iter_mut().find(|e| e.file == file) {
            Some(existing) => *existing = entry,
            None => library.entries.push(entry),
        }
    }
    library.entries.sort_by(|a, b| a.file.cmp(&b.file));
    flag_duplicate_ids(&mut library.entries);
    *notice = TrainerNotice { lines, has_errors };

    // The conversation in progress restarts in the new version of its scenario.
    let playing = active.as_ref().filter(|a| !a.session.is_over());
    match (screen.get(), playing, request) {
        (Screen::Play, Some(active), Some(request)) => {
            let id = &active.session.scenario().id;
            if let Some(scenario) = reloaded.iter().find(|s| &s.id == id) {
                if let Some(prompt) = active.session.prompt()
                    && scenario.node(prompt.node_id).is_some()
                {
                    commands.insert_resource(ResumeAt {
                        scenario_id: id.clone(),
                        node: prompt.node_id.to_string(),
                        mood: active.session.mood(),
                    });
                }
                commands.insert_resource(PlayRequest {
                    scenario: Arc::clone(scenario),
                    ..request.clone()
                });
                next.set(Screen::Play);
            }
        }
        // The library's cards are built on entering it: entered again, they show the change.
        (Screen::Library, _, _) => next.set(Screen::Library),
        _ => {}
    }
}

/// The wall-clock time, `10:32:01` (UTC), to tell one reload from the next.
fn clock() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!(
        "{:02}:{:02}:{:02} UTC",
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

fn spawn_banner(mut commands: Commands) {
    commands.spawn((
        Name::new("Trainer banner"),
        Node {
            position_type: PositionType::Absolute,
            bottom: px(0),
            left: px(0),
            right: px(0),
            padding: UiRect::axes(px(12), px(6)),
            flex_direction: FlexDirection::Column,
            ..default()
        },
        BackgroundColor(palette::PANEL_RAISED.with_alpha(0.96)),
        GlobalZIndex(100),
        children![(
            theme::text(
                "Trainer mode: watching scenarios/ (saved files reload here; resumed attempts are not saved)",
                theme::SMALL_SIZE,
                palette::TEXT_MUTED,
            ),
            TrainerBanner,
        )],
    ));
}

fn show_notice(
    notice: Res<TrainerNotice>,
    mut banner: Query<(&mut Text, &mut TextColor), With<TrainerBanner>>,
) {
    if !notice.is_changed() || notice.lines.is_empty() {
        return;
    }
    for (mut text, mut color) in &mut banner {
        text.0 = theme::display_text(&format!("Trainer mode: {}", notice.lines.join("\n")));
        color.0 = if notice.has_errors {
            palette::WARN
        } else {
            palette::TEXT
        };
    }
}
