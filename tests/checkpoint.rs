//! Checkpoints: training N steps, checkpointing, resuming and training N more equals training
//! 2N steps straight, for DQN on one environment and A2C on four; bad checkpoints are errors.

mod common;

use std::path::Path;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::{ActorCritic, ActorCriticConfig, Dqn};
use cinder_rl::env::{CartPole, CartPoleConfig, VecEnv};
use cinder_rl::error::{ArtifactError, Error};
use cinder_rl::nn::{ActorCriticMlp, ActorCriticMlpConfig, Mlp, MlpConfig};
use cinder_rl::train::{Checkpoints, EpisodeRecord, Resumable, TrainConfig, TrainSummary, Trainer};
use common::{budget_run, dqn_test_config};

fn cartpole() -> CartPole {
    CartPole::new(CartPoleConfig::v1()).unwrap()
}

fn run_config(max_env_steps: u64) -> TrainConfig {
    budget_run(11, max_env_steps).with_eval_episodes(2)
}

fn dqn() -> Dqn<Mlp> {
    let device = Device::flex();
    let network = MlpConfig::new(4, 2)
        .with_hidden(vec![32])
        .init(&device, 5)
        .unwrap();
    Dqn::new(
        dqn_test_config().with_learning_starts(300).with_seed(5),
        network,
        4,
        2,
        &device,
    )
    .unwrap()
}

fn actor_critic() -> ActorCritic<ActorCriticMlp> {
    let device = Device::flex();
    let network = ActorCriticMlpConfig::new(4, 2)
        .with_hidden(vec![32])
        .init(&device, 6)
        .unwrap();
    ActorCritic::new(
        ActorCriticConfig::new().with_num_envs(4).with_seed(6),
        network,
        4,
        2,
        &device,
    )
    .unwrap()
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

#[test]
fn dqn_resumed_from_a_checkpoint_equals_the_straight_run() {
    let path = temp_path("dqn");
    let checkpoints = Checkpoints {
        path: path.clone(),
        every_env_steps: 1_000,
    };

    let mut straight_agent = dqn();
    let (straight, straight_summary) = recorded(run_config(4_000), None, None, |t| {
        t.run(&mut straight_agent, &mut cartpole(), &mut cartpole())
    });

    let mut first_agent = dqn();
    let (first, _) = recorded(run_config(2_000), Some(checkpoints.clone()), None, |t| {
        t.run(&mut first_agent, &mut cartpole(), &mut cartpole())
    });
    drop(first_agent);
    // A fresh agent and environment, as in a new process.
    let mut resumed_agent = dqn();
    let (second, resumed_summary) =
        recorded(run_config(4_000), Some(checkpoints), Some(&path), |t| {
            t.run(&mut resumed_agent, &mut cartpole(), &mut cartpole())
        });

    assert!(straight.len() > 40, "{} episodes", straight.len());
    assert!(
        straight.iter().any(|r| r.mean_loss.is_some()),
        "updates happen"
    );
    let joined: Vec<EpisodeRecord> = first.into_iter().chain(second).collect();
    assert_eq!(
        joined, straight,
        "per-episode returns, losses, epsilons and counters"
    );
    assert_eq!(resumed_summary, straight_summary);
    let probe = [0.02f32, -0.1, 0.03, 0.2];
    assert_eq!(
        resumed_agent.q_values().values(&probe).unwrap(),
        straight_agent.q_values().values(&probe).unwrap()
    );
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn a2c_resumed_from_a_checkpoint_equals_the_straight_run() {
    let path = temp_path("a2c");
    let checkpoints = Checkpoints {
        path: path.clone(),
        every_env_steps: 1_000,
    };
    let envs = || VecEnv::from_fn(4, |_| CartPole::new(CartPoleConfig::v1())).unwrap();

    let mut straight_agent = actor_critic();
    let (straight, straight_summary) = recorded(run_config(4_000), None, None, |t| {
        t.run(&mut straight_agent, &mut envs(), &mut cartpole())
    });
    let mut first_agent = actor_critic();
    let (first, _) = recorded(run_config(2_000), Some(checkpoints.clone()), None, |t| {
        t.run(&mut first_agent, &mut envs(), &mut cartpole())
    });
    let mut resumed_agent = actor_critic();
    let (second, resumed_summary) =
        recorded(run_config(4_000), Some(checkpoints), Some(&path), |t| {
            t.run(&mut resumed_agent, &mut envs(), &mut cartpole())
        });

    assert!(straight.len() > 100, "{} episodes", straight.len());
    let joined: Vec<EpisodeRecord> = first.into_iter().chain(second).collect();
    assert_eq!(joined, straight);
    assert_eq!(resumed_summary, straight_summary);
    let probe = [0.02f32, -0.1, 0.03, 0.2];
    assert_eq!(
        resumed_agent.action_probabilities(&probe).unwrap(),
        straight_agent.action_probabilities(&probe).unwrap()
    );
    assert_eq!(
        resumed_agent.act(&probe, Mode::Exploit).unwrap(),
        straight_agent.act(&probe, Mode::Exploit).unwrap()
    );
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
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
