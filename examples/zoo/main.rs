//! Train any algorithm of the crate on any registered environment, by name, with
//! per-environment settings from `hyperparams/<algo>.toml`.
//!
//! ```text
//! cargo run --release --example zoo -- --algo dqn --env Acrobot-v1 --seed 3
//!     [--max-env-steps N] [--out DIR [--overwrite]] [--resume DIR] [--hyperparams FILE.toml]
//!     [--set KEY=VALUE]... [--preset NAME] [--config FILE.json] [--hidden W,W] [--no-stop]
//! ```
//! Progress goes to stderr (a bar on a terminal, periodic lines otherwise); the last line on
//! stdout is the JSON summary (see the README's "Zoo" section for its fields).

#[path = "../common/mod.rs"]
mod common;
mod hyperparams;
mod plan;
mod progress;

use std::path::PathBuf;

use burn::tensor::Device;
use cinder_rl::agents::actor_critic::ActorCriticPreset;
use cinder_rl::agents::dqn::DqnPreset;
use cinder_rl::agents::ppo::PpoPreset;
use cinder_rl::agents::sac::SacPreset;
use cinder_rl::agents::td3::Td3Preset;
use cinder_rl::agents::{
    ActorCritic, ActorCriticConfig, Dqn, DqnConfig, Ppo, PpoConfig, Sac, SacConfig, Td3, Td3Config,
};
use cinder_rl::artifacts::RunDir;
use cinder_rl::env::{ActionShape, EnvSpec, MadeEnv, Registry, VecEnv};
use cinder_rl::nn::{
    ActorCriticMlpConfig, ActorCriticNetwork, DuelingConfig, MlpConfig, PolicyHead,
    PolicyValueMlpConfig, QNetwork,
};
use cinder_rl::rng::derive_seed;
use cinder_rl::train::StopRule;
use clap::{Parser, ValueEnum};
use common::{HiddenFlag, RunFlags};
use plan::Plan;

/// Train any algorithm of the crate on any registered environment by its Gymnasium id, with
/// the per-environment settings of hyperparams/<algo>.toml (rl-baselines3-zoo's where it has
/// them), save the agent, reload it and evaluate it greedily.
///
/// Settings, each over the one before: the algorithm's file (the environment's table, else
/// `default`), --preset, --hyperparams, --set, --config, --hidden. "Solved": the mean training
/// return of the last W episodes reaches the environment's threshold (W = 10 for Pendulum-v1
/// and MountainCarContinuous-v0, 100 otherwise; -200 for Pendulum-v1, which has none in
/// Gymnasium).
#[derive(Parser, Debug)]
#[command(name = "zoo")]
struct Cli {
    /// The algorithm
    #[arg(long, value_enum)]
    algo: Algo,
    /// The environment's id (Acrobot-v1, CartPole-v0, CartPole-v1, MountainCar-v0,
    /// MountainCarContinuous-v0, Pendulum-v1)
    #[arg(long, value_name = "ID")]
    env: String,
    #[command(flatten)]
    run: RunFlags,
    #[command(flatten)]
    hidden: HiddenFlag,
    /// A TOML file of per-environment tables (the form of hyperparams/<algo>.toml) whose
    /// table for --env (else `default`) changes the built-in one key by key
    #[arg(long, value_name = "FILE.toml")]
    hyperparams: Option<PathBuf>,
    /// Change one setting: `max_env_steps=50000`, `hidden=[64,64]`, `preset="sb3"`,
    /// `agent.learning_rate=1e-3`, `agent.target_update={ HardEverySteps = 500 }`
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
}

/// The algorithms of the crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Algo {
    /// DQN (discrete actions).
    Dqn,
    /// The synchronous advantage actor-critic (discrete actions).
    #[value(name = "actor-critic", alias = "a2c")]
    ActorCritic,
    /// PPO (discrete and continuous actions).
    Ppo,
    /// Soft actor-critic (continuous actions).
    Sac,
    /// Twin delayed DDPG (continuous actions).
    Td3,
}

