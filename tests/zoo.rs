//! The zoo runner: its settings files give valid settings for every environment, and the
//! example trains by name, prints the documented summary and refuses what it cannot train.

#[path = "../examples/zoo/hyperparams.rs"]
mod hyperparams;

use std::path::PathBuf;
use std::process::Command;

use cinder_rl::agents::actor_critic::ActorCriticPreset;
use cinder_rl::agents::dqn::DqnPreset;
use cinder_rl::agents::ppo::PpoPreset;
use cinder_rl::agents::sac::SacPreset;
use cinder_rl::agents::td3::Td3Preset;
use cinder_rl::agents::{ActorCritic, Dqn, Ppo, Sac, SacConfig, Td3, Td3Config, config_from_json};
use cinder_rl::env::{ActionShape, Registry};
use cinder_rl::nn::{
    ActorCriticMlpConfig, DuelingConfig, MlpConfig, PolicyHead, PolicyValueMlpConfig,
};
use serde_json::Value;

const DQN: &str = include_str!("../hyperparams/dqn.toml");
const ACTOR_CRITIC: &str = include_str!("../hyperparams/actor_critic.toml");
const PPO: &str = include_str!("../hyperparams/ppo.toml");
const SAC: &str = include_str!("../hyperparams/sac.toml");
const TD3: &str = include_str!("../hyperparams/td3.toml");
const ZOO_SAC: &str = include_str!("../hyperparams/rl-zoo/sac.toml");
const ZOO_TD3: &str = include_str!("../hyperparams/rl-zoo/td3.toml");

#[test]
fn every_continuous_environment_has_valid_sac_and_td3_settings() {
    let registry = Registry::new();
    let device = burn::tensor::Device::flex();
    let zoo_sac = std::env::temp_dir().join(format!("cinder-zoo-sac-{}.toml", std::process::id()));
    let zoo_td3 = std::env::temp_dir().join(format!("cinder-zoo-td3-{}.toml", std::process::id()));
    std::fs::write(&zoo_sac, ZOO_SAC).unwrap();
    std::fs::write(&zoo_td3, ZOO_TD3).unwrap();
    for id in registry.ids() {
        let spec = registry.spec(id).unwrap();
        if spec.action_space.action_shape() == ActionShape::Discrete {
            continue;
        }
        let inputs = spec.observation_space.flat_dim();
        for file in [None, Some(zoo_sac.as_path())] {
            let sac = hyperparams::resolve("sac.toml", SAC, file, id, &[]).unwrap();
            let preset = SacPreset::named(&sac.preset).unwrap();
            let config: SacConfig =
                config_from_json(&sac.agent.to_string(), &preset.config).unwrap();
            let hidden = sac.hidden.clone().unwrap_or(preset.hidden);
            let agent = Sac::with_mlps(config, inputs, spec.action_space.clone(), &hidden, &device);
            assert!(agent.is_ok(), "sac on {id} ({file:?})");
        }
        for file in [None, Some(zoo_td3.as_path())] {
            let td3 = hyperparams::resolve("td3.toml", TD3, file, id, &[]).unwrap();
            let preset = Td3Preset::named(&td3.preset).unwrap();
            let config: Td3Config =
                config_from_json(&td3.agent.to_string(), &preset.config).unwrap();
            let hidden = td3.hidden.clone().unwrap_or(preset.hidden);
            let agent = Td3::with_mlps(config, inputs, spec.action_space.clone(), &hidden, &device);
            assert!(agent.is_ok(), "td3 on {id} ({file:?})");
        }
    }
    // The zoo's published settings arrive as written.
    let pendulum =
        hyperparams::resolve("td3.toml", TD3, Some(&zoo_td3), "Pendulum-v1", &[]).unwrap();
    let preset = Td3Preset::named(&pendulum.preset).unwrap();
    let config: Td3Config = config_from_json(&pendulum.agent.to_string(), &preset.config).unwrap();
    assert_eq!((config.gamma, config.learning_starts), (0.98, 10_000));
    assert_eq!(preset.hidden, [400, 300]);
    let mcc = hyperparams::resolve(
        "sac.toml",
        SAC,
        Some(&zoo_sac),
        "MountainCarContinuous-v0",
        &[],
    )
    .unwrap();
    let preset = SacPreset::named(&mcc.preset).unwrap();
    let config: SacConfig = config_from_json(&mcc.agent.to_string(), &preset.config).unwrap();
    assert_eq!(
        (config.batch_size, config.gamma, config.tau),
        (512, 0.9999, 0.01)
    );
    std::fs::remove_file(zoo_sac).unwrap();
    std::fs::remove_file(zoo_td3).unwrap();
}

