//! A helper thread that computes one part of a host update while the training thread computes
//! the other (DQN's target-network pass beside the online network's): the second core for
//! updates that take a hundred microseconds or two.
//!
//! Handing work to a sleeping thread costs tens of microseconds (the operating system has to
//! wake it), as long as the work itself. So between jobs the helper waits spinning,
//! for up to [`SPIN`], and only then sleeps: while updates follow each other, as they do in
//! training, a job reaches it in well under a microsecond. The cost is a second core kept busy
//! while training runs.
//!
//! A job runs under the subnormal-float mode of the thread that hands it over, so that the
//! numbers are the ones that thread would have computed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::float_mode::{flushed, flushing};

/// How long the helper waits spinning for the next job before it sleeps.
const SPIN: Duration = Duration::from_millis(1);

/// No job is waiting (the last one is done and seen).
const IDLE: u8 = 0;
/// A job is waiting in the slot.
const POSTED: u8 = 1;
/// The job is done.
const DONE: u8 = 2;
/// The helper is to end.
const STOP: u8 = 3;

/// A job lent to the helper: a closure on the stack of [`HelperThread::join`]'s caller, which
/// does not return before the helper has run it.
struct Job {
    work: *mut (dyn FnMut() + Send),
    flush: bool,
}

// SAFETY: the closure behind the pointer is `Send`; the pointer is used by the helper only
// between POSTED and DONE, while the lending frame waits.
unsafe impl Send for Job {}

/// What the helper and its owner share.
struct Shared {
    state: AtomicU8,
    job: Mutex<Option<Job>>,
    /// The helper is asleep (or about to be), and needs waking for a job.
    sleeping: AtomicBool,
    /// The last job panicked.
    panicked: AtomicBool,
}

/// A helper thread.
pub(crate) struct HelperThread {
    shared: Arc<Shared>,
    handle: Option<JoinHandle<()>>,
    /// Held through a [`join`](Self::join): callers on several threads take turns.
    poster: Mutex<()>,
}

impl HelperThread {
    /// A helper thread; `None` when the system refuses a new thread.
    pub fn spawn() -> Option<Self> {
        let shared = Arc::new(Shared {
            state: AtomicU8::new(IDLE),
            job: Mutex::new(None),
            sleeping: AtomicBool::new(false),
            panicked: AtomicBool::new(false),
        });
        let theirs = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("cinder-rl update helper".into())
            .spawn(move || serve(&theirs))
            .ok()?;
        Some(Self {
            shared,
            handle: Some(handle),
            poster: Mutex::new(()),
        })
    }

    /// Runs `theirs` on the helper and `mine` on this thread, and returns when both are done.
    ///
    /// # Panics
    /// When either panics (after both have ended).
    pub fn join(&self, mine: impl FnOnce(), theirs: impl FnOnce() + Send) {
        let _turn = self.poster.lock().unwrap_or_else(PoisonError::into_inner);
        let mut theirs = Some(theirs);
        let mut call = move || {
            if let Some(theirs) = theirs.take() {
                theirs();
            }
        };
        let work: *mut (dyn FnMut() + Send + '_) = &mut call;
        // SAFETY: only the closure's lifetime is erased. The helper calls it between POSTED and
        // DONE, and `Wait` (dropped on return and on unwinding alike) does not let this frame end
        // before the helper has set DONE.
        let work: *mut (dyn FnMut() + Send + 'static) = unsafe { std::mem::transmute(work) };
        *self
            .shared
            .job
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Job {
            work,
            flush: flushing(),
        });
        self.shared.state.store(POSTED, Ordering::SeqCst);
        if self.shared.sleeping.load(Ordering::SeqCst)
            && let Some(handle) = &self.handle
        {
            handle.thread().unpark();
        }
        let waiting = Wait(&self.shared);
        mine();
        drop(waiting);
        if self.shared.panicked.swap(false, Ordering::SeqCst) {
            panic!("the update helper's part of a host update panicked");
        }
    }
}

/// Waits, when dropped, until the helper has done the posted job.
struct Wait<'a>(&'a Shared);

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        let mut spins = 0u32;
        while self.0.state.load(Ordering::Acquire) != DONE {
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(4096) {
                // Let the helper have this core if the two share one.
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
        self.0.state.store(IDLE, Ordering::Release);
        if std::thread::panicking() {
            // The caller's panic is the one that propagates; the helper's, if any, goes.
            self.0.panicked.store(false, Ordering::SeqCst);
        }
    }
}

