//! The loading screen: shown while scenario files are read and validated.

use bevy::prelude::*;

use crate::app::Screen;
use crate::app::theme::{self, palette};

pub fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Loading), spawn);
}

fn spawn(mut commands: Commands) {
    commands.spawn((
        Name::new("Loading screen"),
        DespawnOnExit(Screen::Loading),
        Node {
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            ..theme::screen_root()
        },
        children![theme::text(
            "Loading scenarios...",
            theme::HEADING_SIZE,
            palette::TEXT_MUTED
        )],
    ));
}
