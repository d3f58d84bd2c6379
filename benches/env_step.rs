//! Environment step cost: CartPole alone and vectorized with 1 and 8 copies, Pendulum and
//! MountainCar.

use std::hint::black_box;

use cinder_rl::env::{
    CartPole, CartPoleConfig, Environment, MountainCar, MountainCarConfig, Pendulum,
    PendulumConfig, VecEnv,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Pushes towards the side the pole leans to, so episodes last long and resets are rare.
fn controller(obs: &[f32]) -> usize {
    usize::from(obs[2] + 0.5 * obs[3] > 0.0)
}

fn single(c: &mut Criterion) {
    let mut group = c.benchmark_group("cartpole_step");
    group.throughput(Throughput::Elements(1));
    let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
    let mut obs = env.reset(Some(0));
    group.bench_function("single", |b| {
        b.iter(|| {
            let step = env.step(controller(&obs)).unwrap();
            obs = if step.done() {
                env.reset(None)
            } else {
                step.observation
            };
            black_box(&obs);
        })
    });
    group.finish();
}

fn vectorized(c: &mut Criterion) {
    let mut group = c.benchmark_group("cartpole_vec_step");
    for n in [1usize, 8] {
        group.throughput(Throughput::Elements(n as u64));
        let mut envs = VecEnv::from_fn(n, |_| CartPole::new(CartPoleConfig::v1())).unwrap();
        envs.reset(Some(0)).unwrap();
        let mut actions = vec![0usize; n];
        group.bench_function(format!("{n}_envs"), |b| {
            b.iter(|| {
                for (action, obs) in actions.iter_mut().zip(envs.observations().chunks_exact(4)) {
                    *action = controller(obs);
                }
                black_box(envs.step(&actions).unwrap().rewards);
            })
        });
    }
    group.finish();
}

/// One Pendulum step under a torque that follows the angular velocity (a reset every 200).
fn pendulum(c: &mut Criterion) {
    let mut group = c.benchmark_group("pendulum_step");
    group.throughput(Throughput::Elements(1));
    let mut env = Pendulum::new(PendulumConfig::v1()).unwrap();
    let mut obs = env.reset(Some(0));
    group.bench_function("single", |b| {
        b.iter(|| {
            let step = env.step([obs[2].clamp(-2.0, 2.0)]).unwrap();
            obs = if step.done() {
                env.reset(None)
            } else {
                step.observation
            };
            black_box(&obs);
        })
    });
    group.finish();
}

/// One MountainCar step, pushing the way the car moves (a reset every episode end).
fn mountain_car(c: &mut Criterion) {
    let mut group = c.benchmark_group("mountain_car_step");
    group.throughput(Throughput::Elements(1));
    let mut env = MountainCar::new(MountainCarConfig::v0()).unwrap();
    let mut obs = env.reset(Some(0));
    group.bench_function("single", |b| {
        b.iter(|| {
            let step = env.step(if obs[1] < 0.0 { 0 } else { 2 }).unwrap();
            obs = if step.done() {
                env.reset(None)
            } else {
                step.observation
            };
            black_box(&obs);
        })
    });
    group.finish();
}

criterion_group!(benches, single, vectorized, pendulum, mountain_car);
criterion_main!(benches);
