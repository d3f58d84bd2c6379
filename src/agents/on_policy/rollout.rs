//! The transitions collected between two on-policy updates.

use crate::agent::VecTransitions;
use crate::env::{Action, ActionShape, Space};
use crate::error::{AgentError, MemoryError};
use crate::memory::alloc::try_with_capacity;
use crate::memory::{ActionRows, invalid_action};

/// `steps` rows of `num_envs` transitions each, field by field; row-major, so transition
/// `(t, i)` of copy `i` at step `t` sits at index `t * num_envs + i`.
///
/// Saved in checkpoints as JSON: discrete actions are a plain array of indices (the layout
/// of every earlier version), continuous ones `{"dim", "values"}`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Rollout {
    pub num_envs: usize,
    pub obs_dim: usize,
    pub steps: usize,
    pub observations: Vec<f32>,
    pub actions: ActionRows,
    pub rewards: Vec<f32>,
    pub next_observations: Vec<f32>,
    pub terminated: Vec<f32>,
    pub done: Vec<bool>,
}

impl Rollout {
    /// An empty rollout of actions of `shape` with room for `n_rollout` steps; sizes too
    /// large to allocate are an [`AgentError::Memory`] error.
    pub fn new(
        num_envs: usize,
        obs_dim: usize,
        n_rollout: usize,
        shape: ActionShape,
    ) -> Result<Self, AgentError> {
        let too_large = || MemoryError::TooLarge {
            what: "actor-critic rollout",
            bytes: num_envs as u128 * n_rollout as u128 * (obs_dim as u128 * 8 + 13),
        };
        let rows = num_envs.checked_mul(n_rollout).ok_or_else(too_large)?;
        let values = rows.checked_mul(obs_dim).ok_or_else(too_large)?;
        let what = "actor-critic rollout";
        Ok(Self {
            num_envs,
            obs_dim,
            steps: 0,
            observations: try_with_capacity(values, what)?,
            actions: match shape {
                ActionShape::Discrete => ActionRows::Discrete(try_with_capacity(rows, what)?),
                ActionShape::Continuous { dim } => ActionRows::Continuous {
                    dim,
                    values: try_with_capacity(rows.checked_mul(dim).ok_or_else(too_large)?, what)?,
                },
            },
            rewards: try_with_capacity(rows, what)?,
            next_observations: try_with_capacity(values, what)?,
            terminated: try_with_capacity(rows, what)?,
            done: try_with_capacity(rows, what)?,
        })
    }

    /// Checks a rollout read from a file against the agent's shapes: `num_envs` copies of
    /// `obs_dim` observations, fewer than `n_rollout` steps (a full rollout is consumed by the
    /// update), every field as long as the step count says, actions that are elements of
    /// `actions` (indices in `0..n`, or finite values of the box's dimension), finite values
    /// and flags that agree.
    pub fn validate(
        &self,
        num_envs: usize,
        obs_dim: usize,
        n_rollout: usize,
        actions: &Space,
    ) -> Result<(), String> {
        if (self.num_envs, self.obs_dim) != (num_envs, obs_dim) {
            return Err(format!(
                "the rollout has {} copies of {} observation values, the agent {num_envs} of {obs_dim}",
                self.num_envs, self.obs_dim
            ));
        }
        if self.steps >= n_rollout {
            return Err(format!(
                "the rollout holds {} steps, an agent updating every {n_rollout} never keeps that many",
                self.steps
            ));
        }
        let rows = self.steps * num_envs;
        let lengths = [
            self.actions.len(),
            self.rewards.len(),
            self.terminated.len(),
            self.done.len(),
        ];
        if lengths.iter().any(|&n| n != rows)
            || self.observations.len() != rows * obs_dim
            || self.next_observations.len() != rows * obs_dim
        {
            return Err(format!(
                "field lengths do not match {} steps of {num_envs} copies",
                self.steps
            ));
        }
        let finite = |values: &[f32]| values.iter().all(|v| v.is_finite());
        if self.actions.shape() != actions.action_shape() {
            return Err(format!(
                "the rollout holds {}, the agent takes {}",
                self.actions.shape(),
                actions.action_shape()
            ));
        }
        match (&self.actions, actions.n()) {
            (ActionRows::Discrete(indices), Some(n_actions)) => {
                if let Some(a) = invalid_action(indices, n_actions) {
                    return Err(format!("action {a} is outside 0..{n_actions}"));
                }
            }
            (ActionRows::Continuous { values, .. }, _) if !finite(values) => {
                return Err("a stored action value is not finite".into());
            }
            _ => {}
        }
        if !(finite(&self.observations) && finite(&self.next_observations) && finite(&self.rewards))
        {
            return Err("a stored value is not finite".into());
        }
        let flags_agree = self
            .terminated
            .iter()
            .zip(&self.done)
            .all(|(&t, &d)| t == 0.0 || (t == 1.0 && d));
        if !flags_agree {
            return Err("terminated flags other than 0 or 1, or terminated but not done".into());
        }
        Ok(())
    }

