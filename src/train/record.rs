//! One finished training episode.

use serde::Serialize;

/// What the training loop records about each finished episode.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EpisodeRecord {
    /// The episode's number, from 1.
    pub episode: u64,
    /// Environment steps taken since the run started, this episode included.
    pub env_steps: u64,
    /// The sum of the episode's rewards.
    pub episode_return: f64,
    /// The episode's length in steps.
    pub length: u64,
    /// The exploration rate at the episode's end, for agents that have one.
    pub epsilon: Option<f64>,
    /// The policy's mean entropy over the episode's updates, for agents that report it.
    pub entropy: Option<f32>,
    /// The mean loss of the updates made during the episode (`None`: no update).
    pub mean_loss: Option<f32>,
    /// Gradient updates made since the run started.
    pub updates: u64,
    /// Seconds since the run started.
    pub wall_s: f64,
    /// The means of the further values the agent reported (see
    /// [`Metrics`](crate::agent::Metrics)) since the previous episode ended, by name, in the
    /// order first reported.
    pub metrics: Vec<(String, f64)>,
}
