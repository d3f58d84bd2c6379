//! Rendering: RGB [`Frame`]s, the [`Render`] trait, and the rasterisation the classic
//! renderers share: polygon and circle fills and plain lines with the pixel rules of SDL_gfx
//! and pygame (which Gymnasium draws with), the mapping of Gymnasium's screen onto frames of
//! any size, and pygame's vector rotation. The anti-aliased outlines are in `gfx_outline`
//! (SDL_gfx's polygons and circles) and `aa_polyline` (pygame-ce's lines).

use crate::error::EnvError;

/// Coordinates beyond this many pixels from the origin are clamped to it before drawing (a
/// shape that far out is off any frame), which keeps the integer arithmetic of the fills and
/// outlines from overflowing and their loops short.
const COORDINATE_LIMIT: i64 = 1 << 24;

/// The largest circle radius drawn, SDL_gfx's 16-bit limit; larger radii are clamped to it.
pub(crate) const RADIUS_LIMIT: i64 = i16::MAX as i64;

/// `(x, y)` with each coordinate clamped to `±COORDINATE_LIMIT`.
pub(crate) fn limited((x, y): (i64, i64)) -> (i64, i64) {
    let clamp = |v: i64| v.clamp(-COORDINATE_LIMIT, COORDINATE_LIMIT);
    (clamp(x), clamp(y))
}

/// An RGB image, row 0 at the top, 3 bytes a pixel, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

/// An RGB colour.
pub type Rgb = [u8; 3];

impl Frame {
    /// A white frame; a zero width or height, or a byte count beyond `usize`, is an
    /// [`EnvError::InvalidConfig`].
    pub fn new(width: usize, height: usize) -> Result<Self, EnvError> {
        let bytes = width.checked_mul(height).and_then(|n| n.checked_mul(3));
        match bytes {
            Some(bytes) if bytes > 0 => Ok(Self {
                width,
                height,
                pixels: vec![255; bytes],
            }),
            _ => Err(EnvError::InvalidConfig {
                field: "frame size",
                reason: format!(
                    "need at least 1x1 pixels and a size that fits in memory, got {width}x{height}"
                ),
            }),
        }
    }

    /// A frame of the given `width * height * 3` RGB bytes (row 0 at the top); a size of zero
    /// or a byte count that does not match is an [`EnvError::InvalidConfig`].
    pub fn from_pixels(width: usize, height: usize, pixels: Vec<u8>) -> Result<Self, EnvError> {
        let mut frame = Self::new(width, height)?;
        if pixels.len() != frame.pixels.len() {
            return Err(EnvError::InvalidConfig {
                field: "frame pixels",
                reason: format!("{} bytes for {width}x{height} RGB pixels", pixels.len()),
            });
        }
        frame.pixels = pixels;
        Ok(frame)
    }

    /// Paints the pixel at column `x`, row `y` (row 0 at the top); outside the frame nothing
    /// happens.
    pub fn set_pixel(&mut self, x: usize, y: usize, colour: Rgb) {
        if x < self.width && y < self.height {
            let i = (y * self.width + x) * 3;
            self.pixels[i..i + 3].copy_from_slice(&colour);
        }
    }

