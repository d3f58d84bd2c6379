//! Pendulum, equal to Gymnasium 1.4.0's `Pendulum-v1` bit for bit and seed for seed.

use std::f64::consts::PI;
use std::hint::black_box;

use super::episode::check_finite_state;
use super::{AfterDone, ClassicState, Environment, GymRng, Snapshot, Space, Step};
use crate::error::EnvError;

const MAX_SPEED: f64 = 8.0;
const MAX_TORQUE: f32 = 2.0;
const DT: f64 = 0.05;

/// Settings of [`Pendulum`].
#[derive(Debug, Clone, PartialEq)]
pub struct PendulumConfig {
    /// Gravity (10.0, Gymnasium's `make` default).
    pub g: f64,
    /// Episodes are truncated after this many steps (200); `None` for no limit.
    pub max_episode_steps: Option<usize>,
    /// Reset draws the angle in `[-x_init, x_init]` and the angular velocity in
    /// `[-y_init, y_init]` (π and 1.0: Gymnasium's reset options `x_init`, `y_init`).
    pub init: [f64; 2],
    /// What a step after the episode ended does: an error (the default), or Gymnasium's
    /// behaviour ([`AfterDone::Continue`]).
    pub after_done: AfterDone,
}

impl PendulumConfig {
    /// `Pendulum-v1`: g 10, 200 steps, reset in `[-π, π] × [-1, 1]`.
    pub fn v1() -> Self {
        Self {
            g: 10.0,
            max_episode_steps: Some(200),
            init: [PI, 1.0],
            after_done: AfterDone::Error,
        }
    }

    /// Resets in `[-x_init, x_init] × [-y_init, y_init]` (Gymnasium's reset options).
    pub fn with_init(mut self, x_init: f64, y_init: f64) -> Self {
        self.init = [x_init, y_init];
        self
    }

    /// What a step after the episode ended does.
    pub fn with_after_done(mut self, after_done: AfterDone) -> Self {
        self.after_done = after_done;
        self
    }

    /// Another gravity.
    pub fn with_g(mut self, g: f64) -> Self {
        self.g = g;
        self
    }

    /// Another time limit (`None`: none).
    pub fn with_max_episode_steps(mut self, max_episode_steps: Option<usize>) -> Self {
        self.max_episode_steps = max_episode_steps;
        self
    }

    fn validate(&self) -> Result<(), EnvError> {
        let invalid = |field, reason: String| Err(EnvError::InvalidConfig { field, reason });
        if !self.g.is_finite() {
            return invalid("g", format!("must be finite, got {}", self.g));
        }
        if self.init.iter().any(|v| !v.is_finite()) {
            return invalid("init", format!("must be finite, got {:?}", self.init));
        }
        if self.max_episode_steps == Some(0) {
            return invalid("max_episode_steps", "must be at least 1".into());
        }
        Ok(())
    }
}

/// The inverted pendulum swing-up (Gymnasium's `Pendulum-v1`): observe `[cos θ, sin θ, θ']`,
/// apply a torque in `[-2, 2]`, pay `θ² + 0.1 θ'² + 0.001 u²` each step, for 200 steps.
///
/// It follows Gymnasium 1.4.0 to the bit: the float64 state, the float32 torque terms, `pow`
/// where Python squares, the unwrapped angle, the reward from the state before the step.
/// `reset(Some(seed))` draws the same start as `gymnasium.make("Pendulum-v1").reset(seed=seed)`
/// (see [`GymRng`]).
///
/// A torque outside `[-2, 2]` is clipped, as Gymnasium clips it; a torque that is not a
/// number is an [`EnvError::NonFiniteAction`] (Gymnasium would carry the NaN on). Stepping
/// before `reset` or after the time limit is an error. There is no reward threshold.
///
/// ```
/// use cinder_rl::env::{Environment, Pendulum, PendulumConfig};
///
/// let mut env = Pendulum::new(PendulumConfig::v1())?;
/// let first = env.reset(Some(0));
/// assert_eq!(first, [0.652016282081604, 0.758204996585846, -0.46042656898498535]);
/// let step = env.step([2.0])?;
/// assert!(step.reward < 0.0 && !step.terminated);
/// # Ok::<(), cinder_rl::error::EnvError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Pendulum {
    config: PendulumConfig,
    state: PendulumState,
    /// The torque the last step applied (clipped), which the renderer draws as an arrow;
    /// `None` after a reset or a restore.
    last_u: Option<f32>,
}

