//! The classic-control renderers (Acrobot, MountainCar, MountainCarContinuous, Pendulum)
//! against Gymnasium 1.4.0's frames, drawn with pygame-ce 2.5.8 (`tests/data/classic`,
//! `classic_frames.csv` says how each was reached): every pixel equal, anti-aliased edges
//! included, and fill interiors checked on their own; other frame sizes show the same
//! picture scaled; Pendulum's torque arrow; any frame size and state renders.

mod common;

use std::collections::{HashMap, HashSet};

use cinder_rl::env::{
    Acrobot, ClassicConfig, ClassicState, Environment, Frame, MountainCar, MountainCarContinuous,
    Pendulum, PendulumConfig, Render, Rgb, Snapshot,
};

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const CYAN: Rgb = [0, 204, 204];
const YELLOW: Rgb = [204, 204, 0];
const GREY: Rgb = [128, 128, 128];
const RED: Rgb = [204, 77, 77];

fn data(name: &str) -> String {
    format!("{}/tests/data/classic/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A golden PNG as a frame.
fn golden(file: &str) -> Frame {
    common::frames::read_png(&data(file))
}

/// One row of `classic_frames.csv`, by column name.
struct FrameCase(HashMap<String, String>);

impl FrameCase {
    fn text(&self, column: &str) -> &str {
        &self.0[column]
    }

    fn number<T: std::str::FromStr<Err: std::fmt::Debug>>(&self, column: &str) -> T {
        self.text(column).parse().unwrap()
    }

    /// The recorded state (`;`-separated).
    fn state(&self) -> Vec<f64> {
        let state = self.text("state").split(';');
        state.map(|v| v.parse().unwrap()).collect()
    }
}

fn frame_case(env_id: &str) -> FrameCase {
    let text = std::fs::read_to_string(data("classic_frames.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|line| {
            let fields = line.split(',').map(String::from);
            FrameCase(header.iter().map(|h| h.to_string()).zip(fields).collect())
        })
        .find(|case| case.text("env_id") == env_id)
        .unwrap()
}

/// Resets `env` with the case's seed and checks that this reaches the recorded state (no
/// steps lead to these frames); then sets that state through a snapshot, as a replay would.
fn reach<E, const N: usize>(env: &mut E, case: &FrameCase)
where
    E: Snapshot<State = ClassicState<[f64; N]>>,
{
    assert_eq!(case.number::<usize>("n_steps"), 0);
    env.reset(Some(case.number("seed")));
    let state: [f64; N] = case.state().try_into().unwrap();
    let float32 = case.text("state_dtype") == "f32";
    let mut snapshot = env.snapshot();
    assert_eq!(snapshot.state.map(f64::to_bits), state.map(f64::to_bits));
    assert_eq!(snapshot.float32, float32);
    snapshot.state = state;
    env.restore(snapshot).unwrap();
}

fn acrobot() -> Acrobot {
    let mut env = Acrobot::new(ClassicConfig::acrobot_v1()).unwrap();
    reach(&mut env, &frame_case("Acrobot-v1"));
    env
}

fn mountain_car() -> MountainCar {
    let mut env = MountainCar::new(ClassicConfig::mountain_car_v0()).unwrap();
    reach(&mut env, &frame_case("MountainCar-v0"));
    env
}

fn mountain_car_continuous() -> MountainCarContinuous {
    let config = ClassicConfig::mountain_car_continuous_v0();
    let mut env = MountainCarContinuous::new(config).unwrap();
    reach(&mut env, &frame_case("MountainCarContinuous-v0"));
    env
}

fn pendulum() -> Pendulum {
    let mut env = Pendulum::new(PendulumConfig::v1()).unwrap();
    reach(&mut env, &frame_case("Pendulum-v1"));
    env
}

fn coordinates(frame: &Frame) -> impl Iterator<Item = (usize, usize)> + use<> {
    let (width, height) = (frame.width(), frame.height());
    (0..height).flat_map(move |y| (0..width).map(move |x| (x, y)))
}

/// Renders `env` at the golden frame's size and compares: prints how many pixels differ and
/// checks that none do (anti-aliased outlines included: the renderers follow SDL_gfx's and
/// pygame-ce's arithmetic), that every pixel of a fill colour whose 3x3 neighbourhood is all
/// that colour in Gymnasium's frame is that colour in ours, and that each fill colour has at
/// least its minimum of such interior pixels (so that the comparison covers every body).
fn compare(env: &impl Render, env_id: &str, fills: &[(Rgb, usize)]) {
    let case = frame_case(env_id);
    let file = case.text("file");
    let expected = golden(file);
    let (width, height) = (expected.width(), expected.height());
    assert_eq!(
        (width, height),
        (case.number("width"), case.number("height"))
    );
    let colours: HashSet<Rgb> = coordinates(&expected)
        .map(|(x, y)| expected.pixel(x, y).unwrap())
        .collect();
    assert_eq!(colours.len(), case.number::<usize>("distinct_colors"));

    let frame = env.render(width, height).unwrap();
    let differing = coordinates(&expected)
        .filter(|&(x, y)| frame.pixel(x, y) != expected.pixel(x, y))
        .count();
    eprintln!("{file}: {differing} of {} pixels differ", width * height);
    assert_eq!(differing, 0, "{file}: {differing} pixels differ");

    for &(colour, minimum) in fills {
        let mut interior = 0;
        for (x, y) in coordinates(&expected) {
            let uniform = x > 0 && y > 0 && x + 1 < width && y + 1 < height && {
                let around = |(dx, dy): (usize, usize)| expected.pixel(x + dx - 1, y + dy - 1);
                (0..9).all(|i| around((i % 3, i / 3)) == Some(colour))
            };
            if uniform {
                interior += 1;
                assert_eq!(
                    frame.pixel(x, y),
                    Some(colour),
                    "{file}: interior ({x}, {y})"
                );
            }
        }
        assert!(
            interior >= minimum,
            "{file}: {interior} interior pixels of {colour:?}"
        );
    }
}

#[test]
fn acrobot_matches_gymnasium_pixel_for_pixel() {
    let fills = [(CYAN, 3_000), (YELLOW, 500), (BLACK, 0), (WHITE, 200_000)];
    compare(&acrobot(), "Acrobot-v1", &fills);
}

#[test]
fn mountain_car_matches_gymnasium_pixel_for_pixel() {
    let fills = [(BLACK, 400), (GREY, 250), (YELLOW, 60), (WHITE, 200_000)];
    compare(&mountain_car(), "MountainCar-v0", &fills);
}

#[test]
fn mountain_car_continuous_matches_gymnasium_pixel_for_pixel() {
    let fills = [(BLACK, 400), (GREY, 250), (YELLOW, 60), (WHITE, 200_000)];
    compare(
        &mountain_car_continuous(),
        "MountainCarContinuous-v0",
        &fills,
    );
}

#[test]
fn pendulum_matches_gymnasium_pixel_for_pixel() {
    let fills = [(RED, 2_000), (BLACK, 40), (WHITE, 200_000)];
    compare(&pendulum(), "Pendulum-v1", &fills);
}

/// The pixels of `colour` in `frame` that touch another of that colour (which leaves out
/// anti-aliased pixels that happen to have it): their share of the frame, and their centroid
/// as fractions of the frame's width and height.
fn spread(frame: &Frame, colour: Rgb) -> (f64, f64, f64) {
    let is = |x: usize, y: usize| frame.pixel(x, y) == Some(colour);
    let pixels: Vec<(usize, usize)> = coordinates(frame)
        .filter(|&(x, y)| {
            let (left, up) = (x.wrapping_sub(1), y.wrapping_sub(1));
            is(x, y) && (is(left, y) || is(x + 1, y) || is(x, up) || is(x, y + 1))
        })
        .collect();
    let n = pixels.len() as f64;
    let mean = |coordinate: fn(&(usize, usize)) -> usize, size: usize| {
        pixels
            .iter()
            .map(|p| coordinate(p) as f64 + 0.5)
            .sum::<f64>()
            / n
            / size as f64
    };
    let area = (frame.width() * frame.height()) as f64;
    (
        n / area,
        mean(|p| p.0, frame.width()),
        mean(|p| p.1, frame.height()),
    )
}

/// Renders `env` at its native size and at `size`, and checks that each of `colours` covers
/// about the same share of both frames (within `share` as a ratio) around the same place
/// (within `place` of the frame's width and height).
fn same_picture(
    env: &impl Render,
    native: (usize, usize),
    size: (usize, usize),
    colours: &[Rgb],
    share: f64,
    place: f64,
) {
    let big = env.render(native.0, native.1).unwrap();
    let small = env.render(size.0, size.1).unwrap();
    assert_eq!((small.width(), small.height()), size);
    for &colour in colours {
        let (big_share, big_x, big_y) = spread(&big, colour);
        let (small_share, small_x, small_y) = spread(&small, colour);
        eprintln!(
            "{size:?} {colour:?}: share {:.3}, centre moved ({:.4}, {:.4})",
            small_share / big_share,
            small_x - big_x,
            small_y - big_y
        );
        let ratio = small_share / big_share;
        assert!(
            (1.0 / share..=share).contains(&ratio),
            "{size:?} {colour:?}: share ratio {ratio}"
        );
        assert!(
            (small_x - big_x).abs() <= place && (small_y - big_y).abs() <= place,
            "{size:?} {colour:?}"
        );
    }
}

/// The row of the darkest pixel in the column at `x` (a fraction of the width), as a fraction
/// of the height.
fn darkest_row(frame: &Frame, x: f64) -> f64 {
    let column = (x * frame.width() as f64) as usize;
    let darkness = |y: usize| {
        frame
            .pixel(column, y)
            .unwrap()
            .map(u32::from)
            .iter()
            .sum::<u32>()
    };
    let row = (0..frame.height()).min_by_key(|&y| darkness(y)).unwrap();
    (row as f64 + 0.5) / frame.height() as f64
}

/// The mountain cars' track runs through the same places at 600x400 and at `size`, away
/// from the car and the flag.
fn same_track(env: &impl Render, size: (usize, usize)) {
    let big = env.render(600, 400).unwrap();
    let small = env.render(size.0, size.1).unwrap();
    let car = env.focus().unwrap();
    let columns = (1..40).map(|i| f64::from(i) / 40.0);
    for x in columns.filter(|x| (x - car).abs() > 0.1 && *x < 0.9) {
        let (big_row, small_row) = (darkest_row(&big, x), darkest_row(&small, x));
        assert!(
            (big_row - small_row).abs() < 0.03,
            "column {x}: row {big_row} vs {small_row}"
        );
    }
}

#[test]
fn other_sizes_show_the_same_picture_scaled() {
    same_picture(
        &acrobot(),
        (500, 500),
        (150, 150),
        &[CYAN, YELLOW],
        1.25,
        0.01,
    );
    // Stretched frames stretch the links; circles stay round (their radius scales by the
    // smaller factor), so only the links keep their share.
    same_picture(&acrobot(), (500, 500), (300, 120), &[CYAN], 1.25, 0.01);
    // At 84x84 a link is under 4 pixels wide: fills paint both end pixels of every span.
    same_picture(&acrobot(), (500, 500), (84, 84), &[CYAN], 1.4, 0.015);
    // The cars' black is mostly the anti-aliased track, whose exact-black pixels depend on
    // the size: the track is compared along its course instead.
    // A wheel of radius 2 covers 17 pixels by the midpoint rule, not 4π.
    same_picture(
        &mountain_car(),
        (600, 400),
        (150, 100),
        &[GREY, YELLOW],
        1.4,
        0.01,
    );
    same_track(&mountain_car(), (150, 100));
    let env = mountain_car_continuous();
    same_picture(&env, (600, 400), (150, 100), &[GREY, YELLOW], 1.4, 0.01);
    same_track(&env, (150, 100));
    same_picture(&pendulum(), (500, 500), (84, 84), &[RED], 1.4, 0.015);
    same_picture(
        &pendulum(),
        (500, 500),
        (150, 150),
        &[RED, BLACK],
        1.25,
        0.01,
    );
}

/// The pixels where two frames of the same size differ.
fn differences(a: &Frame, b: &Frame) -> HashSet<(usize, usize)> {
    coordinates(a)
        .filter(|&(x, y)| a.pixel(x, y) != b.pixel(x, y))
        .collect()
}

/// The pendulum after one step of torque `u` from seed 0's start, rendered with its arrow and
/// without it (the same state restored, which forgets the torque): where they differ.
fn arrow_pixels(u: f32) -> HashSet<(usize, usize)> {
    let mut env = Pendulum::new(PendulumConfig::v1()).unwrap();
    env.reset(Some(0));
    env.step([u]).unwrap();
    assert_eq!(env.last_torque(), Some(u.clamp(-2.0, 2.0)));
    let with_arrow = env.render(500, 500).unwrap();
    let mut restored = env.clone();
    restored.restore(env.snapshot()).unwrap();
    assert_eq!(restored.last_torque(), None);
    differences(&with_arrow, &restored.render(500, 500).unwrap())
}

#[test]
fn pendulum_torque_draws_an_arrow_mirrored_by_its_sign() {
    let clockwise = arrow_pixels(-1.5);
    let counter_clockwise = arrow_pixels(1.5);
    // A ring of radius 0.45·85 pixels, 2.5 pixels wide, and its head, less the gap.
    assert!(clockwise.len() > 400, "{} arrow pixels", clockwise.len());
    assert_ne!(clockwise, counter_clockwise);
    // Mirrored about the pivot's column (250), at any size.
    let mirror = |pixels: HashSet<(usize, usize)>| -> HashSet<(usize, usize)> {
        pixels.into_iter().map(|(x, y)| (500 - x, y)).collect()
    };
    assert_eq!(mirror(counter_clockwise), clockwise);
    let small = arrow_pixels(-0.3);
    assert!(!small.is_empty() && small.len() < clockwise.len() / 3);
    assert_eq!(mirror(arrow_pixels(0.3)), small);
    // Around the pivot, within half the arrow's side (and its head).
    assert!(
        clockwise
            .iter()
            .all(|&(x, y)| x.abs_diff(250) < 50 && y.abs_diff(249) < 50)
    );
    // The arrow grows with the torque; a reset forgets it; no torque, no arrow.
    assert!(arrow_pixels(-2.5).len() > clockwise.len());
    assert!(arrow_pixels(0.0).is_empty());
    let mut env = Pendulum::new(PendulumConfig::v1()).unwrap();
    env.reset(Some(0));
    let start = env.render(500, 500).unwrap();
    env.step([1.0]).unwrap();
    env.reset(Some(0));
    assert_eq!(env.last_torque(), None);
    assert_eq!(env.render(500, 500).unwrap(), start);
}

#[test]
fn mountain_car_focus_follows_the_car() {
    for env in [mountain_car(), {
        let mut env = MountainCar::new(ClassicConfig::mountain_car_v0()).unwrap();
        env.reset(Some(5));
        for _ in 0..40 {
            env.step(2).unwrap();
        }
        env
    }] {
        let frame = env.render(600, 400).unwrap();
        let (_, wheels_x, _) = spread(&frame, GREY);
        let focus = env.focus().unwrap();
        assert!(
            (wheels_x - focus).abs() < 0.01,
            "wheels at {wheels_x}, focus {focus}"
        );
    }
    assert_eq!(acrobot().focus(), None);
    assert_eq!(pendulum().focus(), None);
}

#[test]
fn any_frame_size_and_state_renders() {
    let mut cars = MountainCarContinuous::new(ClassicConfig::mountain_car_continuous_v0()).unwrap();
    cars.reset(Some(2));
    cars.step([0.5]).unwrap(); // float32 from here on
    cars.step([-1.0]).unwrap();
    let mut walls = MountainCar::new(ClassicConfig::mountain_car_v0()).unwrap();
    walls.reset(Some(0));
    let mut spun = Pendulum::new(PendulumConfig::v1()).unwrap();
    spun.reset(Some(0));
    let mut snapshot = spun.snapshot();
    snapshot.state = [1.0e6, 0.0];
    spun.restore(snapshot).unwrap();
    spun.step([2.0]).unwrap();
    let mut swung = Acrobot::new(ClassicConfig::acrobot_v1()).unwrap();
    swung.reset(Some(0));
    for i in 0..30 {
        swung.step(i % 3).unwrap();
    }
    let sizes = [
        (1, 1),
        (1, 7),
        (7, 1),
        (2, 3),
        (17, 9),
        (640, 480),
        (1000, 200),
    ];
    let envs: [&dyn Render; 4] = [&cars, &walls, &spun, &swung];
    for size in sizes {
        for env in envs {
            let frame = env.render(size.0, size.1).unwrap();
            assert_eq!((frame.width(), frame.height()), size);
        }
    }
    // The car against either wall, half outside the frame.
    for position in [-1.2, 0.6] {
        let mut snapshot = walls.snapshot();
        snapshot.state = [position, 0.0];
        walls.restore(snapshot).unwrap();
        let frame = walls.render(600, 400).unwrap();
        assert!(spread(&frame, GREY).0 > 0.0);
    }
    // States far outside Gymnasium's ranges draw what is in view.
    for position in [-1.0e300, 1.0e300] {
        let mut snapshot = walls.snapshot();
        snapshot.state = [position, 0.0];
        walls.restore(snapshot).unwrap();
        let frame = walls.render(600, 400).unwrap();
        assert_eq!(spread(&frame, GREY).0, 0.0);
    }
    let mut snapshot = spun.snapshot();
    snapshot.state = [-1.0e300, 1.0e300];
    spun.restore(snapshot).unwrap();
    assert!(spread(&spun.render(500, 500).unwrap(), RED).0 > 0.0);
    let acrobot = Acrobot::new(ClassicConfig::acrobot_v1()).unwrap();
    assert!(acrobot.render(0, 5).is_err());
}
