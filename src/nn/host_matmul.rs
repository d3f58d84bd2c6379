//! The matrix product of the host-side passes: one call of `gemm` on row-major operands,
//! either of which may be stored as its transpose.

use gemm::{Parallelism, gemm};

/// How a matrix operand is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// As it is used, row-major.
    Plain,
    /// As its transpose, row-major.
    Transposed,
}

/// `c = a b` (or `c += a b` when `accumulate`) for `a` of `[m, k]`, `b` of `[k, n]` and `c` of
/// `[m, n]`, all row-major; an operand marked [`Side::Transposed`] is stored as its transpose.
pub(super) fn matmul(
    c: &mut [f32],
    a: &[f32],
    a_side: Side,
    b: &[f32],
    b_side: Side,
    [m, k, n]: [usize; 3],
    accumulate: bool,
) {
    assert!(
        c.len() == m * n && a.len() == m * k && b.len() == k * n,
        "matrix product of mismatched shapes"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c.fill(0.0);
        }
        return;
    }
    let stride = |x: usize| isize::try_from(x).expect("a matrix fits in memory");
    // (row stride, column stride) of each operand as used.
    let (a_rs, a_cs) = match a_side {
        Side::Plain => (stride(k), 1),
        Side::Transposed => (1, stride(m)),
    };
    let (b_rs, b_cs) = match b_side {
        Side::Plain => (stride(n), 1),
        Side::Transposed => (1, stride(k)),
    };
    // SAFETY: the lengths checked above hold every element the strides reach: a's (i, p) at
    // i * a_rs + p * a_cs < m * k, b's (p, j) at p * b_rs + j * b_cs < k * n, c's (i, j) at
    // i * n + j < m * n; `c` is borrowed mutably, so it aliases neither input.
    unsafe {
        gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            stride(n),
            accumulate,
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            b_cs,
            b_rs,
            1.0,
            1.0,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}
