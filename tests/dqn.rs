//! DQN: learning on environments other than CartPole, truncation semantics, determinism,
//! validation, saving and loading.

mod common;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Checkpoint, Mode};
use cinder_rl::agents::dqn::{TargetUpdate, TrainFrequency};
use cinder_rl::agents::{Dqn, DqnConfig, ValueLoss};
use cinder_rl::env::{CartPole, CartPoleConfig, Environment};
use cinder_rl::error::{AgentError, MemoryError};
use cinder_rl::memory::{PrioritizedConfig, ReplayKind, ReplayMemory, Transition};
use cinder_rl::nn::{DuelingConfig, Mlp, MlpConfig};
use cinder_rl::policy::{ActionValues, AnySchedule, Constant, Linear};
use cinder_rl::rand::RngExt;
use cinder_rl::train::{evaluate, train};
use common::{Corridor, LENGTH, Treadmill, budget_run, dqn_test_config, explore_step};

fn mlp(obs_dim: usize, n_actions: usize, hidden: usize, seed: u64) -> Mlp {
    MlpConfig::new(obs_dim, n_actions)
        .with_hidden(vec![hidden])
        .init(&Device::flex(), seed)
        .unwrap()
}

#[test]
fn learns_the_optimal_action_on_a_custom_environment() {
    let config = dqn_test_config().with_gamma(0.9).with_seed(3);
    let mut agent = Dqn::new(config, mlp(LENGTH, 3, 32, 3), LENGTH, 3, &Device::flex()).unwrap();
    let summary = learn_the_corridor(&mut agent, 3);
    assert_eq!(summary.env_steps, 3_000);
    assert!(summary.updates > 2_000);
    // The agent acts from its parameters on the host: the same choices as the network's own
    // forward pass through the tensors.
    let tensors = through_tensors(agent.q_values().network().clone(), LENGTH, 3);
    let mut rng = cinder_rl::rng::seeded(0);
    for _ in 0..200 {
        let observation: Vec<f32> = (0..LENGTH).map(|_| rng.random_range(-1.0..1.0)).collect();
        let acted = agent.act(&observation, Mode::Exploit).unwrap();
        let greedy = tensors.greedy_action(&observation[..]).unwrap();
        assert_eq!(acted, greedy);
    }
}

/// Trains `agent` on the corridor for 3 000 steps (run seed `seed`), checks that it walks
/// right from every cell and that its greedy evaluation over 20 episodes is near optimal,
/// and returns the run's summary.
fn learn_the_corridor<M: cinder_rl::nn::QNetwork>(
    agent: &mut Dqn<M>,
    seed: u64,
) -> cinder_rl::train::TrainSummary {
    let (mut env, mut eval_env) = (Corridor::new(), Corridor::new());
    let train_config = budget_run(seed, 3_000).with_eval_episodes(20);
    let summary = train(agent, &mut env, &mut eval_env, train_config).unwrap();
    for position in 0..LENGTH - 1 {
        let action = agent
            .act(&Corridor::observation_of(position), Mode::Exploit)
            .unwrap();
        assert_eq!(
            action, 2,
            "the optimal action from cell {position} is right"
        );
    }
    // Optimal returns: 1 - 0.1 * (cells to walk - 1), between 0.7 and 1.0.
    let evaluation = summary.eval_mean_return.unwrap();
    assert!(evaluation > 0.7, "greedy evaluation {evaluation}");
    summary
}

/// Trains on the treadmill with the MSE loss and returns the learned Q(s, 0).
fn treadmill_value(terminate: bool) -> f32 {
    let config = dqn_test_config()
        .with_loss(ValueLoss::Mse)
        .with_gamma(0.9)
        .with_learning_rate(3e-3)
        .with_learning_starts(64)
        .with_batch_size(64)
        .with_replay_capacity(1_000)
        .with_target_update(TargetUpdate::HardEverySteps(50))
        .with_exploration(AnySchedule::Constant(Constant::new(0.5).unwrap()))
        .with_seed(1);
    let mut agent = Dqn::new(config, mlp(1, 2, 16, 1), 1, 2, &Device::flex()).unwrap();
    let mut env = Treadmill::new(10, terminate);
    let mut observation = env.reset(Some(0));
    for _ in 0..4_000 {
        observation = explore_step(&mut agent, &mut env, observation).1;
    }
    agent.q_values().values(&[1.0]).unwrap()[0]
}

