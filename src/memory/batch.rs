//! A sampled mini-batch, one contiguous array per field.

/// `batch_size` transitions, field by field, row-major.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// The number of transitions.
    pub batch_size: usize,
    /// The length of one observation.
    pub obs_dim: usize,
    /// `[batch_size, obs_dim]`.
    pub observations: Vec<f32>,
    /// `[batch_size]`.
    pub actions: Vec<i64>,
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
}

impl Batch {
    /// Empties every field and sets the shape, keeping the allocations.
    pub(crate) fn clear(&mut self, batch_size: usize, obs_dim: usize) {
        self.batch_size = batch_size;
        self.obs_dim = obs_dim;
        self.observations.clear();
        self.actions.clear();
        self.rewards.clear();
        self.next_observations.clear();
        self.terminated.clear();
        self.truncated.clear();
        self.indices.clear();
    }
}
