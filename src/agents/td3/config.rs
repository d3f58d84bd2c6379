//! TD3 settings.

use burn::config::Config;

use crate::agents::continuous::CoreSettings;
use crate::agents::off_policy::TrainFrequency;
use crate::agents::{OptimizerConfig, checks};
use crate::error::AgentError;
use crate::memory::ReplayKind;
use crate::policy::{AnySchedule, Constant, Schedule};

/// Settings of a [`Td3`](super::Td3) agent, validated when the agent is built.
///
/// The defaults are Stable-Baselines3's TD3 defaults (its `td3.py`, version 2.x) with the
/// exploration noise rl-baselines3-zoo adds (a Gaussian of standard deviation 0.1 in the
/// actor's `[-1, 1]` units; SB3 itself adds none): Adam at 1e-3 for the actor and the twin
/// critics, batches of 256, 100 random steps, then one update per environment step once the
/// memory holds a batch, tau 0.005, the actor and the targets updated every second update, target actions smoothed by
/// a Gaussian of 0.2 clipped to ±0.5.
///
/// ```
/// use cinder_rl::agents::Td3Config;
/// use cinder_rl::policy::{AnySchedule, Linear};
///
/// // Exploration noise decaying from 0.3 to 0.05 over the first 50 000 steps.
/// let noise = AnySchedule::Linear(Linear::new(0.3, 0.05, 50_000)?);
/// let config = Td3Config::new().with_exploration_noise(noise);
/// assert!(config.validate().is_ok());
/// # Ok::<(), cinder_rl::error::PolicyError>(())
/// ```
#[derive(Config, Debug)]
pub struct Td3Config {
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
    /// The optimizer of the actor and of the critics (each has its own moments).
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
    /// The Polyak rate of the target actor and critics, in (0, 1].
    ///
    /// Default: `0.005`.
    #[config(default = 0.005)]
    pub tau: f32,
    /// The actor and the targets are updated once every `policy_delay` critic updates.
    ///
    /// Default: `2`.
    #[config(default = 2)]
    pub policy_delay: u32,
    /// The standard deviation of the Gaussian noise on the target actor's actions (target
    /// policy smoothing), in `[-1, 1]` units.
    ///
    /// Default: `0.2`.
    #[config(default = 0.2)]
    pub target_policy_noise: f64,
    /// The target smoothing noise is clipped to `±target_noise_clip`.
    ///
    /// Default: `0.5`.
    #[config(default = 0.5)]
    pub target_noise_clip: f64,
    /// The standard deviation of the Gaussian exploration noise, in `[-1, 1]` units, as a
    /// function of the environment steps observed (constant, or decaying).
    ///
    /// Default: `AnySchedule::Constant(Constant::new(0.1).unwrap())`.
    #[config(default = "AnySchedule::Constant(Constant::new(0.1).unwrap())")]
    pub exploration_noise: AnySchedule,
    /// Rewards are multiplied by this before they are stored.
    ///
    /// Default: `1.0`.
    #[config(default = 1.0)]
    pub reward_scale: f64,
    /// Normalise observations with running statistics (raw observations in the memory,
    /// replayed batches normalised with the current statistics).
    ///
    /// Default: `false`.
    #[config(default = false)]
    pub normalize_observations: bool,
    /// Divide replayed rewards by the running deviation of the discounted return.
    ///
    /// Default: `false`.
    #[config(default = false)]
    pub normalize_rewards: bool,
    /// Seeds the random actions, the exploration noise, the replay sampling and the target
    /// smoothing noise.
    ///
    /// Default: `0`.
    #[config(default = 0)]
    pub seed: u64,
}

impl Td3Config {
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
        checks::learning_rate(self.actor_learning_rate, None)?;
        checks::learning_rate(self.critic_learning_rate, None)?;
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
        if self.policy_delay == 0 {
            return invalid("policy_delay", "must be at least 1".into());
        }
        checks::coefficients(&[
            ("target_policy_noise", self.target_policy_noise),
            ("target_noise_clip", self.target_noise_clip),
        ])?;
        for step in [0, u64::MAX] {
            let std = self.exploration_noise.value(step);
            if !(std.is_finite() && std >= 0.0) {
                return invalid(
                    "exploration_noise",
                    format!("must stay finite and non-negative, is {std} at step {step}"),
                );
            }
        }
        Ok(())
    }
}
