//! The TD3 agent's complete training state.

use burn::module::Module;
use serde::{Deserialize, Serialize};

use super::Td3;
use crate::agent::Checkpoint;
use crate::agents::normalization::Normalization;
use crate::agents::state::{StateReader, StateWriter};
use crate::error::AgentError;
use crate::memory::MemoryState;
use crate::nn::{ActorNetwork, ContinuousQNetwork};
use crate::rng::SeededRng;

/// Counters, generators and the normalisation statistics.
#[derive(Serialize, Deserialize)]
struct Progress {
    acting_rng: SeededRng,
    noise_rng: SeededRng,
    sample_rng: SeededRng,
    env_steps: u64,
    episodes: u64,
    updates: u64,
    normalization: Normalization,
}

impl<A: ActorNetwork, Q: ContinuousQNetwork, R: MemoryState> Checkpoint for Td3<A, Q, R> {
    /// The actor, both critics and the targets of all three, both optimizers' moments, the
    /// whole replay memory, the generators, the counters and the normalisation statistics.
    fn training_state(&self) -> Result<Vec<u8>, AgentError> {
        let progress = Progress {
            acting_rng: self.core.rng.clone(),
            noise_rng: self.noise_rng.clone(),
            sample_rng: self.core.off.sample_rng.clone(),
            env_steps: self.core.off.env_steps,
            episodes: self.core.off.episodes,
            updates: self.updates,
            normalization: self.core.normalization.clone(),
        };
        Ok(StateWriter::new(&self.header())
            .module("actor", &self.acting)?
            .module("actor-target", &self.actor_target)?
            .module("critics", &self.critics.valid())?
            .module("critics-target", &self.critics_target)?
            .optimizer("actor-optimizer", &self.optimizers.actor)?
            .optimizer("critics-optimizer", &self.optimizers.critics)?
            .bytes("replay", MemoryState::to_bytes(&self.core.off.memory))
            .json("progress", &progress)
            .finish())
    }

    fn restore_training_state(&mut self, state: &[u8]) -> Result<(), AgentError> {
        let reader = StateReader::new(state, &self.header())?;
        let actor = reader.module("actor", &self.actor)?;
        let actor_target = reader.module("actor-target", &self.actor_target)?;
        let critics = reader.module("critics", &self.critics)?;
        let critics_target = reader.module("critics-target", &self.critics_target)?;
        let fresh = || self.config.optimizer.init(None);
        let actor_optimizer = reader.optimizer("actor-optimizer", fresh(), &actor)?;
        let critics_optimizer = reader.optimizer("critics-optimizer", fresh(), &critics)?;
        let memory = R::from_bytes(reader.bytes("replay")?)?;
        let progress: Progress = reader.json("progress")?;
        reader.check_counters(&[
            ("env_steps", progress.env_steps),
            ("episodes", progress.episodes),
            ("updates", progress.updates),
        ])?;
        self.core.check_restored(&progress.normalization, &memory)?;

        self.actor = actor;
        self.acting = self.actor.valid();
        self.actor_target = actor_target;
        self.critics = critics;
        self.critics_target = critics_target;
        self.optimizers.actor = actor_optimizer;
        self.optimizers.critics = critics_optimizer;
        self.core.off.memory = memory;
        self.core.rng = progress.acting_rng;
        self.noise_rng = progress.noise_rng;
        self.core.off.sample_rng = progress.sample_rng;
        self.core.off.env_steps = progress.env_steps;
        self.core.off.episodes = progress.episodes;
        self.updates = progress.updates;
        self.core.normalization = progress.normalization;
        Ok(())
    }
}