#[test]
fn every_environment_has_valid_ppo_settings() {
    let registry = Registry::new();
    let device = burn::tensor::Device::flex();
    for id in registry.ids() {
        let spec = registry.spec(id).unwrap();
        let inputs = spec.observation_space.flat_dim();
        let ppo = hyperparams::resolve("ppo.toml", PPO, None, id, &[]).unwrap();
        let preset = PpoPreset::named(&ppo.preset).unwrap();
        let config = config_from_json(&ppo.agent.to_string(), &preset.config).unwrap();
        let network = PolicyValueMlpConfig::for_space(inputs, &spec.action_space)
            .with_hidden(ppo.hidden.clone().unwrap_or(preset.hidden))
            .with_activation(preset.activation)
            .init(&device, 0)
            .unwrap();
        let agent = Ppo::new(config, network, inputs, spec.action_space.clone(), &device);
        assert!(agent.is_ok(), "ppo on {id}");
    }
    let pendulum = hyperparams::resolve("ppo.toml", PPO, None, "Pendulum-v1", &[]).unwrap();
    let preset = PpoPreset::named(&pendulum.preset).unwrap();
    let config = config_from_json(&pendulum.agent.to_string(), &preset.config).unwrap();
    assert_eq!(config.learning_rate_at(0), 1e-3);
    assert_eq!(config.learning_rate_at(100_000), 1e-5);
}

#[test]
fn every_discrete_environment_has_valid_settings_for_each_algorithm() {
    let registry = Registry::new();
    let device = burn::tensor::Device::flex();
    for id in registry.ids() {
        let spec = registry.spec(id).unwrap();
        if spec.action_space.action_shape() != ActionShape::Discrete {
            continue;
        }
        let (inputs, actions) = (
            spec.observation_space.flat_dim(),
            spec.action_space.n().unwrap(),
        );

        let dqn = hyperparams::resolve("dqn.toml", DQN, None, id, &[]).unwrap();
        let preset = DqnPreset::named(&dqn.preset).unwrap();
        let config = config_from_json(&dqn.agent.to_string(), &preset.config).unwrap();
        let hidden = dqn.hidden.clone().unwrap_or(preset.hidden);
        let built = if preset.dueling {
            let network = DuelingConfig::new(inputs, *hidden.last().unwrap(), actions)
                .with_stream_hidden(vec![])
                .mlp(&hidden, &device, 0)
                .unwrap();
            Dqn::new(config, network, inputs, actions, &device).map(|_| ())
        } else {
            let network = MlpConfig::new(inputs, actions)
                .with_hidden(hidden)
                .init(&device, 0)
                .unwrap();
            Dqn::new(config, network, inputs, actions, &device).map(|_| ())
        };
        assert!(built.is_ok(), "dqn on {id}: {built:?}");

        let a2c = hyperparams::resolve("actor_critic.toml", ACTOR_CRITIC, None, id, &[]).unwrap();
        let preset = ActorCriticPreset::named(&a2c.preset).unwrap();
        let config = config_from_json(&a2c.agent.to_string(), &preset.config).unwrap();
        let hidden = a2c.hidden.clone().unwrap_or(preset.hidden);
        let built = if preset.separate {
            let head = PolicyHead::Categorical { n_actions: actions };
            let network = PolicyValueMlpConfig::new(inputs, head)
                .with_hidden(hidden)
                .init(&device, 0)
                .unwrap();
            ActorCritic::new(config, network, inputs, actions, &device).is_ok()
        } else {
            let network = ActorCriticMlpConfig::new(inputs, actions)
                .with_hidden(hidden)
                .init(&device, 0)
                .unwrap();
            ActorCritic::new(config, network, inputs, actions, &device).is_ok()
        };
        assert!(built, "actor-critic on {id}");
    }
    // The zoo's published settings arrive as written.
    let acrobot = hyperparams::resolve("dqn.toml", DQN, None, "Acrobot-v1", &[]).unwrap();
    let preset = DqnPreset::named(&acrobot.preset).unwrap();
    let config = config_from_json(&acrobot.agent.to_string(), &preset.config).unwrap();
    assert_eq!(
        (config.learning_rate, config.batch_size, config.gamma),
        (6.3e-4, 128, 0.99)
    );
    assert_eq!(acrobot.hidden, Some(vec![256, 256]));
    assert_eq!(acrobot.max_env_steps, 100_000);
}

/// The zoo example, built by `cargo test` beside this test's own executable.
fn zoo() -> Command {
    let mut dir = std::env::current_exe().unwrap();
    dir.pop(); // the test executable
    dir.pop(); // deps
    let exe = dir
        .join("examples")
        .join(format!("zoo{}", std::env::consts::EXE_SUFFIX));
    assert!(exe.is_file(), "{} is not built", exe.display());
    Command::new(exe)
}

