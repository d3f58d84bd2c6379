//! SAC and TD3: learning a continuous reaching task, determinism, the random warm-up, N copies
//! at once, validation, saving and loading. (The updates' targets, α's tuning and TD3's
//! delay are unit-tested beside the updates; exact resume is in `checkpoint.rs`.)

mod common;
#[path = "continuous/reach.rs"]
mod reach;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode, VecAgent, VecTransitions};
use cinder_rl::agents::sac::EntropyCoefficient;
use cinder_rl::agents::{Sac, SacConfig, Td3, Td3Config};
use cinder_rl::env::{Environment, Space, VecEnv};
use cinder_rl::error::{AgentError, MemoryError};
use cinder_rl::memory::{ReplayMemory, Transition};
use cinder_rl::nn::{Mlp, MlpConfig, Twin};
use cinder_rl::train::{EpisodeRecord, Trainer, evaluate};
use common::budget_run;
use reach::Reach;

const D: usize = 2;
const HIDDEN: [usize; 2] = [32, 32];

fn sac_config(seed: u64) -> SacConfig {
    SacConfig::new()
        .with_batch_size(64)
        .with_learning_starts(200)
        .with_replay_capacity(5_000)
        .with_seed(seed)
}

fn td3_config(seed: u64) -> Td3Config {
    Td3Config::new()
        .with_batch_size(64)
        .with_learning_starts(200)
        .with_replay_capacity(5_000)
        .with_seed(seed)
}

fn reach_space() -> Space {
    Reach::<D>::new().action_space()
}

fn sac(config: SacConfig) -> Sac<Mlp, Mlp> {
    Sac::with_mlps(config, D, reach_space(), &HIDDEN, &Device::flex()).unwrap()
}

fn td3(config: Td3Config) -> Td3<Mlp, Mlp> {
    Td3::with_mlps(config, D, reach_space(), &HIDDEN, &Device::flex()).unwrap()
}

/// The mean greedy return over 100 targets (0 is perfect; answering 0 scores -2/3).
fn greedy<A: Agent<[f32; D], [f32; D]>>(agent: &mut A) -> f64 {
    evaluate(agent, &mut Reach::<D>::new(), 100, 99)
        .unwrap()
        .mean_return()
}

/// The episode records of `steps` steps of training.
fn train<A: Agent<[f32; D], [f32; D]>>(agent: &mut A, seed: u64, steps: u64) -> Vec<EpisodeRecord> {
    let mut records = Vec::new();
    Trainer::new(budget_run(seed, steps))
        .on_episode(|record| {
            records.push(record.clone());
            Ok(())
        })
        .run(agent, &mut Reach::<D>::new(), &mut Reach::<D>::new())
        .unwrap();
    records
        .into_iter()
        .map(|r| EpisodeRecord { wall_s: 0.0, ..r })
        .collect()
}

#[test]
fn sac_and_td3_learn_to_reach() {
    let mut sac = sac(sac_config(1));
    let before = greedy(&mut sac);
    train(&mut sac, 1, 1_500);
    let after = greedy(&mut sac);
    assert!(before < -0.3, "untrained SAC: {before}");
    assert!(after > -0.05, "trained SAC: {after} (untrained {before})");
    assert!(sac.updates() > 1_000);

    let mut td3 = td3(td3_config(1));
    let before = greedy(&mut td3);
    train(&mut td3, 1, 1_500);
    let after = greedy(&mut td3);
    assert!(before < -0.3, "untrained TD3: {before}");
    assert!(after > -0.05, "trained TD3: {after} (untrained {before})");
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let run_sac = |seed| {
        let mut agent = sac(sac_config(seed));
        let records = train(&mut agent, seed, 400);
        let action: [f32; D] = agent.act(&[0.3, -0.4], Mode::Explore).unwrap();
        (records, action)
    };
    assert_eq!(run_sac(3), run_sac(3));
    assert_ne!(run_sac(3), run_sac(4));
    let run_td3 = |seed| {
        let mut agent = td3(td3_config(seed));
        let records = train(&mut agent, seed, 400);
        let action: [f32; D] = agent.act(&[0.3, -0.4], Mode::Explore).unwrap();
        (records, action)
    };
    assert_eq!(run_td3(3), run_td3(3));
    assert_ne!(run_td3(3), run_td3(4));
}

