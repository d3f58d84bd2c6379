//! The prioritized memory's complete contents as bytes, for checkpoints: the layout, its
//! writer, and a reader that checks everything it reads.

use super::{PrioritizedConfig, PrioritizedReplay};
use crate::error::MemoryError;
use crate::memory::alloc::try_filled;
use crate::memory::sum_tree::{MinTree, SumTree};
use crate::memory::{ReplayMemory, UniformReplay};

/// The first bytes of [`PrioritizedReplay::to_bytes`], which tell them from a uniform
/// memory's.
pub(crate) const MAGIC: &[u8; 8] = b"CINDPER1";

impl PrioritizedReplay {
    /// The memory's complete contents as bytes (little-endian), for checkpoints.
    ///
    /// The layout: the magic `CINDPER1`; the settings as JSON, after their length (`u64`);
    /// the number of transitions pushed (`u64`), the largest `|delta| + epsilon` (`f64`);
    /// the capacity (`u64`) and one priority per slot (`f64`, 0 for slots holding nothing);
    /// then the ring buffer's own bytes ([`UniformReplay::to_bytes`]) to the end.
    pub fn to_bytes(&self) -> Vec<u8> {
        // A struct of numbers always serialises; an empty text would fail to read back.
        let settings = serde_json::to_vec(&self.config).unwrap_or_default();
        let capacity = self.memory.capacity();
        let inner = self.memory.to_bytes();
        let mut bytes = Vec::with_capacity(40 + settings.len() + 8 * capacity + inner.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(settings.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&settings);
        bytes.extend_from_slice(&self.pushes.to_le_bytes());
        bytes.extend_from_slice(&self.max_priority.to_le_bytes());
        bytes.extend_from_slice(&(capacity as u64).to_le_bytes());
        for slot in 0..capacity {
            let priority = self.priority(slot).unwrap_or(0.0);
            bytes.extend_from_slice(&priority.to_le_bytes());
        }
        bytes.extend(inner);
        bytes
    }

    /// A memory from [`to_bytes`](Self::to_bytes). Sizes are checked against the bytes given
    /// before anything is allocated, and every value is validated: another magic, unreadable
    /// or invalid settings, priorities that are not positive finite numbers at most
    /// `max_priority^alpha` for stored slots (or not 0 for the others), counts that disagree with the ring buffer, or a ring buffer
    /// [`UniformReplay::from_bytes`] refuses are a [`MemoryError::Corrupt`]; a memory too
    /// large to allocate is a [`MemoryError::TooLarge`]. The priority trees are rebuilt from
    /// the slots' priorities.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MemoryError> {
        let mut reader = Reader(bytes);
        if reader.take(MAGIC.len(), "magic")? != MAGIC {
            return Err(bad("not a prioritized memory (wrong magic)".into()));
        }
        let settings_len = reader.size("settings length")?;
        let settings = reader.take(settings_len, "settings")?;
        let config: PrioritizedConfig = serde_json::from_slice(settings)
            .map_err(|e| bad(format!("unreadable settings: {e}")))?;
        config
            .validate()
            .map_err(|e| bad(format!("invalid settings: {e}")))?;
        let pushes = reader.u64("push count")?;
        let max_priority = f64::from_le_bytes(reader.array("largest priority")?);
        let max_stored = max_priority.powf(config.alpha);
        if !(max_priority.is_finite() && max_priority >= 1.0 && max_stored.is_finite()) {
            return Err(bad(format!("the largest priority is {max_priority}")));
        }
        let capacity = reader.size("capacity")?;
        let leaf_bytes = capacity
            .checked_mul(8)
            .ok_or_else(|| bad("size overflow".into()))?;
        let leaves = reader.take(leaf_bytes, "priorities")?;
        let memory = UniformReplay::from_bytes(reader.0)?;
        if memory.capacity() != capacity {
            return Err(bad(format!(
                "{capacity} priorities for a memory of {} slots",
                memory.capacity()
            )));
        }
        let len = memory.len();
        if u64::try_from(len).ok() != Some(pushes.min(capacity as u64)) {
            return Err(bad(format!(
                "{pushes} transitions pushed into {capacity} slots, {len} stored"
            )));
        }
        let mut priorities = try_filled(len, 0.0f64, "priorities")?;
        for (slot, chunk) in leaves.chunks_exact(8).enumerate() {
            let priority = f64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            // No stored priority exceeds the largest one's (a margin allows for rounding).
            let valid = if slot < len {
                priority.is_finite() && priority > 0.0 && priority <= max_stored * (1.0 + 1e-9)
            } else {
                priority == 0.0
            };
            if !valid {
                return Err(bad(format!(
                    "slot {slot} of {len} stored has priority {priority}"
                )));
            }
            if let Some(p) = priorities.get_mut(slot) {
                *p = priority;
            }
        }
        let sums = SumTree::from_leaves(capacity, &priorities)?;
        if !sums.total().is_finite() {
            return Err(bad("the priorities sum past the largest number".into()));
        }
        Ok(Self {
            memory,
            config,
            sums,
            mins: MinTree::from_leaves(capacity, &priorities)?,
            max_priority,
            max_stored,
            pushes,
            scratch: Vec::new(),
        })
    }
}

fn bad(reason: String) -> MemoryError {
    MemoryError::Corrupt(reason)
}

/// Reads fields off the front of the bytes, refusing to read past their end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// The next `len` bytes, or a [`MemoryError::Corrupt`] saying `what` is truncated.
    fn take(&mut self, len: usize, what: &str) -> Result<&'a [u8], MemoryError> {
        if len > self.0.len() {
            return Err(bad(format!("truncated {what}")));
        }
        let (head, tail) = self.0.split_at(len);
        self.0 = tail;
        Ok(head)
    }

    fn array(&mut self, what: &str) -> Result<[u8; 8], MemoryError> {
        let head = self.take(8, what)?;
        let mut array = [0; 8];
        array.copy_from_slice(head);
        Ok(array)
    }

    fn u64(&mut self, what: &str) -> Result<u64, MemoryError> {
        self.array(what).map(u64::from_le_bytes)
    }

    fn size(&mut self, what: &str) -> Result<usize, MemoryError> {
        usize::try_from(self.u64(what)?).map_err(|_| bad(format!("{what} overflows")))
    }
}
