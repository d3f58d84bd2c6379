//! The uniform ring buffer.

use rand::{Rng, RngExt};

mod blob;

use blob::bytes_for;

use super::alloc::try_filled;
use super::storage::{ObservationStorage, Rows};
use super::{ActionRows, Batch, MemoryState, ReplayMemory, Transition, invalid_action};
use crate::env::{Action, ActionShape, Space};
use crate::error::MemoryError;

/// A fixed-capacity ring buffer that evicts the oldest transition first and samples uniformly
/// with replacement.
///
/// Fields live in contiguous arrays allocated once: a transition with `d`-dimensional
/// observations and a discrete action costs `8 * d + 20` bytes (52 for CartPole), or
/// `2 * d + 20` with one-byte [`ObservationStorage::U8`] (for pictures); a continuous action
/// of `k` values takes `4 * k` bytes instead of the index's 8
/// ([`with_actions`](Self::with_actions)). A memory of n-step transitions
/// ([`push_discounted`](ReplayMemory::push_discounted)) keeps each one's discount in 4 more
/// bytes, allocated at its first such push; either kind of push, once made, is the only kind
/// the memory takes until it is [cleared](Self::clear).
///
/// ```
/// use cinder_rl::memory::{ReplayMemory, Transition, UniformReplay};
/// use cinder_rl::rng::seeded;
///
/// # fn main() -> Result<(), cinder_rl::error::MemoryError> {
/// let mut memory = UniformReplay::new(1000, 4)?;
/// let transition = Transition {
///     observation: [0.0f32; 4],
///     action: 1,
///     reward: 1.0,
///     next_observation: [0.1f32; 4],
///     terminated: false,
///     truncated: false,
/// };
/// for _ in 0..64 {
///     memory.push(&transition)?;
/// }
/// let batch = memory.sample(32, &mut seeded(0))?;
/// assert_eq!(batch.observations.len(), 32 * 4);
/// assert!(memory.sample(65, &mut seeded(0)).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct UniformReplay {
    capacity: usize,
    obs_dim: usize,
    len: usize,
    /// The slot the next push writes.
    next: usize,
    observations: Rows,
    next_observations: Rows,
    actions: ActionRows,
    rewards: Vec<f32>,
    terminated: Vec<f32>,
    truncated: Vec<f32>,
    /// Each slot's bootstrap discount: empty until the first
    /// [`push_discounted`](ReplayMemory::push_discounted), then one per slot.
    discounts: Vec<f32>,
    /// Whether the stored transitions carry discounts (fixed by the first push into an empty
    /// memory).
    discounted: bool,
}

impl UniformReplay {
    /// A memory of `capacity` transitions with `obs_dim`-long observations and discrete
    /// actions; zero for either is a [`MemoryError::InvalidConfig`], and a memory larger than
    /// can be allocated a [`MemoryError::TooLarge`] that says how many bytes it needed.
    pub fn new(capacity: usize, obs_dim: usize) -> Result<Self, MemoryError> {
        Self::with_storage(capacity, obs_dim, ObservationStorage::F32)
    }

    /// A memory that keeps observations as `storage` says (one byte per value, for pictures);
    /// otherwise as [`new`](Self::new).
    pub fn with_storage(
        capacity: usize,
        obs_dim: usize,
        storage: ObservationStorage,
    ) -> Result<Self, MemoryError> {
        Self::with_actions(capacity, obs_dim, storage, ActionShape::Discrete)
    }

