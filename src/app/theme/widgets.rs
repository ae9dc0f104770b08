//! Widget bundles every screen builds from: text styles, panels, buttons, meters and bars.

use bevy::prelude::*;
use bevy::text::FontSize;

use super::palette;
use super::{ButtonAction, ButtonColors, ThemedText, display_text};
use crate::scenario::model::Channel;

pub const TITLE_SIZE: f32 = 44.0;
pub const HEADING_SIZE: f32 = 24.0;
pub const SUBHEADING_SIZE: f32 = 18.0;
pub const BODY_SIZE: f32 = 16.0;
pub const SMALL_SIZE: f32 = 13.0;

pub const GAP: f32 = 12.0;
pub const RADIUS: f32 = 8.0;

/// Text at `size` in `color`, wrapped at its container, following the text-size setting.
pub fn text(value: impl AsRef<str>, size: f32, color: Color) -> impl Bundle {
    (
        Text::new(display_text(value.as_ref())),
        TextFont {
            font_size: FontSize::Px(size),
            ..default()
        },
        TextColor(color),
        ThemedText { base_size: size },
    )
}

pub fn title(value: impl AsRef<str>) -> impl Bundle {
    text(value, TITLE_SIZE, palette::TEXT)
}

pub fn heading(value: impl AsRef<str>) -> impl Bundle {
    text(value, HEADING_SIZE, palette::TEXT)
}

pub fn subheading(value: impl AsRef<str>) -> impl Bundle {
    text(value, SUBHEADING_SIZE, palette::TEXT)
}

pub fn body(value: impl AsRef<str>) -> impl Bundle {
    text(value, BODY_SIZE, palette::TEXT)
}

pub fn muted(value: impl AsRef<str>) -> impl Bundle {
    text(value, SMALL_SIZE, palette::TEXT_MUTED)
}

/// A full-window screen root: a column filling the window.
pub fn screen_root() -> Node {
    Node {
        width: percent(100),
        height: percent(100),
        flex_direction: FlexDirection::Column,
        padding: UiRect::all(px(24)),
        row_gap: px(GAP),
        ..default()
    }
}

/// A rounded panel with a border, laid out as a column. Padding, gap and border the caller
/// sets on `node` are kept; the panel's own apply where it left them at their defaults.
pub fn panel(node: Node) -> impl Bundle {
    panel_laid_out(node, FlexDirection::Column)
}

fn panel_laid_out(node: Node, direction: FlexDirection) -> impl Bundle {
    let unset = Node::default();
    (
        Node {
            flex_direction: direction,
            padding: if node.padding == unset.padding {
                UiRect::all(px(14))
            } else {
                node.padding
            },
            row_gap: if node.row_gap == unset.row_gap {
                px(8)
            } else {
                node.row_gap
            },
            border: if node.border == unset.border {
                UiRect::all(px(1))
            } else {
                node.border
            },
            border_radius: BorderRadius::all(px(RADIUS)),
            ..node
        },
        BackgroundColor(palette::PANEL),
        BorderColor::all(palette::BORDER),
    )
}

/// A button showing `label` that sends `action` when pressed.
pub fn button<A: Message + Clone>(label: impl AsRef<str>, action: A) -> impl Bundle {
    button_styled(label, action, false)
}

/// The screen's main action, in the accent colour.
pub fn primary_button<A: Message + Clone>(label: impl AsRef<str>, action: A) -> impl Bundle {
    button_styled(label, action, true)
}

fn button_styled<A: Message + Clone>(
    label: impl AsRef<str>,
    action: A,
    primary: bool,
) -> impl Bundle {
    let colors = if primary {
        ButtonColors {
            normal: palette::ACCENT,
            hovered: palette::ACCENT_HOVER,
            pressed: palette::ACCENT_PRESSED,
        }
    } else {
        ButtonColors {
            normal: palette::BUTTON,
            hovered: palette::BUTTON_HOVER,
            pressed: palette::BUTTON_PRESSED,
        }
    };
    let text_color = if primary {
        palette::BACKGROUND
    } else {
        palette::TEXT
    };
    (
        Button,
        Node {
            padding: UiRect::axes(px(16), px(9)),
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            border_radius: BorderRadius::all(px(6)),
            ..default()
        },
        BackgroundColor(colors.normal),
        colors,
        ButtonAction(action),
        children![(text(label, BODY_SIZE, text_color), Pickable::IGNORE)],
    )
}