#[test]
fn truncation_bootstraps_and_termination_does_not() {
    // Truncated every 10 steps, the process goes on: Q = 1 / (1 - 0.9) = 10.
    let truncated = treadmill_value(false);
    assert!(
        (truncated - 10.0).abs() < 0.5,
        "Q under truncation {truncated}, expected 10"
    );
    // Terminated every 10 steps, one transition in ten has the target 1 and nine have
    // 1 + 0.9 Q: the least-squares fixed point is Q = 0.1 + 0.9 (1 + 0.9 Q), Q = 1 / 0.19.
    let terminated = treadmill_value(true);
    assert!(
        (terminated - 1.0 / 0.19).abs() < 0.6,
        "Q under termination {terminated}, expected 5.26"
    );
}

/// The losses of a short seeded CartPole run.
fn cartpole_losses(seed: u64) -> Vec<f32> {
    let config = dqn_test_config().with_seed(seed);
    let mut agent = Dqn::new(config, mlp(4, 2, 32, seed), 4, 2, &Device::flex()).unwrap();
    let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
    let mut observation = env.reset(Some(seed));
    let mut losses = Vec::new();
    for _ in 0..1_000 {
        let (learned, next) = explore_step(&mut agent, &mut env, observation);
        losses.extend(learned.loss);
        observation = next;
    }
    losses
}

#[test]
fn the_same_seed_gives_the_same_losses() {
    let first = cartpole_losses(7);
    assert_eq!(
        first.len(),
        901,
        "one update per step once 100 transitions are stored"
    );
    let second = cartpole_losses(7);
    assert_eq!(bits(&first), bits(&second));
    assert_ne!(bits(&first), bits(&cartpole_losses(8)));
}

#[test]
fn invalid_settings_are_typed_errors() {
    let device = Device::flex();
    let build = |config: DqnConfig| Dqn::new(config, mlp(4, 2, 8, 0), 4, 2, &device).err();
    let field = |e: Option<AgentError>| match e {
        Some(AgentError::InvalidConfig { field, .. }) => field,
        other => panic!("expected InvalidConfig, got {other:?}"),
    };
    assert_eq!(field(build(DqnConfig::new().with_gamma(1.5))), "gamma");
    assert_eq!(
        field(build(DqnConfig::new().with_learning_rate(0.0))),
        "learning_rate"
    );
    assert_eq!(
        field(build(
            DqnConfig::new()
                .with_replay_capacity(10)
                .with_batch_size(11)
        )),
        "batch_size"
    );
    assert_eq!(
        field(build(DqnConfig::new().with_train_frequency(
            TrainFrequency::EverySteps {
                every: 0,
                gradient_steps: 1
            }
        ))),
        "train_frequency"
    );
    assert_eq!(
        field(build(DqnConfig::new().with_train_frequency(
            TrainFrequency::Ratio(AnySchedule::Linear(Linear::new(1.0, -0.5, 100).unwrap()))
        ))),
        "train_frequency"
    );
    assert_eq!(
        field(build(
            DqnConfig::new().with_target_update(TargetUpdate::Polyak { tau: 0.0 })
        )),
        "target_update"
    );
    assert_eq!(
        field(build(DqnConfig::new().with_exploration(
            AnySchedule::Constant(Constant::new(2.0).unwrap())
        ))),
        "exploration"
    );
    // A network that does not fit the spaces.
    assert_eq!(
        field(Dqn::new(DqnConfig::new(), mlp(4, 3, 8, 0), 4, 2, &device).err()),
        "network"
    );
    assert_eq!(
        field(Dqn::new(DqnConfig::new(), mlp(5, 2, 8, 0), 4, 2, &device).err()),
        "network"
    );

    let mut agent = Dqn::new(DqnConfig::new(), mlp(4, 2, 8, 0), 4, 2, &device).unwrap();
    assert!(matches!(
        agent.act(&[0.0f32; 3], Mode::Exploit),
        Err(AgentError::ObservationLength {
            expected: 4,
            actual: 3
        })
    ));
    let bad_action = Transition {
        observation: [0.0f32; 4],
        action: 2,
        reward: 0.0,
        next_observation: [0.0; 4],
        terminated: false,
        truncated: false,
    };
    assert!(matches!(
        agent.observe(&bad_action),
        Err(AgentError::InvalidAction {
            action: 2,
            n_actions: 2
        })
    ));
}

