//! Checking a network's output shapes once, at construction.

use std::panic::{AssertUnwindSafe, catch_unwind};

use burn::tensor::{Device, Tensor};

use crate::error::AgentError;

/// Runs `forward` on a `[1, obs_dim]` batch of zeros and compares what `shape` reads off its
/// output with `expected`, so that a network that does not fit the spaces is an
/// [`AgentError::InvalidConfig`] of `field` at construction instead of a panic in the middle
/// of training.
pub(crate) fn probe_shapes<T: PartialEq + std::fmt::Debug>(
    field: &'static str,
    obs_dim: usize,
    device: &Device,
    expected: T,
    shape: impl FnOnce(Tensor<2>) -> T,
) -> Result<(), AgentError> {
    let input = Tensor::zeros([1, obs_dim], device);
    match catch_unwind(AssertUnwindSafe(|| shape(input))) {
        Ok(found) if found == expected => Ok(()),
        found => Err(AgentError::InvalidConfig {
            field,
            reason: format!(
                "for observations [1, {obs_dim}] the network must return {expected:?}, got {}",
                match found {
                    Ok(found) => format!("{found:?}"),
                    Err(_) => "a shape error".into(),
                }
            ),
        }),
    }
}
