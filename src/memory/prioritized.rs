//! Proportional prioritized replay over the uniform ring buffer.

use rand::{Rng, RngExt};

pub(super) mod blob;
mod config;

pub use config::PrioritizedConfig;

use super::storage::ObservationStorage;
use super::sum_tree::{MinTree, SumTree};
use super::{Batch, MemoryState, ReplayMemory, Transition, UniformReplay};
use crate::env::{Action, ActionShape, Space};
use crate::error::MemoryError;
use crate::policy::Schedule;

/// Proportional prioritized replay (Schaul et al. 2016): transitions are drawn in proportion
/// to priorities `p_i = (|delta_i| + epsilon)^alpha` of their last TD errors `delta_i`, and
/// served with importance weights that undo the bias.
///
/// Transitions live in a [`UniformReplay`] (same capacity, storage, actions and eviction of
/// the oldest first), priorities in a sum tree and a min tree over its slots. A new
/// transition gets the largest priority seen so far, so it is replayed at least once soon;
/// the agent reports the TD errors of every batch it learns from through
/// [`update_priorities`](ReplayMemory::update_priorities).
///
/// Sampling is stratified: the total priority is cut into `batch_size` equal segments and one
/// slot drawn in each (with replacement across segments). The weight of slot `i` is
/// `w_i = (N * P(i))^-beta / max_j w_j`, `P(i) = p_i / sum p` and `N` the number stored;
/// the largest weight belongs to the smallest priority, so `w_i = (min p / p_i)^beta`, in
/// (0, 1]. `beta` follows its schedule against the number of transitions pushed.
///
/// ```
/// use cinder_rl::memory::{PrioritizedConfig, PrioritizedReplay, ReplayMemory, Transition};
/// use cinder_rl::rng::seeded;
///
/// # fn main() -> Result<(), cinder_rl::error::MemoryError> {
/// let mut memory = PrioritizedReplay::new(1000, 4, PrioritizedConfig::default())?;
/// for i in 0..64 {
///     memory.push(&Transition {
///         observation: [i as f32; 4],
///         action: i % 2,
///         reward: 1.0,
///         next_observation: [0.0f32; 4],
///         terminated: false,
///         truncated: false,
///     })?;
/// }
/// assert!(memory.wants_td_errors());
/// let mut rng = seeded(0);
/// let batch = memory.sample(32, &mut rng)?;
/// // Every transition is new, at the same (largest) priority: every weight is 1.
/// assert!(batch.weights.iter().all(|&w| w == 1.0));
/// // The agent's TD errors for the batch become the slots' priorities.
/// let td_errors: Vec<f32> = batch.indices.iter().map(|&slot| slot as f32 * 0.1).collect();
/// memory.update_priorities(&batch.indices, &td_errors)?;
/// // p = (|delta| + epsilon)^alpha, with the default epsilon 1e-6 and alpha 0.6.
/// let expected = (f64::from(td_errors[0]) + 1e-6).powf(0.6);
/// assert_eq!(memory.priority(batch.indices[0]), Some(expected));
/// let batch = memory.sample(32, &mut rng)?;
/// assert!(batch.weights.iter().all(|&w| w > 0.0 && w <= 1.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct PrioritizedReplay {
    memory: UniformReplay,
    config: PrioritizedConfig,
    /// Each slot's priority `p_i` (zero for slots holding nothing).
    sums: SumTree,
    /// Each stored slot's priority (`+inf` for slots holding nothing).
    mins: MinTree,
    /// The largest `|delta| + epsilon` seen, starting at 1.
    max_priority: f64,
    /// `max_priority^alpha`: what new transitions get.
    max_stored: f64,
    /// The transitions pushed since creation (beta's step).
    pushes: u64,
    /// Room for the priorities of one update, kept between updates.
    scratch: Vec<f64>,
}

/// How many slot searches run side by side when sampling.
const SEARCHES: usize = 64;

impl PrioritizedReplay {
    /// A memory of `capacity` transitions with `obs_dim`-long observations and discrete
    /// actions, prioritized as `config` says. Invalid settings are a
    /// [`MemoryError::InvalidConfig`]; otherwise as [`UniformReplay::new`].
    pub fn new(
        capacity: usize,
        obs_dim: usize,
        config: PrioritizedConfig,
    ) -> Result<Self, MemoryError> {
        Self::with_storage(capacity, obs_dim, ObservationStorage::F32, config)
    }

