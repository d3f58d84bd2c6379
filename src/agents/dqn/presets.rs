//! Ready-made DQN settings: the reference tutorials' and the tuned default.

use super::{DqnConfig, ScheduleUnit, TargetUpdate, TrainFrequency};
use crate::agents::{OptimizerConfig, ValueLoss};
use crate::memory::{PrioritizedConfig, ReplayKind};
use crate::policy::{AnySchedule, Inverse, Linear};

/// A named DQN configuration with the hidden widths of the MLP it was made for.
#[derive(Debug, Clone)]
pub struct DqnPreset {
    /// The name (`tuned`, `minimal`, `brain`).
    pub name: &'static str,
    /// What it reproduces.
    pub description: &'static str,
    /// The agent settings.
    pub config: DqnConfig,
    /// The hidden layer widths of the Q-network MLP.
    pub hidden: Vec<usize>,
    /// Whether the Q-network is a dueling one ([`DuelingConfig`](crate::nn::DuelingConfig)):
    /// the hidden widths are the shared torso, and each stream one linear layer over it.
    pub dueling: bool,
}

impl DqnPreset {
    /// Every preset.
    pub fn all() -> Vec<DqnPreset> {
        vec![
            Self::tuned(),
            Self::minimal(),
            Self::brain(),
            Self::sb3(),
            Self::rainbow(),
        ]
    }

    /// The preset called `name`.
    ///
    /// ```
    /// use cinder_rl::agents::dqn::DqnPreset;
    ///
    /// let minimal = DqnPreset::named("minimal").unwrap();
    /// assert_eq!(minimal.config.gamma, 0.98);
    /// assert_eq!(minimal.hidden, [128, 128]);
    /// assert!(DqnPreset::named("nope").is_none());
    /// ```
    pub fn named(name: &str) -> Option<DqnPreset> {
        Self::all().into_iter().find(|p| p.name == name)
    }

    /// The default: [`DqnConfig::new`] with a 128-128 MLP, tuned to solve CartPole-v1 fast.
    pub fn tuned() -> Self {
        Self {
            name: "tuned",
            description: "the default, tuned to solve CartPole-v1 fast and reliably",
            config: DqnConfig::new(),
            hidden: vec![128, 128],
            dueling: false,
        }
    }

    /// The minimal DQN tutorial: 4-128-128-2, Adam 5e-4, gamma 0.98, batch 32, buffer 50 000,
    /// learning once the buffer holds more than 2000, 10 updates after each episode, target
    /// copied every 20 episodes, epsilon 0.08 -> 0.01 linearly over 1400 episodes, reward/100,
    /// smooth-L1 loss, no gradient clipping.
    pub fn minimal() -> Self {
        Self {
            name: "minimal",
            description: "the minimal DQN tutorial (CartPole-v1, 10 updates per episode)",
            config: DqnConfig::new()
                .with_gamma(0.98)
                .with_learning_rate(5e-4)
                .with_learning_rate_schedule(None)
                .with_optimizer(OptimizerConfig::adam())
                .with_loss(ValueLoss::Huber)
                .with_max_grad_norm(None)
                .with_replay_capacity(50_000)
                .with_batch_size(32)
                .with_learning_starts(2001)
                .with_train_frequency(TrainFrequency::AfterEpisode { gradient_steps: 10 })
                .with_target_update(TargetUpdate::HardEveryEpisodes(20))
                .with_double_dqn(false)
                .with_exploration(AnySchedule::Linear(Linear::from_parts(0.08, 0.01, 1400)))
                .with_exploration_unit(ScheduleUnit::Episodes)
                .with_reward_scale(0.01),
            hidden: vec![128, 128],
            dueling: false,
        }
    }