impl Algo {
    /// The name in run identities and summaries.
    fn name(self) -> &'static str {
        match self {
            Algo::Dqn => "dqn",
            Algo::ActorCritic => "actor-critic",
            Algo::Ppo => "ppo",
            Algo::Sac => "sac",
            Algo::Td3 => "td3",
        }
    }

    /// The built-in settings file: its name and text.
    fn hyperparams(self) -> (&'static str, &'static str) {
        match self {
            Algo::Dqn => (
                "hyperparams/dqn.toml",
                include_str!("../../hyperparams/dqn.toml"),
            ),
            Algo::ActorCritic => (
                "hyperparams/actor_critic.toml",
                include_str!("../../hyperparams/actor_critic.toml"),
            ),
            Algo::Ppo => (
                "hyperparams/ppo.toml",
                include_str!("../../hyperparams/ppo.toml"),
            ),
            Algo::Sac => (
                "hyperparams/sac.toml",
                include_str!("../../hyperparams/sac.toml"),
            ),
            Algo::Td3 => (
                "hyperparams/td3.toml",
                include_str!("../../hyperparams/td3.toml"),
            ),
        }
    }

    /// The action spaces the algorithm learns: discrete, continuous, or both (`None`).
    fn actions(self) -> Option<ActionShapeKind> {
        match self {
            Algo::Dqn | Algo::ActorCritic => Some(ActionShapeKind::Discrete),
            Algo::Ppo => None,
            Algo::Sac | Algo::Td3 => Some(ActionShapeKind::Continuous),
        }
    }
}

/// Discrete or continuous actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActionShapeKind {
    Discrete,
    Continuous,
}

/// What "solved" means on `spec`'s environment: the window W and the threshold (`None` if
/// the environment has none and none is agreed on).
fn solve_rule(spec: &EnvSpec) -> (usize, Option<f64>) {
    let window = match spec.id.as_str() {
        // Their usual budgets hold 50 to 100 episodes: a 100-episode window would always hold
        // the first, untrained ones.
        "Pendulum-v1" | "MountainCarContinuous-v0" => 10,
        _ => 100,
    };
    let threshold = match spec.id.as_str() {
        // Gymnasium gives Pendulum no threshold; -200 is the usual bar for a swing-up.
        "Pendulum-v1" => Some(-200.0),
        _ => spec.reward_threshold,
    };
    (window, threshold)
}

fn main() -> std::process::ExitCode {
    common::exit_on_error(train)
}

