//! Sizes and values that cannot be served are typed errors, never aborts or panics: huge
//! allocations asked for through settings or read from files, crafted but checksum-valid
//! states, out-of-range settings, and config files with typos or omissions.

mod common;

use burn::store::burn_pack::{Reader, Writer};
use burn::tensor::{Bytes, Device};
use cinder_rl::agent::Checkpoint;
use cinder_rl::agents::actor_critic::{MAX_ENVS, MAX_ROLLOUT};
use cinder_rl::agents::{ActorCriticConfig, Dqn, DqnConfig, MAX_LEARNING_RATE, config_from_json};
use cinder_rl::archive::Archive;
use cinder_rl::env::{CartPole, VecEnv};
use cinder_rl::error::{AgentError, Error, MemoryError};
use cinder_rl::memory::{ReplayMemory, Transition, UniformReplay};
use cinder_rl::nn::{ActorCriticMlpConfig, MlpConfig};
use cinder_rl::train::{MAX_WINDOW, StopRule, TrainConfig, Trainer};
use common::{budget_run, cartpole, cartpole_actor_critic, dqn_test_config, explore_step};

fn small_dqn(config: DqnConfig) -> Result<Dqn<cinder_rl::nn::Mlp>, AgentError> {
    let device = Device::flex();
    let network = MlpConfig::new(4, 2)
        .with_hidden(vec![8])
        .init(&device, 1)
        .unwrap();
    Dqn::new(config, network, 4, 2, &device)
}

#[test]
fn a_replay_memory_too_large_for_the_machine_is_an_error_that_says_its_size() {
    let transitions = 100_000_000_000usize;
    let result = UniformReplay::new(transitions, 4);
    assert_eq!(
        result.unwrap_err(),
        MemoryError::TooLarge {
            what: "replay memory",
            bytes: transitions as u128 * 52
        }
    );
    let agent = small_dqn(dqn_test_config().with_replay_capacity(transitions));
    assert!(
        matches!(agent, Err(AgentError::Memory(MemoryError::TooLarge { .. }))),
        "{:?}",
        agent.err()
    );
}

#[test]
fn replay_bytes_are_checked_before_anything_is_allocated() {
    let mut memory = UniformReplay::new(8, 2).unwrap();
    let t = Transition {
        observation: [0.5f32, -0.5],
        action: 1,
        reward: 1.0,
        next_observation: [0.25f32, 0.75],
        terminated: false,
        truncated: true,
    };
    for _ in 0..5 {
        memory.push(&t).unwrap();
    }
    let good = memory.to_bytes();
    assert_eq!(
        UniformReplay::from_bytes(&good).unwrap().get::<usize>(4),
        memory.get::<usize>(4)
    );

    let with_word = |index: usize, value: u64| {
        let mut bytes = good.clone();
        bytes[index * 8..index * 8 + 8].copy_from_slice(&value.to_le_bytes());
        bytes
    };
    // A crafted capacity of 2^40 (a terabyte of arrays) with the bytes of 8.
    for bytes in [
        with_word(0, 1 << 40),
        with_word(0, u64::MAX),
        with_word(1, u64::MAX / 2),
        with_word(2, 9),
        with_word(3, 7),
    ] {
        assert!(matches!(
            UniformReplay::from_bytes(&bytes),
            Err(MemoryError::Corrupt(_))
        ));
    }
    // Values a memory never holds.
    let header = 48;
    let rewards = header + 2 * 8 * 2 * 4;
    let actions = rewards + 3 * 8 * 4;
    let corrupt = |at: usize, value: &[u8]| {
        let mut bytes = good.clone();
        bytes[at..at + value.len()].copy_from_slice(value);
        UniformReplay::from_bytes(&bytes)
    };
    for result in [
        corrupt(header, &f32::NAN.to_le_bytes()),
        corrupt(rewards, &f32::INFINITY.to_le_bytes()),
        corrupt(rewards + 8 * 4, &2.0f32.to_le_bytes()),
        corrupt(actions, &(-1i64).to_le_bytes()),
    ] {
        assert!(matches!(result, Err(MemoryError::Corrupt(_))), "{result:?}");
    }
}

/// A DQN agent's training state after some learning, to craft.
fn trained_dqn_state() -> Vec<u8> {
    let mut agent = small_dqn(dqn_test_config().with_learning_starts(100)).unwrap();
    Trainer::new(budget_run(3, 300))
        .run(&mut agent, &mut cartpole(), &mut cartpole())
        .unwrap();
    agent.training_state().unwrap()
}

fn with_entry(state: &[u8], name: &str, data: Vec<u8>) -> Vec<u8> {
    let mut archive = Archive::decode(state).unwrap();
    archive.put(name, data);
    archive.encode()
}