    /// A memory of actions of `shape` (continuous actions of any dimension, for a box action
    /// space); otherwise as [`with_storage`](Self::with_storage). Continuous actions of zero
    /// values are a [`MemoryError::InvalidConfig`].
    ///
    /// ```
    /// use cinder_rl::env::ActionShape;
    /// use cinder_rl::memory::{ObservationStorage, ReplayMemory, Transition, UniformReplay};
    ///
    /// let shape = ActionShape::Continuous { dim: 2 };
    /// let mut memory = UniformReplay::with_actions(100, 3, ObservationStorage::F32, shape)?;
    /// fn step<A>(action: A) -> Transition<[f32; 3], A> {
    ///     Transition {
    ///         observation: [0.0; 3],
    ///         action,
    ///         reward: 1.0,
    ///         next_observation: [0.0; 3],
    ///         terminated: false,
    ///         truncated: false,
    ///     }
    /// }
    /// memory.push(&step([0.5f32, -0.5]))?;
    /// assert!(memory.push(&step(1usize)).is_err()); // an index
    /// assert!(memory.push(&step([0.5f32; 3])).is_err()); // three values
    /// assert_eq!(memory.get::<[f32; 2]>(0).unwrap().action, [0.5, -0.5]);
    /// # Ok::<(), cinder_rl::error::MemoryError>(())
    /// ```
    pub fn with_actions(
        capacity: usize,
        obs_dim: usize,
        storage: ObservationStorage,
        shape: ActionShape,
    ) -> Result<Self, MemoryError> {
        storage.validate()?;
        if shape == (ActionShape::Continuous { dim: 0 }) {
            return Err(MemoryError::InvalidConfig {
                field: "action_dim",
                reason: "must be at least 1".into(),
            });
        }
        if capacity == 0 {
            return Err(MemoryError::InvalidConfig {
                field: "capacity",
                reason: "must be at least 1".into(),
            });
        }
        if obs_dim == 0 {
            return Err(MemoryError::InvalidConfig {
                field: "obs_dim",
                reason: "must be at least 1".into(),
            });
        }
        let Some(obs_len) = capacity.checked_mul(obs_dim) else {
            return Err(MemoryError::InvalidConfig {
                field: "capacity",
                reason: format!("{capacity} transitions of {obs_dim} values overflow memory"),
            });
        };
        // A refusal reports the whole memory's size, not the one array that failed.
        let too_large = |_: MemoryError| MemoryError::TooLarge {
            what: "replay memory",
            bytes: bytes_for(capacity, obs_dim, storage, shape),
        };
        let actions = match shape {
            ActionShape::Discrete => {
                ActionRows::Discrete(try_filled(capacity, 0, "replay actions").map_err(too_large)?)
            }
            ActionShape::Continuous { dim } => ActionRows::Continuous {
                dim,
                values: try_filled(capacity.saturating_mul(dim), 0.0, "replay actions")
                    .map_err(too_large)?,
            },
        };
        Ok(Self {
            capacity,
            obs_dim,
            len: 0,
            next: 0,
            observations: Rows::new(storage, obs_len).map_err(too_large)?,
            next_observations: Rows::new(storage, obs_len).map_err(too_large)?,
            actions,
            rewards: try_filled(capacity, 0.0, "replay rewards").map_err(too_large)?,
            terminated: try_filled(capacity, 0.0, "replay flags").map_err(too_large)?,
            truncated: try_filled(capacity, 0.0, "replay flags").map_err(too_large)?,
            discounts: Vec::new(),
            discounted: false,
        })
    }

    /// The bytes the stored fields occupy on the heap (allocated once, at creation).
    pub fn allocated_bytes(&self) -> usize {
        fn bytes<T>(v: &Vec<T>) -> usize {
            v.capacity() * size_of::<T>()
        }
        self.observations.allocated_bytes()
            + self.next_observations.allocated_bytes()
            + self.actions.allocated_bytes()
            + bytes(&self.rewards)
            + bytes(&self.terminated)
            + bytes(&self.truncated)
            + bytes(&self.discounts)
    }

    /// The `index`-th oldest stored transition (0 is the oldest) with its action as an `A`,
    /// or `None` past the end or when `A` is not of the stored actions' shape.
    pub fn get<A: Action>(&self, index: usize) -> Option<Transition<Vec<f32>, A>> {
        if index >= self.len {
            return None;
        }
        let slot = (self.next + self.capacity - self.len + index) % self.capacity;
        let d = self.obs_dim;
        let (mut observation, mut next_observation) =
            (Vec::with_capacity(d), Vec::with_capacity(d));
        self.observations.extend(slot * d, d, &mut observation);
        self.next_observations
            .extend(slot * d, d, &mut next_observation);
        Some(Transition {
            observation,
            action: self.actions.get(slot)?,
            reward: f64::from(self.rewards[slot]),
            next_observation,
            terminated: self.terminated[slot] != 0.0,
            truncated: self.truncated[slot] != 0.0,
        })
    }

    /// How observations are stored.
    pub fn storage(&self) -> ObservationStorage {
        self.observations.storage()
    }

    /// Whether the stored transitions carry their own bootstrap discounts (they were stored
    /// with [`push_discounted`](ReplayMemory::push_discounted)); `false` while empty.
    pub fn holds_discounts(&self) -> bool {
        self.discounted && self.len > 0
    }

    /// Forgets every transition; the next push decides again whether the memory holds
    /// discounts.
    pub fn clear(&mut self) {
        self.len = 0;
        self.next = 0;
        self.discounted = false;
    }

    /// The slot the next push writes.
    pub(crate) fn next_slot(&self) -> usize {
        self.next
    }

    /// Fills `batch`, already [cleared](Batch::clear) to its size with the slots to gather in
    /// `indices` (each below [`len`](ReplayMemory::len)), with those slots' fields, in order;
    /// `weights` is left as it is.
    pub(crate) fn gather(&self, batch: &mut Batch) {
        let d = self.obs_dim;
        for &slot in &batch.indices {
            self.observations
                .extend(slot * d, d, &mut batch.observations);
            self.next_observations
                .extend(slot * d, d, &mut batch.next_observations);
            batch.rewards.push(self.rewards[slot]);
            batch.terminated.push(self.terminated[slot]);
            batch.truncated.push(self.truncated[slot]);
        }
        if self.holds_discounts() {
            batch
                .discounts
                .extend(batch.indices.iter().map(|&slot| self.discounts[slot]));
        }
        batch.actions.gather(&self.actions, &batch.indices);
    }

