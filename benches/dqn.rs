//! DQN costs: one gradient update (4-128-128-2 MLP, batch 32 and 128; and with Rainbow's
//! extensions: 3-step returns, prioritized replay, a dueling network, at batch 32 and 64, and
//! at 64 with the target network's pass on a second thread), and one greedy action.
//! Set `CINDER_BENCH_DEVICE=cuda` (with `--features cuda`) to time them on a GPU.

#[path = "device.rs"]
mod device;

use std::hint::black_box;

use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::dqn::DqnPreset;
use cinder_rl::agents::{Dqn, DqnConfig};
use cinder_rl::memory::Transition;
use cinder_rl::nn::{DuelingConfig, DuelingQNetwork, Mlp, MlpConfig, QNetwork};
use criterion::{Criterion, criterion_group, criterion_main};

/// An agent whose replay memory holds 5000 varied CartPole-like transitions.
fn agent(batch_size: usize) -> Dqn<Mlp> {
    let device = device::bench_device();
    let network = MlpConfig::new(4, 2)
        .with_hidden(vec![128, 128])
        .init(&device, 0)
        .unwrap();
    let config = DqnConfig::new()
        .with_batch_size(batch_size)
        .with_learning_starts(5_000);
    filled(Dqn::new(config, network, 4, 2, &device).unwrap())
}

/// The rainbow preset's agent (a 4-128-128 torso, linear value and advantage streams), its
/// prioritized memory holding 5000 transitions, updating on `update_threads` threads.
fn rainbow(batch_size: usize, update_threads: usize) -> Dqn<DuelingQNetwork<Mlp>> {
    let device = device::bench_device();
    let network = DuelingConfig::new(4, 128, 2)
        .with_stream_hidden(vec![])
        .mlp(&[128, 128], &device, 0)
        .unwrap();
    let config = DqnPreset::rainbow()
        .config
        .with_batch_size(batch_size)
        .with_learning_starts(5_000)
        .with_update_threads(update_threads);
    filled(Dqn::new(config, network, 4, 2, &device).unwrap())
}

/// `agent` after 5000 observed transitions (and no update: learning starts at 5000).
fn filled<M: QNetwork>(mut agent: Dqn<M>) -> Dqn<M> {
    for i in 0..5_000 {
        let v = (i % 97) as f32 / 97.0 - 0.5;
        let transition = Transition {
            observation: [v, -v, 0.1 * v, 0.5 * v],
            action: i % 2,
            reward: 1.0,
            next_observation: [v + 0.01, -v, 0.1 * v, 0.5 * v],
            terminated: i % 50 == 49,
            truncated: false,
        };
        agent.observe(&transition).unwrap();
    }
    agent
}

fn update(c: &mut Criterion) {
    let mut group = c.benchmark_group("dqn_update");
    for batch_size in [32usize, 128] {
        let mut agent = agent(batch_size);
        group.bench_function(format!("batch_{batch_size}"), |b| {
            b.iter(|| black_box(agent.learn().unwrap()))
        });
    }
    for (batch_size, threads) in [(32usize, 1usize), (64, 1), (64, 2)] {
        let mut agent = rainbow(batch_size, threads);
        let name = match threads {
            1 => format!("rainbow_batch_{batch_size}"),
            _ => format!("rainbow_batch_{batch_size}_{threads}_threads"),
        };
        group.bench_function(name, |b| b.iter(|| black_box(agent.learn().unwrap())));
    }
    group.finish();
}

fn act(c: &mut Criterion) {
    let mut agent = agent(32);
    let observation = [0.01f32, -0.2, 0.03, 0.1];
    c.bench_function("dqn_greedy_action", |b| {
        b.iter(|| black_box(agent.act(black_box(&observation), Mode::Exploit).unwrap()))
    });
}

criterion_group!(benches, update, act);
criterion_main!(benches);
