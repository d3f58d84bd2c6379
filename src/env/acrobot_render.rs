//! Drawing Acrobot as Gymnasium's `render_mode="rgb_array"` does.

use std::f64::consts::FRAC_PI_2;

use super::numpy_trig::{cos32, sin32};
use super::render::{Frame, Render, Rgb, ScreenScale, rotate};
use super::{Acrobot, Snapshot};

/// Gymnasium's square screen, in whose units the geometry is defined.
const SCREEN: f64 = 500.0;
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const LINK: Rgb = [0, 204, 204];
const JOINT: Rgb = [204, 204, 0];

/// The two links' starts (the pivot and the elbow, in pixels from the centre, y up) and their
/// angles, as Gymnasium computes them from `[θ1, θ2]` at `scale` pixels a unit length (the
/// tip is not drawn).
type Pose = ([(f64, f64); 2], [f64; 2]);

/// Gymnasium's float64 arithmetic (the state after a step).
fn pose_f64(theta1: f64, theta2: f64, scale: f64) -> Pose {
    let p1 = (-theta1.cos() * scale, theta1.sin() * scale);
    (
        [(0.0, 0.0), (p1.1, p1.0)],
        [theta1 - FRAC_PI_2, theta1 + theta2 - FRAC_PI_2],
    )
}

/// numpy's float32 arithmetic (the float32 state right after a reset): numpy's own float32
/// `cos`/`sin`, every product and sum rounded to float32, Python's constants rounded to
/// float32 first.
fn pose_f32(theta1: f32, theta2: f32, scale: f64) -> Pose {
    let scale = scale as f32;
    let p1 = (-(cos32(theta1) * scale), sin32(theta1) * scale);
    let right_angle = FRAC_PI_2 as f32;
    (
        [(0.0, 0.0), (f64::from(p1.1), f64::from(p1.0))],
        [
            f64::from(theta1 - right_angle),
            f64::from((theta1 + theta2) - right_angle),
        ],
    )
}

impl Render for Acrobot {
    /// Gymnasium's 500x500 screen.
    fn screen_size(&self) -> (usize, usize) {
        (SCREEN as usize, SCREEN as usize)
    }

    /// Gymnasium's picture of the current state: a black target line one link length above
    /// the pivot, the two cyan links hanging down for zero angles, a yellow circle at each
    /// link's start. At 500x500 the geometry, colours and anti-aliased outlines are
    /// Gymnasium's (with pygame-ce 2.5.8); at any other size every coordinate is scaled by
    /// `width / 500` horizontally and `height / 500` vertically.
    ///
    /// ```
    /// use cinder_rl::env::{Acrobot, ClassicConfig, Environment, Render};
    ///
    /// let mut env = Acrobot::new(ClassicConfig::acrobot_v1())?;
    /// env.reset(Some(0));
    /// let frame = env.render(500, 500)?;
    /// assert_eq!(frame.pixel(10, 136), Some([0, 0, 0])); // the target line
    /// assert_eq!(frame.pixel(250, 250), Some([204, 204, 0])); // the first joint
    /// assert_eq!(frame.pixel(250, 420), Some([0, 204, 204])); // the second link
    /// # Ok::<(), cinder_rl::error::EnvError>(())
    /// ```
    fn render_into(&self, frame: &mut Frame) {
        let snapshot = self.snapshot();
        let [theta1, theta2, _, _] = snapshot.state;
        let screen = ScreenScale::new(frame, SCREEN, SCREEN);
        // Gymnasium's bound is the two links plus 0.2: 2.2 units from the centre to an edge.
        let scale = SCREEN / (2.2 * 2.0);
        let offset = SCREEN / 2.0;
        frame.fill(WHITE);

        let target = 1.0 * scale + offset;
        frame.line_from_bottom(
            screen.pixel((-2.2 * scale + offset, target)),
            screen.pixel((2.2 * scale + offset, target)),
            BLACK,
        );

        let (joints, angles) = if snapshot.float32 {
            pose_f32(theta1 as f32, theta2 as f32, scale)
        } else {
            pose_f64(theta1, theta2, scale)
        };
        let half_width = 0.1 * scale;
        let radius = screen.radius(half_width as i64);
        for ((x, y), angle) in joints.into_iter().zip(angles) {
            let (x, y) = (x + offset, y + offset);
            let corners = [
                (0.0, -half_width),
                (0.0, half_width),
                (scale, half_width),
                (scale, -half_width),
            ]
            .map(|corner| {
                let (u, v) = rotate(corner, angle);
                screen.pixel((u + x, v + y))
            });
            frame.aa_polygon_from_bottom(&corners, LINK);
            frame.fill_polygon_from_bottom(&corners, LINK);
            let centre = screen.pixel(((x as i64) as f64, (y as i64) as f64));
            frame.aa_circle_from_bottom(centre, radius, JOINT);
            frame.fill_circle_from_bottom(centre.0, centre.1, radius, JOINT);
        }
    }
}
