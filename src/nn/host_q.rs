//! A Q-network's parameters held on the host, with the forward and backward passes of its
//! linear layers written out: what [`Dqn`](crate::agents::Dqn) updates on a CPU instead of
//! going through the framework's operations one by one.

use burn::module::{Module, ParamId};

use super::host_kernels::{add_rows, add_scaled_rows, relu, relu_backward};
use super::host_matmul::{Side, matmul};
use super::host_params::{ReadParams, WriteParams};
use super::{HostLayout, LinearIds, QNetwork};

/// One linear layer: the positions of its weight `[input, output]` and bias among the
/// network's parameters.
#[derive(Debug, Clone, PartialEq)]
struct Dense {
    weight: usize,
    bias: Option<usize>,
    input: usize,
    output: usize,
}

/// The layers, by parameter position.
#[derive(Debug, Clone, PartialEq)]
enum Layers {
    Mlp(Vec<Dense>),
    Dueling {
        torso: Vec<Dense>,
        value: Vec<Dense>,
        advantage: Vec<Dense>,
    },
}

/// The activations of one pass: for each chain of layers, its input and every layer's output
/// (after ReLU where there is one), `rows` rows each.
#[derive(Debug, Default, Clone)]
pub(crate) struct Activations {
    rows: usize,
    torso: Vec<Vec<f32>>,
    value: Vec<Vec<f32>>,
    advantage: Vec<Vec<f32>>,
    /// The action values `[rows, n_actions]`.
    q: Vec<f32>,
}

impl Activations {
    /// The action values of the pass, `[rows, n_actions]` row-major.
    pub fn q(&self) -> &[f32] {
        &self.q
    }
}

/// A Q-network's float parameters, row-major, in the order the module visits them, with the
/// linear layers they form ([`HostLayout`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HostQ {
    params: Vec<Vec<f32>>,
    ids: Vec<ParamId>,
    layers: Layers,
    n_actions: usize,
}

impl HostQ {
    /// The host copy of `network`, or `None` when it has no [`HostLayout`], a parameter is
    /// not `f32`, a parameter belongs to no layer, or the layers do not chain.
    pub fn of<M: QNetwork>(network: &M) -> Option<Self> {
        let layout = network.host_layout()?;
        let mut read = ReadParams::default();
        network.visit(&mut read);
        let ReadParams { ids, params, ok } = read;
        if !ok {
            return None;
        }
        let mut used = vec![false; ids.len()];
        let mut resolve = |layers: &[LinearIds]| -> Option<Vec<Dense>> {
            let position = |id: ParamId, used: &mut Vec<bool>| {
                let at = ids.iter().position(|&p| p == id)?;
                (!std::mem::replace(&mut used[at], true)).then_some(at)
            };
            let mut dense: Vec<Dense> = Vec::new();
            for layer in layers {
                let weight = position(layer.weight, &mut used)?;
                let bias = match layer.bias {
                    Some(id) => Some(position(id, &mut used)?),
                    None => None,
                };
                let chains = dense.last().is_none_or(|last| last.output == layer.input);
                let sized = params[weight].len() == layer.input * layer.output
                    && bias.is_none_or(|b| params[b].len() == layer.output);
                if !chains || !sized || layer.input == 0 || layer.output == 0 {
                    return None;
                }
                dense.push(Dense {
                    weight,
                    bias,
                    input: layer.input,
                    output: layer.output,
                });
            }
            (!dense.is_empty()).then_some(dense)
        };
        let (layers, n_actions) = match layout {
            HostLayout::Mlp(layers) => {
                let layers = resolve(&layers)?;
                let n_actions = layers.last()?.output;
                (Layers::Mlp(layers), n_actions)
            }
            HostLayout::Dueling {
                torso,
                value,
                advantage,
            } => {
                let torso = resolve(&torso)?;
                let value = resolve(&value)?;
                let advantage = resolve(&advantage)?;
                let features = torso.last()?.output;
                let n_actions = advantage.last()?.output;
                if value[0].input != features
                    || advantage[0].input != features
                    || value.last()?.output != 1
                {
                    return None;
                }
                (
                    Layers::Dueling {
                        torso,
                        value,
                        advantage,
                    },
                    n_actions,
                )
            }
        };
        used.iter().all(|&u| u).then_some(Self {
            params,
            ids,
            layers,
            n_actions,
        })
    }

    /// The number of actions (outputs).
    pub fn n_actions(&self) -> usize {
        self.n_actions
    }

    /// The input width.
    pub fn input(&self) -> usize {
        match &self.layers {
            Layers::Mlp(layers) | Layers::Dueling { torso: layers, .. } => layers[0].input,
        }
    }

    /// The parameters, in the module's visiting order.
    pub fn params(&self) -> &[Vec<f32>] {
        &self.params
    }

