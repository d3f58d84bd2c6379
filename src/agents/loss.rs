//! Regression losses for value targets.

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
