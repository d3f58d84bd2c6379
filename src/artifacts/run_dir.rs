//! The run directory: one run's files, its identity and its lock.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use super::{MetricsWriter, RunIdentity, io_error, read_metrics};
use crate::atomic::{is_temporary, write_atomic};
use crate::error::{ArtifactError, Error};
use crate::train::{
    Checkpoints, EpisodeRecord, Resumable, TrainConfig, TrainSummary, Trainer, checkpoint_summary,
};

/// The run's identity (see [`RunIdentity`]).
pub const IDENTITY_FILE: &str = "run.json";
/// One row per finished episode (see [`MetricsWriter`]).
pub const METRICS_FILE: &str = "metrics.csv";
/// The complete training state (see [`Checkpoints`]).
pub const CHECKPOINT_FILE: &str = "checkpoint.cinder";
/// The trained agent.
pub const AGENT_FILE: &str = "agent.cinder";
/// The learning curve.
pub const CURVE_FILE: &str = "learning_curve.png";
/// One greedy episode of the trained agent.
pub const GIF_FILE: &str = "episode.gif";
/// Held locked by the process that runs in the directory.
const LOCK_FILE: &str = ".lock";
/// Files of a run, this version's and earlier ones': a directory holding any of them holds a
/// run.
const RUN_FILES: [&str; 7] = [
    IDENTITY_FILE,
    METRICS_FILE,
    CHECKPOINT_FILE,
    AGENT_FILE,
    CURVE_FILE,
    GIF_FILE,
    "agent_config.json",
];
/// How many numbered names [`RunDir::create_numbered`] tries.
const MAX_NUMBERED: usize = 10_000;

/// A directory that holds one training run: its identity (`run.json`), metrics log,
/// checkpoint, saved agent, learning curve and GIF, under an exclusive lock that the process
/// holds for as long as the `RunDir` lives (the operating system drops it when the process
/// ends, killed or not, so a dead run never blocks the next).
///
/// Nothing is lost: a fresh run never touches a directory that already holds a run (unless
/// told to [`replace`](Self::replace) it), two processes never run in one directory, and a
/// resume checks everything (the identity, the checkpoint, the metrics log, and, through the
/// trainer, the agent's and environment's states) before it writes a byte. Temporary files a
/// killed writer left behind are removed when the next run starts in the directory.
///
/// ```
/// use cinder_rl::artifacts::{RunDir, RunIdentity};
/// use cinder_rl::env::{CartPole, CartPoleConfig};
/// use cinder_rl::train::{StopRule, TrainConfig};
/// # use cinder_rl::agent::{Agent, Checkpoint, Learned, Mode};
/// # use cinder_rl::memory::Transition;
/// # struct Lean;
/// # impl Agent<[f32; 4]> for Lean {
/// #     fn act(&mut self, o: &[f32; 4], _: Mode) -> Result<usize, cinder_rl::error::AgentError> { Ok(usize::from(o[2] + 0.5 * o[3] > 0.0)) }
/// #     fn observe(&mut self, _: &Transition<[f32; 4]>) -> Result<Learned, cinder_rl::error::AgentError> { Ok(Learned::default()) }
/// #     fn save(&self, _: &std::path::Path) -> Result<(), cinder_rl::error::AgentError> { Ok(()) }
/// #     fn load(&mut self, _: &std::path::Path) -> Result<(), cinder_rl::error::AgentError> { Ok(()) }
/// # }
/// # impl Checkpoint for Lean {
/// #     fn training_state(&self) -> Result<Vec<u8>, cinder_rl::error::AgentError> { Ok(Vec::new()) }
/// #     fn restore_training_state(&mut self, _: &[u8]) -> Result<(), cinder_rl::error::AgentError> { Ok(()) }
/// # }
///
/// # fn main() -> Result<(), cinder_rl::Error> {
/// # let base = std::env::temp_dir().join(format!("cinder-run-dir-doc-{}", std::process::id()));
/// let identity = RunIdentity::new("lean", "CartPole-v1", "default", 0);
/// // `runs/lean-seed0`, or `-2`, `-3`... when taken: never an earlier run's directory.
/// let run = RunDir::create_numbered(base.join("lean-seed0"), identity.clone())?;
/// let config = TrainConfig::new(0).with_max_env_steps(Some(2_000)).with_log_every_episodes(0);
/// let (mut env, mut eval_env) = (CartPole::new(CartPoleConfig::v1())?, CartPole::new(CartPoleConfig::v1())?);
/// let summary = run.trainer(config.clone(), 500).run(&mut Lean, &mut env, &mut eval_env)?;
/// assert_eq!(run.records()?.len() as u64, summary.episodes);
/// let path = run.path().to_path_buf();
/// drop(run); // releases the lock
///
/// // A second fresh run into the same directory is refused; a resume continues it.
/// assert!(RunDir::create(&path, identity.clone()).is_err());
/// let resumed = RunDir::resume(&path, &identity)?;
/// let more = config.with_max_env_steps(Some(3_000));
/// let summary = resumed.trainer(more, 500).run(&mut Lean, &mut env, &mut eval_env)?;
/// assert_eq!(summary.env_steps, 3_000);
/// # drop(resumed);
/// # std::fs::remove_dir_all(&base).unwrap();
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
    identity: RunIdentity,
    /// The checkpoint's counters when the run was resumed.
    resumed: Option<TrainSummary>,
    _lock: File,
}