#[test]
fn actions_are_uniform_in_the_box_until_learning_starts_then_the_actor_s() {
    let space = Space::boxed(vec![-2.0, 10.0], vec![2.0, 11.0]);
    let mut agent = Sac::with_mlps(
        sac_config(0).with_learning_starts(300),
        D,
        space,
        &HIDDEN,
        &Device::flex(),
    )
    .unwrap();
    let observation = [0.1f32, 0.2];
    let mut first = Vec::new();
    for _ in 0..300 {
        let action: Vec<f32> = agent.act(&observation, Mode::Explore).unwrap();
        assert!((-2.0..=2.0).contains(&action[0]) && (10.0..=11.0).contains(&action[1]));
        first.push(action[0]);
        agent
            .observe(&Transition {
                observation,
                action,
                reward: 0.0,
                next_observation: observation,
                terminated: false,
                truncated: false,
            })
            .unwrap();
    }
    // Uniform on [-2, 2]: a quarter of the draws in each quarter of the interval.
    for quarter in 0..4 {
        let low = -2.0 + quarter as f32;
        let share = first.iter().filter(|&&a| a >= low && a < low + 1.0).count();
        assert!(
            (50..=100).contains(&share),
            "quarter {quarter}: {share} of 300"
        );
    }
    // The untrained actor's squashed mean sits near the box's centre on a greedy step.
    let greedy: Vec<f32> = agent.act(&observation, Mode::Exploit).unwrap();
    assert!(
        greedy[0].abs() < 1.0 && (greedy[1] - 10.5).abs() < 0.25,
        "{greedy:?}"
    );
}

/// The lag-1 correlation of 2 000 exploring actions for one observation.
fn action_correlation(correlation: f64) -> f64 {
    let config = sac_config(0)
        .with_learning_starts(0)
        .with_exploration_correlation(correlation);
    let mut agent = sac(config);
    let actions: Vec<f64> = (0..2_000)
        .map(|_| {
            let action: [f32; D] = agent.act(&[0.2, -0.1], Mode::Explore).unwrap();
            f64::from(action[0])
        })
        .collect();
    let mean = actions.iter().sum::<f64>() / actions.len() as f64;
    let centred: Vec<f64> = actions.iter().map(|a| a - mean).collect();
    let lagged: f64 = centred.windows(2).map(|w| w[0] * w[1]).sum();
    lagged / centred.iter().map(|a| a * a).sum::<f64>()
}

#[test]
fn correlated_exploration_drifts_where_independent_exploration_does_not() {
    let independent = action_correlation(0.0);
    let correlated = action_correlation(0.99);
    assert!(independent.abs() < 0.1, "{independent}");
    assert!(correlated > 0.9, "{correlated}");
}

#[test]
fn n_copies_train_together() {
    let mut agent = td3(td3_config(2).with_learning_starts(100));
    let mut envs = VecEnv::from_fn(4, |_| Ok(Reach::<D>::new())).unwrap();
    let mut records = 0;
    let summary = Trainer::new(budget_run(2, 800))
        .on_episode(|_| {
            records += 1;
            Ok(())
        })
        .run(&mut agent, &mut envs, &mut Reach::<D>::new())
        .unwrap();
    assert_eq!(summary.env_steps, 800);
    assert_eq!(records, 800, "one-step episodes");
    assert_eq!(agent.env_steps(), 800);
    // One update per step of each copy, once 100 transitions are stored.
    assert_eq!(agent.updates(), 701);
    // A step whose fields disagree is refused before anything is stored.
    let stored = agent.memory().len();
    let step = VecTransitions {
        observations: &[0.0; 2 * D],
        actions: &[[0.0f32; D]; 2],
        rewards: &[0.0],
        next_observations: &[0.0; 2 * D],
        terminated: &[false, false],
        truncated: &[false, false],
    };
    assert!(matches!(
        agent.observe_batch(&step),
        Err(AgentError::InvalidConfig { field: "step", .. })
    ));
    assert_eq!(agent.memory().len(), stored);
}

