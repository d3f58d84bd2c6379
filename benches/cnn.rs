//! Pixel DQN cost: one gradient update of the lecture's CNN (3 x 40 x 90 input, 16-32-32
//! channels, kernel 5, stride 2, batch norm) at batch 128, and one greedy action.

use std::hint::black_box;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::{Dqn, DqnConfig, OptimizerConfig};
use cinder_rl::memory::Transition;
use cinder_rl::nn::{CnnQNetwork, CnnQNetworkConfig};
use criterion::{Criterion, criterion_group, criterion_main};

const OBS: usize = 3 * 40 * 90;

fn agent() -> Dqn<CnnQNetwork> {
    let device = Device::flex();
    let network = CnnQNetworkConfig::new(3, 40, 90, 2)
        .init(&device, 0)
        .unwrap();
    let config = DqnConfig::new()
        .with_optimizer(OptimizerConfig::rmsprop())
        .with_batch_size(128)
        .with_replay_capacity(1_000)
        .with_learning_starts(1_000);
    let mut agent = Dqn::new(config, network, OBS, 2, &device).unwrap();
    for i in 0..1_000 {
        let pixel = |j: usize| ((i * 31 + j * 7) % 17) as f32 / 17.0 - 0.5;
        let transition = Transition {
            observation: (0..OBS).map(pixel).collect::<Vec<f32>>(),
            action: i % 2,
            reward: 1.0,
            next_observation: (1..=OBS).map(pixel).collect::<Vec<f32>>(),
            terminated: i % 30 == 29,
            truncated: false,
        };
        agent.observe(&transition).unwrap();
    }
    agent
}

fn update(c: &mut Criterion) {
    let mut agent = agent();
    let mut group = c.benchmark_group("cnn_dqn");
    group.sample_size(10);
    group.bench_function("update_batch_128", |b| {
        b.iter(|| black_box(agent.learn().unwrap()))
    });
    let observation: Vec<f32> = (0..OBS).map(|j| (j % 5) as f32 * 0.1).collect();
    group.bench_function("greedy_action", |b| {
        b.iter(|| black_box(agent.act(black_box(&observation), Mode::Exploit).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, update);
criterion_main!(benches);
