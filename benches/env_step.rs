//! Environment step cost: CartPole alone and vectorized with 1 and 8 copies, and one step of
//! each classic-control environment.

use std::hint::black_box;

use cinder_rl::env::{
    Acrobot, CartPole, CartPoleConfig, ClassicConfig, Environment, MountainCar,
    MountainCarContinuous, Pendulum, PendulumConfig, VecEnv,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Pushes towards the side the pole leans to, so episodes last long and resets are rare.
fn controller(obs: &[f32]) -> usize {
    usize::from(obs[2] + 0.5 * obs[3] > 0.0)
}

/// One step of `env` under `policy`, resetting when an episode ends, as group `name`.
fn single_env<E: Environment>(
    c: &mut Criterion,
    name: &str,
    mut env: E,
    policy: impl Fn(&E::Observation) -> E::Action,
) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(1));
    let mut obs = env.reset(Some(0));
    group.bench_function("single", |b| {
        b.iter(|| {
            let step = env.step(policy(&obs)).unwrap();
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

fn single(c: &mut Criterion) {
    let cartpole = CartPole::new(CartPoleConfig::v1()).unwrap();
    single_env(c, "cartpole_step", cartpole, |obs| controller(obs));
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

/// Acrobot and Pendulum under a torque that follows the (first) angular velocity; both
/// mountain cars pushing the way the car moves.
fn classic(c: &mut Criterion) {
    let acrobot = Acrobot::new(ClassicConfig::acrobot_v1()).unwrap();
    single_env(
        c,
        "acrobot_step",
        acrobot,
        |obs| if obs[4] < 0.0 { 0 } else { 2 },
    );
    let pendulum = Pendulum::new(PendulumConfig::v1()).unwrap();
    single_env(
        c,
        "pendulum_step",
        pendulum,
        |obs| [obs[2].clamp(-2.0, 2.0)],
    );
    let car = MountainCar::new(ClassicConfig::mountain_car_v0()).unwrap();
    single_env(c, "mountain_car_step", car, |obs| {
        if obs[1] < 0.0 { 0 } else { 2 }
    });
    let car = MountainCarContinuous::new(ClassicConfig::mountain_car_continuous_v0()).unwrap();
    single_env(c, "mountain_car_continuous_step", car, |obs| {
        [obs[1].signum()]
    });
}

criterion_group!(benches, single, vectorized, classic);
criterion_main!(benches);
