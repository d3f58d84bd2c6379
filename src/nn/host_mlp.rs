//! A copy of an MLP's weights that computes one input at a time on the host, without
//! tensors: acting on one observation costs the arithmetic (well under a microsecond for
//! CartPole's 4-128-128-2) instead of the framework's per-operation overhead.

use burn::nn::Linear;
use burn::tensor::Tensor;

use super::host_kernels::{add_scaled_rows, relu};
use crate::error::AgentError;

/// One linear layer: `weight` row-major `[input, output]` (Burn's layout), `bias` `[output]`.
#[derive(Debug, Clone, PartialEq)]
struct HostLinear {
    input: usize,
    output: usize,
    weight: Vec<f32>,
    bias: Vec<f32>,
}

impl HostLinear {
    /// `out = bias + input * weight`, accumulated row by row of `weight` (each input's
    /// contribution to every output at once, which the compiler vectorises); inputs that are
    /// exactly zero (ReLU's) are skipped.
    fn forward(&self, input: &[f32], out: &mut Vec<f32>) {
        out.clear();
        out.extend_from_slice(&self.bias);
        add_scaled_rows(out, input, &self.weight);
    }
}

/// An MLP (linear layers with ReLU between them, a linear output) held as plain `f32`
/// arrays, for one input at a time. Made from a network's current weights
/// ([`QNetwork::host_copy`](super::QNetwork::host_copy)); it does not follow later updates.
///
/// Its sums run in another order than the framework's matrix products, so its outputs may
/// differ from theirs in the last bits (about 1e-7 relative).
///
/// ```
/// use burn::tensor::{Device, Tensor, TensorData};
/// use cinder_rl::nn::{MlpConfig, QNetwork};
///
/// let device = Device::flex();
/// let net = MlpConfig::new(4, 2).with_hidden(vec![16]).init(&device, 0)?;
/// let host = net.host_copy().expect("an MLP has a host copy");
/// let observation = [0.1f32, -0.2, 0.3, 0.05];
/// let mut scratch = Default::default();
/// let values = host.forward(&observation, &mut scratch)?.to_vec();
/// assert!(host.forward(&observation[..3], &mut scratch).is_err());
/// let input = Tensor::<2>::from_data(TensorData::new(observation.to_vec(), [1, 4]), &device);
/// let reference = net.forward(input).into_data().try_into_vec::<f32>().unwrap();
/// for (a, b) in values.iter().zip(&reference) {
///     assert!((a - b).abs() < 1e-5);
/// }
/// # Ok::<(), cinder_rl::error::AgentError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HostMlp {
    layers: Vec<HostLinear>,
}

impl HostMlp {
    /// The copy of `layers` (in order; ReLU between them), or `None` when a layer's
    /// parameters cannot be read as `f32` or their shapes do not chain.
    pub(crate) fn from_layers<'a>(layers: impl IntoIterator<Item = &'a Linear>) -> Option<Self> {
        let read = |t: Tensor<1>| t.into_data().try_into_vec::<f32>().ok();
        let arrays = layers
            .into_iter()
            .map(|layer| {
                let [input, output] = layer.weight.val().dims();
                let weight = read(layer.weight.val().flatten(0, 1))?;
                let bias = match &layer.bias {
                    Some(bias) => read(bias.val())?,
                    None => vec![0.0; output],
                };
                Some((input, output, weight, bias))
            })
            .collect::<Option<Vec<_>>>()?;
        Self::from_arrays(arrays)
    }

    /// The MLP of `layers` given as `(input, output, weight [input, output] row-major,
    /// bias [output])`, in order (ReLU between them); `None` when they do not chain or a
    /// length is off.
    pub(crate) fn from_arrays(layers: Vec<(usize, usize, Vec<f32>, Vec<f32>)>) -> Option<Self> {
        let mut copied: Vec<HostLinear> = Vec::new();
        for (input, output, weight, bias) in layers {
            let chains = copied.last().is_none_or(|l| l.output == input);
            if !chains || weight.len() != input * output || bias.len() != output {
                return None;
            }
            copied.push(HostLinear {
                input,
                output,
                weight,
                bias,
            });
        }
        (!copied.is_empty()).then_some(Self { layers: copied })
    }

    /// The input length.
    pub fn input(&self) -> usize {
        self.layers[0].input
    }

    /// The output length.
    pub fn output(&self) -> usize {
        self.layers[self.layers.len() - 1].output
    }

    /// The output for one `input` of [`input`](Self::input) values, computed in `scratch`
    /// (two buffers reused between calls, to spare allocations) and returned from it. An
    /// input of another length is an [`AgentError::ObservationLength`]; a NaN input gives NaN
    /// outputs, as the tensors' forward pass does.
    pub fn forward<'s>(
        &self,
        input: &[f32],
        scratch: &'s mut [Vec<f32>; 2],
    ) -> Result<&'s [f32], AgentError> {
        if input.len() != self.input() {
            return Err(AgentError::ObservationLength {
                expected: self.input(),
                actual: input.len(),
            });
        }
        let [current, next] = scratch;
        current.clear();
        current.extend_from_slice(input);
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            layer.forward(current, next);
            if i < last {
                relu(next);
            }
            std::mem::swap(current, next);
        }
        Ok(current)
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, TensorData};
    use rand::RngExt;

    use super::*;
    use crate::nn::{MlpConfig, QNetwork};
    use crate::rng::seeded;

    #[test]
    fn the_host_copy_computes_what_the_network_computes() {
        let device = Device::flex();
        let net = MlpConfig::new(6, 3)
            .with_hidden(vec![64, 32])
            .init(&device, 3)
            .unwrap();
        let host = net.host_copy().unwrap();
        assert_eq!((host.input(), host.output()), (6, 3));
        let mut rng = seeded(1);
        let mut scratch = Default::default();
        for _ in 0..50 {
            let observation: Vec<f32> = (0..6).map(|_| rng.random_range(-3.0..3.0)).collect();
            let input =
                Tensor::<2>::from_data(TensorData::new(observation.clone(), [1, 6]), &device);
            let reference = QNetwork::forward(&net, input)
                .into_data()
                .try_into_vec::<f32>()
                .unwrap();
            let values = host.forward(&observation, &mut scratch).unwrap();
            for (a, b) in values.iter().zip(&reference) {
                assert!(
                    (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                    "{values:?} {reference:?}"
                );
            }
        }
        // NaN in, NaN out (the agent reports it as an error rather than acting on it).
        let values = host
            .forward(&[f32::NAN, 0.0, 0.0, 0.0, 0.0, 0.0], &mut scratch)
            .unwrap();
        assert!(values.iter().all(|v| v.is_nan()));
    }
}
