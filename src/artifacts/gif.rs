//! Animated GIFs of episodes.

use std::collections::HashMap;
use std::path::Path;

use gif::{Encoder, Repeat};

use super::io_error;
use crate::agent::{Agent, Mode};
use crate::atomic::write_atomic;
use crate::env::{Environment, Frame, Render};
use crate::error::{ArtifactError, Error};

/// Encodes frames into an animated GIF as they come (memory stays at the compressed size),
/// then writes it atomically.
///
/// Frames with at most 256 colours (CartPole has 4) are stored exactly; others are quantised.
///
/// ```
/// use cinder_rl::artifacts::GifRecorder;
/// use cinder_rl::env::{CartPole, CartPoleConfig, Environment, Render};
///
/// # fn main() -> Result<(), cinder_rl::Error> {
/// let mut env = CartPole::new(CartPoleConfig::v1())?;
/// env.reset(Some(0));
/// let mut gif = GifRecorder::new(150, 100, 50)?;
/// for _ in 0..5 {
///     gif.push(&env.render(150, 100)?)?;
///     env.step(1)?;
/// }
/// assert_eq!(gif.frames(), 5);
/// let path = std::env::temp_dir().join(format!("doc-{}.gif", std::process::id()));
/// gif.finish(&path)?;
/// assert!(std::fs::read(&path).unwrap().starts_with(b"GIF89a"));
/// # std::fs::remove_file(path).unwrap();
/// # Ok(())
/// # }
/// ```
pub struct GifRecorder {
    encoder: Encoder<Vec<u8>>,
    width: usize,
    height: usize,
    delay_cs: u16,
    frames: usize,
    indexed: Vec<u8>,
}

impl GifRecorder {
    /// A recorder for `width x height` frames shown `fps` frames a second (CartPole's is 50),
    /// looping forever. Sizes beyond 65 535 or zero, or a zero rate, are an
    /// [`ArtifactError::Gif`].
    pub fn new(width: usize, height: usize, fps: u16) -> Result<Self, ArtifactError> {
        let side = |v: usize| u16::try_from(v).ok().filter(|&v| v > 0);
        let (Some(w), Some(h)) = (side(width), side(height)) else {
            return Err(ArtifactError::Gif(format!(
                "frame size {width}x{height} out of range"
            )));
        };
        if fps == 0 {
            return Err(ArtifactError::Gif("the frame rate must be positive".into()));
        }
        let gif_error = |e: gif::EncodingError| ArtifactError::Gif(e.to_string());
        let mut encoder = Encoder::new(Vec::new(), w, h, &[]).map_err(gif_error)?;
        encoder.set_repeat(Repeat::Infinite).map_err(gif_error)?;
        Ok(Self {
            encoder,
            width,
            height,
            delay_cs: (100 / fps).max(1),
            frames: 0,
            indexed: Vec::with_capacity(width * height),
        })
    }

    /// Appends a frame; one of another size is an [`ArtifactError::Gif`].
    pub fn push(&mut self, frame: &Frame) -> Result<(), ArtifactError> {
        if (frame.width(), frame.height()) != (self.width, self.height) {
            return Err(ArtifactError::Gif(format!(
                "a {}x{} frame in a {}x{} animation",
                frame.width(),
                frame.height(),
                self.width,
                self.height
            )));
        }
        let (w, h) = (self.width as u16, self.height as u16);
        let mut gif_frame = match self.palette_of(frame.pixels()) {
            Some(palette) => {
                gif::Frame::from_palette_pixels(w, h, self.indexed.as_slice(), palette, None)
            }
            None => gif::Frame::from_rgb_speed(w, h, frame.pixels(), 10),
        };
        gif_frame.delay = self.delay_cs;
        self.encoder
            .write_frame(&gif_frame)
            .map_err(|e| ArtifactError::Gif(e.to_string()))?;
        self.frames += 1;
        Ok(())
    }

    /// The number of frames pushed.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Finishes the animation and writes it to `path`, atomically.
    pub fn finish(self, path: &Path) -> Result<(), ArtifactError> {
        let bytes = self
            .encoder
            .into_inner()
            .map_err(|e| ArtifactError::Gif(e.to_string()))?;
        write_atomic(path, &bytes).map_err(|e| io_error(path, e))
    }

    /// Indexes `pixels` into `self.indexed` and returns their palette, when they hold at most
    /// 256 colours.
    fn palette_of(&mut self, pixels: &[u8]) -> Option<Vec<u8>> {
        let mut colours: HashMap<[u8; 3], u8> = HashMap::new();
        let mut palette = Vec::new();
        self.indexed.clear();
        for rgb in pixels.chunks_exact(3) {
            let rgb = [rgb[0], rgb[1], rgb[2]];
            let index = match colours.get(&rgb) {
                Some(&index) => index,
                None => {
                    let index = u8::try_from(colours.len()).ok()?;
                    colours.insert(rgb, index);
                    palette.extend_from_slice(&rgb);
                    index
                }
            };
            self.indexed.push(index);
        }
        Some(palette)
    }
}

/// Plays one greedy episode (the first reset seeded with `seed`) and records a frame of every
/// state, the first included, into `recorder`. Returns the episode's return.
pub fn record_episode<E, A>(
    agent: &mut A,
    env: &mut E,
    seed: u64,
    recorder: &mut GifRecorder,
) -> Result<f64, Error>
where
    E: Environment + Render,
    A: Agent<E::Observation, E::Action>,
{
    let mut frame = Frame::new(recorder.width, recorder.height)?;
    let mut observation = env.reset(Some(seed));
    let mut episode_return = 0.0;
    loop {
        env.render_into(&mut frame);
        recorder.push(&frame)?;
        let step = env.step(agent.act(&observation, Mode::Exploit)?)?;
        episode_return += step.reward;
        if step.done() {
            env.render_into(&mut frame);
            recorder.push(&frame)?;
            return Ok(episode_return);
        }
        observation = step.observation;
    }
}
