//! Train an actor-critic on CartPole-v1 until solved, save the agent, reload it and evaluate
//! it greedily. The default preset is A2C over 8 environments; `--preset tutorial` runs the
//! TD actor-critic tutorial (one environment, an update every 10 steps).
//!
//! ```text
//! cargo run --release --example cartpole_actor_critic -- [--seed N] [--max-env-steps N]
//!     [--max-episodes N] [--out DIR] [--preset tuned|tutorial] [--eval-episodes N]
//!     [--config FILE.json] [--hidden 256]
//! ```
//! Progress goes to stderr; the last line on stdout is a JSON summary.

#[path = "common/mod.rs"]
mod common;

use burn::tensor::Device;
use cinder_rl::agents::ActorCritic;
use cinder_rl::agents::actor_critic::ActorCriticPreset;
use cinder_rl::env::{CartPole, CartPoleConfig, VecEnv};
use cinder_rl::nn::ActorCriticMlpConfig;
use cinder_rl::rng::derive_seed;
use cinder_rl::train::{StopRule, TrainConfig};
use common::{COMMON_FLAGS, EpisodeLog, RunArgs, finish_run};

fn usage() -> String {
    format!("cartpole_actor_critic {COMMON_FLAGS}\npresets: tuned (default), tutorial")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = RunArgs::parse("cartpole_actor_critic", "tuned", 500_000, &usage())?;
    let preset = ActorCriticPreset::named(&args.preset).ok_or_else(|| {
        let names: Vec<&str> = ActorCriticPreset::all().iter().map(|p| p.name).collect();
        format!(
            "unknown preset {:?}; presets: {}",
            args.preset,
            names.join(", ")
        )
    })?;
    let config = args
        .agent_config(preset.config.clone())?
        .with_seed(args.seed);
    let hidden = args.hidden.clone().unwrap_or_else(|| preset.hidden.clone());
    args.record_identity(&config, &hidden)?;
    let network_config = ActorCriticMlpConfig::new(4, 2).with_hidden(hidden);

    let device = Device::flex();
    let network = network_config.init(&device, derive_seed(args.seed, 2))?;
    let mut agent = ActorCritic::new(config.clone(), network, 4, 2, &device)?;
    eprintln!("preset {}: {}", preset.name, preset.description);

    let train_config = TrainConfig::new(args.seed)
        .with_max_env_steps(Some(args.max_env_steps))
        .with_max_episodes(args.max_episodes)
        .with_stop(StopRule::solved())
        .with_eval_episodes(10)
        .with_names("actor-critic", "CartPole-v1");
    let mut eval_env = CartPole::new(CartPoleConfig::v1())?;
    let mut log = EpisodeLog::open(&args)?;
    let mut trainer = log.trainer(train_config, &args);
    let summary = if config.num_envs == 1 {
        let mut env = CartPole::new(CartPoleConfig::v1())?;
        trainer.run_resumable(&mut agent, &mut env, &mut eval_env)?
    } else {
        let mut envs = VecEnv::from_fn(config.num_envs, |_| CartPole::new(CartPoleConfig::v1()))?;
        trainer.run_vec_resumable(&mut agent, &mut envs, &mut eval_env)?
    };
    drop(trainer);

    let reloaded = ActorCritic::new(config, network_config.init(&device, 0)?, 4, 2, &device)?;
    finish_run(&summary, &log, &agent, reloaded, &mut eval_env, &args)
}
