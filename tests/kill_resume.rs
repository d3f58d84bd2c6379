//! A run killed between two checkpoints, while a checkpoint was being written (its
//! temporary file left behind), resumes to exactly the straight run: for DQN, for the
//! actor-critic over 4 copies and for a pixel DQN.

mod common;

use std::path::PathBuf;

use cinder_rl::agents::ActorCriticConfig;
use cinder_rl::artifacts::{CHECKPOINT_FILE, METRICS_FILE, RunDir, RunIdentity, read_metrics};
use cinder_rl::env::{
    CartPole, CartPoleConfig, PixelConfig, PixelFrames, PixelObservation, VecEnv,
};
use cinder_rl::error::{ArtifactError, Error};
use cinder_rl::memory::ObservationStorage;
use cinder_rl::nn::CnnQNetworkConfig;
use cinder_rl::train::{
    EpisodeRecord, Resumable, TrainConfig, TrainSummary, Trainer, checkpoint_summary,
};
use common::{budget_run, cartpole, cartpole_actor_critic, cartpole_dqn, cnn_dqn, dqn_test_config};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cinder-kill-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_config(max_env_steps: u64) -> TrainConfig {
    budget_run(11, max_env_steps)
}

fn timeless(records: Vec<EpisodeRecord>) -> Vec<EpisodeRecord> {
    records
        .into_iter()
        .map(|r| EpisodeRecord { wall_s: 0.0, ..r })
        .collect()
}

/// Fails the run once an episode ends past `steps`, after the log has its row: what a kill
/// between two checkpoints leaves.
fn killed_after(steps: u64) -> impl FnMut(&EpisodeRecord) -> Result<(), Error> {
    move |record| {
        if record.env_steps > steps {
            Err(ArtifactError::Plot("killed".into()).into())
        } else {
            Ok(())
        }
    }
}

/// A straight run to `steps`, and one killed past `kill_at` while a checkpoint was being
/// written (a temporary file left behind) and resumed to `steps`: both logs must be equal.
fn killed_and_resumed_equals_straight<A>(
    name: &str,
    steps: u64,
    kill_at: u64,
    mut train: impl FnMut(Trainer<'_, Resumable>, &mut A) -> Result<TrainSummary, Error>,
    mut agent: impl FnMut() -> A,
) {
    let base = temp_dir(name);
    let identity = RunIdentity::new(name, "CartPole-v1", "test", 11);
    let straight = RunDir::create(base.join("straight"), identity.clone()).unwrap();
    let straight_summary = train(straight.trainer(run_config(steps), 250), &mut agent()).unwrap();

    let dir = base.join("killed");
    let killed = RunDir::create(&dir, identity.clone()).unwrap();
    let trainer = killed
        .trainer(run_config(steps), 250)
        .on_episode(killed_after(kill_at));
    assert!(train(trainer, &mut agent()).is_err());
    drop(killed);
    let stale = dir.join(".checkpoint.cinder.tmp-999999");
    std::fs::write(&stale, b"CINDERRL half written").unwrap();
    let logged = read_metrics(&dir.join(METRICS_FILE)).unwrap().len() as u64;
    assert!(
        logged
            > checkpoint_summary(&dir.join(CHECKPOINT_FILE))
                .unwrap()
                .episodes
    );

    let resumed = RunDir::resume(&dir, &identity).unwrap();
    let summary = train(resumed.trainer(run_config(steps), 250), &mut agent()).unwrap();
    assert!(!stale.exists(), "the stale temporary file is removed");
    let records = timeless(resumed.records().unwrap());
    assert!(records.len() > 10, "{} episodes", records.len());
    assert_eq!(records, timeless(straight.records().unwrap()));
    assert_eq!(
        (summary.episodes, summary.env_steps, summary.updates),
        (
            straight_summary.episodes,
            straight_summary.env_steps,
            straight_summary.updates
        )
    );
    drop((resumed, straight));
    std::fs::remove_dir_all(base).unwrap();
}

#[test]
fn a_dqn_run_killed_while_writing_resumes_to_the_straight_run() {
    killed_and_resumed_equals_straight(
        "kill-dqn",
        1_200,
        700,
        |mut trainer, agent| trainer.run(agent, &mut cartpole(), &mut cartpole()),
        || cartpole_dqn(16, dqn_test_config().with_learning_starts(200).with_seed(5)),
    );
}

#[test]
fn an_actor_critic_run_killed_while_writing_resumes_to_the_straight_run() {
    let agent = || {
        cartpole_actor_critic(
            16,
            6,
            ActorCriticConfig::new().with_num_envs(4).with_seed(6),
        )
    };
    killed_and_resumed_equals_straight(
        "kill-a2c",
        2_000,
        1_100,
        |mut trainer, agent| {
            let mut envs = VecEnv::from_fn(4, |_| CartPole::new(CartPoleConfig::v1())).unwrap();
            trainer.run(agent, &mut envs, &mut cartpole())
        },
        agent,
    );
}

#[test]
fn a_pixel_dqn_run_killed_while_writing_resumes_to_the_straight_run() {
    // A small grey view of CartPole (the last two 20 x 30 pictures) and a small CNN, with
    // pictures stored as bytes.
    let view = PixelConfig {
        render_width: 60,
        render_height: 40,
        supersample: 2,
        crop_top: 0.25,
        crop_bottom: 0.75,
        view_width: 0.5,
        grayscale: true,
        frames: PixelFrames::Stack(2),
    };
    let env = || PixelObservation::new(cartpole(), view.clone()).unwrap();
    let shape = env().shape();
    assert_eq!(shape, [2, 20, 30]);
    let agent = || {
        let network = CnnQNetworkConfig::new(2, 20, 30, 2)
            .with_channels(vec![4])
            .with_kernel(4)
            .with_stride(4)
            .with_batch_norm(false);
        let config = dqn_test_config()
            .with_replay_capacity(1_000)
            .with_learning_starts(100)
            .with_observation_storage(ObservationStorage::U8 {
                low: 0.0,
                high: 1.0,
            })
            .with_seed(3);
        cnn_dqn(network, 3, config)
    };
    killed_and_resumed_equals_straight(
        "kill-pixels",
        600,
        350,
        |mut trainer, agent| trainer.run(agent, &mut env(), &mut env()),
        agent,
    );
}
