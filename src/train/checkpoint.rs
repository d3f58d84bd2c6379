//! Training checkpoints: the run's bookkeeping, the environment's state and the agent's
//! training state in one file, written atomically.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::TrainSummary;
use super::run::{Run, RunState};
use crate::agent::{Checkpoint, MAX_COUNTER};
use crate::archive::Archive;
use crate::error::{ArtifactError, Error};

/// Where and how often a run saves its complete state.
///
/// A checkpoint is written after every `every_env_steps` environment steps and when the run
/// ends; it holds the agent's complete training state (see
/// [`Checkpoint`](crate::agent::Checkpoint)), the environment's (see
/// [`Snapshot`](crate::env::Snapshot)), the counters, the stop rule's window and the partial
/// episode, so [`Trainer::resume_from`](super::Trainer::resume_from) continues the run exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoints {
    /// The checkpoint file (replaced atomically each time).
    pub path: PathBuf,
    /// Environment steps between checkpoints.
    pub every_env_steps: u64,
}

impl Checkpoints {
    /// Whether a checkpoint is due after a step of `steps` environment steps that brought the
    /// run to `env_steps`, or after the run's last step.
    pub(super) fn due(&self, env_steps: u64, steps: u64, is_final: bool) -> bool {
        let every = self.every_env_steps.max(1);
        is_final || env_steps / every != env_steps.saturating_sub(steps) / every
    }

    /// Writes the run, the environment's state and the agent's training state.
    pub(super) fn write<S: Serialize, A: Checkpoint>(
        &self,
        seed: u64,
        run: &Run<'_>,
        env: &S,
        agent: &A,
        episode_so_far: (f64, u64),
    ) -> Result<(), Error> {
        let state = LoopState {
            seed,
            run: run.state(),
            episode_return: episode_so_far.0,
            episode_length: episode_so_far.1,
        };
        save(&self.path, &state, env, agent.training_state()?)
    }
}

/// Restores `run` and `agent` from the checkpoint at `path` (of a run seeded with `seed`);
/// returns the environment's state and the partial episode's return and length.
pub(super) fn resume<S: DeserializeOwned, A: Checkpoint>(
    path: &Path,
    seed: u64,
    run: &mut Run<'_>,
    agent: &mut A,
) -> Result<(S, f64, u64), Error> {
    let (state, env, agent_state) = load(path, seed)?;
    agent.restore_training_state(&agent_state)?;
    run.restore(state.run);
    Ok((env, state.episode_return, state.episode_length))
}

/// What the training loop stores besides the agent and the environment.
#[derive(Debug, Serialize, Deserialize)]
struct LoopState {
    seed: u64,
    run: RunState,
    episode_return: f64,
    episode_length: u64,
}

fn format_error(path: &Path, reason: impl Into<String>) -> Error {
    ArtifactError::Format {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
    .into()
}

/// Writes a checkpoint to `path`, atomically.
fn save<S: Serialize>(
    path: &Path,
    state: &LoopState,
    env: &S,
    agent: Vec<u8>,
) -> Result<(), Error> {
    let json =
        |value: serde_json::Result<Vec<u8>>| value.map_err(|e| format_error(path, e.to_string()));
    let mut archive = Archive::default();
    archive.put("run", json(serde_json::to_vec(state))?);
    archive.put("env", json(serde_json::to_vec(env))?);
    archive.put("agent", agent);
    archive.write(path).map_err(|source| {
        ArtifactError::Io {
            path: path.to_path_buf(),
            source,
        }
        .into()
    })
}

fn read(path: &Path) -> Result<(Archive, LoopState), Error> {
    let bytes = std::fs::read(path).map_err(|source| ArtifactError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let archive = Archive::decode(&bytes).map_err(|e| format_error(path, e))?;
    let run = archive.require("run").map_err(|e| format_error(path, e))?;
    let state: LoopState = serde_json::from_slice(run)
        .map_err(|e| format_error(path, format!("unreadable run state: {e}")))?;
    let summary = state.run.summary();
    let counters = [
        ("episodes", summary.episodes),
        ("env_steps", summary.env_steps),
        ("updates", summary.updates),
        ("episode_length", state.episode_length),
    ];
    if let Some((name, value)) = counters.iter().find(|(_, v)| *v > MAX_COUNTER) {
        return Err(format_error(
            path,
            format!("counter `{name}` is {value}, beyond any real run"),
        ));
    }
    Ok((archive, state))
}

/// What the run saved in the checkpoint at `path` had achieved when it was written (episodes,
/// steps, updates...): for tools that continue its logs.
pub fn checkpoint_summary(path: &Path) -> Result<TrainSummary, Error> {
    Ok(read(path)?.1.run.summary().clone())
}

/// Reads the checkpoint at `path`, checking it belongs to a run seeded with `seed`.
fn load<S: DeserializeOwned>(path: &Path, seed: u64) -> Result<(LoopState, S, Vec<u8>), Error> {
    let (archive, state) = read(path)?;
    let entry = |name: &str| archive.require(name).map_err(|e| format_error(path, e));
    if state.seed != seed {
        return Err(format_error(
            path,
            format!(
                "a checkpoint of a run seeded {}, resumed with seed {seed}",
                state.seed
            ),
        ));
    }
    let env = serde_json::from_slice(entry("env")?)
        .map_err(|e| format_error(path, format!("unreadable environment state: {e}")))?;
    Ok((state, env, entry("agent")?.to_vec()))
}
