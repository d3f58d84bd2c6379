//! MountainCar, equal to Gymnasium 1.4.0's `MountainCar-v0` bit for bit and seed for seed.

use super::episode::snapshot_of_state_field;
use super::{ClassicConfig, ClassicState, Environment, GymRng, Space, Step};
use crate::error::EnvError;

pub(super) const MIN_POSITION: f64 = -1.2;
pub(super) const MAX_POSITION: f64 = 0.6;
pub(super) const MAX_SPEED: f64 = 0.07;
pub(super) const GOAL_POSITION: f64 = 0.5;
const FORCE: f64 = 0.001;
const GRAVITY: f64 = 0.0025;

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
/// use cinder_rl::env::{Environment, MountainCar, ClassicConfig};
///
/// let mut env = MountainCar::new(ClassicConfig::mountain_car_v0())?;
/// assert_eq!(env.reset(Some(0)), [-0.47260767221450806, 0.0]);
/// assert_eq!(env.step(2)?.reward, -1.0);
/// # Ok::<(), cinder_rl::error::EnvError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MountainCar {
    config: ClassicConfig,
    state: MountainCarState,
}

/// Everything a [`MountainCar`] needs to continue exactly (see [`ClassicState`]).
pub type MountainCarState = ClassicState<[f64; 2]>;

impl MountainCar {
    /// A mountain car with `config`; reset bounds that are not finite or are crossed, or a
    /// time limit of 0, are an [`EnvError::InvalidConfig`]. It needs a `reset` before the
    /// first step.
    pub fn new(config: ClassicConfig) -> Result<Self, EnvError> {
        config.validate()?;
        Ok(Self {
            config,
            state: ClassicState::new(),
        })
    }

    fn observation(&self) -> [f32; 2] {
        self.state.state.map(|v| v as f32)
    }
}

impl Environment for MountainCar {
    type Observation = [f32; 2];
    type Action = usize;

    fn reset(&mut self, seed: Option<u64>) -> [f32; 2] {
        let [low, high] = self.config.reset_bounds;
        let draw = |rng: &mut GymRng| [rng.uniform(low, high), 0.0];
        self.state.reset_with(seed, false, draw);
        self.observation()
    }

    fn step(&mut self, action: usize) -> Result<Step<[f32; 2]>, EnvError> {
        self.action_space().check(action)?;
        self.state.clock.check_running(self.config.after_done)?;
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

snapshot_of_state_field!(MountainCar, MountainCarState);
