//! What makes a run the run it is: the record a run directory keeps in `run.json`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version of the `run.json` layout this build writes and reads.
pub const RUN_FORMAT: u32 = 1;

/// A run's identity: algorithm, environment, preset, seed, the full agent and network
/// settings, and the training settings. A [`RunDir`](super::RunDir) records it when the run
/// starts and compares it when the run is resumed: everything must match except the budgets,
/// the stop rule and the evaluation and progress settings, which a resume may change.
///
/// ```
/// use cinder_rl::agents::DqnConfig;
/// use cinder_rl::artifacts::RunIdentity;
///
/// let saved = RunIdentity::new("dqn", "CartPole-v1", "tuned", 0)
///     .with_agent_config(&DqnConfig::new())
///     .with_network(&[128, 128]);
/// let other = RunIdentity::new("dqn", "CartPole-v1", "minimal", 0)
///     .with_agent_config(&DqnConfig::new().with_gamma(0.98))
///     .with_network(&[128, 128]);
/// let differences = saved.differences(&other);
/// assert_eq!(differences.len(), 2);
/// assert!(differences[0].starts_with("preset"));
/// assert!(differences[1].starts_with("agent_config.gamma"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunIdentity {
    /// The `run.json` layout version ([`RUN_FORMAT`]).
    pub format: u32,
    /// The algorithm's name.
    pub algorithm: String,
    /// The environment's name.
    pub env: String,
    /// The preset the settings started from.
    pub preset: String,
    /// The run's seed.
    pub seed: u64,
    /// The agent's settings, as JSON.
    pub agent_config: Value,
    /// The network's shape, as JSON.
    pub network: Value,
    /// The training settings the run started with, as JSON (information only: a resume may
    /// change budgets, stop rule and evaluation).
    pub train: Value,
    /// The version of the crate that started the run (information only).
    pub crate_version: String,
}

impl RunIdentity {
    /// The identity of a run of `algorithm` on `env` from `preset`, seeded with `seed`; the
    /// agent, network and training settings start empty.
    pub fn new(
        algorithm: impl Into<String>,
        env: impl Into<String>,
        preset: impl Into<String>,
        seed: u64,
    ) -> Self {
        Self {
            format: RUN_FORMAT,
            algorithm: algorithm.into(),
            env: env.into(),
            preset: preset.into(),
            seed,
            agent_config: Value::Null,
            network: Value::Null,
            train: Value::Null,
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    /// Records the agent's settings.
    pub fn with_agent_config<C: Serialize>(mut self, config: &C) -> Self {
        self.agent_config = to_value(config);
        self
    }

    /// Records the network's shape (its config, or its hidden widths).
    pub fn with_network<N: Serialize + ?Sized>(mut self, network: &N) -> Self {
        self.network = to_value(network);
        self
    }

    /// Records the training settings.
    pub fn with_train<T: Serialize>(mut self, train: &T) -> Self {
        self.train = to_value(train);
        self
    }

    /// What differs between this (saved) identity and `other`, one line per setting, ignoring
    /// the training settings and the crate version. Empty when `other` may resume this run.
    pub fn differences(&self, other: &RunIdentity) -> Vec<String> {
        let mut lines = Vec::new();
        let mut field = |name: &str, saved: Value, given: Value| {
            compare(name, &saved, &given, &mut lines);
        };
        field("format", self.format.into(), other.format.into());
        field(
            "algorithm",
            self.algorithm.clone().into(),
            other.algorithm.clone().into(),
        );
        field("env", self.env.clone().into(), other.env.clone().into());
        field(
            "preset",
            self.preset.clone().into(),
            other.preset.clone().into(),
        );
        field("seed", self.seed.into(), other.seed.into());
        field(
            "agent_config",
            self.agent_config.clone(),
            other.agent_config.clone(),
        );
        field("network", self.network.clone(), other.network.clone());
        lines
    }
}

fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    // Settings are plain data; one that cannot be represented is recorded as its error text so
    // that it still differs from any real value.
    serde_json::to_value(value).unwrap_or_else(|e| Value::String(format!("unserialisable: {e}")))
}

/// Appends `name: saved -> given` for every leaf where the two differ.
fn compare(name: &str, saved: &Value, given: &Value, lines: &mut Vec<String>) {
    match (saved, given) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let missing = Value::String("(absent)".into());
                compare(
                    &format!("{name}.{key}"),
                    a.get(key).unwrap_or(&missing),
                    b.get(key).unwrap_or(&missing),
                    lines,
                );
            }
        }
        (a, b) if a != b => lines.push(format!("{name}: saved {a}, given {b}")),
        _ => {}
    }
}
