//! Train PPO on Pendulum-v1 (a torque in [-2, 2]) until the mean return of the last 10
//! episodes reaches -200, save the agent, reload it and evaluate it deterministically (the
//! Gaussian's mean, clipped to the box).
//!
//! ```text
//! cargo run --release --example pendulum_ppo -- [--seed N] [--max-env-steps N]
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
use cinder_rl::env::{Environment, Pendulum, PendulumConfig, VecEnv};
use cinder_rl::nn::PolicyValueMlpConfig;
use cinder_rl::rng::derive_seed;
use cinder_rl::train::StopRule;
use clap::Parser;
use common::{HiddenFlag, RunFlags, unknown_preset};

/// Gymnasium gives Pendulum-v1 no reward threshold; a mean of -200 over 10 episodes of 200
/// steps is the usual bar for a policy that swings the pendulum up and holds it.
const THRESHOLD: f64 = -200.0;

/// Train PPO on Pendulum-v1 until the mean return of the last 10 episodes reaches -200, save
/// the agent, reload it and evaluate it deterministically.
///
/// Presets: fast (default here: 8 environments, normalised observations and rewards, ReLU
/// networks), default (the same with tanh networks), sb3 (Stable-Baselines3's PPO defaults).
#[derive(Parser, Debug)]
#[command(name = "pendulum_ppo")]
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
    let mut eval_env = Pendulum::new(PendulumConfig::v1())?;
    let (inputs, actions) = (3, eval_env.action_space());
    let network_config = PolicyValueMlpConfig::for_space(inputs, &actions)
        .with_hidden(hidden.clone())
        .with_activation(preset.activation);

    let device = Device::flex();
    let network = network_config.init(&device, derive_seed(plan.seed, 2))?;
    let mut agent = Ppo::new(config.clone(), network, inputs, actions.clone(), &device)?;

    let stop = StopRule::MeanReturn {
        window: 10,
        threshold: Some(THRESHOLD),
    };
    let train_config = cli
        .run
        .train_config(&plan, 200_000, stop)
        .with_names("ppo", "Pendulum-v1");
    let identity = RunIdentity::new("ppo", "Pendulum-v1", preset.name, plan.seed)
        .with_agent_config(&config)
        .with_network(&hidden)
        .with_train(&train_config);
    let run = cli.run.open("pendulum_ppo", identity)?;
    eprintln!("preset {}: {}", preset.name, preset.description);
    let mut trainer = run.trainer(train_config, cli.run.checkpoint_every);
    let summary = if config.num_envs == 1 {
        let mut env = Pendulum::new(PendulumConfig::v1())?;
        trainer.run(&mut agent, &mut env, &mut eval_env)?
    } else {
        let mut envs = VecEnv::from_fn(config.num_envs, |_| Pendulum::new(PendulumConfig::v1()))?;
        trainer.run(&mut agent, &mut envs, &mut eval_env)?
    };

    let reloaded = Ppo::new(
        config,
        network_config.init(&device, 0)?,
        inputs,
        actions,
        &device,
    )?;
    cli.run
        .finish(&summary, &run, &agent, reloaded, &mut eval_env, &[])
}
