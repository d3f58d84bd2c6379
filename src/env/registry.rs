//! The environment registry: environments made by Gymnasium id, and yours by your own.

use std::collections::BTreeMap;
use std::fmt;

use super::{
    Acrobot, Action, ActionShape, AnyEnv, CartPole, CartPoleConfig, ClassicConfig, Environment,
    MountainCar, MountainCarContinuous, Pendulum, PendulumConfig, Render, Snapshot, Space,
};
use crate::error::EnvError;

/// What a registered environment is, read from one made at registration.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvSpec {
    /// The id it is made by (`"Pendulum-v1"`).
    pub id: String,
    /// Its action space.
    pub action_space: Space,
    /// Its observation space.
    pub observation_space: Space,
    /// Gymnasium's reward threshold (`None` where there is none, as for Pendulum-v1).
    pub reward_threshold: Option<f64>,
    /// The time limit (`None`: none).
    pub max_episode_steps: Option<usize>,
    /// Whether it draws pictures ([`Render`]).
    pub renders: bool,
}

/// An environment made by a [`Registry`], with the kind of actions its space has.
#[derive(Debug)]
pub enum MadeEnv {
    /// An environment with a discrete action space.
    Discrete(AnyEnv<usize>),
    /// An environment with a box action space.
    Continuous(AnyEnv<Vec<f32>>),
}

/// How an entry makes its environment, behind one type whatever the environment's.
trait Maker: Send + Sync {
    fn discrete(&self, id: &str) -> Result<AnyEnv<usize>, EnvError>;
    fn continuous(&self, id: &str) -> Result<AnyEnv<Vec<f32>>, EnvError>;
}

/// A constructor of environments wrapped in [`Unrendered`] or [`Drawn`].
struct Constructor<F>(F);

/// An environment that becomes an [`AnyEnv`] of any action type.
trait Wrapped: Sized {
    fn wrap<A: Action>(self, id: &str) -> Result<AnyEnv<A>, EnvError>;
}

/// An environment that does not render, registered with [`Registry::register`].
struct Unrendered<E>(E);

impl<E> Wrapped for Unrendered<E>
where
    E: Snapshot + 'static,
    E::Observation: AsRef<[f32]>,
    E::Action: Action,
{
    fn wrap<A: Action>(self, id: &str) -> Result<AnyEnv<A>, EnvError> {
        AnyEnv::new(id, self.0)
    }
}

/// An environment that renders, registered with [`Registry::register_rendered`].
struct Drawn<E>(E);

impl<E> Wrapped for Drawn<E>
where
    E: Snapshot + Render + 'static,
    E::Observation: AsRef<[f32]>,
    E::Action: Action,
{
    fn wrap<A: Action>(self, id: &str) -> Result<AnyEnv<A>, EnvError> {
        AnyEnv::rendered(id, self.0)
    }
}

impl<F, W> Maker for Constructor<F>
where
    F: Fn() -> Result<W, EnvError> + Send + Sync,
    W: Wrapped,
{
    fn discrete(&self, id: &str) -> Result<AnyEnv<usize>, EnvError> {
        (self.0)()?.wrap(id)
    }

    fn continuous(&self, id: &str) -> Result<AnyEnv<Vec<f32>>, EnvError> {
        (self.0)()?.wrap(id)
    }
}

/// The spec of the environment `env`, registered as `id`.
fn spec_of<A: Action>(env: &AnyEnv<A>) -> EnvSpec {
    EnvSpec {
        id: env.id().to_string(),
        action_space: env.action_space(),
        observation_space: env.observation_space(),
        reward_threshold: env.reward_threshold(),
        max_episode_steps: env.max_episode_steps(),
        renders: env.renders(),
    }
}

struct Entry {
    spec: EnvSpec,
    maker: Box<dyn Maker>,
}