#[test]
fn a_falling_replay_ratio_updates_as_its_schedule_says() {
    // From the 100th transition (learning_starts), a ratio falling from 3 updates a step at
    // step 0 to one update every 4 steps at step 300 and after.
    let config = DqnConfig::new()
        .with_learning_starts(100)
        .with_train_frequency(TrainFrequency::Ratio(AnySchedule::Linear(
            Linear::new(3.0, 0.25, 300).unwrap(),
        )));
    let mut agent = Dqn::new(config, mlp(4, 2, 16, 0), 4, 2, &Device::flex()).unwrap();
    let updates: Vec<u32> = cartpole_transitions(400)
        .iter()
        .map(|t| agent.observe(t).unwrap().updates)
        .collect();
    // Transition i is step t = i + 1, where the ratio is 3 - 2.75 t / 300 (0.25 from 300 on):
    // from 2.08 at step 100 to 1.50 at step 163, 2 updates a step; 1 a step to 254 (0.67);
    // then one every 2 steps to 283 (1 / r below 2.5), every 3 to 296, every 4 after.
    let every = |steps: std::ops::RangeInclusive<u64>, n: u64| -> Vec<u32> {
        steps.map(|t| u32::from(t % n == 0)).collect()
    };
    let mut expected = vec![0; 99];
    expected.extend([2; 64]);
    expected.extend([1; 91]);
    expected.extend(every(255..=283, 2));
    expected.extend(every(284..=296, 3));
    expected.extend(every(297..=400, 4));
    assert_eq!(updates, expected);
}

#[test]
fn the_target_network_changes_only_on_its_schedule_and_never_acts() {
    let config = dqn_test_config()
        .with_learning_starts(32)
        .with_target_update(TargetUpdate::HardEverySteps(50));
    let mut agent = Dqn::new(config, mlp(4, 2, 16, 2), 4, 2, &Device::flex()).unwrap();
    let probe = [0.1f32, -0.2, 0.05, 0.3];
    // Both networks' values through the same tensors (the agent's own values may come from
    // its host copy, which sums in another order).
    let values_of = |net: Mlp| through_tensors(net, 4, 2).values(&probe).unwrap();
    let target_value = |agent: &Dqn<Mlp>| values_of(agent.target_network());
    let online_value = |agent: &Dqn<Mlp>| values_of(agent.q_values().network().clone());
    let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
    let mut observation = env.reset(Some(0));
    let mut before = target_value(&agent);
    for step in 1..=120u64 {
        observation = explore_step(&mut agent, &mut env, observation).1;
        let now = target_value(&agent);
        if step % 50 == 0 {
            assert_ne!(now, before, "copied at step {step}");
            assert_eq!(
                now,
                online_value(&agent),
                "a hard copy equals the online network"
            );
        } else {
            assert_eq!(now, before, "unchanged at step {step}");
        }
        if step > 32 && step % 50 != 0 {
            assert_ne!(online_value(&agent), now, "acting uses the online network");
        }
        before = now;
    }
}

