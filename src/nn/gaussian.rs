//! The diagonal Gaussian over box actions on tensors: the log-probability and entropy a
//! Gaussian policy's update differentiates (the host versions, for acting, are in
//! [`policy`](crate::policy)).

use burn::tensor::Tensor;

/// `ln(2π) / 2`.
const HALF_LN_TAU: f32 = 0.918_938_5;

/// `ln N(actions; mean, diag(exp(log_std))^2)` of each row, `[batch, 1]`, from `mean` and
/// `actions` of `[batch, dim]` and `log_std` of `[batch, dim]` or `[1, dim]` (one learnable
/// row broadcast over the batch): `Σ -(a - μ)² / (2σ²) - ln σ - ln(2π) / 2`.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use cinder_rl::nn::gaussian_log_prob;
///
/// let device = Device::flex();
/// let mean = Tensor::<2>::from_floats([[0.0, 1.0]], &device);
/// let log_std = Tensor::<2>::from_floats([[0.0, 0.0]], &device);
/// let at_mean = gaussian_log_prob(mean.clone(), log_std, mean).into_scalar::<f32>();
/// assert!((at_mean + 2.0 * 0.918_938_5).abs() < 1e-6); // two standard normals at their means
/// ```
pub fn gaussian_log_prob(mean: Tensor<2>, log_std: Tensor<2>, actions: Tensor<2>) -> Tensor<2> {
    let z = (actions - mean) / log_std.clone().exp();
    (z.powi_scalar(2).mul_scalar(-0.5) - log_std)
        .sub_scalar(HALF_LN_TAU)
        .sum_dim(1)
}

/// The entropy of each row's diagonal Gaussian, `[rows, 1]`, from `log_std` of
/// `[rows, dim]`: `Σ ln σ + (1 + ln(2π)) / 2`.
pub fn gaussian_entropy(log_std: Tensor<2>) -> Tensor<2> {
    log_std.add_scalar(0.5 + HALF_LN_TAU).sum_dim(1)
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, TensorData};

    use super::*;
    use crate::policy::{diag_gaussian_entropy, diag_gaussian_log_prob};

    #[test]
    fn tensors_agree_with_the_host_closed_forms() {
        let device = Device::flex();
        let rows =
            |v: Vec<f32>, n: usize| Tensor::<2>::from_data(TensorData::new(v, [n, 2]), &device);
        let mean = [0.5f32, -1.0, 2.0, 0.0];
        let log_std = [-0.5f32, 0.3];
        let actions = [1.0f32, -2.5, 1.0, 0.4];
        // One learnable row of log-stds, broadcast over two samples.
        let log_probs = gaussian_log_prob(
            rows(mean.to_vec(), 2),
            rows(log_std.to_vec(), 1),
            rows(actions.to_vec(), 2),
        )
        .into_data()
        .try_into_vec::<f32>()
        .unwrap();
        for (row, log_prob) in log_probs.iter().enumerate() {
            let host = diag_gaussian_log_prob(
                &mean[2 * row..2 * row + 2],
                &log_std,
                &actions[2 * row..2 * row + 2],
            )
            .unwrap();
            assert!(
                (log_prob - host).abs() < 1e-5,
                "row {row}: {log_prob} vs {host}"
            );
        }
        let entropy = gaussian_entropy(rows(log_std.to_vec(), 1)).into_scalar::<f32>();
        assert!((entropy - diag_gaussian_entropy(&log_std).unwrap()).abs() < 1e-5);
    }
}
