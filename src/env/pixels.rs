//! Observing an environment through its pictures.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::{Environment, Frame, Render, Snapshot, Space, Step};
use crate::error::EnvError;

/// How consecutive pictures make one observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PixelFrames {
    /// The current picture minus the previous one (the pixel DQN lecture): motion shows, the
    /// static background cancels. Values in [-1, 1]; zero after a reset.
    Difference,
    /// The last `k` pictures, oldest first, stacked along the channels. Values in [0, 1]; a
    /// reset repeats the first picture.
    Stack(usize),
}

/// The largest [`PixelConfig::supersample`].
pub const MAX_SUPERSAMPLE: usize = 64;

/// Settings of a [`PixelObservation`]. The defaults are the pixel DQN lecture's view at a
/// quarter of Gymnasium's resolution: a 150x100 render, rows 40% to 80% of the height, a
/// window 60% of the width following the picture's focus (the cart), RGB, frame differences:
/// `3 x 40 x 90` observations.
#[derive(Debug, Clone, PartialEq)]
pub struct PixelConfig {
    /// Render width in pixels.
    pub render_width: usize,
    /// Render height in pixels.
    pub render_height: usize,
    /// Anti-aliasing: each observed pixel is the mean of a `supersample x supersample` block
    /// of a picture rendered that many times larger, rounded to the nearest 8-bit level. Thin
    /// shapes (CartPole's pole) then show sub-pixel moves as grey levels. 1 renders at the
    /// observed size; at most 64.
    pub supersample: usize,
    /// First kept row, as a fraction of the height.
    pub crop_top: f64,
    /// End of the kept rows (exclusive), as a fraction of the height.
    pub crop_bottom: f64,
    /// Kept width, as a fraction of the width, centred on the focus (clamped to the frame).
    pub view_width: f64,
    /// One grey channel (the 8-bit level nearest to the mean of R, G and B) instead of three.
    pub grayscale: bool,
    /// How consecutive pictures combine.
    pub frames: PixelFrames,
}

impl Default for PixelConfig {
    fn default() -> Self {
        Self {
            render_width: 150,
            render_height: 100,
            supersample: 1,
            crop_top: 0.4,
            crop_bottom: 0.8,
            view_width: 0.6,
            grayscale: false,
            frames: PixelFrames::Difference,
        }
    }
}

impl PixelConfig {
    /// The kept rows and the kept width, in pixels.
    fn window(&self) -> (std::ops::Range<usize>, usize) {
        let h = self.render_height as f64;
        let rows = (h * self.crop_top) as usize..(h * self.crop_bottom) as usize;
        (rows, (self.render_width as f64 * self.view_width) as usize)
    }

    /// Channels of one picture.
    fn picture_channels(&self) -> usize {
        if self.grayscale { 1 } else { 3 }
    }

    /// The observation's `[channels, height, width]`.
    pub fn shape(&self) -> [usize; 3] {
        let (rows, width) = self.window();
        let frames = match self.frames {
            PixelFrames::Difference => 1,
            PixelFrames::Stack(k) => k,
        };
        [frames * self.picture_channels(), rows.len(), width]
    }

    fn validate(&self) -> Result<(), EnvError> {
        let invalid = |reason: String| {
            Err(EnvError::InvalidConfig {
                field: "pixels",
                reason,
            })
        };
        let fraction = |v: f64| (0.0..=1.0).contains(&v);
        if !(fraction(self.crop_top) && fraction(self.crop_bottom) && fraction(self.view_width)) {
            return invalid(format!("crop fractions must be in [0, 1]: {self:?}"));
        }
        if !(1..=MAX_SUPERSAMPLE).contains(&self.supersample) {
            return invalid(format!(
                "supersample must be in 1..={MAX_SUPERSAMPLE}, got {}",
                self.supersample
            ));
        }
        if self.frames == PixelFrames::Stack(0) {
            return invalid("a stack needs at least one frame".into());
        }
        let [_, height, width] = self.shape();
        if height == 0 || width == 0 || self.render_width == 0 || self.render_height == 0 {
            return invalid(format!("the view is empty: {self:?}"));
        }
        Ok(())
    }
}