fn train() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let registry = Registry::new();
    let spec = registry.spec(&cli.env).cloned().ok_or_else(|| {
        format!(
            "unknown environment {:?}; registered: {}",
            cli.env,
            registry.ids().collect::<Vec<_>>().join(", ")
        )
    })?;
    let shape = match spec.action_space.action_shape() {
        ActionShape::Discrete => ActionShapeKind::Discrete,
        ActionShape::Continuous { .. } => ActionShapeKind::Continuous,
    };
    match cli.algo.actions() {
        Some(ActionShapeKind::Discrete) if shape == ActionShapeKind::Continuous => {
            return Err(format!(
                "{} learns discrete actions; {} has a box of {} (PPO, SAC and TD3 take it)",
                cli.algo.name(),
                spec.id,
                spec.action_space.flat_dim()
            )
            .into());
        }
        Some(ActionShapeKind::Continuous) if shape == ActionShapeKind::Discrete => {
            return Err(format!(
                "{} learns continuous actions; {} has {} discrete ones (DQN, the actor-critic and PPO take them)",
                cli.algo.name(),
                spec.id,
                spec.action_space.n().unwrap_or(0)
            )
            .into());
        }
        _ => {}
    }
    if let Some(dir) = &cli.run.resume {
        let saved = RunDir::read_identity(dir)?;
        if (saved.algorithm.as_str(), saved.env.as_str()) != (cli.algo.name(), spec.id.as_str()) {
            return Err(format!(
                "{} holds a run of {} on {}: resume it with --algo {} --env {}",
                dir.display(),
                saved.algorithm,
                saved.env,
                saved.algorithm,
                saved.env
            )
            .into());
        }
    }
    let (file, text) = cli.algo.hyperparams();
    let mut sets = cli.sets.clone();
    if let Some(preset) = &cli.run.preset {
        sets.insert(0, format!("preset={preset:?}"));
    }
    let hyper = hyperparams::resolve(file, text, cli.hyperparams.as_deref(), &spec.id, &sets)?;
    if hyper.n_envs != 1 && !matches!(cli.algo, Algo::Dqn) {
        return Err(format!(
            "{}: `n_envs` is DQN's; {} takes its copies from `agent.num_envs`",
            hyper.source,
            cli.algo.name()
        )
        .into());
    }
    let run_plan = cli.run.plan(&hyper.preset)?;
    let (window, threshold) = solve_rule(&spec);
    let stop = StopRule::MeanReturn { window, threshold };
    let logged = if progress::on_terminal() { 0 } else { 20 };
    let train = cli
        .run
        .train_config(&run_plan, hyper.max_env_steps, stop)
        .with_names(cli.algo.name(), &spec.id)
        .with_log_every_episodes(logged);
    eprintln!(
        "{} on {}: settings from {}",
        cli.algo.name(),
        spec.id,
        hyper.source
    );
    let plan = Plan {
        cli,
        spec,
        hyper,
        run_plan,
        train,
        window,
        threshold,
    };
    match plan.cli.algo {
        Algo::Dqn => train_dqn(&plan, &registry),
        Algo::ActorCritic => train_actor_critic(&plan, &registry),
        Algo::Ppo => train_ppo(&plan, &registry),
        Algo::Sac => train_sac(&plan, &registry),
        Algo::Td3 => train_td3(&plan, &registry),
    }
}

fn train_dqn(plan: &Plan, registry: &Registry) -> Result<(), Box<dyn std::error::Error>> {
    let preset = plan.preset(DqnPreset::all(), |p| p.name)?;
    let config: DqnConfig = plan
        .agent_config(&preset.config)?
        .with_seed(plan.run_plan.seed);
    let hidden = plan.hidden(&preset.hidden);
    let (inputs, actions) = plan.network_shape()?;
    let device = Device::flex();
    if preset.dueling {
        // The hidden widths are the shared torso; each stream is one linear layer.
        let &features = hidden
            .last()
            .ok_or("a dueling network needs at least one hidden width")?;
        let dueling = DuelingConfig::new(inputs, features, actions).with_stream_hidden(vec![]);
        run_dqn(plan, registry, config, &hidden, |seed| {
            dueling.mlp(&hidden, &device, seed)
        })
    } else {
        let network = MlpConfig::new(inputs, actions).with_hidden(hidden.clone());
        run_dqn(plan, registry, config, &hidden, |seed| {
            network.init(&device, seed)
        })
    }
}

/// Trains DQN on networks `network(seed)` makes, reloads it and evaluates it.
fn run_dqn<M: QNetwork>(
    plan: &Plan,
    registry: &Registry,
    config: DqnConfig,
    hidden: &[usize],
    network: impl Fn(u64) -> Result<M, cinder_rl::error::AgentError>,
) -> Result<(), Box<dyn std::error::Error>> {
    let (inputs, actions) = plan.network_shape()?;
    let device = Device::flex();
    let initial = network(derive_seed(plan.run_plan.seed, 2))?;
    let mut agent = Dqn::new(config.clone(), initial, inputs, actions, &device)?;

    let copies = plan.hyper.n_envs;
    // A run over N copies is another run than one over one environment.
    let identity = match copies {
        1 => serde_json::json!(hidden),
        _ => serde_json::json!({ "hidden": hidden, "n_envs": copies }),
    };
    let (run, mut bar) = plan.start(&config, &identity)?;
    let mut eval_env = registry.make_discrete(&plan.spec.id)?;
    let summary =
        plan.train_discrete(registry, &run, &mut bar, &mut agent, copies, &mut eval_env)?;

    let reloaded = Dqn::new(config, network(0)?, inputs, actions, &device)?;
    plan.finish(&summary, &run, bar, &agent, reloaded, &mut eval_env)
}

