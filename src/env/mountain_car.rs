//! MountainCar, equal to Gymnasium 1.4.0's `MountainCar-v0` bit for bit and seed for seed.

use serde::{Deserialize, Serialize};

use super::episode::check_finite_state;
use super::{Environment, EpisodeClock, GymRng, Snapshot, Space, Step};
use crate::error::EnvError;

const MIN_POSITION: f64 = -1.2;
const MAX_POSITION: f64 = 0.6;
const MAX_SPEED: f64 = 0.07;
const GOAL_POSITION: f64 = 0.5;
const FORCE: f64 = 0.001;
const GRAVITY: f64 = 0.0025;

/// Settings of [`MountainCar`].
#[derive(Debug, Clone, PartialEq)]
pub struct MountainCarConfig {
    /// Episodes are truncated after this many steps (200); `None` for no limit.
    pub max_episode_steps: Option<usize>,
    /// Reset draws the position in `[low, high]` (-0.6 and -0.4: Gymnasium's reset options
    /// `low`, `high`).
    pub reset_bounds: [f64; 2],
}

impl MountainCarConfig {
    /// `MountainCar-v0`: 200 steps, reset in `[-0.6, -0.4]`.
    pub fn v0() -> Self {
        Self {
            max_episode_steps: Some(200),
            reset_bounds: [-0.6, -0.4],
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

    fn validate(&self) -> Result<(), EnvError> {
        check_settings(self.reset_bounds, self.max_episode_steps)
    }
}

/// The settings both mountain cars check: finite reset bounds `low <= high`, a time limit of
/// at least one step.
pub(super) fn check_settings(
    [low, high]: [f64; 2],
    max_episode_steps: Option<usize>,
) -> Result<(), EnvError> {
    if !(low.is_finite() && high.is_finite() && low <= high) {
        return Err(EnvError::InvalidConfig {
            field: "reset_bounds",
            reason: format!("need finite low <= high, got [{low}, {high}]"),
        });
    }
    if max_episode_steps == Some(0) {
        return Err(EnvError::InvalidConfig {
            field: "max_episode_steps",
            reason: "must be at least 1".into(),
        });
    }
    Ok(())
}

/// Drive an underpowered car up a hill (Gymnasium's `MountainCar-v0`): observe `[position,
/// velocity]`, push left, not at all or right (`0`, `1`, `2`), pay -1 a step until the car
/// reaches the flag at 0.5, for at most 200 steps. Solved at a mean return of -110.
///
/// It follows Gymnasium 1.4.0 to the bit (all float64, the wall at -1.2 stopping the car),
/// and `reset(Some(seed))` draws the start `gymnasium.make("MountainCar-v0").reset(seed=seed)`
/// draws (see [`GymRng`]). An action outside `0..3` is an [`EnvError::InvalidAction`];
/// stepping before `reset` or after the episode ended is an error.
///
/// ```
/// use cinder_rl::env::{Environment, MountainCar, MountainCarConfig};
///
/// let mut env = MountainCar::new(MountainCarConfig::v0())?;
/// assert_eq!(env.reset(Some(0)), [-0.47260767221450806, 0.0]);
/// assert_eq!(env.step(2)?.reward, -1.0);
/// # Ok::<(), cinder_rl::error::EnvError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MountainCar {
    config: MountainCarConfig,
    state: MountainCarState,
}

/// Everything a [`MountainCar`] needs to continue exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MountainCarState {
    /// The reset generator.
    pub rng: GymRng,
    /// `[position, velocity]`, float64.
    pub state: [f64; 2],
    /// Steps since the last reset, and whether an episode runs.
    pub clock: EpisodeClock,
}

impl MountainCar {
    /// A mountain car with `config`; reset bounds that are not finite or are crossed, or a
    /// time limit of 0, are an [`EnvError::InvalidConfig`]. It needs a `reset` before the
    /// first step.
    pub fn new(config: MountainCarConfig) -> Result<Self, EnvError> {
        config.validate()?;
        Ok(Self {
            config,
            state: MountainCarState {
                rng: GymRng::seeded(0),
                state: [0.0, 0.0],
                clock: EpisodeClock::default(),
            },
        })
    }

    /// The state `[position, velocity]`.
    pub fn state(&self) -> [f64; 2] {
        self.state.state
    }

    /// Sets the state `[position, velocity]` (to replay a trajectory from a given state) and
    /// starts an episode there; returns its observation.
    pub fn set_state(&mut self, state: [f64; 2]) -> [f32; 2] {
        self.state.state = state;
        self.state.clock.start();
        self.observation()
    }

    fn observation(&self) -> [f32; 2] {
        self.state.state.map(|v| v as f32)
    }
}

impl Environment for MountainCar {
    type Observation = [f32; 2];
    type Action = usize;

    fn reset(&mut self, seed: Option<u64>) -> [f32; 2] {
        if let Some(seed) = seed {
            self.state.rng = GymRng::seeded(seed);
        }
        let [low, high] = self.config.reset_bounds;
        let position = self.state.rng.uniform(low, high);
        self.set_state([position, 0.0])
    }

    fn step(&mut self, action: usize) -> Result<Step<[f32; 2]>, EnvError> {
        self.action_space().check(action)?;
        self.state.clock.check_running()?;
        let [mut position, mut velocity] = self.state.state;
        let push = (action as f64 - 1.0) * FORCE;
        velocity += push + (3.0 * position).cos() * (-GRAVITY);
        velocity = velocity.clamp(-MAX_SPEED, MAX_SPEED);
        position += velocity;
        position = position.clamp(MIN_POSITION, MAX_POSITION);
        if position == MIN_POSITION && velocity < 0.0 {
            velocity = 0.0;
        }
        let terminated = position >= GOAL_POSITION && velocity >= 0.0;
        self.state.state = [position, velocity];
        let truncated = self
            .state
            .clock
            .tick(terminated, self.config.max_episode_steps);
        Ok(Step::new(self.observation(), -1.0, terminated, truncated))
    }

    fn action_space(&self) -> Space {
        Space::discrete(3)
    }

    fn observation_space(&self) -> Space {
        Space::boxed(
            vec![MIN_POSITION as f32, -MAX_SPEED as f32],
            vec![MAX_POSITION as f32, MAX_SPEED as f32],
        )
    }

    fn reward_threshold(&self) -> Option<f64> {
        Some(-110.0)
    }

    fn max_episode_steps(&self) -> Option<usize> {
        self.config.max_episode_steps
    }
}

impl Snapshot for MountainCar {
    type State = MountainCarState;

    fn snapshot(&self) -> MountainCarState {
        self.state.clone()
    }

    fn restore(&mut self, state: MountainCarState) -> Result<[f32; 2], EnvError> {
        check_finite_state(&state.state)?;
        self.state = state;
        Ok(self.observation())
    }
}
