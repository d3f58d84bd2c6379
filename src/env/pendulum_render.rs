//! Drawing Pendulum as Gymnasium's `render_mode="rgb_array"` does, with a drawn torque
//! arrow in place of Gymnasium's image.

use std::f64::consts::{FRAC_PI_2, PI};

use super::render::{Frame, Render, Rgb, ScreenScale, rotate};
use super::{Pendulum, Snapshot};

/// Gymnasium's square screen, in whose units the geometry is defined.
const SCREEN: f64 = 500.0;
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const ROD: Rgb = [204, 77, 77];

/// The torque arrow: a thick arc around the pivot with an arrowhead at its end, in the
/// proportions of Gymnasium's `clockwise.png` (all as fractions of the arrow's side).
mod arrow {
    /// The arc's radius (to the middle of the stroke).
    pub(super) const RADIUS: f64 = 0.45;
    /// The stroke's width.
    pub(super) const STROKE: f64 = 0.03;
    /// The arc runs clockwise from the top (90°) round to this angle (about 160°, upper left).
    pub(super) const END_DEGREES: f64 = 160.0;
    /// The arrowhead's length along the arc's direction, and its half-width.
    pub(super) const HEAD_LENGTH: f64 = 0.18;
    pub(super) const HEAD_HALF_WIDTH: f64 = 0.07;
}

/// Whether the point `(x, y)` (relative to the arrow's centre, y up, in units of its side)
/// lies on a clockwise arrow: on the arc's stroke outside the gap between its start (top)
/// and end, or in the arrowhead.
fn on_clockwise_arrow(x: f64, y: f64) -> bool {
    let end = arrow::END_DEGREES.to_radians();
    let angle = y.atan2(x);
    let in_gap = angle > FRAC_PI_2 && angle < end;
    let distance = x.hypot(y);
    if !in_gap && (distance - arrow::RADIUS).abs() <= arrow::STROKE / 2.0 {
        return true;
    }
    // The arrowhead: a triangle from the arc's end, pointing clockwise along the circle.
    let base = (arrow::RADIUS * end.cos(), arrow::RADIUS * end.sin());
    let along = (end.sin(), -end.cos());
    let across = (end.cos(), end.sin());
    let (u, v) = (x - base.0, y - base.1);
    let forward = u * along.0 + v * along.1;
    let sideways = (u * across.0 + v * across.1).abs();
    (0.0..=arrow::HEAD_LENGTH).contains(&forward)
        && sideways <= arrow::HEAD_HALF_WIDTH * (1.0 - forward / arrow::HEAD_LENGTH)
}

/// Paints the torque arrow for torque `u` centred on the screen point `centre`: a square of
/// side `scale·|u|/2` pixels (truncated, as Gymnasium sizes its image), clockwise for a
/// negative torque and mirrored (counter-clockwise) for a positive one.
fn draw_arrow(frame: &mut Frame, screen: &ScreenScale, centre: (f64, f64), u: f32, scale: f64) {
    let side = (scale * f64::from(u.abs()) / 2.0).trunc();
    if side < 1.0 || !side.is_finite() {
        return;
    }
    let mirror = if u > 0.0 { -1.0 } else { 1.0 };
    let (low, high) = (
        screen.pixel((centre.0 - side / 2.0, centre.1 - side / 2.0)),
        screen.pixel((centre.0 + side / 2.0, centre.1 + side / 2.0)),
    );
    // A pixel's margin around the square, so that mirrored arrows stay pixel mirrors.
    let columns = (low.0 - 1).max(0)..=(high.0 + 1).min(frame.width() as i64 - 1);
    for x in columns {
        for y in (low.1 - 1).max(0)..=(high.1 + 1).min(frame.height() as i64 - 1) {
            let (sx, sy) = screen.screen_point(x as usize, y as usize);
            let (ax, ay) = ((sx - centre.0) / side * mirror, (sy - centre.1) / side);
            if on_clockwise_arrow(ax, ay) {
                frame.paint_from_bottom(x, y, BLACK);
            }
        }
    }
}

