//! The multi-layer perceptron.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, Relu};
use burn::tensor::{Device, Tensor};

use super::init::check_parameter_count;
use super::seeded_linear;
use crate::error::AgentError;
use crate::rng::seeded;

/// Settings of an [`Mlp`]: `input -> hidden[0] -> ... -> output`, ReLU between layers.
#[derive(Config, Debug)]
pub struct MlpConfig {
    /// Input width (the observation length).
    pub input: usize,
    /// Output width (the number of actions).
    pub output: usize,
    /// Hidden layer widths.
    ///
    /// Default: `vec![128, 128]`.
    #[config(default = "vec![128, 128]")]
    pub hidden: Vec<usize>,
}

impl MlpConfig {
    /// Builds the network on `device`, weights drawn from a generator seeded with `seed`. A
    /// width of zero, or more than [`MAX_PARAMETERS`](super::MAX_PARAMETERS) parameters, is an
    /// [`AgentError::InvalidConfig`].
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// use cinder_rl::nn::MlpConfig;
    ///
    /// let device = Device::flex();
    /// let net = MlpConfig::new(4, 2).with_hidden(vec![32, 32]).init(&device, 0)?;
    /// assert_eq!(net.forward(Tensor::zeros([8, 4], &device)).dims(), [8, 2]);
    /// # Ok::<(), cinder_rl::error::AgentError>(())
    /// ```
    pub fn init(&self, device: &Device, seed: u64) -> Result<Mlp, AgentError> {
        let widths: Vec<usize> = std::iter::once(self.input)
            .chain(self.hidden.iter().copied())
            .chain(std::iter::once(self.output))
            .collect();
        if widths.contains(&0) {
            return Err(AgentError::InvalidConfig {
                field: "mlp widths",
                reason: format!("every layer needs at least one unit, got {widths:?}"),
            });
        }
        check_parameter_count("mlp widths", widths.windows(2).map(|w| (w[0], w[1], 1)))?;
        let mut rng = seeded(seed);
        let mut layers: Vec<Linear> = widths
            .windows(2)
            .map(|w| seeded_linear(w[0], w[1], &mut rng, device))
            .collect();
        let output = layers.pop().expect("at least input and output widths");
        Ok(Mlp {
            hidden: layers,
            output,
            activation: Relu::new(),
        })
    }
}

/// A multi-layer perceptron with ReLU activations and a linear output layer.
#[derive(Module, Debug)]
pub struct Mlp {
    hidden: Vec<Linear>,
    output: Linear,
    activation: Relu,
}

impl Mlp {
    /// The output `[batch, output]` for the input `[batch, input]`.
    pub fn forward(&self, input: Tensor<2>) -> Tensor<2> {
        let x = self
            .hidden
            .iter()
            .fold(input, |x, layer| self.activation.forward(layer.forward(x)));
        self.output.forward(x)
    }

    /// A copy of the current weights that computes one input at a time on the host (see
    /// [`HostMlp`](super::HostMlp)), or `None` when they cannot be read as `f32`.
    pub fn host_copy(&self) -> Option<super::HostMlp> {
        super::HostMlp::from_layers(self.hidden.iter().chain([&self.output]))
    }

    /// The ids and widths of the layers, in order.
    pub(crate) fn linear_ids(&self) -> Vec<super::LinearIds> {
        self.hidden
            .iter()
            .chain([&self.output])
            .map(super::LinearIds::of)
            .collect()
    }
}
