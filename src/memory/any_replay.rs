//! Either replay memory, chosen by a setting: [`ReplayKind`] and [`AnyReplay`].

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::prioritized::blob::MAGIC;
use super::{
    Batch, MemoryState, ObservationStorage, PrioritizedConfig, PrioritizedReplay, ReplayMemory,
    Transition, UniformReplay,
};
use crate::env::{Action, ActionShape, Space};
use crate::error::MemoryError;

/// Which replay memory to build: what configurations hold. Uniform by default.
///
/// ```
/// use cinder_rl::memory::{PrioritizedConfig, ReplayKind};
///
/// assert_eq!(ReplayKind::default(), ReplayKind::Uniform);
/// let kind: ReplayKind = serde_json::from_str(r#"{"Prioritized": {"alpha": 0.5}}"#).unwrap();
/// let expected = PrioritizedConfig { alpha: 0.5, ..Default::default() };
/// assert_eq!(kind, ReplayKind::Prioritized(expected));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ReplayKind {
    /// [`UniformReplay`].
    #[default]
    Uniform,
    /// [`PrioritizedReplay`] with these settings.
    Prioritized(PrioritizedConfig),
}

/// A [`UniformReplay`] or a [`PrioritizedReplay`], as one type that an agent can hold and
/// checkpoint whichever its configuration chose. Every method goes to the memory inside.
///
/// ```
/// use cinder_rl::env::ActionShape;
/// use cinder_rl::memory::{
///     AnyReplay, MemoryState, ObservationStorage, PrioritizedConfig, ReplayKind, ReplayMemory,
///     Transition,
/// };
/// use cinder_rl::rng::seeded;
///
/// # fn main() -> Result<(), cinder_rl::error::MemoryError> {
/// let kind = ReplayKind::Prioritized(PrioritizedConfig::default());
/// let mut memory = AnyReplay::new(kind, 100, 2, ObservationStorage::F32, ActionShape::Discrete)?;
/// for i in 0..10 {
///     memory.push(&Transition {
///         observation: [i as f32, 0.0],
///         action: 0,
///         reward: 1.0,
///         next_observation: [0.0f32; 2],
///         terminated: false,
///         truncated: false,
///     })?;
/// }
/// assert!(memory.wants_td_errors());
/// let restored = AnyReplay::from_bytes(&memory.to_bytes())?;
/// memory.check_fits(&restored)?;
/// assert_eq!(restored.sample(4, &mut seeded(3))?, memory.sample(4, &mut seeded(3))?);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub enum AnyReplay {
    /// Uniform sampling.
    Uniform(UniformReplay),
    /// Prioritized sampling.
    Prioritized(PrioritizedReplay),
}

impl AnyReplay {
    /// A memory of the `kind` asked for, with `capacity` transitions of `obs_dim`-long
    /// observations kept as `storage` says and actions of `shape`; errors as
    /// [`UniformReplay::with_actions`] and [`PrioritizedReplay::with_actions`] give them.
    pub fn new(
        kind: ReplayKind,
        capacity: usize,
        obs_dim: usize,
        storage: ObservationStorage,
        shape: ActionShape,
    ) -> Result<Self, MemoryError> {
        Ok(match kind {
            ReplayKind::Uniform => Self::Uniform(UniformReplay::with_actions(
                capacity, obs_dim, storage, shape,
            )?),
            ReplayKind::Prioritized(config) => Self::Prioritized(PrioritizedReplay::with_actions(
                capacity, obs_dim, storage, shape, config,
            )?),
        })
    }

    /// The kind of memory inside, with its settings.
    pub fn kind(&self) -> ReplayKind {
        match self {
            Self::Uniform(_) => ReplayKind::Uniform,
            Self::Prioritized(memory) => ReplayKind::Prioritized(*memory.config()),
        }
    }

    /// The ring buffer holding the transitions (the prioritized memory's inner one).
    pub fn transitions(&self) -> &UniformReplay {
        match self {
            Self::Uniform(memory) => memory,
            Self::Prioritized(memory) => memory.inner(),
        }
    }

