//! One PPO update over a rollout, written as the algorithm reads.

use burn::optim::ModuleOptimizer;
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::seq::SliceRandom;

use super::PpoConfig;
use crate::agents::clipped_surrogate;
use crate::agents::on_policy::Rollout;
use crate::agents::training::{apply_gradients, read_values as read};
use crate::error::AgentError;
use crate::memory::ActionRows;
use crate::nn::{ActionBatch, PolicyValueNetwork};
use crate::rng::SeededRng;

/// What one update measured: means over the minibatches it trained on.
#[derive(Debug, Clone, Default)]
pub(super) struct UpdateStats {
    pub loss: f32,
    pub policy_loss: f32,
    pub value_loss: f32,
    pub entropy: f32,
    pub approx_kl: f32,
    pub clip_fraction: f32,
    pub explained_variance: f32,
    /// Gradient steps taken.
    pub steps: u32,
    /// Epochs begun (fewer than `n_epochs` when the KL target stopped them).
    pub epochs: u32,
}

/// PPO's update (Schulman et al., 2017) on a full rollout:
///
/// ```text
/// V, V'      = V(s), V(s')                          (the rollout's critic, no gradient)
/// log_pi_old = log pi(a|s)                          (the rollout's policy, no gradient)
/// A, R       = GAE(r, V, V', terminated, done; gamma, lambda),  R = A + V
/// repeat n_epochs times, over shuffled minibatches B of batch_size transitions:
///     ratio       = exp(log pi_theta(a|s) - log_pi_old)
///     A_B         = (A - mean A) / (std A + 1e-8)   (when normalize_advantage)
///     policy_loss = -mean(min(ratio * A_B, clamp(ratio, 1 - clip, 1 + clip) * A_B))
///     value_loss  = mean((V_theta(s) - R)^2)        (or the larger of it and the squared
///                                                    error of V clipped to V_old ± clip_vf)
///     loss        = policy_loss + value_coef * value_loss - entropy_coef * H(pi_theta)
///     stop the epochs if approx_kl = mean((ratio - 1) - ln ratio) > 1.5 * target_kl
///     one optimizer step on loss, gradient norm clipped to max_grad_norm
/// ```
///
/// Truncated transitions bootstrap from `V` of their real final observation, terminated ones
/// do not; the advantage recursion stops at every episode end.
#[allow(clippy::too_many_arguments)]
pub(super) fn ppo_update<M: PolicyValueNetwork>(
    mut network: M,
    optimizer: &mut ModuleOptimizer,
    rollout: &Rollout,
    config: &PpoConfig,
    learning_rate: f64,
    clip: f32,
    rng: &mut SeededRng,
    device: &Device,
) -> Result<(M, UpdateStats), AgentError> {
    let (n, d) = (rollout.len(), rollout.obs_dim);
    let column = |values: Vec<f32>| Tensor::<2>::from_data(TensorData::new(values, [n, 1]), device);
    let s = Tensor::<2>::from_data(
        TensorData::new(rollout.observations.clone(), [n, d]),
        device,
    );
    let s_next = Tensor::<2>::from_data(
        TensorData::new(rollout.next_observations.clone(), [n, d]),
        device,
    );
    let a = action_batch(&rollout.actions, n, device);

    // What the policy and the critic that collected the rollout said, without gradient.
    let frozen = network.valid();
    let (old_policy, old_values) = frozen.forward(s.clone());
    let old_log_prob = old_policy.log_prob(&a)?;
    let (_, next_values) = frozen.forward(s_next);
    let values = read(old_values.clone())?;
    let (advantages, returns) = rollout.gae(
        &values,
        &read(next_values)?,
        config.gamma as f32,
        config.gae_lambda as f32,
    );
    let explained_variance = explained_variance(&values, &returns);
    let (advantages, returns) = (column(advantages), column(returns));

    let mut order: Vec<i64> = (0..n as i64).collect();
    let mut totals = Totals::default();
    let mut epochs = 0;
    'epochs: for _ in 0..config.n_epochs {
        epochs += 1;
        order.shuffle(rng);
        for batch in order.chunks(config.batch_size.min(n)) {
            let rows = batch.len();
            let idx = Tensor::<1, Int>::from_data(TensorData::new(batch.to_vec(), [rows]), device);
            let old_log_prob = old_log_prob.clone().select(0, idx.clone());
            let old_values = old_values.clone().select(0, idx.clone());
            let returns = returns.clone().select(0, idx.clone());
            let mut advantage = advantages.clone().select(0, idx.clone());
            if config.normalize_advantage && rows > 1 {
                let std = advantage.clone().var(0).sqrt().add_scalar(1e-8);
                advantage = (advantage.clone() - advantage.mean_dim(0)) / std;
            }

            let (policy, values) = network.forward(s.clone().select(0, idx.clone()));
            let log_prob = policy.log_prob(&a.select(idx))?;
            let policy_loss =
                clipped_surrogate(log_prob.clone(), old_log_prob.clone(), advantage, clip);
            let value_loss = match config.clip_range_vf {
                None => (values - returns).powi_scalar(2).mean(),
                Some(clip_vf) => {
                    let clip_vf = clip_vf as f32;
                    let clipped =
                        old_values.clone() + (values.clone() - old_values).clamp(-clip_vf, clip_vf);
                    let unclipped = (values - returns.clone()).powi_scalar(2);
                    unclipped
                        .max_pair((clipped - returns).powi_scalar(2))
                        .mean()
                }
            };
            let entropy = policy.entropy();
            let loss = policy_loss.clone() + value_loss.clone().mul_scalar(config.value_coef)
                - entropy.clone().mul_scalar(config.entropy_coef);

            let log_ratio = log_prob.detach() - old_log_prob;
            let ratio = log_ratio.clone().exp();
            let approx_kl = (ratio.clone().sub_scalar(1.0) - log_ratio).mean();
            let clipped = ratio
                .sub_scalar(1.0)
                .abs()
                .greater_elem(clip)
                .float()
                .mean();
            let measured = Minibatch::read(
                [policy_loss, value_loss, entropy, approx_kl, clipped].map(Tensor::detach),
            )?;
            if config
                .target_kl
                .is_some_and(|target| f64::from(measured.approx_kl) > 1.5 * target)
            {
                totals.add(&measured, None);
                break 'epochs;
            }
            let (trained, loss) = apply_gradients(
                network,
                loss,
                optimizer,
                config.max_grad_norm,
                learning_rate,
            )?;
            network = trained;
            totals.add(&measured, Some(loss));
        }
    }
    Ok((network, totals.stats(epochs, explained_variance)))
}

