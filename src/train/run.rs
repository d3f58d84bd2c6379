//! The bookkeeping one training run shares between its single- and multi-environment loops.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{EpisodeRecord, StopTracker, TrainConfig, TrainSummary, evaluate, progress};
use crate::agent::{Agent, Learned};
use crate::env::Environment;
use crate::error::Error;
use crate::rng::derive_seed;

/// A callback run once before the first step; an error stops the run.
pub(super) type StartHook<'a> = Box<dyn FnMut(&TrainSummary) -> Result<(), Error> + 'a>;

/// A callback run after every finished episode; an error stops the run.
pub(super) type EpisodeHook<'a> = Box<dyn FnMut(&EpisodeRecord) -> Result<(), Error> + 'a>;

/// Means of what the agent reported since the last finished episode.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct UpdateStats {
    loss_sum: f64,
    loss_count: u64,
    entropy_sum: f64,
    entropy_count: u64,
    epsilon: Option<f64>,
    /// `(name, sum, count)` of the further metrics (absent from checkpoints of earlier
    /// versions).
    #[serde(default)]
    metrics: Vec<(String, f64, u64)>,
}

impl UpdateStats {
    fn add(&mut self, learned: &Learned) {
        for (name, value) in learned.metrics.iter() {
            match self.metrics.iter_mut().find(|(n, _, _)| n == name) {
                Some((_, sum, count)) => {
                    *sum += value;
                    *count += 1;
                }
                None => self.metrics.push((name.to_string(), value, 1)),
            }
        }
        if let Some(loss) = learned.loss {
            let weight = u64::from(learned.updates.max(1));
            self.loss_sum += f64::from(loss) * weight as f64;
            self.loss_count += weight;
        }
        if let Some(entropy) = learned.entropy {
            self.entropy_sum += f64::from(entropy);
            self.entropy_count += 1;
        }
        self.epsilon = learned.epsilon.or(self.epsilon);
    }

    fn mean(sum: f64, count: u64) -> Option<f32> {
        (count > 0).then(|| (sum / count as f64) as f32)
    }

    /// The means of the further metrics.
    fn metric_means(&self) -> Vec<(String, f64)> {
        self.metrics
            .iter()
            .map(|(name, sum, count)| (name.clone(), sum / *count as f64))
            .collect()
    }
}

/// The run's bookkeeping as a checkpoint stores it.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct RunState {
    summary: TrainSummary,
    wall_s: f64,
    tracker: StopTracker,
    stats: UpdateStats,
}

impl RunState {
    /// The counters when the state was taken.
    pub(super) fn summary(&self) -> &TrainSummary {
        &self.summary
    }
}

/// Counters, stop rule, hooks, evaluations and progress of one run.
pub(super) struct Run<'c> {
    config: &'c TrainConfig,
    env_threshold: Option<f64>,
    start: Instant,
    /// Seconds run before a resume.
    earlier_s: f64,
    tracker: StopTracker,
    stats: UpdateStats,
    eval_seed: u64,
    pub(super) summary: TrainSummary,
}

impl<'c> Run<'c> {
    pub(super) fn new(config: &'c TrainConfig, env_threshold: Option<f64>) -> Result<Self, Error> {
        config.validate()?;
        Ok(Self {
            config,
            env_threshold,
            start: Instant::now(),
            earlier_s: 0.0,
            tracker: StopTracker::new(config.stop, env_threshold),
            stats: UpdateStats::default(),
            eval_seed: derive_seed(config.seed, 1),
            summary: TrainSummary {
                algorithm: config.algorithm.clone(),
                env: config.env_name.clone(),
                seed: config.seed,
                solved: false,
                episodes: 0,
                env_steps: 0,
                updates: 0,
                wall_s: 0.0,
                mean_return_100: None,
                eval_mean_return: None,
                solved_at_env_steps: None,
                solved_at_wall_s: None,
                metrics: Default::default(),
            },
        })
    }

    /// Seconds since the run started, earlier sessions of a resumed run included.
    fn wall_s(&self) -> f64 {
        self.earlier_s + self.start.elapsed().as_secs_f64()
    }

    /// What a checkpoint needs of the run's bookkeeping.
    pub(super) fn state(&self) -> RunState {
        RunState {
            summary: self.summary.clone(),
            wall_s: self.wall_s(),
            tracker: self.tracker.clone(),
            stats: self.stats.clone(),
        }
    }