#[test]
fn invalid_settings_and_inputs_are_typed_errors() {
    let device = Device::flex();
    let invalid = |result: Result<Sac<Mlp, Mlp>, AgentError>, expected: &str| match result {
        Err(AgentError::InvalidConfig { field, .. }) => assert_eq!(field, expected),
        Err(other) => panic!("{expected}: {other}"),
        Ok(_) => panic!("{expected}: accepted"),
    };
    let with = |config: SacConfig| Sac::with_mlps(config, D, reach_space(), &HIDDEN, &device);
    invalid(with(sac_config(0).with_tau(0.0)), "tau");
    invalid(with(sac_config(0).with_policy_delay(0)), "policy_delay");
    invalid(
        with(sac_config(0).with_target_update_interval(0)),
        "target_update_interval",
    );
    invalid(
        with(sac_config(0).with_entropy_coefficient(EntropyCoefficient::Fixed(-0.1))),
        "entropy_coefficient",
    );
    invalid(
        with(sac_config(0).with_target_entropy(Some(f64::NAN))),
        "target_entropy",
    );
    invalid(with(sac_config(0).with_batch_size(0)), "batch_size");
    invalid(
        with(sac_config(0).with_exploration_correlation(1.0)),
        "exploration_correlation",
    );
    invalid(
        with(sac_config(0).with_critic_learning_rate(0.0)),
        "learning_rate",
    );
    // Spaces SAC cannot act in.
    for space in [Space::discrete(3), Space::unbounded(vec![D])] {
        invalid(
            Sac::with_mlps(sac_config(0), D, space, &HIDDEN, &device),
            "action space",
        );
    }
    // An actor of the wrong width: SAC's outputs means and log standard deviations.
    let narrow = MlpConfig::new(D, D).init(&device, 0).unwrap();
    let critic = MlpConfig::new(2 * D, 1);
    let critics = || {
        Twin::new(
            critic.init(&device, 1).unwrap(),
            critic.init(&device, 2).unwrap(),
        )
    };
    invalid(
        Sac::new(
            sac_config(0),
            narrow.clone(),
            critics(),
            D,
            reach_space(),
            &device,
        ),
        "network",
    );
    // ...which is TD3's width; TD3 refuses a critic of the wrong input.
    assert!(
        Td3::new(
            td3_config(0),
            narrow.clone(),
            critics(),
            D,
            reach_space(),
            &device
        )
        .is_ok()
    );
    let short = MlpConfig::new(D, 1);
    let bad_critics = Twin::new(
        short.init(&device, 1).unwrap(),
        short.init(&device, 2).unwrap(),
    );
    assert!(matches!(
        Td3::new(
            td3_config(0),
            narrow,
            bad_critics,
            D,
            reach_space(),
            &device
        ),
        Err(AgentError::InvalidConfig {
            field: "network",
            ..
        })
    ));
    for config in [
        td3_config(0).with_policy_delay(0),
        td3_config(0).with_target_noise_clip(-1.0),
    ] {
        assert!(matches!(
            Td3::with_mlps(config, D, reach_space(), &HIDDEN, &device),
            Err(AgentError::InvalidConfig { .. })
        ));
    }

    // Inputs that do not fit.
    let mut agent = sac(sac_config(0));
    assert!(matches!(
        Agent::<[f32; 3], [f32; D]>::act(&mut agent, &[0.0; 3], Mode::Explore),
        Err(AgentError::ObservationLength {
            expected: 2,
            actual: 3
        })
    ));
    let transition = |action: Vec<f32>| Transition {
        observation: [0.0f32; D],
        action,
        reward: 0.0,
        next_observation: [0.0f32; D],
        terminated: false,
        truncated: false,
    };
    assert!(matches!(
        agent.observe(&transition(vec![0.0; 3])),
        Err(AgentError::Memory(MemoryError::ActionShape { .. }))
    ));
    assert!(matches!(
        agent.observe(&transition(vec![f32::NAN, 0.0])),
        Err(AgentError::InvalidConfig {
            field: "action",
            ..
        })
    ));
    assert_eq!(agent.env_steps(), 0, "nothing stored");
    assert!(matches!(
        agent.learn(),
        Err(AgentError::Memory(MemoryError::NotEnoughTransitions { .. }))
    ));
}

#[test]
fn saved_agents_reload_exactly_and_foreign_files_are_errors() {
    let dir = std::env::temp_dir().join(format!("cinder-sac-td3-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let probe = [0.3f32, -0.6];

    let mut trained = sac(sac_config(5).with_normalize_observations(true));
    train(&mut trained, 5, 400);
    let path = dir.join("sac.cinder");
    trained.save(&path).unwrap();
    let mut fresh = sac(sac_config(6).with_normalize_observations(true));
    let untouched: [f32; D] = fresh.act(&probe, Mode::Exploit).unwrap();
    // Weights trained on normalised observations need the statistics.
    let mut raw = sac(sac_config(6));
    assert!(matches!(raw.load(&path), Err(AgentError::Format { .. })));
    // A TD3 agent refuses a SAC file.
    let mut other = td3(td3_config(6));
    assert!(matches!(other.load(&path), Err(AgentError::Format { .. })));
    assert!(matches!(
        fresh.load(&dir.join("missing")),
        Err(AgentError::Io { .. })
    ));
    let again: [f32; D] = fresh.act(&probe, Mode::Exploit).unwrap();
    assert_eq!(again, untouched, "refused loads change nothing");
    fresh.load(&path).unwrap();
    let (a, b): ([f32; D], [f32; D]) = (
        fresh.act(&probe, Mode::Exploit).unwrap(),
        trained.act(&probe, Mode::Exploit).unwrap(),
    );
    assert_eq!(a, b);
    assert_eq!(
        fresh.observation_normalizer(),
        trained.observation_normalizer()
    );

    let mut trained = td3(td3_config(5));
    train(&mut trained, 5, 400);
    let path = dir.join("td3.cinder");
    trained.save(&path).unwrap();
    let mut fresh = td3(td3_config(7));
    fresh.load(&path).unwrap();
    let (a, b): ([f32; D], [f32; D]) = (
        fresh.act(&probe, Mode::Exploit).unwrap(),
        trained.act(&probe, Mode::Exploit).unwrap(),
    );
    assert_eq!(a, b);
    std::fs::remove_dir_all(dir).unwrap();
}
