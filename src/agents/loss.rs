//! Regression losses for value targets, and PPO's clipped surrogate objective.

use burn::nn::loss::{HuberLossConfig, MseLoss, Reduction};
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// How a predicted value is pulled towards its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ValueLoss {
    /// Huber / smooth-L1 with delta 1 (PyTorch's `smooth_l1_loss`): quadratic near the target,
    /// linear far from it.
    Huber,
    /// Mean squared error.
    Mse,
}

impl ValueLoss {
    /// The mean loss between `prediction` and `target` (same shape).
    pub fn mean(self, prediction: Tensor<2>, target: Tensor<2>) -> Tensor<1> {
        match self {
            ValueLoss::Huber => {
                HuberLossConfig::new(1.0)
                    .init()
                    .forward(prediction, target, Reduction::Mean)
            }
            ValueLoss::Mse => MseLoss::new().forward(prediction, target, Reduction::Mean),
        }
    }

    /// The mean over samples of `weights * L(prediction, target)` (`[batch, 1]` each): the
    /// importance-weighted loss of prioritized replay.
    pub fn weighted_mean(
        self,
        prediction: Tensor<2>,
        target: Tensor<2>,
        weights: Tensor<2>,
    ) -> Tensor<1> {
        let per_sample = match self {
            ValueLoss::Huber => HuberLossConfig::new(1.0)
                .init()
                .forward_no_reduction(prediction, target),
            ValueLoss::Mse => MseLoss::new().forward_no_reduction(prediction, target),
        };
        (per_sample * weights).mean()
    }
}

/// PPO's clipped surrogate loss (Schulman et al., 2017), to minimise:
/// `-mean(min(ratio * A, clamp(ratio, 1 - clip, 1 + clip) * A))` with
/// `ratio = exp(log_prob - old_log_prob)`, all `[batch, 1]`. Where the ratio has left the
/// clip range in the direction the advantage favours, the sample gives no gradient.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use cinder_rl::agents::clipped_surrogate;
///
/// let device = Device::flex();
/// let column = |v: [f32; 2]| Tensor::<2>::from_floats([[v[0]], [v[1]]], &device);
/// // Unchanged policy (ratio 1): the loss is minus the mean advantage.
/// let loss = clipped_surrogate(column([0.0, 0.0]), column([0.0, 0.0]), column([1.0, 3.0]), 0.2);
/// assert!((loss.into_scalar::<f32>() + 2.0).abs() < 1e-6);
/// ```
pub fn clipped_surrogate(
    log_prob: Tensor<2>,
    old_log_prob: Tensor<2>,
    advantages: Tensor<2>,
    clip: f32,
) -> Tensor<1> {
    let ratio = (log_prob - old_log_prob).exp();
    let unclipped = ratio.clone() * advantages.clone();
    let clipped = ratio.clamp(1.0 - clip, 1.0 + clip) * advantages;
    unclipped.min_pair(clipped).mean().neg()
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, TensorData};

    use super::*;

    /// The gradient of the clipped loss with respect to each of `log_probs`, for old
    /// log-probabilities of 0 and the `advantages`.
    fn gradient(log_probs: &[f32], advantages: &[f32], clip: f32) -> Vec<f32> {
        let device = Device::flex().autodiff();
        let n = log_probs.len();
        let column =
            |v: &[f32]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), [n, 1]), &device);
        let log_prob = column(log_probs).require_grad();
        let loss = clipped_surrogate(
            log_prob.clone(),
            column(&vec![0.0; n]),
            column(advantages),
            clip,
        );
        let grads = loss.backward();
        let grad = log_prob.grad(&grads).expect("a gradient");
        grad.into_data().try_into_vec::<f32>().unwrap()
    }

    #[test]
    fn the_clipped_objective_gives_no_gradient_outside_the_clip_range() {
        let clip = 0.2;
        let (up, down) = (1.5f32.ln(), 0.5f32.ln()); // ratios 1.5 and 0.5, outside [0.8, 1.2]
        // A > 0 with the ratio above 1 + clip, A < 0 with the ratio below 1 - clip: clipped.
        let outside = gradient(&[up, down], &[1.0, -1.0], clip);
        assert_eq!(outside, [0.0, 0.0]);
        // The other way round the unclipped term is the minimum: d/dlogp = -A * ratio / n.
        let kept = gradient(&[down, up], &[1.0, -1.0], clip);
        assert!((kept[0] + 0.5 * 0.5).abs() < 1e-6, "{kept:?}");
        assert!((kept[1] - 1.5 * 0.5).abs() < 1e-6, "{kept:?}");
        // Inside the range: -A * ratio / n.
        let inside = gradient(&[0.1f32.ln_1p(), 0.0], &[2.0, -4.0], clip);
        assert!((inside[0] + 2.0 * 1.1 / 2.0).abs() < 1e-5, "{inside:?}");
        assert!((inside[1] - 4.0 / 2.0).abs() < 1e-5, "{inside:?}");
    }
}
