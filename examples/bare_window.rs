//! The baseline for `scripts/startup-bench`: a bare Bevy window built with holdline's exact
//! Bevy features and window settings, which prints the time to its first presented frames and
//! exits, like `holdline --startup-probe` does at its first interactive frame.

use std::time::Instant;

use bevy::diagnostic::FrameCount;
use bevy::prelude::*;
use bevy::window::WindowResolution;

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
        .add_systems(Startup, |mut commands: Commands| {
            commands.spawn(Camera2d);
        })
        .add_systems(
            Update,
            move |frames: Res<FrameCount>, mut exit: MessageWriter<AppExit>| {
                // Two frames, as the holdline probe waits two frames on its title screen.
                if frames.0 >= 2 {
                    println!(
                        "first interactive frame: {:.1} ms",
                        started.elapsed().as_secs_f64() * 1000.0
                    );
                    exit.write(AppExit::Success);
                }
            },
        )
        .run()
}
