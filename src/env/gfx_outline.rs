//! SDL_gfx's anti-aliased outlines (pygame's `gfxdraw.aapolygon` and `gfxdraw.aacircle`),
//! which Gymnasium draws under the fills of its bodies and joints. Bottom-up coordinates
//! (pygame's surface before Gymnasium flips it); pixels are read to blend with and clipped to
//! the frame.

use super::render::{Frame, RADIUS_LIMIT, Rgb, limited};

impl Frame {
    /// The closed outline through integer `vertices` (bottom-up), each edge one SDL_gfx
    /// anti-aliased line without its last pixel, as `gfxdraw.aapolygon` draws it.
    pub(crate) fn aa_polygon_from_bottom(&mut self, vertices: &[(i64, i64)], colour: Rgb) {
        if vertices.len() < 3 {
            return;
        }
        for (i, &from) in vertices.iter().enumerate() {
            let to = vertices[(i + 1) % vertices.len()];
            self.gfx_aaline(limited(from), limited(to), colour);
        }
    }

    /// SDL_gfx's weighted pixel: the colour's alpha (255) times `weight`, shifted down 8 bits,
    /// is the blend factor.
    fn weighted_from_bottom(&mut self, x: i64, y: i64, colour: Rgb, weight: u32) {
        let alpha = (255 * weight.min(255)) >> 8;
        self.blend_from_bottom(x, y, colour, alpha as u8);
    }

    /// SDL_gfx's `_aalineColor` without the end pixel (Wu's line in 8-bit fixed point): the
    /// line is clipped to the frame first; vertical and horizontal lines are plain lines;
    /// otherwise the clipped line's first end is painted, then every step along the major axis
    /// from the lower end splits its weight between the two pixels either side of the line.
    fn gfx_aaline(&mut self, from: (i64, i64), to: (i64, i64), colour: Rgb) {
        let Some(((x1, y1), (x2, y2))) = self.clip_line(from, to) else {
            return;
        };
        let ((mut x0, mut y0), (end_x, end_y)) = if y1 > y2 {
            ((x2, y2), (x1, y1))
        } else {
            ((x1, y1), (x2, y2))
        };
        let (mut dx, dy) = (end_x - x0, end_y - y0);
        if dx == 0 || dy == 0 {
            // SDL_gfx draws these whole, both ends included.
            return self.line_from_bottom((x0, y0), (end_x, end_y), colour);
        }
        let x_step = if dx >= 0 { 1 } else { -1 };
        dx = dx.abs();
        let mut error: u32 = 0;
        self.paint_from_bottom(x1, y1, colour);
        if dy > dx {
            let step = (((dx << 16) / dy) as u32) << 16;
            let mut x_next = x0 + x_step;
            for _ in 1..dy {
                let before = error;
                error = error.wrapping_add(step);
                if error <= before {
                    x0 = x_next;
                    x_next += x_step;
                }
                y0 += 1;
                let weight = error >> 24;
                self.weighted_from_bottom(x0, y0, colour, 255 - weight);
                self.weighted_from_bottom(x_next, y0, colour, weight);
            }
        } else {
            let step = (((dy << 16) / dx) as u32) << 16;
            let mut y_next = y0 + 1;
            for _ in 1..dx {
                let before = error;
                error = error.wrapping_add(step);
                if error <= before {
                    y0 = y_next;
                    y_next += 1;
                }
                x0 += x_step;
                let weight = error >> 24;
                self.weighted_from_bottom(x0, y0, colour, 255 - weight);
                self.weighted_from_bottom(x0, y_next, colour, weight);
            }
        }
    }

    /// SDL_gfx's `_clipLine`: Cohen-Sutherland clipping of an integer line to the frame, the
    /// slope in single precision and every cut truncated; `None` when no part is inside.
    fn clip_line(&self, mut a: (i64, i64), mut b: (i64, i64)) -> Option<((i64, i64), (i64, i64))> {
        const LEFT: u8 = 1;
        const RIGHT: u8 = 2;
        const BOTTOM: u8 = 4;
        const TOP: u8 = 8;
        let (right, bottom) = (self.width() as i64 - 1, self.height() as i64 - 1);
        let code = |(x, y): (i64, i64)| {
            let horizontal = if x < 0 {
                LEFT
            } else if x > right {
                RIGHT
            } else {
                0
            };
            let vertical = if y < 0 {
                TOP
            } else if y > bottom {
                BOTTOM
            } else {
                0
            };
            horizontal | vertical
        };
        // Each pass moves one end onto an edge; four edges need at most a few passes.
        for _ in 0..8 {
            let (mut code_a, code_b) = (code(a), code(b));
            if code_a | code_b == 0 {
                return Some((a, b));
            }
            if code_a & code_b != 0 {
                return None;
            }
            if code_a == 0 {
                std::mem::swap(&mut a, &mut b);
                code_a = code_b;
            }
            let slope = if b.0 != a.0 {
                (b.1 - a.1) as f32 / (b.0 - a.0) as f32
            } else {
                1.0
            };
            let vertical_line = b.0 == a.0;
            if code_a & (LEFT | RIGHT) != 0 {
                let edge = if code_a & LEFT != 0 { 0 } else { right };
                a.1 += ((edge - a.0) as f32 * slope) as i64;
                a.0 = edge;
            } else {
                let edge = if code_a & BOTTOM != 0 { bottom } else { 0 };
                if !vertical_line {
                    a.0 += ((edge - a.1) as f32 / slope) as i64;
                }
                a.1 = edge;
            }
        }
        None
    }

