//! The tanh-squashed diagonal Gaussian on tensors: the log-probability a SAC-style actor
//! differentiates, with the change-of-variables correction for `a = tanh(u)`.

use burn::tensor::Tensor;
use burn::tensor::activation::softplus;

use super::gaussian_log_prob;

/// `ln 2`.
const LN_2: f32 = std::f32::consts::LN_2;

/// `Σ ln(1 - tanh(u)²)` of each row of `pre_tanh` `[batch, dim]`, `[batch, 1]`, in the stable
/// form `Σ 2 (ln 2 - u - softplus(-2u))`: exact where `1 - tanh(u)²` underflows.
pub fn tanh_log_det(pre_tanh: Tensor<2>) -> Tensor<2> {
    let softplus_term = softplus(pre_tanh.clone().mul_scalar(-2.0), 1.0);
    (pre_tanh.neg().add_scalar(LN_2) - softplus_term)
        .mul_scalar(2.0)
        .sum_dim(1)
}

/// `ln p(tanh(u))` of each row for `u ~ N(mean, diag(exp(log_std))^2)`, `[batch, 1]`: the
/// Gaussian log-density of the pre-squash sample `pre_tanh` minus
/// [`tanh_log_det`]`(pre_tanh)`. `log_std` is `[batch, dim]` or `[1, dim]`. Rescaling the squashed
/// action to a box's bounds adds a constant that the gradients do not see.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use cinder_rl::nn::{gaussian_log_prob, squashed_gaussian_log_prob};
///
/// let device = Device::flex();
/// let zero = Tensor::<2>::from_floats([[0.0]], &device);
/// // At u = 0, tanh's slope is 1: the squashed density equals the Gaussian one.
/// let squashed = squashed_gaussian_log_prob(zero.clone(), zero.clone(), zero.clone());
/// let plain = gaussian_log_prob(zero.clone(), zero.clone(), zero);
/// assert!((squashed.into_scalar::<f32>() - plain.into_scalar::<f32>()).abs() < 1e-6);
/// ```
pub fn squashed_gaussian_log_prob(
    mean: Tensor<2>,
    log_std: Tensor<2>,
    pre_tanh: Tensor<2>,
) -> Tensor<2> {
    gaussian_log_prob(mean, log_std, pre_tanh.clone()) - tanh_log_det(pre_tanh)
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, TensorData};

    use super::*;

    /// The log-density of `a = tanh(u)` by the change of variables with a numerical
    /// derivative: `ln N(u) - ln |da/du|`, `da/du` by central differences, in f64.
    fn numerical(mean: &[f64], std: &[f64], u: &[f64]) -> f64 {
        let h = 1e-6;
        mean.iter()
            .zip(std)
            .zip(u)
            .map(|((&m, &s), &u)| {
                let z = (u - m) / s;
                let gaussian = -0.5 * z * z - s.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln();
                let slope = ((u + h).tanh() - (u - h).tanh()) / (2.0 * h);
                gaussian - slope.ln()
            })
            .sum()
    }

    #[test]
    fn the_log_probability_matches_the_change_of_variables() {
        let device = Device::flex();
        let rows = |v: &[f32], n: usize| {
            Tensor::<2>::from_data(TensorData::new(v.to_vec(), [n, 2]), &device)
        };
        let mean = [0.3f32, -1.2, 2.0, 0.0, -0.5, 0.7];
        let log_std = [-0.4f32, 0.5];
        // Samples near zero, in the tails, and far enough out that 1 - tanh² is tiny.
        let u = [0.1f32, -2.5, 3.7, 0.0, -6.0, 1.4];
        let log_probs = squashed_gaussian_log_prob(rows(&mean, 3), rows(&log_std, 1), rows(&u, 3))
            .into_data()
            .try_into_vec::<f32>()
            .unwrap();
        let std: Vec<f64> = log_std.iter().map(|&l| f64::from(l).exp()).collect();
        for (row, log_prob) in log_probs.iter().enumerate() {
            let f = |v: &[f32]| -> Vec<f64> {
                v[2 * row..2 * row + 2].iter().map(|&x| x.into()).collect()
            };
            let expected = numerical(&f(&mean), &std, &f(&u));
            assert!(
                (f64::from(*log_prob) - expected).abs() < 1e-3 * expected.abs().max(1.0),
                "row {row}: {log_prob} vs {expected}"
            );
        }
    }

    #[test]
    fn the_correction_stays_finite_where_tanh_saturates() {
        let device = Device::flex();
        let u = Tensor::<2>::from_floats([[20.0, -20.0]], &device);
        let det = tanh_log_det(u).into_scalar::<f32>();
        // ln(1 - tanh(u)²) ≈ ln 4 - 2|u| for large |u|: twice that over two values.
        let expected = 2.0 * (4.0f32.ln() - 40.0);
        assert!((det - expected).abs() < 1e-3, "{det} vs {expected}");
    }
}
