//! Actor-critic settings.

use burn::config::Config;
use serde::{Deserialize, Serialize};

use crate::agents::{OptimizerConfig, ValueLoss, checks};
use crate::error::AgentError;
use crate::policy::{AnySchedule, Schedule};

/// How the value targets of a rollout are formed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Returns {
    /// One-step TD targets `r + gamma * (1 - terminated) * V(s')` (the tutorial).
    TdZero,
    /// n-step returns to the end of the rollout, bootstrapped from `V` of the last next
    /// observation, or of the real final observation where an episode was truncated (A2C).
    NStep,
    /// Generalized advantage estimation with `lambda` in [0, 1] (SB3's `gae_lambda`): the
    /// advantages weigh the k-step estimates by `lambda^(k-1)`; 1 gives `NStep`'s targets, 0
    /// `TdZero`'s.
    Gae {
        /// The weight of longer estimates, in [0, 1].
        lambda: f32,
    },
}

/// The most steps per copy a rollout may hold ([`ActorCriticConfig::n_rollout`]).
pub const MAX_ROLLOUT: usize = 1 << 20;

/// The most environment copies an agent acts for ([`ActorCriticConfig::num_envs`]).
pub const MAX_ENVS: usize = 1 << 16;

/// Settings of an [`ActorCritic`](super::ActorCritic) agent, validated when the agent is
/// built.
///
/// The defaults are tuned to solve CartPole-v1 quickly and reliably with 8 environments;
/// [`ActorCriticPreset`](super::ActorCriticPreset) holds the tutorial's settings.
///
/// ```
/// use cinder_rl::agents::actor_critic::{ActorCriticConfig, Returns};
///
/// let config = ActorCriticConfig::new().with_num_envs(1).with_returns(Returns::TdZero);
/// assert_eq!(config.num_envs, 1);
/// ```
#[derive(Config, Debug)]
pub struct ActorCriticConfig {
    /// Discount factor, in [0, 1].
    ///
    /// Default: `0.99`.
    #[config(default = 0.99)]
    pub gamma: f64,
    /// Learning rate.
    ///
    /// Default: `1e-3`.
    #[config(default = 1e-3)]
    pub learning_rate: f64,
    /// When set, the learning rate as a function of the environment steps observed (all copies
    /// counted), in place of the constant [`learning_rate`](Self::learning_rate).
    ///
    /// Default: `None`.
    #[config(default = "None")]
    pub learning_rate_schedule: Option<AnySchedule>,
    /// The optimizer.
    ///
    /// Default: `OptimizerConfig::adam()`.
    #[config(default = "OptimizerConfig::adam()")]
    pub optimizer: OptimizerConfig,
    /// Steps per environment copy between updates, at most [`MAX_ROLLOUT`].
    ///
    /// Default: `5`.
    #[config(default = 5)]
    pub n_rollout: usize,
    /// How value targets are formed.
    ///
    /// Default: `Returns::NStep`.
    #[config(default = "Returns::NStep")]
    pub returns: Returns,
    /// The value loss.
    ///
    /// Default: `ValueLoss::Mse`.
    #[config(default = "ValueLoss::Mse")]
    pub value_loss: ValueLoss,
    /// Weight of the value loss.
    ///
    /// Default: `0.5`.
    #[config(default = 0.5)]
    pub value_coef: f64,
    /// Weight of the entropy bonus.
    ///
    /// Default: `0.0`.
    #[config(default = 0.0)]
    pub entropy_coef: f64,
    /// Clip the global gradient norm to this value.
    ///
    /// Default: `Some(0.5)`.
    #[config(default = "Some(0.5)")]
    pub max_grad_norm: Option<f32>,
    /// Clamp every gradient component to `[-v, v]`.
    ///
    /// Default: `None`.
    #[config(default = "None")]
    pub clip_grad_value: Option<f32>,
    /// Rewards are multiplied by this in the update (the tutorial's 1/100).
    ///
    /// Default: `1.0`.
    #[config(default = 1.0)]
    pub reward_scale: f64,
    /// Normalise observations with running statistics of the observations trained on
    /// (saved with the agent, frozen while evaluating), as Stable-Baselines3's `VecNormalize`
    /// does.
    ///
    /// Default: `false`.
    #[config(default = false)]
    pub normalize_observations: bool,
    /// Divide rewards (after `reward_scale`) by the running standard deviation of the
    /// discounted return, clipped to ±10, as `VecNormalize` does.
    ///
    /// Default: `false`.
    #[config(default = false)]
    pub normalize_rewards: bool,
    /// Environment copies acted for together (1: the tutorial's single environment), at most
    /// [`MAX_ENVS`].
    ///
    /// Default: `8`.
    #[config(default = 8)]
    pub num_envs: usize,
    /// Seeds action sampling.
    ///
    /// Default: `0`.
    #[config(default = 0)]
    pub seed: u64,
}

impl ActorCriticConfig {
    /// Checks every value, returning the first that is out of range.
    pub fn validate(&self) -> Result<(), AgentError> {
        let invalid =
            |field: &'static str, reason: String| Err(AgentError::InvalidConfig { field, reason });
        checks::gamma(self.gamma)?;
        checks::learning_rate(self.learning_rate, self.learning_rate_schedule.as_ref())?;
        checks::gradient_clipping(self.max_grad_norm, self.clip_grad_value)?;
        checks::reward_scale(self.reward_scale)?;
        self.optimizer.validate()?;
        if let Returns::Gae { lambda } = self.returns
            && !(0.0..=1.0).contains(&lambda)
        {
            return invalid(
                "returns",
                format!("GAE lambda must be in [0, 1], got {lambda}"),
            );
        }
        checks::rollout(self.n_rollout, MAX_ROLLOUT, self.num_envs, MAX_ENVS)?;
        checks::coefficients(&[
            ("value_coef", self.value_coef),
            ("entropy_coef", self.entropy_coef),
        ])
    }

    /// The learning rate after `env_steps` observed transitions.
    pub fn learning_rate_at(&self, env_steps: u64) -> f64 {
        self.learning_rate_schedule
            .map_or(self.learning_rate, |schedule| schedule.value(env_steps))
    }
}
