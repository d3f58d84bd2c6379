//! Seeded parameter initialisation.
//!
//! Burn draws initial weights from a process-wide generator, which concurrent code (tests run
//! in parallel, two agents in one program) can interleave. The crate's networks draw from
//! their own [`SeededRng`] instead, so a seed fixes the weights wherever they are built.

use burn::module::Param;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor, TensorData};
use rand::RngExt;

use crate::error::AgentError;
use crate::rng::SeededRng;

/// The most parameters a ready-made network may have (2^28, 1 GiB of `f32`s per copy; an
/// agent keeps several copies and optimizer moments). Larger sizes are refused before any
/// weight is allocated.
pub const MAX_PARAMETERS: u128 = 1 << 28;

/// Checks that layers of `(inputs, outputs, weights per input-output pair)` stay within
/// [`MAX_PARAMETERS`]; `field` names the network in the error.
pub(crate) fn check_parameter_count(
    field: &'static str,
    layers: impl IntoIterator<Item = (usize, usize, usize)>,
) -> Result<(), AgentError> {
    let count: u128 = layers
        .into_iter()
        .map(|(input, output, per_pair)| {
            input as u128 * output as u128 * per_pair as u128 + output as u128
        })
        .sum();
    if count > MAX_PARAMETERS {
        return Err(AgentError::InvalidConfig {
            field,
            reason: format!("{count} parameters, at most {MAX_PARAMETERS} are supported"),
        });
    }
    Ok(())
}

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