fn train_actor_critic(plan: &Plan, registry: &Registry) -> Result<(), Box<dyn std::error::Error>> {
    let preset = plan.preset(ActorCriticPreset::all(), |p| p.name)?;
    let config: ActorCriticConfig = plan
        .agent_config(&preset.config)?
        .with_seed(plan.run_plan.seed);
    let hidden = plan.hidden(&preset.hidden);
    let (inputs, actions) = plan.network_shape()?;
    let device = Device::flex();
    if preset.separate {
        let head = PolicyHead::Categorical { n_actions: actions };
        let network = PolicyValueMlpConfig::new(inputs, head).with_hidden(hidden.clone());
        run_actor_critic(plan, registry, config, &hidden, |seed| {
            network.init(&device, seed)
        })
    } else {
        let network = ActorCriticMlpConfig::new(inputs, actions).with_hidden(hidden.clone());
        run_actor_critic(plan, registry, config, &hidden, |seed| {
            network.init(&device, seed)
        })
    }
}

/// Trains an actor-critic on networks `network(seed)` makes, reloads it and evaluates it.
fn run_actor_critic<M: ActorCriticNetwork>(
    plan: &Plan,
    registry: &Registry,
    config: ActorCriticConfig,
    hidden: &[usize],
    network: impl Fn(u64) -> Result<M, cinder_rl::error::AgentError>,
) -> Result<(), Box<dyn std::error::Error>> {
    let (inputs, actions) = plan.network_shape()?;
    let device = Device::flex();
    let initial = network(derive_seed(plan.run_plan.seed, 2))?;
    let mut agent = ActorCritic::new(config.clone(), initial, inputs, actions, &device)?;

    let (run, mut bar) = plan.start(&config, hidden)?;
    let mut eval_env = registry.make_discrete(&plan.spec.id)?;
    let summary = plan.train_discrete(
        registry,
        &run,
        &mut bar,
        &mut agent,
        config.num_envs,
        &mut eval_env,
    )?;

    let reloaded = ActorCritic::new(config, network(0)?, inputs, actions, &device)?;
    plan.finish(&summary, &run, bar, &agent, reloaded, &mut eval_env)
}

