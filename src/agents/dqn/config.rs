//! DQN settings.

use burn::config::Config;
use serde::{Deserialize, Serialize};

pub use crate::agents::off_policy::TrainFrequency;
use crate::agents::{OptimizerConfig, ValueLoss, checks};
use crate::error::AgentError;
use crate::memory::{ObservationStorage, ReplayKind};
use crate::policy::{AnySchedule, Linear, Schedule};

/// How the target network follows the online network.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum TargetUpdate {
    /// Copy the online weights every this many environment steps.
    HardEverySteps(u64),
    /// Copy the online weights every this many episodes.
    HardEveryEpisodes(u64),
    /// After every gradient update, `target <- tau * online + (1 - tau) * target`.
    Polyak {
        /// The averaging rate, in (0, 1].
        tau: f32,
    },
}

/// What the exploration schedule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ScheduleUnit {
    /// Environment steps observed.
    EnvSteps,
    /// Episodes finished.
    Episodes,
}

/// Settings of a [`Dqn`](super::Dqn) agent, validated when the agent is built.
///
/// The defaults are tuned to solve CartPole-v1 (mean return of 100 training episodes at 475)
/// reliably with a 4-128-128-2 MLP: double DQN, Polyak-averaged target (tau 0.005), Huber
/// loss on rewards scaled by 1/100, one update of 64 transitions every 2 steps, a learning
/// rate decaying from 5e-4 to 5e-5 over 150 000 steps, epsilon from 1 to 0.01 over 10 000
/// steps. [`DqnPreset`](super::DqnPreset) holds the reference tutorials' settings.
///
/// ```
/// use cinder_rl::agents::{DqnConfig, ValueLoss};
/// use cinder_rl::agents::dqn::TargetUpdate;
///
/// let config = DqnConfig::new()
///     .with_gamma(0.98)
///     .with_loss(ValueLoss::Mse)
///     .with_target_update(TargetUpdate::Polyak { tau: 0.005 });
/// assert_eq!(config.gamma, 0.98);
/// ```
#[derive(Config, Debug)]
pub struct DqnConfig {
    /// Discount factor, in [0, 1].
    ///
    /// Default: `0.99`.
    #[config(default = 0.99)]
    pub gamma: f64,
    /// Learning rate.
    ///
    /// Default: `5e-4`.
    #[config(default = 5e-4)]
    pub learning_rate: f64,
    /// When set, the learning rate as a function of the environment steps observed, in place
    /// of the constant [`learning_rate`](Self::learning_rate) (e.g. a linear decay). The
    /// default decays linearly from 5e-4 to 5e-5 over 150 000 steps.
    ///
    /// Default: `Some(AnySchedule::Linear(Linear::from_parts(5e-4, 5e-5, 150_000)))`.
    #[config(default = "Some(AnySchedule::Linear(Linear::from_parts(5e-4, 5e-5, 150_000)))")]
    pub learning_rate_schedule: Option<AnySchedule>,
    /// The optimizer.
    ///
    /// Default: `OptimizerConfig::adam()`.
    #[config(default = "OptimizerConfig::adam()")]
    pub optimizer: OptimizerConfig,
    /// The TD-error loss.
    ///
    /// Default: `ValueLoss::Huber`.
    #[config(default = "ValueLoss::Huber")]
    pub loss: ValueLoss,
    /// Clip the global gradient norm to this value.
    ///
    /// Default: `Some(10.0)`.
    #[config(default = "Some(10.0)")]
    pub max_grad_norm: Option<f32>,
    /// Clamp every gradient component to `[-v, v]` (the pixel tutorial's `clamp_(-1, 1)`).
    ///
    /// Default: `None`.
    #[config(default = "None")]
    pub clip_grad_value: Option<f32>,
    /// Replay memory capacity.
    ///
    /// Default: `200_000`.
    #[config(default = 200_000)]
    pub replay_capacity: usize,
    /// The replay memory: uniform sampling, or prioritized replay with its settings.
    ///
    /// Default: `ReplayKind::Uniform`.
    #[config(default = "ReplayKind::Uniform")]
    pub replay: ReplayKind,
    /// How the replay memory keeps observations ([`ObservationStorage::U8`] for pictures).
    ///
    /// Default: `ObservationStorage::F32`.
    #[config(default = "ObservationStorage::F32")]
    pub observation_storage: ObservationStorage,
    /// Transitions per gradient update.
    ///
    /// Default: `64`.
    #[config(default = 64)]
    pub batch_size: usize,
    /// Transitions stored before learning starts.
    ///
    /// Default: `1_000`.
    #[config(default = 1_000)]
    pub learning_starts: usize,
    /// When updates happen.
    ///
    /// Default: `TrainFrequency::EverySteps { every: 2, gradient_steps: 1 }`.
    #[config(default = "TrainFrequency::EverySteps { every: 2, gradient_steps: 1 }")]
    pub train_frequency: TrainFrequency,
    /// How the target network follows the online one.
    ///
    /// Default: `TargetUpdate::Polyak { tau: 0.005 }`.
    #[config(default = "TargetUpdate::Polyak { tau: 0.005 }")]
    pub target_update: TargetUpdate,
    /// The steps each stored return sums (multi-step learning, as in Rainbow): the replay
    /// memory receives `(s_t, a_t, r_t + γ r_{t+1} + ... + γ^{n-1} r_{t+n-1}, s_{t+n})` and the
    /// target bootstraps with `γ^n`; an episode's last transitions sum the steps that remain
    /// (a termination does not bootstrap, a truncation bootstraps from the real final
    /// observation). 1 is one-step Q-learning. More than 1 needs a memory that stores
    /// per-transition discounts (the crate's do).
    ///
    /// Default: `1`.
    #[config(default = 1)]
    pub n_step: usize,
    /// Double DQN: the online network picks the next action, the target network values it.
    ///
    /// Default: `true`.
    #[config(default = true)]
    pub double_dqn: bool,
    /// The exploration rate epsilon as a function of [`exploration_unit`](Self::exploration_unit).
    ///
    /// Default: `AnySchedule::Linear(Linear::from_parts(1.0, 0.01, 10_000))`.
    #[config(default = "AnySchedule::Linear(Linear::from_parts(1.0, 0.01, 10_000))")]
    pub exploration: AnySchedule,
    /// What the exploration schedule counts.
    ///
    /// Default: `ScheduleUnit::EnvSteps`.
    #[config(default = "ScheduleUnit::EnvSteps")]
    pub exploration_unit: ScheduleUnit,
    /// Rewards are multiplied by this before they are stored (the minimal tutorial's 1/100,
    /// also the default: it keeps CartPole's Q-values near 1).
    ///
    /// Default: `0.01`.
    #[config(default = 0.01)]
    pub reward_scale: f64,
    /// Normalise observations with running statistics of the observations acted on, as
    /// Stable-Baselines3's `VecNormalize` does with a replay buffer: the memory keeps the raw
    /// observations and replayed batches are normalised with the current statistics (saved
    /// with the agent, frozen while evaluating).
    ///
    /// Default: `false`.
    #[config(default = false)]
    pub normalize_observations: bool,
    /// Divide replayed rewards (after `reward_scale`) by the running standard deviation of the
    /// discounted return of each environment copy, clipped to ±10, as `VecNormalize` does.
    ///
    /// Default: `false`.
    #[config(default = false)]
    pub normalize_rewards: bool,
    /// Compute the gradient updates on the host when the network allows it: an MLP or a
    /// dueling network over an MLP torso (any network whose
    /// [`host_layout`](crate::nn::QNetwork::host_layout) describes it), trained with Adam on
    /// a CPU device. The update is the same (target, loss, clipping, Adam, Polyak), its
    /// arithmetic written out over the parameters instead of run as dozens of framework
    /// operations: two to three times faster for the small networks DQN usually trains. Its
    /// sums run in another order than the framework's, so results differ from `false`'s in
    /// the last bits, and so do runs that follow them. Checkpoints are the same either way.
    /// `false` keeps every update in the framework.
    ///
    /// Default: `true`.
    #[config(default = true)]
    pub host_updates: bool,
    /// Threads that compute each host update (see [`host_updates`](Self::host_updates)): 1
    /// or 2. With 2, a helper thread computes the target network's forward pass while the
    /// training thread computes the online network's: the same numbers, sooner, when the
    /// machine has a second core to spare. Between updates the helper waits spinning, up to a
    /// millisecond before it sleeps, so that handing it work costs no wake-up; while training
    /// runs it keeps that second core busy. Framework updates ignore it (the backend has its
    /// own threads).
    ///
    /// Default: `1`.
    #[config(default = 1)]
    pub update_threads: usize,
    /// Seeds exploration and replay sampling.
    ///
    /// Default: `0`.
    #[config(default = 0)]
    pub seed: u64,
}

