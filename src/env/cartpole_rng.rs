//! The generator CartPole draws its resets from: numpy's, or, in snapshots written before
//! resets followed Gymnasium's seeds, the crate's xoshiro.

use std::fmt;

use rand::{RngExt, SeedableRng};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::GymRng;
use crate::rng::SeededRng;

/// The generator a [`CartPole`](super::CartPole) draws its resets from, saved as the
/// generator itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub(super) enum ResetRng {
    /// numpy's, seeded as Gymnasium seeds it.
    Gym(GymRng),
    /// The crate's xoshiro generator, which CartPole reset with before its resets followed
    /// Gymnasium's seeds: kept so that snapshots and checkpoints written then still continue
    /// exactly (a seeded reset installs numpy's generator).
    Xoshiro(SeededRng),
}

impl ResetRng {
    /// `low + (high - low) * d` for the next double `d` in `[0, 1)`.
    pub(super) fn uniform(&mut self, low: f64, high: f64) -> f64 {
        match self {
            Self::Gym(rng) => rng.uniform(low, high),
            Self::Xoshiro(rng) => low + (high - low) * rng.random::<f64>(),
        }
    }
}

impl<'de> Deserialize<'de> for ResetRng {
    /// numpy's generator is saved as `{"pcg": ...}` and xoshiro as `{"s": [...]}`: the key says
    /// which. (Serde's untagged enums buffer values and cannot hold PCG's 128-bit words.)
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keyed;
        impl<'de> Visitor<'de> for Keyed {
            type Value = ResetRng;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a reset generator: {\"pcg\": ...} or {\"s\": [...]}")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<ResetRng, M::Error> {
                const KEYS: &[&str] = &["pcg", "s"];
                let key: String = map
                    .next_key()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let rng = match key.as_str() {
                    "pcg" => ResetRng::Gym(GymRng::from_pcg(map.next_value()?)),
                    "s" => {
                        let words: [u64; 4] = map.next_value()?;
                        let mut seed = [0u8; 32];
                        for (bytes, word) in seed.chunks_exact_mut(8).zip(words) {
                            bytes.copy_from_slice(&word.to_le_bytes());
                        }
                        ResetRng::Xoshiro(SeededRng::from_seed(seed))
                    }
                    other => return Err(de::Error::unknown_field(other, KEYS)),
                };
                match map.next_key::<String>()? {
                    Some(extra) => Err(de::Error::unknown_field(&extra, KEYS)),
                    None => Ok(rng),
                }
            }
        }
        deserializer.deserialize_map(Keyed)
    }
}