    /// The complete contents as bytes, for checkpoints (the memory inside's own format; see
    /// [`MemoryState::to_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        MemoryState::to_bytes(self)
    }

    /// The memory's name, for messages.
    fn name(&self) -> &'static str {
        match self {
            Self::Uniform(_) => "uniform",
            Self::Prioritized(_) => "prioritized",
        }
    }
}

impl From<UniformReplay> for AnyReplay {
    fn from(memory: UniformReplay) -> Self {
        Self::Uniform(memory)
    }
}

impl From<PrioritizedReplay> for AnyReplay {
    fn from(memory: PrioritizedReplay) -> Self {
        Self::Prioritized(memory)
    }
}

/// Calls `$call` on the memory inside `$self`.
macro_rules! delegate {
    ($self:expr, $memory:ident => $call:expr) => {
        match $self {
            AnyReplay::Uniform($memory) => $call,
            AnyReplay::Prioritized($memory) => $call,
        }
    };
}

impl ReplayMemory for AnyReplay {
    fn push<O: AsRef<[f32]>, A: Action>(
        &mut self,
        transition: &Transition<O, A>,
    ) -> Result<(), MemoryError> {
        delegate!(self, m => m.push(transition))
    }

    fn stores_discounts(&self) -> bool {
        delegate!(self, m => m.stores_discounts())
    }

    fn push_discounted<O: AsRef<[f32]>, A: Action>(
        &mut self,
        transition: &Transition<O, A>,
        discount: f32,
    ) -> Result<(), MemoryError> {
        delegate!(self, m => m.push_discounted(transition, discount))
    }

    fn action_shape(&self) -> ActionShape {
        delegate!(self, m => m.action_shape())
    }

    fn len(&self) -> usize {
        delegate!(self, m => m.len())
    }

    fn capacity(&self) -> usize {
        delegate!(self, m => m.capacity())
    }

    fn obs_dim(&self) -> usize {
        delegate!(self, m => m.obs_dim())
    }

    fn sample_into<R: Rng + ?Sized>(
        &self,
        batch_size: usize,
        rng: &mut R,
        batch: &mut Batch,
    ) -> Result<(), MemoryError> {
        delegate!(self, m => m.sample_into(batch_size, rng, batch))
    }

    fn wants_td_errors(&self) -> bool {
        delegate!(self, m => m.wants_td_errors())
    }

    fn update_priorities(
        &mut self,
        indices: &[usize],
        td_errors: &[f32],
    ) -> Result<(), MemoryError> {
        delegate!(self, m => m.update_priorities(indices, td_errors))
    }
}

impl MemoryState for AnyReplay {
    fn to_bytes(&self) -> Vec<u8> {
        delegate!(self, m => m.to_bytes())
    }

    /// A prioritized memory from bytes that begin with its magic, a uniform one from any
    /// others (so files of uniform memories written before prioritized replay existed still
    /// read).
    fn from_bytes(bytes: &[u8]) -> Result<Self, MemoryError> {
        if bytes.starts_with(MAGIC) {
            PrioritizedReplay::from_bytes(bytes).map(Self::Prioritized)
        } else {
            UniformReplay::from_bytes(bytes).map(Self::Uniform)
        }
    }

    /// As the memories inside check; memories of different kinds never fit.
    fn check_fits(&self, restored: &Self) -> Result<(), MemoryError> {
        match (self, restored) {
            (Self::Uniform(a), Self::Uniform(b)) => a.check_fits(b),
            (Self::Prioritized(a), Self::Prioritized(b)) => a.check_fits(b),
            _ => Err(MemoryError::Corrupt(format!(
                "the saved memory is {}, this one {}",
                restored.name(),
                self.name()
            ))),
        }
    }

    fn check_actions(&self, space: &Space) -> Result<(), MemoryError> {
        delegate!(self, m => m.check_actions(space))
    }
}
