//! Soft actor-critic: [`Sac`], its [`SacConfig`] and presets.

mod agent;
mod checkpoint;
mod config;
mod presets;
mod update;

pub use agent::Sac;
pub use config::{EntropyCoefficient, SacConfig};
pub use presets::SacPreset;
pub use update::{LOG_STD_MAX, LOG_STD_MIN};
