//! The result of a training run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a training run achieved; [`to_json`](Self::to_json) gives the one-line JSON the
/// examples print on stdout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainSummary {
    /// The algorithm's name.
    pub algorithm: String,
    /// The environment's name.
    pub env: String,
    /// The run's seed.
    pub seed: u64,
    /// Whether the stop rule was met.
    pub solved: bool,
    /// Episodes finished.
    pub episodes: u64,
    /// Environment steps taken.
    pub env_steps: u64,
    /// Gradient updates made.
    pub updates: u64,
    /// Seconds the run took (final evaluation excluded).
    pub wall_s: f64,
    /// The mean return of the last 100 training episodes (`None` before the first ends).
    pub mean_return_100: Option<f64>,
    /// The mean return of the final greedy evaluation (`None`: no evaluation).
    pub eval_mean_return: Option<f64>,
    /// Environment steps at which the stop rule was met.
    pub solved_at_env_steps: Option<u64>,
    /// Seconds at which the stop rule was met.
    pub solved_at_wall_s: Option<f64>,
    /// The further metrics the agent reported (see [`Metrics`](crate::agent::Metrics)): their
    /// means over the last finished episode that had any; absent from the JSON when there are
    /// none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
}

impl TrainSummary {
    /// The summary as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
