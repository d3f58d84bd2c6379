//! How a replay memory keeps observations: exact `f32`s, or one byte per value.

use serde::{Deserialize, Serialize};

use super::alloc::try_filled;
use crate::error::MemoryError;

/// How a replay memory stores observation values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ObservationStorage {
    /// Exact `f32` values: 4 bytes each.
    F32,
    /// One byte each: values in `[low, high]` quantised to 256 evenly spaced levels (values
    /// outside are clamped). 8-bit pictures scaled to [0, 1] (`low` 0, `high` 1), as
    /// [`PixelObservation`](crate::env::PixelObservation) makes them, are stored exactly;
    /// frame differences in [-1, 1] lose at most half a level.
    U8 {
        /// The value of byte 0.
        low: f32,
        /// The value of byte 255.
        high: f32,
    },
}

impl ObservationStorage {
    pub(crate) fn validate(&self) -> Result<(), MemoryError> {
        match *self {
            ObservationStorage::U8 { low, high }
                if !(low.is_finite() && high.is_finite() && low < high) =>
            {
                Err(MemoryError::InvalidConfig {
                    field: "observation_storage",
                    reason: format!("need finite low < high, got [{low}, {high}]"),
                })
            }
            _ => Ok(()),
        }
    }
}

/// Rows of observation values, kept as the storage says.
#[derive(Debug, Clone)]
pub(crate) enum Rows {
    F32(Vec<f32>),
    U8 { data: Vec<u8>, low: f32, high: f32 },
}

impl Rows {
    /// `len` zero values; [`MemoryError::TooLarge`] when they cannot be allocated.
    pub fn new(storage: ObservationStorage, len: usize) -> Result<Self, MemoryError> {
        Ok(match storage {
            ObservationStorage::F32 => Rows::F32(try_filled(len, 0.0, "replay observations")?),
            ObservationStorage::U8 { low, high } => Rows::U8 {
                data: try_filled(len, 0, "replay observations")?,
                low,
                high,
            },
        })
    }

    /// Bytes one value takes.
    pub fn value_bytes(storage: ObservationStorage) -> usize {
        match storage {
            ObservationStorage::F32 => 4,
            ObservationStorage::U8 { .. } => 1,
        }
    }

    pub fn storage(&self) -> ObservationStorage {
        match *self {
            Rows::F32(_) => ObservationStorage::F32,
            Rows::U8 { low, high, .. } => ObservationStorage::U8 { low, high },
        }
    }

    /// Heap bytes.
    pub fn allocated_bytes(&self) -> usize {
        match self {
            Rows::F32(v) => v.capacity() * size_of::<f32>(),
            Rows::U8 { data, .. } => data.capacity(),
        }
    }

    /// Writes `values` at `start`.
    #[inline]
    pub fn write(&mut self, start: usize, values: &[f32]) {
        match self {
            Rows::F32(v) => v[start..start + values.len()].copy_from_slice(values),
            Rows::U8 { data, low, high } => {
                let scale = 255.0 / (*high - *low);
                for (byte, &value) in data[start..start + values.len()].iter_mut().zip(values) {
                    *byte = ((value - *low) * scale).round().clamp(0.0, 255.0) as u8;
                }
            }
        }
    }

    /// Appends the `len` values at `start` to `out`.
    #[inline]
    pub fn extend(&self, start: usize, len: usize, out: &mut Vec<f32>) {
        match self {
            Rows::F32(v) => out.extend_from_slice(&v[start..start + len]),
            Rows::U8 { data, low, high } => {
                let span = *high - *low;
                out.extend(
                    data[start..start + len]
                        .iter()
                        .map(|&b| f32::from(b) / 255.0 * span + *low),
                );
            }
        }
    }

    /// The raw values as little-endian bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Rows::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Rows::U8 { data, .. } => data.clone(),
        }
    }

    /// Fills the rows from [`to_bytes`](Self::to_bytes) output; returns the bytes consumed.
    /// Too few bytes, or a value that is not finite, is a [`MemoryError::Corrupt`].
    pub fn read_bytes(&mut self, bytes: &[u8]) -> Result<usize, MemoryError> {
        let short = || MemoryError::Corrupt("observation rows are truncated".into());
        match self {
            Rows::F32(v) => {
                let needed = v.len() * 4;
                let bytes = bytes.get(..needed).ok_or_else(short)?;
                for (x, chunk) in v.iter_mut().zip(bytes.chunks_exact(4)) {
                    *x = f32::from_le_bytes(chunk.try_into().expect("4 bytes"));
                    if !x.is_finite() {
                        return Err(MemoryError::Corrupt(format!("an observation value is {x}")));
                    }
                }
                Ok(needed)
            }
            Rows::U8 { data, .. } => {
                let n = data.len();
                data.copy_from_slice(bytes.get(..n).ok_or_else(short)?);
                Ok(n)
            }
        }
    }
}
