//! MountainCarContinuous, equal to Gymnasium 1.4.0's `MountainCarContinuous-v0` bit for bit
//! and seed for seed.

use super::episode::snapshot_of_state_field;
use super::{ClassicConfig, ClassicState, Environment, GymRng, Space, Step};
use crate::error::EnvError;

use super::mountain_car::{MAX_POSITION, MAX_SPEED, MIN_POSITION};

pub(super) const GOAL_POSITION: f64 = 0.45;
const POWER: f64 = 0.0015;

/// Drive an underpowered car up a hill with a continuous force (Gymnasium's
/// `MountainCarContinuous-v0`): observe `[position, velocity]`, apply a force in `[-1, 1]`,
/// receive 100 at the flag (0.45) minus `0.1 a²` every step, for at most 999 steps. Solved at
/// a mean return of 90.
///
/// It follows Gymnasium 1.4.0 to the bit, quirks included: the state is float64 after a reset
/// and float32 after every step, so the first step after a reset computes in float64 and
/// the others in float32 (against float32-rounded constants: the goal is `0.45f32`, just below
/// 0.45); a force outside `[-1, 1]` is clipped, and then computed in float64, while the reward
/// charges the unclipped force. A force that is not a number is an
/// [`EnvError::NonFiniteAction`]. `reset(Some(seed))` draws the start Gymnasium draws (see
/// [`GymRng`]).
///
/// ```
/// use cinder_rl::env::{ClassicConfig, Environment, MountainCarContinuous};
///
/// let mut env = MountainCarContinuous::new(ClassicConfig::mountain_car_continuous_v0())?;
/// assert_eq!(env.reset(Some(0)), [-0.47260767221450806, 0.0]);
/// // An out-of-range force is clipped for the car, not for the cost.
/// assert_eq!(env.step([1.25])?.reward, -0.15625);
/// # Ok::<(), cinder_rl::error::EnvError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MountainCarContinuous {
    config: ClassicConfig,
    state: MountainCarContinuousState,
}

/// Everything a [`MountainCarContinuous`] needs to continue exactly (see [`ClassicState`]).
pub type MountainCarContinuousState = ClassicState<[f64; 2]>;

impl MountainCarContinuous {
    /// A car with `config`; reset bounds that are not finite or are crossed, or a time limit
    /// of 0, are an [`EnvError::InvalidConfig`]. It needs a `reset` before the first step.
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

    /// One step in the float32 regime: every value and comparison float32. `clipped` is the
    /// force as Python's float when it was clipped, `force` the float32 action otherwise.
    fn step_f32(&self, force: f32, clipped: Option<f64>) -> ([f32; 2], bool) {
        let [p, v] = self.state.state.map(|x| x as f32);
        let gravity = 0.0025 * f64::from(3.0f32 * p).cos();
        let push = match clipped {
            Some(f) => (f * POWER - gravity) as f32,
            None => force * POWER as f32 - gravity as f32,
        };
        let (max_speed, max_position, min_position) =
            (MAX_SPEED as f32, MAX_POSITION as f32, MIN_POSITION as f32);
        let mut v = (v + push).clamp(-max_speed, max_speed);
        let p = (p + v).clamp(min_position, max_position);
        if p == min_position && v < 0.0 {
            v = 0.0;
        }
        ([p, v], p >= GOAL_POSITION as f32 && v >= 0.0)
    }

    /// One step in the float64 regime (the first after a reset); see [`Self::step_f32`].
    fn step_f64(&self, force: f32, clipped: Option<f64>) -> ([f32; 2], bool) {
        let [p, v] = self.state.state;
        let gravity = 0.0025 * (3.0 * p).cos();
        let push = match clipped {
            Some(f) => f * POWER - gravity,
            None => f64::from(force * POWER as f32 - gravity as f32),
        };
        let mut v = (v + push).clamp(-MAX_SPEED, MAX_SPEED);
        let p = (p + v).clamp(MIN_POSITION, MAX_POSITION);
        if p == MIN_POSITION && v < 0.0 {
            v = 0.0;
        }
        ([p as f32, v as f32], p >= GOAL_POSITION && v >= 0.0)
    }
}

impl Environment for MountainCarContinuous {
    type Observation = [f32; 2];
    type Action = [f32; 1];

    fn reset(&mut self, seed: Option<u64>) -> [f32; 2] {
        let [low, high] = self.config.reset_bounds;
        let draw = |rng: &mut GymRng| [rng.uniform(low, high), 0.0];
        self.state.reset_with(seed, false, draw);
        self.observation()
    }

    fn step(&mut self, action: [f32; 1]) -> Result<Step<[f32; 2]>, EnvError> {
        self.action_space().check_values(&action)?;
        self.state.clock.check_running(self.config.after_done)?;
        let force = action[0];
        // Python's min(max(a, -1.0), 1.0): a Python float when it clips, the float32 otherwise.
        let clipped = (force < -1.0)
            .then_some(-1.0)
            .or((force > 1.0).then_some(1.0));
        let (state, terminated) = if self.state.float32 {
            self.step_f32(force, clipped)
        } else {
            self.step_f64(force, clipped)
        };
        let force = f64::from(force);
        let reward = (if terminated { 100.0 } else { 0.0 }) - force * force * 0.1;
        self.state.state = state.map(f64::from);
        self.state.float32 = true;
        let truncated = self
            .state
            .clock
            .tick(terminated, self.config.max_episode_steps);
        Ok(Step::new(state, reward, terminated, truncated))
    }

    fn action_space(&self) -> Space {
        Space::boxed(vec![-1.0], vec![1.0])
    }

    fn observation_space(&self) -> Space {
        Space::boxed(
            vec![MIN_POSITION as f32, -MAX_SPEED as f32],
            vec![MAX_POSITION as f32, MAX_SPEED as f32],
        )
    }

    fn reward_threshold(&self) -> Option<f64> {
        Some(90.0)
    }

    fn max_episode_steps(&self) -> Option<usize> {
        self.config.max_episode_steps
    }
}

snapshot_of_state_field!(MountainCarContinuous, MountainCarContinuousState);
