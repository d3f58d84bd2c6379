//! Uniform replay memory: push, and sampling batches of 32 and 256 from 50 000 CartPole
//! transitions.

use std::hint::black_box;

use cinder_rl::memory::{Batch, ReplayMemory, Transition, UniformReplay};
use cinder_rl::rng::seeded;
use criterion::{Criterion, criterion_group, criterion_main};

const CAPACITY: usize = 50_000;

fn transition(i: usize) -> Transition<[f32; 4]> {
    let v = i as f32 * 1e-3;
    Transition {
        observation: [v, -v, v * 0.5, 0.1],
        action: i % 2,
        reward: 1.0,
        next_observation: [v + 1e-3, -v, v * 0.5, 0.2],
        terminated: i.is_multiple_of(50),
        truncated: false,
    }
}

fn full_memory() -> UniformReplay {
    let mut memory = UniformReplay::new(CAPACITY, 4).unwrap();
    for i in 0..CAPACITY {
        memory.push(&transition(i)).unwrap();
    }
    memory
}

fn push(c: &mut Criterion) {
    let mut memory = full_memory();
    let t = transition(7);
    c.bench_function("replay_push", |b| {
        b.iter(|| memory.push(black_box(&t)).unwrap())
    });
}

fn sample(c: &mut Criterion) {
    let memory = full_memory();
    let mut rng = seeded(0);
    let mut group = c.benchmark_group("replay_sample");
    for batch_size in [32usize, 256] {
        let mut batch = Batch::default();
        group.bench_function(format!("batch_{batch_size}"), |b| {
            b.iter(|| {
                memory
                    .sample_into(batch_size, &mut rng, &mut batch)
                    .unwrap();
                black_box(&batch);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, push, sample);
criterion_main!(benches);
