//! A replayed batch as tensors, and the one-step TD target every off-policy update builds.

use burn::tensor::{Device, Tensor, TensorData};

use crate::agents::ValueLoss;
use crate::error::AgentError;
use crate::memory::Batch;

/// The sampled batch's fields as tensors `[batch, ...]` on a plain (non-autodiff) device:
/// data, not parameters, so no gradient flows into them. The actions are left to the
/// algorithm (indices for a Q-network's `gather`, values for a critic).
pub(crate) struct BatchTensors {
    pub observations: Tensor<2>,
    pub rewards: Tensor<2>,
    pub next_observations: Tensor<2>,
    pub terminated: Tensor<2>,
    /// Per-sample loss weights, when the batch has them.
    pub weights: Option<Tensor<2>>,
    /// Per-sample discounts, when the batch has them.
    pub discounts: Option<Tensor<2>>,
}

impl BatchTensors {
    /// The batch's fields as tensors, rewards multiplied by `reward_scale`. Weights or
    /// discounts that are neither empty nor one per sample are an error.
    pub fn new(batch: &Batch, reward_scale: f32, device: &Device) -> Result<Self, AgentError> {
        check_per_sample(batch)?;
        let (n, d) = (batch.batch_size, batch.obs_dim);
        let floats = |values: &[f32], shape: [usize; 2]| {
            Tensor::from_data(TensorData::new(values.to_vec(), shape), device)
        };
        let optional = |values: &[f32]| (!values.is_empty()).then(|| floats(values, [n, 1]));
        let rewards: Vec<f32> = if reward_scale == 1.0 {
            batch.rewards.clone()
        } else {
            batch.rewards.iter().map(|r| r * reward_scale).collect()
        };
        Ok(Self {
            observations: floats(&batch.observations, [n, d]),
            rewards: Tensor::from_data(TensorData::new(rewards, [n, 1]), device),
            next_observations: floats(&batch.next_observations, [n, d]),
            terminated: floats(&batch.terminated, [n, 1]),
            weights: optional(&batch.weights),
            discounts: optional(&batch.discounts),
        })
    }

    /// The one-step target `y = r + discount * (1 - terminated) * next_value`, the discount
    /// being the batch's per-sample one (n-step returns) or `gamma`. Truncated transitions
    /// bootstrap like any other non-terminal one.
    pub fn target(&self, next_value: Tensor<2>, gamma: f64) -> Tensor<2> {
        let not_terminated = self.terminated.clone().neg().add_scalar(1.0);
        let future = not_terminated * next_value;
        match &self.discounts {
            None => self.rewards.clone() + future * gamma,
            Some(discounts) => self.rewards.clone() + future * discounts.clone(),
        }
    }

    /// The mean of `loss` between `values` and the targets `y`, each sample weighted by the
    /// batch's weight when it has them.
    pub fn loss(&self, loss: ValueLoss, values: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
        match &self.weights {
            None => loss.mean(values, y),
            Some(weights) => loss.weighted_mean(values, y, weights.clone()),
        }
    }
}

/// Refuses weights or discounts that are neither empty nor one per sample.
pub(crate) fn check_per_sample(batch: &Batch) -> Result<(), AgentError> {
    let n = batch.batch_size;
    for (field, values) in [
        ("batch.weights", &batch.weights),
        ("batch.discounts", &batch.discounts),
    ] {
        if !values.is_empty() && values.len() != n {
            return Err(AgentError::InvalidConfig {
                field,
                reason: format!("{} values for a batch of {n}", values.len()),
            });
        }
    }
    Ok(())
}

/// The absolute errors `|y - q|` of a batch, read back for a memory's priorities.
pub(crate) fn td_errors(y: Tensor<2>, q: Tensor<2>) -> Result<Vec<f32>, AgentError> {
    (y - q.detach())
        .abs()
        .into_data()
        .try_into_vec::<f32>()
        .map_err(|e| AgentError::InvalidConfig {
            field: "network",
            reason: format!("unreadable TD errors: {e:?}"),
        })
}
