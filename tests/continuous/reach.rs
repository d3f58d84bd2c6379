//! A small continuous task: see a target in `[-1, 1]^D`, answer with a point of the same box;
//! the reward is minus the squared distance, and each episode is one step.

use cinder_rl::env::{Environment, Snapshot, Space, Step};
use cinder_rl::error::EnvError;
use cinder_rl::rand::RngExt;
use cinder_rl::rng::{SeededRng, seeded};
use serde::{Deserialize, Serialize};

/// Reach the target you see, in one step.
pub struct Reach<const D: usize> {
    rng: SeededRng,
    target: [f32; D],
    ready: bool,
}

/// Everything [`Reach`] needs to continue exactly.
#[derive(Serialize, Deserialize)]
pub struct ReachState {
    rng: SeededRng,
    target: Vec<f32>,
    ready: bool,
}

impl<const D: usize> Reach<D> {
    pub fn new() -> Self {
        Self {
            rng: seeded(0),
            target: [0.0; D],
            ready: false,
        }
    }
}

impl<const D: usize> Environment for Reach<D> {
    type Observation = [f32; D];
    type Action = [f32; D];

    fn reset(&mut self, seed: Option<u64>) -> [f32; D] {
        if let Some(seed) = seed {
            self.rng = seeded(seed);
        }
        self.target = std::array::from_fn(|_| self.rng.random_range(-1.0..1.0));
        self.ready = true;
        self.target
    }

    fn step(&mut self, action: [f32; D]) -> Result<Step<[f32; D]>, EnvError> {
        self.action_space().check_values(&action)?;
        if !self.ready {
            return Err(EnvError::ResetNeeded);
        }
        self.ready = false;
        let distance: f32 = action
            .iter()
            .zip(&self.target)
            .map(|(a, t)| (a.clamp(-1.0, 1.0) - t).powi(2))
            .sum();
        Ok(Step::new(self.target, -f64::from(distance), true, false))
    }

    fn action_space(&self) -> Space {
        Space::boxed(vec![-1.0; D], vec![1.0; D])
    }

    fn observation_space(&self) -> Space {
        Space::boxed(vec![-1.0; D], vec![1.0; D])
    }
}

impl<const D: usize> Snapshot for Reach<D> {
    type State = ReachState;

    fn snapshot(&self) -> ReachState {
        ReachState {
            rng: self.rng.clone(),
            target: self.target.to_vec(),
            ready: self.ready,
        }
    }

    fn restore(&mut self, state: ReachState) -> Result<[f32; D], EnvError> {
        self.target =
            state
                .target
                .as_slice()
                .try_into()
                .map_err(|_| EnvError::ObservationLength {
                    expected: D,
                    actual: state.target.len(),
                })?;
        self.rng = state.rng;
        self.ready = state.ready;
        Ok(self.target)
    }
}
