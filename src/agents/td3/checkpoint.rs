//! The TD3 agent's complete training state.

use burn::module::Module;
use serde::{Deserialize, Serialize};

use super::Td3;
use crate::agent::Checkpoint;
use crate::agents::continuous::CoreProgress;
use crate::agents::state::{StateReader, StateWriter};
use crate::error::AgentError;
use crate::memory::MemoryState;
use crate::nn::{ActorNetwork, ContinuousQNetwork};
use crate::rng::SeededRng;

/// Counters, generators and the normalisation statistics.
#[derive(Serialize, Deserialize)]
struct Progress {
    #[serde(flatten)]
    core: CoreProgress,
    noise_rng: SeededRng,
    updates: u64,
}

impl<A: ActorNetwork, Q: ContinuousQNetwork, R: MemoryState> Checkpoint for Td3<A, Q, R> {
    /// The actor, both critics and the targets of all three, both optimizers' moments, the
    /// whole replay memory, the generators, the counters and the normalisation statistics.
    fn training_state(&self) -> Result<Vec<u8>, AgentError> {
        let progress = Progress {
            core: self.core.progress(),
            noise_rng: self.noise_rng.clone(),
            updates: self.updates,
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
            ("env_steps", progress.core.env_steps),
            ("episodes", progress.core.episodes),
            ("updates", progress.updates),
        ])?;
        self.core.check_restored(&progress.core, &memory)?;

        self.actor = actor;
        self.acting = self.actor.valid();
        self.actor_target = actor_target;
        self.critics = critics;
        self.critics_target = critics_target;
        self.optimizers.actor = actor_optimizer;
        self.optimizers.critics = critics_optimizer;
        self.core.restore(progress.core, memory);
        self.noise_rng = progress.noise_rng;
        self.updates = progress.updates;
        Ok(())
    }
}
