//! The replay core, the normalisation, the action box and the acting generator that SAC and
//! TD3 share.

use std::path::Path;

use burn::module::Module;
use serde::{Deserialize, Serialize};

use crate::agents::action_scale::ActionScale;
use crate::agents::file::{Header, load_module_with, save_module_with};
use crate::agents::n_step::NStepReturns;
use crate::agents::normalization::Normalization;
use crate::agents::off_policy::{OffPolicyCore, TrainFrequency};
use crate::agents::state::state_error;
use crate::env::{ActionShape, Space};
use crate::error::{AgentError, MemoryError};
use crate::memory::{MemoryState, ReplayMemory};
use crate::rng::{SeededRng, derive_seed, seeded};

/// The replay core, the normalisation, the action box and the acting generator of a
/// continuous-action off-policy agent.
pub(crate) struct ContinuousCore<R> {
    pub off: OffPolicyCore<R>,
    pub normalization: Normalization,
    pub scale: ActionScale,
    /// Draws the random actions before learning starts and the exploration noise.
    pub rng: SeededRng,
    pub obs_dim: usize,
    pub gamma: f64,
    pub reward_scale: f64,
    /// Environment steps acted uniformly at random before the actor takes over.
    pub random_steps: u64,
    /// Set while a vectorized step stores its copies one by one: the step's statistics are
    /// added for all copies together.
    pub(super) observing_copies: bool,
}

/// What a checkpoint keeps of a [`ContinuousCore`] besides its memory: the generators, the
/// counts and the normalisation statistics (flattened into each agent's own progress).
#[derive(Serialize, Deserialize)]
pub(crate) struct CoreProgress {
    acting_rng: SeededRng,
    sample_rng: SeededRng,
    pub env_steps: u64,
    pub episodes: u64,
    normalization: Normalization,
    /// The transitions waiting for their n-step returns (absent before n-step returns).
    #[serde(default)]
    n_step: Option<NStepReturns>,
}

/// The settings of SAC and TD3 that the core follows.
pub(crate) struct CoreSettings {
    pub batch_size: usize,
    pub learning_starts: usize,
    pub train_frequency: TrainFrequency,
    pub gamma: f64,
    pub n_step: usize,
    pub reward_scale: f64,
    pub normalize_observations: bool,
    pub normalize_rewards: bool,
    pub seed: u64,
}

impl<R: ReplayMemory> ContinuousCore<R> {
    /// The core of an agent acting in the box `actions` and storing its experience in
    /// `memory`, which must hold the box's actions. Its generators are seeded from
    /// `settings.seed`: acting with `derive_seed(seed, 0)`, sampling with `derive_seed(seed, 1)`.
    pub fn new(memory: R, actions: &Space, settings: CoreSettings) -> Result<Self, AgentError> {
        let scale = ActionScale::new(actions)?;
        let expected = ActionShape::Continuous { dim: scale.dim() };
        if memory.action_shape() != expected {
            return Err(MemoryError::ActionShape {
                expected,
                actual: memory.action_shape(),
            }
            .into());
        }
        let obs_dim = memory.obs_dim();
        Ok(Self {
            off: OffPolicyCore::new(
                memory,
                seeded(derive_seed(settings.seed, 1)),
                settings.batch_size,
                settings.learning_starts,
                settings.train_frequency,
            )
            .with_n_step(settings.n_step, settings.gamma)?,
            normalization: Normalization::new(
                obs_dim,
                1,
                settings.gamma,
                settings.normalize_observations,
                settings.normalize_rewards,
            ),
            scale,
            rng: seeded(derive_seed(settings.seed, 0)),
            obs_dim,
            gamma: settings.gamma,
            reward_scale: settings.reward_scale,
            random_steps: settings.learning_starts as u64,
            observing_copies: false,
        })
    }

    /// Writes the acting actor's weights under `header` and (when the agent normalises them)
    /// the observation statistics to `path`, atomically.
    pub fn save_actor<A: Module>(
        &self,
        path: &Path,
        header: &Header,
        acting: &A,
    ) -> Result<(), AgentError> {
        save_module_with(path, header, acting, self.normalization.file_entries())
    }

    /// A copy of `actor` with the weights saved at `path` under `header`, taking the file's
    /// observation statistics. A file that does not fit changes nothing.
    pub fn load_actor<A: Module>(
        &mut self,
        path: &Path,
        header: &Header,
        actor: &A,
    ) -> Result<A, AgentError> {
        let (actor, archive) = load_module_with(path, header, actor)?;
        let observations = self
            .normalization
            .read_file_entries(&archive, self.obs_dim, path)?;
        self.normalization.observations = observations;
        Ok(actor)
    }

    /// What a checkpoint keeps of the core besides its memory.
    pub fn progress(&self) -> CoreProgress {
        CoreProgress {
            acting_rng: self.rng.clone(),
            sample_rng: self.off.sample_rng.clone(),
            env_steps: self.off.env_steps,
            episodes: self.off.episodes,
            normalization: self.normalization.clone(),
            n_step: self.off.n_step.clone(),
        }
    }

    /// Checks a replay memory and progress read from a checkpoint against this core: the
    /// memory's capacity, observation length and actions, the statistics' presence and
    /// shapes. Changes nothing.
    pub fn check_restored(&self, progress: &CoreProgress, memory: &R) -> Result<(), AgentError>
    where
        R: MemoryState,
    {
        self.off.memory.check_fits(memory)?;
        memory.check_actions(&Space::Box(self.scale.bounds()))?;
        self.normalization
            .check(&progress.normalization, self.obs_dim, None, self.gamma)
            .and_then(|()| {
                self.off
                    .check_n_step(progress.n_step.as_ref(), self.obs_dim)
            })
            .map_err(state_error)
    }

    /// Takes a memory and progress that [`check_restored`](Self::check_restored) accepted.
    pub fn restore(&mut self, progress: CoreProgress, memory: R) {
        self.off.memory = memory;
        self.rng = progress.acting_rng;
        self.off.sample_rng = progress.sample_rng;
        self.off.env_steps = progress.env_steps;
        self.off.episodes = progress.episodes;
        self.normalization = progress.normalization;
        self.off.n_step = progress.n_step;
    }

    /// The number of values of one action.
    pub fn action_dim(&self) -> usize {
        self.scale.dim()
    }

    /// Adds one step of N copies to the normalisation statistics.
    pub(super) fn observe_statistics(
        &mut self,
        observations: &[f32],
        rewards: &[f64],
        done: &[bool],
    ) -> Result<(), AgentError> {
        self.normalization.observe_raw_step(
            observations,
            rewards,
            self.reward_scale,
            done,
            self.gamma,
        )
    }
}
