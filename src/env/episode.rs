//! The episode bookkeeping of the Gymnasium-exact environments: whether an episode runs, how
//! many steps it has taken, and the time limit `gymnasium.make` puts around it.

use serde::{Deserialize, Serialize};

use super::{AfterDone, GymRng};
use crate::error::EnvError;

/// Everything a classic-control environment needs to continue exactly: its reset generator,
/// its state values `S` (`[f64; N]`), whether they are float32 (as some of Gymnasium's
/// environments store them at times) and its episode bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassicState<S> {
    /// The reset generator.
    pub rng: GymRng,
    /// The state values.
    pub state: S,
    /// Whether the values are float32 rather than float64.
    pub float32: bool,
    /// Steps since the last reset, and whether an episode runs.
    pub clock: EpisodeClock,
}

impl<const N: usize> ClassicState<[f64; N]> {
    /// Zeros, before the first reset.
    pub(crate) fn new() -> Self {
        Self {
            rng: GymRng::seeded(0),
            state: [0.0; N],
            float32: false,
            clock: EpisodeClock::default(),
        }
    }

    fn reseed(&mut self, seed: Option<u64>) {
        if let Some(seed) = seed {
            self.rng = GymRng::seeded(seed);
        }
    }

    /// A reset: reseeds the generator when `seed` is given, then starts an episode at the
    /// state `draw` takes from it, float32 or float64.
    pub(crate) fn reset_with(
        &mut self,
        seed: Option<u64>,
        float32: bool,
        draw: impl FnOnce(&mut GymRng) -> [f64; N],
    ) {
        self.reseed(seed);
        let state = draw(&mut self.rng);
        self.start(state, float32);
    }

    /// Starts an episode at `state`, float32 (rounded to float32) or float64.
    fn start(&mut self, state: [f64; N], float32: bool) {
        self.state = if float32 {
            state.map(|v| f64::from(v as f32))
        } else {
            state
        };
        self.float32 = float32;
        self.clock.start();
    }
}

/// The time limit, reset range and behaviour after an episode's end of Acrobot and both
/// mountain cars, with Gymnasium's values for each; the range is Gymnasium's reset options
/// `low` and `high`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassicConfig {
    /// Episodes are truncated after this many steps; `None` for no limit.
    pub max_episode_steps: Option<usize>,
    /// Reset draws the state values (Acrobot's four, the cars' position) in `[low, high]`.
    pub reset_bounds: [f64; 2],
    /// What a step after the episode ended does: an error (the default), or Gymnasium's
    /// behaviour ([`AfterDone::Continue`]).
    pub after_done: AfterDone,
}

impl ClassicConfig {
    /// `Acrobot-v1`: 500 steps, reset in `[-0.1, 0.1]`.
    pub fn acrobot_v1() -> Self {
        Self {
            max_episode_steps: Some(500),
            reset_bounds: [-0.1, 0.1],
            after_done: AfterDone::Error,
        }
    }

    /// `MountainCar-v0`: 200 steps, reset in `[-0.6, -0.4]`.
    pub fn mountain_car_v0() -> Self {
        Self {
            max_episode_steps: Some(200),
            reset_bounds: [-0.6, -0.4],
            after_done: AfterDone::Error,
        }
    }

    /// `MountainCarContinuous-v0`: 999 steps, reset in `[-0.6, -0.4]`.
    pub fn mountain_car_continuous_v0() -> Self {
        Self {
            max_episode_steps: Some(999),
            ..Self::mountain_car_v0()
        }
    }

    /// Resets in `[low, high]` (Gymnasium's reset options).
    pub fn with_reset_bounds(mut self, low: f64, high: f64) -> Self {
        self.reset_bounds = [low, high];
        self
    }

    /// Another time limit (`None`: none).
    pub fn with_max_episode_steps(mut self, max_episode_steps: Option<usize>) -> Self {
        self.max_episode_steps = max_episode_steps;
        self
    }

    /// What a step after the episode ended does.
    pub fn with_after_done(mut self, after_done: AfterDone) -> Self {
        self.after_done = after_done;
        self
    }

    /// Finite reset bounds `low <= high` and a time limit of at least one step, or an
    /// [`EnvError::InvalidConfig`].
    pub(crate) fn validate(&self) -> Result<(), EnvError> {
        let [low, high] = self.reset_bounds;
        if !(low.is_finite() && high.is_finite() && low <= high) {
            return Err(EnvError::InvalidConfig {
                field: "reset_bounds",
                reason: format!("need finite low <= high, got [{low}, {high}]"),
            });
        }
        if self.max_episode_steps == Some(0) {
            return Err(EnvError::InvalidConfig {
                field: "max_episode_steps",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// Steps since the last reset, and whether an episode is running (reset called, not yet
/// terminated or truncated).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeClock {
    /// Steps since the last reset.
    pub steps: usize,
    /// Whether an episode is running.
    pub running: bool,
}

impl EpisodeClock {
    /// A new episode.
    pub(crate) fn start(&mut self) {
        *self = Self {
            steps: 0,
            running: true,
        };
    }

    /// `Ok` while an episode runs, and after it ended when `after_done` is
    /// [`AfterDone::Continue`] (Gymnasium's environments step on, and its time limit keeps
    /// reporting `truncated`); [`EnvError::ResetNeeded`] before the first reset,
    /// [`EnvError::EpisodeEnded`] after the episode ended otherwise.
    pub(crate) fn check_running(&self, after_done: AfterDone) -> Result<(), EnvError> {
        match (self.running, self.steps, after_done) {
            (true, _, _) => Ok(()),
            (false, 0, _) => Err(EnvError::ResetNeeded),
            (false, _, AfterDone::Continue) => Ok(()),
            (false, _, AfterDone::Error) => Err(EnvError::EpisodeEnded),
        }
    }

    /// Counts a step that `terminated` or not; returns whether the time limit truncates the
    /// episode (Gymnasium's `TimeLimit`: also when it terminated on the same step).
    pub(crate) fn tick(&mut self, terminated: bool, limit: Option<usize>) -> bool {
        self.steps += 1;
        let truncated = limit.is_some_and(|limit| self.steps >= limit);
        if terminated || truncated {
            self.running = false;
        }
        truncated
    }
}

/// `impl Snapshot` for a classic environment whose complete state is its `state` field (of
/// type `$state`, with the values in `state.state`): the snapshot is a copy, and a restored
/// state must hold finite values.
macro_rules! snapshot_of_state_field {
    ($env:ty, $state:ty) => {
        impl $crate::env::Snapshot for $env {
            type State = $state;

            fn snapshot(&self) -> $state {
                self.state.clone()
            }

            fn restore(
                &mut self,
                state: $state,
            ) -> Result<Self::Observation, $crate::error::EnvError> {
                super::episode::check_finite_state(&state.state)?;
                self.state = state;
                Ok(self.observation())
            }
        }
    };
}
pub(crate) use snapshot_of_state_field;

/// `Ok` when every value of a restored state is finite; an [`EnvError::InvalidConfig`]
/// otherwise.
pub(crate) fn check_finite_state(state: &[f64]) -> Result<(), EnvError> {
    if state.iter().all(|v| v.is_finite()) {
        return Ok(());
    }
    Err(EnvError::InvalidConfig {
        field: "state",
        reason: format!("must be finite, got {state:?}"),
    })
}