    /// A memory that keeps observations as `storage` says; otherwise as [`new`](Self::new).
    pub fn with_storage(
        capacity: usize,
        obs_dim: usize,
        storage: ObservationStorage,
        config: PrioritizedConfig,
    ) -> Result<Self, MemoryError> {
        Self::with_actions(capacity, obs_dim, storage, ActionShape::Discrete, config)
    }

    /// A memory of actions of `shape`; otherwise as [`with_storage`](Self::with_storage) (and
    /// [`UniformReplay::with_actions`]).
    pub fn with_actions(
        capacity: usize,
        obs_dim: usize,
        storage: ObservationStorage,
        shape: ActionShape,
        config: PrioritizedConfig,
    ) -> Result<Self, MemoryError> {
        config.validate()?;
        let memory = UniformReplay::with_actions(capacity, obs_dim, storage, shape)?;
        Ok(Self {
            memory,
            config,
            sums: SumTree::new(capacity)?,
            mins: MinTree::new(capacity)?,
            max_priority: 1.0,
            max_stored: 1.0f64.powf(config.alpha),
            pushes: 0,
            scratch: Vec::new(),
        })
    }

    /// The settings.
    pub fn config(&self) -> &PrioritizedConfig {
        &self.config
    }

    /// The priority `p_i` of storage slot `slot` (the slots of [`Batch::indices`]), `None`
    /// for a slot that holds no transition.
    pub fn priority(&self, slot: usize) -> Option<f64> {
        if slot < self.memory.len() {
            self.sums.get(slot)
        } else {
            None
        }
    }

    /// The largest `|delta| + epsilon` seen so far (1 before any larger one): new transitions
    /// get priority `max_priority^alpha`.
    pub fn max_priority(&self) -> f64 {
        self.max_priority
    }

    /// The importance-weight exponent now: the schedule's value at the number of transitions
    /// pushed.
    pub fn beta(&self) -> f64 {
        self.config.beta.value(self.pushes)
    }

    /// The number of transitions pushed since creation, evicted ones included.
    pub fn pushes(&self) -> u64 {
        self.pushes
    }

    /// The ring buffer that holds the transitions.
    pub fn inner(&self) -> &UniformReplay {
        &self.memory
    }

    /// The bytes the transitions and the two trees occupy on the heap.
    pub fn allocated_bytes(&self) -> usize {
        self.memory.allocated_bytes() + 2 * self.sums.nodes() * size_of::<f64>()
    }

    /// `p = (|td_error| + epsilon)^alpha` and `|td_error| + epsilon`, or an error when
    /// `td_error` is not finite or `p` not a positive finite number.
    fn priority_of(&self, td_error: f32) -> Result<(f64, f64), MemoryError> {
        let raw = f64::from(td_error.abs()) + self.config.epsilon;
        let priority = raw.powf(self.config.alpha);
        if td_error.is_finite() && priority.is_finite() && priority > 0.0 {
            return Ok((priority, raw));
        }
        Err(MemoryError::InvalidConfig {
            field: "td_errors",
            reason: format!("TD error {td_error} gives priority {priority}"),
        })
    }

    /// Gives `slot` priority `priority` in both trees.
    #[inline]
    fn set_priority(&mut self, slot: usize, priority: f64) {
        self.sums.set(slot, priority);
        self.mins.set(slot, priority);
    }

    /// Stores a transition through `push` into the ring buffer, at the largest priority.
    fn push_with(
        &mut self,
        push: impl FnOnce(&mut UniformReplay) -> Result<(), MemoryError>,
    ) -> Result<(), MemoryError> {
        let slot = self.memory.next_slot();
        push(&mut self.memory)?;
        self.set_priority(slot, self.max_stored);
        self.pushes = self.pushes.saturating_add(1);
        Ok(())
    }
}

impl ReplayMemory for PrioritizedReplay {
    fn push<O: AsRef<[f32]>, A: Action>(
        &mut self,
        transition: &Transition<O, A>,
    ) -> Result<(), MemoryError> {
        self.push_with(|memory| memory.push(transition))
    }

    fn stores_discounts(&self) -> bool {
        self.memory.stores_discounts()
    }