    /// Paints the `width x height` rectangle whose top-left pixel is `(x, y)`, clipped to the
    /// frame.
    pub fn fill_rect(&mut self, x: usize, y: usize, width: usize, height: usize, colour: Rgb) {
        for row in y..(y + height).min(self.height) {
            for column in x..(x + width).min(self.width) {
                self.set_pixel(column, row, colour);
            }
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The `height * width * 3` RGB bytes, row-major from the top row.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The colour at column `x`, row `y` (row 0 at the top); `None` outside the frame.
    pub fn pixel(&self, x: usize, y: usize) -> Option<Rgb> {
        (x < self.width && y < self.height).then(|| {
            let i = (y * self.width + x) * 3;
            [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
        })
    }

    /// Paints every pixel `colour`.
    pub fn fill(&mut self, colour: Rgb) {
        for pixel in self.pixels.chunks_exact_mut(3) {
            pixel.copy_from_slice(&colour);
        }
    }

    /// Paints columns `x0..=x1` of row `y`, counted from the bottom ("math" coordinates, as
    /// pygame's drawing before its vertical flip), clipped to the frame.
    pub(crate) fn hline_from_bottom(&mut self, x0: i64, x1: i64, y: i64, colour: Rgb) {
        let (x0, x1) = (x0.min(x1).max(0), x0.max(x1).min(self.width as i64 - 1));
        if y < 0 || y >= self.height as i64 || x0 > x1 {
            return;
        }
        let row = self.height - 1 - y as usize;
        let start = (row * self.width + x0 as usize) * 3;
        let end = (row * self.width + x1 as usize + 1) * 3;
        for pixel in self.pixels[start..end].chunks_exact_mut(3) {
            pixel.copy_from_slice(&colour);
        }
    }

    /// Fills the polygon with integer `vertices` (bottom-up coordinates) by SDL_gfx's scanline
    /// rule, which pygame's `gfxdraw.filled_polygon` uses: both end pixels of every span are
    /// painted. Only the frame's rows are scanned.
    pub(crate) fn fill_polygon_from_bottom(&mut self, vertices: &[(i64, i64)], colour: Rgb) {
        let n = vertices.len();
        if n < 3 {
            return;
        }
        let vertices: Vec<(i64, i64)> = vertices.iter().map(|&v| limited(v)).collect();
        let min_y = vertices.iter().map(|v| v.1).min().unwrap_or(0);
        let max_y = vertices.iter().map(|v| v.1).max().unwrap_or(0);
        let rows = min_y.max(0)..=max_y.min(self.height as i64 - 1);
        let mut crossings: Vec<i64> = Vec::with_capacity(n);
        for y in rows {
            crossings.clear();
            for i in 0..n {
                let (a, b) = (vertices[(i + n - 1) % n], vertices[i]);
                let ((x1, y1), (x2, y2)) = match a.1.cmp(&b.1) {
                    std::cmp::Ordering::Less => (a, b),
                    std::cmp::Ordering::Greater => (b, a),
                    std::cmp::Ordering::Equal => continue,
                };
                if (y >= y1 && y < y2) || (y == max_y && y > y1 && y <= y2) {
                    crossings.push(((65536 * (y - y1)) / (y2 - y1)) * (x2 - x1) + 65536 * x1);
                }
            }
            crossings.sort_unstable();
            for pair in crossings.chunks_exact(2) {
                let round = |v: i64| (v >> 16) + ((v & 32768) >> 15);
                self.hline_from_bottom(round(pair[0] + 1), round(pair[1] - 1), y, colour);
            }
        }
    }

    /// Fills the disc of `radius` around `(cx, cy)` (bottom-up coordinates) as SDL_gfx's
    /// `filledCircle` (pygame's `gfxdraw.filled_circle`) does: the midpoint circle walk, each
    /// step painting the spans its octant points bound. A negative radius draws nothing.
    pub(crate) fn fill_circle_from_bottom(&mut self, cx: i64, cy: i64, radius: i64, colour: Rgb) {
        if radius < 0 {
            return;
        }
        let ((cx, cy), radius) = (limited((cx, cy)), radius.min(RADIUS_LIMIT));
        let (mut x, mut y) = (0, radius);
        let (mut last_x, mut last_y) = (-1, -1);
        let (mut decision, mut east, mut south_east) = (1 - radius, 3, 5 - 2 * radius);
        loop {
            if last_y != y {
                self.hline_from_bottom(cx - x, cx + x, cy + y, colour);
                self.hline_from_bottom(cx - x, cx + x, cy - y, colour);
                last_y = y;
            }
            if last_x != x && x != y {
                self.hline_from_bottom(cx - y, cx + y, cy - x, colour);
                self.hline_from_bottom(cx - y, cx + y, cy + x, colour);
            }
            last_x = x;
            if decision < 0 {
                decision += east;
                south_east += 2;
            } else {
                decision += south_east;
                south_east += 4;
                y -= 1;
            }
            east += 2;
            x += 1;
            if x > y {
                break;
            }
        }
    }

    /// Paints the pixel at column `x`, row `y` counted from the bottom; outside the frame
    /// nothing happens.
    pub(crate) fn paint_from_bottom(&mut self, x: i64, y: i64, colour: Rgb) {
        if let Some(i) = self.index_from_bottom(x, y) {
            self.pixels[i..i + 3].copy_from_slice(&colour);
        }
    }

    /// Moves the pixel at `(x, y)` (bottom-up) towards `colour` by `alpha / 256`, each channel
    /// by `(colour - old) * alpha >> 8` (an arithmetic shift), as SDL_gfx blends; `alpha` 255
    /// paints. Outside the frame nothing happens.
    pub(crate) fn blend_from_bottom(&mut self, x: i64, y: i64, colour: Rgb, alpha: u8) {
        if alpha == 255 {
            return self.paint_from_bottom(x, y, colour);
        }
        if let Some(i) = self.index_from_bottom(x, y) {
            for (old, new) in self.pixels[i..i + 3].iter_mut().zip(colour) {
                let moved = ((i32::from(new) - i32::from(*old)) * i32::from(alpha)) >> 8;
                *old = (i32::from(*old) + moved) as u8;
            }
        }
    }

    /// The colour at `(x, y)` (bottom-up); `None` outside the frame.
    pub(crate) fn colour_from_bottom(&self, x: i64, y: i64) -> Option<Rgb> {
        self.index_from_bottom(x, y)
            .map(|i| [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]])
    }

    /// The byte offset of the pixel at `(x, y)` (bottom-up), if it is in the frame.
    fn index_from_bottom(&self, x: i64, y: i64) -> Option<usize> {
        let (x, y) = (usize::try_from(x).ok()?, usize::try_from(y).ok()?);
        (x < self.width && y < self.height).then(|| ((self.height - 1 - y) * self.width + x) * 3)
    }

    /// A one-pixel line from `(x1, y1)` to `(x2, y2)` inclusive (bottom-up), by pygame's
    /// `draw.line` (Bresenham's walk with the error halved at the start); SDL_gfx's `vline`
    /// paints the same pixels. A line wholly to one side of the frame draws nothing.
    pub(crate) fn line_from_bottom(&mut self, from: (i64, i64), to: (i64, i64), colour: Rgb) {
        let ((x1, y1), (x2, y2)) = (limited(from), limited(to));
        let (width, height) = (self.width as i64, self.height as i64);
        if x1.max(x2) < 0 || y1.max(y2) < 0 || x1.min(x2) >= width || y1.min(y2) >= height {
            return;
        }
        let (dx, dy) = ((x2 - x1).abs(), (y2 - y1).abs());
        let (sx, sy) = (if x1 < x2 { 1 } else { -1 }, if y1 < y2 { 1 } else { -1 });
        let mut error = (if dx > dy { dx } else { -dy }) / 2;
        let (mut x, mut y) = (x1, y1);
        while (x, y) != (x2, y2) {
            self.paint_from_bottom(x, y, colour);
            let before = error;
            if before > -dx {
                error -= dy;
                x += sx;
            }
            if before < dy {
                error += dx;
                y += sy;
            }
        }
        self.paint_from_bottom(x2, y2, colour);
    }
}

/// Maps a scene laid out for Gymnasium's screen (`width x height` pixels, y up) onto a frame
/// of any size: every coordinate is scaled by `frame width / width` horizontally and
/// `frame height / height` vertically, then truncated towards zero as pygame truncates its
/// float coordinates. At the screen's own size the mapping is exact.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScreenScale {
    sx: f64,
    sy: f64,
}

impl ScreenScale {
    /// The mapping of a `width x height` screen onto `frame`.
    pub(crate) fn new(frame: &Frame, width: f64, height: f64) -> Self {
        Self {
            sx: frame.width() as f64 / width,
            sy: frame.height() as f64 / height,
        }
    }

