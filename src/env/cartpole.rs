//! CartPole, equal to Gymnasium 1.4.0's `CartPole-v0`/`CartPole-v1` bit for bit.

use serde::{Deserialize, Serialize};

use super::cartpole_rng::ResetRng;
use super::{Environment, GymRng, Snapshot, Space, Step};
use crate::error::EnvError;

const GRAVITY: f64 = 9.8;
const MASS_CART: f64 = 1.0;
const MASS_POLE: f64 = 0.1;
const TOTAL_MASS: f64 = MASS_POLE + MASS_CART;
/// Half the pole's length.
pub(crate) const LENGTH: f64 = 0.5;
const POLE_MASS_LENGTH: f64 = MASS_POLE * LENGTH;
const FORCE_MAG: f64 = 10.0;
/// Seconds between state updates.
const TAU: f64 = 0.02;
/// 12 degrees, evaluated as Gymnasium does (`12 * 2 * pi / 360`): one ulp below
/// `12f64.to_radians()`.
pub(crate) const THETA_THRESHOLD: f64 = 12.0 * 2.0 * std::f64::consts::PI / 360.0;
pub(crate) const X_THRESHOLD: f64 = 2.4;

/// What [`CartPole::step`] does when called after the episode ended without a `reset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AfterDone {
    /// Return [`EnvError::EpisodeEnded`] (the default): stepping a finished episode is almost
    /// always a bug in the caller's loop.
    #[default]
    Error,
    /// Gymnasium's behaviour: the physics keeps integrating, `terminated` is worked out again
    /// from the new state, a repeated termination pays 0 (Sutton-Barto: -1), and once the time
    /// limit is reached every further step is `truncated`.
    Continue,
}

/// The interval `[low, high)` each state component is drawn from on reset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResetBounds {
    /// Inclusive lower bound.
    pub low: f64,
    /// Exclusive upper bound.
    pub high: f64,
}

impl Default for ResetBounds {
    /// Gymnasium's `[-0.05, 0.05)`.
    fn default() -> Self {
        Self {
            low: -0.05,
            high: 0.05,
        }
    }
}

/// Settings of a [`CartPole`]; start from [`CartPoleConfig::v1`] or [`CartPoleConfig::v0`].
#[derive(Debug, Clone, PartialEq)]
pub struct CartPoleConfig {
    /// Steps after which the episode is truncated (500 for v1, 200 for v0); `None` for no limit.
    pub max_episode_steps: Option<usize>,
    /// Mean return over 100 episodes that counts as solved (475 for v1, 195 for v0).
    pub reward_threshold: f64,
    /// Gymnasium's `sutton_barto_reward`: 0 per step and -1 on termination, instead of 1 per
    /// step.
    pub sutton_barto_reward: bool,
    /// The interval the initial state is drawn from.
    pub reset_bounds: ResetBounds,
    /// What stepping a finished episode does.
    pub after_done: AfterDone,
}

impl CartPoleConfig {
    /// `CartPole-v1`: truncated at 500 steps, solved at 475.
    pub fn v1() -> Self {
        Self {
            max_episode_steps: Some(500),
            reward_threshold: 475.0,
            sutton_barto_reward: false,
            reset_bounds: ResetBounds::default(),
            after_done: AfterDone::Error,
        }
    }

    /// `CartPole-v0`: truncated at 200 steps, solved at 195.
    pub fn v0() -> Self {
        Self {
            max_episode_steps: Some(200),
            reward_threshold: 195.0,
            ..Self::v1()
        }
    }

    /// Sets the time limit (`None`: no truncation).
    pub fn with_max_episode_steps(mut self, max_episode_steps: Option<usize>) -> Self {
        self.max_episode_steps = max_episode_steps;
        self
    }

    /// Uses Gymnasium's Sutton-Barto reward (0 per step, -1 on termination).
    pub fn with_sutton_barto_reward(mut self, sutton_barto_reward: bool) -> Self {
        self.sutton_barto_reward = sutton_barto_reward;
        self
    }

    /// Draws each initial state component from `[low, high)` instead of `[-0.05, 0.05)`.
    pub fn with_reset_bounds(mut self, low: f64, high: f64) -> Self {
        self.reset_bounds = ResetBounds { low, high };
        self
    }

    /// Chooses what stepping a finished episode does.
    pub fn with_after_done(mut self, after_done: AfterDone) -> Self {
        self.after_done = after_done;
        self
    }

