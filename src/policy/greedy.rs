//! The greedy policy.

use super::{ActionValues, Policy};
use crate::error::PolicyError;

/// Always takes the action of highest value.
#[derive(Debug, Clone)]
pub struct Greedy<Q> {
    values: Q,
}

impl<Q> Greedy<Q> {
    /// The greedy policy over `values`.
    pub fn new(values: Q) -> Self {
        Self { values }
    }

    /// The action-value source.
    pub fn values(&self) -> &Q {
        &self.values
    }

    /// Unwraps the action-value source.
    pub fn into_inner(self) -> Q {
        self.values
    }
}

impl<O: ?Sized, Q: ActionValues<O>> Policy<O> for Greedy<Q> {
    fn act(&mut self, observation: &O) -> Result<usize, PolicyError> {
        self.values.greedy_action(observation)
    }
}