/// The rollout's actions as a tensor: indices `[n, 1]` or values `[n, dim]`.
fn action_batch(actions: &ActionRows, n: usize, device: &Device) -> ActionBatch {
    match actions {
        ActionRows::Discrete(indices) => ActionBatch::Discrete(Tensor::from_data(
            TensorData::new(indices.clone(), [n, 1]),
            device,
        )),
        ActionRows::Continuous { dim, values } => ActionBatch::Continuous(Tensor::from_data(
            TensorData::new(values.clone(), [n, *dim]),
            device,
        )),
    }
}

/// `1 - Var(returns - values) / Var(returns)`: 1 for a critic that predicts the returns, 0
/// for one no better than their mean, negative for worse (NaN-free: 0 when the returns do not
/// vary).
fn explained_variance(values: &[f32], returns: &[f32]) -> f32 {
    let variance = |xs: &mut dyn Iterator<Item = f64>| {
        let xs: Vec<f64> = xs.collect();
        let mean = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len().max(1) as f64
    };
    let of_returns = variance(&mut returns.iter().map(|&r| f64::from(r)));
    if of_returns == 0.0 {
        return 0.0;
    }
    let of_errors = variance(
        &mut returns
            .iter()
            .zip(values)
            .map(|(&r, &v)| f64::from(r) - f64::from(v)),
    );
    (1.0 - of_errors / of_returns) as f32
}

/// What one minibatch measured, read back from the device in one transfer.
struct Minibatch {
    policy_loss: f32,
    value_loss: f32,
    entropy: f32,
    approx_kl: f32,
    clip_fraction: f32,
}

impl Minibatch {
    fn read(values: [Tensor<1>; 5]) -> Result<Self, AgentError> {
        let [policy_loss, value_loss, entropy, approx_kl, clip_fraction] = <[f32; 5]>::try_from(
            read(Tensor::cat(values.to_vec(), 0).unsqueeze::<2>())?,
        )
        .map_err(|_| AgentError::InvalidConfig {
            field: "network",
            reason: "the update's measurements are not five values".into(),
        })?;
        Ok(Self {
            policy_loss,
            value_loss,
            entropy,
            approx_kl,
            clip_fraction,
        })
    }
}

/// Sums of the minibatches' measurements.
#[derive(Default)]
struct Totals {
    measured: [f64; 5],
    minibatches: u32,
    loss: f64,
    steps: u32,
}

impl Totals {
    /// Adds a minibatch's measurements, and its loss when a step was taken on it.
    fn add(&mut self, m: &Minibatch, loss: Option<f32>) {
        let values = [
            m.policy_loss,
            m.value_loss,
            m.entropy,
            m.approx_kl,
            m.clip_fraction,
        ];
        for (total, value) in self.measured.iter_mut().zip(values) {
            *total += f64::from(value);
        }
        self.minibatches += 1;
        if let Some(loss) = loss {
            self.loss += f64::from(loss);
            self.steps += 1;
        }
    }

    fn stats(&self, epochs: u32, explained_variance: f32) -> UpdateStats {
        let mean = |total: f64, count: u32| (total / f64::from(count.max(1))) as f32;
        let [policy_loss, value_loss, entropy, approx_kl, clip_fraction] =
            self.measured.map(|total| mean(total, self.minibatches));
        UpdateStats {
            loss: mean(self.loss, self.steps),
            policy_loss,
            value_loss,
            entropy,
            approx_kl,
            clip_fraction,
            explained_variance,
            steps: self.steps,
            epochs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explained_variance_is_one_for_a_perfect_critic_and_zero_for_the_mean() {
        let returns = [1.0, 2.0, 3.0, 6.0];
        assert!((explained_variance(&returns, &returns) - 1.0).abs() < 1e-6);
        assert!(explained_variance(&[3.0; 4], &returns).abs() < 1e-6);
        assert_eq!(explained_variance(&[0.0; 2], &[5.0; 2]), 0.0);
    }
}