#[test]
fn crafted_training_states_with_valid_checksums_are_errors_not_panics() {
    let state = trained_dqn_state();
    let archive = Archive::decode(&state).unwrap();
    let mut fresh = small_dqn(dqn_test_config()).unwrap();
    fresh.restore_training_state(&state).unwrap();

    // Another agent's optimizer state: other parameters, so it would silently reset Adam.
    let other = trained_dqn_state();
    let foreign = Archive::decode(&other).unwrap();
    let swapped = with_entry(
        &state,
        "optimizer",
        foreign.get("optimizer").unwrap().to_vec(),
    );
    // Replayed actions outside 0..2, beyond i32, negative.
    let replay = archive.get("replay").unwrap();
    let actions_at = replay.len() - 8 * 5_000;
    let action = |value: i64| {
        let mut bytes = replay.to_vec();
        bytes[actions_at..actions_at + 8].copy_from_slice(&value.to_le_bytes());
        with_entry(&state, "replay", bytes)
    };
    // Counters near 2^64.
    let mut progress: serde_json::Value =
        serde_json::from_slice(archive.get("progress").unwrap()).unwrap();
    progress["updates"] = (u64::MAX - 1).into();
    let counters = with_entry(&state, "progress", serde_json::to_vec(&progress).unwrap());
    // Optimizer moments without their parameter ids (Burn itself panics on them).
    let optimizer = archive.get("optimizer").unwrap();
    let reader = Reader::from_bytes(Bytes::from_bytes_vec(optimizer.to_vec())).unwrap();
    let (scalars, metadata) = (reader.scalars().clone(), reader.metadata().clone());
    let mut tensors = reader.into_tensors().unwrap();
    assert!(!tensors.is_empty(), "the optimizer has moments");
    tensors.iter_mut().for_each(|t| t.param_id = None);
    let mut writer = Writer::new(tensors);
    for (key, value) in &scalars {
        writer = writer.with_scalar(key, *value);
    }
    for (key, value) in &metadata {
        writer = writer.with_metadata(key, value);
    }
    let no_ids = with_entry(&state, "optimizer", writer.into_bytes().unwrap().to_vec());
    // An optimizer entry of random bytes.
    let garbage = with_entry(&state, "optimizer", vec![7; 300]);

    for (name, crafted) in [
        ("foreign optimizer", swapped),
        ("action 2", action(2)),
        ("action beyond i32", action(1 << 40)),
        ("negative action", action(-3)),
        ("huge counter", counters),
        ("garbage optimizer", garbage),
        ("optimizer without parameter ids", no_ids),
    ] {
        let mut agent = small_dqn(dqn_test_config()).unwrap();
        let before = agent.training_state().unwrap();
        let result = agent.restore_training_state(&crafted);
        assert!(result.is_err(), "{name} was accepted");
        assert_eq!(
            agent.training_state().unwrap(),
            before,
            "{name} changed the agent"
        );
    }
}

#[test]
fn crafted_rollouts_are_errors_not_panics() {
    let agent = || {
        let config = ActorCriticConfig::new().with_num_envs(1).with_n_rollout(10);
        cartpole_actor_critic(8, 2, config)
    };
    let mut trained = agent();
    let mut env = cartpole();
    let mut observation = cinder_rl::env::Environment::reset(&mut env, Some(1));
    for _ in 0..13 {
        observation = explore_step(&mut trained, &mut env, observation).1;
    }
    let state = trained.training_state().unwrap();
    let archive = Archive::decode(&state).unwrap();
    let progress: serde_json::Value =
        serde_json::from_slice(archive.get("progress").unwrap()).unwrap();
    assert_eq!(progress["rollout"]["steps"], 3);
    let crafted = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut progress = progress.clone();
        edit(&mut progress);
        with_entry(&state, "progress", serde_json::to_vec(&progress).unwrap())
    };
    for (name, state) in [
        (
            "action 5",
            crafted(&|p| p["rollout"]["actions"][0] = 5.into()),
        ),
        (
            "step count beyond the data",
            crafted(&|p| p["rollout"]["steps"] = 9.into()),
        ),
        (
            "a full rollout",
            crafted(&|p| p["rollout"]["steps"] = 10.into()),
        ),
        (
            "missing rewards",
            crafted(&|p| p["rollout"]["rewards"] = serde_json::json!([])),
        ),
        (
            "other copies",
            crafted(&|p| p["rollout"]["num_envs"] = 2.into()),
        ),
        (
            "huge counter",
            crafted(&|p| p["env_steps"] = u64::MAX.into()),
        ),
    ] {
        let mut fresh = agent();
        assert!(
            fresh.restore_training_state(&state).is_err(),
            "{name} was accepted"
        );
    }
    agent().restore_training_state(&state).unwrap();
}

