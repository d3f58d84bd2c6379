//! # cinder-rl
//!
//! Reinforcement-learning algorithms on the [Burn](https://burn.dev) deep-learning framework:
//! exact environments, replay memories, exploration policies and agents that train the same
//! way, number for number, every time they are given the same seed.
//!
//! The crate is layered; each layer depends only on the ones below it:
//!
//! | module | what it holds |
//! |---|---|
//! | [`artifacts`] | the run directory ([`RunDir`](artifacts::RunDir): identity, lock, resumption), metrics CSV, learning-curve PNG (feature `plot`), episode GIFs (feature `gif`) |
//! | [`train`] | the training loop: budgets, stop rules, evaluation, progress, JSON summary, checkpoints |
//! | [`agents`] | [`Dqn`](agents::Dqn) (with n-step returns, prioritized replay and dueling networks: the `rainbow` preset), [`ActorCritic`](agents::ActorCritic), [`Ppo`](agents::Ppo), [`Sac`](agents::Sac) and [`Td3`](agents::Td3), on Burn, running observation and reward normalisation, and the agent file for agents of your own |
//! | [`nn`] | the network traits the agents train, ready-made MLPs, CNN and dueling networks, parameter operations |
//! | [`agent`] | the [`Agent`](agent::Agent) trait every algorithm implements |
//! | [`policy`] | the [`Policy`](policy::Policy) trait, greedy / epsilon-greedy / categorical policies, exploration [`Schedule`](policy::Schedule)s |
//! | [`memory`] | the [`ReplayMemory`](memory::ReplayMemory) trait, action rows, batches, a uniform ring buffer and prioritized replay |
//! | [`env`](mod@env) | the [`Environment`](env::Environment) trait, spaces, wrappers, vectorized environments, rendering and pixel observations, snapshots, and the Gymnasium-exact [`CartPole`](env::CartPole), [`Acrobot`](env::Acrobot), [`MountainCar`](env::MountainCar), [`MountainCarContinuous`](env::MountainCarContinuous) and [`Pendulum`](env::Pendulum) |
//! | [`rng`] | seeded random-number generators and seed derivation |
//! | [`archive`] | the checksummed container of agent files and checkpoints, for tools that inspect them |
//! | [`error`] | one error enum per layer and the crate-wide [`Error`] |
//!
//! `env`, `memory`, `policy` and `agent` need no neural network and no Burn backend.
//!
//! ## How the pieces fit
//!
//! ```text
//! Trainer::run(agent, envs, eval_env)      one Environment, or a VecEnv of N copies
//!   └─ Agent<O, A> (act, observe), VecAgent<A> (N rows at once), Checkpoint
//!        ├─ Dqn<M: QNetwork, R: ReplayMemory, S: Schedule>, on the off-policy core
//!        ├─ Sac<A: ActorNetwork, Q: ContinuousQNetwork, R>, Td3<A, Q, R>, on the off-policy
//!        │    core with an action box and Twin<Q> critics
//!        ├─ ActorCritic<M: ActorCriticNetwork>, Ppo<M: PolicyValueNetwork>, on the on-policy
//!        │    core (rollout, normalisation)
//!        └─ your agent (agents::file saves it as the crate's agents are saved)
//!             ├─ ReplayMemory: push(&Transition<O, A>) ─ sample_into ─▶ Batch (ActionRows)
//!             ├─ Policy<O, A>: EpsilonGreedy<_, S>, Categorical, GaussianNoise<_>
//!             └─ Environment { Observation, Action }, Action: usize | [f32; N] | Vec<f32>
//!                  └─ Registry: make("Acrobot-v1") ─▶ AnyEnv (any environment by its id)
//! ```
//!
//! Actions are typed where environments and agents meet (`A = usize` unless said otherwise)
//! and stored as rows of numbers ([`ActionRows`](memory::ActionRows)): indices for a
//! discrete space, values for a box of any dimension.
//!
//! ```
//! use cinder_rl::env::{CartPole, CartPoleConfig, Environment};
//!
//! # fn main() -> Result<(), cinder_rl::Error> {
//! let mut env = CartPole::new(CartPoleConfig::v1())?;
//! let mut observation = env.reset(Some(42));
//! let mut episode_return = 0.0;
//! loop {
//!     // Push the cart towards the side the pole leans to.
//!     let action = usize::from(observation[2] > 0.0);
//!     let step = env.step(action)?;
//!     episode_return += step.reward;
//!     observation = step.observation;
//!     if step.done() {
//!         break;
//!     }
//! }
//! assert!(episode_return >= 8.0);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod action_shape;
pub mod agent;
pub mod agents;
pub mod archive;
pub mod artifacts;
mod atomic;
pub mod env;
pub mod error;
mod float_mode;
pub mod memory;
pub mod nn;
pub mod policy;
pub mod rng;
pub mod train;

pub use error::Error;

/// The Burn this crate is built on, so that a user's networks and devices match its version
/// without naming it in their own `Cargo.toml` (`cinder_rl::burn::tensor::Device`).
pub use burn;
/// The `rand` this crate's generators implement (`cinder_rl::rand::RngExt` to draw from a
/// [`SeededRng`](rng::SeededRng)).
pub use rand;

/// The README's code, compiled as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
