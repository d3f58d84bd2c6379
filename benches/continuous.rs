//! SAC and TD3 cost at rl-baselines3-zoo's sizes on Pendulum-v1 (3 observation values, one
//! torque): one update of a batch of 256 drawn from the replay memory (SAC with 256-256
//! networks, TD3 with 400-300: one call of `learn`, which for TD3 trains the actor every
//! second call), one exploring action, and this machine's matrix-product peak for comparison. Each update's achieved
//! GFLOP/s (its matrix products' floating-point operations over its measured time) is
//! printed beside the peak. Set `CINDER_BENCH_DEVICE=cuda` (with `--features cuda`) to time
//! them on a GPU.

#[path = "device.rs"]
mod device;

use std::hint::black_box;
use std::time::{Duration, Instant};

use burn::tensor::{Tensor, TensorData};
use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::{Sac, SacConfig, Td3, Td3Config};
use cinder_rl::env::Space;
use cinder_rl::memory::Transition;
use cinder_rl::nn::Mlp;
use criterion::{Criterion, criterion_group, criterion_main};

const OBS: usize = 3;
const BATCH: usize = 256;

/// Floating-point operations of the matrix products of one pass of `batch` rows through an
/// MLP of `widths`: forward, and backward to the weights and (but for the first layer, whose
/// input is data) to the inputs, as asked.
fn mlp_flops(widths: &[usize], batch: usize, forward: bool, weights: bool, inputs: Inputs) -> f64 {
    widths
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let layer = 2.0 * (batch * w[0] * w[1]) as f64;
            let input_grad = match inputs {
                Inputs::None => false,
                Inputs::AllButFirst => i > 0,
                Inputs::All => true,
            };
            layer
                * (f64::from(u8::from(forward))
                    + f64::from(u8::from(weights))
                    + f64::from(u8::from(input_grad)))
        })
        .sum()
}

#[derive(Clone, Copy)]
enum Inputs {
    None,
    AllButFirst,
    All,
}

/// One SAC update: the actor on s' (no gradient), both target critics, both critics trained,
/// the actor trained through both critics (gradient to their inputs only).
fn sac_flops(hidden: &[usize], dim: usize) -> f64 {
    let actor: Vec<usize> = [OBS]
        .into_iter()
        .chain(hidden.iter().copied())
        .chain([2 * dim])
        .collect();
    let critic: Vec<usize> = [OBS + dim]
        .into_iter()
        .chain(hidden.iter().copied())
        .chain([1])
        .collect();
    mlp_flops(&actor, BATCH, true, false, Inputs::None)
        + 2.0 * mlp_flops(&critic, BATCH, true, false, Inputs::None)
        + 2.0 * mlp_flops(&critic, BATCH, true, true, Inputs::AllButFirst)
        + mlp_flops(&actor, BATCH, true, true, Inputs::AllButFirst)
        + 2.0 * mlp_flops(&critic, BATCH, true, false, Inputs::All)
}

/// One TD3 update, averaged over the policy delay of 2: the target actor and both target
/// critics, both critics trained, and on every second update the actor trained through the
/// first critic (gradient to its inputs only).
fn td3_flops(hidden: &[usize], dim: usize) -> f64 {
    let actor: Vec<usize> = [OBS]
        .into_iter()
        .chain(hidden.iter().copied())
        .chain([dim])
        .collect();
    let critic: Vec<usize> = [OBS + dim]
        .into_iter()
        .chain(hidden.iter().copied())
        .chain([1])
        .collect();
    mlp_flops(&actor, BATCH, true, false, Inputs::None)
        + 2.0 * mlp_flops(&critic, BATCH, true, false, Inputs::None)
        + 2.0 * mlp_flops(&critic, BATCH, true, true, Inputs::AllButFirst)
        + 0.5
            * (mlp_flops(&actor, BATCH, true, true, Inputs::AllButFirst)
                + mlp_flops(&critic, BATCH, true, false, Inputs::All))
}

fn torque() -> Space {
    Space::boxed(vec![-2.0], vec![2.0])
}