#[test]
fn polyak_averaging_keeps_the_target_out_of_the_autodiff_graph() {
    let config = dqn_test_config()
        .with_learning_starts(32)
        .with_target_update(TargetUpdate::Polyak { tau: 0.1 });
    let mut agent = Dqn::new(config, mlp(4, 2, 16, 4), 4, 2, &Device::flex()).unwrap();
    let transition = Transition {
        observation: [0.1f32; 4],
        action: 1,
        reward: 1.0,
        next_observation: [0.2; 4],
        terminated: false,
        truncated: false,
    };
    for _ in 0..200 {
        agent.observe(&transition).unwrap();
    }
    let output = agent
        .target_network()
        .forward(burn::tensor::Tensor::zeros([1, 4], &Device::flex()));
    assert!(!output.is_autodiff());
    let target = through_tensors(agent.target_network(), 4, 2);
    let (t, o) = (
        target.values(&[0.2; 4]).unwrap(),
        agent.q_values().values(&[0.2; 4]).unwrap(),
    );
    assert_ne!(t, o, "the target trails the online network");
    assert!((t[1] - o[1]).abs() < 1.0, "but follows it: {t:?} vs {o:?}");
}

#[test]
fn saved_agents_reload_exactly_and_bad_files_are_errors() {
    let device = Device::flex();
    let dir = std::env::temp_dir().join(format!("cinder-dqn-save-{}", std::process::id()));
    let path = dir.join("agent.cinder");
    let config = dqn_test_config().with_learning_starts(32);
    let mut trained = Dqn::new(config.clone(), mlp(4, 2, 16, 5), 4, 2, &device).unwrap();
    let transition = Transition {
        observation: [0.3f32, 0.0, -0.1, 0.2],
        action: 0,
        reward: 1.0,
        next_observation: [0.0; 4],
        terminated: true,
        truncated: false,
    };
    for _ in 0..100 {
        trained.observe(&transition).unwrap();
    }
    trained.save(&path).unwrap();

    let mut fresh = Dqn::new(config.clone(), mlp(4, 2, 16, 99), 4, 2, &device).unwrap();
    let probe = [0.3f32, 0.0, -0.1, 0.2];
    let untouched = fresh.q_values().values(&probe).unwrap();
    assert_ne!(untouched, trained.q_values().values(&probe).unwrap());

    // Missing, truncated, corrupted, other shapes: errors, and the agent is unchanged.
    assert!(matches!(
        fresh.load(&dir.join("missing.cinder")),
        Err(AgentError::Io { .. })
    ));
    let bytes = std::fs::read(&path).unwrap();
    let truncated = dir.join("truncated.cinder");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        fresh.load(&truncated),
        Err(AgentError::Format { .. })
    ));
    let mut wider = Dqn::new(config.clone(), mlp(4, 2, 32, 0), 4, 2, &device).unwrap();
    assert!(matches!(wider.load(&path), Err(AgentError::Format { .. })));
    let mut other_spaces = Dqn::new(config.clone(), mlp(5, 2, 16, 0), 5, 2, &device).unwrap();
    assert!(matches!(
        other_spaces.load(&path),
        Err(AgentError::Format { .. })
    ));
    assert_eq!(fresh.q_values().values(&probe).unwrap(), untouched);

    fresh.load(&path).unwrap();
    assert_eq!(
        fresh.q_values().values(&probe).unwrap(),
        trained.q_values().values(&probe).unwrap()
    );
    let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
    let a = evaluate(&mut trained, &mut env, 3, 11).unwrap();
    let b = evaluate(&mut fresh, &mut env, 3, 11).unwrap();
    assert_eq!(a, b);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn learn_batch_fits_given_transitions_and_rejects_bad_batches() {
    use cinder_rl::error::MemoryError;
    use cinder_rl::memory::Batch;

    // One state: action 0 ends the episode with reward 1, action 1 with reward 0.
    let ending = |action: usize| Transition {
        observation: [1.0f32],
        action,
        reward: if action == 0 { 1.0 } else { 0.0 },
        next_observation: [0.0f32],
        terminated: true,
        truncated: false,
    };
    let transitions: Vec<_> = (0..64).map(|i| ending(i % 2)).collect();
    let batch = Batch::from_transitions(&transitions).unwrap();
    let fitted = |reward_scale: f64| {
        let config = dqn_test_config()
            .with_loss(ValueLoss::Mse)
            .with_learning_rate(1e-2)
            .with_learning_rate_schedule(None)
            .with_reward_scale(reward_scale)
            .with_seed(5);
        let mut agent = Dqn::new(config, mlp(1, 2, 16, 5), 1, 2, &Device::flex()).unwrap();
        for _ in 0..300 {
            agent.learn_batch(&batch).unwrap();
        }
        assert_eq!(agent.updates(), 300);
        assert_eq!(
            agent.env_steps(),
            0,
            "nothing went through the replay memory"
        );
        (agent.q_values().values(&[1.0]).unwrap(), agent)
    };
    let (q, mut agent) = fitted(1.0);
    assert!((q[0] - 1.0).abs() < 0.02 && q[1].abs() < 0.02, "{q:?}");
    let (q, _) = fitted(0.5);
    assert!((q[0] - 0.5).abs() < 0.02 && q[1].abs() < 0.02, "{q:?}");

    // Bad batches are errors and leave the agent as it was.
    let before = agent.q_values().values(&[1.0]).unwrap();
    let wide = Batch::from_transitions(&[Transition {
        observation: [1.0f32, 0.0],
        action: 0,
        reward: 1.0,
        next_observation: [0.0, 0.0],
        terminated: true,
        truncated: false,
    }])
    .unwrap();
    assert!(matches!(
        agent.learn_batch(&wide),
        Err(AgentError::ObservationLength {
            expected: 1,
            actual: 2
        })
    ));
    let out_of_range = Batch::from_transitions(&[ending(2)]).unwrap();
    assert!(matches!(
        agent.learn_batch(&out_of_range),
        Err(AgentError::InvalidAction {
            action: 2,
            n_actions: 2
        })
    ));
    let mut ragged = batch.clone();
    ragged.rewards.pop();
    assert!(matches!(
        agent.learn_batch(&ragged),
        Err(AgentError::InvalidConfig { field: "batch", .. })
    ));
    assert_eq!(agent.q_values().values(&[1.0]).unwrap(), before);
    assert_eq!(agent.updates(), 300);

    let empty: [Transition<[f32; 1]>; 0] = [];
    assert_eq!(
        Batch::from_transitions(&empty),
        Err(MemoryError::EmptyBatch)
    );
    let mixed = [Transition {
        observation: vec![1.0f32],
        action: 0,
        reward: 1.0,
        next_observation: vec![0.0f32, 0.0],
        terminated: true,
        truncated: false,
    }];
    assert_eq!(
        Batch::from_transitions(&mixed),
        Err(MemoryError::ObservationLength {
            expected: 1,
            actual: 2
        })
    );
}