    /// Continues from a checkpoint's bookkeeping. The stop rule is this run's (which may
    /// differ from the saved run's), applied to the returns the checkpoint kept.
    pub(super) fn restore(&mut self, state: RunState) {
        self.summary = state.summary;
        self.earlier_s = state.wall_s;
        self.start = Instant::now();
        self.tracker = StopTracker::continued(self.config.stop, self.env_threshold, &state.tracker);
        self.stats = state.stats;
    }

    /// Whether the run goes on for another `steps` environment steps: budgets left and the
    /// stop rule not met (a resumed run may have met it already), unless meeting it does not
    /// end the run.
    pub(super) fn continues(&self, steps: u64) -> bool {
        let stopped = self.config.stop_when_solved && self.tracker.is_met();
        self.episodes_left() && self.steps_left(steps) && !stopped
    }

    /// The seed of the training environment's first reset.
    pub(super) fn env_seed(&self) -> u64 {
        derive_seed(self.config.seed, 0)
    }

    /// Whether another `steps` environment steps fit the step budget.
    pub(super) fn steps_left(&self, steps: u64) -> bool {
        self.summary.env_steps + steps <= self.config.max_env_steps.unwrap_or(u64::MAX)
    }

    /// Whether the episode budget allows another episode.
    pub(super) fn episodes_left(&self) -> bool {
        self.summary.episodes < self.config.max_episodes.unwrap_or(u64::MAX)
    }

    /// Counts what the agent learned.
    pub(super) fn learned(&mut self, learned: &Learned) {
        self.summary.updates += u64::from(learned.updates);
        self.stats.add(learned);
    }

    /// What the agent reported since the last episodes ended, for the episodes ending now
    /// (all the episodes that end in one step of N copies share it); the exploration rate stays
    /// in force.
    pub(super) fn take_stats(&mut self) -> UpdateStats {
        let stats = std::mem::take(&mut self.stats);
        self.stats.epsilon = stats.epsilon;
        stats
    }

    /// Records a finished episode, with `stats` from [`take_stats`](Self::take_stats): hooks,
    /// stop rule, periodic evaluation, progress. Returns whether the run ends here: the stop
    /// rule is met and meeting it ends the run.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn episode_end<E, A>(
        &mut self,
        episode_return: f64,
        length: u64,
        stats: &UpdateStats,
        hooks: &mut [EpisodeHook<'_>],
        agent: &mut A,
        eval_env: &mut E,
    ) -> Result<bool, Error>
    where
        E: Environment,
        A: Agent<E::Observation, E::Action>,
    {
        self.summary.episodes += 1;
        let record = EpisodeRecord {
            episode: self.summary.episodes,
            env_steps: self.summary.env_steps,
            episode_return,
            length,
            epsilon: stats.epsilon,
            entropy: UpdateStats::mean(stats.entropy_sum, stats.entropy_count),
            mean_loss: UpdateStats::mean(stats.loss_sum, stats.loss_count),
            updates: self.summary.updates,
            wall_s: self.wall_s(),
            metrics: stats.metric_means(),
        };
        if !record.metrics.is_empty() {
            self.summary.metrics = record.metrics.iter().cloned().collect();
        }
        let solved = self.tracker.push(episode_return);
        for hook in hooks.iter_mut() {
            hook(&record)?;
        }
        let config = self.config;
        let eval = match config.eval_every_episodes {
            Some(every) if record.episode.is_multiple_of(every) => {
                Some(evaluate(agent, eval_env, config.eval_episodes, self.eval_seed)?.mean_return())
            }
            _ => None,
        };
        let log_due = config.log_every_episodes > 0
            && record.episode.is_multiple_of(config.log_every_episodes);
        let first_solve = solved && !self.summary.solved;
        if log_due || (first_solve && config.log_every_episodes > 0) {
            progress::report(&record, self.tracker.mean_return(), eval);
        }
        if first_solve {
            self.summary.solved = true;
            self.summary.solved_at_env_steps = Some(self.summary.env_steps);
            self.summary.solved_at_wall_s = Some(record.wall_s);
        }
        Ok(solved && config.stop_when_solved)
    }

    /// Closes the run: wall time, recent mean, final greedy evaluation.
    pub(super) fn finish<E, A>(
        mut self,
        agent: &mut A,
        eval_env: &mut E,
    ) -> Result<TrainSummary, Error>
    where
        E: Environment,
        A: Agent<E::Observation, E::Action>,
    {
        self.summary.wall_s = self.wall_s();
        self.summary.mean_return_100 = self.tracker.mean_return();
        if self.config.eval_episodes > 0 {
            let evaluation = evaluate(agent, eval_env, self.config.eval_episodes, self.eval_seed)?;
            self.summary.eval_mean_return = Some(evaluation.mean_return());
        }
        Ok(self.summary)
    }
}