    /// The frame pixel (bottom-up) of a screen point.
    pub(crate) fn pixel(&self, (x, y): (f64, f64)) -> (i64, i64) {
        ((x * self.sx) as i64, (y * self.sy) as i64)
    }

    /// A screen point in frame units, as the single-precision floats pygame's anti-aliased
    /// lines take.
    pub(crate) fn point(&self, (x, y): (f64, f64)) -> (f32, f32) {
        ((x * self.sx) as f32, (y * self.sy) as f32)
    }

    /// A radius in frame pixels: scaled by the smaller of the two factors, truncated.
    pub(crate) fn radius(&self, radius: i64) -> i64 {
        (radius as f64 * self.sx.min(self.sy)) as i64
    }

    /// The screen point (y up) at the centre of the frame pixel at column `x`, bottom-up row
    /// `y`.
    pub(crate) fn screen_point(&self, x: usize, y: usize) -> (f64, f64) {
        ((x as f64 + 0.5) / self.sx, (y as f64 + 0.5) / self.sy)
    }
}

/// `(x, y)` rotated by `angle` radians, as pygame's `Vector2.rotate_rad` rotates it: the angle
/// is first brought into `[0, 2π)` with `fmod`, and within 1e-6 of a multiple of π/2 the
/// rotation is exact (a swap and sign changes) rather than through `sin` and `cos`.
pub(crate) fn rotate((x, y): (f64, f64), angle: f64) -> (f64, f64) {
    use std::f64::consts::{FRAC_PI_2, TAU};
    const EPSILON: f64 = 1e-6;
    let mut angle = angle % TAU;
    if angle < 0.0 {
        angle += TAU;
    }
    if (angle + EPSILON) % FRAC_PI_2 < 2.0 * EPSILON {
        return match ((angle + EPSILON) / FRAC_PI_2) as i64 {
            1 => (-y, x),
            2 => (-x, -y),
            3 => (y, -x),
            _ => (x, y),
        };
    }
    let (sin, cos) = (angle.sin(), angle.cos());
    (cos * x - sin * y, sin * x + cos * y)
}

/// An environment that can draw its current state.
pub trait Render {
    /// Draws the current state into `frame` (any size), replacing its contents.
    fn render_into(&self, frame: &mut Frame);

