//! PPO settings.

use burn::config::Config;

use crate::agents::actor_critic::{MAX_ENVS, MAX_ROLLOUT};
use crate::agents::{OptimizerConfig, checks};
use crate::error::AgentError;
use crate::policy::{AnySchedule, Schedule};

/// Settings of a [`Ppo`](super::Ppo) agent, validated when the agent is built.
///
/// The defaults are Stable-Baselines3's `PPO` (version 2) with changes that make them learn
/// across the classic-control suite without per-environment tuning, and fast: 8 environment
/// copies of 256 steps each (SB3: 1 of 2048; the same rollout size, collected in batched
/// passes), minibatches of 256 at a learning rate of 1e-3 (SB3: 64 at 3e-4; a quarter of the
/// gradient steps, each barely dearer on a CPU), and observations and rewards normalised as
/// SB3's `VecNormalize` does (without the reward normalisation Acrobot-v1's -1 per step
/// drives the policy to collapse). [`PpoPreset::sb3`](super::PpoPreset::sb3) holds SB3's own
/// settings.
///
/// ```
/// use cinder_rl::agents::PpoConfig;
///
/// let config = PpoConfig::new().with_n_epochs(4).with_target_kl(Some(0.02));
/// config.validate()?;
/// assert_eq!(config.batch_size, 256);
/// # Ok::<(), cinder_rl::error::AgentError>(())
/// ```
#[derive(Config, Debug)]
pub struct PpoConfig {
    /// Discount factor, in [0, 1].
    ///
    /// Default: `0.99`.
    #[config(default = 0.99)]
    pub gamma: f64,
    /// The GAE lambda, in [0, 1] (SB3's `gae_lambda`).
    ///
    /// Default: `0.95`.
    #[config(default = 0.95)]
    pub gae_lambda: f64,
    /// Learning rate.
    ///
    /// Default: `1e-3`.
    #[config(default = 1e-3)]
    pub learning_rate: f64,
    /// When set, the learning rate as a function of the environment steps observed (all copies
    /// counted), in place of the constant [`learning_rate`](Self::learning_rate): SB3's
    /// `lin_3e-4` over a budget of B steps is `Linear { start: 3e-4, end: ~0, duration: B }`.
    ///
    /// Default: `None`.
    #[config(default = "None")]
    pub learning_rate_schedule: Option<AnySchedule>,
    /// The optimizer (Adam with epsilon 1e-5, as SB3 and CleanRL configure it for PPO).
    ///
    /// Default: `OptimizerConfig::Adam { beta_1: 0.9, beta_2: 0.999, epsilon: 1e-5 }`.
    #[config(default = "OptimizerConfig::Adam { beta_1: 0.9, beta_2: 0.999, epsilon: 1e-5 }")]
    pub optimizer: OptimizerConfig,
    /// Environment copies acted for together, at most [`MAX_ENVS`].
    ///
    /// Default: `8`.
    #[config(default = 8)]
    pub num_envs: usize,
    /// Steps per copy in a rollout (SB3's `n_steps`), at most [`MAX_ROLLOUT`].
    ///
    /// Default: `256`.
    #[config(default = 256)]
    pub n_rollout: usize,
    /// Transitions per minibatch (the last minibatch of an epoch may be smaller).
    ///
    /// Default: `256`.
    #[config(default = 256)]
    pub batch_size: usize,
    /// Passes over each rollout.
    ///
    /// Default: `10`.
    #[config(default = 10)]
    pub n_epochs: usize,
    /// The clip range of the probability ratio, in (0, 1].
    ///
    /// Default: `0.2`.
    #[config(default = 0.2)]
    pub clip_range: f64,
    /// When set, the clip range as a function of the environment steps observed, in place of
    /// the constant [`clip_range`](Self::clip_range).
    ///
    /// Default: `None`.
    #[config(default = "None")]
    pub clip_range_schedule: Option<AnySchedule>,
    /// When set, new value predictions are clipped to this distance from the rollout's
    /// values and the larger of the clipped and unclipped squared errors is taken (the value
    /// clipping of OpenAI Baselines' and CleanRL's PPO).
    ///
    /// Default: `None`.
    #[config(default = "None")]
    pub clip_range_vf: Option<f64>,
    /// Normalise the advantages of each minibatch to mean 0 and standard deviation 1.
    ///
    /// Default: `true`.
    #[config(default = true)]
    pub normalize_advantage: bool,
    /// Weight of the entropy bonus.
    ///
    /// Default: `0.0`.
    #[config(default = 0.0)]
    pub entropy_coef: f64,
    /// Weight of the value loss (the mean squared error to the GAE returns).
    ///
    /// Default: `0.5`.
    #[config(default = 0.5)]
    pub value_coef: f64,
    /// Clip the global gradient norm to this value.
    ///
    /// Default: `Some(0.5)`.
    #[config(default = "Some(0.5)")]
    pub max_grad_norm: Option<f32>,
    /// When set, the epochs over a rollout stop early once the approximate KL divergence of
    /// a minibatch exceeds 1.5 times this value (SB3's `target_kl`).
    ///
    /// Default: `None`.
    #[config(default = "None")]
    pub target_kl: Option<f64>,
    /// Normalise observations with running statistics of the observations trained on
    /// (saved with the agent, frozen while evaluating).
    ///
    /// Default: `true`.
    #[config(default = true)]
    pub normalize_observations: bool,
    /// Scale rewards by the running standard deviation of the discounted return (clipped to
    /// ±10), as SB3's `VecNormalize` does.
    ///
    /// Default: `true`.
    #[config(default = true)]
    pub normalize_rewards: bool,
    /// Rewards are multiplied by this before anything else sees them.
    ///
    /// Default: `1.0`.
    #[config(default = 1.0)]
    pub reward_scale: f64,
    /// Seeds action sampling and minibatch shuffling.
    ///
    /// Default: `0`.
    #[config(default = 0)]
    pub seed: u64,
}

