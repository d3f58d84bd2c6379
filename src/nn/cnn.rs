//! A convolutional Q-network for image observations.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, Relu};
use burn::tensor::{Device, Tensor, TensorData};
use rand::RngExt;

use super::init::check_parameter_count;
use super::{QNetwork, seeded_linear};
use crate::error::AgentError;
use crate::rng::{SeededRng, seeded};

/// Settings of a [`CnnQNetwork`]: convolutions of `kernel x kernel` with `stride` (no
/// padding), each followed by batch normalisation (when `batch_norm`) and ReLU, then a linear
/// layer to the action values. The defaults are the pixel DQN lecture's: 16, 32 and 32
/// channels, kernel 5, stride 2, batch norm on.
#[derive(Config, Debug)]
pub struct CnnQNetworkConfig {
    /// Input channels (3 for RGB frames, k for a stack of k grey frames...).
    pub channels_in: usize,
    /// Input height.
    pub height: usize,
    /// Input width.
    pub width: usize,
    /// The number of actions.
    pub n_actions: usize,
    /// Output channels of each convolution.
    ///
    /// Default: `vec![16, 32, 32]`.
    #[config(default = "vec![16, 32, 32]")]
    pub channels: Vec<usize>,
    /// Kernel side.
    ///
    /// Default: `5`.
    #[config(default = 5)]
    pub kernel: usize,
    /// Stride.
    ///
    /// Default: `2`.
    #[config(default = 2)]
    pub stride: usize,
    /// Batch normalisation after each convolution.
    ///
    /// Default: `true`.
    #[config(default = true)]
    pub batch_norm: bool,
}

impl CnnQNetworkConfig {
    /// The spatial size after the convolutions, or `None` when the input is too small for
    /// them.
    pub fn output_size(&self) -> Option<(usize, usize)> {
        let shrink =
            |size: usize| (size >= self.kernel).then(|| (size - self.kernel) / self.stride + 1);
        self.channels
            .iter()
            .try_fold((self.height, self.width), |(h, w), _| {
                Some((shrink(h)?, shrink(w)?))
            })
    }

    /// Builds the network on `device`, weights drawn from a generator seeded with `seed`
    /// (PyTorch's default initialisation). Zero sizes, or an input too small for the
    /// convolutions, are an [`AgentError::InvalidConfig`].
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// use cinder_rl::nn::{CnnQNetworkConfig, QNetwork};
    ///
    /// let device = Device::flex();
    /// // The lecture's 3 x 40 x 90 screen differences, 2 actions.
    /// let net = CnnQNetworkConfig::new(3, 40, 90, 2).init(&device, 0)?;
    /// assert_eq!(net.forward(Tensor::zeros([4, 3 * 40 * 90], &device)).dims(), [4, 2]);
    /// # Ok::<(), cinder_rl::error::AgentError>(())
    /// ```
    pub fn init(&self, device: &Device, seed: u64) -> Result<CnnQNetwork, AgentError> {
        let invalid = |reason: String| AgentError::InvalidConfig {
            field: "cnn",
            reason,
        };
        if [
            self.channels_in,
            self.height,
            self.width,
            self.n_actions,
            self.kernel,
            self.stride,
        ]
        .contains(&0)
            || self.channels.is_empty()
            || self.channels.contains(&0)
        {
            return Err(invalid(format!("every size must be positive: {self:?}")));
        }
        let (h, w) = self.output_size().ok_or_else(|| {
            invalid(format!(
                "a {}x{} input is too small for {} convolutions of kernel {} and stride {}",
                self.height,
                self.width,
                self.channels.len(),
                self.kernel,
                self.stride
            ))
        })?;
        let mut widths = vec![self.channels_in];
        widths.extend(&self.channels);
        let k2 = self.kernel.saturating_mul(self.kernel);
        let last = *widths.last().expect("at least the input channels");
        let features = last.saturating_mul(h).saturating_mul(w);
        check_parameter_count(
            "cnn",
            widths
                .windows(2)
                .map(|c| (c[0], c[1], k2))
                .chain([(features, self.n_actions, 1)]),
        )?;
        let mut rng = seeded(seed);
        let mut convs = Vec::new();
        let mut norms = Vec::new();
        let mut channels_in = self.channels_in;
        for &channels_out in &self.channels {
            convs.push(self.seeded_conv(channels_in, channels_out, &mut rng, device));
            if self.batch_norm {
                norms.push(BatchNormConfig::new(channels_out).init(device));
            }
            channels_in = channels_out;
        }
        let features = channels_in * h * w;
        Ok(CnnQNetwork {
            convs,
            norms,
            head: seeded_linear(features, self.n_actions, &mut rng, device),
            activation: Relu::new(),
            input: [self.channels_in, self.height, self.width],
        })
    }

    fn seeded_conv(
        &self,
        channels_in: usize,
        channels_out: usize,
        rng: &mut SeededRng,
        device: &Device,
    ) -> Conv2d {
        let k = self.kernel;
        let bound = 1.0 / ((channels_in * k * k) as f32).sqrt();
        let mut uniform =
            |n: usize| -> Vec<f32> { (0..n).map(|_| rng.random_range(-bound..bound)).collect() };
        let weight = uniform(channels_out * channels_in * k * k);
        let bias = uniform(channels_out);
        let mut conv = Conv2dConfig::new([channels_in, channels_out], [k, k])
            .with_stride([self.stride, self.stride])
            .init(device);
        conv.weight = Param::from_tensor(Tensor::from_data(
            TensorData::new(weight, [channels_out, channels_in, k, k]),
            device,
        ));
        conv.bias = Some(Param::from_tensor(Tensor::from_data(
            TensorData::new(bias, [channels_out]),
            device,
        )));
        conv
    }
}

/// Convolutions (with optional batch norm) and a linear head over flattened
/// `[channels, height, width]` observations.
#[derive(Module, Debug)]
pub struct CnnQNetwork {
    convs: Vec<Conv2d>,
    norms: Vec<BatchNorm>,
    head: Linear,
    activation: Relu,
    input: [usize; 3],
}

impl CnnQNetwork {
    /// Action values `[batch, n_actions]` of observations `[batch, channels * height * width]`.
    pub fn forward(&self, observations: Tensor<2>) -> Tensor<2> {
        let [c, h, w] = self.input;
        let batch = observations.dims()[0];
        let mut x: Tensor<4> = observations.reshape([batch, c, h, w]);
        for (i, conv) in self.convs.iter().enumerate() {
            x = conv.forward(x);
            if let Some(norm) = self.norms.get(i) {
                x = norm.forward(x);
            }
            x = self.activation.forward(x);
        }
        self.head.forward(x.flatten(1, 3))
    }
}

impl QNetwork for CnnQNetwork {
    fn forward(&self, observations: Tensor<2>) -> Tensor<2> {
        CnnQNetwork::forward(self, observations)
    }
}
