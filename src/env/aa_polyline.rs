//! pygame-ce's `draw.aalines` (which draws the mountain cars' track): Wu's anti-aliased
//! segments in single precision, joined as pygame-ce joins them. Bottom-up coordinates
//! (pygame's surface before Gymnasium flips it); pixels are read to blend with and clipped
//! to the frame.

use super::render::{Frame, Rgb};

impl Frame {
    /// The open polyline through `points` (bottom-up, single precision) as pygame-ce's
    /// `draw.aalines` draws it: one anti-aliased segment per pair of points, the shared ends
    /// drawn by neither segment unless they fall on whole pixels, and an extra end pixel where
    /// a steep segment meets a shallow one. With fewer than three points no extra pixel is
    /// drawn at the first joint.
    pub(crate) fn aa_polyline_from_bottom(&mut self, points: &[(f32, f32)], colour: Rgb) {
        let n = points.len();
        if n < 2 {
            return;
        }
        let steep = |a: (f32, f32), b: (f32, f32)| (b.0 - a.0).abs() < (b.1 - a.1).abs();
        let off_grid = |p: (f32, f32)| !(p.0.round() == p.0 && p.1.round() == p.1);
        // pygame-ce compares the first segment with the second through a mixed pair of
        // coordinates (the second segment's x run against the first segment's y run).
        let first_extra = n >= 3 && {
            let (p0, p1, p2) = (points[0], points[1], points[2]);
            steep(p0, p1) && (p2.0 - p1.0).abs() >= (p2.1 - p0.1).abs()
        };
        let mut previous = (points[0], points[1]);
        let ends = Ends {
            skip_first: false,
            skip_second: off_grid(points[1]),
            extra: first_extra,
        };
        self.aa_segment(points[0], points[1], colour, ends);
        for i in 2..n - 1 {
            let (from, to) = (points[i - 1], points[i]);
            let skip = off_grid(to);
            let extra = steep(previous.0, previous.1) != steep(from, to);
            previous = (from, to);
            let ends = Ends {
                skip_first: skip,
                skip_second: skip,
                extra,
            };
            self.aa_segment(from, to, colour, ends);
        }
        let (from, to) = (points[n - 2], points[n - 1]);
        let ends = Ends {
            skip_first: off_grid(to),
            skip_second: false,
            extra: steep(previous.0, previous.1) != steep(from, to),
        };
        self.aa_segment(from, to, colour, ends);
    }

    /// The pixel at `(x, y)` (bottom-up) set to `brightness` of `colour` over what it holds,
    /// each channel truncated to 8 bits (pygame-ce's anti-aliased colour, single precision).
    fn aa_pixel(&mut self, x: i64, y: i64, colour: Rgb, brightness: f32) {
        if let Some(old) = self.colour_from_bottom(x, y) {
            let mixed = std::array::from_fn(|c| {
                (brightness * f32::from(colour[c]) + (1.0 - brightness) * f32::from(old[c])) as u8
            });
            self.paint_from_bottom(x, y, mixed);
        }
    }