impl RunDir {
    /// Starts a run in `path` (created if missing). A directory that already holds a run is
    /// [`ArtifactError::RunExists`]; one in use by another process [`ArtifactError::Locked`].
    pub fn create(path: impl Into<PathBuf>, identity: RunIdentity) -> Result<Self, Error> {
        let path = checked_path(path.into())?;
        // Checked before the lock too, so that a run of an earlier layout (no lock file) is
        // refused without gaining one; and again under the lock.
        if holds_run(&path) {
            return Err(ArtifactError::RunExists { path }.into());
        }
        let lock = lock(&path, true)?;
        if holds_run(&path) {
            return Err(ArtifactError::RunExists { path }.into());
        }
        Self::start(path, identity, lock)
    }

    /// Starts a run in `path`, replacing the run it holds: the old run's files are removed
    /// only once this process holds the directory's lock (a directory in use by another
    /// process is [`ArtifactError::Locked`], and nothing is removed). Files that are not a
    /// run's are left alone.
    pub fn replace(path: impl Into<PathBuf>, identity: RunIdentity) -> Result<Self, Error> {
        let path = checked_path(path.into())?;
        let lock = lock(&path, true)?;
        for name in RUN_FILES {
            let file = path.join(name);
            if file.exists() {
                std::fs::remove_file(&file).map_err(|e| io_error(&file, e))?;
            }
        }
        Self::start(path, identity, lock)
    }

    /// Starts a run in `base`, or, when `base` holds a run or is in use, in the first free
    /// `base-2`, `base-3`, ...: the default directory of a run never replaces another.
    pub fn create_numbered(base: impl Into<PathBuf>, identity: RunIdentity) -> Result<Self, Error> {
        let base = checked_path(base.into())?;
        for n in 1..=MAX_NUMBERED {
            let path = if n == 1 {
                base.clone()
            } else {
                let mut name = base.file_name().unwrap_or_default().to_os_string();
                name.push(format!("-{n}"));
                base.with_file_name(name)
            };
            if holds_run(&path) {
                continue;
            }
            match Self::create(&path, identity.clone()) {
                Err(Error::Artifact(
                    ArtifactError::RunExists { .. } | ArtifactError::Locked { .. },
                )) => {}
                other => return other,
            }
        }
        Err(ArtifactError::InvalidPath {
            path: base,
            reason: format!("{MAX_NUMBERED} numbered directories are all taken"),
        }
        .into())
    }

