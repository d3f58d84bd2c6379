//! n-step returns, assembled as transitions arrive: each environment copy keeps its last
//! `n - 1` one-step transitions, and every new one completes the n-step transition of the
//! oldest, which goes to the replay memory with its own bootstrap discount.
//!
//! ```text
//! (s_t, a_t, r_t + γ r_{t+1} + ... + γ^{k-1} r_{t+k-1}, s_{t+k}, terminated, truncated), discount γ^k
//! ```
//!
//! `k = n` in the middle of an episode. When an episode ends every pending transition is
//! completed with the steps that remain (`k < n`): after a termination without bootstrap
//! (the stored `terminated` flag zeroes it), after a truncation bootstrapping from the real
//! final observation with `γ^k`.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::env::{Action, ActionRef, ActionShape, Space};
use crate::error::{EnvError, MemoryError};
use crate::memory::{ReplayMemory, Transition};

/// An action owned by a pending transition, of either shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum OwnedAction {
    Index(usize),
    Values(Vec<f32>),
}

impl OwnedAction {
    fn from_ref(row: ActionRef<'_>) -> Self {
        match row {
            ActionRef::Index(index) => OwnedAction::Index(index),
            ActionRef::Values(values) => OwnedAction::Values(values.to_vec()),
        }
    }
}

impl Action for OwnedAction {
    fn encode(&self) -> ActionRef<'_> {
        match self {
            OwnedAction::Index(index) => ActionRef::Index(*index),
            OwnedAction::Values(values) => ActionRef::Values(values),
        }
    }

    fn decode(row: ActionRef<'_>) -> Option<Self> {
        Some(Self::from_ref(row))
    }

    fn fit(space: &Space) -> Result<ActionShape, EnvError> {
        Ok(space.action_shape())
    }
}

/// A one-step transition waiting for its n-step return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Step {
    observation: Vec<f32>,
    action: OwnedAction,
    reward: f64,
    next_observation: Vec<f32>,
    terminated: bool,
    truncated: bool,
}

/// The one-step transitions of one copy that wait for their n-step return.
type Pending = VecDeque<Step>;

/// The n-step assembler of an off-policy agent: its settings and, per environment copy, the
/// transitions not yet complete (saved in checkpoints, so that a resumed run stores what the
/// uninterrupted one would have).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct NStepReturns {
    n: usize,
    gamma: f64,
    copies: Vec<Pending>,
}

impl NStepReturns {
    /// Returns over `n >= 2` steps discounted by `gamma`.
    pub fn new(n: usize, gamma: f64) -> Self {
        Self {
            n,
            gamma,
            copies: Vec::new(),
        }
    }

    /// The steps each return sums.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The discount of each step.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// Takes copy `copy`'s next transition and stores in `memory` every n-step transition it
    /// completes (one in the middle of an episode, all pending ones at its end).
    ///
    /// An observation of another length than the memory's, or an action of another shape, is
    /// refused before anything is kept or stored.
    pub fn push<R: ReplayMemory, O: AsRef<[f32]>, A: Action>(
        &mut self,
        copy: usize,
        transition: &Transition<O, A>,
        memory: &mut R,
    ) -> Result<(), MemoryError> {
        for observation in [&transition.observation, &transition.next_observation] {
            if observation.as_ref().len() != memory.obs_dim() {
                return Err(MemoryError::ObservationLength {
                    expected: memory.obs_dim(),
                    actual: observation.as_ref().len(),
                });
            }
        }
        let shape = transition.action.encode().shape();
        if shape != memory.action_shape() {
            return Err(MemoryError::ActionShape {
                expected: memory.action_shape(),
                actual: shape,
            });
        }
        if self.copies.len() <= copy {
            self.copies.resize_with(copy + 1, VecDeque::new);
        }
        let pending = &mut self.copies[copy];
        pending.push_back(Step {
            observation: transition.observation.as_ref().to_vec(),
            action: OwnedAction::from_ref(transition.action.encode()),
            reward: transition.reward,
            next_observation: transition.next_observation.as_ref().to_vec(),
            terminated: transition.terminated,
            truncated: transition.truncated,
        });
        if transition.done() {
            while !pending.is_empty() {
                store(pending, self.gamma, memory)?;
                pending.pop_front();
            }
        } else if pending.len() == self.n {
            store(pending, self.gamma, memory)?;
            pending.pop_front();
        }
        Ok(())
    }

