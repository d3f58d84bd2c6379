//! Policy-and-value networks for discrete and continuous actions: the [`PolicyValueNetwork`]
//! trait PPO learns, the [`Distribution`] its policy head outputs, and the ready-made
//! [`PolicyValueMlp`].

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::activation::{log_softmax, relu, tanh};
use burn::tensor::{Device, Int, Tensor};
use serde::{Deserialize, Serialize};

use super::gaussian::{gaussian_entropy, gaussian_log_prob};
use super::init::check_parameter_count;
use super::{ActorCriticMlp, ActorCriticNetwork, orthogonal_linear};
use crate::env::{ActionShape, Space};
use crate::error::AgentError;
use crate::rng::seeded;

/// The action distribution of a batch of observations, as a policy head outputs it.
#[derive(Debug, Clone)]
// Built once per forward pass and taken apart at once: boxing the tensors would only add an
// allocation.
#[allow(clippy::large_enum_variant)]
pub enum Distribution {
    /// A categorical distribution over discrete actions: logits `[batch, n_actions]`.
    Categorical(Tensor<2>),
    /// A diagonal Gaussian over box actions: the means `[batch, dim]` and the log standard
    /// deviations, `[batch, dim]` or one row `[1, dim]` shared by the batch.
    Gaussian {
        /// The means.
        mean: Tensor<2>,
        /// The log standard deviations.
        log_std: Tensor<2>,
    },
}

/// A batch of actions on the device, as [`Distribution::log_prob`] takes them.
#[derive(Debug, Clone)]
pub enum ActionBatch {
    /// Indices `[batch, 1]`.
    Discrete(Tensor<2, Int>),
    /// Values `[batch, dim]`.
    Continuous(Tensor<2>),
}

impl ActionBatch {
    /// The rows `indices` of the batch.
    pub fn select(&self, indices: Tensor<1, Int>) -> Self {
        match self {
            ActionBatch::Discrete(a) => ActionBatch::Discrete(a.clone().select(0, indices)),
            ActionBatch::Continuous(a) => ActionBatch::Continuous(a.clone().select(0, indices)),
        }
    }
}

impl Distribution {
    /// The shape of the actions it is a distribution over, and the width of its output
    /// (`n_actions`, or the box's dimension).
    pub fn shape(&self) -> (ActionShape, usize) {
        match self {
            Distribution::Categorical(logits) => (ActionShape::Discrete, logits.dims()[1]),
            Distribution::Gaussian { mean, .. } => {
                let dim = mean.dims()[1];
                (ActionShape::Continuous { dim }, dim)
            }
        }
    }

    /// `ln π(a|s)` of each row, `[batch, 1]`. Actions of the other kind are a
    /// [`AgentError::InvalidConfig`].
    pub fn log_prob(&self, actions: &ActionBatch) -> Result<Tensor<2>, AgentError> {
        match (self, actions) {
            (Distribution::Categorical(logits), ActionBatch::Discrete(a)) => {
                Ok(log_softmax(logits.clone(), 1).gather(1, a.clone()))
            }
            (Distribution::Gaussian { mean, log_std }, ActionBatch::Continuous(a)) => {
                Ok(gaussian_log_prob(mean.clone(), log_std.clone(), a.clone()))
            }
            _ => Err(AgentError::InvalidConfig {
                field: "network",
                reason: "the policy's distribution does not match the kind of actions".into(),
            }),
        }
    }

    /// The mean entropy over the batch.
    pub fn entropy(&self) -> Tensor<1> {
        match self {
            Distribution::Categorical(logits) => {
                let log_p = log_softmax(logits.clone(), 1);
                (log_p.clone().exp() * log_p).sum_dim(1).mean().neg()
            }
            Distribution::Gaussian { log_std, .. } => gaussian_entropy(log_std.clone()).mean(),
        }
    }
}

/// A network that maps a batch of observations `[batch, obs_dim]` to an action
/// [`Distribution`] and state values `[batch, 1]`: what [`Ppo`](crate::agents::Ppo) learns.
pub trait PolicyValueNetwork: Module + 'static {
    /// The action distribution and the values `[batch, 1]` of the observations.
    fn forward(&self, observations: Tensor<2>) -> (Distribution, Tensor<2>);

    /// The action distribution alone, what acting needs: by default the first half of
    /// [`forward`](Self::forward); a network whose value has layers of its own can skip them.
    fn policy(&self, observations: Tensor<2>) -> Distribution {
        self.forward(observations).0
    }
}