    /// Opens the run in `path` to continue it, writing nothing: `identity` must match the
    /// saved one but for the training settings (see [`RunIdentity::differences`], otherwise
    /// [`ArtifactError::Mismatch`] lists what differs), and the checkpoint and metrics log
    /// must be readable and agree (otherwise [`ArtifactError::NotResumable`] or the reader's
    /// error). The agent's and environment's states are checked when the
    /// [`trainer`](Self::trainer) restores them, still before anything is written.
    pub fn resume(path: impl Into<PathBuf>, identity: &RunIdentity) -> Result<Self, Error> {
        let path = checked_path(path.into())?;
        let not_resumable = |reason: String| ArtifactError::NotResumable {
            path: path.clone(),
            reason,
        };
        if !path.join(IDENTITY_FILE).is_file() {
            return Err(not_resumable(format!("no {IDENTITY_FILE}: it holds no run")).into());
        }
        // The identity is checked before the lock is taken (a directory of an earlier layout,
        // which has no lock file, gets none), and again under the lock, in case another
        // process replaced the run in between.
        let check_identity = |path: &PathBuf| -> Result<RunIdentity, Error> {
            let saved = Self::read_identity(path)?;
            let differences = saved.differences(identity);
            if !differences.is_empty() {
                return Err(ArtifactError::Mismatch {
                    path: path.clone(),
                    differences,
                }
                .into());
            }
            Ok(saved)
        };
        check_identity(&path)?;
        let lock = lock(&path, false)?;
        let saved = check_identity(&path)?;
        let checkpoint = path.join(CHECKPOINT_FILE);
        if !checkpoint.is_file() {
            return Err(not_resumable(format!("no {CHECKPOINT_FILE} to continue from")).into());
        }
        let summary = checkpoint_summary(&checkpoint)?;
        if summary.seed != saved.seed {
            return Err(not_resumable(format!(
                "the checkpoint is of seed {}, the run of seed {}",
                summary.seed, saved.seed
            ))
            .into());
        }
        let logged = read_metrics(&path.join(METRICS_FILE))?.len() as u64;
        if logged < summary.episodes {
            return Err(not_resumable(format!(
                "{METRICS_FILE} has {logged} episodes, the checkpoint {}",
                summary.episodes
            ))
            .into());
        }
        Ok(Self {
            path,
            identity: saved,
            resumed: Some(summary),
            _lock: lock,
        })
    }

    /// The identity saved in the run directory `path`, read without locking it (for tools that
    /// take a resumed run's settings from it).
    pub fn read_identity(path: &Path) -> Result<RunIdentity, Error> {
        let file = path.join(IDENTITY_FILE);
        let bytes = std::fs::read(&file).map_err(|e| io_error(&file, e))?;
        let format_error = |reason: String| ArtifactError::Format {
            path: file.clone(),
            reason,
        };
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| format_error(e.to_string()))?;
        match value.get("format").and_then(serde_json::Value::as_u64) {
            Some(format) if format == u64::from(super::RUN_FORMAT) => {}
            Some(format) => {
                return Err(format_error(format!(
                    "run format {format}, this build reads {}",
                    super::RUN_FORMAT
                ))
                .into());
            }
            None => {
                return Err(format_error(
                    "a run.json from before run format 1 (no format number): its checkpoint \
                     still loads with Trainer::resume_from, but the directory cannot be resumed \
                     as a whole"
                        .into(),
                )
                .into());
            }
        }
        Ok(serde_json::from_value(value).map_err(|e| format_error(e.to_string()))?)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The run's identity (the saved one, when resumed).
    pub fn identity(&self) -> &RunIdentity {
        &self.identity
    }

    /// The counters of the checkpoint a resumed run continues from; `None` for a fresh run.
    pub fn resumed(&self) -> Option<&TrainSummary> {
        self.resumed.as_ref()
    }

    /// The path of the run's file `name` (one of the `*_FILE` constants, or your own).
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// The episodes logged so far.
    pub fn records(&self) -> Result<Vec<EpisodeRecord>, ArtifactError> {
        read_metrics(&self.file(METRICS_FILE))
    }

