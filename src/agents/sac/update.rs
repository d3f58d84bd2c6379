//! One SAC gradient update, written as the algorithm reads.

use burn::module::{Module, Param};
use burn::optim::ModuleOptimizer;
use burn::tensor::{Device, Tensor, TensorData};

use super::SacConfig;
use crate::agents::batch_tensors::BatchTensors;
use crate::agents::continuous::UpdateReport;
use crate::agents::critics::{polyak, step_critics};
use crate::agents::training::{apply_gradients, read_values};
use crate::error::AgentError;
use crate::memory::Batch;
use crate::nn::{ActorNetwork, ContinuousQNetwork, Twin, squashed_gaussian_log_prob};

/// The bounds of the actor's log standard deviation (Stable-Baselines3's and the SAC paper
/// authors' code): narrower or wider Gaussians are clamped to them.
pub const LOG_STD_MIN: f32 = -20.0;
/// See [`LOG_STD_MIN`].
pub const LOG_STD_MAX: f32 = 2.0;

/// `ln α`, learned as a one-parameter module so that it has an optimizer and checkpoints
/// like the networks.
#[derive(Module, Debug)]
pub(super) struct LogAlpha {
    value: Param<Tensor<1>>,
}

impl LogAlpha {
    pub fn new(alpha: f64, device: &Device) -> Self {
        Self {
            value: Param::from_tensor(Tensor::from_data(
                TensorData::new(vec![alpha.ln() as f32], [1]),
                device,
            )),
        }
    }

    /// α, read back to the host (from the parameter's plain value: an autodiff operation on
    /// it that is never backpropagated would stay in Burn's graph registry for good).
    pub fn alpha(&self) -> Result<f32, AgentError> {
        Ok(read_values(self.value.val().inner().exp().unsqueeze())?[0])
    }
}

/// The networks one update changes.
pub(super) struct SacNetworks<A, Q: ContinuousQNetwork> {
    pub actor: A,
    pub critics: Twin<Q>,
    /// A plain-device copy, Polyak-averaged toward `critics`.
    pub critics_target: Twin<Q>,
    pub log_alpha: LogAlpha,
}

/// The optimizers of the actor, the critics and `ln α`.
pub(super) struct SacOptimizers {
    pub actor: ModuleOptimizer,
    pub critics: ModuleOptimizer,
    pub alpha: ModuleOptimizer,
}

/// What else one update needs: the standard normal draws `[batch, dim]` of the actor's
/// samples for `s` and `s'`, the actions in `[-1, 1]` units, and which parts are due.
pub(super) struct UpdateInputs<'a> {
    pub batch: &'a Batch,
    pub units: Vec<f32>,
    pub noise: Vec<f32>,
    pub next_noise: Vec<f32>,
    pub update_actor: bool,
    pub update_target: bool,
    pub learn_alpha: bool,
    pub target_entropy: f32,
}

/// A tanh-squashed Gaussian sample of the actor for the observations `s`, reparameterised
/// with the standard normal draws `noise`: `(a = tanh(μ + σ ε), ln π(a|s))`, `[batch, dim]`
/// and `[batch, 1]`. The actor's output holds `μ` then `ln σ` (clamped to its bounds).
pub(super) fn squashed_sample<A: ActorNetwork>(
    actor: &A,
    s: Tensor<2>,
    noise: Tensor<2>,
) -> (Tensor<2>, Tensor<2>) {
    let output = actor.forward(s);
    let dim = output.dims()[1] / 2;
    let mean = output.clone().narrow(1, 0, dim);
    let log_std = output.narrow(1, dim, dim).clamp(LOG_STD_MIN, LOG_STD_MAX);
    let pre_tanh = mean.clone() + log_std.clone().exp() * noise;
    let log_prob = squashed_gaussian_log_prob(mean, log_std, pre_tanh.clone());
    (pre_tanh.tanh(), log_prob)
}

