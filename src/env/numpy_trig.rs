//! numpy's float32 `sin` and `cos` (its SIMD kernels as built with FMA), which differ from
//! `cosf`/`sinf` and from `cos` rounded to float32 in a few percent of inputs: Acrobot's reset
//! observation needs them to be Gymnasium's bit for bit.

/// numpy's float32 `cos(x)`.
pub(crate) fn cos32(x: f32) -> f32 {
    trig32(x, true)
}

/// numpy's float32 `sin(x)`.
pub(crate) fn sin32(x: f32) -> f32 {
    trig32(x, false)
}

fn trig32(x: f32, cos: bool) -> f32 {
    if x.is_nan() {
        return f32::NAN;
    }
    let c = f32::from_bits;
    // Beyond 71476.0625 (cos) and 117435.992 (sin), numpy hands the argument to the C library.
    let large = if cos { c(0x478b_9a08) } else { c(0x47e5_5dff) };
    if x.abs() > large {
        return if cos { x.cos() } else { x.sin() };
    }
    // The quadrant: x·2/π rounded to the nearest integer by the 1.5·2^23 trick.
    let q = x * c(0x3f22_f983);
    let q = (q + c(0x4b40_0000)) - c(0x4b40_0000);
    // x - q·π/2 in three FMA steps.
    let r = q.mul_add(c(0xbfc9_0fd8), x);
    let r = q.mul_add(c(0xb4a8_885a), r);
    let r = q.mul_add(c(0xa7c2_34c4), r);
    let r2 = r * r;
    let cos_r = [c(0xbab6_036e), c(0x3d2a_aa9e), -0.5, 1.0]
        .into_iter()
        .fold(c(0x37cc_730b), |acc, k| acc.mul_add(r2, k));
    let sin_r = [c(0xb950_35dd), c(0x3c08_88cd), c(0xbe2a_aaab)]
        .into_iter()
        .fold(c(0x363e_9dde), |acc, k| acc.mul_add(r2, k));
    let sin_r = sin_r.mul_add(r2, 0.0).mul_add(r, r);
    let k = q as i32 + i32::from(cos);
    let value = if k & 1 == 0 { sin_r } else { cos_r };
    if k & 2 != 0 { 0.0 - value } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_arguments_match_the_exact_values() {
        assert_eq!(cos32(0.0), 1.0);
        assert_eq!(sin32(0.0), 0.0);
        for x in [-3.0f32, -0.5, 0.1, 1.0, 2.5, 100.0] {
            assert!((cos32(x) - x.cos()).abs() <= 1e-6, "{x}");
            assert!((sin32(x) - x.sin()).abs() <= 1e-6, "{x}");
        }
        assert!(cos32(f32::NAN).is_nan());
    }
}
