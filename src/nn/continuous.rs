//! The networks of continuous-action agents: an actor maps observations to action
//! parameters, a Q-network maps observation-action pairs to values.

use burn::module::{Module, ModuleDisplay};
use burn::tensor::Tensor;

use super::Mlp;

/// A network that maps observations `[batch, obs_dim]` to `[batch, width]`: the actor of a
/// continuous-action agent. [`Sac`](crate::agents::Sac) reads the output as the mean and the
/// log standard deviation of a Gaussian (`width = 2 * action_dim`, means first), squashed by
/// tanh; [`Td3`](crate::agents::Td3) as the action before its tanh (`width = action_dim`).
///
/// [`Mlp`] implements it; so can any Burn module:
///
/// ```
/// use burn::module::{Module, ModuleDisplay};
/// use burn::nn::{Linear, LinearConfig};
/// use burn::tensor::{Device, Tensor};
/// use cinder_rl::nn::ActorNetwork;
///
/// #[derive(Module, Debug)]
/// struct LinearActor { layer: Linear }
///
/// impl ActorNetwork for LinearActor {
///     fn forward(&self, observations: Tensor<2>) -> Tensor<2> {
///         self.layer.forward(observations)
///     }
/// }
///
/// let device = Device::flex();
/// let actor = LinearActor { layer: LinearConfig::new(3, 2).init(&device) };
/// assert_eq!(actor.forward(Tensor::zeros([5, 3], &device)).dims(), [5, 2]);
/// ```
pub trait ActorNetwork: Module + 'static {
    /// The actor's output `[batch, width]` for the observations `[batch, obs_dim]`.
    fn forward(&self, observations: Tensor<2>) -> Tensor<2>;
}

impl ActorNetwork for Mlp {
    fn forward(&self, observations: Tensor<2>) -> Tensor<2> {
        Mlp::forward(self, observations)
    }
}

/// A network that maps observations `[batch, obs_dim]` and actions `[batch, action_dim]`
/// (in the agent's units: each value in `[-1, 1]`) to their values `Q(s, a)`, `[batch, 1]`:
/// the critic of a continuous-action agent.
///
/// [`Mlp`] implements it on the observation and the action side by side (its input width is
/// `obs_dim + action_dim`).
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use cinder_rl::nn::{ContinuousQNetwork, MlpConfig};
///
/// let device = Device::flex();
/// let critic = MlpConfig::new(3 + 1, 1).with_hidden(vec![32]).init(&device, 0)?;
/// let q = ContinuousQNetwork::forward(
///     &critic,
///     Tensor::zeros([5, 3], &device),
///     Tensor::zeros([5, 1], &device),
/// );
/// assert_eq!(q.dims(), [5, 1]);
/// # Ok::<(), cinder_rl::error::AgentError>(())
/// ```
pub trait ContinuousQNetwork: Module + ModuleDisplay + 'static {
    /// `Q(s, a)`, `[batch, 1]`.
    fn forward(&self, observations: Tensor<2>, actions: Tensor<2>) -> Tensor<2>;
}

impl ContinuousQNetwork for Mlp {
    fn forward(&self, observations: Tensor<2>, actions: Tensor<2>) -> Tensor<2> {
        Mlp::forward(self, Tensor::cat(vec![observations, actions], 1))
    }
}
