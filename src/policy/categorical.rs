//! Sampling from a categorical distribution over actions.

use rand::{Rng, RngExt};

use super::{ActionProbabilities, Policy};
use crate::error::PolicyError;
use crate::rng::{SeededRng, seeded};

/// Draws an index with probability proportional to `weights` (which need not sum to one),
/// by inverting the cumulative distribution with one uniform draw.
///
/// Weights that are negative or not finite, or that sum to zero, are a
/// [`PolicyError::InvalidDistribution`].
///
/// ```
/// use cinder_rl::policy::sample_categorical;
/// use cinder_rl::rng::seeded;
///
/// let mut rng = seeded(0);
/// let mut counts = [0; 3];
/// for _ in 0..10_000 {
///     counts[sample_categorical(&[0.2, 0.0, 0.8], &mut rng)?] += 1;
/// }
/// assert_eq!(counts[1], 0);
/// assert!((7_600..8_400).contains(&counts[2]));
/// # Ok::<(), cinder_rl::error::PolicyError>(())
/// ```
pub fn sample_categorical<R: Rng + ?Sized>(
    weights: &[f32],
    rng: &mut R,
) -> Result<usize, PolicyError> {
    if weights.is_empty() {
        return Err(PolicyError::NoActions);
    }
    let mut total = 0.0f64;
    for &w in weights {
        if !(w.is_finite() && w >= 0.0) {
            return Err(PolicyError::InvalidDistribution(format!("weight {w}")));
        }
        total += f64::from(w);
    }
    if total <= 0.0 {
        return Err(PolicyError::InvalidDistribution(
            "the weights sum to zero".into(),
        ));
    }
    let target = rng.random::<f64>() * total;
    let mut cumulative = 0.0f64;
    let mut last_positive = 0;
    for (i, &w) in weights.iter().enumerate() {
        if w > 0.0 {
            cumulative += f64::from(w);
            last_positive = i;
            if target < cumulative {
                return Ok(i);
            }
        }
    }
    // Rounding can leave `target` a hair above the final cumulative sum.
    Ok(last_positive)
}

/// Samples actions from the probabilities of any [`ActionProbabilities`] source with its own
/// seeded generator.
#[derive(Debug, Clone)]
pub struct Categorical<P> {
    probabilities: P,
    rng: SeededRng,
    scratch: Vec<f32>,
}

impl<P> Categorical<P> {
    /// A categorical policy over `probabilities`, seeded with `seed`.
    pub fn new(probabilities: P, seed: u64) -> Self {
        Self {
            probabilities,
            rng: seeded(seed),
            scratch: Vec::new(),
        }
    }

    /// The probability source.
    pub fn source(&self) -> &P {
        &self.probabilities
    }
}

impl<O: ?Sized, P: ActionProbabilities<O>> Policy<O> for Categorical<P> {
    fn act(&mut self, observation: &O) -> Result<usize, PolicyError> {
        self.probabilities
            .probabilities(observation, &mut self.scratch)?;
        sample_categorical(&self.scratch, &mut self.rng)
    }
}