/// Wraps a renderable environment so that its observations are pictures: each step renders
/// the state, crops a window that follows [`Render::focus`], and combines the last pictures
/// (difference or stack) into a flat `[channels, height, width]` `f32` observation, the
/// layout [`CnnQNetwork`](crate::nn::CnnQNetwork) reads.
///
/// ```
/// use cinder_rl::env::{CartPole, CartPoleConfig, Environment, PixelConfig, PixelObservation};
///
/// # fn main() -> Result<(), cinder_rl::error::EnvError> {
/// let mut env = PixelObservation::new(CartPole::new(CartPoleConfig::v1())?, PixelConfig::default())?;
/// assert_eq!(env.shape(), [3, 40, 90]);
/// let first = env.reset(Some(0));
/// assert!(first.iter().all(|&v| v == 0.0)); // no motion yet
/// // Pushing right tips the pole over: its picture moves.
/// let mut moved = false;
/// for _ in 0..6 {
///     moved |= env.step(1)?.observation.iter().any(|&v| v != 0.0);
/// }
/// assert!(moved);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct PixelObservation<E> {
    inner: E,
    config: PixelConfig,
    frame: Frame,
    /// The latest pictures, oldest first: 2 for differences, k for stacks.
    history: VecDeque<Vec<f32>>,
}

/// Everything a [`PixelObservation`] needs to continue exactly: see [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PixelState<S> {
    inner: S,
    history: Vec<Vec<f32>>,
}

impl<E: Environment + Render> PixelObservation<E> {
    /// Observes `inner` through its pictures; an empty view is an [`EnvError::InvalidConfig`].
    pub fn new(inner: E, config: PixelConfig) -> Result<Self, EnvError> {
        config.validate()?;
        let rendered = |size: usize| {
            size.checked_mul(config.supersample)
                .ok_or_else(|| EnvError::InvalidConfig {
                    field: "pixels",
                    reason: format!("the supersampled render is too large: {config:?}"),
                })
        };
        let frame = Frame::new(
            rendered(config.render_width)?,
            rendered(config.render_height)?,
        )?;
        Ok(Self {
            inner,
            config,
            frame,
            history: VecDeque::new(),
        })
    }

    /// The observation's `[channels, height, width]`.
    pub fn shape(&self) -> [usize; 3] {
        self.config.shape()
    }

    /// The wrapped environment.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    fn depth(&self) -> usize {
        match self.config.frames {
            PixelFrames::Difference => 2,
            PixelFrames::Stack(k) => k,
        }
    }

    /// Renders the current state and cuts the window: `[channels, rows, width]` in [0, 1].
    fn picture(&mut self) -> Vec<f32> {
        self.inner.render_into(&mut self.frame);
        let (rows, width) = self.config.window();
        let s = self.config.supersample;
        // The window in rendered pixels: it follows the focus at the render's resolution.
        let frame_width = self.frame.width();
        let focus = self.inner.focus().unwrap_or(0.5);
        let centre = (focus * frame_width as f64) as i64;
        let span = (width * s) as i64;
        let left = (centre - span / 2).clamp(0, frame_width as i64 - span) as usize;
        let channels = self.config.picture_channels();
        let plane = rows.len() * width;
        let mut picture = vec![0.0; channels * plane];
        let pixels = self.frame.pixels();
        let block = (s * s) as u32;
        for (r, row) in rows.enumerate() {
            for c in 0..width {
                // Sums of each channel over the block of rendered pixels behind (r, c).
                let mut sums = [0u32; 3];
                for y in row * s..(row + 1) * s {
                    let start = (y * frame_width + left + c * s) * 3;
                    for rgb in pixels[start..start + s * 3].chunks_exact(3) {
                        for (sum, &v) in sums.iter_mut().zip(rgb) {
                            *sum += u32::from(v);
                        }
                    }
                }
                if channels == 1 {
                    // The 8-bit grey level nearest to the mean of the three channels.
                    let grey = (2 * sums.iter().sum::<u32>() + 3 * block) / (6 * block);
                    picture[r * width + c] = grey as f32 / 255.0;
                } else {
                    for (channel, sum) in sums.into_iter().enumerate() {
                        let level = (2 * sum + block) / (2 * block);
                        picture[channel * plane + r * width + c] = level as f32 / 255.0;
                    }
                }
            }
        }
        picture
    }

    /// The observation the history makes.
    fn observation(&self) -> Vec<f32> {
        match self.config.frames {
            PixelFrames::Difference => {
                let (previous, current) = (&self.history[0], &self.history[1]);
                current.iter().zip(previous).map(|(c, p)| c - p).collect()
            }
            PixelFrames::Stack(_) => self.history.iter().flatten().copied().collect(),
        }
    }

    fn push_picture(&mut self) {
        let picture = self.picture();
        if self.history.len() == self.depth() {
            self.history.pop_front();
        }
        self.history.push_back(picture);
    }
}

