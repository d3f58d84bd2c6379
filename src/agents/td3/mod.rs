//! Twin delayed deep deterministic policy gradient: [`Td3`], its [`Td3Config`] and presets.

mod agent;
mod checkpoint;
mod config;
mod presets;
mod update;

pub use agent::Td3;
pub use config::Td3Config;
pub use presets::Td3Preset;
