//! Drawing MountainCar and MountainCarContinuous as Gymnasium's `render_mode="rgb_array"`
//! does: one scene, the flag at each environment's goal.

use super::mountain_car::{GOAL_POSITION, MAX_POSITION, MIN_POSITION};
use super::mountain_car_continuous::GOAL_POSITION as CONTINUOUS_GOAL_POSITION;
use super::numpy_trig::sin32;
use super::render::{Frame, Render, Rgb, ScreenScale, rotate};
use super::{MountainCar, MountainCarContinuous, Snapshot};

/// Gymnasium's screen, in whose units the geometry is defined.
const SCREEN_WIDTH: f64 = 600.0;
const SCREEN_HEIGHT: f64 = 400.0;
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const WHEEL: Rgb = [128, 128, 128];
const FLAG: Rgb = [204, 204, 0];
/// Points of the track's polyline.
const TRACK_POINTS: usize = 100;
/// The car body's height above the track, in pixels.
const CLEARANCE: f64 = 10.0;

/// Pixels a unit of position.
fn scale() -> f64 {
    SCREEN_WIDTH / (MAX_POSITION - MIN_POSITION)
}

/// The hill's height at `x`, Gymnasium's `sin(3x)·0.45 + 0.55`.
fn height(x: f64) -> f64 {
    (3.0 * x).sin() * 0.45 + 0.55
}

/// numpy's `np.linspace(MIN_POSITION, MAX_POSITION, 100)`: `i·step + start`, the last point
/// set to the end.
fn track_x(i: usize) -> f64 {
    let step = (MAX_POSITION - MIN_POSITION) / (TRACK_POINTS - 1) as f64;
    if i + 1 == TRACK_POINTS {
        MAX_POSITION
    } else {
        i as f64 * step + MIN_POSITION
    }
}

/// Where the car is drawn: its centre (pixels, y up, before the clearance) and the angle
/// Gymnasium turns it by, `cos(3·position)` (not the slope: an upstream quirk), in float64
/// or, for a float32 state, in numpy's float32 arithmetic (numpy's float32 `sin`, Python's
/// constants rounded to float32).
fn car_pose(position: f64, float32: bool) -> ((f64, f64), f64) {
    if !float32 {
        let centre = (
            (position - MIN_POSITION) * scale(),
            height(position) * scale(),
        );
        return (centre, (3.0 * position).cos());
    }
    let (position, scale) = (position as f32, scale() as f32);
    let tripled = 3.0 * position;
    let height = sin32(tripled) * 0.45 + 0.55;
    let centre = ((position - MIN_POSITION as f32) * scale, height * scale);
    (
        (f64::from(centre.0), f64::from(centre.1)),
        f64::from(tripled).cos(),
    )
}

/// A point of the car at `offset` from its centre, turned by `angle`, in screen pixels: in
/// float64, or for a float32 state rounded as numpy adds a Python float to a float32.
fn car_point(offset: (f64, f64), (centre, angle): ((f64, f64), f64), float32: bool) -> (f64, f64) {
    let (u, v) = rotate(offset, angle);
    if float32 {
        let add = |a: f64, b: f64| f64::from(a as f32 + b as f32);
        (add(u, centre.0), add(v + CLEARANCE, centre.1))
    } else {
        (u + centre.0, (v + CLEARANCE) + centre.1)
    }
}

