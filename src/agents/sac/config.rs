//! SAC settings.

use burn::config::Config;
use serde::{Deserialize, Serialize};

use crate::agents::continuous::CoreSettings;
use crate::agents::off_policy::TrainFrequency;
use crate::agents::{OptimizerConfig, checks};
use crate::error::AgentError;
use crate::memory::ReplayKind;

/// The entropy coefficient α of SAC's objective `E[Q(s, a) - α log π(a|s)]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum EntropyCoefficient {
    /// α is learned (as `ln α`, by its own optimizer) so that the policy's entropy tracks the
    /// config's target entropy, starting from `initial`.
    Auto {
        /// α before any update, positive.
        initial: f64,
    },
    /// α stays at this value (positive).
    Fixed(f64),
}

/// Settings of a [`Sac`](super::Sac) agent, validated when the agent is built.
///
/// The defaults are Stable-Baselines3's SAC defaults (its `sac.py`, version 2.x) but for the
/// learning rates, 1e-3 as rl-baselines3-zoo tunes them for Pendulum-v1: Adam for the actor,
/// the twin critics and α, batches of 256, 100 random steps, then one update per environment
/// step once the memory holds a batch (SB3 starts at 100, drawing its batches of 256 from
/// fewer transitions; the crate's memories need a batch's worth stored first), tau 0.005, α
/// learned toward an entropy of `-action_dim` from 1.
///
/// ```
/// use cinder_rl::agents::SacConfig;
/// use cinder_rl::agents::sac::EntropyCoefficient;
///
/// let config = SacConfig::new()
///     .with_gamma(0.98)
///     .with_entropy_coefficient(EntropyCoefficient::Fixed(0.1));
/// assert!(config.validate().is_ok());
/// ```
#[derive(Config, Debug)]
pub struct SacConfig {
    /// Discount factor, in [0, 1].
    ///
    /// Default: `0.99`.
    #[config(default = 0.99)]
    pub gamma: f64,
    /// The actor's learning rate.
    ///
    /// Default: `1e-3`.
    #[config(default = 1e-3)]
    pub actor_learning_rate: f64,
    /// The twin critics' learning rate.
    ///
    /// Default: `1e-3`.
    #[config(default = 1e-3)]
    pub critic_learning_rate: f64,
    /// The learning rate of `ln α` (with [`EntropyCoefficient::Auto`]).
    ///
    /// Default: `1e-3`.
    #[config(default = 1e-3)]
    pub alpha_learning_rate: f64,
    /// The optimizer of the actor, the critics and α (each has its own moments).
    ///
    /// Default: `OptimizerConfig::adam()`.
    #[config(default = "OptimizerConfig::adam()")]
    pub optimizer: OptimizerConfig,
    /// Clip each network's global gradient norm to this value.
    ///
    /// Default: `None`.
    #[config(default = "None")]
    pub max_grad_norm: Option<f32>,
    /// Replay memory capacity.
    ///
    /// Default: `1_000_000`.
    #[config(default = 1_000_000)]
    pub replay_capacity: usize,
    /// The replay memory: uniform sampling, or prioritized replay with its settings (the
    /// priorities follow the first critic's TD errors).
    ///
    /// Default: `ReplayKind::Uniform`.
    #[config(default = "ReplayKind::Uniform")]
    pub replay: ReplayKind,
    /// The steps each stored return sums: the memory receives
    /// `(s_t, a_t, r_t + γ r_{t+1} + ... + γ^{n-1} r_{t+n-1}, s_{t+n})` and the target
    /// bootstraps with `γ^n` (as [`DqnConfig::n_step`](crate::agents::DqnConfig::n_step)
    /// describes). 1 is the one-step target.
    ///
    /// Default: `1`.
    #[config(default = 1)]
    pub n_step: usize,
    /// Transitions per gradient update.
    ///
    /// Default: `256`.
    #[config(default = 256)]
    pub batch_size: usize,
    /// Environment steps acted uniformly at random, and transitions stored, before learning
    /// starts.
    ///
    /// Default: `100`.
    #[config(default = 100)]
    pub learning_starts: usize,
    /// When updates happen (SB3's `train_freq` and `gradient_steps`).
    ///
    /// Default: `TrainFrequency::EverySteps { every: 1, gradient_steps: 1 }`.
    #[config(default = "TrainFrequency::EverySteps { every: 1, gradient_steps: 1 }")]
    pub train_frequency: TrainFrequency,
    /// After every `target_update_interval` updates, `target <- tau * critics + (1 - tau) *
    /// target`, in (0, 1].
    ///
    /// Default: `0.005`.
    #[config(default = 0.005)]
    pub tau: f32,
    /// Updates between two Polyak steps of the target critics.
    ///
    /// Default: `1`.
    #[config(default = 1)]
    pub target_update_interval: u32,
    /// Updates between two updates of the actor (and of α): 1 updates them with the critics
    /// every time.
    ///
    /// Default: `1`.
    #[config(default = 1)]
    pub policy_delay: u32,
    /// The entropy coefficient α, learned or fixed.
    ///
    /// Default: `EntropyCoefficient::Auto { initial: 1.0 }`.
    #[config(default = "EntropyCoefficient::Auto { initial: 1.0 }")]
    pub entropy_coefficient: EntropyCoefficient,
    /// The entropy a learned α steers the policy toward; `None` is `-action_dim`.
    ///
    /// Default: `None`.
    #[config(default = "None")]
    pub target_entropy: Option<f64>,
    /// The correlation, in `[0, 1)`, of the exploring Gaussian's noise from one step to the
    /// next: `ε_t = ρ ε_(t-1) + sqrt(1 - ρ²) ξ_t`, each `ε_t` still standard normal. 0 is
    /// SAC's independent sampling; close to 1, the noise drifts over about `1 / (1 - ρ)`
    /// steps, which explores tasks whose reward needs a push held for many steps (as
    /// MountainCarContinuous-v0's), in the spirit of state-dependent or colored-noise
    /// exploration. Only the actions sent change: the updates use independent draws.
    ///
    /// Default: `0.0`.
    #[config(default = 0.0)]
    pub exploration_correlation: f64,
    /// Rewards are multiplied by this before they are stored.
    ///
    /// Default: `1.0`.
    #[config(default = 1.0)]
    pub reward_scale: f64,
    /// Normalise observations with running statistics, as DQN does (raw observations in the
    /// memory, replayed batches normalised with the current statistics).
    ///
    /// Default: `false`.
    #[config(default = false)]
    pub normalize_observations: bool,
    /// Divide replayed rewards by the running deviation of the discounted return.
    ///
    /// Default: `false`.
    #[config(default = false)]
    pub normalize_rewards: bool,
    /// Seeds the random actions, the exploration, the replay sampling and the update's noise.
    ///
    /// Default: `0`.
    #[config(default = 0)]
    pub seed: u64,
}

