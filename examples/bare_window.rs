//! The baseline for `scripts/startup-bench`: a bare Bevy window built with holdline's exact
//! Bevy features, window settings and camera, which prints the time from `main` to the first
//! frame that shows anything (its clear colour) and exits. `holdline --startup-probe` measures
//! the same way, to the first frame that shows its title: both capture every frame and report
//! the first capture that is not black (under software Vulkan the first frames are, while
//! pipelines compile).

use std::time::Instant;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::WindowResolution;

/// Set once the figure is printed, so later captures are ignored.
#[derive(Resource, Default)]
struct Reported(bool);

fn main() -> AppExit {
    let started = Instant::now();
    App::new()
        .add_plugins(DefaultPlugins.set(WindowPlugin {
            primary_window: Some(Window {
                title: "bare window".into(),
                resolution: WindowResolution::new(1280, 720),
                ..default()
            }),
            ..default()
        }))
        .init_resource::<Reported>()
        .add_systems(Startup, |mut commands: Commands| {
            // holdline's camera: UI only, no multisampling.
            commands.spawn((Camera2d, Msaa::Off));
        })
        .add_systems(
            Update,
            move |mut commands: Commands, reported: Res<Reported>| {
                if reported.0 {
                    return;
                }
                let at_ms = started.elapsed().as_secs_f64() * 1000.0;
                commands.spawn(Screenshot::primary_window()).observe(
                    move |captured: On<ScreenshotCaptured>,
                          mut reported: ResMut<Reported>,
                          mut exit: MessageWriter<AppExit>| {
                        if reported.0 || shows_nothing(&captured.image) {
                            return;
                        }
                        reported.0 = true;
                        println!("first interactive frame: {at_ms:.1} ms");
                        exit.write(AppExit::Success);
                    },
                );
            },
        )
        .run()
}

/// Whether every sampled pixel is black: nothing, not even the clear colour, was drawn.
fn shows_nothing(image: &Image) -> bool {
    let (w, h) = (image.width(), image.height());
    (0..h).step_by((h as usize / 40).max(1)).all(|y| {
        (0..w).step_by((w as usize / 40).max(1)).all(|x| {
            image.get_color_at(x, y).map_or(true, |c| {
                c.to_srgba().red + c.to_srgba().green + c.to_srgba().blue == 0.0
            })
        })
    })
}
