//! What a training run does: budget, stop rule, evaluation, progress.

use crate::error::AgentError;

/// The largest window of a [`StopRule`] (episodes averaged, or successes in a row).
pub const MAX_WINDOW: usize = 1_000_000;

/// The most episodes one evaluation may play ([`TrainConfig::eval_episodes`]).
pub const MAX_EVAL_EPISODES: usize = 1_000_000;

/// When a run counts as solved and stops.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum StopRule {
    /// Run the whole budget.
    Never,
    /// The mean return of the last `window` training episodes reaches `threshold` (`None`:
    /// the environment's own reward threshold, 475 for CartPole-v1). Gymnasium's definition
    /// of solved, with `window` 100.
    MeanReturn {
        /// How many recent episodes the mean is over.
        window: usize,
        /// The return to reach; `None` for the environment's threshold.
        threshold: Option<f64>,
    },
    /// `count` training episodes in a row each return at least `threshold` (`None`: the
    /// environment's reward threshold): the "10 successful episodes in a row" rule.
    ConsecutiveSuccesses {
        /// How many successes in a row.
        count: usize,
        /// The return an episode needs to count as a success; `None` for the environment's
        /// threshold.
        threshold: Option<f64>,
    },
}

impl StopRule {
    /// Gymnasium's solved criterion: the mean return of the last 100 episodes reaches the
    /// environment's threshold.
    pub fn solved() -> Self {
        StopRule::MeanReturn {
            window: 100,
            threshold: None,
        }
    }
}

/// Settings of a training run, built like Burn's configs.
///
/// ```
/// use cinder_rl::train::{StopRule, TrainConfig};
///
/// let config = TrainConfig::new(7)
///     .with_max_env_steps(Some(100_000))
///     .with_stop(StopRule::solved())
///     .with_eval_every_episodes(Some(50));
/// assert_eq!(config.seed, 7);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainConfig {
    /// Seeds the training environment (and, derived, the evaluation environment).
    pub seed: u64,
    /// Stop after this many environment steps.
    pub max_env_steps: Option<u64>,
    /// Stop after this many episodes.
    pub max_episodes: Option<u64>,
    /// When the run counts as solved (and stops early, unless
    /// [`stop_when_solved`](Self::stop_when_solved) is off).
    pub stop: StopRule,
    /// Whether meeting the stop rule ends the run (the default); when off, the run trains
    /// its whole budget and the summary still says when the rule was first met.
    #[serde(default = "yes")]
    pub stop_when_solved: bool,
    /// Run a greedy evaluation every this many training episodes.
    pub eval_every_episodes: Option<u64>,
    /// Episodes per greedy evaluation (periodic and final), at most [`MAX_EVAL_EPISODES`].
    pub eval_episodes: usize,
    /// Print a progress line to stderr every this many episodes (0: never).
    pub log_every_episodes: u64,
    /// The algorithm's name, for the summary.
    pub algorithm: String,
    /// The environment's name, for the summary.
    pub env_name: String,
}

/// Serde's default for [`TrainConfig::stop_when_solved`] in settings saved before it existed.
fn yes() -> bool {
    true
}

impl TrainConfig {
    /// A run seeded with `seed`: at most 100 000 steps, stopping when solved, evaluating 10
    /// episodes at the end, a progress line every 20 episodes.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            max_env_steps: Some(100_000),
            max_episodes: None,
            stop: StopRule::solved(),
            stop_when_solved: true,
            eval_every_episodes: None,
            eval_episodes: 10,
            log_every_episodes: 20,
            algorithm: String::new(),
            env_name: String::new(),
        }
    }

    /// Sets the step budget.
    pub fn with_max_env_steps(mut self, max_env_steps: Option<u64>) -> Self {
        self.max_env_steps = max_env_steps;
        self
    }

    /// Sets the episode budget.
    pub fn with_max_episodes(mut self, max_episodes: Option<u64>) -> Self {
        self.max_episodes = max_episodes;
        self
    }

    /// Sets the stop rule.
    pub fn with_stop(mut self, stop: StopRule) -> Self {
        self.stop = stop;
        self
    }

    /// Sets whether meeting the stop rule ends the run (`false`: train the whole budget,
    /// still recording when the rule was first met).
    pub fn with_stop_when_solved(mut self, stop_when_solved: bool) -> Self {
        self.stop_when_solved = stop_when_solved;
        self
    }

    /// Sets how often to evaluate greedily during training.
    pub fn with_eval_every_episodes(mut self, every: Option<u64>) -> Self {
        self.eval_every_episodes = every;
        self
    }

    /// Sets the episodes per evaluation.
    pub fn with_eval_episodes(mut self, episodes: usize) -> Self {
        self.eval_episodes = episodes;
        self
    }

    /// Sets the progress interval (0: silent).
    pub fn with_log_every_episodes(mut self, every: u64) -> Self {
        self.log_every_episodes = every;
        self
    }

    /// Names the algorithm and environment in the summary.
    pub fn with_names(mut self, algorithm: impl Into<String>, env_name: impl Into<String>) -> Self {
        self.algorithm = algorithm.into();
        self.env_name = env_name.into();
        self
    }

    pub(crate) fn validate(&self) -> Result<(), AgentError> {
        let invalid = |field, reason: &str| {
            Err(AgentError::InvalidConfig {
                field,
                reason: reason.into(),
            })
        };
        if self.max_env_steps.is_none()
            && self.max_episodes.is_none()
            && (self.stop == StopRule::Never || !self.stop_when_solved)
        {
            return invalid(
                "max_env_steps",
                "a run needs a step budget, an episode budget or a stop rule",
            );
        }
        let limit = |field, value: usize| {
            if (1..=MAX_WINDOW).contains(&value) {
                Ok(())
            } else {
                Err(AgentError::InvalidConfig {
                    field,
                    reason: format!("must be in 1..={MAX_WINDOW}, got {value}"),
                })
            }
        };
        match self.stop {
            StopRule::MeanReturn { window, .. } => limit("stop.window", window)?,
            StopRule::ConsecutiveSuccesses { count, .. } => limit("stop.count", count)?,
            StopRule::Never => {}
        }
        if self.eval_episodes > MAX_EVAL_EPISODES {
            return Err(AgentError::InvalidConfig {
                field: "eval_episodes",
                reason: format!(
                    "must be at most {MAX_EVAL_EPISODES}, got {}",
                    self.eval_episodes
                ),
            });
        }
        match self.eval_every_episodes {
            Some(0) => invalid("eval_every_episodes", "must be at least 1"),
            _ => Ok(()),
        }
    }
}
