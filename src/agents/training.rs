//! The Burn-side steps every agent takes: placing its network on the training device,
//! probing the network's output shapes, and applying a loss's gradients.

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor};

use crate::agents::subnormals::without_subnormals;
use crate::error::AgentError;
use crate::nn::clip_grad_norm;

/// Checks the spaces and moves `network` to the autodiff version of `device` for training.
/// Returns the training network and the plain device the agent acts and computes targets on.
pub(crate) fn place<M: Module>(
    network: M,
    obs_dim: usize,
    n_actions: usize,
    device: &Device,
) -> Result<(M, Device), AgentError> {
    if obs_dim == 0 || n_actions == 0 {
        return Err(AgentError::InvalidConfig {
            field: "spaces",
            reason: format!(
                "need at least one observation value and one action, got {obs_dim} and {n_actions}"
            ),
        });
    }
    let train_device = train_device(device);
    let inner = train_device.clone().inner();
    Ok((network.fork(&train_device).train(), inner))
}

/// The autodiff version of `device` (itself when it is one), which agents train on.
pub(crate) fn train_device(device: &Device) -> Device {
    if device.is_autodiff() {
        device.clone()
    } else {
        device.clone().autodiff()
    }
}

/// The values of a network output, read back to the host.
pub(crate) fn read_values(values: Tensor<2>) -> Result<Vec<f32>, AgentError> {
    values
        .into_data()
        .try_into_vec::<f32>()
        .map_err(|e| AgentError::InvalidConfig {
            field: "network",
            reason: format!("unreadable network output: {e:?}"),
        })
}

/// The largest loss an update accepts: beyond it (or at a value that is not finite) learning
/// has diverged and stops with [`AgentError::Diverged`]. A squared TD error of 1e10 is a value
/// error of 1e5, far beyond the scale of returns the agents are built for (scale large
/// rewards with the configs' `reward_scale`).
pub const DIVERGENCE_LOSS: f32 = 1e10;

/// `loss` itself, or [`AgentError::Diverged`] when it is not finite or exceeds
/// [`DIVERGENCE_LOSS`] in magnitude.
pub(crate) fn check_loss(loss: f32) -> Result<f32, AgentError> {
    if loss.is_finite() && loss.abs() <= DIVERGENCE_LOSS {
        Ok(loss)
    } else {
        Err(AgentError::Diverged(loss))
    }
}

/// Backpropagates `loss`, clips the gradients' global norm to `max_grad_norm` (when set) and
/// takes one optimizer step. Returns the updated network and the loss value; a loss that is
/// not finite or exceeds [`DIVERGENCE_LOSS`] in magnitude is [`AgentError::Diverged`] and
/// leaves no step taken.
pub(crate) fn apply_gradients<M: Module>(
    network: M,
    loss: Tensor<1>,
    optimizer: &mut ModuleOptimizer,
    max_grad_norm: Option<f32>,
    learning_rate: f64,
) -> Result<(M, f32), AgentError> {
    let loss_value = check_loss(loss.clone().into_scalar::<f32>())?;
    let mut gradients = GradientsParams::from_grads(loss.backward(), &network);
    if let Some(max_norm) = max_grad_norm {
        clip_grad_norm(&network, &mut gradients, max_norm);
    }
    Ok((
        optimizer.step(learning_rate, network, gradients),
        loss_value,
    ))
}

/// Runs `work` on a thread of the global rayon pool and returns its result. Flex spreads a
/// large matrix product over the pool; called from a thread outside it, every product waits
/// on the pool's threads, which at the sizes of rl-baselines3-zoo's networks (256 x 256)
/// costs more than the spreading gains: run from inside, such products take half the time.
///
/// The work runs without subnormal floats (see [`without_subnormals`]).
pub(crate) fn on_worker<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    rayon::scope(|_| without_subnormals(work))
}