    fn validate(&self) -> Result<(), EnvError> {
        let ResetBounds { low, high } = self.reset_bounds;
        if !(low.is_finite() && high.is_finite() && low <= high) {
            return Err(EnvError::InvalidConfig {
                field: "reset_bounds",
                reason: format!("need finite low <= high, got [{low}, {high})"),
            });
        }
        if self.max_episode_steps == Some(0) {
            return Err(EnvError::InvalidConfig {
                field: "max_episode_steps",
                reason: "must be at least 1 (or None for no limit)".into(),
            });
        }
        if !self.reward_threshold.is_finite() {
            return Err(EnvError::InvalidConfig {
                field: "reward_threshold",
                reason: format!("must be finite, got {}", self.reward_threshold),
            });
        }
        Ok(())
    }
}

/// A pole hinged on a cart that moves along a frictionless track; push the cart left (action
/// 0) or right (action 1) to keep the pole upright.
///
/// Physics, termination, rewards, truncation and observation rounding equal Gymnasium
/// 1.4.0's `gym.make("CartPole-v1")` bit for bit (the internal state is `f64`; observations are
/// that state rounded to `f32`). The episode terminates when the cart leaves `[-2.4, 2.4]` or
/// the pole leans more than 12 degrees, and is truncated by the configured time limit.
///
/// Stepping before the first reset is [`EnvError::ResetNeeded`]; stepping after the episode
/// ended is [`EnvError::EpisodeEnded`] unless [`AfterDone::Continue`] asks for Gymnasium's
/// behaviour.
///
/// Resets are seed-exact too: `reset(Some(s))` starts where `gymnasium.make("CartPole-v1")
/// .reset(seed=s)` does, for any `u64` seed, by drawing the state from numpy's generator
/// ([`GymRng`]). Until a seed is given, resets draw from a generator seeded from the operating
/// system's entropy.
///
/// ```
/// use cinder_rl::env::{CartPole, CartPoleConfig, Environment};
///
/// # fn main() -> Result<(), cinder_rl::error::EnvError> {
/// let mut env = CartPole::new(CartPoleConfig::v1())?;
/// let first = env.reset(Some(0));
/// assert_eq!(first, CartPole::new(CartPoleConfig::v1())?.reset(Some(0)));
/// let step = env.step(1)?;
/// assert_eq!(step.reward, 1.0);
/// assert!(!step.done());
/// assert!(env.step(2).is_err()); // only 0 and 1 are actions
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct CartPole {
    config: CartPoleConfig,
    /// Everything that changes as the environment runs: what a snapshot holds.
    live: CartPoleState,
}

impl CartPole {
    /// A CartPole with the given settings; an invalid setting is an
    /// [`EnvError::InvalidConfig`].
    pub fn new(config: CartPoleConfig) -> Result<Self, EnvError> {
        config.validate()?;
        Ok(Self {
            config,
            live: CartPoleState {
                state: [0.0; 4],
                rng: ResetRng::Gym(GymRng::from_entropy()),
                elapsed_steps: 0,
                steps_beyond_terminated: None,
                has_reset: false,
                done: false,
            },
        })
    }

    /// The settings.
    pub fn config(&self) -> &CartPoleConfig {
        &self.config
    }

    /// The exact internal state `[x, x_dot, theta, theta_dot]`.
    pub fn state(&self) -> [f64; 4] {
        self.live.state
    }

    /// Replaces the internal state, as assigning Gymnasium's `env.unwrapped.state` does: the
    /// step counter and the termination bookkeeping are left as they are.
    ///
    /// A component that is not finite is an [`EnvError::InvalidConfig`].
    pub fn set_state(&mut self, state: [f64; 4]) -> Result<(), EnvError> {
        if let Some(bad) = state.iter().find(|v| !v.is_finite()) {
            return Err(EnvError::InvalidConfig {
                field: "state",
                reason: format!("every component must be finite, got {bad}"),
            });
        }
        self.live.state = state;
        Ok(())
    }

    /// Steps taken since the last reset.
    pub fn elapsed_steps(&self) -> usize {
        self.live.elapsed_steps
    }

    /// The observation of the current state: each component rounded to `f32`.
    pub fn observation(&self) -> [f32; 4] {
        self.live.state.map(|v| v as f32)
    }

