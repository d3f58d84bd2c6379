//! Train SAC on Pendulum-v1 (a torque in [-2, 2]) until the mean return of the last 10
//! episodes reaches -200, save the agent, reload it and evaluate it deterministically (the
//! squashed mean of its Gaussian).
//!
//! ```text
//! cargo run --release --example pendulum_sac -- [--seed N] [--max-env-steps N]
//!     [--max-episodes N] [--out DIR [--overwrite]] [--preset default|sb3] [--eval-episodes N]
//!     [--config FILE.json] [--hidden 64,64] [--checkpoint-every N] [--resume DIR] [--no-stop]
//! ```
//! Progress goes to stderr; the last line on stdout is a JSON summary.

#[path = "common/mod.rs"]
mod common;

use burn::tensor::Device;
use cinder_rl::agents::Sac;
use cinder_rl::agents::sac::SacPreset;
use cinder_rl::artifacts::RunIdentity;
use cinder_rl::env::{Environment, Pendulum, PendulumConfig};
use cinder_rl::train::StopRule;
use clap::Parser;
use common::{HiddenFlag, RunFlags, unknown_preset};

/// Gymnasium gives Pendulum-v1 no reward threshold; a mean of -200 over 10 episodes of 200
/// steps is the usual bar for a policy that swings the pendulum up and holds it.
const THRESHOLD: f64 = -200.0;

/// Train SAC on Pendulum-v1 until the mean return of the last 10 episodes reaches -200, save
/// the agent, reload it and evaluate it deterministically.
///
/// Presets: default (SB3's SAC at a learning rate of 1e-3 with 64-64 networks), sb3
/// (Stable-Baselines3's SAC defaults, 256-256 networks).
#[derive(Parser, Debug)]
#[command(name = "pendulum_sac")]
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
    let plan = cli.run.plan("default")?;
    let preset = SacPreset::named(&plan.preset)
        .ok_or_else(|| unknown_preset(&plan.preset, SacPreset::all().iter().map(|p| p.name)))?;
    let config = cli
        .run
        .agent_config(&plan, preset.config.clone())?
        .with_seed(plan.seed);
    let hidden = cli.run.hidden(&cli.hidden, &plan, &preset.hidden);
    let mut env = Pendulum::new(PendulumConfig::v1())?;
    let mut eval_env = Pendulum::new(PendulumConfig::v1())?;
    let actions = env.action_space();

    let device = Device::flex();
    let mut agent = Sac::with_mlps(config.clone(), 3, actions.clone(), &hidden, &device)?;

    let stop = StopRule::MeanReturn {
        window: 10,
        threshold: Some(THRESHOLD),
    };
    let train_config = cli
        .run
        .train_config(&plan, 20_000, stop)
        .with_names("sac", "Pendulum-v1");
    let identity = RunIdentity::new("sac", "Pendulum-v1", preset.name, plan.seed)
        .with_agent_config(&config)
        .with_network(&hidden)
        .with_train(&train_config);
    let run = cli.run.open("pendulum_sac", identity)?;
    eprintln!("preset {}: {}", preset.name, preset.description);
    let summary = run.trainer(train_config, cli.run.checkpoint_every).run(
        &mut agent,
        &mut env,
        &mut eval_env,
    )?;

    // The reloaded agent only acts: a memory of one batch is enough.
    let acting = config
        .clone()
        .with_replay_capacity(config.batch_size)
        .with_learning_starts(0);
    let reloaded = Sac::with_mlps(acting, 3, actions, &hidden, &device)?;
    cli.run
        .finish(&summary, &run, &agent, reloaded, &mut eval_env, &[])
}
