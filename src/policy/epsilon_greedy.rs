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

    /// A random action with probability epsilon, else `greedy()`'s: what
    /// [`act`](Policy::act) does with the values' greedy action, for callers that find the
    /// greedy action otherwise (for many observations at once). The random draws are the
    /// same as `act`'s. An epsilon outside `[0, 1]` is a [`PolicyError::InvalidProbability`].
    pub fn act_or(
        &mut self,
        n_actions: usize,
        greedy: impl FnOnce() -> Result<usize, PolicyError>,
    ) -> Result<usize, PolicyError> {
        act_or(self.epsilon(), &mut self.rng, n_actions, greedy)
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
        let n_actions = self.values.n_actions();
        let values = &self.values;
        let (epsilon, rng) = (self.schedule.value(self.step), &mut self.rng);
        act_or(epsilon, rng, n_actions, || {
            values.greedy_action(observation)
        })
    }
}

/// A random action with probability `epsilon` (drawn with `rng`), else `greedy()`'s.
fn act_or(
    epsilon: f64,
    rng: &mut SeededRng,
    n_actions: usize,
    greedy: impl FnOnce() -> Result<usize, PolicyError>,
) -> Result<usize, PolicyError> {
    if !(0.0..=1.0).contains(&epsilon) {
        return Err(PolicyError::InvalidProbability(epsilon));
    }
    if n_actions == 0 {
        return Err(PolicyError::NoActions);
    }
    if rng.random::<f64>() < epsilon {
        Ok(rng.random_range(0..n_actions))
    } else {
        greedy()
    }
}