#[test]
fn normalising_agents_learn_save_their_statistics_and_keep_them_while_evaluating() {
    let device = Device::flex();
    let normalising = dqn_test_config()
        .with_gamma(0.9)
        .with_normalize_observations(true)
        .with_normalize_rewards(true)
        .with_seed(3);
    let mut agent = Dqn::new(
        normalising.clone(),
        mlp(LENGTH, 3, 32, 3),
        LENGTH,
        3,
        &device,
    )
    .unwrap();
    let (mut env, mut eval_env) = (Corridor::new(), Corridor::new());
    train(&mut agent, &mut env, &mut eval_env, budget_run(3, 3_000)).unwrap();
    for position in 0..LENGTH - 1 {
        let action = agent
            .act(&Corridor::observation_of(position), Mode::Exploit)
            .unwrap();
        assert_eq!(action, 2, "cell {position}");
    }
    let stats = agent.observation_normalizer().unwrap().clone();
    assert!(
        stats.stats().count() > 2_999.0,
        "every observation acted on counts"
    );
    evaluate(&mut agent, &mut Corridor::new(), 5, 0).unwrap();
    assert_eq!(agent.observation_normalizer(), Some(&stats));

    let dir = std::env::temp_dir().join(format!("cinder-dqn-norm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    agent.save(&dir.join("normalising")).unwrap();
    let probe = Corridor::observation_of(1);
    let mut reloaded = Dqn::new(normalising, mlp(LENGTH, 3, 32, 9), LENGTH, 3, &device).unwrap();
    reloaded.load(&dir.join("normalising")).unwrap();
    assert_eq!(
        reloaded.q_values().values(&probe).unwrap(),
        agent.q_values().values(&probe).unwrap(),
        "raw observations in, the saved statistics applied"
    );
    let mut raw = Dqn::new(dqn_test_config(), mlp(LENGTH, 3, 32, 3), LENGTH, 3, &device).unwrap();
    assert!(matches!(
        raw.load(&dir.join("normalising")),
        Err(AgentError::Format { .. })
    ));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn rainbow_extensions_learn_the_optimal_action_on_a_custom_environment() {
    // 3-step returns, prioritized replay and a dueling network together.
    let config = dqn_test_config()
        .with_gamma(0.9)
        .with_n_step(3)
        .with_replay(ReplayKind::Prioritized(PrioritizedConfig::default()))
        .with_seed(4);
    let device = Device::flex();
    let network = DuelingConfig::new(LENGTH, 32, 3)
        .with_stream_hidden(vec![])
        .mlp(&[32], &device, 4)
        .unwrap();
    let mut agent = Dqn::new(config, network, LENGTH, 3, &device).unwrap();
    assert!(agent.memory().wants_td_errors());
    learn_the_corridor(&mut agent, 4);
}

#[test]
fn n_step_and_prioritized_settings_are_checked() {
    let build = |config: DqnConfig| Dqn::new(config, mlp(4, 2, 8, 0), 4, 2, &Device::flex());
    assert!(matches!(
        build(DqnConfig::new().with_n_step(0)),
        Err(AgentError::InvalidConfig {
            field: "n_step",
            ..
        })
    ));
    let negative_alpha = PrioritizedConfig {
        alpha: -1.0,
        ..PrioritizedConfig::default()
    };
    assert!(matches!(
        build(DqnConfig::new().with_replay(ReplayKind::Prioritized(negative_alpha))),
        Err(AgentError::Memory(MemoryError::InvalidConfig { .. }))
    ));
}

/// `n` CartPole-v1 transitions, actions drawn from a seeded generator: the same experience
/// for every agent fed with it.
fn cartpole_transitions(n: usize) -> Vec<Transition<[f32; 4]>> {
    let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
    let mut rng = cinder_rl::rng::seeded(3);
    let mut observation = env.reset(Some(3));
    let mut transitions = Vec::new();
    while transitions.len() < n {
        let action = rng.random_range(0..2usize);
        let step = env.step(action).unwrap();
        let transition = Transition::from_step(observation, action, step);
        observation = if transition.done() {
            env.reset(None)
        } else {
            transition.next_observation
        };
        transitions.push(transition);
    }
    transitions
}

/// The losses of `agent` observing `transitions`.
fn losses_on<M: cinder_rl::nn::QNetwork>(
    agent: &mut Dqn<M>,
    transitions: &[Transition<[f32; 4]>],
) -> Vec<f32> {
    transitions
        .iter()
        .flat_map(|t| agent.observe(t).unwrap().loss)
        .collect()
}

/// Action values of `agent` for ten fixed observations.
fn probe_values<M: cinder_rl::nn::QNetwork>(agent: &Dqn<M>) -> Vec<f32> {
    let probe: Vec<f32> = (0..40).map(|i| (i as f32 * 0.37).sin() * 0.5).collect();
    probe
        .chunks(4)
        .flat_map(|o| agent.q_values().values(o).unwrap())
        .collect()
}

/// The losses of 300 updates on [`cartpole_transitions`] and the action values the agent
/// ends with, for `config` and `network`.
fn losses_and_values<M: cinder_rl::nn::QNetwork>(
    config: DqnConfig,
    network: M,
) -> (Vec<f32>, Vec<f32>) {
    let mut agent = Dqn::new(config, network, 4, 2, &Device::flex()).unwrap();
    let losses = losses_on(&mut agent, &cartpole_transitions(500));
    assert_eq!(losses.len(), 301);
    (losses, probe_values(&agent))
}

/// The default settings with one update per step from `learning_starts` transitions.
fn every_step_from(learning_starts: usize) -> DqnConfig {
    DqnConfig::new()
        .with_learning_starts(learning_starts)
        .with_train_frequency(TrainFrequency::EverySteps {
            every: 1,
            gradient_steps: 1,
        })
}

/// The bits of `values`, to compare runs exactly.
fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|x| x.to_bits()).collect()
}

/// `network`'s action values computed through its tensors (an agent's own come from its host
/// copy of the parameters, which sums in another order).
fn through_tensors<M: cinder_rl::nn::QNetwork>(
    network: M,
    obs_dim: usize,
    n_actions: usize,
) -> cinder_rl::agents::dqn::QValues<M> {
    cinder_rl::agents::dqn::QValues::new(network, obs_dim, n_actions, Device::flex())
}

/// Whether two runs' numbers agree to float rounding.
fn close(a: &[f32], b: &[f32], floor: f32) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(a, b)| (a - b).abs() <= 1e-3 * b.abs().max(floor))
}

