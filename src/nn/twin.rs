//! Two Q-networks trained side by side, against the over-estimation of one.

use burn::module::Module;
use burn::tensor::Tensor;

use super::ContinuousQNetwork;

/// Twin Q-networks (clipped double Q-learning, Fujimoto et al. 2018): two critics of the same
/// shape, with their own weights, trained on the same targets; a target takes the smaller of
/// their two values. One module, so one optimizer and one Polyak average serve both.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use cinder_rl::nn::{MlpConfig, Twin};
///
/// let device = Device::flex();
/// let critic = MlpConfig::new(3 + 1, 1).with_hidden(vec![16]);
/// let twin = Twin::new(critic.init(&device, 1)?, critic.init(&device, 2)?);
/// let (s, a) = (Tensor::ones([4, 3], &device), Tensor::zeros([4, 1], &device));
/// let (q1, q2) = twin.forward(s.clone(), a.clone());
/// let smaller = twin.min(s, a);
/// let expected = q1.min_pair(q2);
/// assert_eq!(smaller.into_data(), expected.into_data());
/// # Ok::<(), cinder_rl::error::AgentError>(())
/// ```
#[derive(Module, Debug)]
pub struct Twin<Q: ContinuousQNetwork> {
    /// The first critic (the one TD3's actor follows).
    pub first: Q,
    /// The second critic.
    pub second: Q,
}

impl<Q: ContinuousQNetwork> Twin<Q> {
    /// The twin of `first` and `second`, which should start from different weights.
    pub fn new(first: Q, second: Q) -> Self {
        Self { first, second }
    }

    /// Both critics' values, `([batch, 1], [batch, 1])`.
    pub fn forward(&self, observations: Tensor<2>, actions: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let (first, second) = (self.first.clone(), self.second.clone());
        let (o1, a1) = (observations.clone(), actions.clone());
        rayon::join(
            move || first.forward(o1, a1),
            move || second.forward(observations, actions),
        )
    }

    /// The smaller of the two values of each row, `[batch, 1]`.
    pub fn min(&self, observations: Tensor<2>, actions: Tensor<2>) -> Tensor<2> {
        let (first, second) = self.forward(observations, actions);
        first.min_pair(second)
    }
}
