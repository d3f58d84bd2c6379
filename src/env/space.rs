//! Action and observation spaces.

use super::ActionShape;
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

    /// `Ok(())` when `action` has the box's length and only finite values (in bounds or not:
    /// environments clip as their definition says); [`EnvError::ActionLength`] or
    /// [`EnvError::NonFiniteAction`] otherwise.
    pub fn check(&self, action: &[f32]) -> Result<(), EnvError> {
        if action.len() != self.flat_dim() {
            return Err(EnvError::ActionLength {
                expected: self.flat_dim(),
                actual: action.len(),
            });
        }
        match action.iter().position(|v| !v.is_finite()) {
            Some(index) => Err(EnvError::NonFiniteAction {
                index,
                value: action[index],
            }),
            None => Ok(()),
        }
    }

    /// `Ok(())` when `low` and `high` are of equal lengths, not NaN, and `low <= high` in every
    /// component; [`EnvError::InvalidBounds`] otherwise.
    pub fn check_bounds(low: &[f32], high: &[f32]) -> Result<(), EnvError> {
        if low.len() != high.len() {
            return Err(EnvError::InvalidBounds(format!(
                "{} lower bounds, {} upper bounds",
                low.len(),
                high.len()
            )));
        }
        if let Some(i) =
            (0..low.len()).find(|&i| low[i].is_nan() || high[i].is_nan() || low[i] > high[i])
        {
            return Err(EnvError::InvalidBounds(format!(
                "component {i} has bounds [{}, {}]",
                low[i], high[i]
            )));
        }
        Ok(())
    }

    /// Whether `value` has the right length and lies within the bounds.
    pub fn contains(&self, value: &[f32]) -> bool {
        value.len() == self.low.len()
            && value
                .iter()
                .zip(self.low.iter().zip(&self.high))
                .all(|(v, (lo, hi))| lo <= v && v <= hi)
    }

    /// Clamps each component of `value` to its bounds (components beyond the box's length
    /// are left as they are).
    ///
    /// ```
    /// use cinder_rl::env::BoxSpace;
    ///
    /// let torque = BoxSpace { low: vec![-2.0], high: vec![2.0], shape: vec![1] };
    /// let mut action = [3.5f32];
    /// torque.clip(&mut action);
    /// assert_eq!(action, [2.0]);
    /// ```
    pub fn clip(&self, value: &mut [f32]) {
        for (v, (&lo, &hi)) in value.iter_mut().zip(self.low.iter().zip(&self.high)) {
            *v = v.clamp(lo, hi);
        }
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

    /// A flat box with the given bounds (its shape is `[low.len()]`), checked: bounds of
    /// unequal lengths, a bound that is NaN, or a lower bound above its upper bound is an
    /// [`EnvError::InvalidBounds`].
    pub fn try_boxed(low: Vec<f32>, high: Vec<f32>) -> Result<Self, EnvError> {
        BoxSpace::check_bounds(&low, &high)?;
        Ok(Self::boxed(low, high))
    }

    /// A flat box with the given bounds (its shape is `[low.len()]`).
    ///
    /// Bounds of unequal lengths are truncated to the shorter one; use
    /// [`try_boxed`](Self::try_boxed) for bounds that are not known to be right.
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

    /// The shape of the space's elements as actions: an index for a discrete space,
    /// `flat_dim` values for a box.
    pub fn action_shape(&self) -> ActionShape {
        match self {
            Space::Discrete(_) => ActionShape::Discrete,
            Space::Box(b) => ActionShape::Continuous { dim: b.flat_dim() },
        }
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

    /// For a discrete space, `Ok(())` when `action` is in it; a box accepts no `usize`
    /// ([`EnvError::ActionSpaceMismatch`]).
    pub fn check(&self, action: usize) -> Result<(), EnvError> {
        match self {
            Space::Discrete(d) => d.check(action),
            Space::Box(_) => Err(EnvError::ActionSpaceMismatch {
                action: "usize",
                space: self.action_shape(),
            }),
        }
    }

    /// For a box, `Ok(())` when `action` has its length and finite values (see
    /// [`BoxSpace::check`]); a discrete space accepts no values
    /// ([`EnvError::ActionSpaceMismatch`]).
    pub fn check_values(&self, action: &[f32]) -> Result<(), EnvError> {
        match self {
            Space::Box(b) => b.check(action),
            Space::Discrete(_) => Err(EnvError::ActionSpaceMismatch {
                action: "continuous",
                space: ActionShape::Discrete,
            }),
        }
    }
}