    /// The brain/agent/environment tutorial: 4-32-32-2, Adam 1e-4, gamma 0.99, batch 32,
    /// memory 10 000, one update per step from the first full batch, no separate target
    /// network (the target is the online network of the step before), epsilon
    /// 0.5 / (episode + 1), smooth-L1 loss. The tutorial's reward shaping (-1 for a fall before
    /// step 160, +1 otherwise, 0 per step) and its "10 successes in a row" stop rule belong to
    /// the environment and the training loop; the `cartpole_dqn` example applies them.
    pub fn brain() -> Self {
        Self {
            name: "brain",
            description: "the brain/agent/environment tutorial (CartPole-v0, shaped reward, 10 successes in a row)",
            config: DqnConfig::new()
                .with_gamma(0.99)
                .with_learning_rate(1e-4)
                .with_learning_rate_schedule(None)
                .with_optimizer(OptimizerConfig::adam())
                .with_loss(ValueLoss::Huber)
                .with_max_grad_norm(None)
                .with_replay_capacity(10_000)
                .with_batch_size(32)
                .with_learning_starts(32)
                .with_train_frequency(TrainFrequency::EverySteps {
                    every: 1,
                    gradient_steps: 1,
                })
                .with_target_update(TargetUpdate::HardEverySteps(1))
                .with_double_dqn(false)
                .with_exploration(AnySchedule::Inverse(Inverse::from_parts(0.5)))
                .with_exploration_unit(ScheduleUnit::Episodes)
                .with_reward_scale(1.0),
            hidden: vec![32, 32],
            dueling: false,
        }
    }

    /// Stable-Baselines3's DQN defaults (its `DQN` class, version 2): 64-64 MLP, Adam 1e-4
    /// (constant), gamma 0.99, batch 32, buffer 1 000 000, learning from 100 transitions, one
    /// update every 4 steps, the target copied every 10 000 steps, epsilon 1.0 -> 0.05
    /// linearly over the first 100 000 steps (SB3: 10% of the run, here of a 1 000 000-step
    /// run), smooth-L1 loss, gradient norm clipped to 10, no double DQN, no reward scaling.
    /// The base that rl-baselines3-zoo's per-environment settings change.
    pub fn sb3() -> Self {
        Self {
            name: "sb3",
            description: "Stable-Baselines3's DQN defaults",
            config: DqnConfig::new()
                .with_gamma(0.99)
                .with_learning_rate(1e-4)
                .with_learning_rate_schedule(None)
                .with_optimizer(OptimizerConfig::adam())
                .with_loss(ValueLoss::Huber)
                .with_max_grad_norm(Some(10.0))
                .with_replay_capacity(1_000_000)
                .with_batch_size(32)
                .with_learning_starts(100)
                .with_train_frequency(TrainFrequency::EverySteps {
                    every: 4,
                    gradient_steps: 1,
                })
                .with_target_update(TargetUpdate::HardEverySteps(10_000))
                .with_double_dqn(false)
                .with_exploration(AnySchedule::Linear(Linear::from_parts(1.0, 0.05, 100_000)))
                .with_exploration_unit(ScheduleUnit::EnvSteps)
                .with_reward_scale(1.0),
            hidden: vec![64, 64],
            dueling: false,
        }
    }

    /// The extensions of Rainbow (Hessel et al. 2018) that need no change of the network's
    /// output, on the tuned default: double DQN, 3-step returns, a dueling network (a shared
    /// 128-128 torso, a linear layer for each stream) and proportional prioritized replay
    /// (alpha 0.6, beta 0.4 -> 1 over 100 000 transitions: Schaul et al.'s proportional
    /// settings), with one update per environment step (twice the tuned default's rate: on
    /// CartPole-v1 it halves the steps to solve) and the learning rate decaying from 5e-4 to
    /// 5e-5 over 50 000 steps instead of 150 000 (which keeps a solved policy from relapsing).
    /// No noisy networks or distributional head: epsilon-greedy exploration and expected
    /// values.
    pub fn rainbow() -> Self {
        Self {
            name: "rainbow",
            description: "double DQN with 3-step returns, a dueling network and prioritized replay",
            config: DqnConfig::new()
                .with_n_step(3)
                .with_replay(ReplayKind::Prioritized(PrioritizedConfig::default()))
                .with_train_frequency(TrainFrequency::EverySteps {
                    every: 1,
                    gradient_steps: 1,
                })
                .with_learning_rate_schedule(Some(AnySchedule::Linear(Linear::from_parts(
                    5e-4, 5e-5, 50_000,
                )))),
            hidden: vec![128, 128],
            dueling: true,
        }
    }
}
