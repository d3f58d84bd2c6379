//! Errors: one enum per layer, and [`Error`], which any of them converts into.
//!
//! Library code never panics on user input: a bad action, a bad configuration value or a
//! request the current state cannot serve returns one of these.

use std::path::PathBuf;

use crate::action_shape::ActionShape;

/// Errors of the [`env`](crate::env) layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// The action is not in the environment's discrete action space `0..n_actions`.
    #[error("invalid action {action}: the action space is 0..{n_actions}")]
    InvalidAction {
        /// The action that was given.
        action: usize,
        /// The number of actions of the space.
        n_actions: usize,
    },
    /// `step` was called before the first `reset`.
    #[error("step called before reset: call reset first")]
    ResetNeeded,
    /// `step` was called after the episode ended (terminated or truncated), in an environment
    /// that does not allow it.
    #[error("step called after the episode ended (terminated or truncated): call reset first")]
    EpisodeEnded,
    /// A configuration value is out of its valid range.
    #[error("invalid environment configuration `{field}`: {reason}")]
    InvalidConfig {
        /// The configuration field.
        field: &'static str,
        /// Why the value is rejected.
        reason: String,
    },
    /// An observation does not have the length the observation space promises.
    #[error("observation of length {actual}, expected {expected}")]
    ObservationLength {
        /// The length the observation space promises.
        expected: usize,
        /// The length of the observation that was produced.
        actual: usize,
    },
    /// A vectorized environment got a number of actions other than its number of copies.
    #[error("{actual} actions for {expected} environment copies")]
    ActionCount {
        /// The number of copies.
        expected: usize,
        /// The number of actions given.
        actual: usize,
    },
    /// An action type that cannot be an element of the action space (an index for a box, two
    /// values for a one-dimensional box).
    #[error("{action} actions do not fit an action space of {space}")]
    ActionSpaceMismatch {
        /// The action type.
        action: &'static str,
        /// What the space's actions are.
        space: ActionShape,
    },
    /// A continuous action with the wrong number of values.
    #[error("a continuous action of {actual} values, the action space has {expected}")]
    ActionLength {
        /// The dimension of the action space.
        expected: usize,
        /// The number of values given.
        actual: usize,
    },
    /// A continuous action with a value that is not a number or infinite.
    #[error("continuous action value {index} is {value}")]
    NonFiniteAction {
        /// The value's position in the action.
        index: usize,
        /// The value.
        value: f32,
    },
    /// A box space whose bounds are of unequal lengths, not numbers, or with a lower bound
    /// above its upper bound.
    #[error("invalid box bounds: {0}")]
    InvalidBounds(String),
    /// An environment failed a check of [`check_env`](crate::env::check_env).
    #[error("environment check `{check}` failed: {reason}")]
    CheckFailed {
        /// The check.
        check: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// No environment is registered under this id (see [`Registry`](crate::env::Registry)).
    #[error("no environment is registered as {id:?}; registered: {}", known.join(", "))]
    UnknownEnv {
        /// The id asked for.
        id: String,
        /// The ids the registry holds.
        known: Vec<String>,
    },
    /// An id that a [`Registry`](crate::env::Registry) already holds, or that is empty or
    /// holds whitespace.
    #[error("cannot register {id:?}: {reason}")]
    InvalidId {
        /// The id.
        id: String,
        /// Why it is refused.
        reason: String,
    },
    /// A snapshot that does not describe this environment's state.
    #[error("unreadable environment snapshot: {0}")]
    Snapshot(String),
    /// A user environment's own failure.
    #[error(transparent)]
    Other(#[from] Box<dyn std::error::Error + Send + Sync>),
}

/// Errors of the [`memory`](crate::memory) layer.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum MemoryError {
    /// A sample of more transitions than the memory holds was requested.
    #[error("cannot sample {requested} transitions: the memory holds {stored}")]
    NotEnoughTransitions {
        /// The batch size asked for.
        requested: usize,
        /// The number of transitions stored.
        stored: usize,
    },
    /// A memory of capacity zero, or an observation length of zero, was requested.
    #[error("invalid replay memory configuration `{field}`: {reason}")]
    InvalidConfig {
        /// The configuration field.
        field: &'static str,
        /// Why the value is rejected.
        reason: String,
    },
    /// A transition's observation does not have the memory's observation length.
    #[error("observation of length {actual}, the memory stores length {expected}")]
    ObservationLength {
        /// The memory's observation length.
        expected: usize,
        /// The length of the observation pushed.
        actual: usize,
    },
    /// A batch of zero transitions was requested.
    #[error("batch size must be at least 1")]
    EmptyBatch,
    /// An action of another shape than the memory (or batch) holds: a continuous action in a
    /// memory of discrete ones, or one with the wrong number of values.
    #[error("{actual} given where the memory holds {expected}")]
    ActionShape {
        /// What the memory holds.
        expected: ActionShape,
        /// What was given.
        actual: ActionShape,
    },
    /// A buffer larger than the machine can allocate was requested (a huge capacity, or sizes
    /// read from a file).
    #[error("{what} needs {bytes} bytes, more than can be allocated")]
    TooLarge {
        /// What the buffer was for.
        what: &'static str,
        /// The bytes it needed.
        bytes: u128,
    },
    /// Saved memory contents that are malformed or inconsistent (wrong sizes, values out of
    /// range).
    #[error("invalid saved memory contents: {0}")]
    Corrupt(String),
}

