//! The CartPole renderer against Gymnasium 1.4.0's rendered frames.

mod common;

use cinder_rl::env::{CartPole, CartPoleConfig, Environment, Frame, Render, Rgb};

const CART: Rgb = [0, 0, 0];
const POLE: Rgb = [202, 152, 101];
const AXLE: Rgb = [129, 132, 203];

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The golden PNG as (width, height, RGB bytes).
fn golden(file: &str) -> (usize, usize, Vec<u8>) {
    let frame = common::frames::read_png(&data(file));
    (frame.width(), frame.height(), frame.pixels().to_vec())
}

fn state_frames() -> Vec<(String, [f64; 4])> {
    let text = std::fs::read_to_string(data("frames.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let v = |i: usize| f[i].parse::<f64>().unwrap();
            (f[1].to_string(), [v(2), v(3), v(4), v(5)])
        })
        .collect()
}

fn render(state: [f64; 4], width: usize, height: usize) -> Frame {
    let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
    env.reset(Some(0));
    env.set_state(state).unwrap();
    env.render(width, height).unwrap()
}

#[test]
fn frames_match_gymnasium_up_to_anti_aliased_edges() {
    let frames = state_frames();
    assert_eq!(frames.len(), 2);
    for (file, state) in frames {
        let (width, height, expected) = golden(&file);
        assert_eq!((width, height), (600, 400));
        let frame = render(state, width, height);
        let at = |x: usize, y: usize| -> Rgb {
            let i = (y * width + x) * 3;
            [expected[i], expected[i + 1], expected[i + 2]]
        };
        let differing = (0..height)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .filter(|&(x, y)| frame.pixel(x, y) != Some(at(x, y)))
            .count();
        eprintln!("{file}: {differing} of {} pixels differ", width * height);
        assert!(
            differing * 200 <= width * height,
            "{file}: {differing} pixels differ (more than 0.5%)"
        );

        // Interiors: pixels of the cart, pole or axle colour whose 3x3 neighbourhood is all
        // that colour in Gymnasium's frame must be exactly that colour in ours.
        let mut interior = [0usize; 3];
        for y in 1..height - 1 {
            for x in 1..width - 1 {
                let colour = at(x, y);
                let Some(part) = [CART, POLE, AXLE].iter().position(|&c| c == colour) else {
                    continue;
                };
                let uniform =
                    (y - 1..=y + 1).all(|ny| (x - 1..=x + 1).all(|nx| at(nx, ny) == colour));
                if uniform {
                    interior[part] += 1;
                    assert_eq!(
                        frame.pixel(x, y),
                        Some(colour),
                        "{file}: interior pixel ({x}, {y})"
                    );
                }
            }
        }
        // Cart, pole and axle interiors are all present (the track row counts as cart colour).
        assert!(
            interior[0] > 1_000 && interior[1] > 500 && interior[2] > 40,
            "{file}: {interior:?}"
        );
    }
}

#[test]
fn the_cart_pole_and_axle_sit_where_gymnasium_puts_them() {
    // State 0: cart rows 284..=314, columns 275..=325; pole rows 172..=297, columns 295..=305.
    let frame = render([0.0; 4], 600, 400);
    assert_eq!(frame.pixel(275, 284), Some(CART));
    assert_eq!(frame.pixel(325, 314), Some(CART));
    assert_eq!(frame.pixel(274, 300), Some([255, 255, 255]));
    assert_eq!(frame.pixel(300, 172), Some(POLE));
    assert_eq!(frame.pixel(300, 171), Some([255, 255, 255]));
    assert_eq!(frame.pixel(300, 292), Some(AXLE));
    assert!(
        (0..600).all(|x| frame.pixel(x, 299) == Some(CART)),
        "the track crosses the frame"
    );
}

#[test]
fn small_frames_scale_the_same_picture() {
    // Leaning right, cart left of centre: at 90x60 (0.15 of the size) everything scales.
    let state = [-1.2, 0.0, 0.15, 0.0];
    let big = render(state, 600, 400);
    let small = render(state, 90, 60);
    assert_eq!((small.width(), small.height()), (90, 60));
    // Pixels of a colour, the track's row (black across the whole frame) left out.
    let count = |frame: &Frame, colour: Rgb| {
        (0..frame.height())
            .filter(|&y| (0..frame.width()).any(|x| frame.pixel(x, y) != Some(CART)))
            .flat_map(|y| (0..frame.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| frame.pixel(x, y) == Some(colour))
            .count() as f64
    };
    // Areas scale by 0.15 * 0.15 = 0.0225; spans paint both end pixels, which widens the
    // 1.5-pixel pole by up to a pixel a row.
    let cart = count(&small, CART) / count(&big, CART);
    assert!((0.018..0.03).contains(&cart), "cart area ratio {cart}");
    let pole = count(&small, POLE) / count(&big, POLE);
    assert!((0.018..0.05).contains(&pole), "pole area ratio {pole}");
    // The cart's centre column scales with the frame: 150 of 600 -> about 22 of 90.
    let cart_columns: Vec<usize> = (0..90)
        .filter(|&x| small.pixel(x, 43) == Some(CART))
        .collect();
    let centre = cart_columns.iter().sum::<usize>() as f64 / cart_columns.len() as f64;
    assert!(
        (centre - 22.5).abs() < 1.5,
        "cart centre at column {centre}"
    );
}