#[test]
fn settings_that_would_exhaust_memory_are_refused_before_allocating() {
    let device = Device::flex();
    let invalid = |result: Result<(), AgentError>| {
        assert!(
            matches!(result, Err(AgentError::InvalidConfig { .. })),
            "{result:?}"
        )
    };
    invalid(
        MlpConfig::new(4, 2)
            .with_hidden(vec![1_000_000_000])
            .init(&device, 0)
            .map(drop),
    );
    invalid(
        MlpConfig::new(4, 2)
            .with_hidden(vec![100_000, 100_000])
            .init(&device, 0)
            .map(drop),
    );
    invalid(
        ActorCriticMlpConfig::new(4, 2)
            .with_hidden(vec![usize::MAX / 2])
            .init(&device, 0)
            .map(drop),
    );
    for config in [
        ActorCriticConfig::new().with_num_envs(MAX_ENVS + 1),
        ActorCriticConfig::new().with_n_rollout(MAX_ROLLOUT + 1),
        ActorCriticConfig::new().with_learning_rate(1e30),
    ] {
        invalid(config.validate());
    }
    invalid(
        dqn_test_config()
            .with_learning_rate(MAX_LEARNING_RATE * 2.0)
            .validate(),
    );
    let vec_env = VecEnv::from_fn(1 << 40, |_| -> Result<CartPole, _> {
        unreachable!("no copy is built")
    });
    assert!(vec_env.is_err());

    let mut agent = small_dqn(dqn_test_config()).unwrap();
    for config in [
        TrainConfig::new(0).with_stop(StopRule::MeanReturn {
            window: 1_000_000_000_000_000,
            threshold: None,
        }),
        TrainConfig::new(0).with_stop(StopRule::ConsecutiveSuccesses {
            count: MAX_WINDOW + 1,
            threshold: None,
        }),
        TrainConfig::new(0).with_eval_episodes(1 << 50),
    ] {
        let result = Trainer::new(config).run(&mut agent, &mut cartpole(), &mut cartpole());
        assert!(
            matches!(result, Err(Error::Agent(AgentError::InvalidConfig { .. }))),
            "{result:?}"
        );
    }
}

#[test]
fn config_files_are_read_strictly_with_the_builders_defaults() {
    // Only what has no default given: the builder's config.
    let empty: DqnConfig = config_from_json("{}", &DqnConfig::new()).unwrap();
    assert_eq!(
        serde_json::to_value(&empty).unwrap(),
        serde_json::to_value(DqnConfig::new()).unwrap()
    );
    // An omitted optional field keeps its default (a learning-rate decay), not none.
    let partial: DqnConfig = config_from_json(r#"{"gamma": 0.9}"#, &DqnConfig::new()).unwrap();
    assert_eq!(partial.gamma, 0.9);
    assert!(partial.learning_rate_schedule.is_some());
    assert_eq!(partial.max_grad_norm, Some(10.0));
    // An explicit null still means none.
    let none: DqnConfig =
        config_from_json(r#"{"max_grad_norm": null}"#, &DqnConfig::new()).unwrap();
    assert_eq!(none.max_grad_norm, None);
    // Every key written back reads the same.
    let json = serde_json::to_string(&partial).unwrap();
    let again: DqnConfig = config_from_json(&json, &DqnConfig::new()).unwrap();
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        serde_json::to_value(&partial).unwrap()
    );
    // Typos are named, at the top and inside settings.
    for (text, typo) in [
        (r#"{"learnig_rate": 0.1}"#, "learnig_rate"),
        (
            r#"{"optimizer": {"Adam": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8, "betas": 1}}}"#,
            "betas",
        ),
        (
            r#"{"train_frequency": {"EverySteps": {"every": 1, "gradient_step": 1}}}"#,
            "gradient_step",
        ),
    ] {
        let error = config_from_json::<DqnConfig>(text, &DqnConfig::new()).unwrap_err();
        assert!(error.contains(typo), "{error}");
    }
    assert!(config_from_json::<DqnConfig>("[1, 2]", &DqnConfig::new()).is_err());
    assert!(config_from_json::<DqnConfig>(r#"{"gamma": "high"}"#, &DqnConfig::new()).is_err());
    let ac: ActorCriticConfig = config_from_json("{}", &ActorCriticConfig::new()).unwrap();
    assert_eq!(ac.num_envs, ActorCriticConfig::new().num_envs);
}

#[test]
fn a_replay_with_a_few_transitions_still_learns_after_a_round_trip() {
    let state = trained_dqn_state();
    let mut agent = small_dqn(dqn_test_config()).unwrap();
    agent.restore_training_state(&state).unwrap();
    assert!(agent.memory().len() >= 100);
    agent.learn().unwrap();
}
