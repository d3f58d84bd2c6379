//! The diagonal Gaussian over box actions: sampling, log-probability and entropy, as a
//! stochastic policy of continuous actions (PPO's) needs them on the host.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::PolicyError;

/// `ln(2π) / 2`.
const HALF_LN_TAU: f64 = 0.918_938_533_204_672_8;

/// Checks that `mean` and `log_std` are of one non-zero length and finite.
fn check(mean: &[f32], log_std: &[f32]) -> Result<(), PolicyError> {
    if mean.is_empty() || mean.len() != log_std.len() {
        return Err(PolicyError::InvalidDistribution(format!(
            "{} means and {} log standard deviations",
            mean.len(),
            log_std.len()
        )));
    }
    if let Some(v) = mean.iter().chain(log_std).find(|v| !v.is_finite()) {
        return Err(PolicyError::InvalidDistribution(format!(
            "a parameter is {v}"
        )));
    }
    Ok(())
}

/// `ln N(action; mean, diag(exp(log_std))^2)`, summed over the values:
/// `Σ -(a - μ)² / (2σ²) - ln σ - ln(2π) / 2`, computed in f64.
///
/// Parameters of unequal or zero length, or not finite, and an action of another length are
/// a [`PolicyError::InvalidDistribution`].
///
/// ```
/// use cinder_rl::policy::diag_gaussian_log_prob;
///
/// // One standard normal value at its mean: -ln(2π)/2.
/// let at_mean = diag_gaussian_log_prob(&[0.0], &[0.0], &[0.0])?;
/// assert!((at_mean + 0.918_938_5).abs() < 1e-6);
/// # Ok::<(), cinder_rl::error::PolicyError>(())
/// ```
pub fn diag_gaussian_log_prob(
    mean: &[f32],
    log_std: &[f32],
    action: &[f32],
) -> Result<f32, PolicyError> {
    check(mean, log_std)?;
    if action.len() != mean.len() {
        return Err(PolicyError::InvalidDistribution(format!(
            "an action of {} values for {} means",
            action.len(),
            mean.len()
        )));
    }
    let log_prob: f64 = mean
        .iter()
        .zip(log_std)
        .zip(action)
        .map(|((&m, &s), &a)| {
            let (m, s, a) = (f64::from(m), f64::from(s), f64::from(a));
            let z = (a - m) / s.exp();
            -0.5 * z * z - s - HALF_LN_TAU
        })
        .sum();
    Ok(log_prob as f32)
}

/// The entropy of the diagonal Gaussian with `log_std`: `Σ ln σ + (1 + ln(2π)) / 2`; it does
/// not depend on the mean. Non-finite values are a [`PolicyError::InvalidDistribution`].
///
/// ```
/// use cinder_rl::policy::diag_gaussian_entropy;
///
/// // Two standard normal values: 1 + ln(2π).
/// assert!((diag_gaussian_entropy(&[0.0, 0.0])? - 2.837_877).abs() < 1e-5);
/// # Ok::<(), cinder_rl::error::PolicyError>(())
/// ```
pub fn diag_gaussian_entropy(log_std: &[f32]) -> Result<f32, PolicyError> {
    check(log_std, log_std)?;
    let entropy: f64 = log_std
        .iter()
        .map(|&s| f64::from(s) + 0.5 + HALF_LN_TAU)
        .sum();
    Ok(entropy as f32)
}

