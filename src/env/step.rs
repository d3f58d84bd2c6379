//! The outcome of one environment step.

/// What an [`Environment::step`](super::Environment::step) returns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step<O> {
    /// The observation after the step. When the episode ended this is the real final
    /// observation, never the first observation of the next episode.
    pub observation: O,
    /// The reward for the step.
    pub reward: f64,
    /// The environment reached a terminal state: its value is zero, do not bootstrap.
    pub terminated: bool,
    /// The episode was cut short (time limit) in a non-terminal state: bootstrap.
    pub truncated: bool,
}

impl<O> Step<O> {
    /// A step outcome.
    pub fn new(observation: O, reward: f64, terminated: bool, truncated: bool) -> Self {
        Self {
            observation,
            reward,
            terminated,
            truncated,
        }
    }

    /// The episode is over (terminated or truncated): the next call must be `reset`.
    pub fn done(&self) -> bool {
        self.terminated || self.truncated
    }
}
