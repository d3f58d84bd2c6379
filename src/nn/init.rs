//! Seeded parameter initialisation.
//!
//! Burn draws initial weights from a process-wide generator, which concurrent code (tests run
//! in parallel, two agents in one program) can interleave. The crate's networks draw from
//! their own [`SeededRng`] instead, so a seed fixes the weights wherever they are built.

use burn::module::Param;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor, TensorData};
use rand::RngExt;
use rand_distr::StandardNormal;

use crate::error::AgentError;
use crate::rng::SeededRng;

/// The most parameters a ready-made network may have (2^28, 1 GiB of `f32`s per copy; an
/// agent keeps several copies and optimizer moments). Larger sizes are refused before any
/// weight is allocated.
pub const MAX_PARAMETERS: u128 = 1 << 28;

/// Checks that layers of `(inputs, outputs, weights per input-output pair)` stay within
/// [`MAX_PARAMETERS`]; `field` names the network in the error.
pub(crate) fn check_parameter_count(
    field: &'static str,
    layers: impl IntoIterator<Item = (usize, usize, usize)>,
) -> Result<(), AgentError> {
    let count: u128 = layers
        .into_iter()
        .map(|(input, output, per_pair)| {
            input as u128 * output as u128 * per_pair as u128 + output as u128
        })
        .sum();
    if count > MAX_PARAMETERS {
        return Err(AgentError::InvalidConfig {
            field,
            reason: format!("{count} parameters, at most {MAX_PARAMETERS} are supported"),
        });
    }
    Ok(())
}

/// A fully connected layer `d_input -> d_output` with PyTorch's default initialisation: weight
/// and bias uniform in `[-k, k)`, `k = 1 / sqrt(d_input)`, drawn from `rng`.
pub fn seeded_linear(
    d_input: usize,
    d_output: usize,
    rng: &mut SeededRng,
    device: &Device,
) -> Linear {
    let k = 1.0 / (d_input as f32).sqrt();
    let mut uniform = |n: usize| -> Vec<f32> { (0..n).map(|_| rng.random_range(-k..k)).collect() };
    let weight = uniform(d_input * d_output);
    let bias = uniform(d_output);
    Linear {
        weight: Param::from_tensor(Tensor::from_data(
            TensorData::new(weight, [d_input, d_output]),
            device,
        )),
        bias: Some(Param::from_tensor(Tensor::from_data(
            TensorData::new(bias, [d_output]),
            device,
        ))),
    }
}

/// A fully connected layer `d_input -> d_output` with orthogonal weights scaled by `gain`
/// and zero biases, as PPO implementations initialise their networks (PyTorch's
/// `nn.init.orthogonal_`, with `gain` √2 for hidden layers, 0.01 for a policy head and 1
/// for a value head in Stable-Baselines3). The weight matrix is the orthonormalised
/// (Gram-Schmidt, signs fixed so that the triangular factor has a positive diagonal)
/// standard normal matrix drawn from `rng`: its rows are orthonormal when `d_output <=
/// d_input`, its columns otherwise. The cost grows as `d_input * d_output * min(d_input,
/// d_output)`.
///
/// ```
/// use burn::tensor::Device;
/// use cinder_rl::nn::orthogonal_linear;
/// use cinder_rl::rng::seeded;
///
/// let layer = orthogonal_linear(4, 3, 1.0, &mut seeded(0), &Device::flex());
/// let w = layer.weight.val().into_data().try_into_vec::<f32>().unwrap(); // [4, 3], input-major
/// // The three output columns are orthonormal: w^T w = I.
/// for a in 0..3 {
///     for b in 0..3 {
///         let dot: f32 = (0..4).map(|i| w[i * 3 + a] * w[i * 3 + b]).sum();
///         assert!((dot - f32::from(u8::from(a == b))).abs() < 1e-5);
///     }
/// }
/// ```
pub fn orthogonal_linear(
    d_input: usize,
    d_output: usize,
    gain: f32,
    rng: &mut SeededRng,
    device: &Device,
) -> Linear {
    let weight = orthogonal(d_output, d_input, f64::from(gain), rng);
    // `weight` is PyTorch's [d_output, d_input]; Burn keeps [d_input, d_output].
    let mut transposed = vec![0.0f32; d_input * d_output];
    for o in 0..d_output {
        for i in 0..d_input {
            transposed[i * d_output + o] = weight[o * d_input + i];
        }
    }
    Linear {
        weight: Param::from_tensor(Tensor::from_data(
            TensorData::new(transposed, [d_input, d_output]),
            device,
        )),
        bias: Some(Param::from_tensor(Tensor::zeros([d_output], device))),
    }
}

