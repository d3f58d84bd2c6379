//! Networks of known weights and a batch of known transitions for the updates' tests.

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::{Device, Tensor, TensorData};

use crate::memory::{ActionRows, Batch};
use crate::nn::{ActorNetwork, ContinuousQNetwork};

/// Two transitions of a 2-value observation and a 1-value action: the first truncated
/// (it bootstraps), the second terminated (it does not).
pub fn two_transitions() -> Batch {
    Batch {
        batch_size: 2,
        obs_dim: 2,
        observations: vec![0.5, -1.0, 0.2, 0.3],
        actions: ActionRows::Continuous {
            dim: 1,
            values: vec![0.4, -0.6],
        },
        rewards: vec![1.0, -2.0],
        next_observations: vec![0.1, 0.7, -0.4, 0.9],
        terminated: vec![0.0, 1.0],
        truncated: vec![1.0, 0.0],
        indices: vec![0, 1],
        weights: Vec::new(),
        discounts: Vec::new(),
    }
}

/// A linear map with the weights `[inputs, outputs]` (row-major) and biases given.
#[derive(Module, Debug)]
pub struct LinearNet {
    layer: Linear,
}

impl LinearNet {
    pub fn new(weight: &[f32], bias: &[f32], device: &Device) -> Self {
        let outputs = bias.len();
        let inputs = weight.len() / outputs;
        Self {
            layer: Linear {
                weight: Param::from_tensor(Tensor::from_data(
                    TensorData::new(weight.to_vec(), [inputs, outputs]),
                    device,
                )),
                bias: Some(Param::from_tensor(Tensor::from_data(
                    TensorData::new(bias.to_vec(), [outputs]),
                    device,
                ))),
            },
        }
    }
}

impl ActorNetwork for LinearNet {
    fn forward(&self, observations: Tensor<2>) -> Tensor<2> {
        self.layer.forward(observations)
    }
}

impl ContinuousQNetwork for LinearNet {
    fn forward(&self, observations: Tensor<2>, actions: Tensor<2>) -> Tensor<2> {
        self.layer
            .forward(Tensor::cat(vec![observations, actions], 1))
    }
}
