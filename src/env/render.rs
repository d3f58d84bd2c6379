//! Rendering: RGB [`Frame`]s, the [`Render`] trait, and the rasterisation CartPole's
//! renderer needs (polygon and circle fills with SDL_gfx's pixel rules, horizontal lines).

use crate::error::EnvError;

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
    /// painted.
    pub(crate) fn fill_polygon_from_bottom(&mut self, vertices: &[(i64, i64)], colour: Rgb) {
        let n = vertices.len();
        if n < 3 {
            return;
        }
        let min_y = vertices.iter().map(|v| v.1).min().unwrap_or(0);
        let max_y = vertices.iter().map(|v| v.1).max().unwrap_or(0);
        let mut crossings: Vec<i64> = Vec::with_capacity(n);
        for y in min_y..=max_y {
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

    /// Fills the disc of `radius` around `(cx, cy)` (bottom-up coordinates): row `dy` spans
    /// `round(sqrt(radius^2 - dy^2))` pixels either side of the centre.
    pub(crate) fn fill_circle_from_bottom(&mut self, cx: i64, cy: i64, radius: i64, colour: Rgb) {
        for dy in -radius..=radius {
            let half = (((radius * radius - dy * dy) as f64).sqrt()).round() as i64;
            self.hline_from_bottom(cx - half, cx + half, cy + dy, colour);
        }
    }
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
