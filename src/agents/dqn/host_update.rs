//! One DQN gradient update computed on the host: the same update as
//! [`dqn_update`](super::update::dqn_update), with the forward and backward passes of the
//! network's linear layers, the gradient clipping, Adam and the target's Polyak step written
//! out over plain `f32` arrays instead of dispatched as dozens of framework operations.

use burn::tensor::Device;

use super::DqnConfig;
use super::batch_check::check_batch;
use crate::agents::OptimizerConfig;
use crate::agents::ValueLoss;
use crate::agents::batch_tensors::check_per_sample;
use crate::agents::host_adam::HostAdam;
use crate::agents::training::check_loss;
use crate::error::AgentError;
use crate::memory::Batch;
use crate::nn::{Activations, HelperSlot, HostQ, QNetwork, polyak, scale, sum_of_squares};
use crate::policy::argmax;

/// The online and target networks' parameters and Adam's state, on the host, with the
/// buffers one update reuses.
#[derive(Debug, Clone)]
pub(super) struct HostLearner {
    pub online: HostQ,
    pub target: HostQ,
    pub adam: HostAdam,
    online_pass: Activations,
    target_pass: Activations,
    inputs: Vec<f32>,
    grads: Vec<Vec<f32>>,
    /// The thread that computes the target network's pass, with
    /// [`update_threads`](DqnConfig::update_threads) 2.
    helper: Option<HelperSlot>,
}

/// Whether `device` computes on this machine's CPU, where host updates pay off.
// NdArray's device constructor is deprecated in favour of Flex, and still supported here.
#[allow(deprecated)]
fn on_cpu(device: &Device) -> bool {
    let plain = device.clone().inner();
    #[cfg(feature = "flex")]
    if plain == Device::flex() {
        return true;
    }
    #[cfg(feature = "ndarray")]
    if plain == Device::ndarray() {
        return true;
    }
    false
}

impl HostLearner {
    /// The host learner of `online` and `target`, when `config` asks for host updates, the
    /// optimizer is Adam, the networks live on the CPU and have a host form that maps
    /// `obs_dim` inputs to `n_actions` outputs.
    pub fn new<M: QNetwork>(
        online: &M,
        target: &M,
        [obs_dim, n_actions]: [usize; 2],
        config: &DqnConfig,
        device: &Device,
    ) -> Option<Self> {
        let OptimizerConfig::Adam {
            beta_1,
            beta_2,
            epsilon,
        } = config.optimizer
        else {
            return None;
        };
        if !config.host_updates || !on_cpu(device) {
            return None;
        }
        let online = HostQ::of(online)
            .filter(|host| host.input() == obs_dim && host.n_actions() == n_actions)?;
        let target = HostQ::of(target)?;
        let sizes: Vec<usize> = online.params().iter().map(Vec::len).collect();
        let target_sizes: Vec<usize> = target.params().iter().map(Vec::len).collect();
        if sizes != target_sizes {
            return None;
        }
        Some(Self {
            adam: HostAdam::new([beta_1, beta_2, epsilon], config.clip_grad_value, &sizes),
            grads: online.zeros_like(),
            online,
            target,
            online_pass: Activations::default(),
            target_pass: Activations::default(),
            inputs: Vec::new(),
            helper: (config.update_threads == 2).then(HelperSlot::default),
        })
    }

    /// Reads the networks' parameters again (after a load or a restore); `false`, leaving the
    /// learner as it was, when they no longer have this learner's form.
    pub fn reload<M: QNetwork>(&mut self, online: &M, target: &M) -> bool {
        match (HostQ::of(online), HostQ::of(target)) {
            (Some(o), Some(t)) if o.params().len() == self.online.params().len() => {
                self.online = o;
                self.target = t;
                true
            }
            _ => false,
        }
    }

    /// `target <- tau * online + (1 - tau) * target`, parameter by parameter.
    pub fn polyak(&mut self, tau: f32) {
        for (t, o) in self
            .target
            .params_mut()
            .iter_mut()
            .zip(self.online.params())
        {
            polyak(t, o, tau);
        }
    }

    /// `target <- online`.
    pub fn copy_target(&mut self) {
        for (t, o) in self
            .target
            .params_mut()
            .iter_mut()
            .zip(self.online.params())
        {
            t.copy_from_slice(o);
        }
    }
}