    /// The circle of `radius` around `centre` (bottom-up) as SDL_gfx's `aacircle` draws it
    /// (its anti-aliased ellipse with equal radii): four end pixels, then two walks of an
    /// octant each, every step weighting a pixel and its neighbour by the distance term's
    /// ratio, mirrored into all quadrants.
    pub(crate) fn aa_circle_from_bottom(&mut self, (x, y): (i64, i64), radius: i64, colour: Rgb) {
        if radius < 0 {
            return;
        }
        if radius == 0 {
            return self.paint_from_bottom(x, y, colour);
        }
        let ((x, y), radius) = (limited((x, y)), radius.min(RADIUS_LIMIT));
        let r2 = radius * radius;
        let (double_x, double_y) = (2 * x, 2 * y);
        let diagonal = ((2 * r2) as f64).sqrt();
        let octant = (r2 as f64 / diagonal).round_ties_even() as i64;
        let (mut t, mut s, mut d) = (0, -2 * r2 * radius, 0);
        let (mut xp, mut yp) = (x, y - radius);
        for (px, py) in [
            (xp, yp),
            (double_x - xp, yp),
            (xp, double_y - yp),
            (double_x - xp, double_y - yp),
        ] {
            self.paint_from_bottom(px, py, colour);
        }
        // A weight from |d| / |denominator|, capped at 1, scaled to 8 bits (single precision).
        let weight = |d: i64, denominator: i64| -> u32 {
            let ratio = if denominator != 0 {
                (d.abs() as f32 / denominator.abs() as f32).min(1.0)
            } else {
                1.0
            };
            u32::from((ratio * 255.0) as u8)
        };
        for _ in 0..octant {
            xp -= 1;
            d += t - r2;
            let ys;
            if d >= 0 {
                ys = yp - 1;
            } else if d - s - r2 > 0 {
                if 2 * d - s - r2 >= 0 {
                    ys = yp + 1;
                } else {
                    ys = yp;
                    yp += 1;
                    d -= s + r2;
                    s += 2 * r2;
                }
            } else {
                yp += 1;
                ys = yp + 1;
                d -= s + r2;
                s += 2 * r2;
            }
            t -= 2 * r2;
            let w = weight(d, s);
            let xx = double_x - xp;
            for (px, py, w) in [
                (xp, yp, 255 - w),
                (xx, yp, 255 - w),
                (xp, ys, w),
                (xx, ys, w),
                (xp, double_y - yp, 255 - w),
                (xx, double_y - yp, 255 - w),
                (xp, double_y - ys, w),
                (xx, double_y - ys, w),
            ] {
                self.weighted_from_bottom(px, py, colour, w);
            }
        }
        for _ in 0..octant {
            yp += 1;
            d -= s + r2;
            let xs;
            if d <= 0 {
                xs = xp + 1;
            } else if d + t - r2 < 0 {
                if 2 * d + t - r2 <= 0 {
                    xs = xp - 1;
                } else {
                    xs = xp;
                    xp -= 1;
                    d += t - r2;
                    t -= 2 * r2;
                }
            } else {
                xp -= 1;
                xs = xp - 1;
                d += t - r2;
                t -= 2 * r2;
            }
            s += 2 * r2;
            let w = weight(d, t);
            let (xx, yy, xxs) = (double_x - xp, double_y - yp, double_x - xs);
            for (px, py, w) in [
                (xp, yp, 255 - w),
                (xx, yp, 255 - w),
                (xp, yy, 255 - w),
                (xx, yy, 255 - w),
                (xs, yp, w),
                (xxs, yp, w),
                (xs, yy, w),
                (xxs, yy, w),
            ] {
                self.weighted_from_bottom(px, py, colour, w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gfx_outlines_blend_their_edges_and_clip_to_the_frame() {
        let mut frame = Frame::new(20, 20).unwrap();
        frame.aa_polygon_from_bottom(&[(2, 2), (2, 12), (15, 7)], [0, 0, 0]);
        // The first vertex is painted; the sloped edges blend.
        assert_eq!(frame.colour_from_bottom(2, 2), Some([0, 0, 0]));
        let grey = (0..20)
            .flat_map(|x| (0..20).map(move |y| (x, y)))
            .filter(|&(x, y)| {
                matches!(frame.colour_from_bottom(x, y), Some([c, _, _]) if c > 0 && c < 255)
            })
            .count();
        assert!(grey > 10, "{grey} blended pixels");
        // Lines and circles far outside, or partly outside, draw without panicking.
        frame.aa_polygon_from_bottom(&[(-50, -50), (100, 3), (-5, 70)], [9, 9, 9]);
        frame.aa_circle_from_bottom((19, 0), 6, [1, 2, 3]);
        frame.aa_circle_from_bottom((-100, -100), 6, [1, 2, 3]);
        let mut tiny = Frame::new(1, 1).unwrap();
        tiny.aa_polygon_from_bottom(&[(0, 0), (5, 9), (-3, 4)], [0, 0, 0]);
        tiny.aa_circle_from_bottom((0, 0), 3, [0, 0, 0]);
        frame.aa_polygon_from_bottom(&[(i64::MIN, 0), (i64::MAX, 5), (3, i64::MAX)], [0, 0, 0]);
    }

    #[test]
    fn aa_circles_are_symmetric() {
        let mut frame = Frame::new(31, 31).unwrap();
        frame.aa_circle_from_bottom((15, 15), 11, [0, 0, 0]);
        for x in 0..31 {
            for y in 0..31 {
                let at = |x: i64, y: i64| frame.colour_from_bottom(x, y);
                assert_eq!(at(x, y), at(30 - x, y), "({x}, {y})");
                assert_eq!(at(x, y), at(x, 30 - y), "({x}, {y})");
            }
        }
        assert_eq!(frame.colour_from_bottom(15, 4), Some([0, 0, 0]));
        assert_eq!(frame.colour_from_bottom(15, 15), Some([255, 255, 255]));
    }
}
