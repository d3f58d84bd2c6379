//! The processor's treatment of subnormal floats on the calling thread: whether it flushes
//! them to zero now, and running work with them flushed. The mode is per thread; the agents
//! set it around their updates (`agents::set_flush_subnormals`), and a helper thread that takes
//! part of an update takes the mode of the thread that handed the work over.

/// Whether this thread flushes subnormal results to zero at this moment.
pub(crate) fn flushing() -> bool {
    // The smallest normal f32 halved is subnormal, or zero when flushed. The operands are
    // opaque, so that the product is computed at run time under the thread's mode.
    std::hint::black_box(f32::MIN_POSITIVE) * std::hint::black_box(0.5) == 0.0
}

/// Runs `work` on this thread with subnormal results flushed to zero and subnormal inputs read
/// as zero; the thread's previous mode is restored after, also when `work` panics. On
/// processors other than x86, x86-64 and AArch64 it runs `work` as it is.
#[cfg(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))]
pub(crate) fn flushed<T>(work: impl FnOnce() -> T) -> T {
    // SAFETY: the mode only changes how results below the smallest normal float are
    // rounded; it is set and restored (by a guard, also on unwinding) around the update's
    // arithmetic on this thread (tensor kernels or the host loops), which holds no float
    // constants folded under the other mode that it relies on.
    unsafe { no_denormals::no_denormals(work) }
}

/// Runs `work` as it is: this processor has no mode to set.
#[cfg(not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64")))]
pub(crate) fn flushed<T>(work: impl FnOnce() -> T) -> T {
    work()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))]
    fn the_probe_sees_the_thread_s_mode() {
        assert!(!flushing());
        assert!(flushed(flushing));
        assert!(!flushing());
    }
}
