//! The SAC agent's complete training state.

use burn::module::Module;
use serde::{Deserialize, Serialize};

use super::Sac;
use crate::agent::Checkpoint;
use crate::agents::continuous::CoreProgress;
use crate::agents::state::{StateReader, StateWriter, state_error};
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
    exploration_state: Vec<f32>,
}

impl<A: ActorNetwork, Q: ContinuousQNetwork, R: MemoryState> Checkpoint for Sac<A, Q, R> {
    /// The actor, both critics and their targets, `ln α`, the three optimizers' moments, the
    /// whole replay memory, the generators, the counters and the normalisation statistics.
    fn training_state(&self) -> Result<Vec<u8>, AgentError> {
        let progress = Progress {
            core: self.core.progress(),
            noise_rng: self.noise_rng.clone(),
            updates: self.updates,
            exploration_state: self.exploration_state.clone(),
        };
        Ok(StateWriter::new(&self.header())
            .module("actor", &self.acting)?
            .module("critics", &self.critics.valid())?
            .module("critics-target", &self.critics_target)?
            .module("log-alpha", &self.log_alpha.valid())?
            .optimizer("actor-optimizer", &self.optimizers.actor)?
            .optimizer("critics-optimizer", &self.optimizers.critics)?
            .optimizer("alpha-optimizer", &self.optimizers.alpha)?
            .bytes("replay", MemoryState::to_bytes(&self.core.off.memory))
            .json("progress", &progress)
            .finish())
    }

    fn restore_training_state(&mut self, state: &[u8]) -> Result<(), AgentError> {
        let reader = StateReader::new(state, &self.header())?;
        let actor = reader.module("actor", &self.actor)?;
        let critics = reader.module("critics", &self.critics)?;
        let critics_target = reader.module("critics-target", &self.critics_target)?;
        let log_alpha = reader.module("log-alpha", &self.log_alpha)?;
        let fresh = || self.config.optimizer.init(None);
        let actor_optimizer = reader.optimizer("actor-optimizer", fresh(), &actor)?;
        let critics_optimizer = reader.optimizer("critics-optimizer", fresh(), &critics)?;
        let alpha_optimizer = reader.optimizer("alpha-optimizer", fresh(), &log_alpha)?;
        let memory = R::from_bytes(reader.bytes("replay")?)?;
        let progress: Progress = reader.json("progress")?;
        reader.check_counters(&[
            ("env_steps", progress.core.env_steps),
            ("episodes", progress.core.episodes),
            ("updates", progress.updates),
        ])?;
        self.core.check_restored(&progress.core, &memory)?;
        if progress.exploration_state.iter().any(|v| !v.is_finite()) {
            return Err(state_error(
                "the exploration noise holds a value that is not finite",
            ));
        }

        self.actor = actor;
        self.acting = self.actor.valid();
        self.critics = critics;
        self.critics_target = critics_target;
        self.log_alpha = log_alpha;
        self.optimizers.actor = actor_optimizer;
        self.optimizers.critics = critics_optimizer;
        self.optimizers.alpha = alpha_optimizer;
        self.core.restore(progress.core, memory);
        self.noise_rng = progress.noise_rng;
        self.updates = progress.updates;
        self.exploration_state = progress.exploration_state;
        Ok(())
    }
}
