//! Checkpoints: training N steps, checkpointing, resuming and training N more equals training
//! 2N steps straight, for DQN on one environment, DQN with Rainbow's extensions and a falling
//! replay ratio on three, A2C on four, PPO on four Pendulums (box actions, normalisation
//! statistics, a rollout cut mid-way), SAC (a learned α, normalised observations, correlated
//! exploration noise) and TD3 (a checkpoint between the actor's turns) on one Pendulum; bad
//! checkpoints are errors.

mod common;

use std::path::Path;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::dqn::TrainFrequency;
use cinder_rl::agents::{
    ActorCritic, ActorCriticConfig, Dqn, Ppo, PpoConfig, Sac, SacConfig, Td3, Td3Config,
};
use cinder_rl::env::{CartPole, CartPoleConfig, Environment, Pendulum, PendulumConfig, VecEnv};
use cinder_rl::error::{ArtifactError, Error};
use cinder_rl::memory::{PrioritizedConfig, ReplayKind, ReplayMemory};
use cinder_rl::nn::{ActorCriticMlp, DuelingConfig, Mlp, PolicyValueMlp, PolicyValueMlpConfig};
use cinder_rl::policy::{AnySchedule, Linear};
use cinder_rl::train::{Checkpoints, EpisodeRecord, Resumable, TrainConfig, TrainSummary, Trainer};
use common::{budget_run, cartpole_actor_critic, cartpole_dqn, dqn_test_config};

fn cartpole() -> CartPole {
    CartPole::new(CartPoleConfig::v1()).unwrap()
}

fn run_config(max_env_steps: u64) -> TrainConfig {
    budget_run(11, max_env_steps).with_eval_episodes(2)
}

fn dqn() -> Dqn<Mlp> {
    cartpole_dqn(32, dqn_test_config().with_learning_starts(300).with_seed(5))
}

fn actor_critic() -> ActorCritic<ActorCriticMlp> {
    cartpole_actor_critic(
        32,
        6,
        ActorCriticConfig::new().with_num_envs(4).with_seed(6),
    )
}

fn pendulum() -> Pendulum {
    Pendulum::new(PendulumConfig::v1()).unwrap()
}

fn ppo() -> Ppo<PolicyValueMlp> {
    let device = Device::flex();
    let space = pendulum().action_space();
    let network = PolicyValueMlpConfig::for_space(3, &space)
        .with_hidden(vec![32])
        .init(&device, 7)
        .unwrap();
    // Rollouts of 4 x 48 steps: checkpoints every 1 000 steps fall inside them.
    let config = PpoConfig::new()
        .with_num_envs(4)
        .with_n_rollout(48)
        .with_batch_size(64)
        .with_n_epochs(2)
        .with_seed(7);
    Ppo::new(config, network, 3, space, &device).unwrap()
}

fn sac() -> Sac<Mlp, Mlp> {
    let config = SacConfig::new()
        .with_batch_size(32)
        .with_learning_starts(500)
        .with_normalize_observations(true)
        .with_exploration_correlation(0.9)
        .with_seed(8);
    Sac::with_mlps(config, 3, pendulum().action_space(), &[32], &Device::flex()).unwrap()
}

fn td3() -> Td3<Mlp, Mlp> {
    // 1 000 steps after 500 random ones: the checkpoint falls between two of the actor's
    // turns (every third update).
    let config = Td3Config::new()
        .with_batch_size(32)
        .with_learning_starts(500)
        .with_policy_delay(3)
        .with_seed(9);
    Td3::with_mlps(config, 3, pendulum().action_space(), &[32], &Device::flex()).unwrap()
}

/// Records without their wall-clock times, which differ from run to run.
fn timeless(records: Vec<EpisodeRecord>) -> Vec<EpisodeRecord> {
    records
        .into_iter()
        .map(|r| EpisodeRecord { wall_s: 0.0, ..r })
        .collect()
}

fn timeless_summary(summary: TrainSummary) -> TrainSummary {
    TrainSummary {
        wall_s: 0.0,
        solved_at_wall_s: None,
        ..summary
    }
}