impl SacConfig {
    pub(crate) fn core_settings(&self) -> CoreSettings {
        CoreSettings {
            batch_size: self.batch_size,
            learning_starts: self.learning_starts,
            train_frequency: self.train_frequency,
            gamma: self.gamma,
            n_step: self.n_step,
            reward_scale: self.reward_scale,
            normalize_observations: self.normalize_observations,
            normalize_rewards: self.normalize_rewards,
            seed: self.seed,
        }
    }

    /// Checks every value, returning the first that is out of range.
    pub fn validate(&self) -> Result<(), AgentError> {
        let invalid =
            |field: &'static str, reason: String| Err(AgentError::InvalidConfig { field, reason });
        checks::gamma(self.gamma)?;
        for rate in [
            self.actor_learning_rate,
            self.critic_learning_rate,
            self.alpha_learning_rate,
        ] {
            checks::learning_rate(rate, None)?;
        }
        checks::gradient_clipping(self.max_grad_norm, None)?;
        checks::reward_scale(self.reward_scale)?;
        self.optimizer.validate()?;
        checks::replay(
            self.replay_capacity,
            self.batch_size,
            self.learning_starts,
            self.train_frequency,
        )?;
        checks::returns_and_replay(self.n_step, &self.replay)?;
        if !(self.tau > 0.0 && self.tau <= 1.0) {
            return invalid("tau", format!("must be in (0, 1], got {}", self.tau));
        }
        for (field, value) in [
            ("target_update_interval", self.target_update_interval),
            ("policy_delay", self.policy_delay),
        ] {
            if value == 0 {
                return invalid(field, "must be at least 1".into());
            }
        }
        let alpha = match self.entropy_coefficient {
            EntropyCoefficient::Auto { initial } | EntropyCoefficient::Fixed(initial) => initial,
        };
        if !(alpha.is_finite() && alpha > 0.0) {
            return invalid(
                "entropy_coefficient",
                format!("must be positive and finite, got {alpha}"),
            );
        }
        if !(0.0..1.0).contains(&self.exploration_correlation) {
            return invalid(
                "exploration_correlation",
                format!("must be in [0, 1), got {}", self.exploration_correlation),
            );
        }
        if let Some(target) = self.target_entropy
            && !target.is_finite()
        {
            return invalid("target_entropy", format!("must be finite, got {target}"));
        }
        Ok(())
    }
}
