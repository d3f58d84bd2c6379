//! Training over N environment copies: DQN on a `VecEnv` (one copy gives the numbers of the
//! single-environment loop), the stop threshold taken from the training environment with 1 or
//! N copies, per-episode statistics for every episode that ends in a step, and an evaluation
//! environment of another type.

mod common;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode, VecAgent, VecTransitions};
use cinder_rl::agents::{ActorCritic, ActorCriticConfig};
use cinder_rl::env::{CartPole, Environment, Space, Step, VecEnv};
use cinder_rl::error::EnvError;
use cinder_rl::nn::ActorCriticMlpConfig;
use cinder_rl::train::{EpisodeRecord, StopRule, TrainConfig, TrainSummary, Trainer};
use common::{Balancer, Corridor, LENGTH, budget_run, cartpole, cartpole_dqn, dqn_test_config};

fn config(steps: u64) -> TrainConfig {
    budget_run(13, steps).with_eval_episodes(3)
}

/// Runs `train` with a trainer recording every episode, wall times zeroed.
fn recorded(
    config: TrainConfig,
    train: impl FnOnce(&mut Trainer<'_>) -> TrainSummary,
) -> (Vec<EpisodeRecord>, TrainSummary) {
    let mut records = Vec::new();
    let mut trainer = Trainer::new(config).on_episode(|r| {
        records.push(EpisodeRecord {
            wall_s: 0.0,
            ..r.clone()
        });
        Ok(())
    });
    let summary = train(&mut trainer);
    drop(trainer);
    let summary = TrainSummary {
        wall_s: 0.0,
        solved_at_wall_s: None,
        ..summary
    };
    (records, summary)
}

#[test]
fn dqn_on_one_vectorized_copy_gives_the_single_environment_numbers() {
    let agent = || cartpole_dqn(16, dqn_test_config().with_seed(2));
    let mut single = agent();
    let (straight, straight_summary) = recorded(config(2_500), |t| {
        t.run(&mut single, &mut cartpole(), &mut cartpole())
            .unwrap()
    });
    let mut vectorized = agent();
    let mut envs = VecEnv::from_fn(1, |_| Ok(cartpole())).unwrap();
    let (vec_records, vec_summary) = recorded(config(2_500), |t| {
        t.run(&mut vectorized, &mut envs, &mut cartpole()).unwrap()
    });
    assert!(straight.len() > 20, "{} episodes", straight.len());
    assert!(straight.iter().any(|r| r.mean_loss.is_some()));
    assert_eq!(vec_records.len(), straight.len());
    if let Some(i) = (0..straight.len()).find(|&i| vec_records[i] != straight[i]) {
        panic!(
            "episode {i} differs: {:?} against {:?}",
            vec_records[i], straight[i]
        );
    }
    assert_eq!(vec_summary, straight_summary);
    let probe = [0.01f32, 0.2, -0.02, -0.3];
    assert_eq!(
        vectorized.q_values().values(&probe).unwrap(),
        single.q_values().values(&probe).unwrap()
    );
}

#[test]
fn dqn_learns_over_four_copies() {
    let device = Device::flex();
    let network = cinder_rl::nn::MlpConfig::new(LENGTH, 3)
        .with_hidden(vec![32])
        .init(&device, 1)
        .unwrap();
    let dqn_config = dqn_test_config().with_gamma(0.9).with_seed(1);
    let mut agent = cinder_rl::agents::Dqn::new(dqn_config, network, LENGTH, 3, &device).unwrap();
    let mut envs = VecEnv::from_fn(4, |_| Ok(Corridor::new())).unwrap();
    let summary = Trainer::new(config(4_000))
        .run(&mut agent, &mut envs, &mut Corridor::new())
        .unwrap();
    assert_eq!(summary.env_steps, 4_000);
    assert!(summary.updates > 3_000, "{} updates", summary.updates);
    for position in 0..LENGTH - 1 {
        let observation = Corridor::observation_of(position);
        assert_eq!(
            agent.act(&observation, Mode::Exploit).unwrap(),
            2,
            "the greedy action at {position} walks right"
        );
    }
    // A step whose fields disagree is an error.
    let bad = VecTransitions {
        observations: &[0.0; LENGTH],
        actions: &[0, 1],
        rewards: &[0.0],
        next_observations: &[0.0; LENGTH],
        terminated: &[false],
        truncated: &[false],
    };
    assert!(agent.observe_batch(&bad).is_err());
}

/// CartPole whose reward threshold is `threshold`.
struct Threshold(CartPole, f64);

impl Environment for Threshold {
    type Observation = [f32; 4];
    type Action = usize;
    fn reset(&mut self, seed: Option<u64>) -> [f32; 4] {
        self.0.reset(seed)
    }
    fn step(&mut self, action: usize) -> Result<Step<[f32; 4]>, EnvError> {
        self.0.step(action)
    }
    fn action_space(&self) -> Space {
        self.0.action_space()
    }
    fn observation_space(&self) -> Space {
        self.0.observation_space()
    }
    fn reward_threshold(&self) -> Option<f64> {
        Some(self.1)
    }
    fn max_episode_steps(&self) -> Option<usize> {
        self.0.max_episode_steps()
    }
}

#[test]
fn the_stop_threshold_is_the_training_environments_with_one_copy_or_many() {
    // Training episodes return 500, under the training threshold of 1000 and over the
    // evaluation environment's 475: the rule must not be met, with 1 copy or 3.
    let rule = StopRule::MeanReturn {
        window: 2,
        threshold: None,
    };
    let run = config(6_000).with_stop(rule);
    let single = Trainer::new(run.clone())
        .run(
            &mut Balancer,
            &mut Threshold(cartpole(), 1_000.0),
            &mut cartpole(),
        )
        .unwrap();
    let mut envs = VecEnv::from_fn(3, |_| Ok(Threshold(cartpole(), 1_000.0))).unwrap();
    let vectorized = Trainer::new(run.clone())
        .run(&mut Balancer, &mut envs, &mut cartpole())
        .unwrap();
    assert!(!single.solved && !vectorized.solved);
    assert_eq!((single.env_steps, vectorized.env_steps), (6_000, 6_000));
    // Under a threshold of 400 both stop after two episodes of each copy's first round.
    let mut envs = VecEnv::from_fn(3, |_| Ok(Threshold(cartpole(), 400.0))).unwrap();
    let vectorized = Trainer::new(run.clone())
        .run(&mut Balancer, &mut envs, &mut cartpole())
        .unwrap();
    let single = Trainer::new(run)
        .run(
            &mut Balancer,
            &mut Threshold(cartpole(), 400.0),
            &mut cartpole(),
        )
        .unwrap();
    assert!(single.solved && vectorized.solved);
    assert_eq!(single.episodes, 2);
}

#[test]
fn every_episode_ending_in_a_step_of_n_copies_gets_the_step_statistics() {
    let device = Device::flex();
    let network = ActorCriticMlpConfig::new(4, 2)
        .with_hidden(vec![16])
        .init(&device, 4)
        .unwrap();
    let mut agent = ActorCritic::new(
        ActorCriticConfig::new().with_num_envs(8).with_seed(4),
        network,
        4,
        2,
        &device,
    )
    .unwrap();
    let mut envs = VecEnv::from_fn(8, |_| Ok(cartpole())).unwrap();
    let (records, _) = recorded(config(4_000), |t| {
        t.run(&mut agent, &mut envs, &mut cartpole()).unwrap()
    });
    // Eight copies start together, so several episodes end in the same steps: each of them
    // carries that step's statistics (before, only the first did).
    let shared: Vec<&[EpisodeRecord]> = records
        .windows(2)
        .filter(|w| w[0].env_steps == w[1].env_steps)
        .collect();
    assert!(
        shared.len() > 5,
        "{} steps ended several episodes",
        shared.len()
    );
    for w in &shared {
        assert_eq!(
            (w[0].entropy, w[0].mean_loss),
            (w[1].entropy, w[1].mean_loss)
        );
    }
    assert!(shared.iter().filter(|w| w[1].entropy.is_some()).count() > 5);
}