/// Runs `train` with a trainer that records every episode, checkpointing to `checkpoints` and
/// resuming from `resume`; returns the records and summary. Without `checkpoints`, the run
/// writes only its final state, to a directory of its own.
fn recorded(
    config: TrainConfig,
    checkpoints: Option<Checkpoints>,
    resume: Option<&Path>,
    train: impl FnOnce(&mut Trainer<'_, Resumable>) -> Result<TrainSummary, Error>,
) -> (Vec<EpisodeRecord>, TrainSummary) {
    let mut records = Vec::new();
    static STRAIGHT_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let scratch = checkpoints.is_none().then(|| {
        let n = STRAIGHT_RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        temp_path(&format!("straight-{n}"))
    });
    let checkpoints = checkpoints.unwrap_or_else(|| Checkpoints {
        path: scratch.clone().unwrap(),
        every_env_steps: u64::MAX,
    });
    let mut trainer = Trainer::new(config)
        .on_episode(|r| {
            records.push(r.clone());
            Ok(())
        })
        .with_checkpoints(checkpoints);
    if let Some(path) = resume {
        trainer = trainer.resume_from(path);
    }
    let summary = train(&mut trainer).unwrap();
    drop(trainer);
    if let Some(path) = scratch {
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
    (timeless(records), timeless_summary(summary))
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cinder-checkpoint-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("checkpoint.cinder")
}

/// The same 4 000 steps two ways: straight, and 2 000 steps with a checkpoint every 1 000
/// continued by a fresh agent resumed from it.
struct StraightAndResumed<A> {
    straight_agent: A,
    straight: Vec<EpisodeRecord>,
    straight_summary: TrainSummary,
    resumed_agent: A,
    /// The first run's records followed by the resumed run's.
    joined: Vec<EpisodeRecord>,
    resumed_summary: TrainSummary,
}

impl<A> StraightAndResumed<A> {
    /// The resumed run's episodes and summary are the straight run's.
    fn assert_resumed_as_straight(&self) {
        assert_eq!(self.joined, self.straight);
        assert_eq!(self.resumed_summary, self.straight_summary);
    }

    /// The straight run learned (some episode reports a loss), and the resumed run is it.
    fn assert_learned_and_resumed_as_straight(&self) {
        assert!(self.straight.iter().any(|r| r.mean_loss.is_some()));
        self.assert_resumed_as_straight();
    }
}

/// Trains agents made by `agent` with `train`, straight and resumed, checkpointing in a
/// directory named after `name`.
fn straight_and_resumed<A>(
    name: &str,
    agent: impl Fn() -> A,
    train: impl Fn(&mut Trainer<'_, Resumable>, &mut A) -> Result<TrainSummary, Error>,
) -> StraightAndResumed<A> {
    let path = temp_path(name);
    let checkpoints = Checkpoints {
        path: path.clone(),
        every_env_steps: 1_000,
    };

    let mut straight_agent = agent();
    let (straight, straight_summary) = recorded(run_config(4_000), None, None, |t| {
        train(t, &mut straight_agent)
    });

    let mut first_agent = agent();
    let (first, _) = recorded(run_config(2_000), Some(checkpoints.clone()), None, |t| {
        train(t, &mut first_agent)
    });
    drop(first_agent);
    // A fresh agent and environment, as in a new process.
    let mut resumed_agent = agent();
    let (second, resumed_summary) =
        recorded(run_config(4_000), Some(checkpoints), Some(&path), |t| {
            train(t, &mut resumed_agent)
        });
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    StraightAndResumed {
        straight_agent,
        straight,
        straight_summary,
        resumed_agent,
        joined: first.into_iter().chain(second).collect(),
        resumed_summary,
    }
}

#[test]
fn dqn_resumed_from_a_checkpoint_equals_the_straight_run() {
    let runs = straight_and_resumed("dqn", dqn, |t, agent| {
        t.run(agent, &mut cartpole(), &mut cartpole())
    });
    let straight = &runs.straight;
    assert!(straight.len() > 40, "{} episodes", straight.len());
    assert!(
        straight.iter().any(|r| r.mean_loss.is_some()),
        "updates happen"
    );
    assert_eq!(
        &runs.joined, straight,
        "per-episode returns, losses, epsilons and counters"
    );
    assert_eq!(runs.resumed_summary, runs.straight_summary);
    let probe = [0.02f32, -0.1, 0.03, 0.2];
    assert_eq!(
        runs.resumed_agent.q_values().values(&probe).unwrap(),
        runs.straight_agent.q_values().values(&probe).unwrap()
    );
}

#[test]
fn a2c_resumed_from_a_checkpoint_equals_the_straight_run() {
    let envs = || VecEnv::from_fn(4, |_| CartPole::new(CartPoleConfig::v1())).unwrap();
    let mut runs = straight_and_resumed("a2c", actor_critic, |t, agent| {
        t.run(agent, &mut envs(), &mut cartpole())
    });
    assert!(
        runs.straight.len() > 100,
        "{} episodes",
        runs.straight.len()
    );
    runs.assert_resumed_as_straight();
    let probe = [0.02f32, -0.1, 0.03, 0.2];
    assert_eq!(
        runs.resumed_agent.action_probabilities(&probe).unwrap(),
        runs.straight_agent.action_probabilities(&probe).unwrap()
    );
    assert_eq!(
        runs.resumed_agent.act(&probe, Mode::Exploit).unwrap(),
        runs.straight_agent.act(&probe, Mode::Exploit).unwrap()
    );
}

#[test]
fn normalising_dqn_over_four_copies_resumed_equals_the_straight_run() {
    let normalising = || {
        cartpole_dqn(
            32,
            dqn_test_config()
                .with_learning_starts(300)
                .with_normalize_observations(true)
                .with_normalize_rewards(true)
                .with_seed(8),
        )
    };
    let envs = || VecEnv::from_fn(4, |_| CartPole::new(CartPoleConfig::v1())).unwrap();
    let runs = straight_and_resumed("dqn-norm", normalising, |t, agent| {
        t.run(agent, &mut envs(), &mut cartpole())
    });
    runs.assert_learned_and_resumed_as_straight();
    assert_eq!(
        runs.resumed_agent.observation_normalizer(),
        runs.straight_agent.observation_normalizer()
    );
    let probe = [0.02f32, -0.1, 0.03, 0.2];
    assert_eq!(
        runs.resumed_agent.q_values().values(&probe).unwrap(),
        runs.straight_agent.q_values().values(&probe).unwrap()
    );
}

#[test]
fn rainbow_dqn_over_three_copies_resumed_equals_the_straight_run() {
    // 3-step returns (pending transitions of each copy cross the checkpoints), prioritized
    // replay (priorities, max priority and beta's count in the memory's state), a dueling
    // network, a replay ratio falling across the checkpoints from 2 updates a step to one
    // every other step.
    let rainbow = || {
        let config = dqn_test_config()
            .with_learning_starts(300)
            .with_train_frequency(TrainFrequency::Ratio(AnySchedule::Linear(
                Linear::new(2.0, 0.5, 4_000).unwrap(),
            )))
            .with_n_step(3)
            .with_replay(ReplayKind::Prioritized(PrioritizedConfig::default()))
            .with_seed(9);
        let device = Device::flex();
        let network = DuelingConfig::new(4, 32, 2)
            .with_stream_hidden(vec![])
            .mlp(&[32], &device, 9)
            .unwrap();
        Dqn::new(config, network, 4, 2, &device).unwrap()
    };
    let envs = || VecEnv::from_fn(3, |_| CartPole::new(CartPoleConfig::v1())).unwrap();
    let runs = straight_and_resumed("dqn-rainbow", rainbow, |t, agent| {
        t.run(agent, &mut envs(), &mut cartpole())
    });
    runs.assert_learned_and_resumed_as_straight();
    assert_eq!(
        runs.resumed_agent.memory().to_bytes(),
        runs.straight_agent.memory().to_bytes()
    );
    let probe = [0.02f32, -0.1, 0.03, 0.2];
    assert_eq!(
        runs.resumed_agent.q_values().values(&probe).unwrap(),
        runs.straight_agent.q_values().values(&probe).unwrap()
    );
}

#[test]
fn ppo_resumed_from_a_checkpoint_equals_the_straight_run() {
    let envs = || VecEnv::from_fn(4, |_| Ok(pendulum())).unwrap();
    let runs = straight_and_resumed("ppo", ppo, |t, agent| {
        t.run(agent, &mut envs(), &mut pendulum())
    });
    assert_eq!(runs.straight.len(), 4_000 / 200, "200-step episodes");
    runs.assert_learned_and_resumed_as_straight();
    let probe = [0.6f32, -0.8, 0.3];
    assert_eq!(
        runs.resumed_agent.values(&probe).unwrap(),
        runs.straight_agent.values(&probe).unwrap()
    );
    assert_eq!(
        runs.resumed_agent.observation_normalizer(),
        runs.straight_agent.observation_normalizer()
    );
    let greedy =
        |agent: &mut Ppo<PolicyValueMlp>| -> Vec<f32> { agent.act(&probe, Mode::Exploit).unwrap() };
    let mut straight = runs.straight_agent;
    let mut resumed = runs.resumed_agent;
    assert_eq!(greedy(&mut resumed), greedy(&mut straight));
}

#[test]
fn missing_foreign_and_corrupted_checkpoints_are_errors() {
    let path = temp_path("errors");
    let resume = |config: TrainConfig, path: &Path| {
        Trainer::new(config)
            .resume_from(path)
            .run(&mut dqn(), &mut cartpole(), &mut cartpole())
    };
    assert!(matches!(
        resume(run_config(100), &path),
        Err(Error::Artifact(ArtifactError::Io { .. }))
    ));

    let checkpoints = Checkpoints {
        path: path.clone(),
        every_env_steps: 50,
    };
    Trainer::new(run_config(100))
        .with_checkpoints(checkpoints)
        .run(&mut dqn(), &mut cartpole(), &mut cartpole())
        .unwrap();
    let other_seed = TrainConfig {
        seed: 12,
        ..run_config(200)
    };
    assert!(matches!(
        resume(other_seed, &path),
        Err(Error::Artifact(ArtifactError::Format { .. }))
    ));

    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        resume(run_config(200), &path),
        Err(Error::Artifact(ArtifactError::Format { .. }))
    ));

    // A checkpoint of another agent kind is refused by the agent.
    let envs = || VecEnv::from_fn(4, |_| CartPole::new(CartPoleConfig::v1())).unwrap();
    let a2c_path = path.with_file_name("a2c.cinder");
    Trainer::new(run_config(100))
        .with_checkpoints(Checkpoints {
            path: a2c_path.clone(),
            every_env_steps: 100,
        })
        .run(&mut actor_critic(), &mut envs(), &mut cartpole())
        .unwrap();
    let foreign = resume(run_config(200), &a2c_path);
    assert!(
        matches!(foreign, Err(Error::Artifact(ArtifactError::Format { .. }))),
        "{foreign:?}"
    );
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn sac_resumed_from_a_checkpoint_equals_the_straight_run() {
    let runs = straight_and_resumed("sac", sac, |t, agent| {
        t.run(agent, &mut pendulum(), &mut pendulum())
    });
    runs.assert_learned_and_resumed_as_straight();
    let (mut straight, mut resumed) = (runs.straight_agent, runs.resumed_agent);
    assert_eq!(resumed.alpha().unwrap(), straight.alpha().unwrap());
    assert_eq!(
        resumed.observation_normalizer(),
        straight.observation_normalizer()
    );
    let probe = [0.6f32, -0.8, 0.3];
    for mode in [Mode::Exploit, Mode::Explore] {
        let (a, b): (Vec<f32>, Vec<f32>) = (
            resumed.act(&probe, mode).unwrap(),
            straight.act(&probe, mode).unwrap(),
        );
        assert_eq!(a, b);
    }
}

#[test]
fn td3_with_3_step_returns_and_prioritized_replay_over_three_copies_resumed_equals_the_straight_run()
 {
    // Three copies: the checkpoints fall inside episodes, with transitions of every copy
    // waiting for their 3-step returns.
    let agent = || {
        let config = Td3Config::new()
            .with_batch_size(32)
            .with_learning_starts(500)
            .with_n_step(3)
            .with_replay(ReplayKind::Prioritized(PrioritizedConfig::default()))
            .with_seed(10);
        Td3::with_mlps(config, 3, pendulum().action_space(), &[32], &Device::flex()).unwrap()
    };
    let envs = || VecEnv::from_fn(3, |_| Pendulum::new(PendulumConfig::v1())).unwrap();
    let runs = straight_and_resumed("td3-n-step", agent, |t, agent| {
        t.run(agent, &mut envs(), &mut pendulum())
    });
    runs.assert_learned_and_resumed_as_straight();
    assert!(runs.straight_agent.memory().wants_td_errors());
    assert_eq!(
        runs.resumed_agent.memory().to_bytes(),
        runs.straight_agent.memory().to_bytes()
    );
}

#[test]
fn td3_resumed_from_a_checkpoint_equals_the_straight_run() {
    let runs = straight_and_resumed("td3", td3, |t, agent| {
        t.run(agent, &mut pendulum(), &mut pendulum())
    });
    runs.assert_resumed_as_straight();
    let (mut straight, mut resumed) = (runs.straight_agent, runs.resumed_agent);
    assert_eq!(resumed.updates(), straight.updates());
    let probe = [0.6f32, -0.8, 0.3];
    for mode in [Mode::Exploit, Mode::Explore] {
        let (a, b): (Vec<f32>, Vec<f32>) = (
            resumed.act(&probe, mode).unwrap(),
            straight.act(&probe, mode).unwrap(),
        );
        assert_eq!(a, b);
    }
}