#[test]
fn host_updates_follow_the_framework_updates() {
    // The host updates compute what the framework's operations compute, in another order:
    // after 300 updates of learning, losses and action values agree to float rounding.
    let plain = every_step_from(200);
    let rainbow = plain
        .clone()
        .with_n_step(3)
        .with_replay(ReplayKind::Prioritized(PrioritizedConfig::default()))
        .with_max_grad_norm(Some(0.5))
        .with_clip_grad_value(Some(0.05))
        .with_target_update(TargetUpdate::HardEverySteps(50))
        .with_double_dqn(false)
        .with_loss(ValueLoss::Mse);
    let dueling = || {
        DuelingConfig::new(4, 32, 2)
            .with_stream_hidden(vec![16])
            .mlp(&[32, 32], &Device::flex(), 5)
            .unwrap()
    };
    let compare = |(host_losses, host_values): (Vec<f32>, Vec<f32>),
                   (losses, values): (Vec<f32>, Vec<f32>)| {
        assert!(
            close(&host_losses, &losses, 1e-3),
            "{host_losses:?} {losses:?}"
        );
        assert!(
            close(&host_values, &values, 1e-2),
            "{host_values:?} {values:?}"
        );
    };
    compare(
        losses_and_values(plain.clone(), mlp(4, 2, 64, 1)),
        losses_and_values(plain.with_host_updates(false), mlp(4, 2, 64, 1)),
    );
    compare(
        losses_and_values(rainbow.clone(), dueling()),
        losses_and_values(rainbow.with_host_updates(false), dueling()),
    );
}