impl PpoConfig {
    /// Checks every value, returning the first that is out of range.
    pub fn validate(&self) -> Result<(), AgentError> {
        let invalid =
            |field: &'static str, reason: String| Err(AgentError::InvalidConfig { field, reason });
        checks::gamma(self.gamma)?;
        checks::learning_rate(self.learning_rate, self.learning_rate_schedule.as_ref())?;
        checks::gradient_clipping(self.max_grad_norm, None)?;
        checks::reward_scale(self.reward_scale)?;
        self.optimizer.validate()?;
        if !(0.0..=1.0).contains(&self.gae_lambda) {
            return invalid(
                "gae_lambda",
                format!("must be in [0, 1], got {}", self.gae_lambda),
            );
        }
        let clip_ok = |c: f64| c > 0.0 && c <= 1.0;
        if !clip_ok(self.clip_range) {
            return invalid(
                "clip_range",
                format!("must be in (0, 1], got {}", self.clip_range),
            );
        }
        if let Some(schedule) = &self.clip_range_schedule {
            for step in [0, u64::MAX] {
                let clip = schedule.value(step);
                if !clip_ok(clip) {
                    return invalid(
                        "clip_range_schedule",
                        format!("must stay in (0, 1], is {clip} at step {step}"),
                    );
                }
            }
        }
        for (field, limit) in [
            ("clip_range_vf", self.clip_range_vf),
            ("target_kl", self.target_kl),
        ] {
            if let Some(v) = limit
                && !(v.is_finite() && v > 0.0)
            {
                return invalid(field, format!("must be positive, got {v}"));
            }
        }
        checks::rollout(self.n_rollout, MAX_ROLLOUT, self.num_envs, MAX_ENVS)?;
        let smallest = if self.normalize_advantage { 2 } else { 1 };
        if self.batch_size < smallest {
            return invalid(
                "batch_size",
                format!(
                    "must be at least {smallest} (advantages are normalised per minibatch), got {}",
                    self.batch_size
                ),
            );
        }
        if !(1..=1000).contains(&self.n_epochs) {
            return invalid(
                "n_epochs",
                format!("must be in 1..=1000, got {}", self.n_epochs),
            );
        }
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

    /// The clip range after `env_steps` observed transitions.
    pub fn clip_range_at(&self, env_steps: u64) -> f64 {
        self.clip_range_schedule
            .map_or(self.clip_range, |schedule| schedule.value(env_steps))
    }
}
