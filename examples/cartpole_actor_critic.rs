//! Train an actor-critic on CartPole-v1 until solved, save the agent, reload it and evaluate
//! it greedily. The default preset is A2C over 8 environments; `--preset tutorial` runs the
//! TD actor-critic tutorial (one environment, an update every 10 steps).
//!
//! ```text
//! cargo run --release --example cartpole_actor_critic -- [--seed N] [--max-env-steps N]
//!     [--max-episodes N] [--out DIR [--overwrite]] [--preset tuned|tutorial] [--eval-episodes N]
//!     [--config FILE.json] [--hidden 256] [--checkpoint-every N] [--resume DIR]
//! ```
//! Progress goes to stderr; the last line on stdout is a JSON summary.

#[path = "common/mod.rs"]
mod common;

use burn::tensor::Device;
use cinder_rl::agents::actor_critic::ActorCriticPreset;
use cinder_rl::agents::{ActorCritic, ActorCriticConfig};
use cinder_rl::artifacts::RunIdentity;
use cinder_rl::env::{CartPole, CartPoleConfig, VecEnv};
use cinder_rl::nn::{ActorCriticMlpConfig, ActorCriticNetwork, PolicyHead, PolicyValueMlpConfig};
use cinder_rl::rng::derive_seed;
use cinder_rl::train::StopRule;
use clap::Parser;
use common::{HiddenFlag, RunFlags, unknown_preset};

/// Train an actor-critic on CartPole-v1 until solved, save the agent, reload it and evaluate
/// it greedily.
///
/// Presets: tuned (default: A2C over 8 environments), tutorial (the TD actor-critic tutorial).
#[derive(Parser, Debug)]
#[command(name = "cartpole_actor_critic")]
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
    let plan = cli.run.plan("tuned")?;
    let preset = ActorCriticPreset::named(&plan.preset).ok_or_else(|| {
        unknown_preset(
            &plan.preset,
            ActorCriticPreset::all().iter().map(|p| p.name),
        )
    })?;
    let config = cli
        .run
        .agent_config(&plan, preset.config.clone())?
        .with_seed(plan.seed);
    let hidden = cli.run.hidden(&cli.hidden, &plan, &preset.hidden);
    let device = Device::flex();
    if preset.separate {
        let head = PolicyHead::Categorical { n_actions: 2 };
        let network = PolicyValueMlpConfig::new(4, head).with_hidden(hidden.clone());
        run(&cli, &plan, &preset, config, &hidden, |seed| {
            network.init(&device, seed)
        })
    } else {
        let network = ActorCriticMlpConfig::new(4, 2).with_hidden(hidden.clone());
        run(&cli, &plan, &preset, config, &hidden, |seed| {
            network.init(&device, seed)
        })
    }
}

/// Trains an actor-critic on networks `network(seed)` makes, reloads it and evaluates it.
fn run<M: ActorCriticNetwork>(
    cli: &Cli,
    plan: &common::RunPlan,
    preset: &ActorCriticPreset,
    config: ActorCriticConfig,
    hidden: &[usize],
    network: impl Fn(u64) -> Result<M, cinder_rl::error::AgentError>,
) -> Result<(), Box<dyn std::error::Error>> {
    let device = Device::flex();
    let initial = network(derive_seed(plan.seed, 2))?;
    let mut agent = ActorCritic::new(config.clone(), initial, 4, 2, &device)?;

    let train_config = cli
        .run
        .train_config(plan, 1_000_000, StopRule::solved())
        .with_names("actor-critic", "CartPole-v1");
    let identity = RunIdentity::new("actor-critic", "CartPole-v1", preset.name, plan.seed)
        .with_agent_config(&config)
        .with_network(&hidden.to_vec())
        .with_train(&train_config);
    let run = cli.run.open("cartpole_actor_critic", identity)?;
    eprintln!("preset {}: {}", preset.name, preset.description);
    let mut eval_env = CartPole::new(CartPoleConfig::v1())?;
    let mut trainer = run.trainer(train_config, cli.run.checkpoint_every);
    let summary = if config.num_envs == 1 {
        let mut env = CartPole::new(CartPoleConfig::v1())?;
        trainer.run(&mut agent, &mut env, &mut eval_env)?
    } else {
        let mut envs = VecEnv::from_fn(config.num_envs, |_| CartPole::new(CartPoleConfig::v1()))?;
        trainer.run(&mut agent, &mut envs, &mut eval_env)?
    };

    let reloaded = ActorCritic::new(config, network(0)?, 4, 2, &device)?;
    cli.run
        .finish(&summary, &run, &agent, reloaded, &mut eval_env, &[])
}
