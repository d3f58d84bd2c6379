//! PPO: learning CartPole (discrete) and a continuous reaching task, determinism, the
//! diagnostics and the KL early stop, normalisation frozen at evaluation, validation, saving
//! and loading.

mod common;
#[path = "continuous/reach.rs"]
mod reach;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode, VecAgent, VecTransitions};
use cinder_rl::agents::{Ppo, PpoConfig};
use cinder_rl::env::{CartPole, CartPoleConfig, Environment, Space, VecEnv};
use cinder_rl::error::{AgentError, MemoryError};
use cinder_rl::nn::{ActorCriticMlpConfig, PolicyHead, PolicyValueMlp, PolicyValueMlpConfig};
use cinder_rl::train::{StopRule, TrainConfig, Trainer, evaluate};
use common::budget_run;
use reach::Reach;

const D: usize = 2;

fn network(obs_dim: usize, space: &Space, seed: u64) -> PolicyValueMlp {
    PolicyValueMlpConfig::for_space(obs_dim, space)
        .init(&Device::flex(), seed)
        .unwrap()
}

fn cartpole_ppo(config: PpoConfig) -> Ppo<PolicyValueMlp> {
    let space = Space::discrete(2);
    let seed = config.seed;
    Ppo::new(config, network(4, &space, seed), 4, space, &Device::flex()).unwrap()
}

fn reach_ppo(config: PpoConfig) -> Ppo<PolicyValueMlp> {
    let space = Reach::<D>::new().action_space();
    let seed = config.seed;
    Ppo::new(config, network(D, &space, seed), D, space, &Device::flex()).unwrap()
}

fn cartpoles(n: usize) -> VecEnv<CartPole> {
    VecEnv::from_fn(n, |_| CartPole::new(CartPoleConfig::v1())).unwrap()
}

#[test]
fn the_default_ppo_solves_cartpole() {
    let mut agent = cartpole_ppo(PpoConfig::new().with_seed(3));
    let run = TrainConfig::new(3)
        .with_max_env_steps(Some(200_000))
        .with_stop(StopRule::MeanReturn {
            window: 100,
            threshold: Some(475.0),
        })
        .with_log_every_episodes(0)
        .with_eval_episodes(10);
    let summary = Trainer::new(run)
        .run(&mut agent, &mut cartpoles(8), &mut common::cartpole())
        .unwrap();
    // Seeds 0-4 of the defaults solve CartPole-v1 in 55 000 to 95 000 steps.
    assert!(
        summary.solved_at_env_steps.is_some(),
        "not solved in {} steps: mean-100 {:?}",
        summary.env_steps,
        summary.mean_return_100
    );
    assert!(summary.eval_mean_return.unwrap() > 400.0, "{summary:?}");
    // The diagnostics reach the summary.
    for metric in [
        "approx_kl",
        "clip_fraction",
        "explained_variance",
        "policy_loss",
        "value_loss",
    ] {
        let value = summary.metrics.get(metric).copied();
        assert!(value.is_some_and(f64::is_finite), "{metric}: {value:?}");
    }
    assert!(summary.metrics["explained_variance"] <= 1.0);
    assert!((0.0..=1.0).contains(&summary.metrics["clip_fraction"]));
}

/// The mean return of the deterministic policy over 200 one-step episodes (0 is perfect).
fn greedy_reach(agent: &mut Ppo<PolicyValueMlp>) -> f64 {
    evaluate(agent, &mut Reach::<D>::new(), 200, 7)
        .unwrap()
        .mean_return()
}

#[test]
fn a_gaussian_policy_learns_to_reach_and_its_actions_stay_in_the_box() {
    let config = PpoConfig::new()
        .with_num_envs(4)
        .with_n_rollout(64)
        .with_batch_size(64)
        .with_learning_rate(3e-3)
        .with_normalize_rewards(false)
        .with_seed(1);
    let mut agent = reach_ppo(config);
    let before = greedy_reach(&mut agent);
    let mut envs = VecEnv::from_fn(4, |_| Ok(Reach::<D>::new())).unwrap();
    Trainer::new(budget_run(1, 12_000))
        .run(&mut agent, &mut envs, &mut Reach::<D>::new())
        .unwrap();
    let after = greedy_reach(&mut agent);
    // A target is uniform in [-1, 1]^2: answering 0 costs 2/3 on average.
    assert!(before < -0.5, "untrained: {before}");
    assert!(after > -0.05, "trained: {after} (untrained {before})");
    // Samples of a wide Gaussian are clipped to the box before they are sent.
    let mut wide = reach_ppo(PpoConfig::new().with_num_envs(1));
    let far = [0.9f32, -0.9];
    for _ in 0..200 {
        let action: [f32; D] = wide.act(&far, Mode::Explore).unwrap();
        assert!(
            action.iter().all(|a| (-1.0..=1.0).contains(a)),
            "{action:?}"
        );
    }
}

