//! One DQN gradient update, written as the algorithm reads.

use burn::optim::ModuleOptimizer;
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::DqnConfig;
use crate::agents::training::apply_gradients;
use crate::error::AgentError;
use crate::memory::Batch;
use crate::nn::QNetwork;

/// The sampled batch as tensors `[batch, ...]` on a plain (non-autodiff) device: data, not
/// parameters, so no gradient flows into them.
struct BatchTensors {
    observations: Tensor<2>,
    actions: Tensor<2, Int>,
    rewards: Tensor<2>,
    next_observations: Tensor<2>,
    terminated: Tensor<2>,
    /// Per-sample loss weights, when the batch has them.
    weights: Option<Tensor<2>>,
    /// Per-sample discounts, when the batch has them.
    discounts: Option<Tensor<2>>,
}

impl BatchTensors {
    /// The batch's fields as tensors, rewards multiplied by `reward_scale`. Weights or
    /// discounts that are neither empty nor one per sample are an error.
    fn new(batch: &Batch, reward_scale: f32, device: &Device) -> Result<Self, AgentError> {
        let (n, d) = (batch.batch_size, batch.obs_dim);
        let floats = |values: &[f32], shape: [usize; 2]| {
            Tensor::from_data(TensorData::new(values.to_vec(), shape), device)
        };
        let optional = |name: &'static str, values: &[f32]| match values.len() {
            0 => Ok(None),
            len if len == n => Ok(Some(floats(values, [n, 1]))),
            len => Err(AgentError::InvalidConfig {
                field: name,
                reason: format!("{len} values for a batch of {n}"),
            }),
        };
        Ok(Self {
            observations: floats(&batch.observations, [n, d]),
            actions: Tensor::from_data(
                TensorData::new(batch.actions.require_discrete()?.to_vec(), [n, 1]),
                device,
            ),
            rewards: Tensor::from_data(
                TensorData::new(
                    batch.rewards.iter().map(|r| r * reward_scale).collect(),
                    [n, 1],
                ),
                device,
            ),
            next_observations: floats(&batch.next_observations, [n, d]),
            terminated: floats(&batch.terminated, [n, 1]),
            weights: optional("batch.weights", &batch.weights)?,
            discounts: optional("batch.discounts", &batch.discounts)?,
        })
    }
}

/// One gradient step of the online network towards the TD target
///
/// ```text
/// y = r + gamma * (1 - terminated) * Q_target(s', a*)
///     a* = argmax_a Q_target(s', a)   (DQN)
///     a* = argmax_a Q_online(s', a)   (double DQN)
/// loss = mean(L(Q_online(s, a), y))  (Huber or MSE)
/// ```
///
/// A batch with per-sample discounts (n-step returns) uses them in place of `gamma`; one with
/// weights (prioritized replay) takes `mean(w * L)`. When `td_errors` is given it receives
/// `|y - Q_online(s, a)|` for every sample, for the memory's priorities.
///
/// Truncated transitions bootstrap like any non-terminal one: only `terminated` zeroes the
/// future. The target network is a plain-device copy, so `y` carries no gradient.
///
/// `reward_scale` multiplies the batch's rewards: 1 for batches from the replay memory, which
/// stores them scaled already.
///
/// Returns the updated online network and the loss before the step.
#[allow(clippy::too_many_arguments)]
pub(super) fn dqn_update<M: QNetwork>(
    online: M,
    target: &M,
    optimizer: &mut ModuleOptimizer,
    batch: &Batch,
    reward_scale: f32,
    config: &DqnConfig,
    learning_rate: f64,
    device: &Device,
    td_errors: Option<&mut Vec<f32>>,
) -> Result<(M, f32), AgentError> {
    let BatchTensors {
        observations: s,
        actions: a,
        rewards: r,
        next_observations: s_next,
        terminated,
        weights,
        discounts,
    } = BatchTensors::new(batch, reward_scale, device)?;

    // The TD target, from the target network.
    let next_q = target.forward(s_next.clone());
    let next_value = if config.double_dqn {
        let a_star = online.valid().forward(s_next).argmax(1);
        next_q.gather(1, a_star)
    } else {
        next_q.max_dim(1)
    };
    let not_terminated = terminated.neg().add_scalar(1.0);
    let y = match discounts {
        None => r + not_terminated * next_value * config.gamma,
        Some(discounts) => r + not_terminated * next_value * discounts,
    };

    // The online network's value of the actions taken, and the loss between the two.
    let q_taken = online.forward(s).gather(1, a);
    if let Some(td_errors) = td_errors {
        let errors = (y.clone() - q_taken.clone().detach()).abs().into_data();
        *td_errors = errors
            .try_into_vec::<f32>()
            .map_err(|e| AgentError::InvalidConfig {
                field: "network",
                reason: format!("unreadable TD errors: {e:?}"),
            })?;
    }
    let loss = match weights {
        None => config.loss.mean(q_taken, y),
        Some(weights) => config.loss.weighted_mean(q_taken, y, weights),
    };

    // Backpropagate, clip, step.
    apply_gradients(online, loss, optimizer, config.max_grad_norm, learning_rate)
}
