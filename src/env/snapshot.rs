//! Saving and restoring an environment's complete state.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Environment;
use crate::error::EnvError;

/// An environment whose complete state (including its random generator and episode
/// bookkeeping) can be captured and restored, so that a training run can stop and continue
/// exactly where it was, mid-episode included.
pub trait Snapshot: Environment {
    /// The captured state.
    type State: Serialize + DeserializeOwned;

    /// Captures the current state.
    fn snapshot(&self) -> Self::State;

    /// Restores a captured state and returns the observation of that state.
    fn restore(&mut self, state: Self::State) -> Result<Self::Observation, EnvError>;
}