    /// Where the picture's subject is, horizontally, as a fraction of the frame's width
    /// (CartPole: the cart's centre), for views that follow it; `None` (the default) centres
    /// such views.
    fn focus(&self) -> Option<f64> {
        None
    }

    /// The `(width, height)` its pictures are designed for (Gymnasium's screen size): what
    /// GIFs of episodes use. The default is CartPole's 600x400.
    fn screen_size(&self) -> (usize, usize) {
        (600, 400)
    }

    /// Draws the current state into a new `width x height` frame.
    fn render(&self, width: usize, height: usize) -> Result<Frame, EnvError> {
        let mut frame = Frame::new(width, height)?;
        self.render_into(&mut frame);
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_fill_both_end_pixels_and_flip_vertically() {
        let mut frame = Frame::new(10, 8).unwrap();
        frame.fill_polygon_from_bottom(&[(2, 1), (2, 3), (5, 3), (5, 1)], [0, 0, 0]);
        let painted: Vec<(usize, usize)> = (0..8)
            .flat_map(|y| (0..10).map(move |x| (x, y)))
            .filter(|&(x, y)| frame.pixel(x, y) == Some([0, 0, 0]))
            .collect();
        let expected: Vec<(usize, usize)> =
            (4..=6).flat_map(|y| (2..=5).map(move |x| (x, y))).collect();
        assert_eq!(painted, expected);
        assert!(Frame::new(0, 3).is_err());
    }
}
