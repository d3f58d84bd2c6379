//! The check of a batch handed to a DQN update.

use crate::error::AgentError;
use crate::memory::{Batch, invalid_action};

/// Refuses a batch of another observation length than `obs_dim`
/// ([`AgentError::ObservationLength`]), fields that do not hold one row per transition
/// ([`AgentError::InvalidConfig`]), or an action outside `0..n_actions`
/// ([`AgentError::InvalidAction`]).
pub(super) fn check_batch(
    batch: &Batch,
    obs_dim: usize,
    n_actions: usize,
) -> Result<(), AgentError> {
    if batch.obs_dim != obs_dim {
        return Err(AgentError::ObservationLength {
            expected: obs_dim,
            actual: batch.obs_dim,
        });
    }
    let n = batch.batch_size;
    let rows = [
        batch.actions.len(),
        batch.rewards.len(),
        batch.terminated.len(),
    ];
    if n == 0
        || rows.iter().any(|&len| len != n)
        || batch.observations.len() != n * obs_dim
        || batch.next_observations.len() != n * obs_dim
    {
        return Err(AgentError::InvalidConfig {
            field: "batch",
            reason: format!(
                "a batch of {n} transitions of length {obs_dim} needs that many of every field"
            ),
        });
    }
    match invalid_action(batch.actions.require_discrete()?, n_actions) {
        Some(action) => Err(AgentError::InvalidAction {
            action: usize::try_from(action).unwrap_or(usize::MAX),
            n_actions,
        }),
        None => Ok(()),
    }
}
