//! Replay memories: the [`ReplayMemory`] trait, [`Transition`], sampled [`Batch`]es, the
//! uniform ring buffer [`UniformReplay`], proportional [`PrioritizedReplay`] over it, and
//! [`AnyReplay`], either one as a setting ([`ReplayKind`]) chooses.
//!
//! Memories store every field in its own contiguous array (`f32` observations, rewards and
//! flags, [`ActionRows`] of `i64` indices or `f32` values) and sample straight into a
//! [`Batch`] of such arrays, one per field, ready to become one tensor each.

mod action_rows;
pub(crate) mod alloc;
mod any_replay;
mod batch;
mod prioritized;
mod storage;
mod sum_tree;
mod transition;
mod uniform;

pub use action_rows::ActionRows;
pub use any_replay::{AnyReplay, ReplayKind};
pub use batch::Batch;
pub use prioritized::{PrioritizedConfig, PrioritizedReplay};
pub use storage::ObservationStorage;
pub use transition::Transition;
pub use uniform::UniformReplay;

use rand::Rng;

use crate::env::{Action, ActionShape, Space};
use crate::error::MemoryError;

/// A store of transitions that agents sample mini-batches from.
pub trait ReplayMemory {
    /// Stores a transition, evicting the oldest one when the memory is full.
    ///
    /// An observation of the wrong length is a [`MemoryError::ObservationLength`], an action
    /// of another shape than the memory holds a [`MemoryError::ActionShape`].
    fn push<O: AsRef<[f32]>, A: Action>(
        &mut self,
        transition: &Transition<O, A>,
    ) -> Result<(), MemoryError>;

    /// Whether the memory can store transitions with their own bootstrap discount
    /// ([`push_discounted`](Self::push_discounted)); `false` by default.
    fn stores_discounts(&self) -> bool {
        false
    }

    /// Stores an n-step transition: `transition.reward` is already the discounted sum of its
    /// rewards and `discount` (finite, in [0, 1]) multiplies the bootstrap of its
    /// `next_observation` (`gamma^k` for `k` summed steps). Sampled batches carry it in
    /// [`Batch::discounts`].
    ///
    /// By default a [`MemoryError::InvalidConfig`] of field `discount` saying that the memory
    /// does not store discounts. Memories that do hold either plain or discounted
    /// transitions, as the first push into them decides; mixing is an `InvalidConfig` too.
    fn push_discounted<O: AsRef<[f32]>, A: Action>(
        &mut self,
        transition: &Transition<O, A>,
        discount: f32,
    ) -> Result<(), MemoryError> {
        let _ = (transition, discount);
        Err(MemoryError::InvalidConfig {
            field: "discount",
            reason: "this memory does not store per-transition discounts".into(),
        })
    }

    /// The shape of the actions the memory holds: discrete by default.
    fn action_shape(&self) -> ActionShape {
        ActionShape::Discrete
    }

    /// The number of transitions stored.
    fn len(&self) -> usize;

    /// Whether no transition is stored.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most transitions the memory holds.
    fn capacity(&self) -> usize;

    /// The length of one observation.
    fn obs_dim(&self) -> usize;

    /// Fills `batch` with `batch_size` transitions drawn with `rng`, reusing its buffers.
    ///
    /// Asking for more transitions than are stored is a
    /// [`MemoryError::NotEnoughTransitions`]; asking for none is a [`MemoryError::EmptyBatch`].
    fn sample_into<R: Rng + ?Sized>(
        &self,
        batch_size: usize,
        rng: &mut R,
        batch: &mut Batch,
    ) -> Result<(), MemoryError>;

    /// Whether the memory wants the TD errors of the samples it serves, through
    /// [`update_priorities`](Self::update_priorities) (prioritized replay does); `false` by
    /// default, which spares the agent computing them.
    fn wants_td_errors(&self) -> bool {
        false
    }

    /// Takes the absolute TD errors `|y - Q(s, a)|` of the last batch's samples, in the order
    /// of its `indices` (the slots `sample_into` wrote there). Does nothing by default.
    fn update_priorities(
        &mut self,
        indices: &[usize],
        td_errors: &[f32],
    ) -> Result<(), MemoryError> {
        let _ = (indices, td_errors);
        Ok(())
    }

    /// Draws `batch_size` transitions with `rng` into a new [`Batch`].
    fn sample<R: Rng + ?Sized>(
        &self,
        batch_size: usize,
        rng: &mut R,
    ) -> Result<Batch, MemoryError> {
        let mut batch = Batch::default();
        self.sample_into(batch_size, rng, &mut batch)?;
        Ok(batch)
    }
}

/// A replay memory whose complete contents can be saved and restored: what an agent needs of
/// its memory to write checkpoints ([`Checkpoint`](crate::agent::Checkpoint)).
pub trait MemoryState: ReplayMemory + Sized {
    /// The complete contents, as bytes.
    fn to_bytes(&self) -> Vec<u8>;

    /// A memory from [`to_bytes`](Self::to_bytes) output. Bytes from a file may be anything:
    /// check sizes against the bytes present before allocating, and values before using them,
    /// returning an error (never panicking) for what does not hold.
    fn from_bytes(bytes: &[u8]) -> Result<Self, MemoryError>;

    /// Checks that `restored` (read from a file) can take this memory's place: the same
    /// capacity, observation length and storage.
    fn check_fits(&self, restored: &Self) -> Result<(), MemoryError>;

    /// Checks that every stored action is an element of `space`: an index in `0..n` for a
    /// discrete space, values of the box's dimension for a box.
    fn check_actions(&self, space: &Space) -> Result<(), MemoryError>;
}

/// The first stored action that is not in `0..n_actions` (negative, or too large), if any.
pub(crate) fn invalid_action(actions: &[i64], n_actions: usize) -> Option<i64> {
    actions
        .iter()
        .copied()
        .find(|&a| usize::try_from(a).map_or(true, |a| a >= n_actions))
}