/// A 0-100 score as a meter, with its word (good, fair, poor) and colour.
pub fn score_meter(label: &str, score: u8) -> impl Bundle {
    meter(
        label,
        score,
        palette::score_word(score),
        palette::score_color(score),
    )
}

/// A horizontal bar filled to `value` of 100, with its label and number beside it, so the
/// value reads without the colour.
pub fn meter(label: &str, value: u8, words: &str, color: Color) -> impl Bundle {
    (
        Node {
            flex_direction: FlexDirection::Column,
            row_gap: px(3),
            ..default()
        },
        children![
            text(
                format!("{label}: {value} ({words})"),
                SMALL_SIZE,
                palette::TEXT
            ),
            bar(value, color),
        ],
    )
}

/// A horizontal bar filled to `value` of 100.
pub fn bar(value: u8, color: Color) -> impl Bundle {
    (
        Node {
            width: percent(100),
            height: px(10),
            border_radius: BorderRadius::all(px(5)),
            ..default()
        },
        BackgroundColor(palette::PANEL_RAISED),
        children![(
            Node {
                width: percent(f32::from(value.min(100))),
                height: percent(100),
                border_radius: BorderRadius::all(px(5)),
                ..default()
            },
            BackgroundColor(color),
        )],
    )
}

/// A row of `filled` solid and `total - filled` hollow dots: stars without a star glyph
/// (the bundled font has none).
pub fn star_row(filled: u8, total: u8, size: f32) -> impl Bundle {
    let dots: Vec<bool> = (0..total).map(|i| i < filled).collect();
    (
        Node {
            column_gap: px(size * 0.35),
            align_items: AlignItems::Center,
            ..default()
        },
        Children::spawn(SpawnIter(dots.into_iter().map(move |on| {
            (
                Node {
                    width: px(size),
                    height: px(size),
                    border: UiRect::all(px(2)),
                    border_radius: BorderRadius::MAX,
                    ..default()
                },
                BackgroundColor(if on { palette::WARN } else { Color::NONE }),
                BorderColor::all(palette::WARN),
            )
        }))),
    )
}

/// A small rounded tag, e.g. a channel or industry.
pub fn tag(value: impl AsRef<str>, color: Color) -> impl Bundle {
    (
        Node {
            padding: UiRect::axes(px(8), px(3)),
            border_radius: BorderRadius::all(px(10)),
            border: UiRect::all(px(1)),
            ..default()
        },
        BorderColor::all(color),
        children![text(value, SMALL_SIZE, color)],
    )
}

/// A row of children with a gap.
pub fn row(gap: f32) -> Node {
    Node {
        flex_direction: FlexDirection::Row,
        column_gap: px(gap),
        align_items: AlignItems::Center,
        ..default()
    }
}

/// A column of children with a gap.
pub fn column(gap: f32) -> Node {
    Node {
        flex_direction: FlexDirection::Column,
        row_gap: px(gap),
        ..default()
    }
}

/// A screen's top bar: its title group on the left, its buttons on the right.
pub fn header_row() -> Node {
    Node {
        justify_content: JustifyContent::SpaceBetween,
        // At the largest text size a header's groups move to a second line whole, rather
        // than squeezing each button's label onto two.
        flex_wrap: FlexWrap::Wrap,
        row_gap: px(8),
        ..row(10.0)
    }
}

/// A layer over the whole window with its content centred: a dialog's backdrop.
pub fn full_window_centred() -> Node {
    Node {
        width: percent(100),
        height: percent(100),
        justify_content: JustifyContent::Center,
        align_items: AlignItems::Center,
        ..default()
    }
}

/// A row of buttons in a header: it wraps between buttons, never inside one.
pub fn button_row(gap: f32) -> Node {
    Node {
        flex_wrap: FlexWrap::Wrap,
        row_gap: px(6),
        ..row(gap)
    }
}

