//! Truncation after a fixed number of steps.

use super::{check_at_least_one, forward_spaces, inner_access};
use crate::env::{AfterDone, Environment, Step};
use crate::error::EnvError;

/// Truncates every episode after a fixed number of steps (Gymnasium's `TimeLimit`).
///
/// The step that reaches the limit is reported `truncated` (and may be `terminated` too).
/// Stepping again before `reset` is [`EnvError::EpisodeEnded`], unless
/// [`with_after_done`](Self::with_after_done)`(AfterDone::Continue)` asks for Gymnasium's
/// behaviour of passing the step on and reporting it truncated.
#[derive(Debug, Clone)]
pub struct TimeLimit<E> {
    inner: E,
    max_episode_steps: usize,
    elapsed_steps: usize,
    after_done: AfterDone,
}

impl<E: Environment> TimeLimit<E> {
    /// Wraps `inner`; a limit of zero is an [`EnvError::InvalidConfig`].
    pub fn new(inner: E, max_episode_steps: usize) -> Result<Self, EnvError> {
        check_at_least_one("max_episode_steps", max_episode_steps)?;
        Ok(Self {
            inner,
            max_episode_steps,
            elapsed_steps: 0,
            after_done: AfterDone::Error,
        })
    }

    /// Chooses what stepping past the limit does.
    pub fn with_after_done(mut self, after_done: AfterDone) -> Self {
        self.after_done = after_done;
        self
    }

    /// Steps taken since the last reset.
    pub fn elapsed_steps(&self) -> usize {
        self.elapsed_steps
    }
}

inner_access!(TimeLimit);

impl<E: Environment> Environment for TimeLimit<E> {
    type Observation = E::Observation;
    type Action = E::Action;

    fn reset(&mut self, seed: Option<u64>) -> E::Observation {
        self.elapsed_steps = 0;
        self.inner.reset(seed)
    }

    fn step(&mut self, action: E::Action) -> Result<Step<E::Observation>, EnvError> {
        if self.elapsed_steps >= self.max_episode_steps && self.after_done == AfterDone::Error {
            return Err(EnvError::EpisodeEnded);
        }
        let mut step = self.inner.step(action)?;
        self.elapsed_steps += 1;
        step.truncated |= self.elapsed_steps >= self.max_episode_steps;
        Ok(step)
    }

    fn max_episode_steps(&self) -> Option<usize> {
        Some(self.max_episode_steps)
    }

    forward_spaces!();
}