    fn push_discounted<O: AsRef<[f32]>, A: Action>(
        &mut self,
        transition: &Transition<O, A>,
        discount: f32,
    ) -> Result<(), MemoryError> {
        self.push_with(|memory| memory.push_discounted(transition, discount))
    }

    fn action_shape(&self) -> ActionShape {
        self.memory.action_shape()
    }

    fn len(&self) -> usize {
        self.memory.len()
    }

    fn capacity(&self) -> usize {
        self.memory.capacity()
    }

    fn obs_dim(&self) -> usize {
        self.memory.obs_dim()
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
        let stored = self.memory.len();
        if batch_size > stored {
            return Err(MemoryError::NotEnoughTransitions {
                requested: batch_size,
                stored,
            });
        }
        batch.clear(batch_size, self.memory.obs_dim());
        let segment = self.sums.total() / batch_size as f64;
        // Searches run side by side, a chunk at a time, with no allocation.
        let (mut masses, mut slots) = ([0.0f64; SEARCHES], [0usize; SEARCHES]);
        for start in (0..batch_size).step_by(SEARCHES) {
            let n = SEARCHES.min(batch_size - start);
            for (i, mass) in masses[..n].iter_mut().enumerate() {
                *mass = segment * ((start + i) as f64 + rng.random::<f64>());
            }
            if !self
                .sums
                .find_prefix_sums(&mut masses[..n], &mut slots[..n])
            {
                return Err(MemoryError::Corrupt("the priorities sum to zero".into()));
            }
            batch.indices.extend_from_slice(&slots[..n]);
        }
        let (min, beta) = (self.mins.min(), self.beta());
        for &slot in &batch.indices {
            let priority = self.sums.get(slot).unwrap_or(min);
            let weight = (min / priority).powf(beta) as f32;
            batch.weights.push(weight.clamp(f32::MIN_POSITIVE, 1.0));
        }
        self.memory.gather(batch);
        Ok(())
    }

    fn wants_td_errors(&self) -> bool {
        true
    }

    /// Sets each slot's priority from its TD error. Slices of different lengths, a slot that
    /// holds no transition, or an error that is not finite (or whose priority is not a
    /// positive finite number) is a [`MemoryError::InvalidConfig`] of field `td_errors` or
    /// `indices`, and changes nothing.
    fn update_priorities(
        &mut self,
        indices: &[usize],
        td_errors: &[f32],
    ) -> Result<(), MemoryError> {
        if indices.len() != td_errors.len() {
            return Err(MemoryError::InvalidConfig {
                field: "td_errors",
                reason: format!("{} errors for {} indices", td_errors.len(), indices.len()),
            });
        }
        let stored = self.memory.len();
        for (&slot, &td_error) in indices.iter().zip(td_errors) {
            if slot >= stored {
                return Err(MemoryError::InvalidConfig {
                    field: "indices",
                    reason: format!("slot {slot} holds no transition (the memory holds {stored})"),
                });
            }
            self.priority_of(td_error)?;
        }
        let mut priorities = std::mem::take(&mut self.scratch);
        priorities.clear();
        for &td_error in td_errors {
            let (priority, raw) = self.priority_of(td_error)?;
            priorities.push(priority);
            if raw > self.max_priority {
                self.max_priority = raw;
                self.max_stored = priority;
            }
        }
        self.sums.set_many(indices, &priorities);
        self.mins.set_many(indices, &priorities);
        self.scratch = priorities;
        Ok(())
    }
}

impl MemoryState for PrioritizedReplay {
    fn to_bytes(&self) -> Vec<u8> {
        PrioritizedReplay::to_bytes(self)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, MemoryError> {
        PrioritizedReplay::from_bytes(bytes)
    }

    /// Checks the ring buffer's shape (as [`UniformReplay`] does) and that the settings are
    /// the same.
    fn check_fits(&self, restored: &Self) -> Result<(), MemoryError> {
        self.memory.check_fits(&restored.memory)?;
        if self.config == restored.config {
            return Ok(());
        }
        Err(MemoryError::Corrupt(format!(
            "the saved memory's prioritized settings {:?} differ from this one's {:?}",
            restored.config, self.config
        )))
    }

    fn check_actions(&self, space: &Space) -> Result<(), MemoryError> {
        self.memory.check_actions(space)
    }
}