/// One SAC update (Haarnoja et al. 2018, with the learned temperature of their second paper):
///
/// ```text
/// α = exp(ln α)                                        (no gradient)
/// a' ~ π(.|s'),  y = r + gamma * (1 - terminated) * (min_i Q'_i(s', a') - α ln π(a'|s'))
/// critics:  0.5 * Σ_i mean((Q_i(s, a) - y)^2)          one step of their optimizer
/// every policy_delay updates:
///     ã ~ π(.|s) (reparameterised)
///     actor:  mean(α ln π(ã|s) - min_i Q_i(s, ã))      one step; the critics stay as they are
///     ln α:   -ln α * mean(ln π(ã|s) + target_entropy) one step, when α is learned
/// every target_update_interval updates:  Q'_i <- tau * Q_i + (1 - tau) * Q'_i
/// ```
///
/// Truncated transitions bootstrap like any non-terminal one. Actions are in the actor's
/// `[-1, 1]` units. When `td_errors` is given it receives `|y - Q_1(s, a)|` of every sample.
pub(super) fn sac_update<A: ActorNetwork, Q: ContinuousQNetwork>(
    networks: SacNetworks<A, Q>,
    optimizers: &mut SacOptimizers,
    inputs: UpdateInputs<'_>,
    config: &SacConfig,
    device: &Device,
    td_errors: Option<&mut Vec<f32>>,
) -> Result<(SacNetworks<A, Q>, UpdateReport), AgentError> {
    let SacNetworks {
        mut actor,
        mut critics,
        mut critics_target,
        mut log_alpha,
    } = networks;
    let batch = BatchTensors::new(inputs.batch, 1.0, device)?;
    let (n, dim) = (
        inputs.batch.batch_size,
        inputs.units.len() / inputs.batch.batch_size,
    );
    let floats =
        |values: Vec<f32>| Tensor::<2>::from_data(TensorData::new(values, [n, dim]), device);
    let (s, s_next, a) = (
        batch.observations.clone(),
        batch.next_observations.clone(),
        floats(inputs.units),
    );
    let alpha = log_alpha.alpha()?;

    // The soft TD target, from the target critics and the current policy at s'.
    let (a_next, log_prob_next) =
        squashed_sample(&actor.valid(), s_next.clone(), floats(inputs.next_noise));
    let next_value = critics_target.min(s_next, a_next) - log_prob_next.mul_scalar(alpha);
    let y = batch.target(next_value, config.gamma);

    // Both critics toward it.
    let (stepped, measured) = step_critics(
        critics,
        &batch,
        a,
        y,
        0.5,
        &mut optimizers.critics,
        config.max_grad_norm,
        config.critic_learning_rate,
        td_errors,
    )?;
    critics = stepped;
    let mut report = measured.report();
    report.values.push(("alpha", alpha));

    if inputs.update_actor {
        // The policy toward the critics' soft values, through its reparameterised sample.
        let (a_pi, log_prob) = squashed_sample(&actor, s.clone(), floats(inputs.noise));
        let frozen = critics.clone().no_grad();
        let actor_loss = (log_prob.clone().mul_scalar(alpha) - frozen.min(s, a_pi)).mean();
        let (stepped, actor_loss) = apply_gradients(
            actor,
            actor_loss,
            &mut optimizers.actor,
            config.max_grad_norm,
            config.actor_learning_rate,
        )?;
        actor = stepped;
        let log_prob_mean = log_prob.detach().mean();
        let entropy = -read_values(log_prob_mean.clone().unsqueeze())?[0];
        report.entropy = Some(entropy);
        report.values.push(("actor_loss", actor_loss));

        // The temperature toward the target entropy.
        if inputs.learn_alpha {
            let gap = log_prob_mean.add_scalar(inputs.target_entropy);
            let alpha_loss = (log_alpha.value.val() * gap).neg();
            let (stepped, alpha_loss) = apply_gradients(
                log_alpha,
                alpha_loss,
                &mut optimizers.alpha,
                None,
                config.alpha_learning_rate,
            )?;
            log_alpha = stepped;
            report.values.push(("alpha_loss", alpha_loss));
        }
    }

    if inputs.update_target {
        critics_target = polyak(&critics, critics_target, config.tau)?;
    }
    Ok((
        SacNetworks {
            actor,
            critics,
            critics_target,
            log_alpha,
        },
        report,
    ))
}

#[cfg(test)]
mod tests {
    use burn::module::Module;
    use burn::tensor::Device;

    use super::*;
    use crate::agents::continuous::test_nets::{LinearNet, two_transitions as batch};
    use crate::nn::Twin;

    /// `w · [s, a] + b` in f64.
    fn linear(w: &[f32], b: f32, s: &[f32], a: f64) -> f64 {
        let x: Vec<f64> = s.iter().map(|&v| f64::from(v)).chain([a]).collect();
        x.iter().zip(w).map(|(x, &w)| x * f64::from(w)).sum::<f64>() + f64::from(b)
    }

