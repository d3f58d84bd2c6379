//! Per-episode return and length.

use std::collections::VecDeque;

use super::{check_at_least_one, forward_spaces, inner_access};
use crate::env::{Environment, Step};
use crate::error::EnvError;

/// The return and length of one finished episode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpisodeSummary {
    /// The sum of the episode's rewards.
    pub episode_return: f64,
    /// The number of steps.
    pub length: usize,
    /// Whether it ended by termination (as opposed to truncation only).
    pub terminated: bool,
}

/// Records the return and length of every episode (Gymnasium's `RecordEpisodeStatistics`),
/// keeping the most recent `window` of them for running means.
#[derive(Debug, Clone)]
pub struct EpisodeStatistics<E> {
    inner: E,
    episode_return: f64,
    episode_length: usize,
    episodes: usize,
    recent: VecDeque<EpisodeSummary>,
    window: usize,
}

impl<E: Environment> EpisodeStatistics<E> {
    /// Wraps `inner`, keeping the last `window` episodes; a window of zero is an
    /// [`EnvError::InvalidConfig`].
    pub fn new(inner: E, window: usize) -> Result<Self, EnvError> {
        check_at_least_one("window", window)?;
        Ok(Self {
            inner,
            episode_return: 0.0,
            episode_length: 0,
            episodes: 0,
            recent: VecDeque::with_capacity(window),
            window,
        })
    }

    /// The most recently finished episode.
    pub fn last_episode(&self) -> Option<&EpisodeSummary> {
        self.recent.back()
    }

    /// The last `window` finished episodes, oldest first.
    pub fn recent_episodes(&self) -> impl ExactSizeIterator<Item = &EpisodeSummary> {
        self.recent.iter()
    }

    /// The mean return of the last `window` finished episodes (`None` before the first ends).
    pub fn mean_return(&self) -> Option<f64> {
        let n = self.recent.len();
        (n > 0).then(|| self.recent.iter().map(|e| e.episode_return).sum::<f64>() / n as f64)
    }

    /// The number of episodes finished since the wrapper was created.
    pub fn episodes(&self) -> usize {
        self.episodes
    }

    /// The return accumulated so far in the running episode.
    pub fn current_return(&self) -> f64 {
        self.episode_return
    }
}

inner_access!(EpisodeStatistics);

impl<E: Environment> Environment for EpisodeStatistics<E> {
    type Observation = E::Observation;
    type Action = E::Action;

    fn reset(&mut self, seed: Option<u64>) -> E::Observation {
        self.episode_return = 0.0;
        self.episode_length = 0;
        self.inner.reset(seed)
    }

    fn step(&mut self, action: E::Action) -> Result<Step<E::Observation>, EnvError> {
        let step = self.inner.step(action)?;
        self.episode_return += step.reward;
        self.episode_length += 1;
        if step.done() {
            if self.recent.len() == self.window {
                self.recent.pop_front();
            }
            self.recent.push_back(EpisodeSummary {
                episode_return: self.episode_return,
                length: self.episode_length,
                terminated: step.terminated,
            });
            self.episodes += 1;
            self.episode_return = 0.0;
            self.episode_length = 0;
        }
        Ok(step)
    }

    fn max_episode_steps(&self) -> Option<usize> {
        self.inner.max_episode_steps()
    }

    forward_spaces!();
}
