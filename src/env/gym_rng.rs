//! The random generator Gymnasium environments reset with, reproduced exactly: numpy's
//! `Generator(PCG64(SeedSequence(seed)))`, so that `reset(Some(seed))` starts the episode that
//! `env.reset(seed=seed)` starts in Python.

use rand_pcg::Lcg128Xsl64;
use serde::{Deserialize, Serialize};

/// numpy's `SeedSequence(seed).generate_state(4, uint64)`: the four words PCG64 is seeded
/// with (pool of four 32-bit words, numpy's hash and mix constants).
pub fn seed_sequence_words(seed: u64) -> [u64; 4] {
    const INIT_A: u32 = 0x43b0_d7e5;
    const MULT_A: u32 = 0x931e_8875;
    const INIT_B: u32 = 0x8b51_f9dd;
    const MULT_B: u32 = 0x58f3_8ded;
    const MIX_MULT_L: u32 = 0xca01_f9dd;
    const MIX_MULT_R: u32 = 0x4973_f715;
    const XSHIFT: u32 = 16;

    // The seed as little-endian 32-bit words: [0] for 0, one word below 2^32.
    let entropy: Vec<u32> = if seed >> 32 == 0 {
        vec![seed as u32]
    } else {
        vec![seed as u32, (seed >> 32) as u32]
    };
    let mut hash_const = INIT_A;
    let mut hashmix = |value: u32| {
        let mut value = value ^ hash_const;
        hash_const = hash_const.wrapping_mul(MULT_A);
        value = value.wrapping_mul(hash_const);
        value ^ (value >> XSHIFT)
    };
    let mix = |x: u32, y: u32| {
        let r = MIX_MULT_L
            .wrapping_mul(x)
            .wrapping_sub(MIX_MULT_R.wrapping_mul(y));
        r ^ (r >> XSHIFT)
    };
    let mut pool = [0u32; 4];
    for (i, word) in pool.iter_mut().enumerate() {
        *word = hashmix(entropy.get(i).copied().unwrap_or(0));
    }
    for src in 0..4 {
        for dst in 0..4 {
            if src != dst {
                pool[dst] = mix(pool[dst], hashmix(pool[src]));
            }
        }
    }
    // A u64 seed has at most two entropy words: none beyond the pool.

    let mut hash_const = INIT_B;
    let mut state = [0u32; 8];
    for (i, word) in state.iter_mut().enumerate() {
        let mut value = pool[i % 4] ^ hash_const;
        hash_const = hash_const.wrapping_mul(MULT_B);
        value = value.wrapping_mul(hash_const);
        *word = value ^ (value >> XSHIFT);
    }
    std::array::from_fn(|k| u64::from(state[2 * k]) | (u64::from(state[2 * k + 1]) << 32))
}

/// numpy's `Generator(PCG64(SeedSequence(seed)))`, the draws Gymnasium's environments make
/// at reset: raw 64-bit words, doubles in `[0, 1)` and `uniform(low, high)`, each exactly as
/// numpy computes them.
///
/// ```
/// use cinder_rl::env::GymRng;
///
/// let mut rng = GymRng::seeded(0);
/// // numpy: np.random.Generator(np.random.PCG64(np.random.SeedSequence(0))).random()
/// assert_eq!(rng.next_f64(), 0.6369616873214543);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GymRng {
    pcg: Lcg128Xsl64,
}

impl GymRng {
    /// The generator `reset(seed=seed)` installs.
    pub fn seeded(seed: u64) -> Self {
        let [w0, w1, w2, w3] = seed_sequence_words(seed);
        let state = (u128::from(w0) << 64) | u128::from(w1);
        let stream = (u128::from(w2) << 64) | u128::from(w3);
        Self {
            pcg: Lcg128Xsl64::new(state, stream),
        }
    }

    /// A generator seeded from the operating system's entropy, as numpy's is when Gymnasium
    /// resets without a seed.
    pub fn from_entropy() -> Self {
        Self::seeded(rand::Rng::next_u64(&mut crate::rng::from_entropy()))
    }

    /// The generator in the state `pcg`, as a saved one is read back.
    pub(crate) fn from_pcg(pcg: Lcg128Xsl64) -> Self {
        Self { pcg }
    }

    /// The next raw 64-bit word.
    pub fn next_u64(&mut self) -> u64 {
        rand::Rng::next_u64(&mut self.pcg)
    }

    /// The next double in `[0, 1)`: the top 53 bits of a word, scaled by 2^-53.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// numpy's `uniform(low, high)`: `low + (high - low) * d`, with `high - low` rounded once.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next_f64()
    }
}
