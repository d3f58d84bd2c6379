//! PPO cost: one update of one minibatch of 64 (64-64 networks, tanh and ReLU, discrete and
//! continuous), and one rollout step over 8 environments including acting and storing. Set
//! `CINDER_BENCH_DEVICE=cuda` (with `--features cuda`) to time them on a GPU.

#[path = "device.rs"]
mod device;

use std::hint::black_box;
use std::time::{Duration, Instant};

use cinder_rl::agent::{Mode, VecAgent, VecTransitions};
use cinder_rl::agents::{Ppo, PpoConfig};
use cinder_rl::env::{CartPole, CartPoleConfig, Space, VecEnv};
use cinder_rl::nn::{Activation, PolicyValueMlpConfig};
use criterion::{Criterion, criterion_group, criterion_main};

/// A PPO agent whose every `observe_batch` of 64 copies fills its rollout and makes one
/// gradient step on one minibatch of all 64 transitions.
fn one_minibatch_agent(
    obs_dim: usize,
    space: Space,
    activation: Activation,
) -> Ppo<cinder_rl::nn::PolicyValueMlp> {
    let device = device::bench_device();
    let network = PolicyValueMlpConfig::for_space(obs_dim, &space)
        .with_activation(activation)
        .init(&device, 0)
        .unwrap();
    let config = PpoConfig::new()
        .with_num_envs(64)
        .with_n_rollout(1)
        .with_batch_size(64)
        .with_n_epochs(1);
    Ppo::new(config, network, obs_dim, space, &device).unwrap()
}

fn minibatch<A: Clone + 'static>(
    c: &mut Criterion,
    name: &str,
    mut agent: Ppo<cinder_rl::nn::PolicyValueMlp>,
    obs_dim: usize,
) where
    Ppo<cinder_rl::nn::PolicyValueMlp>: VecAgent<A>,
{
    let n = 64;
    let observations: Vec<f32> = (0..obs_dim * n).map(|i| (i as f32 * 0.37).sin()).collect();
    let next_observations: Vec<f32> = observations.iter().map(|v| v + 0.01).collect();
    let rewards: Vec<f64> = (0..n).map(|i| (i % 3) as f64).collect();
    let (terminated, truncated) = (vec![false; n], vec![false; n]);
    let mut actions: Vec<A> = Vec::new();
    agent
        .act_batch(&observations, Mode::Explore, &mut actions)
        .unwrap();
    c.bench_function(name, |b| {
        b.iter(|| {
            let step = VecTransitions {
                observations: &observations,
                actions: &actions,
                rewards: &rewards,
                next_observations: &next_observations,
                terminated: &terminated,
                truncated: &truncated,
            };
            black_box(agent.observe_batch(&step).unwrap())
        })
    });
}

fn update(c: &mut Criterion) {
    let cartpole = Space::discrete(2);
    let torque = Space::boxed(vec![-2.0], vec![2.0]);
    for (activation, tag) in [(Activation::Tanh, "tanh"), (Activation::Relu, "relu")] {
        minibatch::<usize>(
            c,
            &format!("ppo_minibatch_64_discrete_{tag}"),
            one_minibatch_agent(4, cartpole.clone(), activation),
            4,
        );
        minibatch::<Vec<f32>>(
            c,
            &format!("ppo_minibatch_64_continuous_{tag}"),
            one_minibatch_agent(3, torque.clone(), activation),
            3,
        );
    }
}

/// Acting for 8 CartPole copies, stepping them and storing the step, in rollouts of 2048
/// steps; a fresh agent replaces a full one outside the timing, so no update is measured.
fn rollout_step(c: &mut Criterion) {
    const STEPS: u64 = 2048;
    let device = device::bench_device();
    let space = Space::discrete(2);
    let fresh = || {
        let network = PolicyValueMlpConfig::for_space(4, &space)
            .init(&device, 0)
            .unwrap();
        let config = PpoConfig::new()
            .with_num_envs(8)
            .with_n_rollout(STEPS as usize);
        Ppo::new(config, network, 4, space.clone(), &device).unwrap()
    };
    let mut envs = VecEnv::from_fn(8, |_| CartPole::new(CartPoleConfig::v1())).unwrap();
    envs.reset(Some(0)).unwrap();
    c.bench_function("ppo_rollout_step_8_envs", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut agent = fresh();
            let mut actions = Vec::new();
            let mut observations = envs.observations().to_vec();
            for i in 0..iters {
                if i > 0 && i % (STEPS - 1) == 0 {
                    agent = fresh();
                }
                let start = Instant::now();
                agent
                    .act_batch(&observations, Mode::Explore, &mut actions)
                    .unwrap();
                let step = envs.step(&actions).unwrap();
                let learned = agent
                    .observe_batch(&VecTransitions {
                        observations: &observations,
                        actions: &actions,
                        rewards: step.rewards,
                        next_observations: step.next_observations,
                        terminated: step.terminated,
                        truncated: step.truncated,
                    })
                    .unwrap();
                observations.clear();
                observations.extend_from_slice(step.observations);
                total += start.elapsed();
                assert_eq!(learned.updates, 0, "no update inside the timing");
            }
            total
        })
    });
}

criterion_group!(benches, update, rollout_step);
criterion_main!(benches);
