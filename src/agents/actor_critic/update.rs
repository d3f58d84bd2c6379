//! One actor-critic gradient update, written as the algorithm reads.

use burn::optim::ModuleOptimizer;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::{ActorCriticConfig, Returns};
use crate::agents::on_policy::Rollout;
use crate::agents::training::{apply_gradients, read_values as read};
use crate::error::AgentError;
use crate::nn::ActorCriticNetwork;

/// What one update measured.
pub(super) struct UpdateStats {
    pub loss: f32,
    pub entropy: f32,
}

/// One gradient step on a rollout:
///
/// ```text
/// target = r + gamma * V(s') * (1 - terminated)          (TD(0); or n-step returns, or
///                                                         GAE advantages + V(s))
/// delta  = target - V(s)
/// loss   = mean(-log pi(a|s) * delta.detach())
///        + value_coef * L(V(s), target.detach())         (smooth-L1 or MSE)
///        - entropy_coef * mean(H(pi(.|s)))
/// ```
///
/// Truncated transitions bootstrap from `V` of their real final observation; terminated ones
/// do not bootstrap. Targets are computed without gradient.
pub(super) fn actor_critic_update<M: ActorCriticNetwork>(
    network: M,
    optimizer: &mut ModuleOptimizer,
    rollout: &Rollout,
    config: &ActorCriticConfig,
    learning_rate: f64,
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
    let a = Tensor::<2, Int>::from_data(
        TensorData::new(rollout.actions.require_discrete()?.to_vec(), [n, 1]),
        device,
    );
    let r = column(rollout.rewards.clone());
    let terminated = column(rollout.terminated.clone());
    let gamma = config.gamma as f32;

    // The value targets, from the network without gradient.
    let frozen = network.valid();
    let (_, next_values) = frozen.forward(s_next);
    let target = match config.returns {
        Returns::TdZero => r + next_values * terminated.neg().add_scalar(1.0) * gamma,
        Returns::NStep => {
            let next_values = read(next_values)?;
            column(rollout.n_step_returns(&next_values, gamma))
        }
        Returns::Gae { lambda } => {
            let (_, values) = frozen.forward(s.clone());
            let (_, returns) = rollout.gae(&read(values)?, &read(next_values)?, gamma, lambda);
            column(returns)
        }
    };

    // Policy and value of the states acted on, with gradient.
    let (logits, values) = network.forward(s);
    let log_probs = log_softmax(logits, 1);
    let log_pi_a = log_probs.clone().gather(1, a);
    let delta = target.clone() - values.clone().detach();

    let policy_loss = (log_pi_a * delta).mean().neg();
    let value_loss = config
        .value_loss
        .mean(values, target)
        .mul_scalar(config.value_coef);
    let entropy = (log_probs.clone().exp() * log_probs)
        .sum_dim(1)
        .mean()
        .neg();
    let loss = policy_loss + value_loss - entropy.clone().mul_scalar(config.entropy_coef);

    let (network, loss) = apply_gradients(
        network,
        loss,
        optimizer,
        config.max_grad_norm,
        learning_rate,
    )?;
    let entropy = entropy.into_scalar::<f32>();
    Ok((network, UpdateStats { loss, entropy }))
}
