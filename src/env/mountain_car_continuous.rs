//! MountainCarContinuous, equal to Gymnasium 1.4.0's `MountainCarContinuous-v0` bit for bit
//! and seed for seed.

use serde::{Deserialize, Serialize};

use super::episode::check_finite_state;
use super::{Environment, EpisodeClock, GymRng, Snapshot, Space, Step};
use crate::error::EnvError;

const MIN_POSITION: f64 = -1.2;
const MAX_POSITION: f64 = 0.6;
const MAX_SPEED: f64 = 0.07;
const GOAL_POSITION: f64 = 0.45;
const POWER: f64 = 0.0015;

/// Settings of [`MountainCarContinuous`].
#[derive(Debug, Clone, PartialEq)]
pub struct MountainCarContinuousConfig {
    /// Episodes are truncated after this many steps (999); `None` for no limit.
    pub max_episode_steps: Option<usize>,
    /// Reset draws the position in `[low, high]` (-0.6 and -0.4: Gymnasium's reset options
    /// `low`, `high`).
    pub reset_bounds: [f64; 2],
}

impl MountainCarContinuousConfig {
    /// `MountainCarContinuous-v0`: 999 steps, reset in `[-0.6, -0.4]`.
    pub fn v0() -> Self {
        Self {
            max_episode_steps: Some(999),
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
}

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
/// use cinder_rl::env::{Environment, MountainCarContinuous, MountainCarContinuousConfig};
///
/// let mut env = MountainCarContinuous::new(MountainCarContinuousConfig::v0())?;
/// assert_eq!(env.reset(Some(0)), [-0.47260767221450806, 0.0]);
/// // An out-of-range force is clipped for the car, not for the cost.
/// assert_eq!(env.step([1.25])?.reward, -0.15625);
/// # Ok::<(), cinder_rl::error::EnvError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MountainCarContinuous {
    config: MountainCarContinuousConfig,
    state: MountainCarContinuousState,
}

/// Everything a [`MountainCarContinuous`] needs to continue exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MountainCarContinuousState {
    /// The reset generator.
    pub rng: GymRng,
    /// `[position, velocity]`.
    pub state: [f64; 2],
    /// Whether the state is float32 (after a step) rather than float64 (after a reset).
    pub float32: bool,
    /// Steps since the last reset, and whether an episode runs.
    pub clock: EpisodeClock,
}

impl MountainCarContinuous {
    /// A car with `config`; reset bounds that are not finite or are crossed, or a time limit
    /// of 0, are an [`EnvError::InvalidConfig`]. It needs a `reset` before the first step.
    pub fn new(config: MountainCarContinuousConfig) -> Result<Self, EnvError> {
        super::mountain_car::check_settings(config.reset_bounds, config.max_episode_steps)?;
        Ok(Self {
            config,
            state: MountainCarContinuousState {
                rng: GymRng::seeded(0),
                state: [0.0, 0.0],
                float32: false,
                clock: EpisodeClock::default(),
            },
        })
    }

    /// The state `[position, velocity]`, and whether it is float32.
    pub fn state(&self) -> ([f64; 2], bool) {
        (self.state.state, self.state.float32)
    }

    /// Sets the state `[position, velocity]`, float32 or float64 (to replay a trajectory from
    /// a given state), and starts an episode there; returns its observation. A float32 state
    /// is rounded to float32.
    pub fn set_state(&mut self, state: [f64; 2], float32: bool) -> [f32; 2] {
        self.state.state = if float32 {
            state.map(|v| f64::from(v as f32))
        } else {
            state
        };
        self.state.float32 = float32;
        self.state.clock.start();
        self.observation()
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
        if let Some(seed) = seed {
            self.state.rng = GymRng::seeded(seed);
        }
        let [low, high] = self.config.reset_bounds;
        let position = self.state.rng.uniform(low, high);
        self.set_state([position, 0.0], false)
    }

    fn step(&mut self, action: [f32; 1]) -> Result<Step<[f32; 2]>, EnvError> {
        self.action_space().check_values(&action)?;
        self.state.clock.check_running()?;
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

impl Snapshot for MountainCarContinuous {
    type State = MountainCarContinuousState;

    fn snapshot(&self) -> MountainCarContinuousState {
        self.state.clone()
    }

    fn restore(&mut self, state: MountainCarContinuousState) -> Result<[f32; 2], EnvError> {
        check_finite_state(&state.state)?;
        self.state = state;
        Ok(self.observation())
    }
}
