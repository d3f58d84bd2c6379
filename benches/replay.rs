//! Uniform replay memory: push, and sampling batches of 32 and 256 from 50 000 CartPole
//! transitions. Prioritized replay of 1 000 000 CartPole transitions with varied priorities:
//! sampling a batch of 32, updating 32 priorities, both, and push.

use std::hint::black_box;

use cinder_rl::memory::{
    Batch, PrioritizedConfig, PrioritizedReplay, ReplayMemory, Transition, UniformReplay,
};
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

const PRIORITIZED_CAPACITY: usize = 1_000_000;

/// A TD error for slot `slot` at round `round`: spread over three orders of magnitude.
fn td_error(slot: usize, round: usize) -> f32 {
    let h = (slot as u64 ^ (round as u64) << 32).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    (h as f32 / (1u64 << 24) as f32) * 10.0 + 0.01
}

/// A full prioritized memory whose every slot has had its priority updated.
fn full_prioritized() -> PrioritizedReplay {
    let mut memory =
        PrioritizedReplay::new(PRIORITIZED_CAPACITY, 4, PrioritizedConfig::default()).unwrap();
    for i in 0..PRIORITIZED_CAPACITY {
        memory.push(&transition(i)).unwrap();
    }
    let slots: Vec<usize> = (0..PRIORITIZED_CAPACITY).collect();
    let errors: Vec<f32> = slots.iter().map(|&slot| td_error(slot, 0)).collect();
    memory.update_priorities(&slots, &errors).unwrap();
    memory
}

fn prioritized(c: &mut Criterion) {
    let mut memory = full_prioritized();
    let mut rng = seeded(0);
    let mut batch = Batch::default();
    let mut group = c.benchmark_group("prioritized");
    group.bench_function("sample_batch_32", |b| {
        b.iter(|| {
            memory.sample_into(32, &mut rng, &mut batch).unwrap();
            black_box(&batch);
        })
    });
    memory.sample_into(32, &mut rng, &mut batch).unwrap();
    let indices = batch.indices.clone();
    let mut round = 0;
    let mut errors = vec![0.0f32; 32];
    group.bench_function("update_priorities_32", |b| {
        b.iter(|| {
            round += 1;
            for (error, &slot) in errors.iter_mut().zip(&indices) {
                *error = td_error(slot, round);
            }
            memory
                .update_priorities(black_box(&indices), black_box(&errors))
                .unwrap();
        })
    });
    group.bench_function("sample_and_update_32", |b| {
        b.iter(|| {
            round += 1;
            memory.sample_into(32, &mut rng, &mut batch).unwrap();
            for (error, &slot) in errors.iter_mut().zip(&batch.indices) {
                *error = td_error(slot, round);
            }
            memory.update_priorities(&batch.indices, &errors).unwrap();
        })
    });
    let t = transition(7);
    group.bench_function("push", |b| b.iter(|| memory.push(black_box(&t)).unwrap()));
    group.finish();
}

criterion_group!(benches, push, sample, prioritized);
criterion_main!(benches);
