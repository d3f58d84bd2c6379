//! The uniform memory's complete contents as bytes, for checkpoints: the layout, its
//! writer, and a reader that checks everything it reads.

use super::{UniformReplay, check_discount};
use crate::env::ActionShape;
use crate::error::MemoryError;
use crate::memory::ActionRows;
use crate::memory::alloc::try_filled;
use crate::memory::storage::{ObservationStorage, Rows};

impl UniformReplay {
    /// The memory's complete contents as bytes (little-endian), for checkpoints.
    ///
    /// The layout: a header of five `u64` words (capacity, observation length, length, write
    /// position, storage tag) and the two `f32` bounds of one-byte storage; for continuous
    /// actions the tag has bit 8 set (256) and one more `u64`, the action dimension,
    /// follows (memories of discrete actions keep the layout they always had). Then the
    /// observations, the next observations, rewards, terminated and truncated flags (`f32`),
    /// and the actions (`i64` indices or `f32` values). A memory holding per-transition
    /// discounts sets bit 9 of the tag (512) and appends them, one `f32` per slot, at the end
    /// (memories without them keep the layout they always had).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(HEADER + 8 + self.allocated_bytes());
        for v in [self.capacity, self.obs_dim, self.len, self.next] {
            bytes.extend_from_slice(&(v as u64).to_le_bytes());
        }
        let (mut tag, low, high) = match self.storage() {
            ObservationStorage::F32 => (0u64, 0.0f32, 0.0f32),
            ObservationStorage::U8 { low, high } => (1, low, high),
        };
        let action_dim = match self.actions.shape() {
            ActionShape::Discrete => None,
            ActionShape::Continuous { dim } => {
                tag |= CONTINUOUS_TAG;
                Some(dim as u64)
            }
        };
        if self.holds_discounts() {
            tag |= DISCOUNT_TAG;
        }
        bytes.extend_from_slice(&tag.to_le_bytes());
        bytes.extend_from_slice(&low.to_le_bytes());
        bytes.extend_from_slice(&high.to_le_bytes());
        if let Some(dim) = action_dim {
            bytes.extend_from_slice(&dim.to_le_bytes());
        }
        bytes.extend(self.observations.to_bytes());
        bytes.extend(self.next_observations.to_bytes());
        for field in [&self.rewards, &self.terminated, &self.truncated] {
            bytes.extend(field.iter().flat_map(|v| v.to_le_bytes()));
        }
        match &self.actions {
            ActionRows::Discrete(v) => bytes.extend(v.iter().flat_map(|v| v.to_le_bytes())),
            ActionRows::Continuous { values, .. } => {
                bytes.extend(values.iter().flat_map(|v| v.to_le_bytes()))
            }
        }
        if self.holds_discounts() {
            bytes.extend(self.discounts.iter().flat_map(|v| v.to_le_bytes()));
        }
        bytes
    }

    /// A memory from [`to_bytes`](Self::to_bytes). Sizes are checked against the bytes given
    /// before anything is allocated, and the contents are validated: bytes of another layout,
    /// values that are not finite, flags other than 0 and 1, discounts outside [0, 1] or
    /// negative actions are a
    /// [`MemoryError::Corrupt`]; a memory too large to allocate is [`MemoryError::TooLarge`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MemoryError> {
        let bad = |reason: &str| MemoryError::Corrupt(reason.to_string());
        let header = bytes.get(..HEADER).ok_or_else(|| bad("truncated header"))?;
        let word = |bytes: &[u8], i: usize| {
            u64::from_le_bytes(bytes[i * 8..(i + 1) * 8].try_into().expect("8 bytes"))
        };
        let size = |i: usize| usize::try_from(word(header, i)).map_err(|_| bad("size overflow"));
        let (capacity, obs_dim, len, next) = (size(0)?, size(1)?, size(2)?, size(3)?);
        let float = |at: usize| f32::from_le_bytes(header[at..at + 4].try_into().expect("4 bytes"));
        let tag = word(header, 4);
        let storage = match tag & !(CONTINUOUS_TAG | DISCOUNT_TAG) {
            0 => ObservationStorage::F32,
            1 => ObservationStorage::U8 {
                low: float(40),
                high: float(44),
            },
            _ => return Err(bad(&format!("unknown observation storage {tag}"))),
        };
        let (shape, header_len) = if tag & CONTINUOUS_TAG == 0 {
            (ActionShape::Discrete, HEADER)
        } else {
            let extra = bytes
                .get(..HEADER + 8)
                .ok_or_else(|| bad("truncated header"))?;
            let dim =
                usize::try_from(word(&extra[HEADER..], 0)).map_err(|_| bad("size overflow"))?;
            if dim == 0 {
                return Err(bad("continuous actions of zero values"));
            }
            (ActionShape::Continuous { dim }, HEADER + 8)
        };
        if capacity == 0 || obs_dim == 0 {
            return Err(bad("a memory of zero capacity or zero-length observations"));
        }
        if len > capacity || next >= capacity || (len < capacity && next != len) {
            return Err(bad("inconsistent length and write position"));
        }
        let discounted = tag & DISCOUNT_TAG != 0;
        let discount_bytes = if discounted { 4 * capacity as u128 } else { 0 };
        let expected =
            header_len as u128 + bytes_for(capacity, obs_dim, storage, shape) + discount_bytes;
        if bytes.len() as u128 != expected {
            return Err(bad(&format!("{} bytes, expected {expected}", bytes.len())));
        }
        let mut memory = Self::with_actions(capacity, obs_dim, storage, shape)?;
        let mut rest = &bytes[header_len..];
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
        match &mut memory.actions {
            ActionRows::Discrete(actions) => {
                let (head, tail) = rest.split_at(actions.len() * 8);
                rest = tail;
                for (v, chunk) in actions.iter_mut().zip(head.chunks_exact(8)) {
                    *v = i64::from_le_bytes(chunk.try_into().expect("8 bytes"));
                }
                if let Some(action) = actions.iter().find(|&&a| a < 0) {
                    return Err(bad(&format!("a stored action is {action}")));
                }
            }
            ActionRows::Continuous { values, .. } => {
                let (head, tail) = rest.split_at(values.len() * 4);
                rest = tail;
                for (v, chunk) in values.iter_mut().zip(head.chunks_exact(4)) {
                    *v = f32::from_le_bytes(chunk.try_into().expect("4 bytes"));
                }
                if let Some(value) = values.iter().find(|v| !v.is_finite()) {
                    return Err(bad(&format!("a stored action value is {value}")));
                }
            }
        }
        if discounted {
            let mut discounts = try_filled(capacity, 1.0f32, "replay discounts")?;
            for (v, chunk) in discounts.iter_mut().zip(rest.chunks_exact(4)) {
                *v = f32::from_le_bytes(chunk.try_into().expect("4 bytes"));
            }
            if let Some(v) = discounts.iter().find(|&&v| check_discount(v).is_err()) {
                return Err(bad(&format!("a stored discount is {v}")));
            }
            memory.discounts = discounts;
            memory.discounted = true;
        }
        memory.len = len;
        memory.next = next;
        Ok(memory)
    }
}

/// The bytes the arrays of a memory take (as [`UniformReplay::to_bytes`] writes them, and on
/// the heap), computed without overflow.
pub(super) fn bytes_for(
    capacity: usize,
    obs_dim: usize,
    storage: ObservationStorage,
    shape: ActionShape,
) -> u128 {
    let observation = Rows::value_bytes(storage) as u128 * obs_dim as u128;
    let action = match shape {
        ActionShape::Discrete => 8,
        ActionShape::Continuous { dim } => 4 * dim as u128,
    };
    // Two observations, a reward and two flags (f32 each), an action.
    capacity as u128 * (2 * observation + 3 * 4 + action)
}

/// Bytes before the arrays in [`UniformReplay::to_bytes`] (for discrete actions): five u64
/// words and two f32s.
const HEADER: usize = 48;

/// The bit of the storage tag that says the memory holds continuous actions (whose dimension
/// follows the header as one more `u64`).
const CONTINUOUS_TAG: u64 = 1 << 8;

/// The bit of the storage tag that says the memory holds per-transition discounts (one `f32`
/// per slot after the actions).
const DISCOUNT_TAG: u64 = 1 << 9;
