//! The uniform ring buffer.

use rand::{Rng, RngExt};

use super::alloc::try_filled;
use super::storage::{ObservationStorage, Rows};
use super::{Batch, MemoryState, ReplayMemory, Transition, invalid_action};
use crate::error::MemoryError;

/// A fixed-capacity ring buffer that evicts the oldest transition first and samples uniformly
/// with replacement.
///
/// Fields live in contiguous arrays allocated once: a transition with `d`-dimensional
/// observations costs `8 * d + 20` bytes (52 for CartPole), or `2 * d + 20` with one-byte
/// [`ObservationStorage::U8`] (for pictures).
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
    actions: Vec<i64>,
    rewards: Vec<f32>,
    terminated: Vec<f32>,
    truncated: Vec<f32>,
}

impl UniformReplay {
    /// A memory of `capacity` transitions with `obs_dim`-long observations; zero for either is
    /// a [`MemoryError::InvalidConfig`], and a memory larger than can be allocated a
    /// [`MemoryError::TooLarge`] that says how many bytes it needed.
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
        storage.validate()?;
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
            bytes: bytes_for(capacity, obs_dim, storage),
        };
        Ok(Self {
            capacity,
            obs_dim,
            len: 0,
            next: 0,
            observations: Rows::new(storage, obs_len).map_err(too_large)?,
            next_observations: Rows::new(storage, obs_len).map_err(too_large)?,
            actions: try_filled(capacity, 0, "replay actions").map_err(too_large)?,
            rewards: try_filled(capacity, 0.0, "replay rewards").map_err(too_large)?,
            terminated: try_filled(capacity, 0.0, "replay flags").map_err(too_large)?,
            truncated: try_filled(capacity, 0.0, "replay flags").map_err(too_large)?,
        })
    }

    /// Checks that every stored action is in `0..n_actions` (for contents read from a file).
    pub fn check_actions(&self, n_actions: usize) -> Result<(), MemoryError> {
        match invalid_action(&self.actions, n_actions) {
            Some(action) => Err(MemoryError::Corrupt(format!(
                "stored action {action} is outside the action space 0..{n_actions}"
            ))),
            None => Ok(()),
        }
    }

    /// The bytes the stored fields occupy on the heap (allocated once, at creation).
    pub fn allocated_bytes(&self) -> usize {
        fn bytes<T>(v: &Vec<T>) -> usize {
            v.capacity() * size_of::<T>()
        }
        self.observations.allocated_bytes()
            + self.next_observations.allocated_bytes()
            + bytes(&self.actions)
            + bytes(&self.rewards)
            + bytes(&self.terminated)
            + bytes(&self.truncated)
    }

    /// The `index`-th oldest stored transition (0 is the oldest), or `None` past the end.
    pub fn get(&self, index: usize) -> Option<Transition<Vec<f32>>> {
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
            action: self.actions[slot] as usize,
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

    /// Forgets every transition.
    pub fn clear(&mut self) {
        self.len = 0;
        self.next = 0;
    }

    /// The memory's complete contents as bytes (little-endian), for checkpoints.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(HEADER + self.allocated_bytes());
        for v in [self.capacity, self.obs_dim, self.len, self.next] {
            bytes.extend_from_slice(&(v as u64).to_le_bytes());
        }
        let (tag, low, high) = match self.storage() {
            ObservationStorage::F32 => (0u64, 0.0f32, 0.0f32),
            ObservationStorage::U8 { low, high } => (1, low, high),
        };
        bytes.extend_from_slice(&tag.to_le_bytes());
        bytes.extend_from_slice(&low.to_le_bytes());
        bytes.extend_from_slice(&high.to_le_bytes());
        bytes.extend(self.observations.to_bytes());
        bytes.extend(self.next_observations.to_bytes());
        for field in [&self.rewards, &self.terminated, &self.truncated] {
            bytes.extend(field.iter().flat_map(|v| v.to_le_bytes()));
        }
        bytes.extend(self.actions.iter().flat_map(|v| v.to_le_bytes()));
        bytes
    }

    /// A memory from [`to_bytes`](Self::to_bytes). Sizes are checked against the bytes given
    /// before anything is allocated, and the contents are validated: bytes of another layout,
    /// values that are not finite, flags other than 0 and 1 or negative actions are a
    /// [`MemoryError::Corrupt`]; a memory too large to allocate is [`MemoryError::TooLarge`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MemoryError> {
        let bad = |reason: &str| MemoryError::Corrupt(reason.to_string());
        let header = bytes.get(..HEADER).ok_or_else(|| bad("truncated header"))?;
        let word =
            |i: usize| u64::from_le_bytes(header[i * 8..(i + 1) * 8].try_into().expect("8 bytes"));
        let size = |i: usize| usize::try_from(word(i)).map_err(|_| bad("size overflow"));
        let (capacity, obs_dim, len, next) = (size(0)?, size(1)?, size(2)?, size(3)?);
        let float = |at: usize| f32::from_le_bytes(header[at..at + 4].try_into().expect("4 bytes"));
        let storage = match word(4) {
            0 => ObservationStorage::F32,
            1 => ObservationStorage::U8 {
                low: float(40),
                high: float(44),
            },
            tag => return Err(bad(&format!("unknown observation storage {tag}"))),
        };
        if capacity == 0 || obs_dim == 0 {
            return Err(bad("a memory of zero capacity or zero-length observations"));
        }
        if len > capacity || next >= capacity || (len < capacity && next != len) {
            return Err(bad("inconsistent length and write position"));
        }
        let expected = HEADER as u128 + bytes_for(capacity, obs_dim, storage);
        if bytes.len() as u128 != expected {
            return Err(bad(&format!("{} bytes, expected {expected}", bytes.len())));
        }
        let mut memory = Self::with_storage(capacity, obs_dim, storage)?;
        let mut rest = &bytes[HEADER..];
        let used = memory.observations.read_bytes(rest)?;
        rest = &rest[used..];
        let used = memory.next_observations.read_bytes(rest)?;
        rest = &rest[used..];
        for (name, field) in [
            ("reward", &mut memory.rewards),
            ("terminated flag", &mut memory.terminated),
            ("truncated flag", &mut memory.truncated),
        ] {
            let (head, tail) = rest.split_at(field.len() * 4);
            for (v, chunk) in field.iter_mut().zip(head.chunks_exact(4)) {
                *v = f32::from_le_bytes(chunk.try_into().expect("4 bytes"));
            }
            let valid = |v: &f32| match name {
                "reward" => v.is_finite(),
                _ => *v == 0.0 || *v == 1.0,
            };
            if let Some(v) = field.iter().find(|v| !valid(v)) {
                return Err(bad(&format!("a stored {name} is {v}")));
            }
            rest = tail;
        }
        for (v, chunk) in memory.actions.iter_mut().zip(rest.chunks_exact(8)) {
            *v = i64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        }
        if let Some(action) = memory.actions.iter().find(|&&a| a < 0) {
            return Err(bad(&format!("a stored action is {action}")));
        }
        memory.len = len;
        memory.next = next;
        Ok(memory)
    }
}