/// Everything a [`Pendulum`] needs to continue exactly (see [`ClassicState`]).
pub type PendulumState = ClassicState<[f64; 2]>;

impl Pendulum {
    /// A pendulum with `config`; a gravity or reset range that is not finite, or a time limit
    /// of 0, is an [`EnvError::InvalidConfig`]. It needs a `reset` before the first step.
    pub fn new(config: PendulumConfig) -> Result<Self, EnvError> {
        config.validate()?;
        Ok(Self {
            config,
            state: ClassicState::new(),
            last_u: None,
        })
    }

    /// The torque the last step applied, clipped to `[-2, 2]` (Gymnasium's `last_u`); `None`
    /// before the first step of an episode and after [`Snapshot::restore`], since it is not
    /// part of the snapshot.
    pub fn last_torque(&self) -> Option<f32> {
        self.last_u
    }

    fn observation(&self) -> [f32; 3] {
        let [theta, thetadot] = self.state.state;
        [theta.cos() as f32, theta.sin() as f32, thetadot as f32]
    }
}

/// Python's `x ** 2` on a float64: C `pow`, which is not always `x * x`.
fn square(x: f64) -> f64 {
    x.powf(black_box(2.0))
}

/// `((θ + π) mod 2π) - π` with Python's floored modulo.
fn angle_normalize(theta: f64) -> f64 {
    let mut r = (theta + PI) % (2.0 * PI);
    if r < 0.0 {
        r += 2.0 * PI;
    }
    if r == 0.0 {
        // Python's modulo gives +0.0 where fmod gives -0.0.
        r = 0.0;
    }
    r - PI
}

impl Environment for Pendulum {
    type Observation = [f32; 3];
    type Action = [f32; 1];

    fn reset(&mut self, seed: Option<u64>) -> [f32; 3] {
        let [x, y] = self.config.init;
        let draw = |rng: &mut GymRng| [rng.uniform(-x, x), rng.uniform(-y, y)];
        self.state.reset_with(seed, false, draw);
        self.last_u = None;
        self.observation()
    }

    fn step(&mut self, action: [f32; 1]) -> Result<Step<[f32; 3]>, EnvError> {
        self.action_space().check_values(&action)?;
        self.state.clock.check_running(self.config.after_done)?;
        let [theta, thetadot] = self.state.state;
        let u = action[0].clamp(-MAX_TORQUE, MAX_TORQUE);
        self.last_u = Some(u);
        let torque_cost = 0.001f32 * u.powf(black_box(2.0f32));
        let cost =
            (square(angle_normalize(theta)) + 0.1 * square(thetadot)) + f64::from(torque_cost);

        let gravity_term = (3.0 * self.config.g) / 2.0;
        let thetadot = thetadot + (gravity_term * theta.sin() + f64::from(3.0f32 * u)) * DT;
        let thetadot = thetadot.clamp(-MAX_SPEED, MAX_SPEED);
        let theta = theta + thetadot * DT;
        self.state.state = [theta, thetadot];
        let truncated = self.state.clock.tick(false, self.config.max_episode_steps);
        Ok(Step::new(self.observation(), -cost, false, truncated))
    }

    fn action_space(&self) -> Space {
        Space::boxed(vec![-MAX_TORQUE], vec![MAX_TORQUE])
    }

    fn observation_space(&self) -> Space {
        Space::boxed(
            vec![-1.0, -1.0, -MAX_SPEED as f32],
            vec![1.0, 1.0, MAX_SPEED as f32],
        )
    }

    fn max_episode_steps(&self) -> Option<usize> {
        self.config.max_episode_steps
    }
}

impl Snapshot for Pendulum {
    type State = PendulumState;

    fn snapshot(&self) -> PendulumState {
        self.state.clone()
    }

    /// Restores the state; the last torque is not part of it, so a restored pendulum draws no
    /// torque arrow until its next step.
    fn restore(&mut self, state: PendulumState) -> Result<[f32; 3], EnvError> {
        check_finite_state(&state.state)?;
        self.state = state;
        self.last_u = None;
        Ok(self.observation())
    }
}
