//! A sampled mini-batch, one contiguous array per field.

use super::{ActionRows, Transition};
use crate::env::Action;
use crate::error::MemoryError;

/// `batch_size` transitions, field by field, row-major.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// The number of transitions.
    pub batch_size: usize,
    /// The length of one observation.
    pub obs_dim: usize,
    /// `[batch_size, obs_dim]`.
    pub observations: Vec<f32>,
    /// `[batch_size]` indices or `[batch_size, action_dim]` values.
    pub actions: ActionRows,
    /// `[batch_size]`.
    pub rewards: Vec<f32>,
    /// `[batch_size, obs_dim]`.
    pub next_observations: Vec<f32>,
    /// `[batch_size]`: 1.0 where the transition reached a terminal state, else 0.0.
    pub terminated: Vec<f32>,
    /// `[batch_size]`: 1.0 where the episode was truncated after the transition, else 0.0.
    pub truncated: Vec<f32>,
    /// `[batch_size]`: the storage slots the transitions came from.
    pub indices: Vec<usize>,
    /// `[batch_size]`, or empty: each sample's weight in the loss (importance weights of
    /// prioritized replay). Empty: every sample weighs the same (the plain mean).
    pub weights: Vec<f32>,
    /// `[batch_size]`, or empty: the discount of each sample's bootstrap (`gamma^n` for an
    /// n-step return). Empty: the agent's `gamma`.
    pub discounts: Vec<f32>,
}

impl Batch {
    /// The batch of `transitions`, in order, for updates on data gathered outside a replay
    /// memory (collect-then-train loops). `indices` numbers them from 0.
    ///
    /// No transition is [`MemoryError::EmptyBatch`]; observations of different lengths are
    /// [`MemoryError::ObservationLength`], actions of different shapes
    /// [`MemoryError::ActionShape`].
    ///
    /// ```
    /// use cinder_rl::memory::{Batch, Transition};
    ///
    /// let step = |reward: f64| Transition {
    ///     observation: [0.0f32, 1.0],
    ///     action: 1,
    ///     reward,
    ///     next_observation: [1.0, 0.0],
    ///     terminated: false,
    ///     truncated: false,
    /// };
    /// let batch = Batch::from_transitions(&[step(1.0), step(0.5)])?;
    /// assert_eq!((batch.batch_size, batch.obs_dim), (2, 2));
    /// assert_eq!(batch.rewards, [1.0, 0.5]);
    /// # Ok::<(), cinder_rl::error::MemoryError>(())
    /// ```
    pub fn from_transitions<O: AsRef<[f32]>, A: Action>(
        transitions: &[Transition<O, A>],
    ) -> Result<Self, MemoryError> {
        let first = transitions.first().ok_or(MemoryError::EmptyBatch)?;
        let obs_dim = first.observation.as_ref().len();
        let mut batch = Batch::default();
        batch.clear(transitions.len(), obs_dim);
        batch.actions.reset(first.action.encode().shape());
        for (i, t) in transitions.iter().enumerate() {
            for observation in [t.observation.as_ref(), t.next_observation.as_ref()] {
                if observation.len() != obs_dim {
                    return Err(MemoryError::ObservationLength {
                        expected: obs_dim,
                        actual: observation.len(),
                    });
                }
            }
            batch.observations.extend_from_slice(t.observation.as_ref());
            batch
                .next_observations
                .extend_from_slice(t.next_observation.as_ref());
            batch.actions.push(&t.action)?;
            batch.rewards.push(t.reward as f32);
            batch.terminated.push(f32::from(u8::from(t.terminated)));
            batch.truncated.push(f32::from(u8::from(t.truncated)));
            batch.indices.push(i);
        }
        Ok(batch)
    }

    /// Empties every field and sets the shape, keeping the allocations and the actions' shape
    /// (set it with `actions.reset`): for memories of your own that fill a reused batch in
    /// [`ReplayMemory::sample_into`](super::ReplayMemory::sample_into).
    pub fn clear(&mut self, batch_size: usize, obs_dim: usize) {
        self.batch_size = batch_size;
        self.obs_dim = obs_dim;
        self.observations.clear();
        self.actions.reset(self.actions.shape());
        self.rewards.clear();
        self.next_observations.clear();
        self.terminated.clear();
        self.truncated.clear();
        self.indices.clear();
        self.weights.clear();
        self.discounts.clear();
    }
}