impl PolicyValueNetwork for ActorCriticMlp {
    fn forward(&self, observations: Tensor<2>) -> (Distribution, Tensor<2>) {
        let (logits, values) = ActorCriticMlp::forward(self, observations);
        (Distribution::Categorical(logits), values)
    }
}

/// The nonlinearity between hidden layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// `tanh` (Stable-Baselines3's and CleanRL's choice for PPO).
    Tanh,
    /// `max(0, x)`.
    Relu,
}

/// The policy head of a [`PolicyValueMlp`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum PolicyHead {
    /// Logits over `n_actions` discrete actions.
    Categorical {
        /// The number of actions.
        n_actions: usize,
    },
    /// A diagonal Gaussian over `dim` values with a learnable log standard deviation per
    /// value that does not depend on the state, starting at `log_std_init`.
    Gaussian {
        /// The number of action values.
        dim: usize,
        /// The initial log standard deviation.
        log_std_init: f32,
    },
}

impl PolicyHead {
    /// The head for `space`: categorical for a discrete space, Gaussian with log standard
    /// deviation 0 for a box.
    pub fn for_space(space: &Space) -> Self {
        match space.n() {
            Some(n_actions) => PolicyHead::Categorical { n_actions },
            None => PolicyHead::Gaussian {
                dim: space.flat_dim(),
                log_std_init: 0.0,
            },
        }
    }

    fn width(&self) -> usize {
        match *self {
            PolicyHead::Categorical { n_actions } => n_actions,
            PolicyHead::Gaussian { dim, .. } => dim,
        }
    }
}

/// Settings of a [`PolicyValueMlp`]: policy and value MLPs with separate hidden layers (or
/// one shared trunk), orthogonally initialised as PPO implementations do (gain √2 for hidden
/// layers, 0.01 for the policy head, 1 for the value head; zero biases).
///
/// The defaults are Stable-Baselines3's PPO `MlpPolicy`: separate 64-64 tanh networks. On the
/// CPU backend `tanh` is evaluated one value at a time (and again in the backward pass): with
/// [`Activation::Relu`] a minibatch update of 64 costs 2.5 times less, which makes CartPole
/// and Pendulum train 3 to 4 times faster, but 64-64 ReLU networks lost Acrobot-v1 on 2 of 5
/// seeds where tanh solved all 5.
#[derive(Config, Debug)]
pub struct PolicyValueMlpConfig {
    /// Input width (the observation length).
    pub input: usize,
    /// The policy head.
    pub head: PolicyHead,
    /// Hidden widths of each network (or of the shared trunk).
    ///
    /// Default: `vec![64, 64]`.
    #[config(default = "vec![64, 64]")]
    pub hidden: Vec<usize>,
    /// The nonlinearity.
    ///
    /// Default: `Activation::Tanh`.
    #[config(default = "Activation::Tanh")]
    pub activation: Activation,
    /// Whether the policy and the value share their hidden layers.
    ///
    /// Default: `false`.
    #[config(default = false)]
    pub shared: bool,
}

impl PolicyValueMlpConfig {
    /// The settings for observations of `input` values and actions of `space`.
    pub fn for_space(input: usize, space: &Space) -> Self {
        Self::new(input, PolicyHead::for_space(space))
    }