    #[test]
    fn the_soft_target_takes_the_smaller_twin_the_entropy_and_the_termination_mask() {
        let device = Device::flex().autodiff();
        // The actor: mean = 0.3 s0 - 0.2 s1 + 0.1, log std = 0.5 s0 - 0.4.
        let (actor_w, actor_b) = ([0.3f32, 0.5, -0.2, 0.0], [0.1f32, -0.4]);
        let (q1_w, q1_b) = ([1.0f32, -0.5, 2.0], 0.3f32);
        let (q2_w, q2_b) = ([-0.7f32, 0.8, 1.5], -0.1f32);
        let critics = Twin::new(
            LinearNet::new(&q1_w, &[q1_b], &device),
            LinearNet::new(&q2_w, &[q2_b], &device),
        );
        let networks = SacNetworks {
            actor: LinearNet::new(&actor_w, &actor_b, &device),
            critics_target: critics.valid(),
            critics,
            log_alpha: LogAlpha::new(0.2, &device),
        };
        let config = SacConfig::new().with_gamma(0.9);
        let mut optimizers = SacOptimizers {
            actor: config.optimizer.init(None),
            critics: config.optimizer.init(None),
            alpha: config.optimizer.init(None),
        };
        let batch = batch();
        let next_noise = vec![0.8f32, -1.3];
        let inputs = UpdateInputs {
            batch: &batch,
            units: vec![0.4, -0.6],
            noise: vec![0.0, 0.0],
            next_noise: next_noise.clone(),
            update_actor: false,
            update_target: false,
            learn_alpha: false,
            target_entropy: -1.0,
        };
        let mut td_errors = Vec::new();
        sac_update(
            networks,
            &mut optimizers,
            inputs,
            &config,
            &Device::flex(),
            Some(&mut td_errors),
        )
        .unwrap();

        let (alpha, gamma) = (0.2f64, 0.9f64);
        for i in 0..2 {
            let s = &batch.observations[2 * i..2 * i + 2];
            let s_next = &batch.next_observations[2 * i..2 * i + 2];
            let (x0, x1) = (f64::from(s_next[0]), f64::from(s_next[1]));
            let mean = 0.3 * x0 - 0.2 * x1 + 0.1;
            let log_std = 0.5 * x0 - 0.4;
            let eps = f64::from(next_noise[i]);
            let u = mean + log_std.exp() * eps;
            let a_next = u.tanh();
            let log_prob = -0.5 * eps * eps
                - log_std
                - 0.5 * (2.0 * std::f64::consts::PI).ln()
                - (1.0 - a_next * a_next).ln();
            let q_next =
                linear(&q1_w, q1_b, s_next, a_next).min(linear(&q2_w, q2_b, s_next, a_next));
            let not_terminated = 1.0 - f64::from(batch.terminated[i]);
            let y =
                f64::from(batch.rewards[i]) + gamma * not_terminated * (q_next - alpha * log_prob);
            let q1 = linear(&q1_w, q1_b, s, f64::from([0.4f32, -0.6][i]));
            let expected = (y - q1).abs();
            assert!(
                (f64::from(td_errors[i]) - expected).abs() < 1e-4,
                "sample {i}: {} vs {expected}",
                td_errors[i]
            );
        }
    }

    #[test]
    fn a_learned_alpha_moves_toward_the_target_entropy() {
        let device = Device::flex().autodiff();
        let alpha_after = |target_entropy: f32| {
            let critic = || LinearNet::new(&[0.5, -0.5, 1.0], &[0.0], &device);
            let critics = Twin::new(critic(), critic());
            let mut networks = SacNetworks {
                actor: LinearNet::new(&[0.3, 0.1, -0.2, 0.2], &[0.0, -1.0], &device),
                critics_target: critics.valid(),
                critics,
                log_alpha: LogAlpha::new(1.0, &device),
            };
            let config = SacConfig::new();
            let mut optimizers = SacOptimizers {
                actor: config.optimizer.init(None),
                critics: config.optimizer.init(None),
                alpha: config.optimizer.init(None),
            };
            let batch = batch();
            for _ in 0..20 {
                let inputs = UpdateInputs {
                    batch: &batch,
                    units: vec![0.4, -0.6],
                    noise: vec![0.3, -0.7],
                    next_noise: vec![0.8, -1.3],
                    update_actor: true,
                    update_target: true,
                    learn_alpha: true,
                    target_entropy,
                };
                networks = sac_update(
                    networks,
                    &mut optimizers,
                    inputs,
                    &config,
                    &Device::flex(),
                    None,
                )
                .unwrap()
                .0;
            }
            networks.log_alpha.alpha().unwrap()
        };
        // The policy's entropy stays between -10 and 10 here: α rises toward a target of 10 to
        // push the entropy up, and falls toward one of -10 to let it drop.
        assert!(alpha_after(10.0) > 1.01, "{}", alpha_after(10.0));
        assert!(alpha_after(-10.0) < 0.99, "{}", alpha_after(-10.0));
    }
}
