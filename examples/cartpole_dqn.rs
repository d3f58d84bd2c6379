//! Train DQN on CartPole until solved, save the agent, reload it and evaluate it greedily.
//!
//! ```text
//! cargo run --release --example cartpole_dqn -- [--seed N] [--max-env-steps N] [--max-episodes N]
//!     [--out DIR [--overwrite]] [--preset tuned|minimal|brain|sb3] [--eval-episodes N]
//!     [--config FILE.json] [--hidden 128,128] [--checkpoint-every N] [--resume DIR]
//! ```
//! Progress goes to stderr; the last line on stdout is a JSON summary.

#[path = "common/mod.rs"]
mod common;

use burn::tensor::Device;
use cinder_rl::agents::Dqn;
use cinder_rl::agents::dqn::DqnPreset;
use cinder_rl::artifacts::RunIdentity;
use cinder_rl::env::{CartPole, CartPoleConfig, Environment, Snapshot, Space, Step};
use cinder_rl::error::EnvError;
use cinder_rl::nn::MlpConfig;
use cinder_rl::rng::derive_seed;
use cinder_rl::train::StopRule;
use clap::Parser;
use common::{HiddenFlag, RunFlags, unknown_preset};

/// Train DQN on CartPole until solved, save the agent, reload it and evaluate it greedily.
///
/// Presets: tuned (default), minimal, brain.
#[derive(Parser, Debug)]
#[command(name = "cartpole_dqn")]
struct Cli {
    #[command(flatten)]
    run: RunFlags,
    #[command(flatten)]
    hidden: HiddenFlag,
}

/// CartPole with the brain/agent/environment tutorial's reward when `shaped`: 0 per step, -1
/// when the episode ends before step 160 (the pole fell early), +1 when it ends later.
struct TutorialCartPole {
    inner: CartPole,
    shaped: bool,
}

impl Snapshot for TutorialCartPole {
    type State = <CartPole as Snapshot>::State;

    fn snapshot(&self) -> Self::State {
        self.inner.snapshot()
    }

    fn restore(&mut self, state: Self::State) -> Result<[f32; 4], EnvError> {
        self.inner.restore(state)
    }
}

impl Environment for TutorialCartPole {
    type Observation = [f32; 4];
    type Action = usize;

    fn reset(&mut self, seed: Option<u64>) -> [f32; 4] {
        self.inner.reset(seed)
    }

    fn step(&mut self, action: usize) -> Result<Step<[f32; 4]>, EnvError> {
        let mut step = self.inner.step(action)?;
        if self.shaped {
            step.reward = match step.done() {
                false => 0.0,
                true if self.inner.elapsed_steps() < 160 => -1.0,
                true => 1.0,
            };
        }
        Ok(step)
    }

    fn action_space(&self) -> Space {
        self.inner.action_space()
    }

    fn observation_space(&self) -> Space {
        self.inner.observation_space()
    }

    fn reward_threshold(&self) -> Option<f64> {
        if self.shaped {
            Some(1.0)
        } else {
            self.inner.reward_threshold()
        }
    }

    fn max_episode_steps(&self) -> Option<usize> {
        self.inner.max_episode_steps()
    }
}

fn main() -> std::process::ExitCode {
    common::exit_on_error(train)
}

fn train() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let plan = cli.run.plan("tuned")?;
    let preset = DqnPreset::named(&plan.preset)
        .ok_or_else(|| unknown_preset(&plan.preset, DqnPreset::all().iter().map(|p| p.name)))?;
    if preset.dueling {
        return Err(format!(
            "preset {} trains a dueling network, which this example does not build; run it \
             with `cargo run --release --example zoo -- --algo dqn --env CartPole-v1 --preset {}`",
            preset.name, preset.name
        )
        .into());
    }
    // The brain tutorial trains on CartPole-v0 with its shaped reward and stops after 10
    // successful episodes in a row; the others train on CartPole-v1 until solved.
    let brain = preset.name == "brain";
    let (env_name, cartpole, stop) = if brain {
        let stop = StopRule::ConsecutiveSuccesses {
            count: 10,
            threshold: Some(1.0),
        };
        ("CartPole-v0", CartPoleConfig::v0(), stop)
    } else {
        ("CartPole-v1", CartPoleConfig::v1(), StopRule::solved())
    };
    // Training may see the shaped reward; evaluation always sees the plain task.
    let mut env = TutorialCartPole {
        inner: CartPole::new(cartpole.clone())?,
        shaped: brain,
    };
    let mut eval_env = CartPole::new(cartpole)?;

    let device = Device::flex();
    let config = cli
        .run
        .agent_config(&plan, preset.config.clone())?
        .with_seed(plan.seed);
    let hidden = cli.run.hidden(&cli.hidden, &plan, &preset.hidden);
    let network_config = MlpConfig::new(4, 2).with_hidden(hidden.clone());
    let network = network_config.init(&device, derive_seed(plan.seed, 2))?;
    let mut agent = Dqn::new(config.clone(), network, 4, 2, &device)?;

    let train_config = cli
        .run
        .train_config(&plan, 200_000, stop)
        .with_names("dqn", env_name);
    let identity = RunIdentity::new("dqn", env_name, preset.name, plan.seed)
        .with_agent_config(&config)
        .with_network(&hidden)
        .with_train(&train_config);
    let run = cli.run.open("cartpole_dqn", identity)?;
    eprintln!("preset {}: {}", preset.name, preset.description);
    let summary = run.trainer(train_config, cli.run.checkpoint_every).run(
        &mut agent,
        &mut env,
        &mut eval_env,
    )?;

    let reloaded = Dqn::new(config, network_config.init(&device, 0)?, 4, 2, &device)?;
    cli.run
        .finish(&summary, &run, &agent, reloaded, &mut eval_env, &[])
}
