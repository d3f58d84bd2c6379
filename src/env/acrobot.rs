//! Acrobot, equal to Gymnasium 1.4.0's `Acrobot-v1` bit for bit and seed for seed.

use std::f64::consts::PI;
use std::hint::black_box;

use super::episode::snapshot_of_state_field;
use super::numpy_trig::{cos32, sin32};
use super::{ClassicConfig, ClassicState, Environment, GymRng, Space, Step};
use crate::error::EnvError;

const DT: f64 = 0.2;
const MAX_VEL_1: f64 = 4.0 * PI;
const MAX_VEL_2: f64 = 9.0 * PI;
const TORQUES: [f64; 3] = [-1.0, 0.0, 1.0];

/// Swing a two-link arm's tip above a line (Gymnasium's `Acrobot-v1`, the book dynamics):
/// observe `[cos θ1, sin θ1, cos θ2, sin θ2, θ1', θ2']`, apply a torque of -1, 0 or +1
/// (`0`, `1`, `2`) at the joint between the links, pay -1 a step until the tip rises, for at
/// most 500 steps. Solved at a mean return of -100.
///
/// It follows Gymnasium 1.4.0 to the bit: one fourth-order Runge-Kutta step of 0.2 s in
/// float64, `pow` where Python squares, angles wrapped by repeated ±2π, the state float32
/// after a reset (and the reset observation computed with numpy's own float32 `sin`/`cos`).
/// `reset(Some(seed))` draws the start Gymnasium draws (see [`GymRng`]). An action outside
/// `0..3` is an [`EnvError::InvalidAction`].
///
/// ```
/// use cinder_rl::env::{Acrobot, ClassicConfig, Environment};
///
/// let mut env = Acrobot::new(ClassicConfig::acrobot_v1())?;
/// let first = env.reset(Some(0));
/// assert_eq!(first[0], 0.9996248483657837); // cos θ1, numpy's float32 cos
/// assert_eq!(env.step(2)?.reward, -1.0);
/// # Ok::<(), cinder_rl::error::EnvError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Acrobot {
    config: ClassicConfig,
    state: AcrobotState,
}

/// Everything an [`Acrobot`] needs to continue exactly (see [`ClassicState`]).
pub type AcrobotState = ClassicState<[f64; 4]>;

/// The time derivative of `[θ1, θ2, θ1', θ2']` under torque `tau`, with Gymnasium's constants
/// (unit masses, lengths and inertias, centres of mass at 0.5, g 9.8) folded as it folds them.
fn derivatives([theta1, theta2, dtheta1, dtheta2]: [f64; 4], tau: f64) -> [f64; 4] {
    let square = |x: f64| x.powf(black_box(2.0));
    let (c2, s2) = (theta2.cos(), theta2.sin());
    let d1 = ((0.25 + (1.25 + c2)) + 1.0) + 1.0;
    let d2 = (0.25 + 0.5 * c2) + 1.0;
    let phi2 = 4.9 * ((theta1 + theta2) - PI / 2.0).cos();
    let phi1 = ((((-0.5) * square(dtheta2)) * s2 - (dtheta2 * dtheta1) * s2)
        + 14.700000000000001 * (theta1 - PI / 2.0).cos())
        + phi2;
    let ddtheta2 = (((tau + (d2 / d1) * phi1) - (0.5 * square(dtheta1)) * s2) - phi2)
        / (1.25 - square(d2) / d1);
    let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    [dtheta1, dtheta2, ddtheta1, ddtheta2]
}

/// One fourth-order Runge-Kutta step of [`DT`], summed in Gymnasium's order.
fn rk4(y: [f64; 4], tau: f64) -> [f64; 4] {
    let (h, w) = (DT / 2.0, DT / 6.0);
    let along = |k: [f64; 4], by: f64| std::array::from_fn(|i| y[i] + by * k[i]);
    let k1 = derivatives(y, tau);
    let k2 = derivatives(along(k1, h), tau);
    let k3 = derivatives(along(k2, h), tau);
    let k4 = derivatives(along(k3, DT), tau);
    std::array::from_fn(|i| y[i] + w * (((k1[i] + 2.0 * k2[i]) + 2.0 * k3[i]) + k4[i]))
}

/// An angle brought into `[-π, π]` by repeated ±2π, as Gymnasium wraps it.
fn wrap(mut x: f64) -> f64 {
    let diff = PI - (-PI);
    while x > PI {
        x -= diff;
    }
    while x < -PI {
        x += diff;
    }
    x
}

impl Acrobot {
    /// An acrobot with `config`; reset bounds that are not finite or are crossed, or a time
    /// limit of 0, are an [`EnvError::InvalidConfig`]. It needs a `reset` before the first
    /// step.
    pub fn new(config: ClassicConfig) -> Result<Self, EnvError> {
        config.validate()?;
        Ok(Self {
            config,
            state: ClassicState::new(),
        })
    }

    fn observation(&self) -> [f32; 6] {
        let [t1, t2, w1, w2] = self.state.state;
        if self.state.float32 {
            let [t1, t2] = [t1 as f32, t2 as f32];
            [
                cos32(t1),
                sin32(t1),
                cos32(t2),
                sin32(t2),
                w1 as f32,
                w2 as f32,
            ]
        } else {
            [t1.cos(), t1.sin(), t2.cos(), t2.sin(), w1, w2].map(|v| v as f32)
        }
    }
}

impl Environment for Acrobot {
    type Observation = [f32; 6];
    type Action = usize;

    fn reset(&mut self, seed: Option<u64>) -> [f32; 6] {
        let [low, high] = self.config.reset_bounds;
        let draw = |rng: &mut GymRng| std::array::from_fn(|_| rng.uniform(low, high));
        self.state.reset_with(seed, true, draw);
        self.observation()
    }

    fn step(&mut self, action: usize) -> Result<Step<[f32; 6]>, EnvError> {
        self.action_space().check(action)?;
        self.state.clock.check_running(self.config.after_done)?;
        let [t1, t2, w1, w2] = rk4(self.state.state, TORQUES[action]);
        let (t1, t2) = (wrap(t1), wrap(t2));
        let (w1, w2) = (
            w1.clamp(-MAX_VEL_1, MAX_VEL_1),
            w2.clamp(-MAX_VEL_2, MAX_VEL_2),
        );
        self.state.state = [t1, t2, w1, w2];
        self.state.float32 = false;
        let terminated = (-t1.cos()) - (t2 + t1).cos() > 1.0;
        let reward = if terminated { 0.0 } else { -1.0 };
        let truncated = self
            .state
            .clock
            .tick(terminated, self.config.max_episode_steps);
        Ok(Step::new(self.observation(), reward, terminated, truncated))
    }

    fn action_space(&self) -> Space {
        Space::discrete(3)
    }

    fn observation_space(&self) -> Space {
        let high = [1.0, 1.0, 1.0, 1.0, MAX_VEL_1 as f32, MAX_VEL_2 as f32];
        Space::boxed(high.map(|h| -h).to_vec(), high.to_vec())
    }

    fn reward_threshold(&self) -> Option<f64> {
        Some(-100.0)
    }

    fn max_episode_steps(&self) -> Option<usize> {
        self.config.max_episode_steps
    }
}

snapshot_of_state_field!(Acrobot, AcrobotState);
