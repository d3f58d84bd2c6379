//! Files saved by the crate before its run directory and trainer changes (format 2 archives,
//! in `tests/data/saved_0_1`) still load: agents act as they did when saved, and checkpoints
//! resume.

mod common;

use std::path::{Path, PathBuf};

use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::{ActorCritic, ActorCriticConfig, Dqn};
use cinder_rl::env::VecEnv;
use cinder_rl::nn::{ActorCriticMlp, Mlp};
use cinder_rl::train::Trainer;
use common::{budget_run, cartpole, cartpole_actor_critic, cartpole_dqn, dqn_test_config};

fn saved(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/saved_0_1")
        .join(name)
}

/// The agents the files were saved from, before training.
fn dqn() -> Dqn<Mlp> {
    let config = dqn_test_config()
        .with_replay_capacity(400)
        .with_learning_starts(100)
        .with_seed(5);
    cartpole_dqn(16, config)
}

fn a2c() -> ActorCritic<ActorCriticMlp> {
    cartpole_actor_critic(
        16,
        6,
        ActorCriticConfig::new().with_num_envs(2).with_seed(6),
    )
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
    // The loaded weights, through the tensors, to the bit (the agent itself computes its
    // values on the host, in another order: to float rounding).
    let network = agent.q_values().network().clone();
    let tensors = cinder_rl::agents::dqn::QValues::new(network, 4, 2, burn::tensor::Device::flex());
    let values = tensors.values(&PROBE).unwrap();
    assert_eq!(bits(&values), expected("dqn_q"));
    for (host, tensor) in agent.q_values().values(&PROBE).unwrap().iter().zip(&values) {
        assert!((host - tensor).abs() <= 1e-6 * tensor.abs().max(1.0));
    }
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
    let config = budget_run(11, 400);
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
