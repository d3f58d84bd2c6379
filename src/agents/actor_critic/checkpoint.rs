//! The actor-critic agent's complete training state.

use serde::{Deserialize, Serialize};

use super::ActorCritic;
use crate::agent::Checkpoint;
use crate::agents::normalization::Normalization;
use crate::agents::on_policy::Rollout;
use crate::agents::state::{StateReader, StateWriter};
use crate::error::AgentError;
use crate::nn::ActorCriticNetwork;
use crate::rng::SeededRng;

/// Counters, generator, the rollout collected since the last update and the normalisation
/// statistics (absent from the states of earlier versions, which did not normalise).
#[derive(Serialize, Deserialize)]
struct Progress {
    rng: SeededRng,
    env_steps: u64,
    updates: u64,
    rollout: Rollout,
    #[serde(default)]
    normalization: Normalization,
}

impl<M: ActorCriticNetwork> Checkpoint for ActorCritic<M> {
    /// The network, the optimizer's moments, the partial rollout, the random generator and the
    /// counters.
    fn training_state(&self) -> Result<Vec<u8>, AgentError> {
        let progress = Progress {
            rng: self.rng.clone(),
            env_steps: self.core.env_steps,
            updates: self.updates,
            rollout: self.core.rollout.clone(),
            normalization: self.core.normalization.clone(),
        };
        Ok(StateWriter::new(&self.header())
            .module("network", &self.acting)?
            .optimizer("optimizer", &self.optimizer)?
            .json("progress", &progress)
            .finish())
    }

    fn restore_training_state(&mut self, state: &[u8]) -> Result<(), AgentError> {
        let reader = StateReader::new(state, &self.header())?;
        let network = reader.module("network", &self.network)?;
        let fresh = self.config.optimizer.init(self.config.clip_grad_value);
        let optimizer = reader.optimizer("optimizer", fresh, &network)?;
        let progress: Progress = reader.json("progress")?;
        reader.check_counters(&[
            ("env_steps", progress.env_steps),
            ("updates", progress.updates),
        ])?;
        self.core.check(
            &progress.rollout,
            &progress.normalization,
            self.config.gamma,
        )?;
        self.network = network;
        self.acting = self.network.valid();
        self.optimizer = optimizer;
        self.rng = progress.rng;
        self.updates = progress.updates;
        self.core
            .restore(progress.env_steps, progress.rollout, progress.normalization);
        Ok(())
    }
}