/// Environments by id, made ready to use: the time limit and reward threshold are the
/// environment's own, as `gymnasium.make(id)` gives them.
///
/// [`Registry::new`] holds the crate's environments under their Gymnasium ids:
/// `CartPole-v0`, `CartPole-v1`, `Acrobot-v1`, `MountainCar-v0`, `MountainCarContinuous-v0`
/// and `Pendulum-v1`. Register your own with [`register`](Self::register) (or
/// [`register_rendered`](Self::register_rendered) when it implements [`Render`]): the
/// registry is a value you own and pass around, not global state, so two parts of a program
/// cannot change each other's environments.
///
/// ```
/// use cinder_rl::env::{ActionShape, Environment, MadeEnv, Registry};
///
/// # fn main() -> Result<(), cinder_rl::error::EnvError> {
/// let registry = Registry::new();
/// let mut pendulum = registry.make_continuous("Pendulum-v1")?;
/// assert_eq!(pendulum.reward_threshold(), None);
/// assert_eq!(pendulum.max_episode_steps(), Some(200));
/// pendulum.reset(Some(0));
/// pendulum.step(vec![1.5])?;
///
/// let spec = registry.spec("Acrobot-v1").unwrap();
/// assert_eq!(spec.action_space.action_shape(), ActionShape::Discrete);
/// assert_eq!(spec.reward_threshold, Some(-100.0));
/// match registry.make("MountainCar-v0")? {
///     MadeEnv::Discrete(mut env) => assert_eq!(env.reset(Some(0)).len(), 2),
///     MadeEnv::Continuous(_) => unreachable!("MountainCar-v0 has three discrete actions"),
/// }
/// assert!(registry.make("Pendulum-v2").is_err());
/// # Ok(())
/// # }
/// ```
pub struct Registry {
    entries: BTreeMap<String, Entry>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries.keys()).finish()
    }
}

impl Registry {
    /// A registry of the crate's environments, under their Gymnasium ids.
    pub fn new() -> Self {
        let mut registry = Self::empty();
        let registered = [
            registry.register_rendered("CartPole-v0", || CartPole::new(CartPoleConfig::v0())),
            registry.register_rendered("CartPole-v1", || CartPole::new(CartPoleConfig::v1())),
            registry.register_rendered("Acrobot-v1", || Acrobot::new(ClassicConfig::acrobot_v1())),
            registry.register_rendered("MountainCar-v0", || {
                MountainCar::new(ClassicConfig::mountain_car_v0())
            }),
            registry.register_rendered("MountainCarContinuous-v0", || {
                MountainCarContinuous::new(ClassicConfig::mountain_car_continuous_v0())
            }),
            registry.register_rendered("Pendulum-v1", || Pendulum::new(PendulumConfig::v1())),
        ];
        // The crate's own settings always build (a test checks every id is there).
        debug_assert!(registered.iter().all(Result::is_ok), "{registered:?}");
        registry
    }

    /// A registry without environments.
    pub fn empty() -> Self {
        Self {
            entries: BTreeMap::new(),
        }
    }

    /// Registers the environments `make` builds under `id`. `make` is called once here, to
    /// check that it builds and to read the [`EnvSpec`]; its error is returned. An `id` that
    /// is registered already, empty or with whitespace is an [`EnvError::InvalidId`].
    ///
    /// ```
    /// use cinder_rl::env::{CartPole, CartPoleConfig, Registry};
    ///
    /// # fn main() -> Result<(), cinder_rl::error::EnvError> {
    /// let mut registry = Registry::new();
    /// // CartPole with a longer time limit, under a name of your own.
    /// registry.register("CartPole-1000-v1", || {
    ///     CartPole::new(CartPoleConfig::v1().with_max_episode_steps(Some(1000)))
    /// })?;
    /// assert_eq!(registry.spec("CartPole-1000-v1").unwrap().max_episode_steps, Some(1000));
    /// assert!(registry.register("CartPole-v1", || CartPole::new(CartPoleConfig::v1())).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn register<E, F>(&mut self, id: &str, make: F) -> Result<(), EnvError>
    where
        F: Fn() -> Result<E, EnvError> + Send + Sync + 'static,
        E: Snapshot + 'static,
        E::Observation: AsRef<[f32]>,
        E::Action: Action,
    {
        self.insert(id, Constructor(move || make().map(Unrendered)))
    }