impl<E: Environment + Render> Environment for PixelObservation<E> {
    type Observation = Vec<f32>;
    type Action = E::Action;

    fn reset(&mut self, seed: Option<u64>) -> Vec<f32> {
        self.inner.reset(seed);
        let picture = self.picture();
        self.history = std::iter::repeat_n(picture, self.depth()).collect();
        self.observation()
    }

    fn step(&mut self, action: E::Action) -> Result<Step<Vec<f32>>, EnvError> {
        let step = self.inner.step(action)?;
        self.push_picture();
        Ok(Step::new(
            self.observation(),
            step.reward,
            step.terminated,
            step.truncated,
        ))
    }

    fn action_space(&self) -> Space {
        self.inner.action_space()
    }

    fn observation_space(&self) -> Space {
        let [c, h, w] = self.shape();
        let low = match self.config.frames {
            PixelFrames::Difference => -1.0,
            PixelFrames::Stack(_) => 0.0,
        };
        Space::Box(super::BoxSpace {
            low: vec![low; c * h * w],
            high: vec![1.0; c * h * w],
            shape: vec![c, h, w],
        })
    }

    fn reward_threshold(&self) -> Option<f64> {
        self.inner.reward_threshold()
    }

    fn max_episode_steps(&self) -> Option<usize> {
        self.inner.max_episode_steps()
    }
}

impl<E: Environment + Render> Render for PixelObservation<E> {
    fn render_into(&self, frame: &mut Frame) {
        self.inner.render_into(frame)
    }

    fn focus(&self) -> Option<f64> {
        self.inner.focus()
    }
}

impl<E: Snapshot + Render> Snapshot for PixelObservation<E> {
    type State = PixelState<E::State>;

    fn snapshot(&self) -> Self::State {
        PixelState {
            inner: self.inner.snapshot(),
            history: self.history.iter().cloned().collect(),
        }
    }

    /// A history of another depth or picture size is an [`EnvError::InvalidConfig`].
    fn restore(&mut self, state: Self::State) -> Result<Vec<f32>, EnvError> {
        let [c, h, w] = self.shape();
        let picture_len = match self.config.frames {
            PixelFrames::Difference => c * h * w,
            PixelFrames::Stack(k) => c * h * w / k,
        };
        if state.history.len() != self.depth()
            || state.history.iter().any(|p| p.len() != picture_len)
        {
            return Err(EnvError::InvalidConfig {
                field: "pixels",
                reason: "the saved pictures do not fit this view".into(),
            });
        }
        self.inner.restore(state.inner)?;
        self.history = state.history.into();
        Ok(self.observation())
    }
}
