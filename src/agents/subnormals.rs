//! Subnormal floats during updates: every agent's gradient updates (forward, backward and
//! optimizer step) run with the floating-point unit flushing subnormal numbers to zero, on by
//! default, switched off for the whole process with [`set_flush_subnormals`].
//!
//! Why: Adam keeps moving averages of each parameter's gradient and squared gradient. A
//! parameter whose gradient is zero (the weights of a ReLU unit that no input activates) has
//! them multiplied by `beta_1` and `beta_2` at every step, so they decay into the subnormal
//! range (below 1.2e-38): after 30 000 steps of DQN on CartPole a quarter of the moments are
//! subnormal. Arithmetic on subnormal numbers is slow on many processors (Intel's take a
//! microcode assist per operation), and these moments are read and written at every update.
//! Flushing them to zero changes no result above 1.2e-38: a moment that small contributes
//! nothing to an update of a parameter of normal size.
//!
//! The mode is the processor's, per thread, and the guard sets it for the duration of one
//! update only and restores what was there before (also when the update panics): the
//! environments, which reproduce Gymnasium bit for bit, and the caller's own code never run
//! under it. A helper thread computing part of an update takes the mode of the thread that
//! hands the work over. On processors other than x86, x86-64 and AArch64 it does nothing.
//! This is what TensorFlow does in its thread pools and PyTorch offers as
//! `torch.set_flush_denormal`.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::float_mode::flushed;

static FLUSH: AtomicBool = AtomicBool::new(true);

/// Whether agents flush subnormal floats to zero during their updates (the default), or
/// compute with them as IEEE 754 says. For the whole process, from the next update on.
///
/// ```
/// use cinder_rl::agents::{flush_subnormals, set_flush_subnormals};
///
/// assert!(flush_subnormals());
/// set_flush_subnormals(false); // exact IEEE 754 arithmetic in updates, slower on Intel
/// assert!(!flush_subnormals());
/// set_flush_subnormals(true);
/// ```
pub fn set_flush_subnormals(enabled: bool) {
    FLUSH.store(enabled, Ordering::Relaxed);
}

/// Whether agents' updates flush subnormal floats to zero (see [`set_flush_subnormals`]).
pub fn flush_subnormals() -> bool {
    FLUSH.load(Ordering::Relaxed)
}

/// Runs `work` on this thread with subnormal results flushed to zero and subnormal inputs read
/// as zero, when [`flush_subnormals`] says so; the thread's previous mode is restored after.
pub(crate) fn without_subnormals<T>(work: impl FnOnce() -> T) -> T {
    if !flush_subnormals() {
        return work();
    }
    flushed(work)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest normal f32 halved: subnormal under IEEE 754, zero when flushed. Computed
    /// at run time from opaque inputs so that no constant folding happens.
    fn halve(value: f32) -> f32 {
        std::hint::black_box(value) * std::hint::black_box(0.5)
    }

    #[test]
    #[cfg(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))]
    fn updates_flush_subnormals_and_the_thread_s_mode_comes_back_after() {
        let before = halve(f32::MIN_POSITIVE);
        assert!(before.is_subnormal());
        assert_eq!(without_subnormals(|| halve(f32::MIN_POSITIVE)), 0.0);
        assert_eq!(halve(f32::MIN_POSITIVE), before);
        // f64 too (the environments' physics), and restored as well.
        let tiny = std::hint::black_box(f64::MIN_POSITIVE);
        assert_eq!(without_subnormals(|| tiny * std::hint::black_box(0.5)), 0.0);
        assert!((tiny * std::hint::black_box(0.5)).is_subnormal());
    }

    #[test]
    fn a_panicking_update_restores_the_mode() {
        let caught = std::panic::catch_unwind(|| without_subnormals(|| panic!("diverged")));
        assert!(caught.is_err());
        assert!(halve(f32::MIN_POSITIVE).is_subnormal());
    }
}