#[test]
fn a_second_update_thread_changes_no_number() {
    // The helper thread computes the target network's pass; every loss and action value is
    // bit for bit the one thread's, with and without double DQN (whose online pass is the
    // larger one).
    let rainbow = every_step_from(200)
        .with_n_step(3)
        .with_replay(ReplayKind::Prioritized(PrioritizedConfig::default()));
    let dueling = || {
        DuelingConfig::new(4, 128, 2)
            .with_stream_hidden(vec![])
            .mlp(&[128, 128], &Device::flex(), 5)
            .unwrap()
    };
    for config in [rainbow.clone(), rainbow.with_double_dqn(false)] {
        let (one_losses, one_values) = losses_and_values(config.clone(), dueling());
        let (two_losses, two_values) = losses_and_values(config.with_update_threads(2), dueling());
        assert_eq!(bits(&two_losses), bits(&one_losses));
        assert_eq!(bits(&two_values), bits(&one_values));
    }
    for threads in [0, 3] {
        let refused = Dqn::new(
            DqnConfig::new().with_update_threads(threads),
            mlp(4, 2, 64, 1),
            4,
            2,
            &Device::flex(),
        );
        assert!(matches!(
            refused,
            Err(AgentError::InvalidConfig {
                field: "update_threads",
                ..
            })
        ));
    }
}

