//! A line plot of 0-100 values, drawn from UI nodes (thin rotated bars and dots) so it needs no
//! rendering beyond the UI. Each line is named at its end, so the lines do not rely on colour.

use bevy::prelude::*;

use super::palette;
use super::widgets::{SMALL_SIZE, text};

/// One line: a label, a colour and its values in order.
pub struct PlotSeries {
    pub label: String,
    pub color: Color,
    pub values: Vec<u8>,
}

impl PlotSeries {
    pub fn new(label: &str, color: Color, values: impl IntoIterator<Item = u8>) -> PlotSeries {
        PlotSeries {
            label: label.to_string(),
            color,
            values: values.into_iter().collect(),
        }
    }
}

/// Vertical room one end label needs, so labels never overlap.
const LABEL_HEIGHT: f32 = 16.0;
/// Room on the right for the end labels.
const LABEL_ROOM: f32 = 90.0;

/// Spawns a `width` × `height` plot under `parent` and returns it. Values run left to right,
/// 0 at the bottom and 100 at the top.
pub fn spawn_line_plot(
    commands: &mut Commands,
    parent: Entity,
    series: &[PlotSeries],
    width: f32,
    height: f32,
) -> Entity {
    let plot = commands
        .spawn((
            Node {
                width: px(width),
                height: px(height),
                // The lines are absolutely placed, so the plot has no content height of its
                // own: without these a scrolling column squeezes it to nothing and its lines
                // run over whatever comes next.
                min_height: px(height),
                flex_shrink: 0.0,
                border: UiRect::new(px(1), px(0), px(0), px(1)),
                ..default()
            },
            BorderColor::all(palette::BORDER),
            ChildOf(parent),
        ))
        .id();
    let points = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let steps = points.saturating_sub(1).max(1) as f32;
    let point = |i: usize, value: u8| {
        Vec2::new(
            10.0 + i as f32 / steps * (width - LABEL_ROOM),
            height - 6.0 - f32::from(value.min(100)) / 100.0 * (height - 12.0),
        )
    };
    for line in series {
        let points: Vec<Vec2> = line
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| point(i, *v))
            .collect();
        for pair in points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let d = b - a;
            let length = d.length();
            let middle = (a + b) / 2.0;
            commands.spawn((
                Node {
                    position_type: PositionType::Absolute,
                    left: px(middle.x - length / 2.0),
                    top: px(middle.y - 1.5),
                    width: px(length),
                    height: px(3.0),
                    ..default()
                },
                UiTransform::from_rotation(Rot2::radians(d.y.atan2(d.x))),
                BackgroundColor(line.color),
                ChildOf(plot),
            ));
        }
        // Dots only while there is room between them; a long history reads as a line.
        if points.len() <= 40 {
            for p in &points {
                commands.spawn((
                    Node {
                        position_type: PositionType::Absolute,
                        left: px(p.x - 4.0),
                        top: px(p.y - 4.0),
                        width: px(8.0),
                        height: px(8.0),
                        border_radius: BorderRadius::MAX,
                        ..default()
                    },
                    BackgroundColor(line.color),
                    ChildOf(plot),
                ));
            }
        }
    }
    // End labels: lines that end close together would print their labels over each other, so
    // the labels are spread apart vertically, each as near its line's end as it can be.
    let ends: Vec<f32> = series
        .iter()
        .map(|s| point(0, s.values.last().copied().unwrap_or(0)).y)
        .collect();
    let half = LABEL_HEIGHT / 2.0;
    let centres = spread_labels(&ends, LABEL_HEIGHT, half, height - half);
    let end_x = point(points.saturating_sub(1), 0).x;
    for (line, centre) in series.iter().zip(centres) {
        let Some(last) = line.values.last() else {
            continue;
        };
        commands.spawn((
            Node {
                position_type: PositionType::Absolute,
                left: px(end_x + 8.0),
                top: px(centre - half),
                ..default()
            },
            ChildOf(plot),
            children![text(
                format!("{} {last}", line.label),
                SMALL_SIZE,
                line.color
            )],
        ));
    }
    plot
}

/// Moves label centres `wanted` apart until neighbours are at least `gap` apart, keeping them
/// within `low..=high` and in their original order; a label moves only as far as it must.
pub fn spread_labels(wanted: &[f32], gap: f32, low: f32, high: f32) -> Vec<f32> {
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by(|&a, &b| wanted[a].total_cmp(&wanted[b]));
    let mut placed: Vec<f32> = order.iter().map(|&i| wanted[i].clamp(low, high)).collect();
    // Push down past the one above, then back up from the floor if that ran off the bottom.
    for k in 1..placed.len() {
        placed[k] = placed[k].max(placed[k - 1] + gap);
    }
    if let Some(bottom) = placed.last_mut() {
        *bottom = bottom.min(high);
    }
    for k in (0..placed.len().saturating_sub(1)).rev() {
        placed[k] = placed[k].min(placed[k + 1] - gap);
    }
    let mut out = vec![0.0; wanted.len()];
    for (k, &i) in order.iter().enumerate() {
        out[i] = placed[k];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::spread_labels;

    #[test]
    fn labels_far_apart_stay_where_they_are() {
        assert_eq!(
            spread_labels(&[10.0, 80.0, 40.0], 16.0, 0.0, 150.0),
            vec![10.0, 80.0, 40.0]
        );
    }

    #[test]
    fn close_labels_are_pushed_a_gap_apart_in_order() {
        // The "anger 21" / "confusion 15" overlap seen on the debrief.
        let placed = spread_labels(&[118.0, 127.0, 30.0], 16.0, 0.0, 144.0);
        assert_eq!(placed[2], 30.0);
        assert!(placed[1] - placed[0] >= 16.0, "{placed:?}");
        assert!(placed[0] <= 118.0 && placed[1] >= 127.0, "{placed:?}");
    }

    #[test]
    fn labels_at_the_floor_are_pushed_up_and_stay_inside() {
        let placed = spread_labels(&[150.0, 150.0, 150.0], 16.0, 0.0, 142.0);
        assert_eq!(placed, vec![110.0, 126.0, 142.0]);
    }
}
