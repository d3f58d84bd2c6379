//! How a network describes itself as linear layers, so that its updates can run on the host
//! (see [`QNetwork::host_layout`](super::QNetwork::host_layout)).

use burn::module::ParamId;
use burn::nn::Linear;

/// One linear layer of a network, named by its parameters' ids: `y = x W + b` with `W` of
/// shape `[input, output]` (Burn's layout) and an optional bias `b` of `output` values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinearIds {
    /// The weight's parameter id.
    pub weight: ParamId,
    /// The bias's parameter id, when the layer has one.
    pub bias: Option<ParamId>,
    /// The input width.
    pub input: usize,
    /// The output width.
    pub output: usize,
}

impl LinearIds {
    /// The ids and widths of `layer`.
    pub fn of(layer: &Linear) -> Self {
        let [input, output] = layer.weight.val().dims();
        Self {
            weight: layer.weight.id,
            bias: layer.bias.as_ref().map(|bias| bias.id),
            input,
            output,
        }
    }
}

/// A Q-network as linear layers with ReLU between them: the forms whose gradient updates
/// [`Dqn`](crate::agents::Dqn) can compute on the host instead of through the framework's
/// operations (see [`DqnConfig::host_updates`](crate::agents::DqnConfig::host_updates)).
/// Every float parameter of the network must belong to one of the layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostLayout {
    /// An MLP: the layers in order, ReLU after every one but the last.
    Mlp(Vec<LinearIds>),
    /// A dueling network (see [`DuelingQNetwork`](super::DuelingQNetwork)): a torso with ReLU
    /// after every layer (its last included), then a value stream (one output) and an
    /// advantage stream (one output per action), each an MLP, recombined as
    /// `Q = V + A - mean(A)`.
    Dueling {
        /// The shared layers.
        torso: Vec<LinearIds>,
        /// The state-value stream.
        value: Vec<LinearIds>,
        /// The advantage stream.
        advantage: Vec<LinearIds>,
    },
}