    /// One segment of pygame-ce's anti-aliased lines (`draw_aaline`): Wu's algorithm in single
    /// precision along the major axis, clipped one pixel beyond the frame, with its end pixels
    /// weighted by how much of them the segment covers, as `ends` asks.
    fn aa_segment(&mut self, from: (f32, f32), to: (f32, f32), colour: Rgb, ends: Ends) {
        let ((mut fx, mut fy), (mut tx, mut ty)) = (from, to);
        let (mut dx, mut dy) = (tx - fx, ty - fy);
        if f64::from(dx.abs()) < 0.0001 && f64::from(dy.abs()) < 0.0001 {
            let at = |v: f32| (f64::from(v) + 0.5).floor() as i64;
            return self.paint_from_bottom(at(fx), at(fy), colour);
        }
        let (mut clip_left, mut clip_top) = (-1.0f32, -1.0f32);
        let mut clip_right = clip_left + self.width() as f32 + 1.0;
        let mut clip_bottom = clip_top + self.height() as f32 + 1.0;
        let steep = dx.abs() < dy.abs();
        if steep {
            (fx, fy, tx, ty, dx, dy) = (fy, fx, ty, tx, dy, dx);
            (clip_left, clip_top) = (clip_top, clip_left);
            (clip_right, clip_bottom) = (clip_bottom, clip_right);
        }
        if dx < 0.0 {
            (fx, fy, tx, ty) = (tx, ty, fx, fy);
            (dx, dy) = (-dx, -dy);
        }
        if tx <= clip_left || fx >= clip_right {
            return;
        }
        let gradient = dy / dx;
        if fx < clip_left {
            fy += gradient * (clip_left - fx);
            fx = clip_left;
        }
        if tx > clip_right {
            ty += gradient * (clip_right - tx);
            tx = clip_right;
        }
        if gradient > 0.0 {
            if ty <= clip_top || fy >= clip_bottom {
                return;
            }
            if fy < clip_top {
                fx += (clip_top - fy) / gradient;
                fy = clip_top;
            }
            if ty > clip_bottom {
                tx += (clip_bottom - ty) / gradient;
                ty = clip_bottom;
            }
        } else {
            if fy <= clip_top || ty >= clip_bottom {
                return;
            }
            if ty < clip_top {
                tx += (clip_top - ty) / gradient;
                ty = clip_top;
            }
            if fy > clip_bottom {
                fx += (clip_bottom - fy) / gradient;
                fy = clip_bottom;
            }
        }
        // Shifted one pixel so that truncation rounds down; drawn one pixel back.
        fy += 1.0;
        ty += 1.0;
        // (along the line, across it) -> frame pixel.
        let place = |along: i64, across: i64| {
            if steep {
                (across, along)
            } else {
                (along, across)
            }
        };

        let mut start = fx as i64;
        let mut intersect = fy + gradient * (start as f32 - fx);
        if (!ends.skip_first || ends.extra) && tx > clip_left + 1.0 {
            let gap = (1 + start) as f32 - fx;
            self.aa_end(place, start, intersect, gap, colour);
            intersect += gradient;
            start += 1;
        }
        if ends.skip_first {
            start = f64::from(fx).ceil() as i64;
            intersect = fy + gradient * (start as f32 - fx);
        }
        let end = f64::from(tx).ceil() as i64;
        if (!ends.skip_second || ends.extra) && fx < clip_right - 1.0 {
            let y_end = ty + gradient * (end as f32 - tx);
            let gap = (1 - end) as f32 + tx;
            self.aa_end(place, end, y_end, gap, colour);
        }
        for along in start..end {
            let across = intersect as i64;
            let brightness = (1.0 - intersect) + across as f32;
            let (x, y) = place(along, across - 1);
            self.aa_pixel(x, y, colour, brightness);
            if (across as f32) < intersect {
                let (x, y) = place(along, across);
                self.aa_pixel(x, y, colour, 1.0 - brightness);
            }
            intersect += gradient;
        }
    }

    /// An end pixel pair of [`Frame::aa_segment`]: at `along`, the pixels below and above
    /// `across` (shifted one up), weighted by their share and by `gap`, the part of the end
    /// pixel the segment covers.
    fn aa_end(
        &mut self,
        place: impl Fn(i64, i64) -> (i64, i64),
        along: i64,
        across: f32,
        gap: f32,
        colour: Rgb,
    ) {
        let whole = across as i64;
        let brightness = across - whole as f32;
        if (whole as f32) < across {
            let (x, y) = place(along, whole);
            self.aa_pixel(x, y, colour, brightness * gap);
        }
        let (x, y) = place(along, whole - 1);
        self.aa_pixel(x, y, colour, (1.0 - brightness) * gap);
    }
}

/// Which end pixels one segment of an anti-aliased polyline draws.
#[derive(Debug, Clone, Copy)]
struct Ends {
    /// Leave out the first end pixel.
    skip_first: bool,
    /// Leave out the second end pixel.
    skip_second: bool,
    /// Draw both end pixels anyway: a steep segment meets a shallow one here.
    extra: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shallow_polyline_covers_each_column_with_two_weights_summing_to_one() {
        let mut frame = Frame::new(40, 10).unwrap();
        frame.aa_polyline_from_bottom(&[(0.0, 2.0), (20.0, 4.5), (39.0, 5.0)], [0, 0, 0]);
        for x in 2..38 {
            let darkness: u32 = (0..10)
                .map(|y| 255 - u32::from(frame.colour_from_bottom(x, y).unwrap()[0]))
                .sum();
            assert!((250..=257).contains(&darkness), "column {x}: {darkness}");
        }
    }

    #[test]
    fn polylines_partly_or_wholly_outside_the_frame_clip() {
        let mut tiny = Frame::new(1, 1).unwrap();
        tiny.aa_polyline_from_bottom(&[(-2.5, 0.3), (0.4, 0.6), (3.0, -1.0)], [0, 0, 0]);
        tiny.aa_polyline_from_bottom(&[(f32::NAN, 0.0), (1e30, -1e30)], [0, 0, 0]);
        let mut frame = Frame::new(30, 20).unwrap();
        frame.aa_polyline_from_bottom(&[(-50.0, -40.0), (10.0, 10.0), (80.0, 5.5)], [0, 0, 0]);
        assert!(frame.pixels().iter().any(|&c| c < 255));
    }
}
