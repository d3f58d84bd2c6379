//! The PPO agent's complete training state.

use serde::{Deserialize, Serialize};

use super::Ppo;
use crate::agent::Checkpoint;
use crate::agents::normalize::{ObservationNormalizer, RewardNormalizer};
use crate::agents::on_policy::Rollout;
use crate::agents::state::{StateReader, StateWriter};
use crate::error::AgentError;
use crate::nn::PolicyValueNetwork;
use crate::rng::SeededRng;

/// Counters, generator, normalisation statistics and the rollout collected since the last
/// update.
#[derive(Serialize, Deserialize)]
struct Progress {
    rng: SeededRng,
    env_steps: u64,
    updates: u64,
    rollout: Rollout,
    observations: Option<ObservationNormalizer>,
    rewards: Option<RewardNormalizer>,
}

fn invalid(reason: String) -> AgentError {
    AgentError::Format {
        path: "training state".into(),
        reason,
    }
}

impl<M: PolicyValueNetwork> Checkpoint for Ppo<M> {
    /// The network, the optimizer's moments, the partial rollout, the normalisation
    /// statistics, the random generator and the counters.
    fn training_state(&self) -> Result<Vec<u8>, AgentError> {
        let progress = Progress {
            rng: self.rng.clone(),
            env_steps: self.core.env_steps,
            updates: self.updates,
            rollout: self.core.rollout.clone(),
            observations: self.observations.clone(),
            rewards: self.rewards.clone(),
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
        let fresh = self.config.optimizer.init(None);
        let optimizer = reader.optimizer("optimizer", fresh, &network)?;
        let progress: Progress = reader.json("progress")?;
        reader.check_counters(&[
            ("env_steps", progress.env_steps),
            ("updates", progress.updates),
        ])?;
        self.core
            .check(&progress.rollout)
            .map_err(|reason| invalid(format!("invalid rollout: {reason}")))?;
        match (&progress.observations, &self.observations) {
            (Some(saved), Some(_)) => saved
                .check(self.obs_dim)
                .map_err(|reason| invalid(format!("invalid observation statistics: {reason}")))?,
            (None, None) => {}
            _ => {
                return Err(invalid(
                    "observation statistics present for an agent that does not normalise, or missing for one that does".into(),
                ));
            }
        }
        match (&progress.rewards, &self.rewards) {
            (Some(saved), Some(_)) => saved
                .check(self.config.num_envs, self.config.gamma)
                .map_err(|reason| invalid(format!("invalid reward statistics: {reason}")))?,
            (None, None) => {}
            _ => {
                return Err(invalid(
                    "reward statistics present for an agent that does not normalise, or missing for one that does".into(),
                ));
            }
        }
        self.network = network;
        self.acting = self.network.valid();
        self.optimizer = optimizer;
        self.rng = progress.rng;
        self.core.env_steps = progress.env_steps;
        self.updates = progress.updates;
        self.core.rollout = progress.rollout;
        self.observations = progress.observations;
        self.rewards = progress.rewards;
        Ok(())
    }
}
