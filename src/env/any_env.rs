//! [`AnyEnv`]: an environment of any observation and action types behind one type, as a
//! [`Registry`](super::Registry) makes them.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{Action, ActionRef, Environment, Frame, Render, Snapshot, Space, Step};
use crate::error::EnvError;

/// The state of an [`AnyEnv`]: the inner environment's [`Snapshot`] state, kept as its JSON.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AnySnapshot(Box<RawValue>);

impl AnySnapshot {
    /// The inner environment's state as JSON text.
    pub fn json(&self) -> &str {
        self.0.get()
    }
}

impl fmt::Debug for AnySnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AnySnapshot").field(&self.json()).finish()
    }
}

impl PartialEq for AnySnapshot {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json()
    }
}

/// What [`AnyEnv`] asks of the environment it holds, with observations as `Vec<f32>` and
/// actions of type `A`.
trait Erased<A> {
    fn reset(&mut self, seed: Option<u64>) -> Vec<f32>;
    fn step(&mut self, action: A) -> Result<Step<Vec<f32>>, EnvError>;
    fn action_space(&self) -> Space;
    fn observation_space(&self) -> Space;
    fn reward_threshold(&self) -> Option<f64>;
    fn max_episode_steps(&self) -> Option<usize>;
    fn snapshot(&self) -> AnySnapshot;
    fn restore(&mut self, state: AnySnapshot) -> Result<Vec<f32>, EnvError>;
    /// Whether the environment draws itself.
    fn renders(&self) -> bool;
    /// Draws into `frame`; `false` when the environment does not render.
    fn render_into(&self, frame: &mut Frame) -> bool;
    fn focus(&self) -> Option<f64>;
    fn screen_size(&self) -> (usize, usize);
}

/// An environment `E` with its drawing, when it has one.
struct Typed<E> {
    env: E,
    render: Option<Drawing<E>>,
}

/// How an environment `E` draws itself: its [`Render`] methods.
struct Drawing<E> {
    draw: fn(&E, &mut Frame),
    focus: fn(&E) -> Option<f64>,
    screen_size: fn(&E) -> (usize, usize),
}

impl<E: Render> Drawing<E> {
    fn of() -> Self {
        Self {
            draw: E::render_into,
            focus: E::focus,
            screen_size: E::screen_size,
        }
    }
}

impl<E> Typed<E>
where
    E: Snapshot,
    E::Action: Action,
{
    /// `action` as the environment's action type; one of another shape or length is the error
    /// the environment's action space gives for it.
    fn action<A: Action>(&self, action: &A) -> Result<E::Action, EnvError> {
        let row = action.encode();
        if let Some(action) = E::Action::decode(row) {
            return Ok(action);
        }
        let space = self.env.action_space();
        if let ActionRef::Values(values) = row {
            space.check_values(values)?;
        }
        Err(EnvError::ActionSpaceMismatch {
            action: std::any::type_name::<A>(),
            space: space.action_shape(),
        })
    }
}

impl<E, A> Erased<A> for Typed<E>
where
    E: Snapshot,
    E::Observation: AsRef<[f32]>,
    E::Action: Action,
    A: Action,
{
    fn reset(&mut self, seed: Option<u64>) -> Vec<f32> {
        self.env.reset(seed).as_ref().to_vec()
    }

    fn step(&mut self, action: A) -> Result<Step<Vec<f32>>, EnvError> {
        let action = self.action(&action)?;
        let step = self.env.step(action)?;
        Ok(Step::new(
            step.observation.as_ref().to_vec(),
            step.reward,
            step.terminated,
            step.truncated,
        ))
    }

    fn action_space(&self) -> Space {
        self.env.action_space()
    }

    fn observation_space(&self) -> Space {
        self.env.observation_space()
    }

    fn reward_threshold(&self) -> Option<f64> {
        self.env.reward_threshold()
    }

    fn max_episode_steps(&self) -> Option<usize> {
        self.env.max_episode_steps()
    }

    fn snapshot(&self) -> AnySnapshot {
        // A state that JSON cannot hold (a map with non-string keys) is kept as the reason,
        // which `restore` then refuses.
        let json = serde_json::to_string(&self.env.snapshot())
            .unwrap_or_else(|e| serde_json::json!({ "unserializable": e.to_string() }).to_string());
        AnySnapshot(RawValue::from_string(json).unwrap_or_default())
    }

    fn restore(&mut self, state: AnySnapshot) -> Result<Vec<f32>, EnvError> {
        let state = serde_json::from_str(state.json())
            .map_err(|e| EnvError::Snapshot(format!("{e} in {}", state.json())))?;
        Ok(self.env.restore(state)?.as_ref().to_vec())
    }

    fn renders(&self) -> bool {
        self.render.is_some()
    }

    fn render_into(&self, frame: &mut Frame) -> bool {
        self.render
            .as_ref()
            .map(|render| (render.draw)(&self.env, frame))
            .is_some()
    }

    fn focus(&self) -> Option<f64> {
        self.render
            .as_ref()
            .and_then(|render| (render.focus)(&self.env))
    }

    fn screen_size(&self) -> (usize, usize) {
        match &self.render {
            Some(render) => (render.screen_size)(&self.env),
            None => (600, 400),
        }
    }
}