    /// One Euler step of the dynamics from `state` under `force`, with Gymnasium's exact
    /// evaluation order.
    fn integrate(state: [f64; 4], force: f64) -> [f64; 4] {
        let [x, x_dot, theta, theta_dot] = state;
        let cos_theta = theta.cos();
        let sin_theta = theta.sin();
        let temp = (force + (POLE_MASS_LENGTH * (theta_dot * theta_dot)) * sin_theta) / TOTAL_MASS;
        let theta_acc = (GRAVITY * sin_theta - cos_theta * temp)
            / (LENGTH * (4.0 / 3.0 - (MASS_POLE * (cos_theta * cos_theta)) / TOTAL_MASS));
        let x_acc = temp - ((POLE_MASS_LENGTH * theta_acc) * cos_theta) / TOTAL_MASS;
        [
            x + TAU * x_dot,
            x_dot + TAU * x_acc,
            theta + TAU * theta_dot,
            theta_dot + TAU * theta_acc,
        ]
    }

    /// Strict inequalities, written as Gymnasium writes them.
    #[allow(clippy::manual_range_contains)]
    fn is_terminal(state: &[f64; 4]) -> bool {
        let [x, _, theta, _] = *state;
        x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD || theta > THETA_THRESHOLD
    }

    /// The reward of a step, updating Gymnasium's after-termination bookkeeping.
    fn reward(&mut self, terminated: bool) -> f64 {
        let sutton_barto = self.config.sutton_barto_reward;
        if !terminated {
            return if sutton_barto { 0.0 } else { 1.0 };
        }
        match &mut self.live.steps_beyond_terminated {
            None => {
                self.live.steps_beyond_terminated = Some(0);
                if sutton_barto { -1.0 } else { 1.0 }
            }
            Some(beyond) => {
                *beyond += 1;
                if sutton_barto { -1.0 } else { 0.0 }
            }
        }
    }
}

impl Environment for CartPole {
    type Observation = [f32; 4];
    type Action = usize;

    fn reset(&mut self, seed: Option<u64>) -> [f32; 4] {
        if let Some(seed) = seed {
            self.live.rng = ResetRng::Gym(GymRng::seeded(seed));
        }
        let ResetBounds { low, high } = self.config.reset_bounds;
        for v in &mut self.live.state {
            *v = self.live.rng.uniform(low, high);
        }
        self.live.elapsed_steps = 0;
        self.live.steps_beyond_terminated = None;
        self.live.has_reset = true;
        self.live.done = false;
        self.observation()
    }

    fn step(&mut self, action: usize) -> Result<Step<[f32; 4]>, EnvError> {
        if action > 1 {
            return Err(EnvError::InvalidAction {
                action,
                n_actions: 2,
            });
        }
        if !self.live.has_reset {
            return Err(EnvError::ResetNeeded);
        }
        if self.live.done && self.config.after_done == AfterDone::Error {
            return Err(EnvError::EpisodeEnded);
        }
        let force = if action == 1 { FORCE_MAG } else { -FORCE_MAG };
        self.live.state = Self::integrate(self.live.state, force);
        let terminated = Self::is_terminal(&self.live.state);
        let reward = self.reward(terminated);
        self.live.elapsed_steps += 1;
        let truncated = self
            .config
            .max_episode_steps
            .is_some_and(|limit| self.live.elapsed_steps >= limit);
        self.live.done |= terminated || truncated;
        Ok(Step::new(self.observation(), reward, terminated, truncated))
    }

    fn action_space(&self) -> Space {
        Space::discrete(2)
    }

    fn observation_space(&self) -> Space {
        let x = (2.0 * X_THRESHOLD) as f32;
        let theta = (2.0 * THETA_THRESHOLD) as f32;
        let high = vec![x, f32::INFINITY, theta, f32::INFINITY];
        let low = high.iter().map(|h| -h).collect();
        Space::boxed(low, high)
    }

    fn reward_threshold(&self) -> Option<f64> {
        Some(self.config.reward_threshold)
    }

    fn max_episode_steps(&self) -> Option<usize> {
        self.config.max_episode_steps
    }
}

/// Everything a [`CartPole`] needs to continue exactly: see [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartPoleState {
    state: [f64; 4],
    rng: ResetRng,
    elapsed_steps: usize,
    /// Gymnasium's `steps_beyond_terminated`: `None` until the first terminating step.
    steps_beyond_terminated: Option<u64>,
    has_reset: bool,
    done: bool,
}