    /// Writes `transition` (with its discount, when given) into the next slot, after checking
    /// everything that could refuse it, so that a refusal leaves the memory unchanged.
    fn write<O: AsRef<[f32]>, A: Action>(
        &mut self,
        transition: &Transition<O, A>,
        discount: Option<f32>,
    ) -> Result<(), MemoryError> {
        let (observation, next_observation) = (
            transition.observation.as_ref(),
            transition.next_observation.as_ref(),
        );
        for actual in [observation.len(), next_observation.len()] {
            if actual != self.obs_dim {
                return Err(MemoryError::ObservationLength {
                    expected: self.obs_dim,
                    actual,
                });
            }
        }
        if self.len > 0 && self.discounted != discount.is_some() {
            let reason = if self.discounted {
                "the memory holds transitions with discounts: push them with push_discounted"
            } else {
                "the memory holds transitions without discounts: push them with push"
            };
            return Err(MemoryError::InvalidConfig {
                field: "discount",
                reason: reason.into(),
            });
        }
        let slot = self.next;
        self.actions.write(slot, transition.action.encode())?;
        if let Some(discount) = discount {
            // Only an empty memory lacks the array here: its slot 0, just written, holds
            // nothing stored, so a refusal still leaves the contents unchanged.
            if self.discounts.is_empty() {
                self.discounts = try_filled(self.capacity, 1.0, "replay discounts")?;
            }
            self.discounts[slot] = discount;
        }
        self.discounted = discount.is_some();
        let rows = slot * self.obs_dim..(slot + 1) * self.obs_dim;
        self.observations.write(rows.start, observation);
        self.next_observations.write(rows.start, next_observation);
        self.rewards[slot] = transition.reward as f32;
        self.terminated[slot] = flag(transition.terminated);
        self.truncated[slot] = flag(transition.truncated);
        self.next = (slot + 1) % self.capacity;
        self.len = (self.len + 1).min(self.capacity);
        Ok(())
    }
}

/// Checks that `discount` is a finite number in [0, 1].
pub(crate) fn check_discount(discount: f32) -> Result<(), MemoryError> {
    if discount.is_finite() && (0.0..=1.0).contains(&discount) {
        return Ok(());
    }
    Err(MemoryError::InvalidConfig {
        field: "discount",
        reason: format!("must be a finite number in [0, 1], got {discount}"),
    })
}

fn flag(value: bool) -> f32 {
    if value { 1.0 } else { 0.0 }
}

impl ReplayMemory for UniformReplay {
    fn push<O: AsRef<[f32]>, A: Action>(
        &mut self,
        transition: &Transition<O, A>,
    ) -> Result<(), MemoryError> {
        self.write(transition, None)
    }

    fn stores_discounts(&self) -> bool {
        true
    }

    fn push_discounted<O: AsRef<[f32]>, A: Action>(
        &mut self,
        transition: &Transition<O, A>,
        discount: f32,
    ) -> Result<(), MemoryError> {
        check_discount(discount)?;
        self.write(transition, Some(discount))
    }

    fn len(&self) -> usize {
        self.len
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    fn action_shape(&self) -> ActionShape {
        self.actions.shape()
    }

    fn sample_into<R: Rng + ?Sized>(
        &self,
        batch_size: usize,
        rng: &mut R,
        batch: &mut Batch,
    ) -> Result<(), MemoryError> {
        if batch_size == 0 {
            return Err(MemoryError::EmptyBatch);
        }
        if batch_size > self.len {
            return Err(MemoryError::NotEnoughTransitions {
                requested: batch_size,
                stored: self.len,
            });
        }
        batch.clear(batch_size, self.obs_dim);
        // While the ring is filling, slots 0..len hold the data; once full, every slot does.
        for _ in 0..batch_size {
            batch.indices.push(rng.random_range(0..self.len));
        }
        self.gather(batch);
        Ok(())
    }
}

impl MemoryState for UniformReplay {
    fn to_bytes(&self) -> Vec<u8> {
        UniformReplay::to_bytes(self)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, MemoryError> {
        UniformReplay::from_bytes(bytes)
    }

    fn check_fits(&self, restored: &Self) -> Result<(), MemoryError> {
        let shape = |m: &Self| (m.capacity, m.obs_dim, m.storage(), m.actions.shape());
        if shape(self) == shape(restored) {
            return Ok(());
        }
        Err(MemoryError::Corrupt(format!(
            "the saved memory holds {} transitions of {} ({:?}, {}), this one {} of {} ({:?}, {})",
            restored.capacity,
            restored.obs_dim,
            restored.storage(),
            restored.actions.shape(),
            self.capacity,
            self.obs_dim,
            self.storage(),
            self.actions.shape()
        )))
    }

    fn check_actions(&self, space: &Space) -> Result<(), MemoryError> {
        let expected = space.action_shape();
        if self.actions.shape() != expected {
            return Err(MemoryError::ActionShape {
                expected,
                actual: self.actions.shape(),
            });
        }
        let (Some(n_actions), Some(actions)) = (space.n(), self.actions.discrete()) else {
            return Ok(());
        };
        match invalid_action(actions, n_actions) {
            Some(action) => Err(MemoryError::Corrupt(format!(
                "stored action {action} is outside the action space 0..{n_actions}"
            ))),
            None => Ok(()),
        }
    }
}
