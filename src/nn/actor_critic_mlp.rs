//! The shared-trunk actor-critic network.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, Relu};
use burn::tensor::{Device, Tensor};

use super::init::check_parameter_count;
use super::seeded_linear;
use crate::error::AgentError;
use crate::rng::seeded;

/// Settings of an [`ActorCriticMlp`]: a ReLU trunk `input -> hidden[0] -> ...`, then a policy
/// head (logits over `output` actions) and a value head (one value), both linear.
#[derive(Config, Debug)]
pub struct ActorCriticMlpConfig {
    /// Input width (the observation length).
    pub input: usize,
    /// The number of actions.
    pub output: usize,
    /// Trunk widths (the tutorial's single 256).
    ///
    /// Default: `vec![256]`.
    #[config(default = "vec![256]")]
    pub hidden: Vec<usize>,
}

impl ActorCriticMlpConfig {
    /// Builds the network on `device`, weights drawn from a generator seeded with `seed`. A
    /// width of zero, or no trunk layer, is an [`AgentError::InvalidConfig`].
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// use cinder_rl::nn::{ActorCriticMlpConfig, ActorCriticNetwork};
    ///
    /// let device = Device::flex();
    /// let net = ActorCriticMlpConfig::new(4, 2).init(&device, 0)?;
    /// let (logits, values) = net.forward(Tensor::zeros([8, 4], &device));
    /// assert_eq!((logits.dims(), values.dims()), ([8, 2], [8, 1]));
    /// # Ok::<(), cinder_rl::error::AgentError>(())
    /// ```
    pub fn init(&self, device: &Device, seed: u64) -> Result<ActorCriticMlp, AgentError> {
        let widths: Vec<usize> = std::iter::once(self.input)
            .chain(self.hidden.iter().copied())
            .collect();
        if self.hidden.is_empty() || widths.contains(&0) || self.output == 0 {
            return Err(AgentError::InvalidConfig {
                field: "actor-critic widths",
                reason: format!(
                    "need at least one trunk layer and no zero width, got {widths:?} -> {}",
                    self.output
                ),
            });
        }
        let features = *widths.last().expect("at least the input width");
        check_parameter_count(
            "actor-critic widths",
            widths
                .windows(2)
                .map(|w| (w[0], w[1], 1))
                .chain([(features, self.output + 1, 1)]),
        )?;
        let mut rng = seeded(seed);
        let trunk = widths
            .windows(2)
            .map(|w| seeded_linear(w[0], w[1], &mut rng, device))
            .collect();
        Ok(ActorCriticMlp {
            trunk,
            policy: seeded_linear(features, self.output, &mut rng, device),
            value: seeded_linear(features, 1, &mut rng, device),
            activation: Relu::new(),
        })
    }
}

/// A ReLU trunk shared by a policy head and a value head.
#[derive(Module, Debug)]
pub struct ActorCriticMlp {
    trunk: Vec<Linear>,
    policy: Linear,
    value: Linear,
    activation: Relu,
}

impl ActorCriticMlp {
    /// Logits `[batch, n_actions]` and values `[batch, 1]` of the observations.
    pub fn forward(&self, observations: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let features = self.trunk.iter().fold(observations, |x, layer| {
            self.activation.forward(layer.forward(x))
        });
        (
            self.policy.forward(features.clone()),
            self.value.forward(features),
        )
    }
}
