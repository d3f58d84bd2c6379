//! The uniformly random policy.

use rand::RngExt;

use super::Policy;
use crate::error::PolicyError;
use crate::rng::{SeededRng, seeded};

/// Picks one of `0..n_actions` uniformly at random, ignoring the observation: the baseline
/// every learner must beat.
#[derive(Debug, Clone)]
pub struct RandomPolicy {
    n_actions: usize,
    rng: SeededRng,
}

impl RandomPolicy {
    /// A random policy over `0..n_actions`, seeded with `seed`; zero actions is a
    /// [`PolicyError::NoActions`].
    pub fn new(n_actions: usize, seed: u64) -> Result<Self, PolicyError> {
        if n_actions == 0 {
            return Err(PolicyError::NoActions);
        }
        Ok(Self {
            n_actions,
            rng: seeded(seed),
        })
    }
}

impl<O: ?Sized> Policy<O> for RandomPolicy {
    fn act(&mut self, _observation: &O) -> Result<usize, PolicyError> {
        Ok(self.rng.random_range(0..self.n_actions))
    }
}
