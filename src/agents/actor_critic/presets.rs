//! Ready-made actor-critic settings: the tutorial's and the tuned default.

use super::{ActorCriticConfig, Returns};
use crate::agents::{OptimizerConfig, ValueLoss};

/// A named actor-critic configuration with the trunk widths of the network it was made for.
#[derive(Debug, Clone)]
pub struct ActorCriticPreset {
    /// The name (`tuned`, `tutorial`).
    pub name: &'static str,
    /// What it reproduces.
    pub description: &'static str,
    /// The agent settings.
    pub config: ActorCriticConfig,
    /// The hidden widths of the network.
    pub hidden: Vec<usize>,
    /// Whether the policy and the value have separate tanh networks, orthogonally
    /// initialised ([`PolicyValueMlp`](crate::nn::PolicyValueMlp), Stable-Baselines3's),
    /// rather than one shared ReLU trunk ([`ActorCriticMlp`](crate::nn::ActorCriticMlp)).
    pub separate: bool,
}

impl ActorCriticPreset {
    /// Every preset.
    pub fn all() -> Vec<ActorCriticPreset> {
        vec![Self::tuned(), Self::tutorial(), Self::sb3()]
    }

    /// The preset called `name`.
    pub fn named(name: &str) -> Option<ActorCriticPreset> {
        Self::all().into_iter().find(|p| p.name == name)
    }

    /// The default: [`ActorCriticConfig::new`] with a 256-unit trunk.
    pub fn tuned() -> Self {
        Self {
            name: "tuned",
            description: "the default: A2C over 8 environments, tuned to solve CartPole-v1 fast",
            config: ActorCriticConfig::new(),
            hidden: vec![256],
            separate: false,
        }
    }

    /// The TD actor-critic tutorial: one environment, a 4-256 trunk with softmax policy and
    /// value heads, Adam 2e-4, gamma 0.98, an update every 10 steps (and at each episode's
    /// end), one-step TD targets, reward/100 in the update, smooth-L1 value loss with weight 1,
    /// no entropy bonus, no gradient clipping.
    pub fn tutorial() -> Self {
        Self {
            name: "tutorial",
            description: "the TD actor-critic tutorial (one environment, n_rollout 10)",
            config: ActorCriticConfig::new()
                .with_gamma(0.98)
                .with_learning_rate(2e-4)
                .with_optimizer(OptimizerConfig::adam())
                .with_n_rollout(10)
                .with_returns(Returns::TdZero)
                .with_value_loss(ValueLoss::Huber)
                .with_value_coef(1.0)
                .with_entropy_coef(0.0)
                .with_max_grad_norm(None)
                .with_reward_scale(0.01)
                .with_num_envs(1),
            hidden: vec![256],
            separate: false,
        }
    }

    /// Stable-Baselines3's A2C defaults (its `A2C` class, version 2): RMSprop 7e-4 (alpha
    /// 0.99, epsilon 1e-5, PyTorch's RMSprop as SB3 configures it), 5-step returns (GAE lambda
    /// 1), gamma 0.99, value coefficient 0.5, no entropy bonus, gradient norm clipped to 0.5,
    /// one environment, and SB3's separate 64-64 tanh networks for the actor and the critic,
    /// orthogonally initialised ([`PolicyValueMlp`](crate::nn::PolicyValueMlp)).
    pub fn sb3() -> Self {
        Self {
            name: "sb3",
            description: "Stable-Baselines3's A2C defaults",
            config: ActorCriticConfig::new()
                .with_gamma(0.99)
                .with_learning_rate(7e-4)
                .with_learning_rate_schedule(None)
                .with_optimizer(OptimizerConfig::RmsProp {
                    alpha: 0.99,
                    momentum: 0.0,
                    epsilon: 1e-5,
                    centered: false,
                })
                .with_n_rollout(5)
                .with_returns(Returns::NStep)
                .with_value_loss(ValueLoss::Mse)
                .with_value_coef(0.5)
                .with_entropy_coef(0.0)
                .with_max_grad_norm(Some(0.5))
                .with_clip_grad_value(None)
                .with_reward_scale(1.0)
                .with_num_envs(1),
            hidden: vec![64, 64],
            separate: true,
        }
    }
}
