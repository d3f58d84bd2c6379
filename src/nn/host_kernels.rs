//! The element-wise loops of the host-side updates, each compiled twice: for the baseline
//! x86-64 instruction set the crate is built for (vectors of four floats) and for AVX2
//! (eight), picked at run time. The arithmetic is the same either way; only the vector
//! width changes.

/// Defines `fn $name` running `$body`, compiled with AVX2 when the CPU supports it.
macro_rules! with_avx2 {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$doc])*
        pub(crate) fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn kernel($($arg: $ty),*) $(-> $ret)? $body

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            fn avx2($($arg: $ty),*) $(-> $ret)? {
                kernel($($arg),*)
            }

            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, the only feature `avx2` is built with.
                return unsafe { avx2($($arg),*) };
            }
            kernel($($arg),*)
        }
    };
}

with_avx2! {
    /// ReLU in place, keeping NaN (as the framework's does).
    fn relu(values: &mut [f32]) {
        // A select of bits rather than a conditional store, which compiles to masked stores
        // (slow on some CPUs).
        for value in values {
            let keep = if *value < 0.0 { 0 } else { u32::MAX };
            *value = f32::from_bits(value.to_bits() & keep);
        }
    }
}

with_avx2! {
    /// ReLU's derivative applied to `delta` into `out`: zero where the layer's `outputs` were
    /// clipped. (Written out of place: in place, the compiler stores only the zeros, with
    /// masked stores that are slow on some CPUs.)
    fn relu_backward(delta: &[f32], outputs: &[f32], out: &mut Vec<f32>) {
        out.clear();
        out.extend(
            delta
                .iter()
                .zip(outputs)
                .map(|(&d, &y)| if y <= 0.0 { 0.0 } else { d }),
        );
    }
}

with_avx2! {
    /// Adds every row of `rows` (rows of `sum.len()` values) to `sum`.
    fn add_rows(sum: &mut [f32], rows: &[f32]) {
        for row in rows.chunks_exact(sum.len()) {
            for (s, r) in sum.iter_mut().zip(row) {
                *s += r;
            }
        }
    }
}

with_avx2! {
    /// `y += sum_p x[p] * rows[p]`, `rows` holding `x.len()` rows of `y.len()` values: one
    /// input times a weight matrix. Inputs that are exactly zero (ReLU's) are skipped.
    fn add_scaled_rows(y: &mut [f32], x: &[f32], rows: &[f32]) {
        for (&x, row) in x.iter().zip(rows.chunks_exact(y.len())) {
            if x != 0.0 {
                for (y, &w) in y.iter_mut().zip(row) {
                    *y += x * w;
                }
            }
        }
    }
}

with_avx2! {
    /// The sum of squares of `values`, over 16 running sums (the same order at any width).
    fn sum_of_squares(values: &[f32]) -> f32 {
        let mut lanes = [0.0f32; 16];
        let chunks = values.chunks_exact(16);
        let tail: f32 = chunks.remainder().iter().map(|v| v * v).sum();
        for chunk in chunks {
            for (lane, v) in lanes.iter_mut().zip(chunk) {
                *lane += v * v;
            }
        }
        lanes.iter().sum::<f32>() + tail
    }
}

with_avx2! {
    /// `values *= factor`.
    fn scale(values: &mut [f32], factor: f32) {
        for value in values {
            *value *= factor;
        }
    }
}

with_avx2! {
    /// `target = target * (1 - tau) + online * tau`.
    fn polyak(target: &mut [f32], online: &[f32], tau: f32) {
        let keep = 1.0 - tau;
        for (t, &o) in target.iter_mut().zip(online) {
            *t = *t * keep + o * tau;
        }
    }
}

/// The constants of one Adam step (see [`adam`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AdamStep {
    pub beta_1: f32,
    pub beta_2: f32,
    /// `sqrt(1 - beta_2^t) / (1 - beta_1^t)`.
    pub factor: f32,
    /// `epsilon * sqrt(1 - beta_2^t)`.
    pub epsilon: f32,
    pub learning_rate: f32,
    /// Gradient components are clamped to `[-clip, clip]` first.
    pub clip: f32,
}

with_avx2! {
    /// One Adam step of `params` against `grads`, in Burn's operations and order:
    /// `m1 = m1 b1 + g (1 - b1)`, `m2 = m2 b2 + g^2 (1 - b2)`,
    /// `p -= (m1 factor) / (sqrt(m2) + epsilon) * lr`.
    fn adam(
        params: &mut [f32],
        grads: &[f32],
        moment_1: &mut [f32],
        moment_2: &mut [f32],
        step: AdamStep,
    ) {
        let (keep_1, keep_2) = (1.0 - step.beta_1, 1.0 - step.beta_2);
        let moments = moment_1.iter_mut().zip(moment_2.iter_mut());
        for ((p, &g), (m1, m2)) in params.iter_mut().zip(grads).zip(moments) {
            let g = g.clamp(-step.clip, step.clip);
            *m1 = *m1 * step.beta_1 + g * keep_1;
            *m2 = *m2 * step.beta_2 + g * g * keep_2;
            *p -= (*m1 * step.factor) / (m2.sqrt() + step.epsilon) * step.learning_rate;
        }
    }
}