    /// Checks a state read from a checkpoint against the agent's settings: the same `n` and
    /// `gamma`, fewer than `n` pending transitions per copy, all of `obs_dim` values, and none
    /// that ended an episode (those are stored at once).
    pub fn check(&self, n: usize, gamma: f64, obs_dim: usize) -> Result<(), String> {
        if self.n != n || self.gamma.to_bits() != gamma.to_bits() {
            return Err(format!(
                "saved {}-step returns with gamma {}, the agent's are {n}-step with gamma {gamma}",
                self.n, self.gamma
            ));
        }
        for pending in &self.copies {
            if pending.len() >= n {
                return Err(format!(
                    "{} pending transitions for {n}-step returns",
                    pending.len()
                ));
            }
            let malformed = pending.iter().any(|t| {
                t.observation.len() != obs_dim
                    || t.next_observation.len() != obs_dim
                    || t.terminated
                    || t.truncated
                    || !t.reward.is_finite()
            });
            if malformed {
                return Err("a pending transition of another shape, or one that ended".into());
            }
        }
        Ok(())
    }
}

/// Stores the n-step transition that starts at the oldest pending one and ends at the newest.
fn store<R: ReplayMemory>(
    pending: &Pending,
    gamma: f64,
    memory: &mut R,
) -> Result<(), MemoryError> {
    let (first, last) = (&pending[0], &pending[pending.len() - 1]);
    let (mut reward, mut discount) = (0.0, 1.0);
    for step in pending {
        reward += discount * step.reward;
        discount *= gamma;
    }
    memory.push_discounted(
        &Transition {
            observation: first.observation.as_slice(),
            action: first.action.clone(),
            reward,
            next_observation: last.next_observation.as_slice(),
            terminated: last.terminated,
            truncated: last.truncated,
        },
        discount as f32,
    )
}

#[cfg(test)]
mod tests {
    use rand::Rng;

    use super::*;
    use crate::memory::Batch;

    /// A memory that records what it is given, with its discount.
    #[derive(Default)]
    struct Recorder {
        stored: Vec<(Transition<Vec<f32>, OwnedAction>, f32)>,
    }

    impl ReplayMemory for Recorder {
        fn push<O: AsRef<[f32]>, A: Action>(
            &mut self,
            _: &Transition<O, A>,
        ) -> Result<(), MemoryError> {
            unreachable!("n-step transitions are pushed with their discount")
        }
        fn stores_discounts(&self) -> bool {
            true
        }
        fn push_discounted<O: AsRef<[f32]>, A: Action>(
            &mut self,
            t: &Transition<O, A>,
            discount: f32,
        ) -> Result<(), MemoryError> {
            let owned = Transition {
                observation: t.observation.as_ref().to_vec(),
                action: OwnedAction::from_ref(t.action.encode()),
                reward: t.reward,
                next_observation: t.next_observation.as_ref().to_vec(),
                terminated: t.terminated,
                truncated: t.truncated,
            };
            self.stored.push((owned, discount));
            Ok(())
        }
        fn len(&self) -> usize {
            self.stored.len()
        }
        fn capacity(&self) -> usize {
            usize::MAX
        }
        fn obs_dim(&self) -> usize {
            1
        }
        fn sample_into<G: Rng + ?Sized>(
            &self,
            _: usize,
            _: &mut G,
            _: &mut Batch,
        ) -> Result<(), MemoryError> {
            unreachable!("not sampled")
        }
    }

    /// The step from state `s` with reward `r`, the next state `s + 1`.
    fn step(s: f32, r: f64, terminated: bool, truncated: bool) -> Transition<[f32; 1]> {
        Transition {
            observation: [s],
            action: s as usize,
            reward: r,
            next_observation: [s + 1.0],
            terminated,
            truncated,
        }
    }

    /// `(first state, action, reward, bootstrap state, terminated, truncated, discount)` of
    /// every stored transition.
    fn stored(memory: &Recorder) -> Vec<(f32, usize, f64, f32, bool, bool, f32)> {
        let index = |a: &OwnedAction| match a {
            OwnedAction::Index(i) => *i,
            OwnedAction::Values(_) => usize::MAX,
        };
        memory
            .stored
            .iter()
            .map(|(t, d)| {
                let (s, next) = (t.observation[0], t.next_observation[0]);
                (
                    s,
                    index(&t.action),
                    t.reward,
                    next,
                    t.terminated,
                    t.truncated,
                    *d,
                )
            })
            .collect()
    }

