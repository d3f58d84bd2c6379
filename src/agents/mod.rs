//! The learning agents: [`Dqn`] (deep Q-learning) and, sharing its building blocks
//! ([`OptimizerConfig`], [`ValueLoss`], the agent [`file`](mod@file) format), the actor-critic
//! and [`Ppo`].
//!
//! Each algorithm is its update on a shared core: DQN on the off-policy core (replay memory,
//! counts, update schedule, batch sampling, TD errors back to the memory), the actor-critic and PPO on
//! the on-policy core (a checked rollout of N copies, counts, update schedule).
//!
//! Agents are written on Burn tensors only: the same code runs on Flex, NdArray, wgpu or CUDA,
//! chosen by the device the network is built on.

pub mod actor_critic;
mod checks;
mod config_file;
pub mod dqn;
pub mod file;
mod loss;
mod normalization;
pub mod normalize;
mod off_policy;
mod on_policy;
mod optimizer;
mod optimizer_record;
pub mod ppo;
mod state;
mod training;

pub use actor_critic::{ActorCritic, ActorCriticConfig};
pub use checks::MAX_LEARNING_RATE;
pub use config_file::{config_from_json, read_config};
pub use dqn::{Dqn, DqnConfig};
pub use loss::{ValueLoss, clipped_surrogate};
pub use optimizer::OptimizerConfig;
pub use ppo::{Ppo, PpoConfig};
pub use training::DIVERGENCE_LOSS;