fn train_ppo(plan: &Plan, registry: &Registry) -> Result<(), Box<dyn std::error::Error>> {
    let preset = plan.preset(PpoPreset::all(), |p| p.name)?;
    let config: PpoConfig = plan
        .agent_config(&preset.config)?
        .with_seed(plan.run_plan.seed);
    let hidden = plan.hidden(&preset.hidden);
    let inputs = plan.spec.observation_space.flat_dim();
    let actions = plan.spec.action_space.clone();
    let network_config = PolicyValueMlpConfig::for_space(inputs, &actions)
        .with_hidden(hidden.clone())
        .with_activation(preset.activation);
    let device = Device::flex();
    let network = network_config.init(&device, derive_seed(plan.run_plan.seed, 2))?;
    let mut agent = Ppo::new(config.clone(), network, inputs, actions.clone(), &device)?;
    let reloaded = Ppo::new(
        config.clone(),
        network_config.init(&device, 0)?,
        inputs,
        actions,
        &device,
    )?;

    let (run, mut bar) = plan.start(&config, &hidden)?;
    let make = || registry.make(&plan.spec.id);
    let mut trainer = plan.trainer(&run, &mut bar);
    match make()? {
        MadeEnv::Discrete(mut eval_env) => {
            let summary = if config.num_envs == 1 {
                let mut env = registry.make_discrete(&plan.spec.id)?;
                trainer.run(&mut agent, &mut env, &mut eval_env)?
            } else {
                let mut envs =
                    VecEnv::from_fn(config.num_envs, |_| registry.make_discrete(&plan.spec.id))?;
                trainer.run(&mut agent, &mut envs, &mut eval_env)?
            };
            drop(trainer);
            plan.finish(&summary, &run, bar, &agent, reloaded, &mut eval_env)
        }
        MadeEnv::Continuous(mut eval_env) => {
            let summary = if config.num_envs == 1 {
                let mut env = registry.make_continuous(&plan.spec.id)?;
                trainer.run(&mut agent, &mut env, &mut eval_env)?
            } else {
                let mut envs =
                    VecEnv::from_fn(config.num_envs, |_| registry.make_continuous(&plan.spec.id))?;
                trainer.run(&mut agent, &mut envs, &mut eval_env)?
            };
            drop(trainer);
            plan.finish(&summary, &run, bar, &agent, reloaded, &mut eval_env)
        }
    }
}

fn train_sac(plan: &Plan, registry: &Registry) -> Result<(), Box<dyn std::error::Error>> {
    let preset = plan.preset(SacPreset::all(), |p| p.name)?;
    let config: SacConfig = plan
        .agent_config(&preset.config)?
        .with_seed(plan.run_plan.seed);
    let hidden = plan.hidden(&preset.hidden);
    let (inputs, actions) = plan.continuous_shape();
    let device = Device::flex();
    let agent = Sac::with_mlps(config.clone(), inputs, actions.clone(), &hidden, &device)?;
    // The reloaded agent only acts: a memory of one batch is enough.
    let small = config
        .clone()
        .with_replay_capacity(config.batch_size)
        .with_learning_starts(0);
    let reloaded = Sac::with_mlps(small, inputs, actions, &hidden, &device)?;
    run_continuous(plan, registry, &config, &hidden, agent, reloaded)
}

fn train_td3(plan: &Plan, registry: &Registry) -> Result<(), Box<dyn std::error::Error>> {
    let preset = plan.preset(Td3Preset::all(), |p| p.name)?;
    let config: Td3Config = plan
        .agent_config(&preset.config)?
        .with_seed(plan.run_plan.seed);
    let hidden = plan.hidden(&preset.hidden);
    let (inputs, actions) = plan.continuous_shape();
    let device = Device::flex();
    let agent = Td3::with_mlps(config.clone(), inputs, actions.clone(), &hidden, &device)?;
    let small = config
        .clone()
        .with_replay_capacity(config.batch_size)
        .with_learning_starts(0);
    let reloaded = Td3::with_mlps(small, inputs, actions, &hidden, &device)?;
    run_continuous(plan, registry, &config, &hidden, agent, reloaded)
}

/// Trains a continuous-action agent on one environment, then reloads and evaluates it.
fn run_continuous<A, C>(
    plan: &Plan,
    registry: &Registry,
    config: &C,
    hidden: &[usize],
    mut agent: A,
    reloaded: A,
) -> Result<(), Box<dyn std::error::Error>>
where
    A: cinder_rl::agent::Agent<Vec<f32>, Vec<f32>> + cinder_rl::agent::Checkpoint,
    C: serde::Serialize,
{
    let (run, mut bar) = plan.start(config, hidden)?;
    let mut env = registry.make_continuous(&plan.spec.id)?;
    let mut eval_env = registry.make_continuous(&plan.spec.id)?;
    let summary = plan
        .trainer(&run, &mut bar)
        .run(&mut agent, &mut env, &mut eval_env)?;
    plan.finish(&summary, &run, bar, &agent, reloaded, &mut eval_env)
}
