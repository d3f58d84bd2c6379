//! Optimizer choice.

use burn::grad_clipping::GradientClipping;
use burn::optim::{AdamConfig, ModuleOptimizer, RmsPropConfig};
use serde::{Deserialize, Serialize};

use crate::error::AgentError;

/// The optimizer and its hyperparameters (the learning rate is set by the agent's config).
///
/// [`adam`](Self::adam) and [`rmsprop`](Self::rmsprop) give PyTorch's defaults, which the
/// reference tutorials use (Burn's own defaults differ: epsilon 1e-5, RMSprop momentum 0.9).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum OptimizerConfig {
    /// Adam.
    Adam {
        /// First-moment decay.
        beta_1: f32,
        /// Second-moment decay.
        beta_2: f32,
        /// Added to the denominator for stability.
        epsilon: f32,
    },
    /// RMSprop.
    RmsProp {
        /// Squared-gradient decay.
        alpha: f32,
        /// Momentum.
        momentum: f32,
        /// Added to the denominator for stability.
        epsilon: f32,
        /// Normalise by the gradient's estimated variance.
        centered: bool,
    },
}

impl OptimizerConfig {
    /// Adam with PyTorch's defaults (0.9, 0.999, 1e-8).
    pub const fn adam() -> Self {
        OptimizerConfig::Adam {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-8,
        }
    }

    /// RMSprop with PyTorch's defaults (alpha 0.99, no momentum, epsilon 1e-8).
    pub const fn rmsprop() -> Self {
        OptimizerConfig::RmsProp {
            alpha: 0.99,
            momentum: 0.0,
            epsilon: 1e-8,
            centered: false,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), AgentError> {
        let (name, ok) = match *self {
            OptimizerConfig::Adam {
                beta_1,
                beta_2,
                epsilon,
            } => (
                "optimizer (adam)",
                (0.0..1.0).contains(&beta_1) && (0.0..1.0).contains(&beta_2) && epsilon > 0.0,
            ),
            OptimizerConfig::RmsProp {
                alpha,
                momentum,
                epsilon,
                ..
            } => (
                "optimizer (rmsprop)",
                (0.0..1.0).contains(&alpha) && (0.0..1.0).contains(&momentum) && epsilon > 0.0,
            ),
        };
        if ok {
            Ok(())
        } else {
            Err(AgentError::InvalidConfig {
                field: name,
                reason: format!("decays must be in [0, 1) and epsilon positive, got {self:?}"),
            })
        }
    }

    /// The optimizer, clamping every gradient component to `[-v, v]` when `clip_grad_value` is
    /// set.
    pub(crate) fn init(&self, clip_grad_value: Option<f32>) -> ModuleOptimizer {
        let optimizer = match *self {
            OptimizerConfig::Adam {
                beta_1,
                beta_2,
                epsilon,
            } => AdamConfig::new()
                .with_beta_1(beta_1)
                .with_beta_2(beta_2)
                .with_epsilon(epsilon)
                .init(),
            OptimizerConfig::RmsProp {
                alpha,
                momentum,
                epsilon,
                centered,
            } => RmsPropConfig::new()
                .with_alpha(alpha)
                .with_momentum(momentum)
                .with_epsilon(epsilon)
                .with_centered(centered)
                .init(),
        };
        match clip_grad_value {
            Some(limit) => optimizer.with_grad_clipping(GradientClipping::Value(limit)),
            None => optimizer,
        }
    }
}