/// An environment of any type behind one: observations are `Vec<f32>`, actions are `A`
/// (`usize` for a discrete space, `Vec<f32>` for a box), and its snapshots are its
/// environment's, as JSON. [`Registry::make`](super::Registry::make) returns these, so that
/// code that picks an environment by name (a runner, a command line) is written once.
///
/// Every call goes through to the environment it holds: the same observations, rewards, flags,
/// errors and snapshots, bit for bit.
///
/// ```
/// use cinder_rl::env::{AnyEnv, CartPole, CartPoleConfig, Environment};
///
/// # fn main() -> Result<(), cinder_rl::error::EnvError> {
/// let mut env: AnyEnv<usize> = AnyEnv::rendered("CartPole-v1", CartPole::new(CartPoleConfig::v1())?)?;
/// let mut typed = CartPole::new(CartPoleConfig::v1())?;
/// assert_eq!(env.reset(Some(7)), typed.reset(Some(7)).to_vec());
/// assert_eq!(env.step(1)?.observation, typed.step(1)?.observation.to_vec());
/// # Ok(())
/// # }
/// ```
pub struct AnyEnv<A = usize> {
    id: String,
    inner: Box<dyn Erased<A>>,
}

impl<A: Action> AnyEnv<A> {
    /// `env` under the name `id`, drawing nothing (a white frame) when rendered; an `env`
    /// whose actions are not `A`'s kind is an [`EnvError::ActionSpaceMismatch`].
    pub fn new<E>(id: impl Into<String>, env: E) -> Result<Self, EnvError>
    where
        E: Snapshot + 'static,
        E::Observation: AsRef<[f32]>,
        E::Action: Action,
    {
        Self::typed(id.into(), env, None)
    }

    /// `env` under the name `id`, drawn by its own [`Render`]; an `env` whose actions are not
    /// `A`'s kind is an [`EnvError::ActionSpaceMismatch`].
    pub fn rendered<E>(id: impl Into<String>, env: E) -> Result<Self, EnvError>
    where
        E: Snapshot + Render + 'static,
        E::Observation: AsRef<[f32]>,
        E::Action: Action,
    {
        Self::typed(id.into(), env, Some(Drawing::of()))
    }

    fn typed<E>(id: String, env: E, render: Option<Drawing<E>>) -> Result<Self, EnvError>
    where
        E: Snapshot + 'static,
        E::Observation: AsRef<[f32]>,
        E::Action: Action,
    {
        A::fit(&env.action_space())?;
        Ok(Self {
            id,
            inner: Box::new(Typed { env, render }),
        })
    }

    /// The name it was made under.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether it draws pictures (else [`Render`] gives white frames).
    pub fn renders(&self) -> bool {
        self.inner.renders()
    }
}

impl<A> fmt::Debug for AnyEnv<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnyEnv").field("id", &self.id).finish()
    }
}

impl<A: Action> Environment for AnyEnv<A> {
    type Observation = Vec<f32>;
    type Action = A;

    fn reset(&mut self, seed: Option<u64>) -> Vec<f32> {
        self.inner.reset(seed)
    }

    fn step(&mut self, action: A) -> Result<Step<Vec<f32>>, EnvError> {
        self.inner.step(action)
    }

    fn action_space(&self) -> Space {
        self.inner.action_space()
    }

    fn observation_space(&self) -> Space {
        self.inner.observation_space()
    }

    fn reward_threshold(&self) -> Option<f64> {
        self.inner.reward_threshold()
    }

    fn max_episode_steps(&self) -> Option<usize> {
        self.inner.max_episode_steps()
    }
}

impl<A: Action> Snapshot for AnyEnv<A> {
    type State = AnySnapshot;

    fn snapshot(&self) -> AnySnapshot {
        self.inner.snapshot()
    }

    /// A state that is not the held environment's is an [`EnvError::Snapshot`].
    fn restore(&mut self, state: AnySnapshot) -> Result<Vec<f32>, EnvError> {
        self.inner.restore(state)
    }
}

impl<A: Action> Render for AnyEnv<A> {
    /// The held environment's picture, or a white frame when it does not render.
    fn render_into(&self, frame: &mut Frame) {
        if !self.inner.render_into(frame) {
            frame.fill([255; 3]);
        }
    }

    fn focus(&self) -> Option<f64> {
        self.inner.focus()
    }

    fn screen_size(&self) -> (usize, usize) {
        self.inner.screen_size()
    }
}
