//! The [`Agent`] trait: what every learning algorithm of the crate implements, and what the
//! training loop drives.

use std::path::Path;

use crate::error::AgentError;
use crate::memory::Transition;

/// The largest step, episode or update count a saved file may hold (2^53, exact as an `f64`:
/// 285 years at a million steps a second). A larger count read from a file is refused as
/// corrupt rather than left to overflow later.
pub const MAX_COUNTER: u64 = 1 << 53;

/// How an agent should choose its action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// While training: follow the exploration strategy (epsilon-greedy, sampling...).
    Explore,
    /// When evaluating: take the best action the agent knows (greedy, most probable).
    Exploit,
}

/// Named values an agent reports beside its loss (a clip fraction, an entropy coefficient,
/// a TD-error mean...): a new metric is one [`push`](Self::push) where the algorithm computes
/// it, and the training loop's metrics log, progress line and summary pick it up (as the mean
/// over the reports since the last episode ended).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics(Vec<(&'static str, f64)>);

impl Metrics {
    /// Reports `value` under `name` (a name without `,`, `;` or `=`, as it appears in logs).
    pub fn push(&mut self, name: &'static str, value: f64) {
        self.0.push((name, value));
    }

    /// The reports, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.0.iter().copied()
    }

    /// Whether nothing is reported.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What an agent learned while observing one transition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Learned {
    /// Gradient updates performed (0 when the transition was only stored).
    pub updates: u32,
    /// The mean loss of those updates.
    pub loss: Option<f32>,
    /// The exploration rate now in force, for agents that have one.
    pub epsilon: Option<f64>,
    /// The policy's mean entropy over the update, for agents that have one.
    pub entropy: Option<f32>,
    /// Any further values the agent reports.
    pub metrics: Metrics,
}

/// A learning agent over observations `O` and actions `A`: indices `0..n` by default,
/// `[f32; N]` or `Vec<f32>` for a continuous (box) action space.
///
/// The training loop calls [`act`](Agent::act) with the current observation, steps the
/// environment, and hands the resulting transition to [`observe`](Agent::observe), which
/// stores it and learns when the agent's schedule says so.
pub trait Agent<O, A = usize> {
    /// The action for `observation`: exploring or exploiting as `mode` says.
    fn act(&mut self, observation: &O, mode: Mode) -> Result<A, AgentError>;

    /// Takes in one transition of experience and learns from it when due.
    fn observe(&mut self, transition: &Transition<O, A>) -> Result<Learned, AgentError>;

    /// Writes what the agent needs to act again (its network weights and shape) to `path`,
    /// atomically: a crash mid-write leaves any previous file intact.
    fn save(&self, path: &Path) -> Result<(), AgentError>;

    /// Replaces the agent's learned state with the one saved at `path`. A missing, truncated
    /// or incompatible file is an error and leaves the agent unchanged.
    fn load(&mut self, path: &Path) -> Result<(), AgentError>;
}

/// One step of N environment copies, field by field: what a [`VecAgent`] observes.
#[derive(Debug, Clone, Copy)]
pub struct VecTransitions<'a, A = usize> {
    /// `[N, obs_dim]`: the observations acted on.
    pub observations: &'a [f32],
    /// `[N]`: the actions taken.
    pub actions: &'a [A],
    /// `[N]`: the rewards.
    pub rewards: &'a [f64],
    /// `[N, obs_dim]`: the observations that followed (the real final ones where an episode
    /// ended).
    pub next_observations: &'a [f32],
    /// `[N]`: which copies reached a terminal state.
    pub terminated: &'a [bool],
    /// `[N]`: which copies' episodes were truncated.
    pub truncated: &'a [bool],
}

impl<A> VecTransitions<'_, A> {
    /// `[N]`: which copies' episodes ended (terminated or truncated).
    pub fn episode_ends(&self) -> Vec<bool> {
        self.terminated
            .iter()
            .zip(self.truncated)
            .map(|(&t, &u)| t || u)
            .collect()
    }
}

/// An agent that acts for N environment copies in one batched pass and learns from their
/// steps together (synchronous advantage actor-critic, DQN over N copies), with actions `A`
/// as in [`Agent`].
pub trait VecAgent<A = usize> {
    /// Writes one action per row of the `[N, obs_dim]` `observations` into `actions`.
    fn act_batch(
        &mut self,
        observations: &[f32],
        mode: Mode,
        actions: &mut Vec<A>,
    ) -> Result<(), AgentError>;

    /// Takes in one step of every copy and learns from them when due.
    fn observe_batch(&mut self, step: &VecTransitions<'_, A>) -> Result<Learned, AgentError>;
}

/// An agent whose complete training state can be captured and restored: its networks,
/// optimizer moments, replay memory or rollout, random generators and counters. A run
/// restored from a checkpoint continues exactly as if it had never stopped.
pub trait Checkpoint {
    /// The complete training state, as bytes.
    fn training_state(&self) -> Result<Vec<u8>, AgentError>;

    /// Restores a state captured by [`training_state`](Checkpoint::training_state) from an
    /// agent of the same kind and shapes. A state that does not fit is an error and leaves
    /// the agent unchanged.
    fn restore_training_state(&mut self, state: &[u8]) -> Result<(), AgentError>;
}
