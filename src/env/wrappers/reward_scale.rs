//! Reward scaling.

use super::{forward_spaces, inner_access};
use crate::env::{Environment, Step};
use crate::error::EnvError;

/// Multiplies every reward by a constant (the tutorials' `reward / 100`).
#[derive(Debug, Clone)]
pub struct RewardScale<E> {
    inner: E,
    scale: f64,
}

impl<E: Environment> RewardScale<E> {
    /// Wraps `inner`; a scale that is not finite is an [`EnvError::InvalidConfig`].
    pub fn new(inner: E, scale: f64) -> Result<Self, EnvError> {
        if !scale.is_finite() {
            return Err(EnvError::InvalidConfig {
                field: "scale",
                reason: format!("must be finite, got {scale}"),
            });
        }
        Ok(Self { inner, scale })
    }

    /// The factor rewards are multiplied by.
    pub fn scale(&self) -> f64 {
        self.scale
    }
}

inner_access!(RewardScale);

impl<E: Environment> Environment for RewardScale<E> {
    type Observation = E::Observation;
    type Action = E::Action;

    fn reset(&mut self, seed: Option<u64>) -> E::Observation {
        self.inner.reset(seed)
    }

    fn step(&mut self, action: E::Action) -> Result<Step<E::Observation>, EnvError> {
        let mut step = self.inner.step(action)?;
        step.reward *= self.scale;
        Ok(step)
    }

    fn max_episode_steps(&self) -> Option<usize> {
        self.inner.max_episode_steps()
    }

    /// The inner threshold, scaled like the rewards.
    fn reward_threshold(&self) -> Option<f64> {
        self.inner.reward_threshold().map(|t| t * self.scale)
    }

    forward_spaces!(spaces);
}