impl Snapshot for CartPole {
    type State = CartPoleState;

    fn snapshot(&self) -> CartPoleState {
        self.live.clone()
    }

    /// A state that is not finite is an [`EnvError::InvalidConfig`].
    fn restore(&mut self, state: CartPoleState) -> Result<[f32; 4], EnvError> {
        self.set_state(state.state)?;
        self.live = state;
        Ok(self.observation())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restored_snapshot_continues_identically() {
        let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
        env.reset(Some(3));
        env.step(1).unwrap();
        let snapshot = env.snapshot();
        let json = serde_json::to_string(&snapshot).unwrap();
        let run = |env: &mut CartPole| -> Vec<[f32; 4]> {
            (0..300)
                .map(|t| {
                    let step = env.step(t % 2).unwrap();
                    if step.done() {
                        env.reset(None)
                    } else {
                        step.observation
                    }
                })
                .collect()
        };
        let straight = run(&mut env);
        let mut other = CartPole::new(CartPoleConfig::v1()).unwrap();
        let observation = other.restore(serde_json::from_str(&json).unwrap()).unwrap();
        assert_eq!(observation, snapshot.state.map(|v| v as f32));
        assert_eq!(run(&mut other), straight);
    }

    #[test]
    fn snapshots_from_before_seed_exact_resets_continue_as_they_did() {
        // A snapshot taken after `reset(Some(3))` and one step when resets drew from the
        // crate's xoshiro generator, and the two unseeded resets that followed it then.
        let old = r#"{"state":[-0.044559023012601486,0.2093687000704881,0.037391051315385365,-0.24639884251543853],"rng":{"s":[14345191682147161016,1685906213481463132,10666639186233946450,15931696841342550034]},"elapsed_steps":1,"steps_beyond_terminated":null,"has_reset":true,"done":false}"#;
        let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
        env.restore(serde_json::from_str(old).unwrap()).unwrap();
        assert_eq!(
            env.reset(None),
            [0.012679613, -0.03888051, -0.031981394, 0.012451721]
        );
        assert_eq!(
            env.reset(None),
            [0.005477398, -0.04745813, 0.007669633, -0.03007104]
        );
        // A seeded reset switches to numpy's generator: Gymnasium's reset(seed=42).
        env.reset(Some(42));
        assert_eq!(env.state()[0], 0.027395604855596334);
        let snapshot = env.snapshot();
        assert!(matches!(snapshot.rng, ResetRng::Gym(_)));
        let json = serde_json::to_string(&snapshot).unwrap();
        assert_eq!(
            serde_json::from_str::<CartPoleState>(&json).unwrap(),
            snapshot
        );
        let unknown = json.replace("\"pcg\"", "\"mt\"");
        let error = serde_json::from_str::<CartPoleState>(&unknown).unwrap_err();
        assert!(error.to_string().contains("unknown field `mt`"), "{error}");
    }

    #[test]
    fn constants_match_gymnasium_bits() {
        assert_eq!(THETA_THRESHOLD, 0.20943951023931953);
        assert_eq!(TOTAL_MASS, 1.1);
        assert_eq!(POLE_MASS_LENGTH, 0.05);
    }

    #[test]
    fn invalid_config_is_rejected() {
        let bad = CartPoleConfig::v1().with_reset_bounds(0.1, -0.1);
        assert!(matches!(
            CartPole::new(bad),
            Err(EnvError::InvalidConfig {
                field: "reset_bounds",
                ..
            })
        ));
        let bad = CartPoleConfig::v1().with_max_episode_steps(Some(0));
        assert!(matches!(
            CartPole::new(bad),
            Err(EnvError::InvalidConfig {
                field: "max_episode_steps",
                ..
            })
        ));
    }

    #[test]
    fn reset_draws_within_custom_bounds_and_repeats_with_a_seed() {
        let mut env = CartPole::new(CartPoleConfig::v1().with_reset_bounds(0.2, 0.3)).unwrap();
        for seed in 0..50 {
            env.reset(Some(seed));
            assert!(env.state().iter().all(|v| (0.2..0.3).contains(v)));
        }
        let a = env.reset(Some(9));
        let a_next = env.reset(None);
        assert_eq!(a, env.reset(Some(9)));
        assert_eq!(a_next, env.reset(None));
        assert_ne!(a, a_next);
    }
}
