//! Synchronous vectorized environments.

use serde::{Deserialize, Serialize};

use super::{Environment, EpisodeSummary, Snapshot};
use crate::error::EnvError;
use crate::rng::derive_seed;

/// N copies of an environment stepped together, their observations in one contiguous
/// row-major `[N, obs_dim]` `f32` buffer (ready to become one tensor).
///
/// A copy whose episode ends is reset within the same `step` call: the step reports the real
/// final observation in [`VecStep::next_observations`] (what a transition must store as `s'`)
/// and the new episode's first observation in [`VecStep::observations`] (what to act on next).
/// Resetting with a seed gives copy 0 that seed, as a single environment would get it, and
/// copy `i > 0` the seed [`derive_seed`]`(seed, i)`: one copy replays the single environment.
///
/// If a copy fails to step, the whole vector needs a `reset` before the next step.
///
/// ```
/// use cinder_rl::env::{CartPole, CartPoleConfig, VecEnv};
///
/// # fn main() -> Result<(), cinder_rl::error::EnvError> {
/// let mut envs = VecEnv::from_fn(8, |_| CartPole::new(CartPoleConfig::v1()))?;
/// assert_eq!(envs.reset(Some(3))?.len(), 8 * 4);
/// let mut finished = 0;
/// for _ in 0..100 {
///     let step = envs.step(&[1; 8])?;
///     finished += step.episodes.len();
/// }
/// assert!(finished >= 8); // always pushing right ends episodes quickly
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct VecEnv<E> {
    envs: Vec<E>,
    obs_dim: usize,
    observations: Vec<f32>,
    next_observations: Vec<f32>,
    rewards: Vec<f64>,
    terminated: Vec<bool>,
    truncated: Vec<bool>,
    returns: Vec<f64>,
    lengths: Vec<usize>,
    finished: Vec<(usize, EpisodeSummary)>,
    needs_reset: bool,
}

/// What one [`VecEnv::step`] returns: views into the vector's buffers, one entry per copy.
#[derive(Debug, Clone, Copy)]
pub struct VecStep<'a> {
    /// `[N, obs_dim]`: the observations to act on next (a new episode's first observation for
    /// the copies that were reset).
    pub observations: &'a [f32],
    /// `[N, obs_dim]`: the observations the step produced (the real final observation for the
    /// copies whose episode ended).
    pub next_observations: &'a [f32],
    /// `[N]`: the rewards.
    pub rewards: &'a [f64],
    /// `[N]`: whether each copy reached a terminal state.
    pub terminated: &'a [bool],
    /// `[N]`: whether each copy's episode was truncated.
    pub truncated: &'a [bool],
    /// The episodes that ended in this step: `(copy index, summary)`.
    pub episodes: &'a [(usize, EpisodeSummary)],
}

/// The seed of copy `i` of a vectorized environment reset with `seed`.
fn copy_seed(seed: u64, i: usize) -> u64 {
    if i == 0 {
        seed
    } else {
        derive_seed(seed, i as u64)
    }
}

