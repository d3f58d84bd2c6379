//! Networks: the traits the agents need of a network, ready-made networks, and the
//! parameter-level operations the agents use (seeded initialisation, Polyak averaging,
//! gradient clipping).
//!
//! Networks are Burn [`Module`]s. Train them on an autodiff device
//! (`Device::flex().autodiff()`); the agents act with a non-autodiff copy
//! ([`Module::valid`]).

mod actor_critic_mlp;
mod clip;
mod cnn;
mod continuous;
mod dueling;
mod gaussian;
mod helper_thread;
mod host_kernels;
mod host_layout;
mod host_matmul;
mod host_mlp;
mod host_params;
mod host_q;
mod init;
mod mlp;
mod policy_value;
mod polyak;
mod probe;
mod squashed_gaussian;
mod twin;

pub use actor_critic_mlp::{ActorCriticMlp, ActorCriticMlpConfig};
pub use clip::clip_grad_norm;
pub use cnn::{CnnQNetwork, CnnQNetworkConfig};
pub use continuous::{ActorNetwork, ContinuousQNetwork};
pub use dueling::{DuelingConfig, DuelingQNetwork};
pub use gaussian::{gaussian_entropy, gaussian_log_prob};
pub(crate) use helper_thread::HelperSlot;
pub(crate) use host_kernels::{AdamStep, adam, polyak, scale, sum_of_squares};
pub use host_layout::{HostLayout, LinearIds};
pub use host_mlp::HostMlp;
pub(crate) use host_q::{Activations, HostQ};
pub use init::{MAX_PARAMETERS, orthogonal_linear, seeded_linear};
pub use mlp::{Mlp, MlpConfig};
pub use policy_value::{
    ActionBatch, Activation, Distribution, PolicyHead, PolicyValueMlp, PolicyValueMlpConfig,
    PolicyValueNetwork,
};
pub use polyak::polyak_update;
pub(crate) use probe::probe_shapes;
pub use squashed_gaussian::{squashed_gaussian_log_prob, tanh_log_det};
pub use twin::Twin;

use burn::module::Module;
use burn::tensor::Tensor;

/// A network that maps a batch of observations `[batch, obs_dim]` to action values
/// `[batch, n_actions]`: what [`Dqn`](crate::agents::Dqn) learns.
///
/// Implement it for any Burn module (an MLP, a CNN that reshapes its input...):
///
/// ```
/// use burn::module::Module;
/// use burn::nn::{Linear, LinearConfig};
/// use burn::tensor::{Device, Tensor};
/// use cinder_rl::nn::QNetwork;
///
/// #[derive(Module, Debug)]
/// struct Linear2 { layer: Linear }
///
/// impl QNetwork for Linear2 {
///     fn forward(&self, observations: Tensor<2>) -> Tensor<2> {
///         self.layer.forward(observations)
///     }
/// }
///
/// let device = Device::flex();
/// let net = Linear2 { layer: LinearConfig::new(3, 2).init(&device) };
/// assert_eq!(net.forward(Tensor::zeros([5, 3], &device)).dims(), [5, 2]);
/// ```
pub trait QNetwork: Module + 'static {
    /// Action values `[batch, n_actions]` of the observations `[batch, obs_dim]`.
    fn forward(&self, observations: Tensor<2>) -> Tensor<2>;

    /// A copy of the network's current weights that computes one observation at a time on
    /// the host ([`HostMlp`]), which agents act with when the same network chooses several
    /// actions in a row (evaluation, deployment); `None` (the default) when the network has
    /// none, and agents act through [`forward`](Self::forward).
    fn host_copy(&self) -> Option<HostMlp> {
        None
    }

    /// The network as linear layers ([`HostLayout`]), when it is one: agents may then compute
    /// its gradient updates on the host, without the framework's per-operation costs. `None`
    /// (the default) when it is not, and agents update it through the framework. The layout
    /// must describe exactly what [`forward`](Self::forward) computes: the host updates train
    /// the function it describes.
    fn host_layout(&self) -> Option<HostLayout> {
        None
    }
}

impl QNetwork for Mlp {
    fn forward(&self, observations: Tensor<2>) -> Tensor<2> {
        Mlp::forward(self, observations)
    }

    fn host_copy(&self) -> Option<HostMlp> {
        self.host_copy()
    }

    fn host_layout(&self) -> Option<HostLayout> {
        Some(HostLayout::Mlp(self.linear_ids()))
    }
}

/// A network that maps a batch of observations `[batch, obs_dim]` to action logits
/// `[batch, n_actions]` and state values `[batch, 1]`: what
/// [`ActorCritic`](crate::agents::ActorCritic) learns. The two outputs may share layers.
pub trait ActorCriticNetwork: Module + 'static {
    /// `(logits [batch, n_actions], values [batch, 1])` of the observations.
    fn forward(&self, observations: Tensor<2>) -> (Tensor<2>, Tensor<2>);

    /// Whether the first output is logits of a categorical policy (the actor-critic refuses
    /// a network that says otherwise, such as a [`PolicyValueMlp`] with a Gaussian head).
    fn categorical(&self) -> bool {
        true
    }
}

impl ActorCriticNetwork for ActorCriticMlp {
    fn forward(&self, observations: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        ActorCriticMlp::forward(self, observations)
    }
}