#[test]
fn an_agent_with_an_update_thread_trains_on_other_threads_and_is_read_from_several() {
    // The agent and its helper thread are Send and Sync: it learns half its transitions on
    // this thread and half on another, then two threads read its values at once, and every
    // number is the one of an agent that never left this thread.
    let config = every_step_from(200).with_update_threads(2);
    let mut later_transitions = cartpole_transitions(500);
    let first_transitions: Vec<_> = later_transitions.drain(..250).collect();
    let (straight_losses, straight_values) = losses_and_values(config.clone(), mlp(4, 2, 64, 1));

    let mut agent = Dqn::new(config, mlp(4, 2, 64, 1), 4, 2, &Device::flex()).unwrap();
    let mut losses = losses_on(&mut agent, &first_transitions);
    let (agent, later_losses) = std::thread::spawn(move || {
        let later = losses_on(&mut agent, &later_transitions);
        (agent, later)
    })
    .join()
    .unwrap();
    losses.extend(later_losses);
    let [first_reader, second_reader] = std::thread::scope(|scope| {
        let readers = [(); 2].map(|()| scope.spawn(|| probe_values(&agent)));
        readers.map(|reader| reader.join().unwrap())
    });

    assert_eq!(bits(&losses), bits(&straight_losses));
    assert_eq!(bits(&first_reader), bits(&straight_values));
    assert_eq!(bits(&second_reader), bits(&straight_values));
}

#[test]
fn training_states_carry_adam_between_host_and_framework_updates() {
    // Adam's moments travel in Burn's record either way: an agent that updated on the host
    // resumes with framework updates (and back) where a straight run would be.
    let config = every_step_from(100).with_max_grad_norm(None);
    let transitions = cartpole_transitions(400);
    let (first, rest) = transitions.split_at(200);
    let agent = |host: bool| {
        let config = config.clone().with_host_updates(host);
        Dqn::new(config, mlp(4, 2, 64, 1), 4, 2, &Device::flex()).unwrap()
    };
    for host in [true, false] {
        let mut straight = agent(host);
        losses_on(&mut straight, first);
        let state = straight.training_state().unwrap();
        let straight_losses = losses_on(&mut straight, rest);
        let mut resumed = agent(!host);
        resumed.restore_training_state(&state).unwrap();
        let resumed_losses = losses_on(&mut resumed, rest);
        assert!(
            close(&resumed_losses, &straight_losses, 1e-3),
            "{resumed_losses:?} {straight_losses:?}"
        );
        assert!(close(
            &probe_values(&resumed),
            &probe_values(&straight),
            1e-2
        ));
    }
}

#[test]
fn with_host_updates_the_acting_values_are_the_networks() {
    // Acting and values come from the host parameters; the network handed out carries them.
    let config = every_step_from(100);
    let network = DuelingConfig::new(4, 32, 2)
        .with_stream_hidden(vec![])
        .mlp(&[32, 32], &Device::flex(), 3)
        .unwrap();
    let mut agent = Dqn::new(config, network, 4, 2, &Device::flex()).unwrap();
    losses_on(&mut agent, &cartpole_transitions(300));
    let tensors = through_tensors(agent.q_values().network().clone(), 4, 2);
    let probe: Vec<f32> = (0..400).map(|i| (i as f32 * 0.37).sin() * 0.5).collect();
    let host_values = agent.q_values().values(&probe).unwrap();
    let tensor_values = tensors.values(&probe).unwrap();
    assert!(close(&host_values, &tensor_values, 1e-2));
    let greedy = agent.q_values().greedy_actions(&probe).unwrap();
    assert_eq!(greedy, tensors.greedy_actions(&probe).unwrap());
    for (observation, &action) in probe.chunks(4).zip(&greedy) {
        assert_eq!(
            agent.act(&observation.to_vec(), Mode::Exploit).unwrap(),
            action
        );
    }
}
