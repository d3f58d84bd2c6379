//! The observation and reward normalisation of an agent: running statistics kept (and saved)
//! by the agent, so that the networks see values of unit scale whatever the environment's
//! units, and an evaluation environment cannot drift from them.

use std::borrow::Cow;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::agents::file::format_error;
use crate::agents::normalize::{ObservationNormalizer, RewardNormalizer};
use crate::archive::Archive;
use crate::error::AgentError;
use crate::memory::Batch;

/// The agent file's entry for the observation statistics.
const OBSERVATION_STATS: &str = "observation-normalizer";

/// Which normalisations an agent applies, with their statistics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Normalization {
    /// Observations, normalised by their running mean and deviation (updated with the
    /// observations acted on while training, never while evaluating).
    #[serde(default)]
    pub observations: Option<ObservationNormalizer>,
    /// Rewards, divided by the running deviation of the discounted return.
    #[serde(default)]
    pub rewards: Option<RewardNormalizer>,
}

impl Normalization {
    /// The normalisations asked for, for `obs_dim`-long observations of `copies`
    /// environments discounted by `gamma`.
    pub fn new(
        obs_dim: usize,
        copies: usize,
        gamma: f64,
        observations: bool,
        rewards: bool,
    ) -> Self {
        Self {
            observations: observations.then(|| ObservationNormalizer::new(obs_dim)),
            rewards: rewards.then(|| RewardNormalizer::new(copies, gamma)),
        }
    }

    /// The observations as the networks see them, into `out`.
    pub fn input(&self, observations: &[f32], out: &mut Vec<f32>) -> Result<(), AgentError> {
        match &self.observations {
            Some(normalizer) => normalizer.normalize_into(observations, out),
            None => {
                out.clear();
                out.extend_from_slice(observations);
                Ok(())
            }
        }
    }

    /// Whether anything is normalised.
    pub fn is_active(&self) -> bool {
        self.observations.is_some() || self.rewards.is_some()
    }

    /// Adds one step of N copies to the statistics, for agents that store raw experience and
    /// normalise it when they replay it: the `observations` acted on, and the (scaled)
    /// `rewards` with the copies' episode ends. The return statistics take the step's number
    /// of copies at the first step. Anything that does not fit (rows, a value that is not
    /// finite, another number of copies later) is an error and changes nothing.
    pub fn observe_step(
        &mut self,
        observations: &[f32],
        rewards: &[f32],
        done: &[bool],
        gamma: f64,
    ) -> Result<(), AgentError> {
        self.check_step(observations, rewards.len())?;
        if let Some(normalizer) = &mut self.rewards {
            if normalizer.copies() != rewards.len() && normalizer.is_fresh() {
                *normalizer = RewardNormalizer::new(rewards.len(), gamma);
            }
            normalizer.update(rewards, done)?;
        }
        if let Some(stats) = &mut self.observations {
            stats.update(observations)?;
        }
        Ok(())
    }

    /// [`observe_step`](Self::observe_step) with the environment's `rewards` multiplied by
    /// `reward_scale` first (as the agent stores them); nothing when nothing is normalised.
    pub fn observe_raw_step(
        &mut self,
        observations: &[f32],
        rewards: &[f64],
        reward_scale: f64,
        done: &[bool],
        gamma: f64,
    ) -> Result<(), AgentError> {
        if !self.is_active() {
            return Ok(());
        }
        let scaled: Vec<f32> = rewards.iter().map(|&r| (r * reward_scale) as f32).collect();
        self.observe_step(observations, &scaled, done, gamma)
    }

    /// The error [`observe_step`](Self::observe_step) would give a step of `copies` copies
    /// and these `observations` (rows that do not fit or a value that is not finite, another
    /// number of copies than the return statistics follow), if any.
    pub fn check_step(&self, observations: &[f32], copies: usize) -> Result<(), AgentError> {
        if let Some(stats) = &self.observations {
            stats.stats().check_rows(observations)?;
        }
        match &self.rewards {
            Some(normalizer) if normalizer.copies() != copies && !normalizer.is_fresh() => {
                Err(AgentError::Length {
                    what: "rewards, one per environment copy the return statistics follow",
                    expected: normalizer.copies(),
                    actual: copies,
                })
            }
            _ => Ok(()),
        }
    }

    /// A replayed `batch` as the networks see it: observations normalised, rewards divided by
    /// the return's deviation, with the current statistics (the batch itself when nothing is
    /// normalised).
    pub fn batch<'b>(&self, batch: &'b Batch) -> Result<Cow<'b, Batch>, AgentError> {
        if !self.is_active() {
            return Ok(Cow::Borrowed(batch));
        }
        let mut normalised = batch.clone();
        if let Some(stats) = &self.observations {
            stats.normalize_into(&batch.observations, &mut normalised.observations)?;
            stats.normalize_into(&batch.next_observations, &mut normalised.next_observations)?;
        }
        if let Some(normalizer) = &self.rewards {
            for reward in &mut normalised.rewards {
                *reward = normalizer.scale(*reward);
            }
        }
        Ok(Cow::Owned(normalised))
    }

    /// Checks statistics read from a checkpoint against this agent's: the same
    /// normalisations, of the same shapes (the return statistics of `copies` copies, or of
    /// any number when `copies` is `None`).
    pub fn check(
        &self,
        saved: &Normalization,
        obs_dim: usize,
        copies: Option<usize>,
        gamma: f64,
    ) -> Result<(), String> {
        match (&saved.observations, &self.observations) {
            (Some(stats), Some(_)) => stats
                .check(obs_dim)
                .map_err(|reason| format!("invalid observation statistics: {reason}"))?,
            (None, None) => {}
            _ => return Err(mismatch("observation")),
        }
        match (&saved.rewards, &self.rewards) {
            (Some(stats), Some(_)) => stats
                .check(copies.unwrap_or(stats.copies()), gamma)
                .map_err(|reason| format!("invalid reward statistics: {reason}"))?,
            (None, None) => {}
            _ => return Err(mismatch("reward")),
        }
        Ok(())
    }

    /// The agent file's entries for what acting needs: the observation statistics.
    pub fn file_entries(&self) -> Vec<(&'static str, Vec<u8>)> {
        self.observations
            .iter()
            .map(|stats| {
                (
                    OBSERVATION_STATS,
                    serde_json::to_vec(stats).expect("plain data serialises"),
                )
            })
            .collect()
    }

    /// The observation statistics of the agent file `archive` (read from `path`), checked
    /// against this agent: a file with statistics for an agent that does not normalise, or
    /// without them for one that does, is an error.
    pub fn read_file_entries(
        &self,
        archive: &Archive,
        obs_dim: usize,
        path: &Path,
    ) -> Result<Option<ObservationNormalizer>, AgentError> {
        match (archive.get(OBSERVATION_STATS), &self.observations) {
            (Some(bytes), Some(_)) => {
                let stats: ObservationNormalizer = serde_json::from_slice(bytes).map_err(|e| {
                    format_error(path, format!("unreadable observation statistics: {e}"))
                })?;
                stats
                    .check(obs_dim)
                    .map_err(|reason| format_error(path, reason))?;
                Ok(Some(stats))
            }
            (None, None) => Ok(None),
            (Some(_), None) => Err(format_error(
                path,
                "the file holds observation statistics, but this agent does not normalise observations",
            )),
            (None, Some(_)) => Err(format_error(
                path,
                "the file holds no observation statistics, but this agent normalises observations",
            )),
        }
    }
}

fn mismatch(what: &str) -> String {
    format!(
        "{what} statistics present for an agent that does not normalise them, or missing for one that does"
    )
}
