//! The training loop: runs an [`Agent`](crate::agent::Agent) in an
//! [`Environment`](crate::env::Environment) for a budget of steps or episodes, stops when the
//! task is solved, evaluates greedily on a separate seeded environment, reports progress on
//! stderr and returns a [`TrainSummary`] that prints as one JSON line.

mod checkpoint;
mod config;
mod envs;
mod evaluate;
mod loops;
mod progress;
mod record;
mod run;
mod stop;
mod summary;
mod trainer;

pub use checkpoint::{Checkpoints, checkpoint_summary};
pub use config::{MAX_EVAL_EPISODES, MAX_WINDOW, StopRule, TrainConfig};
pub use envs::{Envs, ResumableEnvs};
pub use evaluate::{Evaluation, evaluate};
pub use record::EpisodeRecord;
pub use stop::StopTracker;
pub use summary::TrainSummary;
pub use trainer::{Plain, Resumable, Trainer, train};