/// Errors of the [`policy`](crate::policy) layer.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum PolicyError {
    /// A schedule parameter is out of its valid range.
    #[error("invalid schedule `{field}`: {reason}")]
    InvalidSchedule {
        /// The parameter.
        field: &'static str,
        /// Why the value is rejected.
        reason: String,
    },
    /// A probability (an epsilon) is outside `[0, 1]` or not a number.
    #[error("probability {0} is outside [0, 1]")]
    InvalidProbability(f64),
    /// A policy was asked to choose among zero actions.
    #[error("the action space is empty")]
    NoActions,
    /// Action probabilities that are negative, not finite, or sum to zero.
    #[error("invalid action distribution: {0}")]
    InvalidDistribution(String),
    /// An action-value source failed.
    #[error("action-value source failed: {0}")]
    Source(String),
    /// A noise scale that is negative or not a finite number.
    #[error("noise standard deviation {0} is not a finite number at least 0")]
    InvalidNoise(f32),
    /// Action bounds that cannot clip actions (see [`EnvError::InvalidBounds`]).
    #[error("{0}")]
    InvalidBounds(String),
}

/// Errors of agents: acting, learning, saving and loading.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// A configuration value is out of its valid range.
    #[error("invalid agent configuration `{field}`: {reason}")]
    InvalidConfig {
        /// The configuration field.
        field: &'static str,
        /// Why the value is rejected.
        reason: String,
    },
    /// An observation does not have the length the agent was built for.
    #[error("observation of length {actual}, the agent expects {expected}")]
    ObservationLength {
        /// The agent's observation length.
        expected: usize,
        /// The length of the observation given.
        actual: usize,
    },
    /// An action outside the agent's action space.
    #[error("invalid action {action}: the agent's action space is 0..{n_actions}")]
    InvalidAction {
        /// The action given.
        action: usize,
        /// The number of actions.
        n_actions: usize,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A saved file is not a valid agent file, is truncated, or was saved by a different
    /// network shape or agent kind.
    #[error("{path}: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A batch of values whose length does not fit.
    #[error("{what}: {actual} values where {expected} (or whole rows of them) were expected")]
    Length {
        /// What was given.
        what: &'static str,
        /// The length expected (or the row length).
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// A value given to the agent is NaN or infinite.
    #[error("{0} is not finite")]
    NonFinite(&'static str),
    /// Learning produced a loss that is not finite or beyond
    /// [`DIVERGENCE_LOSS`](crate::agents::DIVERGENCE_LOSS).
    #[error("learning diverged: the loss is {0}")]
    Diverged(f32),
    /// A replay-memory error.
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// A policy error.
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// Errors of the [`artifacts`](crate::artifacts) layer: metrics files, plots, GIFs,
/// checkpoints.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file exists but does not hold what it should.
    #[error("{path}: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Drawing a plot failed.
    #[error("plotting failed: {0}")]
    Plot(String),
    /// Encoding a GIF failed, or a frame does not fit the animation.
    #[error("GIF encoding failed: {0}")]
    Gif(String),
    /// A fresh run was pointed at a directory that already holds a run.
    #[error(
        "{path} already holds a run: resume it (--resume {path}), replace it (--overwrite), or choose another directory"
    )]
    RunExists {
        /// The run directory.
        path: PathBuf,
    },
    /// Another process holds the run directory's lock.
    #[error("{path} is in use by another running process")]
    Locked {
        /// The run directory.
        path: PathBuf,
    },
    /// A directory to resume holds no run, or not a complete one.
    #[error("{path} cannot be resumed: {reason}")]
    NotResumable {
        /// The run directory.
        path: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// A resume whose settings differ from the saved run's in more than budgets.
    #[error("{path} holds a different run: {}", differences.join("; "))]
    Mismatch {
        /// The run directory.
        path: PathBuf,
        /// Each setting that differs, saved value first.
        differences: Vec<String>,
    },
    /// A path that cannot hold a run (empty, or not a directory).
    #[error("invalid run directory {path:?}: {reason}")]
    InvalidPath {
        /// The path given.
        path: PathBuf,
        /// Why it is rejected.
        reason: String,
    },
}

/// Any error of the crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An environment error.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// A replay-memory error.
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// A policy error.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// An agent error.
    #[error(transparent)]
    Agent(#[from] AgentError),
    /// An artifact error.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
}
