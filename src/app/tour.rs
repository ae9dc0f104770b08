//! A scripted walk through every screen for `scripts/screenshots`: it names the trainee,
//! opens the library, plays a scenario by choice and by typed text, reaches the debrief and
//! the progress screen, then works a shift of calls to its summary and goes back to the progress
//! screen (its scores chart drawn by then), saving one PNG per screen
//! and failing if a capture is blank. The same plugin can instead
//! stop at the first interactive frame, for the start-up measurement.

use std::path::PathBuf;
use std::time::Instant;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};
use bevy::text::{EditableText, TextEdit};

use super::Screen;
use super::profile::TraineeProfile;
use super::screens::debrief::DebriefAction;
use super::screens::flow::ShiftRun;
use super::screens::library::LibraryAction;
use super::screens::play::{ActiveSession, Phase, PlayAction, PlayOverlay, ReplyBox};
use super::screens::progress::ProgressAction;
use super::screens::title::{NameBox, TitleAction};
use crate::scenario::model::Turn;
use crate::session::Options;

#[derive(Debug, Clone)]
pub enum TourConfig {
    /// Walk every screen, saving PNGs into this folder, at this text size.
    Screenshots {
        dir: PathBuf,
        scenario: String,
        text_scale: f32,
    },
    /// Print the time to the first interactive frame and exit.
    StartupProbe { started: Instant },
}

pub struct TourPlugin {
    pub config: TourConfig,
}

impl Plugin for TourPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(Tour {
            config: self.config.clone(),
            step: 0,
            wait: 0,
            pending_shots: 0,
            blank: Vec::new(),
            saved: Vec::new(),
            frames: FrameTimes::default(),
        })
        .add_systems(Update, (record_frame_time, drive));
        if let TourConfig::Screenshots { text_scale, .. } = self.config {
            app.insert_resource(super::theme::TextScale(text_scale));
        }
        if matches!(self.config, TourConfig::StartupProbe { .. }) {
            app.add_systems(Update, probe_startup);
        }
    }
}

/// Frames the start-up probe waits for a visible title before it gives up.
const PROBE_FRAMES: u32 = 600;

/// The start-up probe: from the frame the title screen is spawned, captures every frame and
/// reports the launch-to-frame time of the first capture that shows the title (not a blank or
/// single-colour frame: under software Vulkan the first frames come out black while pipelines
/// compile). `examples/bare_window.rs` measures its own first frame that shows anything the
/// same way, so the two figures compare like with like.
fn probe_startup(
    mut commands: Commands,
    mut tour: ResMut<Tour>,
    screen: Res<State<Screen>>,
    mut exit: MessageWriter<AppExit>,
) {
    let TourConfig::StartupProbe { started } = tour.config else {
        return;
    };
    if *screen.get() != Screen::Title || tour.saved.iter().any(|s| s == "reported") {
        return;
    }
    super::startup_timeline::mark("title screen spawned");
    tour.step += 1;
    if tour.step as u32 > PROBE_FRAMES {
        eprintln!("startup probe: no frame showed the title within {PROBE_FRAMES} frames");
        exit.write(AppExit::error());
        return;
    }
    let at_ms = started.elapsed().as_secs_f64() * 1000.0;
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>,
              mut tour: ResMut<Tour>,
              mut exit: MessageWriter<AppExit>| {
            if is_blank(&captured.image) || tour.saved.iter().any(|s| s == "reported") {
                return;
            }
            tour.saved.push("reported".into());
            println!("first interactive frame: {at_ms:.1} ms");
            super::startup_timeline::mark("the frame that showed the title was captured");
            print!("{}", super::startup_timeline::report());
            exit.write(AppExit::Success);
        },
    );
}

#[derive(Resource)]
struct Tour {
    config: TourConfig,
    step: usize,
    /// Frames to wait before the next step (layout and rendering settle).
    wait: u32,
    pending_shots: usize,
    blank: Vec<String>,
    saved: Vec<String>,
    /// Frame times on the play screen, to show that scoring a typed reply never freezes it.
    frames: FrameTimes,
}

/// Frame times in milliseconds on the play screen, while a typed reply was being scored and
/// while not.
#[derive(Debug, Default)]
struct FrameTimes {
    scoring: Vec<f32>,
    other: Vec<f32>,
}

