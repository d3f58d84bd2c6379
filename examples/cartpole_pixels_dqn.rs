//! DQN from pixels: a CNN Q-network on rendered CartPole pictures, as in the pixel DQN lecture
//! (crop around the cart, screen differences, three 5x5 stride-2 convolutions with batch norm,
//! RMSprop, Huber loss, gradients clamped to [-1, 1], epsilon 0.9 -> 0.05 exponential, target
//! copy every 10 episodes, batch 128, gamma 0.999).
//!
//! ```text
//! cargo run --release --example cartpole_pixels_dqn -- [--preset tuned|lecture] [--max-env-steps N] ...
//! ```
//! `tuned` (the default) looks at smaller grey pictures, anti-aliased (rendered 8 times larger
//! and averaged, so that the thin pole's sub-pixel tilt shows as grey levels), the last three
//! stacked, with a smaller network, so that it learns on a CPU within minutes. Progress goes
//! to stderr; the last line on stdout is a JSON summary.

#[path = "common/mod.rs"]
mod common;
#[path = "common/tuned_view.rs"]
mod tuned_view;

use burn::tensor::Device;
use cinder_rl::agents::dqn::{ScheduleUnit, TargetUpdate, TrainFrequency};
use cinder_rl::agents::{Dqn, DqnConfig, OptimizerConfig, ValueLoss};
use cinder_rl::artifacts::RunIdentity;
use cinder_rl::env::{CartPole, CartPoleConfig, PixelConfig, PixelObservation};
use cinder_rl::error::EnvError;
use cinder_rl::memory::ObservationStorage;
use cinder_rl::nn::CnnQNetworkConfig;
use cinder_rl::policy::{AnySchedule, Exponential, Linear};
use cinder_rl::rng::derive_seed;
use cinder_rl::train::StopRule;
use clap::Parser;
use common::{RunFlags, unknown_preset};
use tuned_view::tuned_view;

/// DQN from pixels: a CNN Q-network on rendered CartPole pictures.
///
/// Presets: tuned (default: anti-aliased grey pictures, the last three stacked, a small CNN),
/// lecture (the pixel DQN lecture's screen differences and CNN).
#[derive(Parser, Debug)]
#[command(name = "cartpole_pixels_dqn")]
struct Cli {
    #[command(flatten)]
    run: RunFlags,
}

/// What a pixel preset fixes: the view, the network and the agent.
struct PixelPreset {
    view: PixelConfig,
    network: fn([usize; 3]) -> CnnQNetworkConfig,
    agent: DqnConfig,
}

fn preset(name: &str) -> Result<PixelPreset, Box<dyn std::error::Error>> {
    match name {
        "lecture" => Ok(PixelPreset {
            view: PixelConfig::default(),
            network: |[c, h, w]| CnnQNetworkConfig::new(c, h, w, 2),
            agent: DqnConfig::new()
                .with_gamma(0.999)
                .with_optimizer(OptimizerConfig::rmsprop())
                .with_learning_rate(1e-2)
                .with_learning_rate_schedule(None)
                .with_loss(ValueLoss::Huber)
                .with_max_grad_norm(None)
                .with_clip_grad_value(Some(1.0))
                .with_replay_capacity(10_000)
                .with_batch_size(128)
                .with_learning_starts(128)
                .with_train_frequency(TrainFrequency::EverySteps {
                    every: 1,
                    gradient_steps: 1,
                })
                .with_target_update(TargetUpdate::HardEveryEpisodes(10))
                .with_double_dqn(false)
                .with_exploration(AnySchedule::Exponential(Exponential::new(
                    0.9, 0.05, 200.0,
                )?))
                .with_exploration_unit(ScheduleUnit::EnvSteps)
                .with_reward_scale(1.0),
        }),
        "tuned" => Ok(PixelPreset {
            view: tuned_view(),
            network: |[c, h, w]| {
                CnnQNetworkConfig::new(c, h, w, 2)
                    .with_channels(vec![16, 32])
                    .with_kernel(3)
                    .with_stride(2)
                    .with_batch_norm(false)
            },
            agent: DqnConfig::new()
                .with_observation_storage(ObservationStorage::U8 {
                    low: 0.0,
                    high: 1.0,
                })
                .with_replay_capacity(50_000)
                .with_batch_size(32)
                .with_learning_starts(1_000)
                .with_learning_rate_schedule(Some(AnySchedule::Linear(Linear::new(
                    5e-4, 5e-5, 100_000,
                )?)))
                .with_train_frequency(TrainFrequency::EverySteps {
                    every: 2,
                    gradient_steps: 1,
                })
                .with_target_update(TargetUpdate::Polyak { tau: 0.005 })
                .with_exploration(AnySchedule::Linear(Linear::new(1.0, 0.05, 20_000)?)),
        }),
        other => Err(unknown_preset(other, ["tuned", "lecture"]).into()),
    }
}

fn main() -> std::process::ExitCode {
    common::exit_on_error(train)
}

fn train() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let plan = cli.run.plan("tuned")?;
    let preset = preset(&plan.preset)?;
    let make_env = || -> Result<PixelObservation<CartPole>, EnvError> {
        PixelObservation::new(CartPole::new(CartPoleConfig::v1())?, preset.view.clone())
    };
    let (mut env, mut eval_env) = (make_env()?, make_env()?);
    let shape = env.shape();
    let obs_dim = shape.iter().product();

    let device = Device::flex();
    let config = cli
        .run
        .agent_config(&plan, preset.agent.clone())?
        .with_seed(plan.seed);
    let network_config = (preset.network)(shape);
    let network = network_config.init(&device, derive_seed(plan.seed, 2))?;
    let mut agent = Dqn::new(config.clone(), network, obs_dim, 2, &device)?;

    let train_config = cli
        .run
        .train_config(&plan, 100_000, StopRule::solved())
        .with_names("dqn-pixels", "CartPole-v1");
    let identity = RunIdentity::new("dqn-pixels", "CartPole-v1", plan.preset.clone(), plan.seed)
        .with_agent_config(&config)
        .with_network(&network_config)
        .with_train(&train_config);
    let run = cli.run.open("cartpole_pixels_dqn", identity)?;
    eprintln!("preset {}: observations {shape:?}", plan.preset);
    let summary = run.trainer(train_config, cli.run.checkpoint_every).run(
        &mut agent,
        &mut env,
        &mut eval_env,
    )?;

    let reloaded = Dqn::new(
        config,
        network_config.init(&device, 0)?,
        obs_dim,
        2,
        &device,
    )?;
    cli.run
        .finish(&summary, &run, &agent, reloaded, &mut eval_env, &[])
}
