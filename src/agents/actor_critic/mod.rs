//! TD actor-critic and its synchronous multi-environment form (A2C): [`ActorCritic`], its
//! [`ActorCriticConfig`] and presets.

mod agent;
mod checkpoint;
mod config;
mod presets;
mod update;

pub use agent::ActorCritic;
pub use config::{ActorCriticConfig, MAX_ENVS, MAX_ROLLOUT, Returns};
pub use presets::ActorCriticPreset;
