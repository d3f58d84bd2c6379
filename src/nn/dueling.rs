//! The dueling Q-network (Wang et al. 2016): a shared torso, then a state-value stream and an
//! advantage stream recombined as `Q(s, a) = V(s) + A(s, a) - mean_a' A(s, a')`.

use burn::config::Config;
use burn::module::{Module, ModuleDisplay};
use burn::nn::Relu;
use burn::tensor::{Device, Tensor};

use super::{CnnQNetwork, CnnQNetworkConfig, HostLayout, Mlp, MlpConfig, QNetwork, probe_shapes};
use crate::error::AgentError;
use crate::rng::derive_seed;

/// Settings of a [`DuelingQNetwork`]'s two streams over a torso's `features` outputs (ReLU
/// applied to them): each stream an MLP of `stream_hidden` widths, the value stream to one
/// output, the advantage stream to `n_actions`.
#[derive(Config, Debug)]
pub struct DuelingConfig {
    /// The length of one observation (the torso's input).
    pub input: usize,
    /// The width of the torso's output.
    pub features: usize,
    /// The number of actions.
    pub n_actions: usize,
    /// Hidden widths of each stream.
    ///
    /// Default: `vec![128]`.
    #[config(default = "vec![128]")]
    pub stream_hidden: Vec<usize>,
}

impl DuelingConfig {
    /// The dueling network on `torso` (any [`QNetwork`] mapping `[batch, input]` to
    /// `[batch, features]`), its streams' weights drawn from a generator seeded with `seed`.
    /// Zero widths, or a torso of other input or output widths, are an
    /// [`AgentError::InvalidConfig`].
    pub fn init<T: QNetwork>(
        &self,
        torso: T,
        device: &Device,
        seed: u64,
    ) -> Result<DuelingQNetwork<T>, AgentError> {
        let invalid = |reason: String| AgentError::InvalidConfig {
            field: "dueling",
            reason,
        };
        if [self.input, self.features, self.n_actions].contains(&0) {
            return Err(invalid(format!("every width must be positive: {self:?}")));
        }
        probe_shapes("dueling", self.input, device, [1, self.features], |input| {
            torso.forward(input).dims()
        })?;
        let stream = |output: usize, stream_seed: u64| {
            MlpConfig::new(self.features, output)
                .with_hidden(self.stream_hidden.clone())
                .init(device, derive_seed(seed, stream_seed))
        };
        Ok(DuelingQNetwork {
            torso,
            value: stream(1, 0)?,
            advantage: stream(self.n_actions, 1)?,
            activation: Relu::new(),
        })
    }

    /// The dueling network on an MLP torso of `torso_hidden` widths (the last one is
    /// `features`) over vector observations.
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// use cinder_rl::nn::{DuelingConfig, QNetwork};
    ///
    /// let device = Device::flex();
    /// // CartPole: 4 -> 128 (shared) -> {128 -> 1, 128 -> 2}.
    /// let net = DuelingConfig::new(4, 128, 2).mlp(&[128], &device, 0)?;
    /// assert_eq!(net.forward(Tensor::zeros([8, 4], &device)).dims(), [8, 2]);
    /// # Ok::<(), cinder_rl::error::AgentError>(())
    /// ```
    pub fn mlp(
        &self,
        torso_hidden: &[usize],
        device: &Device,
        seed: u64,
    ) -> Result<DuelingQNetwork<Mlp>, AgentError> {
        let (&last, hidden) =
            torso_hidden
                .split_last()
                .ok_or_else(|| AgentError::InvalidConfig {
                    field: "dueling",
                    reason: "the torso needs at least one layer".into(),
                })?;
        if last != self.features {
            return Err(AgentError::InvalidConfig {
                field: "dueling",
                reason: format!(
                    "the torso's last width {last} is not the streams' input {}",
                    self.features
                ),
            });
        }
        let torso = MlpConfig::new(self.input, last)
            .with_hidden(hidden.to_vec())
            .init(device, derive_seed(seed, 2))?;
        self.init(torso, device, seed)
    }