impl Drop for HelperThread {
    fn drop(&mut self) {
        self.shared.state.store(STOP, Ordering::SeqCst);
        if let Some(handle) = self.handle.take() {
            handle.thread().unpark();
            // The helper catches its jobs' panics, so it ends cleanly.
            let _ = handle.join();
        }
    }
}

impl std::fmt::Debug for HelperThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HelperThread")
    }
}

/// The helper's loop: wait for a job (spinning, then asleep), run it, say it is done.
fn serve(shared: &Shared) {
    loop {
        let mut since = Instant::now();
        let mut spins = 0u32;
        loop {
            match shared.state.load(Ordering::Acquire) {
                POSTED => break,
                STOP => return,
                _ => {}
            }
            spins = spins.wrapping_add(1);
            if !spins.is_multiple_of(256) || since.elapsed() < SPIN {
                std::hint::spin_loop();
                continue;
            }
            shared.sleeping.store(true, Ordering::SeqCst);
            if !matches!(shared.state.load(Ordering::SeqCst), POSTED | STOP) {
                std::thread::park();
            }
            shared.sleeping.store(false, Ordering::SeqCst);
            since = Instant::now();
        }
        let job = shared
            .job
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(Job { work, flush }) = job {
            // SAFETY: see `Job`: the lending frame waits for DONE.
            let run = || unsafe { (*work)() };
            let ran = catch_unwind(AssertUnwindSafe(
                || {
                    if flush { flushed(run) } else { run() }
                },
            ));
            if ran.is_err() {
                shared.panicked.store(true, Ordering::SeqCst);
            }
        }
        shared.state.store(DONE, Ordering::Release);
    }
}

/// A place for a helper thread, empty until the first update that wants one; cloning it gives
/// an empty place (the clone starts its own helper when it needs one).
#[derive(Debug, Default)]
pub(crate) struct HelperSlot(std::sync::OnceLock<Option<HelperThread>>);

impl HelperSlot {
    /// The helper, started now if it is not yet; `None` when no thread could be started.
    pub fn get(&self) -> Option<&HelperThread> {
        self.0.get_or_init(HelperThread::spawn).as_ref()
    }
}

impl Clone for HelperSlot {
    fn clone(&self) -> Self {
        Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parts_run_and_write_their_halves() {
        let helper = HelperThread::spawn().unwrap();
        let mut data = vec![0u32; 1000];
        for round in 1..=200u32 {
            let (left, right) = data.split_at_mut(500);
            helper.join(
                || left.iter_mut().for_each(|x| *x += round),
                || right.iter_mut().for_each(|x| *x += 2 * round),
            );
        }
        let total: u32 = (1..=200).sum();
        assert!(data[..500].iter().all(|&x| x == total));
        assert!(data[500..].iter().all(|&x| x == 2 * total));
    }

    #[test]
    fn a_sleeping_helper_wakes_for_the_next_job() {
        let helper = HelperThread::spawn().unwrap();
        for _ in 0..3 {
            std::thread::sleep(SPIN * 5);
            let mut done = false;
            helper.join(|| {}, || done = true);
            assert!(done);
        }
    }

    #[test]
    fn the_helper_s_panic_reaches_the_caller_and_the_helper_serves_on() {
        let helper = HelperThread::spawn().unwrap();
        let caught = catch_unwind(AssertUnwindSafe(|| helper.join(|| {}, || panic!("boom"))));
        assert!(caught.is_err());
        let mut done = false;
        helper.join(|| {}, || done = true);
        assert!(done);
    }

    #[test]
    fn the_caller_s_panic_waits_for_the_helper() {
        let helper = HelperThread::spawn().unwrap();
        let mut finished = false;
        let caught = catch_unwind(AssertUnwindSafe(|| {
            helper.join(
                || panic!("mine"),
                || {
                    std::thread::sleep(Duration::from_millis(20));
                    finished = true;
                },
            )
        }));
        assert!(caught.is_err());
        assert!(finished);
    }

    #[test]
    #[cfg(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))]
    fn the_helper_computes_under_the_caller_s_subnormal_mode() {
        let helper = HelperThread::spawn().unwrap();
        let (mut plain, mut flushed_there) = (true, false);
        helper.join(|| {}, || plain = !flushing());
        flushed(|| helper.join(|| {}, || flushed_there = flushing()));
        assert!(plain && flushed_there);
        let mut after = true;
        helper.join(|| {}, || after = !flushing());
        assert!(after);
    }
}
