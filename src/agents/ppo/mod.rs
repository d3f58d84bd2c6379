//! Proximal policy optimisation: [`Ppo`], its [`PpoConfig`] and presets, on the on-policy
//! core the actor-critic shares.

mod agent;
mod checkpoint;
mod config;
mod presets;
mod update;

pub use agent::Ppo;
pub use config::PpoConfig;
pub use presets::PpoPreset;
