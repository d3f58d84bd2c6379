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

#[cfg(test)]
mod tests {
    use burn::module::Module;

    use super::*;
    use crate::memory::ActionRows;
    use crate::nn::MlpConfig;

    fn rows(values: &[f32], n: usize, d: usize, device: &Device) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values.to_vec(), [n, d]), device)
    }

    fn read(tensor: Tensor<2>) -> Vec<f32> {
        tensor.into_data().try_into_vec::<f32>().unwrap()
    }

    /// Huber with delta 1.
    fn huber(error: f64) -> f64 {
        if error.abs() < 1.0 {
            0.5 * error * error
        } else {
            error.abs() - 0.5
        }
    }

    #[test]
    fn n_step_discounts_and_importance_weights_enter_the_target_and_the_loss() {
        let device = Device::flex().autodiff();
        let online = MlpConfig::new(2, 3)
            .with_hidden(vec![4])
            .init(&device, 1)
            .unwrap();
        let target = MlpConfig::new(2, 3)
            .with_hidden(vec![4])
            .init(&device, 2)
            .unwrap()
            .valid();
        // Three n-step samples: one bootstrapping with gamma^3, one truncated early with
        // gamma^1 (it bootstraps), one terminated (no bootstrap whatever its discount).
        let batch = Batch {
            batch_size: 3,
            obs_dim: 2,
            observations: vec![0.1, -0.2, 0.5, 0.3, -0.4, 0.8],
            actions: ActionRows::Discrete(vec![2, 0, 1]),
            rewards: vec![1.5, 0.25, -0.75],
            next_observations: vec![0.2, 0.1, -0.3, 0.6, 0.9, -0.5],
            terminated: vec![0.0, 0.0, 1.0],
            truncated: vec![0.0, 1.0, 0.0],
            indices: vec![0, 1, 2],
            weights: vec![1.0, 0.5, 0.25],
            discounts: vec![0.729, 0.9, 0.81],
        };
        let config = DqnConfig::new().with_gamma(0.9).with_double_dqn(true);
        let plain = Device::flex();
        // The reference: the networks' values, combined by hand.
        let q = read(
            online
                .valid()
                .forward(rows(&batch.observations, 3, 2, &plain)),
        );
        let next_online = read(online.valid().forward(rows(
            &batch.next_observations,
            3,
            2,
            &plain,
        )));
        let next_target = read(target.forward(rows(&batch.next_observations, 3, 2, &plain)));
        let mut expected_errors = Vec::new();
        let mut expected_loss = 0.0;
        for i in 0..3 {
            let row = |v: &[f32]| v[i * 3..(i + 1) * 3].to_vec();
            let a_star = crate::policy::argmax(&row(&next_online)).unwrap();
            let bootstrap = f64::from(row(&next_target)[a_star]);
            let future = f64::from(1.0 - batch.terminated[i]) * f64::from(batch.discounts[i]);
            let y = f64::from(batch.rewards[i]) + future * bootstrap;
            let taken = [2usize, 0, 1][i];
            let error = y - f64::from(row(&q)[taken]);
            expected_errors.push(error.abs());
            expected_loss += f64::from(batch.weights[i]) * huber(error) / 3.0;
        }
        let mut optimizer = config.optimizer.init(None);
        let mut td_errors = Vec::new();
        let (_, loss) = dqn_update(
            online,
            &target,
            &mut optimizer,
            &batch,
            1.0,
            &config,
            1e-3,
            &plain,
            Some(&mut td_errors),
        )
        .unwrap();
        for (actual, expected) in td_errors.iter().zip(&expected_errors) {
            assert!(
                (f64::from(*actual) - expected).abs() < 1e-5,
                "{td_errors:?} {expected_errors:?}"
            );
        }
        assert!(
            (f64::from(loss) - expected_loss).abs() < 1e-6,
            "{loss} {expected_loss}"
        );
    }
}
