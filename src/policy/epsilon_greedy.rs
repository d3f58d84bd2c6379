//! The epsilon-greedy policy.

use rand::RngExt;

use super::{ActionValues, Policy, Schedule};
use crate::error::PolicyError;
use crate::rng::{SeededRng, seeded};

/// With probability epsilon a uniformly random action, otherwise the greedy one; epsilon
/// follows any [`Schedule`] of the policy's step counter.
///
/// The counter does not advance by itself: its owner sets it with
/// [`set_step`](Self::set_step), counting environment steps or episodes as it chooses.
///
/// ```
/// use cinder_rl::policy::{ActionValues, EpsilonGreedy, Linear, Policy};
/// use cinder_rl::error::PolicyError;
///
/// /// Action 2 is always best.
/// struct Fixed;
/// impl ActionValues<[f32]> for Fixed {
///     fn n_actions(&self) -> usize { 3 }
///     fn greedy_action(&self, _: &[f32]) -> Result<usize, PolicyError> { Ok(2) }
/// }
///
/// let mut policy = EpsilonGreedy::new(Fixed, Linear::new(1.0, 0.0, 100)?, 7);
/// policy.set_step(100); // epsilon has reached 0
/// assert_eq!(policy.act(&[0.0][..])?, 2);
/// # Ok::<(), PolicyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct EpsilonGreedy<Q, S> {
    values: Q,
    schedule: S,
    rng: SeededRng,
    step: u64,
}

impl<Q, S: Schedule> EpsilonGreedy<Q, S> {
    /// Epsilon-greedy over `values`, epsilon following `schedule`, random draws seeded with
    /// `seed`.
    pub fn new(values: Q, schedule: S, seed: u64) -> Self {
        Self {
            values,
            schedule,
            rng: seeded(seed),
            step: 0,
        }
    }

    /// Sets the step the schedule is read at.
    pub fn set_step(&mut self, step: u64) {
        self.step = step;
    }

    /// The step the schedule is read at.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// The current exploration rate.
    pub fn epsilon(&self) -> f64 {
        self.schedule.value(self.step)
    }

    /// The action-value source.
    pub fn values(&self) -> &Q {
        &self.values
    }

    /// The random generator (for checkpoints).
    pub fn generator(&self) -> &SeededRng {
        &self.rng
    }

    /// Replaces the random generator (when restoring a checkpoint).
    pub fn set_generator(&mut self, rng: SeededRng) {
        self.rng = rng;
    }

    /// With probability epsilon a uniformly random action among `n_actions` (`Some`), else
    /// `None`: the draws of [`act`](Policy::act), for callers that find the greedy action
    /// themselves (for many observations at once, or on a copy of the network). An epsilon
    /// outside `[0, 1]` is a [`PolicyError::InvalidProbability`].
    pub fn explore(&mut self, n_actions: usize) -> Result<Option<usize>, PolicyError> {
        let epsilon = self.epsilon();
        if !(0.0..=1.0).contains(&epsilon) {
            return Err(PolicyError::InvalidProbability(epsilon));
        }
        if n_actions == 0 {
            return Err(PolicyError::NoActions);
        }
        if self.rng.random::<f64>() < epsilon {
            Ok(Some(self.rng.random_range(0..n_actions)))
        } else {
            Ok(None)
        }
    }

    /// The action-value source, mutably (e.g. to train it).
    pub fn values_mut(&mut self) -> &mut Q {
        &mut self.values
    }
}

impl<O: ?Sized, Q: ActionValues<O>, S: Schedule> Policy<O> for EpsilonGreedy<Q, S> {
    /// A random action with probability epsilon, else the greedy one. An epsilon outside
    /// `[0, 1]` is a [`PolicyError::InvalidProbability`].
    fn act(&mut self, observation: &O) -> Result<usize, PolicyError> {
        match self.explore(self.values.n_actions())? {
            Some(action) => Ok(action),
            None => self.values.greedy_action(observation),
        }
    }
}