impl FrameTimes {
    fn summary(&self) -> String {
        fn stats(v: &[f32]) -> String {
            if v.is_empty() {
                return "no frames".into();
            }
            let mut sorted = v.to_vec();
            sorted.sort_by(f32::total_cmp);
            format!(
                "median {:.1} ms, max {:.1} ms over {} frames",
                sorted[sorted.len() / 2],
                sorted[sorted.len() - 1],
                sorted.len()
            )
        }
        format!(
            "play-screen frame time while a typed reply was scored: {}; otherwise: {}",
            stats(&self.scoring),
            stats(&self.other)
        )
    }
}

fn record_frame_time(
    time: Res<Time>,
    screen: Res<State<Screen>>,
    active: Option<Res<ActiveSession>>,
    mut tour: ResMut<Tour>,
) {
    let (Screen::Play, Some(active)) = (screen.get(), active) else {
        return;
    };
    let ms = time.delta_secs() * 1000.0;
    if active.scoring.is_some() {
        tour.frames.scoring.push(ms);
    } else {
        tour.frames.other.push(ms);
    }
}

/// The trainee the tour names: outside Latin-1 on purpose, so the screenshots show the bundled
/// font drawing it on the title and progress screens.
const TOUR_NAME: &str = "Zoë Nguyễn";

/// Frames between an action and a screenshot: enough for the state change, layout and a
/// rendered frame under software Vulkan.
const SETTLE: u32 = 12;