impl Render for Pendulum {
    /// Gymnasium's 500x500 screen.
    fn screen_size(&self) -> (usize, usize) {
        (SCREEN as usize, SCREEN as usize)
    }

    /// Gymnasium's picture of the current state: a red rod with rounded ends, upright for a
    /// zero angle and turning counter-clockwise as the angle grows, a black axle, and after a
    /// step the applied torque as an arrow round the pivot (clockwise for a negative torque,
    /// counter-clockwise for a positive one, its size proportional to the torque). At 500x500
    /// the rod, ends and axle are Gymnasium's, anti-aliased outlines included (with pygame-ce
    /// 2.5.8); at any other size every coordinate is scaled by `width / 500` horizontally and
    /// `height / 500` vertically.
    ///
    /// The arrow is an approximation: Gymnasium scales an image (`clockwise.png`) that is not
    /// shipped here; this draws a thick arc with an arrowhead of the same size, position and
    /// orientation, without its smoothing. The torque is not part of a [`Snapshot`], so a
    /// restored pendulum draws no arrow until its next step.
    ///
    /// ```
    /// use cinder_rl::env::{Environment, Pendulum, PendulumConfig, Render};
    ///
    /// let mut env = Pendulum::new(PendulumConfig::v1())?;
    /// env.reset(Some(0));
    /// let still = env.render(500, 500)?;
    /// assert_eq!(still.pixel(250, 249), Some([0, 0, 0])); // the axle
    /// env.step([-2.0])?;
    /// let pushed = env.render(500, 500)?;
    /// assert_ne!(still, pushed); // the torque arrow
    /// # Ok::<(), cinder_rl::error::EnvError>(())
    /// ```
    fn render_into(&self, frame: &mut Frame) {
        let theta = self.snapshot().state[0];
        let screen = ScreenScale::new(frame, SCREEN, SCREEN);
        let scale = SCREEN / (2.2 * 2.0);
        let offset = (SCREEN as i64 / 2) as f64;
        frame.fill(WHITE);

        let (length, half_width) = (scale, 0.2 * scale / 2.0);
        let angle = theta + PI / 2.0;
        let corners = [
            (0.0, -half_width),
            (0.0, half_width),
            (length, half_width),
            (length, -half_width),
        ]
        .map(|corner| {
            let (u, v) = rotate(corner, angle);
            screen.pixel((u + offset, v + offset))
        });
        frame.aa_polygon_from_bottom(&corners, ROD);
        frame.fill_polygon_from_bottom(&corners, ROD);

        let pivot = screen.pixel((offset, offset));
        let end_radius = screen.radius(half_width as i64);
        let (end_x, end_y) = rotate((length, 0.0), angle);
        let end = screen.pixel((
            ((end_x + offset) as i64) as f64,
            ((end_y + offset) as i64) as f64,
        ));
        for centre in [pivot, end] {
            frame.aa_circle_from_bottom(centre, end_radius, ROD);
            frame.fill_circle_from_bottom(centre.0, centre.1, end_radius, ROD);
        }

        if let Some(u) = self.last_torque() {
            draw_arrow(frame, &screen, (offset + 0.5, offset + 0.5), u, scale);
        }

        let axle = screen.radius((0.05 * scale) as i64);
        frame.aa_circle_from_bottom(pivot, axle, BLACK);
        frame.fill_circle_from_bottom(pivot.0, pivot.1, axle, BLACK);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clockwise_arrow_has_its_gap_at_the_upper_left() {
        let r = arrow::RADIUS;
        assert!(on_clockwise_arrow(0.0, r)); // top, where the arc starts
        assert!(on_clockwise_arrow(r, 0.0));
        assert!(on_clockwise_arrow(0.0, -r));
        assert!(on_clockwise_arrow(-r, 0.0)); // left, under the arrowhead
        assert!(!on_clockwise_arrow(-r * 0.7, r * 0.7)); // upper left: the gap
        assert!(!on_clockwise_arrow(0.0, 0.0));
    }
}