    /// The dueling network on the convolutions of `cnn` (its linear head gives the
    /// `features`; `cnn.n_actions` is ignored) over image observations.
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// use cinder_rl::nn::{CnnQNetworkConfig, DuelingConfig, QNetwork};
    ///
    /// let device = Device::flex();
    /// let cnn = CnnQNetworkConfig::new(1, 20, 20, 0).with_channels(vec![8]);
    /// let net = DuelingConfig::new(400, 64, 3).cnn(&cnn, &device, 0)?;
    /// assert_eq!(net.forward(Tensor::zeros([2, 400], &device)).dims(), [2, 3]);
    /// # Ok::<(), cinder_rl::error::AgentError>(())
    /// ```
    pub fn cnn(
        &self,
        cnn: &CnnQNetworkConfig,
        device: &Device,
        seed: u64,
    ) -> Result<DuelingQNetwork<CnnQNetwork>, AgentError> {
        let torso = CnnQNetworkConfig {
            n_actions: self.features,
            ..cnn.clone()
        }
        .init(device, derive_seed(seed, 2))?;
        self.init(torso, device, seed)
    }
}

/// A torso `T` then a value and an advantage stream, recombined with mean-subtracted
/// advantages: `Q(s, a) = V(s) + A(s, a) - mean_a' A(s, a')`. Subtracting the mean makes the
/// split identifiable (V is the mean of Q over the actions) without changing the greedy
/// action.
#[derive(Module, Debug)]
pub struct DuelingQNetwork<T> {
    torso: T,
    value: Mlp,
    advantage: Mlp,
    activation: Relu,
}

impl<T: QNetwork> DuelingQNetwork<T> {
    /// `(V [batch, 1], A [batch, n_actions])` of observations `[batch, input]`, before they
    /// are combined.
    pub fn streams(&self, observations: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let features = self.activation.forward(self.torso.forward(observations));
        (
            self.value.forward(features.clone()),
            self.advantage.forward(features),
        )
    }
}

impl<T: QNetwork + ModuleDisplay> QNetwork for DuelingQNetwork<T> {
    fn forward(&self, observations: Tensor<2>) -> Tensor<2> {
        let (value, advantage) = self.streams(observations);
        let mean = advantage.clone().mean_dim(1);
        value + advantage - mean
    }

    fn host_layout(&self) -> Option<HostLayout> {
        match self.torso.host_layout()? {
            HostLayout::Mlp(torso) => Some(HostLayout::Dueling {
                torso,
                value: self.value.linear_ids(),
                advantage: self.advantage.linear_ids(),
            }),
            HostLayout::Dueling { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::TensorData;

    use super::*;

    fn values(tensor: Tensor<2>) -> Vec<f32> {
        tensor.into_data().try_into_vec::<f32>().unwrap()
    }

    #[test]
    fn q_is_the_value_plus_the_mean_subtracted_advantages() {
        let device = Device::flex();
        let net = DuelingConfig::new(3, 16, 4)
            .with_stream_hidden(vec![8])
            .mlp(&[32, 16], &device, 7)
            .unwrap();
        let observations = Tensor::<2>::from_data(
            TensorData::new(vec![0.5f32, -1.0, 2.0, 0.1, 0.2, -0.3], [2, 3]),
            &device,
        );
        let (v, a) = net.streams(observations.clone());
        let (v, a) = (values(v), values(a));
        let q = values(QNetwork::forward(&net, observations));
        for row in 0..2 {
            let adv = &a[row * 4..(row + 1) * 4];
            let mean = adv.iter().sum::<f32>() / 4.0;
            for action in 0..4 {
                let expected = v[row] + adv[action] - mean;
                assert!((q[row * 4 + action] - expected).abs() < 1e-5);
            }
            // V is the mean of Q over the actions.
            let q_mean = q[row * 4..(row + 1) * 4].iter().sum::<f32>() / 4.0;
            assert!((q_mean - v[row]).abs() < 1e-5);
        }
    }

    #[test]
    fn a_torso_of_other_widths_is_refused() {
        let device = Device::flex();
        let torso = MlpConfig::new(4, 32).init(&device, 0).unwrap();
        let wrong_features = DuelingConfig::new(4, 16, 2).init(torso.clone(), &device, 0);
        assert!(matches!(
            wrong_features,
            Err(AgentError::InvalidConfig {
                field: "dueling",
                ..
            })
        ));
        let wrong_input = DuelingConfig::new(5, 32, 2).init(torso, &device, 0);
        assert!(matches!(
            wrong_input,
            Err(AgentError::InvalidConfig {
                field: "dueling",
                ..
            })
        ));
        assert!(DuelingConfig::new(4, 16, 2).mlp(&[], &device, 0).is_err());
        assert!(DuelingConfig::new(4, 16, 2).mlp(&[8], &device, 0).is_err());
    }
}
