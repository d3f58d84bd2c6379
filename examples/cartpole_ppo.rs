//! Train PPO on CartPole-v1 until solved, save the agent, reload it and evaluate it greedily.
//! The `fast` preset (the default here) collects rollouts over 8 environments with ReLU
//! networks; `--preset default` uses tanh networks, `--preset sb3` runs Stable-Baselines3's
//! PPO defaults (one environment, 2048-step rollouts, tanh networks).
//!
//! ```text
//! cargo run --release --example cartpole_ppo -- [--seed N] [--max-env-steps N]
//!     [--max-episodes N] [--out DIR [--overwrite]] [--preset fast|default|sb3] [--eval-episodes N]
//!     [--config FILE.json] [--hidden 64,64] [--checkpoint-every N] [--resume DIR] [--no-stop]
//! ```
//! Progress goes to stderr; the last line on stdout is a JSON summary.

#[path = "common/mod.rs"]
mod common;

use burn::tensor::Device;
use cinder_rl::agents::Ppo;
use cinder_rl::agents::ppo::PpoPreset;
use cinder_rl::artifacts::RunIdentity;
use cinder_rl::env::{CartPole, CartPoleConfig, Environment, VecEnv};
use cinder_rl::nn::PolicyValueMlpConfig;
use cinder_rl::rng::derive_seed;
use cinder_rl::train::StopRule;
use clap::Parser;
use common::{HiddenFlag, RunFlags, unknown_preset};

/// Train PPO on CartPole-v1 until solved, save the agent, reload it and evaluate it greedily.
///
/// Presets: fast (default here: 8 environments, normalised observations and rewards, ReLU
/// networks), default (the same with tanh networks), sb3 (Stable-Baselines3's PPO defaults).
#[derive(Parser, Debug)]
#[command(name = "cartpole_ppo")]
struct Cli {
    #[command(flatten)]
    run: RunFlags,
    #[command(flatten)]
    hidden: HiddenFlag,
}

fn main() -> std::process::ExitCode {
    common::exit_on_error(train)
}

fn train() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let plan = cli.run.plan("fast")?;
    let preset = PpoPreset::named(&plan.preset)
        .ok_or_else(|| unknown_preset(&plan.preset, PpoPreset::all().iter().map(|p| p.name)))?;
    let config = cli
        .run
        .agent_config(&plan, preset.config.clone())?
        .with_seed(plan.seed);
    let hidden = cli.run.hidden(&cli.hidden, &plan, &preset.hidden);
    let mut eval_env = CartPole::new(CartPoleConfig::v1())?;
    let actions = eval_env.action_space();
    let network_config = PolicyValueMlpConfig::for_space(4, &actions)
        .with_hidden(hidden.clone())
        .with_activation(preset.activation);

    let device = Device::flex();
    let network = network_config.init(&device, derive_seed(plan.seed, 2))?;
    let mut agent = Ppo::new(config.clone(), network, 4, actions.clone(), &device)?;

    let train_config = cli
        .run
        .train_config(&plan, 1_000_000, StopRule::solved())
        .with_names("ppo", "CartPole-v1");
    let identity = RunIdentity::new("ppo", "CartPole-v1", preset.name, plan.seed)
        .with_agent_config(&config)
        .with_network(&hidden)
        .with_train(&train_config);
    let run = cli.run.open("cartpole_ppo", identity)?;
    eprintln!("preset {}: {}", preset.name, preset.description);
    let mut trainer = run.trainer(train_config, cli.run.checkpoint_every);
    let summary = if config.num_envs == 1 {
        let mut env = CartPole::new(CartPoleConfig::v1())?;
        trainer.run(&mut agent, &mut env, &mut eval_env)?
    } else {
        let mut envs = VecEnv::from_fn(config.num_envs, |_| CartPole::new(CartPoleConfig::v1()))?;
        trainer.run(&mut agent, &mut envs, &mut eval_env)?
    };

    let reloaded = Ppo::new(
        config,
        network_config.init(&device, 0)?,
        4,
        actions,
        &device,
    )?;
    cli.run
        .finish(&summary, &run, &agent, reloaded, &mut eval_env, &[])
}
