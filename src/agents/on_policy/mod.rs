//! What every on-policy agent does around its gradient update: collect a rollout of
//! `n_rollout` steps of N environment copies (checked, rewards scaled), count the steps, and
//! say when the rollout is ready to learn from. The actor-critic is written on it; PPO adds
//! its epochs of minibatches over the same rollout.

mod rollout;

pub(crate) use rollout::Rollout;

use crate::agent::VecTransitions;
use crate::agents::checks;
use crate::env::{Action, Space};
use crate::error::AgentError;

/// The rollout being collected, the step count and the collection schedule of an on-policy
/// agent.
pub(crate) struct OnPolicyCore {
    pub rollout: Rollout,
    pub env_steps: u64,
    n_rollout: usize,
    reward_scale: f64,
    actions: Space,
}

impl OnPolicyCore {
    /// A core collecting `n_rollout` steps of `num_envs` copies of `obs_dim`-long
    /// observations and actions of `actions`, rewards multiplied by `reward_scale`.
    pub fn new(
        num_envs: usize,
        obs_dim: usize,
        n_rollout: usize,
        reward_scale: f64,
        actions: Space,
    ) -> Result<Self, AgentError> {
        Ok(Self {
            rollout: Rollout::new(num_envs, obs_dim, n_rollout, actions.action_shape())?,
            env_steps: 0,
            n_rollout,
            reward_scale,
            actions,
        })
    }

    /// Stores one step of every copy and counts it; returns whether the rollout is ready to
    /// learn from (full, or `episode_ended` asks for it). A step of another number of copies,
    /// of observations of another length, or with an action outside the action space is an
    /// error and stores nothing.
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
        self.rollout.push(step, self.reward_scale)?;
        self.env_steps += rows as u64;
        Ok(self.rollout.steps >= self.n_rollout || episode_ended)
    }

    /// Checks a rollout read from a checkpoint against this core's shapes (see
    /// [`Rollout::validate`]).
    pub fn check(&self, rollout: &Rollout) -> Result<(), String> {
        rollout.validate(
            self.rollout.num_envs,
            self.rollout.obs_dim,
            self.n_rollout,
            &self.actions,
        )
    }
}
