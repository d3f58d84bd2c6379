//! The same DQN learning run on every enabled CPU backend: Flex (default) and NdArray
//! (`--no-default-features --features ndarray`).

mod common;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::Dqn;
use cinder_rl::nn::MlpConfig;
use cinder_rl::train::{StopRule, TrainConfig, train};
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

#[cfg(feature = "flex")]
#[test]
fn flex_backend_learns() {
    learns_the_corridor(Device::flex());
}

#[cfg(feature = "ndarray")]
#[test]
fn ndarray_backend_learns() {
    learns_the_corridor(Device::ndarray());
}
