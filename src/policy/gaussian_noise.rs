//! Exploration for continuous actions: Gaussian noise on a deterministic policy's action.

use rand_distr::{Distribution, Normal};

use super::Policy;
use crate::env::BoxSpace;
use crate::error::PolicyError;
use crate::rng::{SeededRng, seeded};

/// Adds independent `N(0, std²)` noise to every value of the wrapped policy's continuous
/// action and clips the result to the action box: the exploration of deterministic
/// continuous-control agents (DDPG, TD3).
///
/// ```
/// use cinder_rl::env::BoxSpace;
/// use cinder_rl::error::PolicyError;
/// use cinder_rl::policy::{GaussianNoise, Policy};
///
/// /// Always the centre of the box.
/// struct Centre;
/// impl Policy<[f32; 1], [f32; 2]> for Centre {
///     fn act(&mut self, _: &[f32; 1]) -> Result<[f32; 2], PolicyError> {
///         Ok([0.0, 0.0])
///     }
/// }
///
/// let bounds = BoxSpace { low: vec![-1.0; 2], high: vec![1.0; 2], shape: vec![2] };
/// let mut noisy = GaussianNoise::new(Centre, 0.5, bounds, 7)?;
/// let action = noisy.act(&[0.0])?;
/// assert!(action.iter().all(|v| (-1.0..=1.0).contains(v)));
/// assert_ne!(action, [0.0, 0.0]);
/// # Ok::<(), PolicyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct GaussianNoise<P> {
    policy: P,
    noise: Normal<f32>,
    bounds: BoxSpace,
    rng: SeededRng,
}

impl<P> GaussianNoise<P> {
    /// `policy` with noise of standard deviation `std` (finite, not negative: else a
    /// [`PolicyError::InvalidNoise`]), clipped to `bounds` (checked as
    /// [`BoxSpace::check_bounds`] does: else a
    /// [`PolicyError::InvalidBounds`]), seeded with `seed`.
    pub fn new(policy: P, std: f32, bounds: BoxSpace, seed: u64) -> Result<Self, PolicyError> {
        let noise = Normal::new(0.0, std)
            .ok()
            .filter(|_| std.is_finite())
            .ok_or(PolicyError::InvalidNoise(std))?;
        BoxSpace::check_bounds(&bounds.low, &bounds.high)
            .map_err(|e| PolicyError::InvalidBounds(e.to_string()))?;
        Ok(Self {
            policy,
            noise,
            bounds,
            rng: seeded(seed),
        })
    }

    /// The wrapped policy.
    pub fn policy(&self) -> &P {
        &self.policy
    }

    /// The wrapped policy, to update it.
    pub fn policy_mut(&mut self) -> &mut P {
        &mut self.policy
    }

    /// The noise generator (to save and restore it with an agent's state).
    pub fn rng(&self) -> &SeededRng {
        &self.rng
    }

    /// Replaces the noise generator.
    pub fn set_rng(&mut self, rng: SeededRng) {
        self.rng = rng;
    }
}

impl<O: ?Sized, A: AsMut<[f32]>, P: Policy<O, A>> Policy<O, A> for GaussianNoise<P> {
    /// The wrapped policy's action with noise, clipped to the box; an action of another
    /// length than the box is a [`PolicyError::Source`].
    fn act(&mut self, observation: &O) -> Result<A, PolicyError> {
        let mut action = self.policy.act(observation)?;
        let values = action.as_mut();
        if values.len() != self.bounds.flat_dim() {
            return Err(PolicyError::Source(format!(
                "an action of {} values for a box of {}",
                values.len(),
                self.bounds.flat_dim()
            )));
        }
        for value in values.iter_mut() {
            *value += self.noise.sample(&mut self.rng);
        }
        self.bounds.clip(values);
        Ok(action)
    }
}
