//! Pixel DQN cost: one step of the pixel environments (render, crop, supersample, stack), and
//! one gradient update and one greedy action of the two CNNs of `cartpole_pixels_dqn`: the
//! lecture's (3 x 40 x 90 RGB differences, 16-32-32 channels, kernel 5, stride 2, batch norm,
//! batch 128) and the tuned preset's (3 x 20 x 45 grey stack, 16-32 channels, kernel 3,
//! stride 2, batch 32).

#[path = "../examples/common/tuned_view.rs"]
mod tuned_view;

use std::hint::black_box;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::{Dqn, DqnConfig, OptimizerConfig};
use cinder_rl::env::{CartPole, CartPoleConfig, Environment, PixelConfig, PixelObservation};
use cinder_rl::memory::{ObservationStorage, Transition};
use cinder_rl::nn::{CnnQNetwork, CnnQNetworkConfig};
use criterion::{Criterion, criterion_group, criterion_main};
use tuned_view::tuned_view;

fn pixel_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("pixel_step");
    for (name, view) in [("lecture", PixelConfig::default()), ("tuned", tuned_view())] {
        let mut env =
            PixelObservation::new(CartPole::new(CartPoleConfig::v1()).unwrap(), view).unwrap();
        env.reset(Some(0));
        let mut t = 0usize;
        group.bench_function(name, |b| {
            b.iter(|| {
                t += 1;
                let step = env.step(t % 2).unwrap();
                if step.done() {
                    env.reset(None);
                }
                black_box(step.observation)
            })
        });
    }
    group.finish();
}

/// An agent whose replay memory holds 1 000 synthetic pictures of `shape`.
fn agent(shape: [usize; 3], network: CnnQNetworkConfig, config: DqnConfig) -> Dqn<CnnQNetwork> {
    let device = Device::flex();
    let obs: usize = shape.iter().product();
    let config = config
        .with_replay_capacity(1_000)
        .with_learning_starts(1_000);
    let mut agent = Dqn::new(config, network.init(&device, 0).unwrap(), obs, 2, &device).unwrap();
    for i in 0..1_000 {
        let pixel = |j: usize| ((i * 31 + j * 7) % 256) as f32 / 255.0;
        let transition = Transition {
            observation: (0..obs).map(pixel).collect::<Vec<f32>>(),
            action: i % 2,
            reward: 1.0,
            next_observation: (1..=obs).map(pixel).collect::<Vec<f32>>(),
            terminated: i % 30 == 29,
            truncated: false,
        };
        agent.observe(&transition).unwrap();
    }
    agent
}

fn update(c: &mut Criterion) {
    let lecture = agent(
        [3, 40, 90],
        CnnQNetworkConfig::new(3, 40, 90, 2),
        DqnConfig::new()
            .with_optimizer(OptimizerConfig::rmsprop())
            .with_batch_size(128),
    );
    let tuned = agent(
        [3, 20, 45],
        CnnQNetworkConfig::new(3, 20, 45, 2)
            .with_channels(vec![16, 32])
            .with_kernel(3)
            .with_batch_norm(false),
        DqnConfig::new()
            .with_observation_storage(ObservationStorage::U8 {
                low: 0.0,
                high: 1.0,
            })
            .with_batch_size(32),
    );
    let mut group = c.benchmark_group("cnn_dqn");
    group.sample_size(10);
    for (name, mut agent, obs, batch) in [
        ("lecture", lecture, 3 * 40 * 90, 128),
        ("tuned", tuned, 3 * 20 * 45, 32),
    ] {
        group.bench_function(format!("{name}_update_batch_{batch}"), |b| {
            b.iter(|| black_box(agent.learn().unwrap()))
        });
        let observation: Vec<f32> = (0..obs).map(|j| (j % 5) as f32 * 0.1).collect();
        group.bench_function(format!("{name}_greedy_action"), |b| {
            b.iter(|| black_box(agent.act(black_box(&observation), Mode::Exploit).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, pixel_step, update);
criterion_main!(benches);
