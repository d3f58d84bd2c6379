//! Actor-critic cost: one update on a rollout of n_rollout = 10 steps, with 1 and 8
//! environment copies (256-unit trunk). Each iteration stores the 10 steps and makes the
//! update they trigger; storing is a copy of a few floats per step.

use std::hint::black_box;

use burn::tensor::Device;
use cinder_rl::agent::{Mode, VecAgent, VecTransitions};
use cinder_rl::agents::{ActorCritic, ActorCriticConfig};
use cinder_rl::nn::ActorCriticMlpConfig;
use criterion::{Criterion, criterion_group, criterion_main};

fn update(c: &mut Criterion) {
    let mut group = c.benchmark_group("actor_critic_update");
    for n in [1usize, 8] {
        let device = Device::flex();
        let network = ActorCriticMlpConfig::new(4, 2).init(&device, 0).unwrap();
        let config = ActorCriticConfig::new().with_num_envs(n).with_n_rollout(10);
        let mut agent = ActorCritic::new(config, network, 4, 2, &device).unwrap();
        let observations: Vec<f32> = (0..4 * n).map(|i| (i as f32 * 0.37).sin() * 0.1).collect();
        let next_observations: Vec<f32> = observations.iter().map(|v| v + 0.01).collect();
        let (rewards, terminated, truncated) = (vec![1.0; n], vec![false; n], vec![false; n]);
        let mut actions = Vec::new();
        agent
            .act_batch(&observations, Mode::Explore, &mut actions)
            .unwrap();
        group.bench_function(format!("{n}_envs"), |b| {
            b.iter(|| {
                for _ in 0..10 {
                    let step = VecTransitions {
                        observations: &observations,
                        actions: &actions,
                        rewards: &rewards,
                        next_observations: &next_observations,
                        terminated: &terminated,
                        truncated: &truncated,
                    };
                    black_box(agent.observe_batch(&step).unwrap());
                }
            })
        });
    }
    group.finish();
}

fn act(c: &mut Criterion) {
    let device = Device::flex();
    let network = ActorCriticMlpConfig::new(4, 2).init(&device, 0).unwrap();
    let mut agent = ActorCritic::new(ActorCriticConfig::new(), network, 4, 2, &device).unwrap();
    let observations: Vec<f32> = (0..32).map(|i| (i as f32).cos() * 0.1).collect();
    let mut actions = Vec::new();
    c.bench_function("actor_critic_act_8_envs", |b| {
        b.iter(|| {
            agent
                .act_batch(black_box(&observations), Mode::Explore, &mut actions)
                .unwrap()
        })
    });
}

criterion_group!(benches, update, act);
criterion_main!(benches);