/// A `rows x cols` matrix (row-major) with orthonormal rows (`rows <= cols`) or columns,
/// times `gain`.
fn orthogonal(rows: usize, cols: usize, gain: f64, rng: &mut SeededRng) -> Vec<f32> {
    // Orthonormalise the columns of a tall `long x short` Gaussian matrix, then transpose
    // when the wanted matrix is wide.
    let (long, short) = (rows.max(cols), rows.min(cols));
    let mut columns: Vec<Vec<f64>> = (0..short)
        .map(|_| (0..long).map(|_| rng.sample(StandardNormal)).collect())
        .collect();
    for j in 0..short {
        let (done, rest) = columns.split_at_mut(j);
        let column = &mut rest[0];
        // Modified Gram-Schmidt: remove the earlier directions one at a time.
        for earlier in done.iter() {
            let dot: f64 = earlier.iter().zip(column.iter()).map(|(a, b)| a * b).sum();
            for (c, e) in column.iter_mut().zip(earlier) {
                *c -= dot * e;
            }
        }
        let norm = column.iter().map(|c| c * c).sum::<f64>().sqrt();
        // A zero norm has probability zero; the column is then left as it is.
        if norm > 0.0 {
            for c in column.iter_mut() {
                *c /= norm;
            }
        }
    }
    let mut matrix = vec![0.0f32; rows * cols];
    for (j, column) in columns.iter().enumerate() {
        for (i, &v) in column.iter().enumerate() {
            let (r, c) = if rows >= cols { (i, j) } else { (j, i) };
            matrix[r * cols + c] = (gain * v) as f32;
        }
    }
    matrix
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded;

    /// The Gram matrix of the rows (`by_rows`) or columns of a `rows x cols` matrix.
    fn gram(m: &[f32], rows: usize, cols: usize, by_rows: bool) -> Vec<f64> {
        let (n, len) = if by_rows { (rows, cols) } else { (cols, rows) };
        let at = |v: usize, k: usize| {
            let (r, c) = if by_rows { (v, k) } else { (k, v) };
            f64::from(m[r * cols + c])
        };
        let mut g = vec![0.0; n * n];
        for a in 0..n {
            for b in 0..n {
                g[a * n + b] = (0..len).map(|k| at(a, k) * at(b, k)).sum();
            }
        }
        g
    }

    #[test]
    fn orthogonal_matrices_have_orthonormal_rows_or_columns_times_the_gain() {
        for (rows, cols) in [(3, 7), (7, 3), (5, 5), (1, 4), (64, 64)] {
            let gain = 2.0f64.sqrt();
            let m = orthogonal(rows, cols, gain, &mut seeded(1));
            let by_rows = rows <= cols;
            let n = rows.min(cols);
            let g = gram(&m, rows, cols, by_rows);
            for a in 0..n {
                for b in 0..n {
                    let expected = if a == b { gain * gain } else { 0.0 };
                    assert!(
                        (g[a * n + b] - expected).abs() < 1e-5,
                        "{rows}x{cols} ({a}, {b})"
                    );
                }
            }
            assert_eq!(m, orthogonal(rows, cols, gain, &mut seeded(1)));
            assert_ne!(m, orthogonal(rows, cols, gain, &mut seeded(2)));
        }
    }
}
