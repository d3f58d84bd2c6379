//! One step of experience.

use crate::env::Step;

/// What an agent experienced in one step: `(s, a, r, s', terminated, truncated)`, with
/// observations `O` and actions `A` (an index by default; `[f32; N]` or `Vec<f32>` for a box).
///
/// `next_observation` is the real observation the step produced, also when the episode ended
/// (never the first observation of the next episode).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transition<O, A = usize> {
    /// The observation acted on.
    pub observation: O,
    /// The action taken.
    pub action: A,
    /// The reward received.
    pub reward: f64,
    /// The observation that followed.
    pub next_observation: O,
    /// The step reached a terminal state (do not bootstrap).
    pub terminated: bool,
    /// The episode was cut short after the step (bootstrap).
    pub truncated: bool,
}

impl<O, A> Transition<O, A> {
    /// The transition made of acting `action` on `observation` and getting `step`.
    pub fn from_step(observation: O, action: A, step: Step<O>) -> Self {
        Self {
            observation,
            action,
            reward: step.reward,
            next_observation: step.observation,
            terminated: step.terminated,
            truncated: step.truncated,
        }
    }

    /// The episode ended with this transition.
    pub fn done(&self) -> bool {
        self.terminated || self.truncated
    }
}