/// The bytes the arrays of a memory take (as [`UniformReplay::to_bytes`] writes them, and on
/// the heap), computed without overflow.
fn bytes_for(capacity: usize, obs_dim: usize, storage: ObservationStorage) -> u128 {
    let observation = Rows::value_bytes(storage) as u128 * obs_dim as u128;
    // Two observations, a reward and two flags (f32 each), an action (i64).
    capacity as u128 * (2 * observation + 3 * 4 + 8)
}

/// Bytes before the arrays in [`UniformReplay::to_bytes`]: five u64 words and two f32s.
const HEADER: usize = 48;

fn flag(value: bool) -> f32 {
    if value { 1.0 } else { 0.0 }
}

impl ReplayMemory for UniformReplay {
    fn push<O: AsRef<[f32]>>(&mut self, transition: &Transition<O>) -> Result<(), MemoryError> {
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
        let slot = self.next;
        let rows = slot * self.obs_dim..(slot + 1) * self.obs_dim;
        self.observations.write(rows.start, observation);
        self.next_observations.write(rows.start, next_observation);
        self.actions[slot] = transition.action as i64;
        self.rewards[slot] = transition.reward as f32;
        self.terminated[slot] = flag(transition.terminated);
        self.truncated[slot] = flag(transition.truncated);
        self.next = (slot + 1) % self.capacity;
        self.len = (self.len + 1).min(self.capacity);
        Ok(())
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
        let d = self.obs_dim;
        batch.clear(batch_size, d);
        // While the ring is filling, slots 0..len hold the data; once full, every slot does.
        for _ in 0..batch_size {
            let slot = rng.random_range(0..self.len);
            batch.indices.push(slot);
            self.observations
                .extend(slot * d, d, &mut batch.observations);
            self.next_observations
                .extend(slot * d, d, &mut batch.next_observations);
            batch.actions.push(self.actions[slot]);
            batch.rewards.push(self.rewards[slot]);
            batch.terminated.push(self.terminated[slot]);
            batch.truncated.push(self.truncated[slot]);
        }
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
        let shape = |m: &Self| (m.capacity, m.obs_dim, m.storage());
        if shape(self) == shape(restored) {
            return Ok(());
        }
        Err(MemoryError::Corrupt(format!(
            "the saved memory holds {} transitions of {} ({:?}), this one {} of {} ({:?})",
            restored.capacity,
            restored.obs_dim,
            restored.storage(),
            self.capacity,
            self.obs_dim,
            self.storage()
        )))
    }

    fn check_actions(&self, n_actions: usize) -> Result<(), MemoryError> {
        UniformReplay::check_actions(self, n_actions)
    }
}
