//! The settings of prioritized replay.

use serde::{Deserialize, Serialize};

use crate::error::MemoryError;
use crate::policy::{Linear, Schedule};

/// The settings of [`PrioritizedReplay`](super::PrioritizedReplay) (Schaul et al. 2016,
/// proportional variant): a transition of TD error `delta` has priority
/// `(|delta| + epsilon)^alpha` and is drawn with probability proportional to it; importance
/// weights correct the bias with exponent `beta`.
///
/// Missing fields take their defaults when read with serde; unknown ones are refused.
///
/// ```
/// use cinder_rl::memory::PrioritizedConfig;
/// use cinder_rl::policy::{Linear, Schedule};
///
/// let config: PrioritizedConfig = serde_json::from_str(r#"{"alpha": 0.7}"#).unwrap();
/// assert_eq!(config.alpha, 0.7);
/// assert_eq!(config.beta.value(0), 0.4);
/// assert!(serde_json::from_str::<PrioritizedConfig>(r#"{"gamma": 0.7}"#).is_err());
/// let steep = PrioritizedConfig { beta: Linear::new(0.4, 1.5, 10)?, ..Default::default() };
/// assert!(steep.validate().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrioritizedConfig {
    /// How much priorities count: 0 samples uniformly, 1 in full proportion. Default 0.6.
    pub alpha: f64,
    /// The importance-weight exponent against the number of transitions pushed: 1 corrects
    /// the sampling bias in full. Default 0.4 to 1.0 over 100 000 pushes.
    pub beta: Linear,
    /// Added to every `|delta|`, so that no transition has priority zero. Default 1e-6.
    pub epsilon: f64,
}

impl Default for PrioritizedConfig {
    fn default() -> Self {
        Self {
            alpha: 0.6,
            beta: Linear::from_parts(0.4, 1.0, 100_000),
            epsilon: 1e-6,
        }
    }
}

impl PrioritizedConfig {
    /// Checks every setting: `alpha` finite and at least 0, `beta` finite and in [0, 1] at
    /// every step, `epsilon` finite and positive; else a [`MemoryError::InvalidConfig`].
    pub fn validate(&self) -> Result<(), MemoryError> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(MemoryError::InvalidConfig {
                field: "alpha",
                reason: format!("must be a finite number at least 0, got {}", self.alpha),
            });
        }
        // A linear schedule moves straight from its first value to its last.
        for beta in [self.beta.value(0), self.beta.value(u64::MAX)] {
            if !(beta.is_finite() && (0.0..=1.0).contains(&beta)) {
                return Err(MemoryError::InvalidConfig {
                    field: "beta",
                    reason: format!("must stay a finite number in [0, 1], reaches {beta}"),
                });
            }
        }
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return Err(MemoryError::InvalidConfig {
                field: "epsilon",
                reason: format!("must be a finite positive number, got {}", self.epsilon),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        let config = PrioritizedConfig::default();
        config.validate().unwrap();
        assert_eq!(config.beta.value(50_000), 0.7);
        assert_eq!(config.beta.value(200_000), 1.0);
        let field = |config: PrioritizedConfig| match config.validate() {
            Err(MemoryError::InvalidConfig { field, .. }) => field,
            other => panic!("expected an invalid config, got {other:?}"),
        };
        for alpha in [-0.1, f64::NAN, f64::INFINITY] {
            assert_eq!(field(PrioritizedConfig { alpha, ..config }), "alpha");
        }
        for (start, end) in [(-0.1, 1.0), (0.4, 1.01)] {
            let beta = Linear::new(start, end, 10).unwrap();
            assert_eq!(field(PrioritizedConfig { beta, ..config }), "beta");
        }
        for epsilon in [0.0, -1e-6, f64::NAN] {
            assert_eq!(field(PrioritizedConfig { epsilon, ..config }), "epsilon");
        }
        let zero_alpha = PrioritizedConfig {
            alpha: 0.0,
            ..config
        };
        zero_alpha.validate().unwrap();
    }

    #[test]
    fn serde_round_trips_and_refuses_unknown_fields() {
        let config = PrioritizedConfig {
            alpha: 0.5,
            beta: Linear::new(0.5, 0.9, 1234).unwrap(),
            epsilon: 1e-3,
        };
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(
            json,
            r#"{"alpha":0.5,"beta":{"start":0.5,"end":0.9,"duration":1234},"epsilon":0.001}"#
        );
        assert_eq!(
            serde_json::from_str::<PrioritizedConfig>(&json).unwrap(),
            config
        );
        assert!(
            serde_json::from_str::<PrioritizedConfig>(r#"{"alpha":0.5,"beta_start":0.4}"#).is_err()
        );
    }
}
