//! Seeded parameter initialisation.
//!
//! Burn draws initial weights from a process-wide generator, which concurrent code (tests run
//! in parallel, two agents in one program) can interleave. The crate's networks draw from
//! their own [`SeededRng`] instead, so a seed fixes the weights wherever they are built.

use burn::module::Param;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor, TensorData};
use rand::RngExt;

use crate::rng::SeededRng;

/// A fully connected layer `d_input -> d_output` with PyTorch's default initialisation: weight
/// and bias uniform in `[-k, k)`, `k = 1 / sqrt(d_input)`, drawn from `rng`.
pub fn seeded_linear(
    d_input: usize,
    d_output: usize,
    rng: &mut SeededRng,
    device: &Device,
) -> Linear {
    let k = 1.0 / (d_input as f32).sqrt();
    let mut uniform = |n: usize| -> Vec<f32> { (0..n).map(|_| rng.random_range(-k..k)).collect() };
    let weight = uniform(d_input * d_output);
    let bias = uniform(d_output);
    Linear {
        weight: Param::from_tensor(Tensor::from_data(
            TensorData::new(weight, [d_input, d_output]),
            device,
        )),
        bias: Some(Param::from_tensor(Tensor::from_data(
            TensorData::new(bias, [d_output]),
            device,
        ))),
    }
}