/// Draws an action from the diagonal Gaussian (`mean + exp(log_std) * ε`, ε standard normal,
/// one draw per value from `rng`) into `out`, and returns its log-probability: that of the
/// drawn values, before any clipping to the action space's bounds, as PPO keeps it.
///
/// Parameters of unequal or zero length, or not finite, are a
/// [`PolicyError::InvalidDistribution`].
///
/// ```
/// use cinder_rl::policy::{diag_gaussian_log_prob, sample_diag_gaussian};
/// use cinder_rl::rng::seeded;
///
/// let (mean, log_std) = ([1.0, -2.0], [0.0, -1.0]);
/// let mut action = Vec::new();
/// let log_prob = sample_diag_gaussian(&mean, &log_std, &mut seeded(3), &mut action)?;
/// assert_eq!(log_prob, diag_gaussian_log_prob(&mean, &log_std, &action)?);
/// # Ok::<(), cinder_rl::error::PolicyError>(())
/// ```
pub fn sample_diag_gaussian<R: Rng + ?Sized>(
    mean: &[f32],
    log_std: &[f32],
    rng: &mut R,
    out: &mut Vec<f32>,
) -> Result<f32, PolicyError> {
    check(mean, log_std)?;
    out.clear();
    for (&m, &s) in mean.iter().zip(log_std) {
        let eps: f64 = StandardNormal.sample(rng);
        out.push((f64::from(m) + f64::from(s).exp() * eps) as f32);
    }
    diag_gaussian_log_prob(mean, log_std, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded;

    #[test]
    fn the_log_probability_and_entropy_are_the_closed_forms() {
        // N(1, 0.5²) at 2: z = 2, ln p = -2 - ln 0.5 - ln(2π)/2.
        let log_prob = diag_gaussian_log_prob(&[1.0], &[0.5f32.ln()], &[2.0]).unwrap();
        let expected = -2.0 - 0.5f64.ln() - HALF_LN_TAU;
        assert!((f64::from(log_prob) - expected).abs() < 1e-6);
        // Independent values add.
        let two = diag_gaussian_log_prob(&[1.0, 0.0], &[0.5f32.ln(), 0.0], &[2.0, 0.0]).unwrap();
        assert!((f64::from(two) - (expected - HALF_LN_TAU)).abs() < 1e-6);
        // Entropy of N(μ, σ²): ln σ + (1 + ln 2π) / 2.
        let entropy = diag_gaussian_entropy(&[2.0f32.ln()]).unwrap();
        assert!((f64::from(entropy) - (2.0f64.ln() + 0.5 + HALF_LN_TAU)).abs() < 1e-6);
    }

    #[test]
    fn samples_have_the_distributions_moments_and_repeat_with_the_seed() {
        let (mean, log_std) = ([3.0f32, -1.0], [0.2f32.ln(), 2.0f32.ln()]);
        let mut rng = seeded(9);
        let mut action = Vec::new();
        let (mut sum, mut squares) = ([0.0f64; 2], [0.0f64; 2]);
        let n = 20_000;
        for _ in 0..n {
            sample_diag_gaussian(&mean, &log_std, &mut rng, &mut action).unwrap();
            for j in 0..2 {
                sum[j] += f64::from(action[j]);
                squares[j] += f64::from(action[j]).powi(2);
            }
        }
        for (j, std) in [0.2, 2.0].into_iter().enumerate() {
            let m = sum[j] / f64::from(n);
            let var = squares[j] / f64::from(n) - m * m;
            assert!(
                (m - f64::from(mean[j])).abs() < 4.0 * std / f64::from(n).sqrt(),
                "{j}: {m}"
            );
            assert!((var.sqrt() - std).abs() < 0.03 * std, "{j}: {}", var.sqrt());
        }
        let mut again = Vec::new();
        sample_diag_gaussian(&mean, &log_std, &mut seeded(9), &mut again).unwrap();
        let mut first = Vec::new();
        sample_diag_gaussian(&mean, &log_std, &mut seeded(9), &mut first).unwrap();
        assert_eq!(first, again);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let mut out = Vec::new();
        let mut rng = seeded(0);
        for (mean, log_std) in [
            (&[][..], &[][..]),
            (&[0.0, 1.0][..], &[0.0][..]),
            (&[f32::NAN][..], &[0.0][..]),
            (&[0.0][..], &[f32::INFINITY][..]),
        ] {
            assert!(matches!(
                sample_diag_gaussian(mean, log_std, &mut rng, &mut out),
                Err(PolicyError::InvalidDistribution(_))
            ));
        }
        assert!(diag_gaussian_log_prob(&[0.0], &[0.0], &[0.0, 1.0]).is_err());
        assert!(diag_gaussian_entropy(&[f32::NAN]).is_err());
    }
}