    /// Builds the network on `device`, weights drawn from a generator seeded with `seed`. A
    /// width of zero, no hidden layer, or an initial log standard deviation that is not
    /// finite is an [`AgentError::InvalidConfig`].
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// use cinder_rl::env::Space;
    /// use cinder_rl::nn::{Distribution, PolicyValueMlpConfig, PolicyValueNetwork};
    ///
    /// let device = Device::flex();
    /// let torque = Space::boxed(vec![-2.0], vec![2.0]);
    /// let net = PolicyValueMlpConfig::for_space(3, &torque).init(&device, 0)?;
    /// let (policy, values) = net.forward(Tensor::zeros([8, 3], &device));
    /// assert!(matches!(policy, Distribution::Gaussian { .. }));
    /// assert_eq!(values.dims(), [8, 1]);
    /// # Ok::<(), cinder_rl::error::AgentError>(())
    /// ```
    pub fn init(&self, device: &Device, seed: u64) -> Result<PolicyValueMlp, AgentError> {
        let width = self.head.width();
        let widths: Vec<usize> = std::iter::once(self.input)
            .chain(self.hidden.iter().copied())
            .collect();
        if self.hidden.is_empty() || widths.contains(&0) || width == 0 {
            return Err(AgentError::InvalidConfig {
                field: "policy-value widths",
                reason: format!(
                    "need at least one hidden layer and no zero width, got {widths:?} -> {width}"
                ),
            });
        }
        let log_std_init = match self.head {
            PolicyHead::Gaussian { log_std_init, .. } if !log_std_init.is_finite() => {
                return Err(AgentError::InvalidConfig {
                    field: "log_std_init",
                    reason: format!("must be finite, got {log_std_init}"),
                });
            }
            PolicyHead::Gaussian { log_std_init, .. } => Some(log_std_init),
            PolicyHead::Categorical { .. } => None,
        };
        let features = *widths.last().expect("at least the input width");
        let trunks = if self.shared { 1 } else { 2 };
        check_parameter_count(
            "policy-value widths",
            widths
                .windows(2)
                .map(|w| (w[0], w[1], trunks))
                .chain([(features, width + 1, 1)]),
        )?;
        let mut rng = seeded(seed);
        let gain = std::f32::consts::SQRT_2;
        let trunk = |rng: &mut _| -> Vec<Linear> {
            widths
                .windows(2)
                .map(|w| orthogonal_linear(w[0], w[1], gain, rng, device))
                .collect()
        };
        let policy_trunk = trunk(&mut rng);
        let value_trunk = if self.shared {
            Vec::new()
        } else {
            trunk(&mut rng)
        };
        Ok(PolicyValueMlp {
            policy_trunk,
            value_trunk,
            policy: orthogonal_linear(features, width, 0.01, &mut rng, device),
            value: orthogonal_linear(features, 1, 1.0, &mut rng, device),
            log_std: log_std_init
                .map(|init| Param::from_tensor(Tensor::full([1, width], init, device))),
            tanh: self.activation == Activation::Tanh,
        })
    }
}

/// Policy and value MLPs (see [`PolicyValueMlpConfig`]): a categorical or diagonal Gaussian
/// policy head and a value head.
#[derive(Module, Debug)]
pub struct PolicyValueMlp {
    policy_trunk: Vec<Linear>,
    /// Empty when the value head reads the policy trunk's features.
    value_trunk: Vec<Linear>,
    policy: Linear,
    value: Linear,
    /// The Gaussian head's log standard deviations `[1, dim]`; `None` for a categorical head.
    log_std: Option<Param<Tensor<2>>>,
    tanh: bool,
}

impl PolicyValueMlp {
    fn trunk(&self, layers: &[Linear], x: Tensor<2>) -> Tensor<2> {
        layers.iter().fold(x, |x, layer| {
            let x = layer.forward(x);
            if self.tanh { tanh(x) } else { relu(x) }
        })
    }

    /// The log standard deviations `[1, dim]` of a Gaussian head.
    pub fn log_std(&self) -> Option<Tensor<2>> {
        self.log_std.as_ref().map(Param::val)
    }
}

/// With a categorical head, the actor-critic's network: SB3's A2C networks (separate 64-64
/// tanh MLPs, orthogonally initialised).
impl ActorCriticNetwork for PolicyValueMlp {
    fn forward(&self, observations: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let (distribution, values) = PolicyValueNetwork::forward(self, observations);
        match distribution {
            Distribution::Categorical(logits) => (logits, values),
            Distribution::Gaussian { mean, .. } => (mean, values),
        }
    }

    fn categorical(&self) -> bool {
        self.log_std.is_none()
    }
}

impl PolicyValueMlp {
    /// The distribution the policy head makes of the policy trunk's `features`.
    fn distribution(&self, features: Tensor<2>) -> Distribution {
        let head = self.policy.forward(features);
        match self.log_std() {
            Some(log_std) => Distribution::Gaussian {
                mean: head,
                log_std,
            },
            None => Distribution::Categorical(head),
        }
    }
}

impl PolicyValueNetwork for PolicyValueMlp {
    fn forward(&self, observations: Tensor<2>) -> (Distribution, Tensor<2>) {
        let policy_features = self.trunk(&self.policy_trunk, observations.clone());
        let value_features = if self.value_trunk.is_empty() {
            policy_features.clone()
        } else {
            self.trunk(&self.value_trunk, observations)
        };
        let distribution = self.distribution(policy_features);
        (distribution, self.value.forward(value_features))
    }

    fn policy(&self, observations: Tensor<2>) -> Distribution {
        self.distribution(self.trunk(&self.policy_trunk, observations))
    }
}
