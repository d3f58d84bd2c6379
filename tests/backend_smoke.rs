//! The same DQN learning run on every enabled CPU backend: Flex (default) and NdArray
//! (`--no-default-features --features ndarray`).

mod common;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::dqn::{TargetUpdate, TrainFrequency};
use cinder_rl::agents::{Dqn, DqnConfig};
use cinder_rl::nn::MlpConfig;
use cinder_rl::policy::{AnySchedule, Linear};
use cinder_rl::train::{StopRule, TrainConfig, train};
use common::{Corridor, LENGTH};

/// Trains on the corridor and checks that the greedy policy walks right everywhere.
#[allow(dead_code)]
fn learns_the_corridor(device: Device) {
    let network = MlpConfig::new(LENGTH, 3)
        .with_hidden(vec![32])
        .init(&device, 1)
        .unwrap();
    let config = DqnConfig::new()
        .with_learning_rate(1e-3)
        .with_learning_rate_schedule(None)
        .with_reward_scale(1.0)
        .with_train_frequency(TrainFrequency::EverySteps {
            every: 1,
            gradient_steps: 1,
        })
        .with_gamma(0.9)
        .with_learning_starts(100)
        .with_batch_size(32)
        .with_target_update(TargetUpdate::HardEverySteps(100))
        .with_exploration(AnySchedule::Linear(Linear::new(1.0, 0.05, 1_000).unwrap()))
        .with_seed(1);
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
