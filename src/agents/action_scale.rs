//! The map between a bounded box and the `[-1, 1]` units a tanh-squashed actor works in.

use rand::RngExt;

use crate::env::{BoxSpace, Space};
use crate::error::AgentError;

/// A bounded box's centre and half-width per component: `a = centre + half * u` for `u` in
/// `[-1, 1]`, and back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ActionScale {
    centre: Vec<f32>,
    half: Vec<f32>,
    low: Vec<f32>,
    high: Vec<f32>,
}

impl ActionScale {
    /// The scale of `space`: a box whose bounds are all finite, with `low < high` in every
    /// component. Any other space is an [`AgentError::InvalidConfig`].
    pub fn new(space: &Space) -> Result<Self, AgentError> {
        let invalid = |reason: String| AgentError::InvalidConfig {
            field: "action space",
            reason,
        };
        let Space::Box(bounds) = space else {
            return Err(invalid(
                "a continuous-action agent needs a box, got a discrete space".into(),
            ));
        };
        if bounds.low.is_empty() {
            return Err(invalid("the box has no component".into()));
        }
        let bounded = bounds
            .low
            .iter()
            .zip(&bounds.high)
            .all(|(&lo, &hi)| lo.is_finite() && hi.is_finite() && lo < hi);
        if !bounded {
            return Err(invalid(format!(
                "every component needs finite bounds with low < high, got low {:?} and high {:?}",
                bounds.low, bounds.high
            )));
        }
        let pairs = || bounds.low.iter().zip(&bounds.high);
        Ok(Self {
            centre: pairs().map(|(&lo, &hi)| 0.5 * (lo + hi)).collect(),
            half: pairs().map(|(&lo, &hi)| 0.5 * (hi - lo)).collect(),
            low: bounds.low.clone(),
            high: bounds.high.clone(),
        })
    }

    /// The box.
    pub fn bounds(&self) -> BoxSpace {
        BoxSpace {
            low: self.low.clone(),
            high: self.high.clone(),
            shape: vec![self.low.len()],
        }
    }

    /// The number of components.
    pub fn dim(&self) -> usize {
        self.centre.len()
    }

    /// The box's actions for the rows of `units` (each value in `[-1, 1]`), clipped to the box
    /// against rounding, appended to `out`.
    pub fn to_box(&self, units: &[f32], out: &mut Vec<f32>) {
        for row in units.chunks_exact(self.dim()) {
            for (i, &u) in row.iter().enumerate() {
                let a = self.centre[i] + self.half[i] * u;
                out.push(a.clamp(self.low[i], self.high[i]));
            }
        }
    }

    /// The `[-1, 1]` units of the box's actions `actions` (rows of `dim` values), clipped to
    /// `[-1, 1]` (an action outside the box counts as its nearest bound, as the environment
    /// clips it).
    pub fn to_units(&self, actions: &[f32]) -> Vec<f32> {
        actions
            .chunks_exact(self.dim())
            .flat_map(|row| {
                row.iter()
                    .enumerate()
                    .map(|(i, &a)| ((a - self.centre[i]) / self.half[i]).clamp(-1.0, 1.0))
            })
            .collect()
    }

    /// `rows` actions drawn uniformly from the box, appended to `out`.
    pub fn sample(&self, rows: usize, rng: &mut impl rand::Rng, out: &mut Vec<f32>) {
        for _ in 0..rows {
            for (&lo, &hi) in self.low.iter().zip(&self.high) {
                out.push(rng.random_range(lo..=hi));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded;

    #[test]
    fn units_map_onto_the_box_and_back() {
        let scale = ActionScale::new(&Space::boxed(vec![-2.0, 0.0], vec![2.0, 1.0])).unwrap();
        let mut actions = Vec::new();
        scale.to_box(&[-1.0, -1.0, 0.0, 0.0, 1.0, 0.5], &mut actions);
        assert_eq!(actions, [-2.0, 0.0, 0.0, 0.5, 2.0, 0.75]);
        assert_eq!(scale.to_units(&actions), [-1.0, -1.0, 0.0, 0.0, 1.0, 0.5]);
        // Outside the box counts as its bound.
        assert_eq!(scale.to_units(&[5.0, -3.0]), [1.0, -1.0]);
        let mut drawn = Vec::new();
        scale.sample(100, &mut seeded(0), &mut drawn);
        assert!(
            drawn
                .chunks_exact(2)
                .all(|a| (-2.0..=2.0).contains(&a[0]) && (0.0..=1.0).contains(&a[1]))
        );
    }

    #[test]
    fn only_bounded_boxes_scale() {
        for space in [
            Space::discrete(3),
            Space::unbounded(vec![2]),
            Space::boxed(vec![1.0], vec![1.0]),
            Space::boxed(vec![], vec![]),
        ] {
            assert!(
                matches!(
                    ActionScale::new(&space),
                    Err(AgentError::InvalidConfig {
                        field: "action space",
                        ..
                    })
                ),
                "{space:?}"
            );
        }
    }
}