    /// The number of transitions held.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// Appends one step of every copy, rewards multiplied by `reward_scale`. Actions of
    /// another shape than the rollout's are a [`MemoryError::ActionShape`] and leave it as it
    /// was.
    pub fn push<A: Action>(
        &mut self,
        step: &VecTransitions<'_, A>,
        reward_scale: f64,
    ) -> Result<(), MemoryError> {
        let expected = self.actions.shape();
        if let Some(action) = step.actions.iter().find(|a| a.encode().shape() != expected) {
            return Err(MemoryError::ActionShape {
                expected,
                actual: action.encode().shape(),
            });
        }
        for action in step.actions {
            self.actions.push(action)?;
        }
        self.observations.extend_from_slice(step.observations);
        self.rewards
            .extend(step.rewards.iter().map(|&r| (r * reward_scale) as f32));
        self.next_observations
            .extend_from_slice(step.next_observations);
        self.terminated
            .extend(step.terminated.iter().map(|&t| if t { 1.0 } else { 0.0 }));
        self.done.extend(step.episode_ends());
        self.steps += 1;
        Ok(())
    }

    /// Empties the rollout, keeping its allocations.
    pub fn clear(&mut self) {
        self.steps = 0;
        self.observations.clear();
        self.actions.reset(self.actions.shape());
        self.rewards.clear();
        self.next_observations.clear();
        self.terminated.clear();
        self.done.clear();
    }

    /// n-step returns to the end of the rollout for every transition:
    /// `G_t = r_t + gamma * (1 - terminated_t) * (V(s'_t) if the episode ended at t or t is
    /// the last step, else G_{t+1})`.
    pub fn n_step_returns(&self, next_values: &[f32], gamma: f32) -> Vec<f32> {
        let n = self.num_envs;
        let mut returns = vec![0.0; self.len()];
        for env in 0..n {
            let mut future = 0.0;
            for t in (0..self.steps).rev() {
                let i = t * n + env;
                let bootstrap = if t + 1 == self.steps || self.done[i] {
                    next_values[i]
                } else {
                    future
                };
                future = self.rewards[i] + gamma * (1.0 - self.terminated[i]) * bootstrap;
                returns[i] = future;
            }
        }
        returns
    }