/// The scene: the track, the car at `position` and the flag at `goal`.
fn draw(frame: &mut Frame, position: f64, float32: bool, goal: f64) {
    let screen = ScreenScale::new(frame, SCREEN_WIDTH, SCREEN_HEIGHT);
    let scale = scale();
    frame.fill(WHITE);

    let track: Vec<(f32, f32)> = (0..TRACK_POINTS)
        .map(|i| {
            let x = track_x(i);
            screen.point(((x - MIN_POSITION) * scale, height(x) * scale))
        })
        .collect();
    frame.aa_polyline_from_bottom(&track, BLACK);

    let pose = car_pose(position, float32);
    let body = [(-20.0, 0.0), (-20.0, 20.0), (20.0, 20.0), (20.0, 0.0)]
        .map(|corner| screen.pixel(car_point(corner, pose, float32)));
    frame.aa_polygon_from_bottom(&body, BLACK);
    frame.fill_polygon_from_bottom(&body, BLACK);

    let radius = screen.radius(8);
    for offset in [(10.0, 0.0), (-10.0, 0.0)] {
        let (x, y) = car_point(offset, pose, float32);
        let centre = screen.pixel(((x as i64) as f64, (y as i64) as f64));
        frame.aa_circle_from_bottom(centre, radius, WHEEL);
        frame.fill_circle_from_bottom(centre.0, centre.1, radius, WHEEL);
    }

    let flag_x = ((goal - MIN_POSITION) * scale) as i64 as f64;
    let pole_bottom = (height(goal) * scale) as i64 as f64;
    let pole_top = pole_bottom + 50.0;
    frame.line_from_bottom(
        screen.pixel((flag_x, pole_bottom)),
        screen.pixel((flag_x, pole_top)),
        BLACK,
    );
    let flag = [
        (flag_x, pole_top),
        (flag_x, pole_top - 10.0),
        (flag_x + 25.0, pole_top - 5.0),
    ]
    .map(|point| screen.pixel(point));
    frame.aa_polygon_from_bottom(&flag, FLAG);
    frame.fill_polygon_from_bottom(&flag, FLAG);
}

/// The car's centre as a fraction of the frame's width.
fn focus(position: f64) -> f64 {
    (position - MIN_POSITION) / (MAX_POSITION - MIN_POSITION)
}

impl Render for MountainCar {
    /// The car's centre.
    fn focus(&self) -> Option<f64> {
        Some(focus(self.snapshot().state[0]))
    }

    /// Gymnasium's picture of the current state: the black hill `sin(3x)·0.45 + 0.55`, the
    /// black car with grey wheels (turned by `cos(3·position)`, as Gymnasium turns it), the
    /// yellow flag on its pole at the goal (0.5). At 600x400 the geometry, colours and
    /// anti-aliased outlines are Gymnasium's (with pygame-ce 2.5.8); at any other size every
    /// coordinate is scaled by `width / 600` horizontally and `height / 400` vertically.
    ///
    /// ```
    /// use cinder_rl::env::{ClassicConfig, Environment, MountainCar, Render};
    ///
    /// let mut env = MountainCar::new(ClassicConfig::mountain_car_v0())?;
    /// env.reset(Some(0));
    /// let frame = env.render(600, 400)?;
    /// assert_eq!(frame.pixel(570, 20), Some([204, 204, 0])); // the flag
    /// assert_eq!(frame.pixel(240, 340), Some([0, 0, 0])); // the car
    /// assert!(env.focus().unwrap() < 0.5);
    /// # Ok::<(), cinder_rl::error::EnvError>(())
    /// ```
    fn render_into(&self, frame: &mut Frame) {
        let snapshot = self.snapshot();
        draw(frame, snapshot.state[0], snapshot.float32, GOAL_POSITION);
    }
}

impl Render for MountainCarContinuous {
    /// The car's centre.
    fn focus(&self) -> Option<f64> {
        Some(focus(self.snapshot().state[0]))
    }

    /// Gymnasium's picture of the current state, as for [`MountainCar`] but with the flag at
    /// this environment's goal (0.45); the car's position is computed in float32 after a step,
    /// as Gymnasium computes it from its float32 state. At 600x400 the geometry, colours and
    /// anti-aliased outlines are Gymnasium's (with pygame-ce 2.5.8); at any other size every
    /// coordinate is scaled by `width / 600` horizontally and `height / 400` vertically.
    ///
    /// ```
    /// use cinder_rl::env::{ClassicConfig, Environment, MountainCarContinuous, Render};
    ///
    /// let mut env = MountainCarContinuous::new(ClassicConfig::mountain_car_continuous_v0())?;
    /// env.reset(Some(1));
    /// env.step([1.0])?;
    /// let frame = env.render(150, 100)?;
    /// assert_eq!((frame.width(), frame.height()), (150, 100));
    /// assert!(frame.pixels().chunks(3).any(|p| p == [204, 204, 0])); // the flag
    /// # Ok::<(), cinder_rl::error::EnvError>(())
    /// ```
    fn render_into(&self, frame: &mut Frame) {
        let snapshot = self.snapshot();
        draw(
            frame,
            snapshot.state[0],
            snapshot.float32,
            CONTINUOUS_GOAL_POSITION,
        );
    }
}
