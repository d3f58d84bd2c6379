//! The learning agents: [`Dqn`] (deep Q-learning) and, sharing its building blocks
//! ([`OptimizerConfig`], [`ValueLoss`], the agent [`file`](mod@file) format), the actor-critic,
//! [`Ppo`], and for continuous actions [`Sac`] and [`Td3`].
//!
//! Each algorithm is its update on a shared core: DQN, SAC and TD3 on the off-policy core
//! (replay memory, counts, update schedule, batch sampling, TD errors back to the memory; SAC
//! and TD3 add the action box, the random warm-up and the twin critics' step), the
//! actor-critic and PPO on the on-policy core (a checked rollout of N copies, counts, update
//! schedule).
//!
//! Agents are written on Burn tensors only: the same code runs on Flex, NdArray, wgpu or CUDA,
//! chosen by the device the network is built on.

mod action_scale;
pub mod actor_critic;
mod batch_tensors;
mod checks;
mod config_file;
mod continuous;
mod critics;
pub mod dqn;
pub mod file;
mod host_adam;
mod loss;
mod n_step;
mod normalization;
pub mod normalize;
mod off_policy;
mod on_policy;
mod optimizer;
mod optimizer_record;
pub mod ppo;
pub mod sac;
mod state;
mod subnormals;
pub mod td3;
mod training;

pub use actor_critic::{ActorCritic, ActorCriticConfig};
pub use checks::MAX_LEARNING_RATE;
pub use config_file::{config_from_json, read_config};
pub use dqn::{Dqn, DqnConfig};
pub use loss::{ValueLoss, clipped_surrogate};
pub use optimizer::OptimizerConfig;
pub use ppo::{Ppo, PpoConfig};
pub use sac::{Sac, SacConfig};
pub use subnormals::{flush_subnormals, set_flush_subnormals};
pub use td3::{Td3, Td3Config};
pub use training::DIVERGENCE_LOSS;