/// The JSON summary (the last line of stdout) of a zoo run that must have succeeded.
fn summary_of(output: std::process::Output) -> Value {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cinder-zoo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_zoo_trains_by_name_and_prints_the_documented_summary() {
    let out = scratch("run");
    let output = zoo()
        .args(["--algo", "a2c", "--env", "CartPole-v1", "--seed", "1"])
        .args([
            "--max-env-steps",
            "4000",
            "--eval-episodes",
            "2",
            "--set",
            "agent.num_envs=4",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let summary = summary_of(output);
    for field in [
        "algorithm",
        "env",
        "seed",
        "solved",
        "solved_at_env_steps",
        "solved_at_wall_s",
        "env_steps",
        "wall_s",
        "mean_return_100",
        "eval_mean_return",
        "solve_window",
        "solve_threshold",
    ] {
        assert!(summary.get(field).is_some(), "no `{field}` in {summary}");
    }
    assert_eq!(summary["algorithm"], "actor-critic");
    assert_eq!(summary["env"], "CartPole-v1");
    assert_eq!(summary["seed"], 1);
    assert_eq!(summary["env_steps"], 4000);
    assert_eq!(summary["solve_window"], 100);
    assert_eq!(summary["solve_threshold"], 475.0);
    // The --set reached the agent: the saved identity holds 4 environments.
    let identity: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(identity["agent_config"]["num_envs"], 4, "{identity}");
    for file in [
        "metrics.csv",
        "agent.cinder",
        "checkpoint.cinder",
        "episode.gif",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
    // The same --out again is refused, and the run is left as it was.
    let again = zoo()
        .args([
            "--algo",
            "a2c",
            "--env",
            "CartPole-v1",
            "--max-env-steps",
            "100",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(out.join("agent.cinder").is_file());
    // Resuming it as another algorithm's run is refused by name.
    let other = zoo()
        .args([
            "--algo",
            "dqn",
            "--env",
            "CartPole-v1",
            "--max-env-steps",
            "8000",
        ])
        .arg("--resume")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert!(
        stderr.contains("run of actor-critic on CartPole-v1"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn the_zoo_trains_ppo_on_box_actions() {
    let out = scratch("ppo");
    let output = zoo()
        .args(["--algo", "ppo", "--env", "Pendulum-v1", "--seed", "2"])
        .args(["--max-env-steps", "4000", "--eval-episodes", "2"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let summary = summary_of(output);
    assert_eq!(summary["algorithm"], "ppo");
    // 8 copies of 500 steps each: two 200-step episodes apiece.
    assert_eq!(summary["episodes"], 16);
    assert_eq!(summary["solve_window"], 10);
    assert!(summary["metrics"]["approx_kl"].is_number(), "{summary}");
    assert!(summary["reloaded_eval_mean_return"].as_f64().unwrap() < 0.0);
    assert!(out.join("agent.cinder").is_file());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn the_zoo_trains_sac_and_td3() {
    for algo in ["sac", "td3"] {
        let out = scratch(algo);
        let output = zoo()
            .args(["--algo", algo, "--env", "Pendulum-v1", "--seed", "2"])
            .args([
                "--max-env-steps",
                "600",
                "--eval-episodes",
                "1",
                "--hidden",
                "16",
            ])
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let summary = summary_of(output);
        assert_eq!(summary["algorithm"], algo);
        assert_eq!(summary["episodes"], 3);
        // One update per step from the 256th, when the memory first holds a batch (the
        // first 100 steps are random); SAC's Pendulum settings store 3-step returns, each
        // two steps after its first step, so its memory holds a batch two steps later.
        let expected = if algo == "sac" { 343 } else { 345 };
        assert_eq!(summary["updates"], expected);
        assert!(summary["metrics"]["q1_loss"].is_number(), "{summary}");
        assert!(out.join("agent.cinder").is_file());
        std::fs::remove_dir_all(&out).unwrap();
    }
}

#[test]
fn the_zoo_trains_rainbow_dqn_over_copies() {
    let out = scratch("dqn-copies");
    let output = zoo()
        .args(["--algo", "dqn", "--env", "CartPole-v1", "--seed", "3"])
        .args(["--set", "n_envs=3", "--set", "agent.learning_starts=100"])
        .args(["--max-env-steps", "600", "--eval-episodes", "1"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let summary = summary_of(output);
    assert_eq!(summary["preset"], "rainbow");
    assert_eq!(summary["env_steps"], 600);
    // One update per environment step once the memory holds 100 transitions: with 3-step
    // returns each copy holds back its last two until its episode ends, so that is a few
    // steps after the 100th (the run is seeded: 497 updates, not 501).
    assert_eq!(summary["updates"], 497);
    assert!(out.join("agent.cinder").is_file());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn the_zoo_refuses_what_it_cannot_train_with_a_message() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["--algo", "ppo", "--env", "CartPole-v1", "--set", "n_envs=4"],
            "agent.num_envs",
        ),
        (
            &["--algo", "sac", "--env", "CartPole-v1"],
            "continuous actions",
        ),
        (
            &["--algo", "dqn", "--env", "Pendulum-v1"],
            "discrete actions",
        ),
        (&["--algo", "dqn", "--env", "Pendulum-v9"], "Pendulum-v1"),
        (
            &[
                "--algo",
                "dqn",
                "--env",
                "Acrobot-v1",
                "--set",
                "agent.gama=0.9",
            ],
            "gama",
        ),
        (
            &[
                "--algo",
                "dqn",
                "--env",
                "Acrobot-v1",
                "--set",
                "preset=\"nope\"",
            ],
            "nope",
        ),
    ];
    for (args, message) in cases {
        let out = scratch("refused");
        let output = zoo().args(args).arg("--out").arg(&out).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} left {}", out.display());
    }
}