/// The row under a header that takes the rest of the window; its columns stretch to its height
/// and may shrink below their content, so panels inside scroll instead of overflowing.
pub fn body_row() -> Node {
    Node {
        flex_grow: 1.0,
        min_height: px(0),
        align_items: AlignItems::Stretch,
        ..row(GAP)
    }
}

/// A fixed-width column beside a body row's growing one.
pub fn side_column(width: f32) -> Node {
    Node {
        width: px(width),
        flex_shrink: 0.0,
        ..column(GAP)
    }
}

/// A one-line or multi-line text input's frame, with the focus-coloured border; the caller
/// adds the `EditableText` and sets the size.
pub fn text_box(font_size: f32, node: Node) -> impl Bundle {
    (
        bevy::text::TextCursorStyle::default(),
        TextFont::from_font_size(font_size),
        TextColor(palette::TEXT),
        Node {
            padding: UiRect::all(px(10)),
            border: UiRect::all(px(2)),
            border_radius: BorderRadius::all(px(6)),
            ..node
        },
        BorderColor::all(palette::ACCENT),
        BackgroundColor(palette::PANEL_RAISED),
    )
}

/// Marks the scrollbar beside a [`spawn_scrolling`] column, so it is shown only when needed.
#[derive(Component, Debug, Clone, Copy)]
pub struct ScrollbarTrack;

/// Spawns a frame laid out by `outer` (with the panel look when `boxed`) holding a column that
/// scrolls vertically and, beside it, a thin scrollbar that shows only while the column holds
/// more than fits, so a trainee can see there is more below. Returns the column, where the
/// content goes.
pub fn spawn_scrolling(
    commands: &mut Commands,
    parent: Entity,
    outer: Node,
    boxed: bool,
    gap: f32,
) -> Entity {
    let frame_node = Node {
        column_gap: px(6),
        align_items: AlignItems::Stretch,
        ..outer
    };
    let frame = if boxed {
        commands
            .spawn((
                panel_laid_out(frame_node, FlexDirection::Row),
                ChildOf(parent),
            ))
            .id()
    } else {
        commands
            .spawn((
                Node {
                    flex_direction: FlexDirection::Row,
                    ..frame_node
                },
                ChildOf(parent),
            ))
            .id()
    };
    let area = commands
        .spawn((
            Node {
                flex_direction: FlexDirection::Column,
                flex_grow: 1.0,
                min_width: px(0),
                min_height: px(0),
                row_gap: px(gap),
                overflow: Overflow::scroll_y(),
                ..default()
            },
            bevy::ui_widgets::ScrollArea,
            ChildOf(frame),
        ))
        .id();
    commands.spawn((
        Node {
            width: px(6),
            flex_shrink: 0.0,
            border_radius: BorderRadius::all(px(3)),
            ..default()
        },
        bevy::ui_widgets::Scrollbar::new(
            area,
            bevy::ui_widgets::ControlOrientation::Vertical,
            24.0,
        ),
        ScrollbarTrack,
        BackgroundColor(palette::PANEL_RAISED),
        Visibility::Hidden,
        ChildOf(frame),
        children![(
            bevy::ui_widgets::ScrollbarThumb {
                border_radius: BorderRadius::all(px(3)),
                border: UiRect::ZERO,
            },
            BackgroundColor(palette::TEXT_MUTED),
        )],
    ));
    area
}

/// A letter badge standing in for the channel's icon, in the channel's colour.
pub fn channel_badge(channel: Channel) -> impl Bundle {
    let (letter, color) = match channel {
        Channel::Phone => ("P", palette::GOOD),
        Channel::Chat => ("C", palette::ACCENT),
        Channel::Email => ("E", palette::WARN),
        Channel::Social => ("S", palette::BAD),
    };
    (
        Node {
            width: px(26),
            height: px(26),
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            border_radius: BorderRadius::all(px(6)),
            ..default()
        },
        BackgroundColor(color),
        children![text(letter, SMALL_SIZE, palette::BACKGROUND)],
    )
}
