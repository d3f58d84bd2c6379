//! The same DQN and PPO learning runs on every enabled backend: Flex (default), NdArray
//! (`--no-default-features --features ndarray`), CUDA (`--features cuda`) and wgpu
//! (`--features wgpu`), the last two on a machine with a GPU.

mod common;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::{Dqn, Ppo, PpoConfig};
use cinder_rl::env::{Space, VecEnv};
use cinder_rl::nn::{MlpConfig, PolicyValueMlpConfig};
use cinder_rl::train::{StopRule, TrainConfig, Trainer, train};
use common::{Corridor, LENGTH, dqn_test_config};

/// Trains on the corridor and checks that the greedy policy walks right everywhere.
#[allow(dead_code)]
fn learns_the_corridor(device: Device) {
    let network = MlpConfig::new(LENGTH, 3)
        .with_hidden(vec![32])
        .init(&device, 1)
        .unwrap();
    let config = dqn_test_config().with_gamma(0.9).with_seed(1);
    let mut agent = Dqn::new(config, network, LENGTH, 3, &device).unwrap();
    let run = TrainConfig::new(1)
        .with_max_env_steps(Some(3_000))
        .with_stop(StopRule::Never)
        .with_log_every_episodes(0);
    let summary = train(&mut agent, &mut Corridor::new(), &mut Corridor::new(), run).unwrap();
    assert!(summary.updates > 2_000);
    for position in 0..LENGTH - 1 {
        assert_eq!(
            agent
                .act(&Corridor::observation_of(position), Mode::Exploit)
                .unwrap(),
            2
        );
    }
}

/// PPO over 4 corridors: the greedy policy walks right everywhere.
#[allow(dead_code)]
fn ppo_learns_the_corridor(device: Device) {
    let space = Space::discrete(3);
    let network = PolicyValueMlpConfig::for_space(LENGTH, &space)
        .with_hidden(vec![32])
        .init(&device, 1)
        .unwrap();
    let config = PpoConfig::new()
        .with_num_envs(4)
        .with_n_rollout(32)
        .with_batch_size(64)
        .with_gamma(0.9)
        .with_seed(1);
    let mut agent = Ppo::new(config, network, LENGTH, space, &device).unwrap();
    let run = TrainConfig::new(1)
        .with_max_env_steps(Some(6_000))
        .with_stop(StopRule::Never)
        .with_log_every_episodes(0);
    let mut envs = VecEnv::from_fn(4, |_| Ok(Corridor::new())).unwrap();
    Trainer::new(run)
        .run(&mut agent, &mut envs, &mut Corridor::new())
        .unwrap();
    for position in 0..LENGTH - 1 {
        let action: usize = agent
            .act(&Corridor::observation_of(position), Mode::Exploit)
            .unwrap();
        assert_eq!(action, 2, "cell {position}");
    }
}

#[cfg(feature = "flex")]
#[test]
fn flex_backend_learns() {
    learns_the_corridor(Device::flex());
    ppo_learns_the_corridor(Device::flex());
}

#[cfg(feature = "ndarray")]
#[test]
#[allow(deprecated)]
fn ndarray_backend_learns() {
    learns_the_corridor(Device::ndarray());
    ppo_learns_the_corridor(Device::ndarray());
}

#[cfg(feature = "cuda")]
#[test]
fn cuda_backend_learns() {
    learns_the_corridor(Device::cuda(0));
    ppo_learns_the_corridor(Device::cuda(0));
}

#[cfg(feature = "wgpu")]
#[test]
fn wgpu_backend_learns() {
    let gpu = || Device::wgpu(burn::tensor::DeviceKind::DefaultDevice);
    learns_the_corridor(gpu());
    ppo_learns_the_corridor(gpu());
}
