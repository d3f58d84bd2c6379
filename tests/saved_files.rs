//! Files saved by the crate before its run directory and trainer changes (format 2 archives,
//! in `tests/data/saved_0_1`) still load: agents act as they did when saved, and checkpoints
//! resume.

mod common;

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::{ActorCritic, ActorCriticConfig, Dqn};
use cinder_rl::env::VecEnv;
use cinder_rl::nn::{ActorCriticMlp, ActorCriticMlpConfig, Mlp, MlpConfig};
use cinder_rl::train::{StopRule, TrainConfig, Trainer};
use common::{cartpole, dqn_test_config};

fn saved(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/saved_0_1")
        .join(name)
}

/// The agents the files were saved from, before training.
fn dqn() -> Dqn<Mlp> {
    let device = Device::flex();
    let network = MlpConfig::new(4, 2)
        .with_hidden(vec![16])
        .init(&device, 5)
        .unwrap();
    let config = dqn_test_config()
        .with_replay_capacity(400)
        .with_learning_starts(100)
        .with_seed(5);
    Dqn::new(config, network, 4, 2, &device).unwrap()
}

fn a2c() -> ActorCritic<ActorCriticMlp> {
    let device = Device::flex();
    let network = ActorCriticMlpConfig::new(4, 2)
        .with_hidden(vec![16])
        .init(&device, 6)
        .unwrap();
    let config = ActorCriticConfig::new().with_num_envs(2).with_seed(6);
    ActorCritic::new(config, network, 4, 2, &device).unwrap()
}

fn expected(key: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(saved("expected.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).unwrap()[key].clone()
}

fn bits(values: &[f32]) -> serde_json::Value {
    values
        .iter()
        .map(|v| v.to_bits())
        .collect::<Vec<_>>()
        .into()
}

const PROBE: [f32; 4] = [0.02, -0.1, 0.03, 0.2];

#[test]
fn saved_agents_load_and_act_as_they_did() {
    let mut agent = dqn();
    agent.load(&saved("dqn_agent.cinder")).unwrap();
    assert_eq!(
        bits(&agent.q_values().values(&PROBE).unwrap()),
        expected("dqn_q")
    );
    assert!(agent.act(&PROBE, Mode::Exploit).unwrap() < 2);

    let mut agent = a2c();
    agent.load(&saved("a2c_agent.cinder")).unwrap();
    assert_eq!(
        bits(&agent.action_probabilities(&PROBE).unwrap()),
        expected("a2c_probabilities")
    );
}

#[test]
fn saved_checkpoints_resume() {
    let config = TrainConfig::new(11)
        .with_max_env_steps(Some(400))
        .with_stop(StopRule::Never)
        .with_log_every_episodes(0)
        .with_eval_episodes(0);
    let mut agent = dqn();
    let summary = Trainer::new(config.clone())
        .resume_from(saved("dqn_checkpoint.cinder"))
        .run(&mut agent, &mut cartpole(), &mut cartpole())
        .unwrap();
    assert_eq!(summary.env_steps, 400);
    // 201 updates by step 300, one a step after.
    assert_eq!(expected("dqn_updates"), 201);
    assert_eq!(summary.updates, 301);

    let mut agent = a2c();
    let mut envs = VecEnv::from_fn(2, |_| Ok(cartpole())).unwrap();
    let summary = Trainer::new(config)
        .resume_from(saved("a2c_checkpoint.cinder"))
        .run(&mut agent, &mut envs, &mut cartpole())
        .unwrap();
    assert_eq!(summary.env_steps, 400);
    assert_eq!(expected("a2c_updates"), 30);
    assert_eq!(summary.updates, 40);
}