/// The losses and diagnostics of every update of a short run on 4 CartPoles.
fn cartpole_trace(config: PpoConfig) -> Vec<(f32, Vec<(&'static str, f64)>)> {
    let mut agent = cartpole_ppo(config.with_num_envs(4).with_n_rollout(32));
    let mut envs = cartpoles(4);
    let mut observations = envs.reset(Some(config_seed(&agent))).unwrap().to_vec();
    let mut actions = Vec::new();
    let mut trace = Vec::new();
    for _ in 0..256 {
        agent
            .act_batch(&observations, Mode::Explore, &mut actions)
            .unwrap();
        let step = envs.step(&actions).unwrap();
        let learned = agent
            .observe_batch(&VecTransitions {
                observations: &observations,
                actions: &actions,
                rewards: step.rewards,
                next_observations: step.next_observations,
                terminated: step.terminated,
                truncated: step.truncated,
            })
            .unwrap();
        observations = step.observations.to_vec();
        if let Some(loss) = learned.loss {
            trace.push((loss, learned.metrics.iter().collect()));
        }
    }
    trace
}

fn config_seed(agent: &Ppo<PolicyValueMlp>) -> u64 {
    agent.config().seed
}

#[test]
fn the_same_seed_gives_the_same_updates_and_kl_stops_the_epochs() {
    let first = cartpole_trace(PpoConfig::new().with_seed(4));
    assert_eq!(first.len(), 256 / 32, "an update per full rollout");
    assert_eq!(first, cartpole_trace(PpoConfig::new().with_seed(4)));
    assert_ne!(first, cartpole_trace(PpoConfig::new().with_seed(5)));
    let epochs = |trace: &[(f32, Vec<(&str, f64)>)]| -> Vec<f64> {
        trace
            .iter()
            .map(|(_, m)| m.iter().find(|(k, _)| *k == "epochs").unwrap().1)
            .collect()
    };
    assert!(epochs(&first).iter().all(|&e| e == 10.0));
    // A tiny KL target stops every update after its first epoch or early in its second.
    let stopped = cartpole_trace(PpoConfig::new().with_seed(4).with_target_kl(Some(1e-7)));
    assert!(
        epochs(&stopped).iter().all(|&e| e <= 2.0),
        "{:?}",
        epochs(&stopped)
    );
}

#[test]
fn evaluation_leaves_the_normalisation_statistics_as_they_are() {
    let mut agent = cartpole_ppo(PpoConfig::new().with_num_envs(4).with_n_rollout(16));
    Trainer::new(budget_run(2, 400))
        .run(&mut agent, &mut cartpoles(4), &mut common::cartpole())
        .unwrap();
    let trained = agent.observation_normalizer().unwrap().clone();
    assert!(
        trained.stats().count() > 399.0,
        "every observation acted on counts"
    );
    evaluate(&mut agent, &mut common::cartpole(), 3, 0).unwrap();
    assert_eq!(agent.observation_normalizer(), Some(&trained));
}

#[test]
fn invalid_settings_and_inputs_are_typed_errors() {
    let field = |config: PpoConfig| match config.validate() {
        Err(AgentError::InvalidConfig { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field(PpoConfig::new().with_clip_range(0.0)), "clip_range");
    assert_eq!(field(PpoConfig::new().with_gae_lambda(1.5)), "gae_lambda");
    assert_eq!(field(PpoConfig::new().with_n_epochs(0)), "n_epochs");
    assert_eq!(field(PpoConfig::new().with_batch_size(1)), "batch_size");
    assert_eq!(
        field(PpoConfig::new().with_target_kl(Some(-1.0))),
        "target_kl"
    );
    assert_eq!(
        field(PpoConfig::new().with_clip_range_vf(Some(f64::NAN))),
        "clip_range_vf"
    );
    assert_eq!(
        field(PpoConfig::new().with_entropy_coef(-0.1)),
        "entropy_coef"
    );
    PpoConfig::new()
        .with_batch_size(1)
        .with_normalize_advantage(false)
        .validate()
        .unwrap();

    let device = Device::flex();
    let torque = Space::boxed(vec![-2.0], vec![2.0]);
    // A categorical network for a box, a Gaussian of the wrong width: refused at construction.
    let categorical = ActorCriticMlpConfig::new(3, 1).init(&device, 0).unwrap();
    assert!(matches!(
        Ppo::new(PpoConfig::new(), categorical, 3, torque.clone(), &device),
        Err(AgentError::InvalidConfig {
            field: "network",
            ..
        })
    ));
    let two = PolicyValueMlpConfig::new(
        3,
        PolicyHead::Gaussian {
            dim: 2,
            log_std_init: 0.0,
        },
    )
    .init(&device, 0)
    .unwrap();
    assert!(matches!(
        Ppo::new(PpoConfig::new(), two, 3, torque, &device),
        Err(AgentError::InvalidConfig {
            field: "network",
            ..
        })
    ));

    let mut agent = cartpole_ppo(PpoConfig::new().with_num_envs(2));
    let observations = [0.0f32; 8];
    assert!(matches!(
        VecAgent::<usize>::act_batch(
            &mut agent,
            &observations[..7],
            Mode::Explore,
            &mut Vec::new()
        ),
        Err(AgentError::ObservationLength { .. })
    ));
    // A discrete agent cannot answer with values.
    let mut values: Vec<Vec<f32>> = Vec::new();
    assert!(matches!(
        agent.act_batch(&observations, Mode::Explore, &mut values),
        Err(AgentError::Memory(MemoryError::ActionShape { .. }))
    ));
    let step = |actions: &'static [usize]| VecTransitions {
        observations: &[0.0; 8],
        actions,
        rewards: &[1.0, 1.0],
        next_observations: &[0.0; 8],
        terminated: &[false, false],
        truncated: &[false, false],
    };
    assert!(matches!(
        agent.observe_batch(&step(&[0, 2])),
        Err(AgentError::InvalidAction { action: 2, .. })
    ));
    assert!(
        agent.observe_batch(&step(&[0])).is_err(),
        "one action for two copies"
    );
    let untouched = agent.observation_normalizer().unwrap().clone();
    assert_eq!(
        untouched.stats().count(),
        1e-4,
        "refused steps change nothing"
    );
    agent.observe_batch(&step(&[0, 1])).unwrap();
}

#[test]
fn saved_agents_reload_exactly_and_bad_files_are_errors() {
    let dir = std::env::temp_dir().join(format!("cinder-ppo-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("agent.cinder");
    let config = PpoConfig::new().with_num_envs(4).with_n_rollout(16);
    let mut trained = reach_ppo(config.clone().with_seed(2));
    let mut envs = VecEnv::from_fn(4, |_| Ok(Reach::<D>::new())).unwrap();
    Trainer::new(budget_run(2, 640))
        .run(&mut trained, &mut envs, &mut Reach::<D>::new())
        .unwrap();
    trained.save(&path).unwrap();

    let mut fresh = reach_ppo(config.clone().with_seed(9));
    let probe = [0.3f32, -0.6];
    let untouched = fresh.values(&probe).unwrap();
    assert!(matches!(
        fresh.load(&dir.join("missing")),
        Err(AgentError::Io { .. })
    ));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(dir.join("cut"), &bytes[..bytes.len() - 3]).unwrap();
    assert!(matches!(
        fresh.load(&dir.join("cut")),
        Err(AgentError::Format { .. })
    ));
    // The weights were trained on normalised observations: an agent that does not normalise
    // refuses them, and the other way round.
    let mut raw = reach_ppo(config.clone().with_normalize_observations(false));
    assert!(matches!(raw.load(&path), Err(AgentError::Format { .. })));
    raw.save(&dir.join("raw")).unwrap();
    assert!(matches!(
        fresh.load(&dir.join("raw")),
        Err(AgentError::Format { .. })
    ));
    assert_eq!(
        fresh.values(&probe).unwrap(),
        untouched,
        "refused loads change nothing"
    );

    fresh.load(&path).unwrap();
    assert_eq!(
        fresh.values(&probe).unwrap(),
        trained.values(&probe).unwrap()
    );
    assert_eq!(
        fresh.observation_normalizer(),
        trained.observation_normalizer()
    );
    let greedy =
        |agent: &mut Ppo<PolicyValueMlp>| -> [f32; D] { agent.act(&probe, Mode::Exploit).unwrap() };
    assert_eq!(greedy(&mut fresh), greedy(&mut trained));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn schedules_and_value_clipping_reach_the_updates() {
    use cinder_rl::policy::{AnySchedule, Linear};
    let metric = |trace: &[(f32, Vec<(&'static str, f64)>)], name: &str| -> Vec<f64> {
        trace
            .iter()
            .map(|(_, m)| m.iter().find(|(k, _)| *k == name).unwrap().1)
            .collect()
    };
    // Both fall linearly over the 1 024 steps of the trace (an update every 128).
    let scheduled = PpoConfig::new()
        .with_seed(6)
        .with_learning_rate_schedule(Some(AnySchedule::Linear(
            Linear::new(1e-3, 1e-4, 1_024).unwrap(),
        )))
        .with_clip_range_schedule(Some(AnySchedule::Linear(
            Linear::new(0.3, 0.1, 1_024).unwrap(),
        )));
    let trace = cartpole_trace(scheduled);
    let rates = metric(&trace, "learning_rate");
    let clips = metric(&trace, "clip_range");
    assert!(
        (rates[0] - (1e-3 - 9e-4 * 128.0 / 1024.0)).abs() < 1e-12,
        "{rates:?}"
    );
    assert!(rates.windows(2).all(|w| w[1] < w[0]), "{rates:?}");
    assert!(
        (clips[0] - (0.3 - 0.2 * 128.0 / 1024.0)).abs() < 1e-12,
        "{clips:?}"
    );
    assert!(clips.windows(2).all(|w| w[1] < w[0]), "{clips:?}");
    // Clipped value predictions change the losses, and keep them finite.
    let plain = cartpole_trace(PpoConfig::new().with_seed(6));
    let clipped = cartpole_trace(PpoConfig::new().with_seed(6).with_clip_range_vf(Some(0.01)));
    assert_ne!(metric(&plain, "value_loss"), metric(&clipped, "value_loss"));
    assert!(clipped.iter().all(|(loss, _)| loss.is_finite()));
}
