//! The app's colours, in one place so every screen shares one look. Meaning never rests on
//! colour alone: every coloured meter or score also carries a word or a number.

use bevy::prelude::Color;

pub const BACKGROUND: Color = Color::srgb(0.071, 0.082, 0.110);
pub const PANEL: Color = Color::srgb(0.110, 0.125, 0.165);
pub const PANEL_RAISED: Color = Color::srgb(0.145, 0.165, 0.215);
pub const BORDER: Color = Color::srgb(0.220, 0.247, 0.310);
pub const TEXT: Color = Color::srgb(0.918, 0.929, 0.949);
pub const TEXT_MUTED: Color = Color::srgb(0.600, 0.631, 0.690);
pub const ACCENT: Color = Color::srgb(0.357, 0.612, 0.965);
pub const ACCENT_HOVER: Color = Color::srgb(0.455, 0.690, 1.000);
pub const ACCENT_PRESSED: Color = Color::srgb(0.250, 0.490, 0.850);
pub const BUTTON: Color = Color::srgb(0.180, 0.204, 0.263);
pub const BUTTON_HOVER: Color = Color::srgb(0.235, 0.267, 0.341);
pub const BUTTON_PRESSED: Color = Color::srgb(0.145, 0.165, 0.215);
pub const GOOD: Color = Color::srgb(0.298, 0.757, 0.482);
pub const WARN: Color = Color::srgb(0.957, 0.722, 0.275);
pub const BAD: Color = Color::srgb(0.925, 0.384, 0.384);
pub const CUSTOMER_BUBBLE: Color = Color::srgb(0.192, 0.212, 0.275);
pub const TRAINEE_BUBBLE: Color = Color::srgb(0.161, 0.306, 0.522);
pub const SKIN: Color = Color::srgb(0.910, 0.737, 0.596);
pub const OVERLAY: Color = Color::srgba(0.02, 0.03, 0.05, 0.9);

/// The word beside a 0-100 score, at the same thresholds as [`score_color`], so no meter relies
/// on colour alone.
pub fn score_word(score: u8) -> &'static str {
    match score {
        70..=100 => "good",
        45..=69 => "fair",
        _ => "poor",
    }
}

/// Green for good, amber for middling, red for poor: a 0-100 score.
pub fn score_color(score: u8) -> Color {
    match score {
        70..=100 => GOOD,
        45..=69 => WARN,
        _ => BAD,
    }
}
