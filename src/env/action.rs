//! Actions: typed where environments and agents meet, rows of numbers where they are stored.
//!
//! An environment's `Action` may be any type; the [`Action`] trait is what lets replay
//! memories, batches and agent files hold it: an index (`usize`, for a
//! [discrete](super::Discrete) space) or a vector of `f32` values (`[f32; N]` or `Vec<f32>`,
//! for a [box](super::BoxSpace) of any dimension).

use super::{ActionShape, Space};
use crate::error::EnvError;

/// One action as memories store it, borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ActionRef<'a> {
    /// An index into a discrete space.
    Index(usize),
    /// The values of a continuous action.
    Values(&'a [f32]),
}

impl<'a> ActionRef<'a> {
    /// The index, for a discrete action.
    #[inline]
    pub fn index(self) -> Option<usize> {
        match self {
            ActionRef::Index(i) => Some(i),
            ActionRef::Values(_) => None,
        }
    }

    /// The values, for a continuous action.
    #[inline]
    pub fn values(self) -> Option<&'a [f32]> {
        match self {
            ActionRef::Values(v) => Some(v),
            ActionRef::Index(_) => None,
        }
    }

    /// The action's shape.
    #[inline]
    pub fn shape(&self) -> ActionShape {
        match self {
            ActionRef::Index(_) => ActionShape::Discrete,
            ActionRef::Values(v) => ActionShape::Continuous { dim: v.len() },
        }
    }
}

/// An action type that memories, batches and agent files can hold: `usize` for a discrete
/// space, `[f32; N]` or `Vec<f32>` for a box.
///
/// ```
/// use cinder_rl::env::{Action, ActionRef, ActionShape, Space};
///
/// let space = Space::boxed(vec![-2.0], vec![2.0]);
/// assert_eq!(<[f32; 1]>::fit(&space)?, ActionShape::Continuous { dim: 1 });
/// assert!(usize::fit(&space).is_err()); // an index does not fit a box
/// assert!(<[f32; 2]>::fit(&space).is_err()); // nor do two values a 1-d box
/// assert_eq!(<[f32; 1]>::decode(ActionRef::Values(&[0.5])), Some([0.5]));
/// # Ok::<(), cinder_rl::error::EnvError>(())
/// ```
pub trait Action: Clone + 'static {
    /// The action as memories store it.
    fn encode(&self) -> ActionRef<'_>;

    /// The action a stored row holds; `None` when the row is of another shape (values for an
    /// index, three values for `[f32; 2]`).
    fn decode(row: ActionRef<'_>) -> Option<Self>;

    /// The shape actions of this type take in `space`, or
    /// [`EnvError::ActionSpaceMismatch`] when they cannot be its elements.
    fn fit(space: &Space) -> Result<ActionShape, EnvError>;
}

fn mismatch(space: &Space, action: &'static str) -> EnvError {
    EnvError::ActionSpaceMismatch {
        action,
        space: space.action_shape(),
    }
}

impl Action for usize {
    #[inline]
    fn encode(&self) -> ActionRef<'_> {
        ActionRef::Index(*self)
    }

    #[inline]
    fn decode(row: ActionRef<'_>) -> Option<Self> {
        row.index()
    }

    fn fit(space: &Space) -> Result<ActionShape, EnvError> {
        match space {
            Space::Discrete(_) => Ok(ActionShape::Discrete),
            Space::Box(_) => Err(mismatch(space, "usize")),
        }
    }
}

impl<const N: usize> Action for [f32; N] {
    #[inline]
    fn encode(&self) -> ActionRef<'_> {
        ActionRef::Values(self)
    }

    #[inline]
    fn decode(row: ActionRef<'_>) -> Option<Self> {
        row.values().and_then(|v| v.try_into().ok())
    }

    fn fit(space: &Space) -> Result<ActionShape, EnvError> {
        match space {
            Space::Box(b) if b.flat_dim() == N => Ok(ActionShape::Continuous { dim: N }),
            _ => Err(mismatch(space, std::any::type_name::<Self>())),
        }
    }
}

impl Action for Vec<f32> {
    #[inline]
    fn encode(&self) -> ActionRef<'_> {
        ActionRef::Values(self)
    }

    #[inline]
    fn decode(row: ActionRef<'_>) -> Option<Self> {
        row.values().map(<[f32]>::to_vec)
    }

    fn fit(space: &Space) -> Result<ActionShape, EnvError> {
        match space {
            Space::Box(b) => Ok(ActionShape::Continuous { dim: b.flat_dim() }),
            Space::Discrete(_) => Err(mismatch(space, "Vec<f32>")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_refuse_other_shapes() {
        assert_eq!(usize::decode(3usize.encode()), Some(3));
        assert_eq!(usize::decode(ActionRef::Values(&[1.0])), None);
        let v = vec![0.5f32, -1.0, 2.0];
        assert_eq!(Vec::<f32>::decode(v.encode()), Some(v.clone()));
        assert_eq!(<[f32; 2]>::decode(v.encode()), None);
        assert_eq!(<[f32; 3]>::decode(v.encode()), Some([0.5, -1.0, 2.0]));
        assert_eq!(
            Vec::<f32>::fit(&Space::boxed(vec![0.0; 4], vec![1.0; 4])).unwrap(),
            ActionShape::Continuous { dim: 4 }
        );
        assert!(matches!(
            Vec::<f32>::fit(&Space::discrete(2)),
            Err(EnvError::ActionSpaceMismatch {
                space: ActionShape::Discrete,
                ..
            })
        ));
    }
}
