//! The episode bookkeeping of the Gymnasium-exact environments: whether an episode runs, how
//! many steps it has taken, and the time limit `gymnasium.make` puts around it.

use serde::{Deserialize, Serialize};

use crate::error::EnvError;

/// Steps since the last reset, and whether an episode is running (reset called, not yet
/// terminated or truncated).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeClock {
    /// Steps since the last reset.
    pub steps: usize,
    /// Whether an episode is running.
    pub running: bool,
}

impl EpisodeClock {
    /// A new episode.
    pub(crate) fn start(&mut self) {
        *self = Self {
            steps: 0,
            running: true,
        };
    }

    /// `Ok` while an episode runs; [`EnvError::ResetNeeded`] before the first reset,
    /// [`EnvError::EpisodeEnded`] after the episode ended.
    pub(crate) fn check_running(&self) -> Result<(), EnvError> {
        match (self.running, self.steps) {
            (true, _) => Ok(()),
            (false, 0) => Err(EnvError::ResetNeeded),
            (false, _) => Err(EnvError::EpisodeEnded),
        }
    }

    /// Counts a step that `terminated` or not; returns whether the time limit truncates the
    /// episode (Gymnasium's `TimeLimit`: also when it terminated on the same step).
    pub(crate) fn tick(&mut self, terminated: bool, limit: Option<usize>) -> bool {
        self.steps += 1;
        let truncated = limit.is_some_and(|limit| self.steps >= limit);
        if terminated || truncated {
            self.running = false;
        }
        truncated
    }
}

/// `Ok` when every value of a restored state is finite; an [`EnvError::InvalidConfig`]
/// otherwise.
pub(crate) fn check_finite_state(state: &[f64]) -> Result<(), EnvError> {
    if state.iter().all(|v| v.is_finite()) {
        return Ok(());
    }
    Err(EnvError::InvalidConfig {
        field: "state",
        reason: format!("must be finite, got {state:?}"),
    })
}
