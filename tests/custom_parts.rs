//! A replay memory and an exploration schedule defined here, outside the crate, plugged into
//! `Dqn`: it learns with them, uses them, and checkpoints them when the memory can be saved.

mod common;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Checkpoint, Mode};
use cinder_rl::agents::Dqn;
use cinder_rl::env::{Action, ActionShape};
use cinder_rl::error::{AgentError, MemoryError};
use cinder_rl::memory::{Batch, ReplayMemory, Transition, UniformReplay};
use cinder_rl::nn::{Mlp, MlpConfig};
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
    fn push<O: AsRef<[f32]>, A: Action>(
        &mut self,
        t: &Transition<O, A>,
    ) -> Result<(), MemoryError> {
        // A memory of discrete actions: an index, or a refusal.
        let action = t.action.encode().index().ok_or(MemoryError::ActionShape {
            expected: ActionShape::Discrete,
            actual: t.action.encode().shape(),
        })?;
        if self.rows.len() == self.capacity {
            self.rows.remove(0);
        }
        self.rows.push(Transition {
            observation: t.observation.as_ref().to_vec(),
            action,
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
        batch.actions.reset(ActionShape::Discrete);
        let n = self.rows.len();
        for _ in 0..batch_size {
            let i = if rng.random_range(0..3) == 0 {
                rng.random_range(0..n)
            } else {
                rng.random_range(n / 2..n)
            };
            let t = &self.rows[i];
            batch.observations.extend_from_slice(&t.observation);
            batch.actions.push(&t.action)?;
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

fn network() -> Mlp {
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
    // A memory that keeps no per-transition discount cannot serve n-step returns.
    let recent = || RecentFirst {
        capacity: 500,
        obs_dim: LENGTH,
        rows: Vec::new(),
        pushed: 0,
    };
    let three_step = dqn_test_config().with_n_step(3);
    assert!(matches!(
        Dqn::with_parts(
            three_step,
            network(),
            recent(),
            StepDown,
            3,
            &Device::flex()
        ),
        Err(AgentError::InvalidConfig {
            field: "n_step",
            ..
        })
    ));
    assert!(
        Dqn::with_parts(
            dqn_test_config(),
            network(),
            recent(),
            StepDown,
            3,
            &Device::flex()
        )
        .is_ok()
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

/// The crate's uniform memory, with per-sample weights and discounts of its own and a record
/// of the TD errors it is given: the shape of a prioritized or n-step memory.
struct Weighted {
    inner: UniformReplay,
    weight: f32,
    discount: Option<f32>,
    td_errors: Vec<(Vec<usize>, Vec<f32>)>,
}

impl ReplayMemory for Weighted {
    fn push<O: AsRef<[f32]>, A: Action>(
        &mut self,
        t: &Transition<O, A>,
    ) -> Result<(), MemoryError> {
        self.inner.push(t)
    }
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn capacity(&self) -> usize {
        self.inner.capacity()
    }
    fn obs_dim(&self) -> usize {
        self.inner.obs_dim()
    }
    fn sample_into<G: Rng + ?Sized>(
        &self,
        batch_size: usize,
        rng: &mut G,
        batch: &mut Batch,
    ) -> Result<(), MemoryError> {
        self.inner.sample_into(batch_size, rng, batch)?;
        batch.weights = vec![self.weight; batch_size];
        if let Some(discount) = self.discount {
            batch.discounts = vec![discount; batch_size];
        }
        Ok(())
    }
    fn wants_td_errors(&self) -> bool {
        true
    }
    fn update_priorities(&mut self, indices: &[usize], td: &[f32]) -> Result<(), MemoryError> {
        self.td_errors.push((indices.to_vec(), td.to_vec()));
        Ok(())
    }
}

/// The first losses of DQN on the corridor with `memory`, and the agent afterwards.
fn losses_with<R: ReplayMemory>(memory: R, gamma: f64) -> (Vec<f32>, Dqn<Mlp, R, StepDown>) {
    let config = dqn_test_config().with_gamma(gamma).with_seed(9);
    let mut agent =
        Dqn::with_parts(config, network(), memory, StepDown, 3, &Device::flex()).unwrap();
    let mut env = Corridor::new();
    let mut observation = cinder_rl::env::Environment::reset(&mut env, Some(3));
    let mut losses = Vec::new();
    while losses.len() < 20 {
        let action = agent.act(&observation, Mode::Explore).unwrap();
        let step = cinder_rl::env::Environment::step(&mut env, action).unwrap();
        let transition = Transition::from_step(observation, action, step);
        if let Some(loss) = agent.observe(&transition).unwrap().loss {
            losses.push(loss);
        }
        observation = if transition.done() {
            cinder_rl::env::Environment::reset(&mut env, None)
        } else {
            transition.next_observation
        };
    }
    (losses, agent)
}

#[test]
fn per_sample_weights_discounts_and_td_errors_reach_the_update() {
    let uniform = || UniformReplay::new(1_000, LENGTH).unwrap();
    let weighted = |weight, discount| Weighted {
        inner: uniform(),
        weight,
        discount,
        td_errors: Vec::new(),
    };
    let (plain, _) = losses_with(uniform(), 0.9);
    // Weights of 1 and discounts of gamma give the plain losses.
    let (same, agent) = losses_with(weighted(1.0, Some(0.9)), 0.9);
    let memory = agent.memory();
    for (a, b) in plain.iter().zip(&same) {
        assert!((a - b).abs() <= 1e-6 * a.abs().max(1.0), "{a} against {b}");
    }
    // One batch of TD errors per update, one error per sample, where the samples came from.
    assert_eq!(memory.td_errors.len(), 20);
    for (indices, errors) in &memory.td_errors {
        assert_eq!((indices.len(), errors.len()), (32, 32));
        assert!(errors.iter().all(|e| e.is_finite() && *e >= 0.0));
    }
    // Weights of 0.5 halve the loss of the first update (same network, same batch).
    let (halved, _) = losses_with(weighted(0.5, None), 0.9);
    assert!(
        (halved[0] - plain[0] / 2.0).abs() <= 1e-6,
        "{} against {}",
        halved[0],
        plain[0]
    );
    // Per-sample discounts of 0 are the agent's gamma of 0.
    let (no_future, _) = losses_with(weighted(1.0, Some(0.0)), 0.9);
    let (gamma_zero, _) = losses_with(uniform(), 0.0);
    assert!((no_future[0] - gamma_zero[0]).abs() <= 1e-6 * gamma_zero[0].max(1.0));
    assert_ne!(no_future[0], plain[0]);
}
