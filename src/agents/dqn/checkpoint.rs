//! The DQN agent's complete training state.

use serde::{Deserialize, Serialize};

use super::Dqn;
use crate::agent::Checkpoint;
use crate::agents::n_step::NStepReturns;
use crate::agents::normalization::Normalization;
use crate::agents::state::{StateReader, StateWriter, state_error};
use crate::env::Space;
use crate::error::AgentError;
use crate::memory::MemoryState;
use crate::nn::QNetwork;
use crate::policy::Schedule;
use crate::rng::SeededRng;

/// Counters, generators and the normalisation statistics (absent from the states of earlier
/// versions, which did not normalise).
#[derive(Serialize, Deserialize)]
struct Progress {
    explorer_rng: SeededRng,
    explorer_step: u64,
    sample_rng: SeededRng,
    env_steps: u64,
    episodes: u64,
    updates: u64,
    #[serde(default)]
    normalization: Normalization,
    /// The transitions waiting for their n-step returns (absent before n-step returns).
    #[serde(default)]
    n_step: Option<NStepReturns>,
}

impl<M: QNetwork, R: MemoryState, S: Schedule> Checkpoint for Dqn<M, R, S> {
    /// Online and target networks, Adam/RMSprop moments, the whole replay memory, both random
    /// generators, the exploration step and the counters.
    fn training_state(&self) -> Result<Vec<u8>, AgentError> {
        let progress = Progress {
            explorer_rng: self.explorer.generator().clone(),
            explorer_step: self.explorer.step(),
            sample_rng: self.core.sample_rng.clone(),
            env_steps: self.core.env_steps,
            episodes: self.core.episodes,
            updates: self.updates,
            normalization: self.normalization.clone(),
            n_step: self.core.n_step.clone(),
        };
        let writer = StateWriter::new(&self.header())
            .module("online", &self.online_valid())?
            .module("target", &self.target_network())?;
        // Adam's state in Burn's record either way: from the host learner when it updates.
        let writer = match &self.host {
            Some(host) => writer.bytes(
                "optimizer",
                host.adam
                    .to_record(&self.online, host.online.ids())
                    .map_err(state_error)?,
            ),
            None => writer.optimizer("optimizer", &self.optimizer)?,
        };
        Ok(writer
            .bytes("replay", MemoryState::to_bytes(&self.core.memory))
            .json("progress", &progress)
            .finish())
    }

    fn restore_training_state(&mut self, state: &[u8]) -> Result<(), AgentError> {
        let reader = StateReader::new(state, &self.header())?;
        let online = reader.module("online", &self.online)?;
        let target = reader.module("target", &self.target_network())?;
        let fresh = self.config.optimizer.init(self.config.clip_grad_value);
        let optimizer = reader.optimizer("optimizer", fresh, &online)?;
        let memory = R::from_bytes(reader.bytes("replay")?)?;
        self.core.memory.check_fits(&memory)?;
        memory.check_actions(&Space::discrete(self.n_actions))?;
        let progress: Progress = reader.json("progress")?;
        reader.check_counters(&[
            ("explorer_step", progress.explorer_step),
            ("env_steps", progress.env_steps),
            ("episodes", progress.episodes),
            ("updates", progress.updates),
        ])?;

        self.normalization
            .check(
                &progress.normalization,
                self.obs_dim,
                None,
                self.config.gamma,
            )
            .map_err(state_error)?;
        self.core
            .check_n_step(progress.n_step.as_ref(), self.obs_dim)
            .map_err(state_error)?;
        let host = match &self.host {
            Some(host) => {
                let mut host = host.clone();
                if !host.reload(&online, &target) {
                    return Err(state_error(
                        "the saved networks do not have the agent's layers",
                    ));
                }
                let sizes: Vec<usize> = host.online.params().iter().map(Vec::len).collect();
                host.adam
                    .read_record(reader.bytes("optimizer")?, host.online.ids(), &sizes)
                    .map_err(state_error)?;
                Some(host)
            }
            None => None,
        };
        self.online = online;
        self.target = target;
        self.optimizer = optimizer;
        self.host = host;
        self.core.memory = memory;
        self.core.sample_rng = progress.sample_rng;
        self.core.env_steps = progress.env_steps;
        self.core.episodes = progress.episodes;
        self.updates = progress.updates;
        self.normalization = progress.normalization;
        self.core.n_step = progress.n_step;
        self.refresh_acting_network();
        self.explorer.set_generator(progress.explorer_rng);
        self.explorer.set_step(progress.explorer_step);
        Ok(())
    }
}