impl<E> VecEnv<E>
where
    E: Environment,
    E::Observation: AsRef<[f32]>,
    E::Action: Clone,
{
    /// The most copies [`from_fn`](Self::from_fn) builds (65 536).
    pub const MAX_ENVS: usize = 1 << 16;

    /// Vectorizes the given copies. No copies, or copies whose observation spaces differ in
    /// size, is an [`EnvError::InvalidConfig`].
    pub fn new(envs: Vec<E>) -> Result<Self, EnvError> {
        let Some(first) = envs.first() else {
            return Err(EnvError::InvalidConfig {
                field: "num_envs",
                reason: "need at least one environment".into(),
            });
        };
        let obs_dim = first.observation_space().flat_dim();
        if let Some(other) = envs
            .iter()
            .map(|e| e.observation_space().flat_dim())
            .find(|&d| d != obs_dim)
        {
            return Err(EnvError::InvalidConfig {
                field: "observation_space",
                reason: format!("copies disagree on the observation size ({obs_dim} and {other})"),
            });
        }
        let n = envs.len();
        Ok(Self {
            envs,
            obs_dim,
            observations: vec![0.0; n * obs_dim],
            next_observations: vec![0.0; n * obs_dim],
            rewards: vec![0.0; n],
            terminated: vec![false; n],
            truncated: vec![false; n],
            returns: vec![0.0; n],
            lengths: vec![0; n],
            finished: Vec::with_capacity(n),
            needs_reset: true,
        })
    }

    /// Builds `n` copies with `make(index)` and vectorizes them; more than
    /// [`MAX_ENVS`](Self::MAX_ENVS) copies is an [`EnvError::InvalidConfig`].
    pub fn from_fn(
        n: usize,
        make: impl FnMut(usize) -> Result<E, EnvError>,
    ) -> Result<Self, EnvError> {
        if n > Self::MAX_ENVS {
            return Err(EnvError::InvalidConfig {
                field: "num_envs",
                reason: format!("{n} copies, at most {} are supported", Self::MAX_ENVS),
            });
        }
        Self::new((0..n).map(make).collect::<Result<_, _>>()?)
    }

    /// The number of copies.
    pub fn num_envs(&self) -> usize {
        self.envs.len()
    }

    /// The length of one copy's observation.
    pub fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    /// The copies.
    pub fn envs(&self) -> &[E] {
        &self.envs
    }

    /// The `[N, obs_dim]` observations to act on.
    pub fn observations(&self) -> &[f32] {
        &self.observations
    }

    /// Resets every copy (copy 0 with `seed`, copy `i > 0` with `derive_seed(seed, i)`, when a
    /// seed is given) and
    /// returns the `[N, obs_dim]` first observations.
    ///
    /// A copy whose observation has the wrong length is an [`EnvError::ObservationLength`].
    pub fn reset(&mut self, seed: Option<u64>) -> Result<&[f32], EnvError> {
        for (i, env) in self.envs.iter_mut().enumerate() {
            let observation = env.reset(seed.map(|s| copy_seed(s, i)));
            copy_row(
                &mut self.observations,
                i,
                self.obs_dim,
                observation.as_ref(),
            )?;
        }
        self.returns.fill(0.0);
        self.lengths.fill(0);
        self.needs_reset = false;
        Ok(&self.observations)
    }

    /// Steps copy `i` with `actions[i]` for every `i`, resetting the copies whose episode
    /// ended.
    pub fn step(&mut self, actions: &[E::Action]) -> Result<VecStep<'_>, EnvError> {
        if self.needs_reset {
            return Err(EnvError::ResetNeeded);
        }
        if actions.len() != self.envs.len() {
            return Err(EnvError::ActionCount {
                expected: self.envs.len(),
                actual: actions.len(),
            });
        }
        self.needs_reset = true; // until every copy has stepped cleanly
        self.finished.clear();
        let d = self.obs_dim;
        for (i, (env, action)) in self.envs.iter_mut().zip(actions).enumerate() {
            let step = env.step(action.clone())?;
            copy_row(&mut self.next_observations, i, d, step.observation.as_ref())?;
            self.rewards[i] = step.reward;
            self.terminated[i] = step.terminated;
            self.truncated[i] = step.truncated;
            self.returns[i] += step.reward;
            self.lengths[i] += 1;
            if step.done() {
                self.finished.push((
                    i,
                    EpisodeSummary {
                        episode_return: self.returns[i],
                        length: self.lengths[i],
                        terminated: step.terminated,
                    },
                ));
                self.returns[i] = 0.0;
                self.lengths[i] = 0;
                let first = env.reset(None);
                copy_row(&mut self.observations, i, d, first.as_ref())?;
            } else {
                self.observations[i * d..(i + 1) * d]
                    .copy_from_slice(&self.next_observations[i * d..(i + 1) * d]);
            }
        }
        self.needs_reset = false;
        Ok(VecStep {
            observations: &self.observations,
            next_observations: &self.next_observations,
            rewards: &self.rewards,
            terminated: &self.terminated,
            truncated: &self.truncated,
            episodes: &self.finished,
        })
    }
}

/// Everything a [`VecEnv`] needs to continue exactly: every copy's state and the running
/// episode bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VecEnvState<S> {
    copies: Vec<S>,
    returns: Vec<f64>,
    lengths: Vec<usize>,
    needs_reset: bool,
}

impl<E> VecEnv<E>
where
    E: Snapshot,
    E::Observation: AsRef<[f32]>,
    E::Action: Clone,
{
    /// Captures every copy's state.
    pub fn snapshot(&self) -> VecEnvState<E::State> {
        VecEnvState {
            copies: self.envs.iter().map(Snapshot::snapshot).collect(),
            returns: self.returns.clone(),
            lengths: self.lengths.clone(),
            needs_reset: self.needs_reset,
        }
    }

    /// Restores captured states; the observations to act on become those of the restored
    /// states. A state of another number of copies is an [`EnvError::InvalidConfig`].
    pub fn restore(&mut self, state: VecEnvState<E::State>) -> Result<&[f32], EnvError> {
        let n = self.envs.len();
        if state.copies.len() != n || state.returns.len() != n || state.lengths.len() != n {
            return Err(EnvError::InvalidConfig {
                field: "num_envs",
                reason: format!("a state of {} copies for {n}", state.copies.len()),
            });
        }
        for (i, (env, copy)) in self.envs.iter_mut().zip(state.copies).enumerate() {
            let observation = env.restore(copy)?;
            copy_row(
                &mut self.observations,
                i,
                self.obs_dim,
                observation.as_ref(),
            )?;
        }
        self.returns = state.returns;
        self.lengths = state.lengths;
        self.needs_reset = state.needs_reset;
        Ok(&self.observations)
    }
}

fn copy_row(buffer: &mut [f32], row: usize, dim: usize, values: &[f32]) -> Result<(), EnvError> {
    if values.len() != dim {
        return Err(EnvError::ObservationLength {
            expected: dim,
            actual: values.len(),
        });
    }
    buffer[row * dim..(row + 1) * dim].copy_from_slice(values);
    Ok(())
}