    /// [`register`](Self::register) for an environment that renders: the environments made
    /// draw themselves (pixel observations, GIFs of episodes).
    pub fn register_rendered<E, F>(&mut self, id: &str, make: F) -> Result<(), EnvError>
    where
        F: Fn() -> Result<E, EnvError> + Send + Sync + 'static,
        E: Snapshot + Render + 'static,
        E::Observation: AsRef<[f32]>,
        E::Action: Action,
    {
        self.insert(id, Constructor(move || make().map(Drawn)))
    }

    fn insert<F, W>(&mut self, id: &str, maker: Constructor<F>) -> Result<(), EnvError>
    where
        F: Fn() -> Result<W, EnvError> + Send + Sync + 'static,
        W: Wrapped + 'static,
    {
        let refuse = |reason: &str| EnvError::InvalidId {
            id: id.to_string(),
            reason: reason.to_string(),
        };
        if id.is_empty() || id.chars().any(char::is_whitespace) {
            return Err(refuse("an id is a non-empty name without whitespace"));
        }
        if self.entries.contains_key(id) {
            return Err(refuse(
                "the registry holds an environment of that id already",
            ));
        }
        // One environment, made here, says what the entry is.
        let spec = match maker.discrete(id) {
            Ok(env) => spec_of(&env),
            Err(EnvError::ActionSpaceMismatch { .. }) => spec_of(&maker.continuous(id)?),
            Err(other) => return Err(other),
        };
        let entry = Entry {
            spec,
            maker: Box::new(maker),
        };
        self.entries.insert(id.to_string(), entry);
        Ok(())
    }

    /// The registered ids, in alphabetical order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// What the environment registered as `id` is; `None` if there is none.
    pub fn spec(&self, id: &str) -> Option<&EnvSpec> {
        self.entries.get(id).map(|entry| &entry.spec)
    }

    fn entry(&self, id: &str) -> Result<&Entry, EnvError> {
        self.entries.get(id).ok_or_else(|| EnvError::UnknownEnv {
            id: id.to_string(),
            known: self.entries.keys().cloned().collect(),
        })
    }

    /// A new environment registered as `id`, of the kind its actions are; an unknown id is
    /// an [`EnvError::UnknownEnv`] that lists the registered ones.
    pub fn make(&self, id: &str) -> Result<MadeEnv, EnvError> {
        let entry = self.entry(id)?;
        match entry.spec.action_space.action_shape() {
            ActionShape::Discrete => entry.maker.discrete(id).map(MadeEnv::Discrete),
            ActionShape::Continuous { .. } => entry.maker.continuous(id).map(MadeEnv::Continuous),
        }
    }

    /// A new environment registered as `id`, with discrete actions; one with a box of actions
    /// is an [`EnvError::ActionSpaceMismatch`].
    pub fn make_discrete(&self, id: &str) -> Result<AnyEnv<usize>, EnvError> {
        self.entry(id)?.maker.discrete(id)
    }

    /// A new environment registered as `id`, with a box of actions; one with discrete actions
    /// is an [`EnvError::ActionSpaceMismatch`].
    pub fn make_continuous(&self, id: &str) -> Result<AnyEnv<Vec<f32>>, EnvError> {
        self.entry(id)?.maker.continuous(id)
    }
}

/// The crate's environment registered under the Gymnasium id `id`: `Registry::new().make(id)`.
///
/// ```
/// use cinder_rl::env::{MadeEnv, make};
///
/// # fn main() -> Result<(), cinder_rl::error::EnvError> {
/// let MadeEnv::Continuous(pendulum) = make("Pendulum-v1")? else { unreachable!() };
/// assert_eq!(pendulum.id(), "Pendulum-v1");
/// # Ok(())
/// # }
/// ```
pub fn make(id: &str) -> Result<MadeEnv, EnvError> {
    Registry::new().make(id)
}