/// A transition of the fake Pendulum the memories are filled with.
fn transition(i: usize) -> Transition<[f32; OBS], [f32; 1]> {
    let x = i as f32;
    Transition {
        observation: [(x * 0.37).sin(), (x * 0.37).cos(), (x * 0.11).sin()],
        action: [2.0 * (x * 0.53).sin()],
        reward: -f64::from((x * 0.07).sin().abs()),
        next_observation: [(x * 0.41).sin(), (x * 0.41).cos(), (x * 0.13).sin()],
        terminated: false,
        truncated: i % 200 == 199,
    }
}

/// Fills `agent`'s memory with `3 * BATCH` transitions, the last of which makes the first
/// update (of an agent whose learning starts there) and ends the random warm-up.
fn fill<A: Agent<[f32; OBS], [f32; 1]>>(agent: &mut A) {
    for i in 0..3 * BATCH {
        agent.observe(&transition(i)).unwrap();
    }
}

fn td3_agent(hidden: &[usize]) -> Td3<Mlp, Mlp> {
    let config = Td3Config::new()
        .with_replay_capacity(10_000)
        .with_learning_starts(3 * BATCH);
    let mut agent = Td3::with_mlps(config, OBS, torque(), hidden, &device::bench_device()).unwrap();
    fill(&mut agent);
    agent
}

fn sac_agent(hidden: &[usize]) -> Sac<Mlp, Mlp> {
    let config = SacConfig::new()
        .with_replay_capacity(10_000)
        .with_learning_starts(3 * BATCH);
    let mut agent = Sac::with_mlps(config, OBS, torque(), hidden, &device::bench_device()).unwrap();
    fill(&mut agent);
    agent
}

/// Benches `run` under `name` and prints its achieved GFLOP/s for `flops` per call, from
/// the time criterion measured (nothing when a filter skips the bench).
fn bench_gflops(c: &mut Criterion, name: &str, flops: f64, mut run: impl FnMut()) {
    let (mut calls, mut total) = (0u64, Duration::ZERO);
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                run();
            }
            let elapsed = start.elapsed();
            calls += iters;
            total += elapsed;
            elapsed
        })
    });
    if calls > 0 {
        let seconds = total.as_secs_f64() / calls as f64;
        println!(
            "{name}: {:.2} ms, {:.0} MFLOP of matrix products, {:.1} GFLOP/s",
            seconds * 1e3,
            flops / 1e6,
            flops / seconds / 1e9
        );
    }
}

fn updates(c: &mut Criterion) {
    let hidden = [256, 256];
    let mut agent = sac_agent(&hidden);
    bench_gflops(
        c,
        "sac_update_256x256_batch256",
        sac_flops(&hidden, 1),
        || {
            black_box(agent.learn().unwrap());
        },
    );
    let hidden = [400, 300];
    let mut agent = td3_agent(&hidden);
    bench_gflops(
        c,
        "td3_update_400x300_batch256",
        td3_flops(&hidden, 1),
        || {
            black_box(agent.learn().unwrap());
        },
    );
}

fn actions(c: &mut Criterion) {
    let mut agent = sac_agent(&[256, 256]);
    let observation = [0.3f32, -0.9, 0.5];
    c.bench_function("sac_act_256x256", |b| {
        b.iter(|| {
            let action: [f32; 1] = agent.act(black_box(&observation), Mode::Explore).unwrap();
            black_box(action)
        })
    });
    let mut agent = td3_agent(&[400, 300]);
    c.bench_function("td3_act_400x300", |b| {
        b.iter(|| {
            let action: [f32; 1] = agent.act(black_box(&observation), Mode::Explore).unwrap();
            black_box(action)
        })
    });
}

/// The matrix-product peak of this machine through the same backend: a 1024 x 1024 x 1024
/// product.
fn peak(c: &mut Criterion) {
    let device = device::bench_device();
    let n = 1024;
    let values: Vec<f32> = (0..n * n).map(|i| ((i % 97) as f32) * 0.01).collect();
    let a = Tensor::<2>::from_data(TensorData::new(values.clone(), [n, n]), &device);
    let b = Tensor::<2>::from_data(TensorData::new(values, [n, n]), &device);
    let flops = 2.0 * (n * n * n) as f64;
    bench_gflops(c, "matmul_peak_1024", flops, || {
        black_box(a.clone().matmul(b.clone()).into_data());
    });
}

criterion_group!(benches, peak, updates, actions);
criterion_main!(benches);
