//! One DQN gradient update, written as the algorithm reads.

use burn::optim::ModuleOptimizer;
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::DqnConfig;
use crate::agents::batch_tensors::{BatchTensors, td_errors as batch_td_errors};
use crate::agents::training::apply_gradients;
use crate::error::AgentError;
use crate::memory::Batch;
use crate::nn::QNetwork;

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
    let batch_tensors = BatchTensors::new(batch, reward_scale, device)?;
    let (n, s, s_next) = (
        batch.batch_size,
        batch_tensors.observations.clone(),
        batch_tensors.next_observations.clone(),
    );
    let a = Tensor::<2, Int>::from_data(
        TensorData::new(batch.actions.require_discrete()?.to_vec(), [n, 1]),
        device,
    );

    // The TD target, from the target network.
    let next_q = target.forward(s_next.clone());
    let next_value = if config.double_dqn {
        let a_star = online.valid().forward(s_next).argmax(1);
        next_q.gather(1, a_star)
    } else {
        next_q.max_dim(1)
    };
    let y = batch_tensors.target(next_value, config.gamma);

    // The online network's value of the actions taken, and the loss between the two.
    let q_taken = online.forward(s).gather(1, a);
    if let Some(td_errors) = td_errors {
        *td_errors = batch_td_errors(y.clone(), q_taken.clone())?;
    }
    let loss = batch_tensors.loss(config.loss, q_taken, y);

    // Backpropagate, clip, step.
    apply_gradients(online, loss, optimizer, config.max_grad_norm, learning_rate)
}
