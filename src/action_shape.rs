//! The shape of one stored action, which the environment, memory and agent layers and their
//! errors all speak of.

use std::fmt;

/// The shape of one stored action (a space gives its own with `Space::action_shape`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionShape {
    /// An index into a discrete space, stored as one integer.
    Discrete,
    /// `dim` real values.
    Continuous {
        /// The number of values of one action.
        dim: usize,
    },
}

impl fmt::Display for ActionShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionShape::Discrete => write!(f, "discrete actions"),
            ActionShape::Continuous { dim } => write!(f, "continuous actions of {dim} values"),
        }
    }
}
