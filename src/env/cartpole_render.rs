//! Drawing CartPole as Gymnasium's `render_mode="rgb_array"` does.

use super::CartPole;
use super::cartpole::{LENGTH, X_THRESHOLD};
use super::render::{Frame, Render, Rgb};

/// Gymnasium's screen, in whose units the geometry is defined.
const SCREEN_WIDTH: f64 = 600.0;
const SCREEN_HEIGHT: f64 = 400.0;
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const POLE: Rgb = [202, 152, 101];
const AXLE: Rgb = [129, 132, 203];

impl Render for CartPole {
    /// The cart's centre.
    fn focus(&self) -> Option<f64> {
        let scale = SCREEN_WIDTH / (2.0 * X_THRESHOLD);
        Some((self.state()[0] * scale + SCREEN_WIDTH / 2.0) / SCREEN_WIDTH)
    }

    /// Gymnasium's picture of the current state: a black cart on a black track, a tan pole
    /// leaning right for positive angles, a blue axle. At 600x400 the geometry and colours are
    /// Gymnasium's (anti-aliased outlines aside); at any other size every coordinate is scaled
    /// by `width / 600` horizontally and `height / 400` vertically.
    ///
    /// ```
    /// use cinder_rl::env::{CartPole, CartPoleConfig, Environment, Render};
    ///
    /// let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
    /// env.reset(Some(0));
    /// let frame = env.render(600, 400).unwrap();
    /// assert_eq!(frame.pixel(0, 299), Some([0, 0, 0])); // the track
    /// assert_eq!(frame.pixel(0, 0), Some([255, 255, 255]));
    /// ```
    fn render_into(&self, frame: &mut Frame) {
        let (sx, sy) = (
            frame.width() as f64 / SCREEN_WIDTH,
            frame.height() as f64 / SCREEN_HEIGHT,
        );
        // Gymnasium's float coordinates become pixels by truncation towards zero.
        let to_pixel = |(x, y): (f64, f64)| ((x * sx) as i64, (y * sy) as i64);

        let scale = SCREEN_WIDTH / (2.0 * X_THRESHOLD);
        let pole_width = 10.0;
        let pole_length = scale * (2.0 * LENGTH);
        let (cart_width, cart_height) = (50.0, 30.0);
        let axle_offset = cart_height / 4.0;
        let [x, _, theta, _] = self.state();
        let cart_x = x * scale + SCREEN_WIDTH / 2.0;
        let cart_y = 100.0;

        frame.fill(WHITE);
        let (l, r, t, b) = (
            -cart_width / 2.0,
            cart_width / 2.0,
            cart_height / 2.0,
            -cart_height / 2.0,
        );
        let cart =
            [(l, b), (l, t), (r, t), (r, b)].map(|(u, v)| to_pixel((u + cart_x, v + cart_y)));
        frame.fill_polygon_from_bottom(&cart, BLACK);

        let (l, r, t, b) = (
            -pole_width / 2.0,
            pole_width / 2.0,
            pole_length - pole_width / 2.0,
            -pole_width / 2.0,
        );
        let (sin, cos) = (-theta).sin_cos();
        let pole = [(l, b), (l, t), (r, t), (r, b)].map(|(u, v)| {
            to_pixel((
                u * cos - v * sin + cart_x,
                u * sin + v * cos + cart_y + axle_offset,
            ))
        });
        frame.fill_polygon_from_bottom(&pole, POLE);

        let centre = (
            f64::from(cart_x as i32),
            f64::from((cart_y + axle_offset) as i32),
        );
        let radius = ((pole_width / 2.0).trunc() * sx.min(sy)) as i64;
        let (cx, cy) = to_pixel(centre);
        frame.fill_circle_from_bottom(cx, cy, radius, AXLE);

        let track_y = (cart_y * sy) as i64;
        frame.hline_from_bottom(0, (SCREEN_WIDTH * sx) as i64, track_y, BLACK);
    }
}
