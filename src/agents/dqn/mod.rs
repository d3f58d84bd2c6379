//! Deep Q-learning: [`Dqn`], its [`DqnConfig`], the tutorials' presets, and the
//! action-value source [`QValues`] a trained agent hands out for evaluation.

mod agent;
mod batch_check;
mod checkpoint;
mod config;
mod host_update;
mod presets;
mod update;
mod values;
mod vectorized;
mod weights;

pub use agent::Dqn;
pub use config::{DqnConfig, ScheduleUnit, TargetUpdate, TrainFrequency};
pub use presets::DqnPreset;
pub use values::QValues;
