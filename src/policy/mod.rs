//! Policies and exploration schedules.
//!
//! A [`Policy`] turns an observation into an action (an index, or values for a box). [`Greedy`] and [`EpsilonGreedy`]
//! act on any source of action values ([`ActionValues`]: a Q-network, a table...),
//! [`Categorical`] samples from any source of action probabilities ([`ActionProbabilities`]),
//! [`RandomPolicy`] ignores the observation, and [`GaussianNoise`] explores around a
//! deterministic policy's continuous action. Every stochastic policy owns a seeded generator.
//!
//! A [`Schedule`] maps a step (an environment step or an episode, as its user counts) to a
//! value; [`Constant`], [`Linear`], [`Exponential`] and [`Inverse`] cover the usual
//! exploration-rate shapes.

mod categorical;
mod diag_gaussian;
mod epsilon_greedy;
mod gaussian_noise;
mod greedy;
mod random;
mod schedule;

pub use categorical::{Categorical, sample_categorical};
pub use diag_gaussian::{diag_gaussian_entropy, diag_gaussian_log_prob, sample_diag_gaussian};
pub use epsilon_greedy::EpsilonGreedy;
pub use gaussian_noise::GaussianNoise;
pub use greedy::Greedy;
pub use random::RandomPolicy;
pub use schedule::{AnySchedule, Constant, Exponential, Inverse, Linear, Schedule};

use crate::error::PolicyError;

/// Chooses an action for an observation: an index `0..n` by default, `[f32; N]` or
/// `Vec<f32>` for a continuous action space.
pub trait Policy<O: ?Sized, A = usize> {
    /// The action for `observation`.
    fn act(&mut self, observation: &O) -> Result<A, PolicyError>;
}

/// A source of action values `Q(s, ·)` over `0..n_actions`: what greedy policies maximise.
pub trait ActionValues<O: ?Sized> {
    /// The number of actions.
    fn n_actions(&self) -> usize;

    /// The action of highest value for `observation` (the lowest index among ties).
    fn greedy_action(&self, observation: &O) -> Result<usize, PolicyError>;
}

/// A source of action probabilities `pi(· | s)` over `0..n_actions`: what stochastic policies
/// sample from.
pub trait ActionProbabilities<O: ?Sized> {
    /// Writes the probability of each action for `observation` into `out` (cleared first).
    fn probabilities(&self, observation: &O, out: &mut Vec<f32>) -> Result<(), PolicyError>;
}

/// The index of the largest value (the first among ties); `None` when `values` is empty or
/// holds a NaN.
pub fn argmax(values: &[f32]) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (i, &v) in values.iter().enumerate() {
        if v.is_nan() {
            return None;
        }
        if best.is_none_or(|(_, b)| v > b) {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::argmax;

    #[test]
    fn argmax_takes_the_first_maximum_and_rejects_nan() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, -1.0]), Some(1));
        assert_eq!(argmax(&[]), None);
        assert_eq!(argmax(&[0.0, f32::NAN]), None);
        assert_eq!(argmax(&[f32::NEG_INFINITY]), Some(0));
    }
}