    /// Generalized advantage estimates and their returns for every transition, from the
    /// values `V(s_t)` of its observation and `V(s'_t)` of its real next observation:
    /// `delta_t = r_t + gamma * (1 - terminated_t) * V(s'_t) - V(s_t)` and
    /// `A_t = delta_t + gamma * lambda * (1 - done_t) * A_{t+1}` (nothing after the last
    /// step), so truncation bootstraps from the final observation and termination does not;
    /// the returns are `A_t + V(s_t)`. `lambda = 1` gives the n-step returns of
    /// [`n_step_returns`](Self::n_step_returns), `lambda = 0` one-step TD targets.
    pub fn gae(
        &self,
        values: &[f32],
        next_values: &[f32],
        gamma: f32,
        lambda: f32,
    ) -> (Vec<f32>, Vec<f32>) {
        let n = self.num_envs;
        let mut advantages = vec![0.0; self.len()];
        for env in 0..n {
            let mut future = 0.0;
            for t in (0..self.steps).rev() {
                let i = t * n + env;
                let continues = if self.done[i] { 0.0 } else { 1.0 };
                let delta = self.rewards[i] + gamma * (1.0 - self.terminated[i]) * next_values[i]
                    - values[i];
                future = delta + gamma * lambda * continues * future;
                advantages[i] = future;
            }
        }
        let returns = advantages.iter().zip(values).map(|(a, v)| a + v).collect();
        (advantages, returns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two copies, three steps, reward 1 each: copy 0 terminates at t = 1, copy 1 is
    /// truncated at t = 0.
    fn terminated_and_truncated() -> Rollout {
        let mut rollout = Rollout::new(2, 1, 3, ActionShape::Discrete).unwrap();
        // (terminated, truncated) of both copies at t = 0, 1, 2.
        let flags = [
            ([false, false], [false, true]),
            ([true, false], [false, false]),
            ([false, false], [false, false]),
        ];
        for (terminated, truncated) in flags {
            let step = VecTransitions {
                observations: &[0.0, 0.0],
                actions: &[0, 0],
                rewards: &[1.0, 1.0],
                next_observations: &[0.0, 0.0],
                terminated: &terminated,
                truncated: &truncated,
            };
            rollout.push(&step, 1.0).unwrap();
        }
        rollout
    }

    #[test]
    fn gae_stops_at_terminations_and_bootstraps_at_truncations() {
        let rollout = terminated_and_truncated();
        // Rows are t * 2 + copy.
        let values = [2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let next_values = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0];
        let (advantages, returns) = rollout.gae(&values, &next_values, 0.5, 0.5);
        // Copy 0 (gamma * lambda = 0.25): t2 delta = 1 + 0.5 * 50 - 6 = 20; t1 terminal:
        // delta = 1 - 4 = -3, nothing after; t0 delta = 1 + 0.5 * 10 - 2 = 4, A = 4 - 0.75.
        assert_eq!(
            [advantages[0], advantages[2], advantages[4]],
            [3.25, -3.0, 20.0]
        );
        assert_eq!([returns[0], returns[2], returns[4]], [5.25, 1.0, 26.0]);
        // Copy 1: t2 delta = 1 + 30 - 7 = 24; t1 delta = 1 + 20 - 5 = 16, A = 16 + 6 = 22;
        // t0 truncated: delta = 1 + 0.5 * 20 - 3 = 8, nothing after.
        assert_eq!(
            [advantages[1], advantages[3], advantages[5]],
            [8.0, 22.0, 24.0]
        );
        assert_eq!([returns[1], returns[3], returns[5]], [11.0, 27.0, 31.0]);
    }

    #[test]
    fn gae_with_lambda_one_gives_the_n_step_returns() {
        let rollout = terminated_and_truncated();
        // Consistent values: V(s'_t) is V(s_{t+1}) wherever the episode goes on.
        let values = [2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let next_values = [4.0, 20.0, 30.0, 7.0, 50.0, 60.0];
        let (_, returns) = rollout.gae(&values, &next_values, 0.5, 1.0);
        assert_eq!(returns, rollout.n_step_returns(&next_values, 0.5));
        // lambda = 0: one-step targets r + gamma * (1 - terminated) * V(s').
        let (_, td) = rollout.gae(&values, &next_values, 0.5, 0.0);
        assert_eq!(td, [3.0, 11.0, 1.0, 4.5, 26.0, 31.0]);
    }

    #[test]
    fn n_step_returns_stop_at_terminations_and_bootstrap_at_truncations() {
        let rollout = terminated_and_truncated();
        let next_values = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0];
        let g = rollout.n_step_returns(&next_values, 0.5);
        // Copy 0: t2 = 1 + 0.5 * 50 = 26; t1 terminal = 1; t0 = 1 + 0.5 * 1 = 1.5.
        assert_eq!([g[0], g[2], g[4]], [1.5, 1.0, 26.0]);
        // Copy 1: t2 = 1 + 0.5 * 60 = 31; t1 = 1 + 0.5 * 31 = 16.5; t0 truncated: 1 + 0.5 * 20 = 11.
        assert_eq!([g[1], g[3], g[5]], [11.0, 16.5, 31.0]);
    }

    #[test]
    fn rollouts_hold_continuous_actions_and_save_both_kinds() {
        let mut rollout = Rollout::new(2, 1, 4, ActionShape::Continuous { dim: 2 }).unwrap();
        let step = VecTransitions {
            observations: &[0.0, 1.0],
            actions: &[[0.5f32, -0.5], [1.5, 2.5]],
            rewards: &[1.0, 2.0],
            next_observations: &[1.0, 2.0],
            terminated: &[false, true],
            truncated: &[false, false],
        };
        rollout.push(&step, 1.0).unwrap();
        let wrong = VecTransitions {
            observations: step.observations,
            actions: &[vec![0.0f32; 3], vec![0.0; 3]],
            rewards: step.rewards,
            next_observations: step.next_observations,
            terminated: step.terminated,
            truncated: step.truncated,
        };
        assert!(rollout.push(&wrong, 1.0).is_err());
        assert_eq!(rollout.len(), 2, "a refused step stores nothing");
        let saved = serde_json::to_string(&rollout).unwrap();
        let restored: Rollout = serde_json::from_str(&saved).unwrap();
        assert_eq!(restored, rollout);
        let plane = Space::boxed(vec![-3.0; 2], vec![3.0; 2]);
        restored.validate(2, 1, 4, &plane).unwrap();
        assert!(restored.validate(2, 1, 4, &Space::discrete(2)).is_err());

        // Discrete actions keep the layout of every earlier checkpoint: a plain array.
        let mut discrete = Rollout::new(1, 1, 4, ActionShape::Discrete).unwrap();
        let one = VecTransitions {
            observations: &[0.0],
            actions: &[1usize],
            rewards: &[1.0],
            next_observations: &[0.0],
            terminated: &[false],
            truncated: &[false],
        };
        discrete.push(&one, 1.0).unwrap();
        let json: serde_json::Value = serde_json::to_value(&discrete).unwrap();
        assert_eq!(json["actions"], serde_json::json!([1]));
    }
}