    /// A trainer for this run: every finished episode is appended to `metrics.csv`, the
    /// complete state is checkpointed every `checkpoint_every` environment steps (at least 1)
    /// and at the end, and a run that has a checkpoint (a resumed run, or one this `RunDir`
    /// has already trained) continues from it. The log is opened (and, continuing, trimmed to
    /// the checkpoint's episodes) and stale temporary files are removed only once the run has
    /// started, after every state has been restored.
    pub fn trainer<'a>(
        &self,
        config: TrainConfig,
        checkpoint_every: u64,
    ) -> Trainer<'a, Resumable> {
        let metrics = self.file(METRICS_FILE);
        let checkpoint = self.file(CHECKPOINT_FILE);
        // The directory is this process's: a checkpoint in it is this run's.
        let resumed = self.resumed.is_some() || checkpoint.is_file();
        let dir = self.path.clone();
        let writer = std::rc::Rc::new(std::cell::RefCell::new(None::<MetricsWriter>));
        let episode_writer = writer.clone();
        let trainer = Trainer::new(config)
            .on_start(move |summary| {
                remove_temporaries(&dir)?;
                *writer.borrow_mut() = Some(if resumed {
                    MetricsWriter::resume(&metrics, summary.episodes)?
                } else {
                    MetricsWriter::create(&metrics)?
                });
                Ok(())
            })
            .on_episode(move |record| match episode_writer.borrow_mut().as_mut() {
                Some(writer) => Ok(writer.write(record)?),
                None => Ok(()),
            })
            .with_checkpoints(Checkpoints {
                path: checkpoint.clone(),
                every_env_steps: checkpoint_every.max(1),
            });
        if resumed {
            trainer.resume_from(checkpoint)
        } else {
            trainer
        }
    }

    fn start(path: PathBuf, identity: RunIdentity, lock: File) -> Result<Self, Error> {
        remove_temporaries(&path)?;
        let file = path.join(IDENTITY_FILE);
        let json = serde_json::to_vec_pretty(&identity).map_err(|e| ArtifactError::Format {
            path: file.clone(),
            reason: e.to_string(),
        })?;
        write_atomic(&file, &json).map_err(|e| io_error(&file, e))?;
        Ok(Self {
            path,
            identity,
            resumed: None,
            _lock: lock,
        })
    }
}

/// Rejects an empty path, and one that exists but is not a directory.
fn checked_path(path: PathBuf) -> Result<PathBuf, ArtifactError> {
    let invalid = |reason: &str| ArtifactError::InvalidPath {
        path: path.clone(),
        reason: reason.into(),
    };
    if path.as_os_str().is_empty() {
        return Err(invalid("the path is empty"));
    }
    if path.exists() && !path.is_dir() {
        return Err(invalid("it exists and is not a directory"));
    }
    Ok(path)
}

/// Whether `path` holds any file of a run.
fn holds_run(path: &Path) -> bool {
    RUN_FILES.iter().any(|name| path.join(name).exists())
}

/// Takes the directory's lock, creating the directory first when `create` is set.
fn lock(path: &Path, create: bool) -> Result<File, ArtifactError> {
    if create {
        std::fs::create_dir_all(path).map_err(|e| io_error(path, e))?;
    }
    let file_path = path.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&file_path)
        .map_err(|e| io_error(&file_path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(ArtifactError::Locked {
            path: path.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(io_error(&file_path, e)),
    }
}

/// Removes the temporary files interrupted writers left in `dir` (no other writer can be at
/// work there while the lock is held).
fn remove_temporaries(dir: &Path) -> Result<(), ArtifactError> {
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error(dir, e))?;
        if is_temporary(&entry.file_name().to_string_lossy()) {
            std::fs::remove_file(entry.path()).map_err(|e| io_error(&entry.path(), e))?;
        }
    }
    Ok(())
}
