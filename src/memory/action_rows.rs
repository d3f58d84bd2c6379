//! Actions of any [`Action`] type, stored as rows of numbers.

use crate::env::{Action, ActionRef, ActionShape};
use crate::error::MemoryError;

/// Rows of actions, one per transition: integers for discrete actions, `dim` values each for
/// continuous ones. What memories, batches and rollouts hold; an algorithm reads the variant
/// it works with ([`discrete`](Self::discrete) as an integer tensor for a Q-network's
/// `gather`, [`continuous`](Self::continuous) as a float tensor for a Gaussian policy).
///
/// With serde (in checkpoints), discrete rows are a plain array of indices and continuous
/// ones a map of `dim` and `values`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum ActionRows {
    /// `[rows]` indices.
    Discrete(Vec<i64>),
    /// `[rows, dim]` values, row-major.
    Continuous {
        /// The number of values of one action.
        dim: usize,
        /// The values.
        values: Vec<f32>,
    },
}

impl Default for ActionRows {
    fn default() -> Self {
        ActionRows::Discrete(Vec::new())
    }
}

impl ActionRows {
    /// No rows, of `shape`.
    pub fn new(shape: ActionShape) -> Self {
        match shape {
            ActionShape::Discrete => ActionRows::Discrete(Vec::new()),
            ActionShape::Continuous { dim } => ActionRows::Continuous {
                dim,
                values: Vec::new(),
            },
        }
    }

    /// The shape of one row.
    pub fn shape(&self) -> ActionShape {
        match self {
            ActionRows::Discrete(_) => ActionShape::Discrete,
            ActionRows::Continuous { dim, .. } => ActionShape::Continuous { dim: *dim },
        }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            ActionRows::Discrete(v) => v.len(),
            ActionRows::Continuous { dim, values } => values.len() / (*dim).max(1),
        }
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every row and sets the shape, keeping the allocation when the shape's kind
    /// stays the same.
    pub fn reset(&mut self, shape: ActionShape) {
        match (self, shape) {
            (ActionRows::Discrete(v), ActionShape::Discrete) => v.clear(),
            (ActionRows::Continuous { dim, values }, ActionShape::Continuous { dim: d }) => {
                *dim = d;
                values.clear();
            }
            (rows, shape) => *rows = ActionRows::new(shape),
        }
    }

    /// Appends `action` as a row; an action of another shape is a
    /// [`MemoryError::ActionShape`] and leaves the rows as they were.
    pub fn push<A: Action>(&mut self, action: &A) -> Result<(), MemoryError> {
        self.push_ref(action.encode())
    }

    /// Appends a borrowed action as a row; see [`push`](Self::push).
    pub fn push_ref(&mut self, action: ActionRef<'_>) -> Result<(), MemoryError> {
        match (self, action) {
            (ActionRows::Discrete(v), ActionRef::Index(i)) => v.push(index(i)?),
            (ActionRows::Continuous { dim, values }, ActionRef::Values(a)) if a.len() == *dim => {
                values.extend_from_slice(a)
            }
            (rows, action) => return Err(mismatch(rows.shape(), action)),
        }
        Ok(())
    }

    /// Empties the rows, sets them to `source`'s shape and appends `source`'s rows `rows` (which
    /// it must hold), in order.
    pub(crate) fn gather(&mut self, source: &ActionRows, rows: &[usize]) {
        self.reset(source.shape());
        match (self, source) {
            (ActionRows::Discrete(v), ActionRows::Discrete(s)) => {
                v.extend(rows.iter().map(|&row| s[row]))
            }
            (ActionRows::Continuous { values, .. }, ActionRows::Continuous { dim, values: s }) => {
                for &row in rows {
                    values.extend_from_slice(&s[row * dim..(row + 1) * dim]);
                }
            }
            _ => unreachable!("reset to the source's shape"),
        }
    }

    /// Overwrites row `row` (which must exist) with `action`; an action of another shape is a
    /// [`MemoryError::ActionShape`].
    #[inline]
    pub(crate) fn write(&mut self, row: usize, action: ActionRef<'_>) -> Result<(), MemoryError> {
        match (self, action) {
            (ActionRows::Discrete(v), ActionRef::Index(i)) => v[row] = index(i)?,
            (ActionRows::Continuous { dim, values }, ActionRef::Values(a)) if a.len() == *dim => {
                values[row * *dim..(row + 1) * *dim].copy_from_slice(a)
            }
            (rows, action) => return Err(mismatch(rows.shape(), action)),
        }
        Ok(())
    }

