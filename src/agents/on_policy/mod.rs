//! What every on-policy agent does around its gradient update: collect a rollout of
//! `n_rollout` steps of N environment copies (checked; observations and rewards normalised
//! when asked, rewards scaled), count the steps, and say when the rollout is ready to learn
//! from. The actor-critic is written on it; PPO adds its epochs of minibatches over the same
//! rollout.

mod rollout;

pub(crate) use rollout::Rollout;

use std::path::Path;

use burn::module::Module;

use crate::agent::VecTransitions;
use crate::agents::checks;
use crate::agents::file::{Header, load_module_with, save_module_with};
use crate::agents::normalization::Normalization;
use crate::agents::state::state_error;
use crate::env::{Action, Space};
use crate::error::AgentError;

/// The rollout being collected, the normalisation statistics, the step count and the
/// collection schedule of an on-policy agent.
pub(crate) struct OnPolicyCore {
    pub rollout: Rollout,
    pub env_steps: u64,
    pub normalization: Normalization,
    n_rollout: usize,
    reward_scale: f64,
    actions: Space,
    /// Reused buffers: one step's observations, next observations and rewards as stored.
    observations: Vec<f32>,
    next_observations: Vec<f32>,
    rewards: Vec<f64>,
}

impl OnPolicyCore {
    /// A core collecting `n_rollout` steps of `num_envs` copies of `obs_dim`-long
    /// observations and actions of `actions`, rewards multiplied by `reward_scale`, then
    /// normalised as `normalization` says.
    pub fn new(
        num_envs: usize,
        obs_dim: usize,
        n_rollout: usize,
        reward_scale: f64,
        actions: Space,
        normalization: Normalization,
    ) -> Result<Self, AgentError> {
        Ok(Self {
            rollout: Rollout::new(num_envs, obs_dim, n_rollout, actions.action_shape())?,
            env_steps: 0,
            normalization,
            n_rollout,
            reward_scale,
            actions,
            observations: Vec::new(),
            next_observations: Vec::new(),
            rewards: Vec::new(),
        })
    }

    /// The observations as the networks see them (normalised when the agent normalises),
    /// into `out`.
    pub fn input(&self, observations: &[f32], out: &mut Vec<f32>) -> Result<(), AgentError> {
        self.normalization.input(observations, out)
    }

    /// Stores one step of every copy (observations normalised with the statistics the agent
    /// acted with, rewards scaled and normalised), adds its observations to the statistics
    /// and counts it; returns whether the rollout is ready to learn from (full, or
    /// `episode_ended` asks for it). A step of another number of copies, of observations of
    /// another length, with an action outside the action space or a reward that is not
    /// finite is an error and changes nothing.
    pub fn store<A: Action>(
        &mut self,
        step: &VecTransitions<'_, A>,
        episode_ended: bool,
    ) -> Result<bool, AgentError> {
        let rows = self.rollout.num_envs;
        let counts = [
            step.actions.len(),
            step.rewards.len(),
            step.terminated.len(),
            step.truncated.len(),
        ];
        if counts.iter().any(|&count| count != rows) {
            return Err(AgentError::InvalidConfig {
                field: "num_envs",
                reason: format!(
                    "a step of {counts:?} actions, rewards, terminated and truncated flags for an agent of {rows} copies"
                ),
            });
        }
        checks::step_observations(step, rows, self.rollout.obs_dim)?;
        if let Some(n_actions) = self.actions.n() {
            let beyond = step
                .actions
                .iter()
                .find_map(|a| a.encode().index().filter(|&i| i >= n_actions));
            if let Some(action) = beyond {
                return Err(AgentError::InvalidAction { action, n_actions });
            }
        }
        self.normalization
            .input(step.observations, &mut self.observations)?;
        self.normalization
            .input(step.next_observations, &mut self.next_observations)?;
        self.rewards.clear();
        self.rewards
            .extend(step.rewards.iter().map(|&r| r * self.reward_scale));
        let mut rewards = self.normalization.rewards.clone();
        if let Some(normalizer) = &mut rewards {
            let raw: Vec<f32> = self.rewards.iter().map(|&r| r as f32).collect();
            let mut scaled = Vec::with_capacity(rows);
            normalizer.normalize(&raw, &step.episode_ends(), &mut scaled)?;
            self.rewards.clear();
            self.rewards.extend(scaled.into_iter().map(f64::from));
        }
        if let Some(stats) = &self.normalization.observations {
            // Checked before anything changes: the update below cannot fail then.
            stats.stats().check_rows(step.observations)?;
        }
        let stored = VecTransitions {
            observations: &self.observations,
            actions: step.actions,
            rewards: &self.rewards,
            next_observations: &self.next_observations,
            terminated: step.terminated,
            truncated: step.truncated,
        };
        self.rollout.push(&stored, 1.0)?;
        self.normalization.rewards = rewards;
        if let Some(stats) = &mut self.normalization.observations {
            stats.update(step.observations)?;
        }
        self.env_steps += rows as u64;
        Ok(self.rollout.steps >= self.n_rollout || episode_ended)
    }

    /// Writes `module`'s weights under `header`, with the observation statistics when the
    /// agent normalises, to the agent file `path`, atomically.
    pub fn save_agent<M: Module>(
        &self,
        path: &Path,
        header: &Header,
        module: &M,
    ) -> Result<(), AgentError> {
        save_module_with(path, header, module, self.normalization.file_entries())
    }

    /// A copy of `module` with the weights of the agent file `path`, whose observation
    /// statistics replace the core's. A file that does not fit (see
    /// [`load_module`](crate::agents::file::load_module) and
    /// [`Normalization::read_file_entries`]) is an error and changes nothing.
    pub fn load_agent<M: Module>(
        &mut self,
        path: &Path,
        header: &Header,
        module: &M,
    ) -> Result<M, AgentError> {
        let (network, archive) = load_module_with(path, header, module)?;
        self.normalization.observations =
            self.normalization
                .read_file_entries(&archive, self.rollout.obs_dim, path)?;
        Ok(network)
    }

    /// Checks a rollout and normalisation statistics read from a checkpoint against this
    /// core's shapes (see [`Rollout::validate`] and [`Normalization::check`]; `gamma` is the
    /// agent's discount, which the return statistics must share).
    pub fn check(
        &self,
        rollout: &Rollout,
        normalization: &Normalization,
        gamma: f64,
    ) -> Result<(), AgentError> {
        rollout
            .validate(
                self.rollout.num_envs,
                self.rollout.obs_dim,
                self.n_rollout,
                &self.actions,
            )
            .map_err(|reason| state_error(format!("invalid rollout: {reason}")))?;
        self.normalization
            .check(
                normalization,
                self.rollout.obs_dim,
                Some(self.rollout.num_envs),
                gamma,
            )
            .map_err(state_error)
    }

    /// Takes the step count, rollout and statistics of a checkpoint checked by
    /// [`check`](Self::check).
    pub fn restore(&mut self, env_steps: u64, rollout: Rollout, normalization: Normalization) {
        self.env_steps = env_steps;
        self.rollout = rollout;
        self.normalization = normalization;
    }
}