    /// The parameters, to update in place.
    pub fn params_mut(&mut self) -> &mut [Vec<f32>] {
        &mut self.params
    }

    /// The parameters' ids, in the module's visiting order.
    pub fn ids(&self) -> &[ParamId] {
        &self.ids
    }

    /// Takes `source`'s parameter values, reusing this copy's buffers; `false`, changing
    /// nothing, when the two are not of the same network.
    pub fn copy_from(&mut self, source: &HostQ) -> bool {
        if self.ids != source.ids || self.layers != source.layers {
            return false;
        }
        for (mine, theirs) in self.params.iter_mut().zip(&source.params) {
            mine.copy_from_slice(theirs);
        }
        true
    }

    /// Zeroed buffers shaped like the parameters, for their gradients.
    pub fn zeros_like(&self) -> Vec<Vec<f32>> {
        self.params.iter().map(|p| vec![0.0; p.len()]).collect()
    }

    /// `network` with this copy's parameter values (same ids; autodiff parameters still
    /// require gradients).
    pub fn write_into<M: Module>(&self, network: M) -> M {
        network.map(&mut WriteParams {
            params: self.params.iter(),
        })
    }

    /// The action values of `rows` observations `input` (`[rows, input]` row-major), keeping
    /// every layer's output in `acts` for [`backward`](Self::backward).
    pub fn forward(&self, input: &[f32], rows: usize, acts: &mut Activations) {
        acts.rows = rows;
        match &self.layers {
            Layers::Mlp(layers) => {
                chain_forward(&self.params, layers, input, rows, false, &mut acts.torso);
                acts.q.clear();
                acts.q.extend_from_slice(last(&acts.torso));
            }
            Layers::Dueling {
                torso,
                value,
                advantage,
            } => {
                chain_forward(&self.params, torso, input, rows, true, &mut acts.torso);
                let features = last(&acts.torso);
                chain_forward(&self.params, value, features, rows, false, &mut acts.value);
                chain_forward(
                    &self.params,
                    advantage,
                    features,
                    rows,
                    false,
                    &mut acts.advantage,
                );
                let (v, a, n) = (last(&acts.value), last(&acts.advantage), self.n_actions);
                acts.q.clear();
                for (&v, a) in v.iter().zip(a.chunks_exact(n)) {
                    let mean = a.iter().sum::<f32>() / n as f32;
                    acts.q.extend(a.iter().map(|&a| v + a - mean));
                }
            }
        }
    }

    /// Adds to `grads` (shaped like the parameters) the gradient of a loss whose derivative
    /// with respect to the action values of the first `d_q.len() / n_actions` rows of the pass
    /// `acts` is `d_q`.
    pub fn backward(&self, acts: &Activations, d_q: &[f32], grads: &mut [Vec<f32>]) {
        let rows = d_q.len() / self.n_actions;
        match &self.layers {
            Layers::Mlp(layers) => {
                chain_backward(
                    &self.params,
                    layers,
                    &acts.torso,
                    rows,
                    false,
                    d_q,
                    grads,
                    false,
                );
            }
            Layers::Dueling {
                torso,
                value,
                advantage,
            } => {
                // Q = V + A - mean(A): dV = sum_a dQ, dA = dQ - mean_a dQ.
                let n = self.n_actions;
                let mut d_v = Vec::with_capacity(rows);
                let mut d_a = Vec::with_capacity(rows * n);
                for row in d_q.chunks_exact(n) {
                    let sum = row.iter().sum::<f32>();
                    d_v.push(sum);
                    d_a.extend(row.iter().map(|&d| d - sum / n as f32));
                }
                let mut d_features = chain_backward(
                    &self.params,
                    value,
                    &acts.value,
                    rows,
                    false,
                    &d_v,
                    grads,
                    true,
                );
                let d_from_advantage = chain_backward(
                    &self.params,
                    advantage,
                    &acts.advantage,
                    rows,
                    false,
                    &d_a,
                    grads,
                    true,
                );
                for (d, e) in d_features.iter_mut().zip(&d_from_advantage) {
                    *d += e;
                }
                chain_backward(
                    &self.params,
                    torso,
                    &acts.torso,
                    rows,
                    true,
                    &d_features,
                    grads,
                    false,
                );
            }
        }
    }
}

fn last(outputs: &[Vec<f32>]) -> &[f32] {
    outputs.last().map_or(&[], Vec::as_slice)
}

