//! The environment checker passes every shipped environment and catches a deliberately broken
//! environment for each of its checks.

use cinder_rl::env::{
    Acrobot, CartPole, CartPoleConfig, ClassicConfig, Environment, MountainCar,
    MountainCarContinuous, Pendulum, PendulumConfig, Snapshot, Space, Step, check_env,
};
use cinder_rl::error::EnvError;
use serde::{Deserialize, Serialize};

#[test]
fn every_shipped_environment_passes() {
    check_env(|| CartPole::new(CartPoleConfig::v1()).unwrap()).unwrap();
    check_env(|| CartPole::new(CartPoleConfig::v0()).unwrap()).unwrap();
    check_env(|| Acrobot::new(ClassicConfig::acrobot_v1()).unwrap()).unwrap();
    check_env(|| MountainCar::new(ClassicConfig::mountain_car_v0()).unwrap()).unwrap();
    let continuous = ClassicConfig::mountain_car_continuous_v0();
    check_env(|| MountainCarContinuous::new(continuous).unwrap()).unwrap();
    check_env(|| Pendulum::new(PendulumConfig::v1()).unwrap()).unwrap();
}

/// One flaw each, for each check.
#[derive(Clone, Copy, PartialEq)]
enum Flaw {
    None,
    StepsBeforeReset,
    IgnoresSeed,
    ObservationOutOfBounds,
    RunsPastItsLimit,
    TakesInvalidActions,
    ForgetsOnRestore,
}

/// A walk on a line from a seeded start in [-4, 4], ending at ±5 or after 20 steps, but for
/// its flaw.
struct Walk {
    flaw: Flaw,
    position: i64,
    seed_state: u64,
    steps: usize,
    ready: bool,
}

#[derive(Serialize, Deserialize)]
struct WalkState(i64, u64, usize, bool);

impl Walk {
    fn new(flaw: Flaw) -> Self {
        Self {
            flaw,
            position: 0,
            seed_state: 1,
            steps: 0,
            ready: false,
        }
    }
}

impl Environment for Walk {
    type Observation = [f32; 1];
    type Action = usize;

    fn reset(&mut self, seed: Option<u64>) -> [f32; 1] {
        if let Some(seed) = seed
            && self.flaw != Flaw::IgnoresSeed
        {
            self.seed_state = seed;
        }
        self.seed_state = self
            .seed_state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1);
        self.position = ((self.seed_state >> 60) % 9) as i64 - 4;
        (self.steps, self.ready) = (0, true);
        [self.position as f32]
    }

    fn step(&mut self, action: usize) -> Result<Step<[f32; 1]>, EnvError> {
        if self.flaw != Flaw::TakesInvalidActions {
            self.action_space().check(action)?;
        }
        if !self.ready && self.flaw != Flaw::StepsBeforeReset {
            return Err(EnvError::ResetNeeded);
        }
        self.position += if action == 1 { 1 } else { -1 };
        self.steps += 1;
        let terminated = self.position.abs() >= 5;
        let limit = if self.flaw == Flaw::RunsPastItsLimit {
            30
        } else {
            20
        };
        let truncated = self.steps >= limit;
        let value = if self.flaw == Flaw::ObservationOutOfBounds {
            99.0
        } else {
            self.position as f32
        };
        Ok(Step::new([value], -1.0, terminated, truncated))
    }

    fn action_space(&self) -> Space {
        Space::discrete(2)
    }

    fn observation_space(&self) -> Space {
        Space::boxed(vec![-5.0], vec![5.0])
    }

    fn max_episode_steps(&self) -> Option<usize> {
        Some(20)
    }
}

impl Snapshot for Walk {
    type State = WalkState;

    fn snapshot(&self) -> WalkState {
        WalkState(self.position, self.seed_state, self.steps, self.ready)
    }

    fn restore(&mut self, state: WalkState) -> Result<[f32; 1], EnvError> {
        let WalkState(position, seed_state, steps, ready) = state;
        if self.flaw != Flaw::ForgetsOnRestore {
            (self.position, self.seed_state) = (position, seed_state);
        }
        (self.steps, self.ready) = (steps, ready);
        Ok([self.position as f32])
    }
}

#[test]
fn a_sound_walk_passes_and_each_flaw_is_caught_by_its_check() {
    check_env(|| Walk::new(Flaw::None)).unwrap();
    let flaws = [
        (Flaw::StepsBeforeReset, "step before reset"),
        (Flaw::IgnoresSeed, "seeded reset"),
        (Flaw::ObservationOutOfBounds, "observation space"),
        (Flaw::RunsPastItsLimit, "time limit"),
        (Flaw::TakesInvalidActions, "invalid action"),
        (Flaw::ForgetsOnRestore, "snapshot"),
    ];
    for (flaw, expected) in flaws {
        match check_env(|| Walk::new(flaw)) {
            Err(EnvError::CheckFailed { check, .. }) => assert_eq!(check, expected),
            other => panic!("{expected}: {other:?}"),
        }
    }
}
