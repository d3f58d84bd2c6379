//! Action and observation spaces.

use crate::error::EnvError;

/// The discrete space `0..n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discrete {
    /// The number of elements.
    pub n: usize,
}

impl Discrete {
    /// Whether `action` is in `0..n`.
    pub fn contains(&self, action: usize) -> bool {
        action < self.n
    }

    /// `Ok(())` when `action` is in the space, [`EnvError::InvalidAction`] otherwise.
    pub fn check(&self, action: usize) -> Result<(), EnvError> {
        if self.contains(action) {
            Ok(())
        } else {
            Err(EnvError::InvalidAction {
                action,
                n_actions: self.n,
            })
        }
    }
}

/// A box of `f32` vectors, bounded per component (bounds may be infinite).
#[derive(Debug, Clone, PartialEq)]
pub struct BoxSpace {
    /// Lower bound of each component.
    pub low: Vec<f32>,
    /// Upper bound of each component.
    pub high: Vec<f32>,
    /// The shape of one element; its product is `low.len()`.
    pub shape: Vec<usize>,
}

impl BoxSpace {
    /// The number of components of one element.
    pub fn flat_dim(&self) -> usize {
        self.low.len()
    }

    /// Whether `value` has the right length and lies within the bounds.
    pub fn contains(&self, value: &[f32]) -> bool {
        value.len() == self.low.len()
            && value
                .iter()
                .zip(self.low.iter().zip(&self.high))
                .all(|(v, (lo, hi))| lo <= v && v <= hi)
    }
}

/// An action or observation space.
#[derive(Debug, Clone, PartialEq)]
pub enum Space {
    /// A discrete space `0..n`.
    Discrete(Discrete),
    /// A box of `f32` vectors.
    Box(BoxSpace),
}

impl Space {
    /// The discrete space `0..n`.
    pub fn discrete(n: usize) -> Self {
        Space::Discrete(Discrete { n })
    }

    /// A flat box with the given bounds (its shape is `[low.len()]`).
    ///
    /// Bounds of unequal lengths are truncated to the shorter one.
    pub fn boxed(mut low: Vec<f32>, mut high: Vec<f32>) -> Self {
        let dim = low.len().min(high.len());
        low.truncate(dim);
        high.truncate(dim);
        Space::Box(BoxSpace {
            low,
            high,
            shape: vec![dim],
        })
    }

    /// A box of the given shape, unbounded in every component.
    pub fn unbounded(shape: Vec<usize>) -> Self {
        let dim = shape.iter().product();
        Space::Box(BoxSpace {
            low: vec![f32::NEG_INFINITY; dim],
            high: vec![f32::INFINITY; dim],
            shape,
        })
    }

    /// The number of actions of a discrete space, `None` for a box.
    pub fn n(&self) -> Option<usize> {
        match self {
            Space::Discrete(d) => Some(d.n),
            Space::Box(_) => None,
        }
    }

    /// The number of `f32` components of one element: `1` for a discrete space.
    pub fn flat_dim(&self) -> usize {
        match self {
            Space::Discrete(_) => 1,
            Space::Box(b) => b.flat_dim(),
        }
    }

    /// For a discrete space, `Ok(())` when `action` is in it; a box accepts no `usize`.
    pub fn check(&self, action: usize) -> Result<(), EnvError> {
        match self {
            Space::Discrete(d) => d.check(action),
            Space::Box(_) => Err(EnvError::InvalidAction {
                action,
                n_actions: 0,
            }),
        }
    }
}