    #[test]
    fn three_step_returns_across_a_termination_and_a_truncation() {
        let (gamma, mut memory) = (0.5, Recorder::default());
        let mut n_step = NStepReturns::new(3, gamma);
        // Episode 1: states 0..4, terminated after the step from 3 (rewards 1, 2, 4, 8).
        for (s, r) in [(0.0, 1.0), (1.0, 2.0), (2.0, 4.0)] {
            n_step
                .push(0, &step(s, r, false, false), &mut memory)
                .unwrap();
        }
        n_step
            .push(0, &step(3.0, 8.0, true, false), &mut memory)
            .unwrap();
        // Episode 2: states 10..13, truncated after the step from 12 (rewards 1, 1, 1).
        n_step
            .push(0, &step(10.0, 1.0, false, false), &mut memory)
            .unwrap();
        n_step
            .push(0, &step(11.0, 1.0, false, false), &mut memory)
            .unwrap();
        n_step
            .push(0, &step(12.0, 1.0, false, true), &mut memory)
            .unwrap();
        assert_eq!(
            stored(&memory),
            [
                // Full windows: r0 + γ r1 + γ² r2, bootstrap from s3 with γ³.
                (
                    0.0,
                    0,
                    1.0 + 0.5 * 2.0 + 0.25 * 4.0,
                    3.0,
                    false,
                    false,
                    0.125
                ),
                (
                    1.0,
                    1,
                    2.0 + 0.5 * 4.0 + 0.25 * 8.0,
                    4.0,
                    true,
                    false,
                    0.125
                ),
                // The termination: the sum stops, the flag stops the bootstrap.
                (2.0, 2, 4.0 + 0.5 * 8.0, 4.0, true, false, 0.25),
                (3.0, 3, 8.0, 4.0, true, false, 0.5),
                // The truncation: shorter sums bootstrapping from the real final state 13.
                (10.0, 10, 1.0 + 0.5 + 0.25, 13.0, false, true, 0.125),
                (11.0, 11, 1.0 + 0.5, 13.0, false, true, 0.25),
                (12.0, 12, 1.0, 13.0, false, true, 0.5),
            ]
        );
        assert!(n_step.copies[0].is_empty());
    }

    #[test]
    fn copies_keep_their_own_windows() {
        let mut memory = Recorder::default();
        let mut n_step = NStepReturns::new(2, 1.0);
        n_step
            .push(0, &step(0.0, 1.0, false, false), &mut memory)
            .unwrap();
        n_step
            .push(1, &step(100.0, 5.0, false, false), &mut memory)
            .unwrap();
        assert!(memory.stored.is_empty());
        n_step
            .push(0, &step(1.0, 2.0, false, false), &mut memory)
            .unwrap();
        n_step
            .push(1, &step(101.0, 6.0, false, false), &mut memory)
            .unwrap();
        assert_eq!(
            stored(&memory),
            [
                (0.0, 0, 3.0, 2.0, false, false, 1.0),
                (100.0, 100, 11.0, 102.0, false, false, 1.0),
            ]
        );
        assert_eq!(n_step.check(2, 1.0, 1), Ok(()));
        assert!(n_step.check(3, 1.0, 1).is_err());
        assert!(n_step.check(2, 1.0, 4).is_err());
    }

    #[test]
    fn a_transition_of_another_shape_is_refused_before_it_is_kept() {
        let mut memory = Recorder::default();
        let mut n_step = NStepReturns::new(2, 0.9);
        let long = Transition {
            observation: [0.0f32, 1.0],
            action: 0usize,
            reward: 1.0,
            next_observation: [0.0f32, 1.0],
            terminated: false,
            truncated: false,
        };
        assert_eq!(
            n_step.push(0, &long, &mut memory),
            Err(MemoryError::ObservationLength {
                expected: 1,
                actual: 2
            })
        );
        let continuous = Transition {
            observation: [0.0f32],
            action: [0.5f32],
            reward: 1.0,
            next_observation: [0.0f32],
            terminated: false,
            truncated: false,
        };
        assert!(matches!(
            n_step.push(0, &continuous, &mut memory),
            Err(MemoryError::ActionShape { .. })
        ));
        assert!(n_step.copies.iter().all(VecDeque::is_empty));
    }
}