impl DqnConfig {
    /// Checks every value, returning the first that is out of range.
    pub fn validate(&self) -> Result<(), AgentError> {
        let invalid =
            |field: &'static str, reason: String| Err(AgentError::InvalidConfig { field, reason });
        checks::gamma(self.gamma)?;
        checks::learning_rate(self.learning_rate, self.learning_rate_schedule.as_ref())?;
        checks::gradient_clipping(self.max_grad_norm, self.clip_grad_value)?;
        checks::reward_scale(self.reward_scale)?;
        checks::returns_and_replay(self.n_step, &self.replay)?;
        self.optimizer.validate()?;
        checks::replay(
            self.replay_capacity,
            self.batch_size,
            self.learning_starts,
            self.train_frequency,
        )?;
        match self.target_update {
            TargetUpdate::HardEverySteps(0) | TargetUpdate::HardEveryEpisodes(0) => {
                return invalid(
                    "target_update",
                    "the copy interval must be at least 1".into(),
                );
            }
            TargetUpdate::Polyak { tau } if !(tau > 0.0 && tau <= 1.0) => {
                return invalid("target_update", format!("tau must be in (0, 1], got {tau}"));
            }
            _ => {}
        }
        if !(1..=2).contains(&self.update_threads) {
            return invalid(
                "update_threads",
                format!("must be 1 or 2, got {}", self.update_threads),
            );
        }
        checks::exploration(&self.exploration)
    }

    /// The learning rate after `env_steps` observed transitions.
    pub fn learning_rate_at(&self, env_steps: u64) -> f64 {
        self.learning_rate_schedule
            .map_or(self.learning_rate, |schedule| schedule.value(env_steps))
    }
}