#[allow(clippy::too_many_arguments)]
fn drive(
    mut commands: Commands,
    mut tour: ResMut<Tour>,
    screen: Res<State<Screen>>,
    active: Option<Res<ActiveSession>>,
    overlay: Option<Res<State<PlayOverlay>>>,
    shift: Option<Res<ShiftRun>>,
    mut profile: ResMut<TraineeProfile>,
    mut name_boxes: Query<&mut EditableText, (With<NameBox>, Without<ReplyBox>)>,
    mut reply_boxes: Query<&mut EditableText, With<ReplyBox>>,
    mut title: MessageWriter<TitleAction>,
    mut library: MessageWriter<LibraryAction>,
    mut play: MessageWriter<PlayAction>,
    mut debrief: MessageWriter<DebriefAction>,
    mut progress: MessageWriter<ProgressAction>,
    mut exit: MessageWriter<AppExit>,
    mut next: ResMut<NextState<Screen>>,
) {
    if tour.wait > 0 {
        tour.wait -= 1;
        return;
    }
    if tour.pending_shots > 0 {
        return;
    }
    let (dir, scenario) = match &tour.config {
        // Measured by `probe_startup` instead.
        TourConfig::StartupProbe { .. } => return,
        TourConfig::Screenshots { dir, scenario, .. } => (dir.clone(), scenario.clone()),
    };
    let shoot = |tour: &mut Tour, commands: &mut Commands, name: &str| {
        let path = dir.join(format!("{name}.png"));
        tour.pending_shots += 1;
        let label = name.to_string();
        commands
            .spawn(Screenshot::primary_window())
            .observe(save_to_disk(path))
            .observe(
                move |captured: On<ScreenshotCaptured>, mut tour: ResMut<Tour>| {
                    if is_blank(&captured.image) {
                        tour.blank.push(label.clone());
                    }
                    tour.saved.push(label.clone());
                    tour.pending_shots -= 1;
                },
            );
    };
    let step = tour.step;
    tour.step += 1;
    tour.wait = SETTLE;
    match (step, screen.get()) {
        (0, Screen::Title) => {
            for mut name_box in &mut name_boxes {
                name_box.queue_edit(TextEdit::Insert(TOUR_NAME.into()));
            }
        }
        (1, Screen::Title) => shoot(&mut tour, &mut commands, "01-title-name"),
        (2, Screen::Title) => {
            title.write(TitleAction::SetName(TOUR_NAME.into()));
        }
        (3, Screen::Title) => shoot(&mut tour, &mut commands, "02-title"),
        (4, Screen::Title) => {
            title.write(TitleAction::Library);
        }
        (5, Screen::Library) => shoot(&mut tour, &mut commands, "03-library"),
        (6, Screen::Library) => {
            library.write(LibraryAction::Play(scenario));
        }
        (7, Screen::Play) => shoot(&mut tour, &mut commands, "04-play-briefing"),
        (8, Screen::Play) => {
            play.write(PlayAction::Begin);
        }
        (9, Screen::Play) => shoot(&mut tour, &mut commands, "04-play-choices"),
        (_, Screen::Play) => {
            let Some(active) = active else { return };
            if overlay.is_some_and(|o| *o.get() == PlayOverlay::Briefing) {
                // A shift's next call opens on its briefing too.
                play.write(PlayAction::Begin);
                return;
            }
            match active.phase {
                Phase::Feedback => {
                    if !tour.saved.iter().any(|s| s.contains("feedback")) {
                        shoot(&mut tour, &mut commands, "05-play-feedback");
                    } else {
                        play.write(PlayAction::Continue);
                    }
                }
                Phase::Answering => match active.session.prompt().map(|p| p.options) {
                    Some(Options::Choices(_)) => {
                        play.write(PlayAction::Choose(0));
                    }
                    Some(Options::FreeText { .. }) => {
                        let model = active
                            .session
                            .current_node()
                            .and_then(|n| match &n.turn {
                                Turn::FreeText(free) => free.rubric.model_answers.first().cloned(),
                                Turn::Choices(_) => None,
                            })
                            .unwrap_or_else(|| {
                                "I'm sorry about this; let me sort it out now.".into()
                            });
                        let typed = reply_boxes
                            .iter()
                            .any(|b| !b.value().to_string().is_empty());
                        if !typed {
                            for mut reply_box in &mut reply_boxes {
                                reply_box.queue_edit(TextEdit::Insert(model.as_str().into()));
                            }
                        } else if !tour.saved.iter().any(|s| s.contains("typed")) {
                            shoot(&mut tour, &mut commands, "06-play-typed");
                        } else {
                            play.write(PlayAction::Submit(model));
                        }
                    }
                    None => {}
                },
            }
        }
        (_, Screen::Debrief) => {
            if !tour.saved.iter().any(|s| s.contains("debrief")) {
                shoot(&mut tour, &mut commands, "07-debrief");
            } else if shift.is_some() {
                debrief.write(DebriefAction::NextScenario);
            } else {
                next.set(Screen::Progress);
            }
        }
        (_, Screen::Progress) => {
            let saved = |name: &str| tour.saved.iter().any(|s| s.contains(name));
            if !saved("progress") {
                shoot(&mut tour, &mut commands, "08-progress");
            } else if saved("shift-summary") && !saved("10-progress") {
                // Back after the shift, with three finished attempts: the scores chart shows.
                shoot(&mut tour, &mut commands, "10-progress-scores");
            } else if saved("10-progress") {
                finish(&tour, &mut exit);
            } else {
                // Two calls, not the rules' five: software rendering is slow, and two show the
                // summary as well as five.
                profile.rules.shift.calls = 2;
                progress.write(ProgressAction::Shift);
            }
        }
        (_, Screen::ShiftSummary) => {
            if !tour.saved.iter().any(|s| s.contains("shift")) {
                shoot(&mut tour, &mut commands, "09-shift-summary");
            } else {
                next.set(Screen::Progress);
            }
        }
        // Not on the expected screen yet: try this step again.
        _ => tour.step = step,
    }
}

fn finish(tour: &Tour, exit: &mut MessageWriter<AppExit>) {
    println!("screenshots saved: {}", tour.saved.join(", "));
    println!("{}", tour.frames.summary());
    if tour.blank.is_empty() {
        exit.write(AppExit::Success);
    } else {
        eprintln!("blank screenshots: {}", tour.blank.join(", "));
        exit.write(AppExit::error());
    }
}

/// A capture is blank when nearly every sampled pixel has the same colour.
fn is_blank(image: &Image) -> bool {
    let (w, h) = (image.width(), image.height());
    if w == 0 || h == 0 {
        return true;
    }
    let mut colors = std::collections::HashSet::new();
    for y in (0..h).step_by((h as usize / 40).max(1)) {
        for x in (0..w).step_by((w as usize / 40).max(1)) {
            if let Ok(c) = image.get_color_at(x, y) {
                let s = c.to_srgba();
                colors.insert([
                    (s.red * 255.0) as u8,
                    (s.green * 255.0) as u8,
                    (s.blue * 255.0) as u8,
                ]);
            }
        }
    }
    colors.len() < 4
}