/// Runs `layers` over `input` (`rows` rows), ReLU after every layer but the last (and after
/// the last too when `relu_last`); `outputs` receives the input then every layer's output.
fn chain_forward(
    params: &[Vec<f32>],
    layers: &[Dense],
    input: &[f32],
    rows: usize,
    relu_last: bool,
    outputs: &mut Vec<Vec<f32>>,
) {
    outputs.resize_with(layers.len() + 1, Vec::new);
    outputs[0].clear();
    outputs[0].extend_from_slice(input);
    for (i, layer) in layers.iter().enumerate() {
        let (before, after) = outputs.split_at_mut(i + 1);
        let (x, y) = (&before[i], &mut after[0]);
        y.clear();
        match layer.bias {
            Some(bias) => {
                for _ in 0..rows {
                    y.extend_from_slice(&params[bias]);
                }
            }
            None => y.resize(rows * layer.output, 0.0),
        }
        if rows == 1 {
            // One row (acting): the rows of the weight scaled by the input and summed.
            add_scaled_rows(y, x, &params[layer.weight]);
        } else {
            matmul(
                y,
                x,
                Side::Plain,
                &params[layer.weight],
                Side::Plain,
                [rows, layer.input, layer.output],
                true,
            );
        }
        if i + 1 < layers.len() || relu_last {
            relu(y);
        }
    }
}

/// Backpropagates `d_out` (the derivative with respect to the chain's last output, first
/// `rows` rows) through `layers`, adding the parameters' gradients to `grads`; returns the
/// derivative with respect to the chain's input when `input_gradient`, else an empty vector.
#[allow(clippy::too_many_arguments)]
fn chain_backward(
    params: &[Vec<f32>],
    layers: &[Dense],
    outputs: &[Vec<f32>],
    rows: usize,
    relu_last: bool,
    d_out: &[f32],
    grads: &mut [Vec<f32>],
    input_gradient: bool,
) -> Vec<f32> {
    let mut delta = d_out.to_vec();
    let mut masked = Vec::new();
    for (i, layer) in layers.iter().enumerate().rev() {
        if i + 1 < layers.len() || relu_last {
            // ReLU's derivative: zero where the output was clipped to zero.
            relu_backward(&delta, &outputs[i + 1][..rows * layer.output], &mut masked);
            std::mem::swap(&mut delta, &mut masked);
        }
        let x = &outputs[i][..rows * layer.input];
        // dW = x^T delta, db = the column sums of delta.
        matmul(
            &mut grads[layer.weight],
            x,
            Side::Transposed,
            &delta,
            Side::Plain,
            [layer.input, rows, layer.output],
            true,
        );
        if let Some(bias) = layer.bias {
            add_rows(&mut grads[bias], &delta);
        }
        if i > 0 || input_gradient {
            // dx = delta W^T.
            let mut d_x = vec![0.0; rows * layer.input];
            matmul(
                &mut d_x,
                &delta,
                Side::Plain,
                &params[layer.weight],
                Side::Transposed,
                [rows, layer.output, layer.input],
                false,
            );
            delta = d_x;
        } else {
            delta = Vec::new();
        }
    }
    delta
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, Tensor, TensorData};

    use super::*;
    use crate::nn::{CnnQNetworkConfig, DuelingConfig, MlpConfig};

    /// The network's action values of `rows` observations, and the host copy's.
    fn both<M: QNetwork>(network: &M, observations: &[f32], rows: usize) -> (Vec<f32>, Vec<f32>) {
        let dim = observations.len() / rows;
        let input = Tensor::<2>::from_data(
            TensorData::new(observations.to_vec(), [rows, dim]),
            &Device::flex(),
        );
        let reference = network
            .forward(input)
            .into_data()
            .try_into_vec::<f32>()
            .unwrap();
        let host = HostQ::of(network).expect("a host form");
        let mut pass = Activations::default();
        host.forward(observations, rows, &mut pass);
        (pass.q().to_vec(), reference)
    }

    #[test]
    fn the_host_forward_pass_computes_what_the_network_computes() {
        let device = Device::flex();
        let observations: Vec<f32> = (0..5 * 6).map(|i| (i as f32 * 0.7).sin()).collect();
        let mlp = MlpConfig::new(6, 3)
            .with_hidden(vec![16, 8])
            .init(&device, 1)
            .unwrap();
        let dueling = DuelingConfig::new(6, 16, 3)
            .with_stream_hidden(vec![8])
            .mlp(&[32, 16], &device, 2)
            .unwrap();
        for (host, reference) in [
            both(&mlp, &observations, 5),
            both(&dueling, &observations, 5),
        ] {
            assert_eq!(host.len(), 15);
            for (a, b) in host.iter().zip(&reference) {
                assert!(
                    (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                    "{host:?} {reference:?}"
                );
            }
        }
        // Written back, the values are the network's parameters again.
        let host = HostQ::of(&dueling).unwrap();
        assert_eq!(HostQ::of(&host.write_into(dueling)).unwrap(), host);
    }

    #[test]
    fn networks_without_a_host_layout_have_no_host_form() {
        let cnn = CnnQNetworkConfig::new(1, 12, 12, 2)
            .with_channels(vec![4])
            .init(&Device::flex(), 0)
            .unwrap();
        assert!(HostQ::of(&cnn).is_none());
    }
}