/// One gradient step of the online network towards the TD target, as
/// [`dqn_update`](super::update::dqn_update) takes it (same target, loss, weights, discounts,
/// TD errors, clipping and Adam step), on the host. Returns the loss before the step.
pub(super) fn host_dqn_update(
    learner: &mut HostLearner,
    batch: &Batch,
    reward_scale: f32,
    config: &DqnConfig,
    learning_rate: f64,
    td_errors: Option<&mut Vec<f32>>,
) -> Result<f32, AgentError> {
    let (n, n_actions) = (batch.batch_size, learner.online.n_actions());
    check_batch(batch, learner.online.input(), n_actions)?;
    check_per_sample(batch)?;
    let actions = batch.actions.require_discrete()?;
    let HostLearner {
        online,
        target,
        adam,
        online_pass,
        target_pass,
        inputs,
        grads,
        helper,
    } = learner;
    let helper = helper.as_ref().and_then(HelperSlot::get);

    // One pass of the online network over s and s' together (s' only picks a* for double
    // DQN), one of the target network over s' (on the helper thread, when there is one, at
    // the same time).
    inputs.clear();
    inputs.extend_from_slice(&batch.observations);
    let online_rows = if config.double_dqn {
        inputs.extend_from_slice(&batch.next_observations);
        2 * n
    } else {
        n
    };
    let mut online_forward = || online.forward(inputs, online_rows, online_pass);
    let mut target_forward = || target.forward(&batch.next_observations, n, target_pass);
    match helper {
        Some(helper) => helper.join(online_forward, target_forward),
        None => {
            online_forward();
            target_forward();
        }
    }
    let (q, next_q) = (online_pass.q(), target_pass.q());

    // The TD target y = r + discount * (1 - terminated) * Q_target(s', a*).
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let next = &next_q[i * n_actions..(i + 1) * n_actions];
        let next_value = if config.double_dqn {
            let online_next = &q[(n + i) * n_actions..(n + i + 1) * n_actions];
            // The first largest value; with a NaN the loss is NaN too, and refused below.
            next[argmax(online_next).unwrap_or(0)]
        } else {
            next.iter().copied().fold(f32::NEG_INFINITY, f32::max)
        };
        let reward = if reward_scale == 1.0 {
            batch.rewards[i]
        } else {
            batch.rewards[i] * reward_scale
        };
        let discount = batch
            .discounts
            .get(i)
            .copied()
            .unwrap_or(config.gamma as f32);
        y.push(reward + (1.0 - batch.terminated[i]) * next_value * discount);
    }

    // The loss between Q_online(s, a) and y, and its derivative with respect to Q_online(s).
    let mut d_q = vec![0.0f32; n * n_actions];
    let mut loss = 0.0f32;
    let mut errors = Vec::with_capacity(n);
    for i in 0..n {
        let taken = i * n_actions + actions[i] as usize;
        let error = q[taken] - y[i];
        errors.push(error.abs());
        let weight = batch.weights.get(i).copied().unwrap_or(1.0);
        let (value, slope) = match config.loss {
            ValueLoss::Huber if error.abs() <= 1.0 => (0.5 * error * error, error),
            ValueLoss::Huber => (error.abs() - 0.5, error.signum()),
            ValueLoss::Mse => (error * error, 2.0 * error),
        };
        loss += weight * value;
        d_q[taken] = weight * slope / n as f32;
    }
    let loss = check_loss(loss / n as f32)?;
    if let Some(td_errors) = td_errors {
        *td_errors = errors;
    }

    // Backpropagate, clip, step.
    for grad in grads.iter_mut() {
        grad.fill(0.0);
    }
    online.backward(online_pass, &d_q, grads);
    if let Some(max_norm) = config.max_grad_norm {
        clip_grad_norm(grads, max_norm);
    }
    adam.step(online.params_mut(), grads, learning_rate);
    Ok(loss)
}

/// Scales all gradients together so that their global L2 norm is at most `max_norm`, as
/// [`clip_grad_norm`](crate::nn::clip_grad_norm) does.
fn clip_grad_norm(grads: &mut [Vec<f32>], max_norm: f32) {
    let norm = grads.iter().map(|g| sum_of_squares(g)).sum::<f32>().sqrt();
    if norm > max_norm {
        let factor = max_norm / (norm + 1e-6);
        for g in grads.iter_mut() {
            scale(g, factor);
        }
    }
}
