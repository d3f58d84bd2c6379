//! Environments: the [`Environment`] trait, [`Step`], [spaces](Space), wrappers, vectorized
//! environments and the Gymnasium-exact [`CartPole`], [`Acrobot`], [`MountainCar`],
//! [`MountainCarContinuous`] and [`Pendulum`], each drawing itself as Gymnasium draws it
//! ([`Render`]).
//!
//! The semantics follow Gymnasium 1.x: `reset(Some(seed))` reseeds the environment's
//! generator, `reset(None)` continues it; a step reports `terminated` (the MDP reached a
//! terminal state: never bootstrap through it) apart from `truncated` (the episode was cut
//! short, e.g. by a time limit: bootstrap through it).

mod aa_polyline;
mod acrobot;
mod acrobot_render;
mod action;
mod any_env;
mod cartpole;
mod cartpole_render;
mod cartpole_rng;
mod check;
mod episode;
mod gfx_outline;
mod gym_rng;
mod mountain_car;
mod mountain_car_continuous;
mod mountain_car_render;
mod numpy_trig;
mod pendulum;
mod pendulum_render;
mod pixels;
mod registry;
mod render;
mod snapshot;
mod space;
mod step;
mod vector;
pub mod wrappers;

pub use crate::action_shape::ActionShape;
pub use acrobot::{Acrobot, AcrobotState};
pub use action::{Action, ActionRef};
pub use any_env::{AnyEnv, AnySnapshot};
pub use cartpole::{AfterDone, CartPole, CartPoleConfig, CartPoleState, ResetBounds};
pub use check::check_env;
pub use episode::{ClassicConfig, ClassicState, EpisodeClock};
pub use gym_rng::{GymRng, seed_sequence_words};
pub use mountain_car::{MountainCar, MountainCarState};
pub use mountain_car_continuous::{MountainCarContinuous, MountainCarContinuousState};
pub use pendulum::{Pendulum, PendulumConfig, PendulumState};
pub use pixels::{MAX_SUPERSAMPLE, PixelConfig, PixelFrames, PixelObservation, PixelState};
pub use registry::{EnvSpec, MadeEnv, Registry, make};
pub use render::{Frame, Render, Rgb};
pub use snapshot::Snapshot;
pub use space::{BoxSpace, Discrete, Space};
pub use step::Step;
pub use vector::{VecEnv, VecEnvState, VecStep};
pub use wrappers::{EnvironmentExt, EpisodeStatistics, EpisodeSummary, RewardScale, TimeLimit};

use crate::error::EnvError;

/// A reinforcement-learning environment.
///
/// Implement it for your own problem and every agent and training loop of the crate works on
/// it. Observations that are `AsRef<[f32]>` (arrays, `Vec<f32>`) are what the neural agents
/// consume; actions are `usize` indices `0..n` for a discrete space, or `[f32; N]` / `Vec<f32>`
/// for a box (see [`Action`]).
///
/// ```
/// use cinder_rl::env::{Discrete, Environment, Space, Step};
/// use cinder_rl::error::EnvError;
///
/// /// Walk right from 0 to 3; each step costs -1.
/// struct Corridor { position: i32 }
///
/// impl Environment for Corridor {
///     type Observation = [f32; 1];
///     type Action = usize;
///
///     fn reset(&mut self, _seed: Option<u64>) -> [f32; 1] {
///         self.position = 0;
///         [0.0]
///     }
///
///     fn step(&mut self, action: usize) -> Result<Step<[f32; 1]>, EnvError> {
///         self.action_space().check(action)?;
///         self.position += if action == 1 { 1 } else { -1 };
///         let terminated = self.position == 3;
///         Ok(Step::new([self.position as f32], -1.0, terminated, false))
///     }
///
///     fn action_space(&self) -> Space { Space::discrete(2) }
///     fn observation_space(&self) -> Space { Space::boxed(vec![-100.0], vec![3.0]) }
/// }
///
/// let mut env = Corridor { position: 0 };
/// env.reset(None);
/// assert!(env.step(2).is_err());
/// let last = (0..3).map(|_| env.step(1).unwrap()).last().unwrap();
/// assert!(last.terminated);
/// ```
pub trait Environment {
    /// What the agent sees.
    type Observation;
    /// What the agent does.
    type Action;

    /// Starts a new episode and returns its first observation.
    ///
    /// `Some(seed)` reseeds the environment's generator first (the same seed gives the same
    /// episode start); `None` continues with the generator as it is.
    fn reset(&mut self, seed: Option<u64>) -> Self::Observation;

    /// Applies `action` and returns what followed.
    ///
    /// An action outside the action space is an [`EnvError::InvalidAction`]; stepping before
    /// the first reset is [`EnvError::ResetNeeded`].
    fn step(&mut self, action: Self::Action) -> Result<Step<Self::Observation>, EnvError>;

    /// The set of valid actions.
    fn action_space(&self) -> Space;

    /// The set of possible observations.
    fn observation_space(&self) -> Space;

    /// The mean return over 100 consecutive episodes at which the task counts as solved, if it
    /// has one (475 for CartPole-v1).
    fn reward_threshold(&self) -> Option<f64> {
        None
    }

    /// The number of steps after which an episode is truncated, if the environment has a
    /// time limit.
    fn max_episode_steps(&self) -> Option<usize> {
        None
    }
}
