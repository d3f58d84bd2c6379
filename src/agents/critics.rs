//! The twin critics' step shared by SAC and TD3: both critics regress on the same targets,
//! each backpropagated on its own thread (on the CPU, one critic's matrix products of these
//! sizes keep one core busy, not two), then one optimizer step for both.

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor};

use crate::agents::ValueLoss;
use crate::agents::batch_tensors::{BatchTensors, td_errors as batch_td_errors};
use crate::agents::continuous::UpdateReport;
use crate::agents::subnormals::without_subnormals;
use crate::agents::training::{check_loss, place};
use crate::error::AgentError;
use crate::nn::{ContinuousQNetwork, Twin, clip_grad_norm, polyak_update, probe_shapes};

/// Moves `critics` to the autodiff version of `device` for training and checks that each maps
/// `[1, obs_dim]` observations and `[1, action_dim]` actions to `[1, 1]` values. Returns the
/// training critics and a plain-device copy to start the targets from.
pub(crate) fn place_critics<Q: ContinuousQNetwork>(
    critics: Twin<Q>,
    obs_dim: usize,
    action_dim: usize,
    device: &Device,
) -> Result<(Twin<Q>, Twin<Q>), AgentError> {
    let (critics, inner) = place(critics, obs_dim, action_dim, device)?;
    let target = critics.valid();
    probe_shapes("network", obs_dim, &inner, ([1, 1], [1, 1]), |input| {
        let (q1, q2) = target.forward(input, Tensor::zeros([1, action_dim], &inner));
        (q1.dims(), q2.dims())
    })?;
    Ok((critics, target))
}

/// `target <- tau * critics + (1 - tau) * target` (for an actor's target too).
pub(crate) fn polyak<M: Module>(online: &M, target: M, tau: f32) -> Result<M, AgentError> {
    polyak_update(online, target, tau).ok_or_else(|| AgentError::InvalidConfig {
        field: "network",
        reason: "a target network's parameters no longer match its network's".into(),
    })
}

/// What the critics' step measured.
pub(crate) struct CriticsStep {
    /// `scale * (loss_1 + loss_2)`, the loss minimised.
    pub loss: f32,
    /// Each critic's mean squared error.
    pub losses: [f32; 2],
    /// The first critic's mean value of the batch's actions.
    pub mean_q: f32,
}

impl CriticsStep {
    /// The update's report so far: the loss minimised, each critic's loss and the mean Q.
    pub fn report(&self) -> UpdateReport {
        UpdateReport {
            loss: self.loss,
            entropy: None,
            values: vec![
                ("q1_loss", self.losses[0]),
                ("q2_loss", self.losses[1]),
                ("mean_q", self.mean_q),
            ],
        }
    }
}

/// One optimizer step of both critics on `scale * Σ_i mean((Q_i(s, a) - y)^2)` (each
/// sample weighted when the batch has weights), the gradients' global norm clipped to
/// `max_grad_norm` when set. When `td_errors` is given it receives `|y - Q_1(s, a)|`.
///
/// A loss that is not finite or exceeds [`DIVERGENCE_LOSS`] is [`AgentError::Diverged`] and
/// leaves no step taken.
#[allow(clippy::too_many_arguments)]
pub(crate) fn step_critics<Q: ContinuousQNetwork>(
    critics: Twin<Q>,
    batch: &BatchTensors,
    actions: Tensor<2>,
    y: Tensor<2>,
    scale: f32,
    optimizer: &mut ModuleOptimizer,
    max_grad_norm: Option<f32>,
    learning_rate: f64,
    td_errors: Option<&mut Vec<f32>>,
) -> Result<(Twin<Q>, CriticsStep), AgentError> {
    let regress = |critic: Q| {
        let (s, a, y) = (batch.observations.clone(), actions.clone(), y.clone());
        let weights = batch.weights.clone();
        // The second critic runs on another thread, which needs the mode set too.
        move || {
            without_subnormals(|| {
                let q = critic.forward(s, a);
                let error = match weights {
                    None => ValueLoss::Mse.mean(q.clone(), y),
                    Some(weights) => ValueLoss::Mse.weighted_mean(q.clone(), y, weights),
                };
                let value = error.clone().into_scalar::<f32>();
                let grads =
                    GradientsParams::from_grads(error.mul_scalar(scale).backward(), &critic);
                (value, grads, q.detach())
            })
        }
    };
    let ((loss_1, mut grads, q1), (loss_2, grads_2, _)) = rayon::join(
        regress(critics.first.clone()),
        regress(critics.second.clone()),
    );
    let loss = check_loss(scale * (loss_1 + loss_2))?;
    if let Some(td_errors) = td_errors {
        *td_errors = batch_td_errors(y, q1.clone())?;
    }
    let mean_q = q1.mean().into_scalar::<f32>();
    critics.second.visit(&mut Gather {
        from: grads_2,
        into: &mut grads,
    });
    if let Some(max_norm) = max_grad_norm {
        clip_grad_norm(&critics, &mut grads, max_norm);
    }
    let critics = optimizer.step(learning_rate, critics, grads);
    Ok((
        critics,
        CriticsStep {
            loss,
            losses: [loss_1, loss_2],
            mean_q,
        },
    ))
}

/// Moves the gradients of the visited module's parameters from one set into another.
struct Gather<'a> {
    from: GradientsParams,
    into: &'a mut GradientsParams,
}

impl ModuleVisitor for Gather<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(grad) = self.from.remove::<D>(param.id) {
            self.into.register::<D>(param.id, grad);
        }
    }
}