    /// Row `row`, borrowed; `None` past the end.
    pub fn row(&self, row: usize) -> Option<ActionRef<'_>> {
        match self {
            ActionRows::Discrete(v) => v
                .get(row)
                .map(|&a| ActionRef::Index(usize::try_from(a).unwrap_or(usize::MAX))),
            ActionRows::Continuous { dim, values } => values
                .get(row * dim..(row + 1) * dim)
                .map(ActionRef::Values),
        }
    }

    /// Row `row` as an `A`; `None` past the end or when `A` is of another shape.
    pub fn get<A: Action>(&self, row: usize) -> Option<A> {
        self.row(row).and_then(A::decode)
    }

    /// The indices, when the rows are discrete.
    pub fn discrete(&self) -> Option<&[i64]> {
        match self {
            ActionRows::Discrete(v) => Some(v),
            ActionRows::Continuous { .. } => None,
        }
    }

    /// The `[rows, dim]` values, when the rows are continuous.
    pub fn continuous(&self) -> Option<&[f32]> {
        match self {
            ActionRows::Continuous { values, .. } => Some(values),
            ActionRows::Discrete(_) => None,
        }
    }

    /// The indices, or a [`MemoryError::ActionShape`] saying that the rows are continuous:
    /// for algorithms of discrete actions.
    pub fn require_discrete(&self) -> Result<&[i64], MemoryError> {
        self.discrete().ok_or(MemoryError::ActionShape {
            expected: ActionShape::Discrete,
            actual: self.shape(),
        })
    }

    /// The values, or a [`MemoryError::ActionShape`] when the rows are not continuous
    /// actions of `dim` values: for algorithms of continuous actions.
    pub fn require_continuous(&self, dim: usize) -> Result<&[f32], MemoryError> {
        match self {
            ActionRows::Continuous { dim: d, values } if *d == dim => Ok(values),
            _ => Err(MemoryError::ActionShape {
                expected: ActionShape::Continuous { dim },
                actual: self.shape(),
            }),
        }
    }

    /// Bytes on the heap.
    pub(crate) fn allocated_bytes(&self) -> usize {
        match self {
            ActionRows::Discrete(v) => v.capacity() * size_of::<i64>(),
            ActionRows::Continuous { values, .. } => values.capacity() * size_of::<f32>(),
        }
    }
}

/// A discrete action as stored (an `i64`); one beyond `i64::MAX` cannot be an index of a
/// real space and is refused.
#[inline]
fn index(action: usize) -> Result<i64, MemoryError> {
    i64::try_from(action).map_err(|_| MemoryError::InvalidConfig {
        field: "action",
        reason: format!("{action} is beyond the largest storable index"),
    })
}

fn mismatch(expected: ActionShape, action: ActionRef<'_>) -> MemoryError {
    MemoryError::ActionShape {
        expected,
        actual: action.shape(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_hold_their_shape_and_refuse_others() {
        let mut rows = ActionRows::new(ActionShape::Continuous { dim: 2 });
        rows.push(&[1.0f32, 2.0]).unwrap();
        rows.push(&vec![3.0f32, 4.0]).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.get::<[f32; 2]>(1), Some([3.0, 4.0]));
        assert_eq!(rows.get::<usize>(1), None);
        assert_eq!(
            rows.push(&[1.0f32; 3]),
            Err(MemoryError::ActionShape {
                expected: ActionShape::Continuous { dim: 2 },
                actual: ActionShape::Continuous { dim: 3 },
            })
        );
        assert!(rows.push(&1usize).is_err());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.require_continuous(2).unwrap(), [1.0, 2.0, 3.0, 4.0]);
        assert!(rows.require_discrete().is_err());
        rows.reset(ActionShape::Discrete);
        rows.push(&4usize).unwrap();
        assert_eq!(rows.discrete(), Some(&[4i64][..]));
    }
}
