//! A replay memory and an exploration schedule defined here, outside the crate, plugged into
//! `Dqn`: it learns with them, uses them, and checkpoints them when the memory can be saved.

mod common;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Checkpoint, Mode};
use cinder_rl::agents::Dqn;
use cinder_rl::error::MemoryError;
use cinder_rl::memory::{Batch, ReplayMemory, Transition, UniformReplay};
use cinder_rl::nn::MlpConfig;
use cinder_rl::policy::Schedule;
use cinder_rl::rand::{Rng, RngExt};
use cinder_rl::train::{StopRule, TrainConfig, Trainer};
use common::{Corridor, LENGTH, dqn_test_config};

/// Keeps only the most recent `capacity` transitions in a plain vector and samples the newest
/// half twice as often as the older half.
struct RecentFirst {
    capacity: usize,
    obs_dim: usize,
    rows: Vec<Transition<Vec<f32>>>,
    pushed: usize,
}

impl ReplayMemory for RecentFirst {
    fn push<O: AsRef<[f32]>>(&mut self, t: &Transition<O>) -> Result<(), MemoryError> {
        if self.rows.len() == self.capacity {
            self.rows.remove(0);
        }
        self.rows.push(Transition {
            observation: t.observation.as_ref().to_vec(),
            action: t.action,
            reward: t.reward,
            next_observation: t.next_observation.as_ref().to_vec(),
            terminated: t.terminated,
            truncated: t.truncated,
        });
        self.pushed += 1;
        Ok(())
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    fn sample_into<G: Rng + ?Sized>(
        &self,
        batch_size: usize,
        rng: &mut G,
        batch: &mut Batch,
    ) -> Result<(), MemoryError> {
        if batch_size > self.rows.len() {
            return Err(MemoryError::NotEnoughTransitions {
                requested: batch_size,
                stored: self.rows.len(),
            });
        }
        batch.clear(batch_size, self.obs_dim);
        let n = self.rows.len();
        for _ in 0..batch_size {
            let i = if rng.random_range(0..3) == 0 {
                rng.random_range(0..n)
            } else {
                rng.random_range(n / 2..n)
            };
            let t = &self.rows[i];
            batch.observations.extend_from_slice(&t.observation);
            batch.actions.push(t.action as i64);
            batch.rewards.push(t.reward as f32);
            batch
                .next_observations
                .extend_from_slice(&t.next_observation);
            batch.terminated.push(f32::from(u8::from(t.terminated)));
            batch.truncated.push(f32::from(u8::from(t.truncated)));
            batch.indices.push(i);
        }
        Ok(())
    }
}

/// Epsilon 1 for 300 steps, then 0.1.
struct StepDown;

impl Schedule for StepDown {
    fn value(&self, step: u64) -> f64 {
        if step < 300 { 1.0 } else { 0.1 }
    }
}

fn network() -> cinder_rl::nn::Mlp {
    MlpConfig::new(LENGTH, 3)
        .with_hidden(vec![32])
        .init(&Device::flex(), 1)
        .unwrap()
}

#[test]
fn dqn_learns_with_a_memory_and_a_schedule_of_its_users() {
    let memory = RecentFirst {
        capacity: 1_000,
        obs_dim: LENGTH,
        rows: Vec::new(),
        pushed: 0,
    };
    let config = dqn_test_config().with_gamma(0.9).with_seed(1);
    let mut agent =
        Dqn::with_parts(config, network(), memory, StepDown, 3, &Device::flex()).unwrap();
    let mut epsilons = Vec::new();
    let summary = Trainer::new(
        TrainConfig::new(2)
            .with_max_env_steps(Some(2_500))
            .with_stop(StopRule::Never)
            .with_log_every_episodes(0),
    )
    .on_episode(|r| {
        epsilons.push((r.env_steps, r.epsilon.unwrap()));
        Ok(())
    })
    .run(&mut agent, &mut Corridor::new(), &mut Corridor::new())
    .unwrap();
    assert!(summary.updates > 2_000);
    assert_eq!(
        agent.memory().pushed,
        2_500,
        "every step went to the user's memory"
    );
    assert_eq!(agent.memory().len(), 1_000);
    for (steps, epsilon) in epsilons {
        assert_eq!(epsilon, if steps < 300 { 1.0 } else { 0.1 });
    }
    for position in 0..LENGTH - 1 {
        let observation = Corridor::observation_of(position);
        assert_eq!(agent.act(&observation, Mode::Exploit).unwrap(), 2);
    }
}

#[test]
fn plugged_parts_are_checked_and_a_savable_memory_checkpoints() {
    /// Epsilon 2: not a probability.
    struct TooHigh;
    impl Schedule for TooHigh {
        fn value(&self, _: u64) -> f64 {
            2.0
        }
    }
    let memory = UniformReplay::new(500, LENGTH).unwrap();
    assert!(
        Dqn::with_parts(
            dqn_test_config(),
            network(),
            memory,
            TooHigh,
            3,
            &Device::flex()
        )
        .is_err()
    );
    // A memory smaller than a batch cannot serve the agent.
    let tiny = UniformReplay::new(8, LENGTH).unwrap();
    assert!(
        Dqn::with_parts(
            dqn_test_config(),
            network(),
            tiny,
            StepDown,
            3,
            &Device::flex()
        )
        .is_err()
    );

    // The crate's memory with the user's schedule: checkpoints restore it exactly.
    let agent = || {
        let memory = UniformReplay::new(500, LENGTH).unwrap();
        let config = dqn_test_config().with_seed(4);
        Dqn::with_parts(config, network(), memory, StepDown, 3, &Device::flex()).unwrap()
    };
    let mut trained = agent();
    Trainer::new(
        TrainConfig::new(3)
            .with_max_env_steps(Some(400))
            .with_stop(StopRule::Never)
            .with_log_every_episodes(0),
    )
    .run(&mut trained, &mut Corridor::new(), &mut Corridor::new())
    .unwrap();
    let mut restored = agent();
    restored
        .restore_training_state(&trained.training_state().unwrap())
        .unwrap();
    assert_eq!(restored.memory().len(), trained.memory().len());
    assert_eq!(restored.epsilon(), 0.1);
    let probe = Corridor::observation_of(1);
    assert_eq!(
        restored.q_values().values(&probe).unwrap(),
        trained.q_values().values(&probe).unwrap()
    );
    // A state whose memory has another capacity does not fit.
    let mut other = Dqn::with_parts(
        dqn_test_config(),
        network(),
        UniformReplay::new(600, LENGTH).unwrap(),
        StepDown,
        3,
        &Device::flex(),
    )
    .unwrap();
    assert!(
        other
            .restore_training_state(&trained.training_state().unwrap())
            .is_err()
    );
}
