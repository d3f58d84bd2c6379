//! Actor-critic: learning on a custom environment, one and several copies, truncation
//! semantics, the tutorial's update rhythm, determinism, validation, saving and loading.

mod common;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode, VecAgent, VecTransitions};
use cinder_rl::agents::actor_critic::Returns;
use cinder_rl::agents::{ActorCritic, ActorCriticConfig, ValueLoss};
use cinder_rl::env::{CartPole, CartPoleConfig, Environment, Space, VecEnv};
use cinder_rl::error::AgentError;
use cinder_rl::memory::Transition;
use cinder_rl::nn::{ActorCriticMlp, ActorCriticMlpConfig, PolicyValueMlpConfig};
use cinder_rl::train::{StopRule, TrainConfig, Trainer, evaluate};
use common::{Corridor, LENGTH, Treadmill, budget_run, explore_step};

fn network(obs_dim: usize, n_actions: usize, hidden: usize, seed: u64) -> ActorCriticMlp {
    ActorCriticMlpConfig::new(obs_dim, n_actions)
        .with_hidden(vec![hidden])
        .init(&Device::flex(), seed)
        .unwrap()
}

#[test]
fn a2c_learns_the_optimal_action_on_a_custom_environment() {
    let config = ActorCriticConfig::new()
        .with_num_envs(4)
        .with_gamma(0.9)
        .with_learning_rate(3e-3)
        .with_seed(2);
    let mut agent = ActorCritic::new(
        config,
        network(LENGTH, 3, 32, 2),
        LENGTH,
        3,
        &Device::flex(),
    )
    .unwrap();
    let mut envs = VecEnv::from_fn(4, |_| Ok(Corridor::new())).unwrap();
    let run = budget_run(2, 8_000).with_eval_episodes(20);
    let summary = Trainer::new(run)
        .run(&mut agent, &mut envs, &mut Corridor::new())
        .unwrap();
    assert_eq!(summary.env_steps, 8_000);
    assert_eq!(summary.updates, 8_000 / (4 * 5));
    for position in 0..LENGTH - 1 {
        let observation = Corridor::observation_of(position);
        assert_eq!(
            agent.act(&observation, Mode::Exploit).unwrap(),
            2,
            "cell {position}"
        );
        let p = agent.action_probabilities(&observation).unwrap();
        assert!(
            p[2] > 0.8,
            "the policy prefers walking right from cell {position}: {p:?}"
        );
    }
    assert!(summary.eval_mean_return.unwrap() > 0.7);
}

/// The learned V of the treadmill's single state, with one-step TD targets and MSE.
fn treadmill_value(terminate: bool) -> f32 {
    let config = ActorCriticConfig::new()
        .with_num_envs(1)
        .with_gamma(0.9)
        .with_learning_rate(3e-3)
        .with_returns(Returns::TdZero)
        .with_value_loss(ValueLoss::Mse)
        .with_max_grad_norm(None)
        .with_seed(4);
    let mut agent = ActorCritic::new(config, network(1, 2, 16, 4), 1, 2, &Device::flex()).unwrap();
    let mut env = Treadmill::new(10, terminate);
    let mut observation = env.reset(Some(0));
    for _ in 0..20_000 {
        observation = explore_step(&mut agent, &mut env, observation).1;
    }
    agent.value(&[1.0]).unwrap()
}

#[test]
fn truncation_bootstraps_and_termination_does_not() {
    let truncated = treadmill_value(false);
    assert!(
        (truncated - 10.0).abs() < 0.5,
        "V under truncation {truncated}, expected 10"
    );
    // One target in ten is 1, nine are 1 + 0.9 V: V = 1 / 0.19 in the least-squares sense.
    let terminated = treadmill_value(true);
    assert!(
        (terminated - 1.0 / 0.19).abs() < 0.6,
        "V under termination {terminated}, expected 5.26"
    );
}

#[test]
fn one_environment_learns_every_n_rollout_steps_and_at_each_episode_end() {
    let config = ActorCriticConfig::new().with_num_envs(1).with_n_rollout(10);
    let mut agent = ActorCritic::new(config, network(1, 2, 8, 0), 1, 2, &Device::flex()).unwrap();
    // Episodes of 25 steps: updates after steps 10, 20, 25 of each.
    let mut env = Treadmill::new(25, true);
    let mut observation = env.reset(None);
    let mut updated_at = Vec::new();
    for step in 1..=50 {
        let (learned, next) = explore_step(&mut agent, &mut env, observation);
        if learned.updates == 1 {
            updated_at.push(step);
        }
        observation = next;
    }
    assert_eq!(updated_at, [10, 20, 25, 35, 45, 50]);
}

fn cartpole_losses(seed: u64) -> Vec<f32> {
    cartpole_losses_with(seed, Returns::NStep)
}

/// The mean loss of each episode of a short A2C run on 4 CartPoles with `returns`.
fn cartpole_losses_with(seed: u64, returns: Returns) -> Vec<f32> {
    let config = ActorCriticConfig::new()
        .with_num_envs(4)
        .with_returns(returns)
        .with_seed(seed);
    let mut agent =
        ActorCritic::new(config, network(4, 2, 64, seed), 4, 2, &Device::flex()).unwrap();
    let mut envs = VecEnv::from_fn(4, |_| CartPole::new(CartPoleConfig::v1())).unwrap();
    let mut losses = Vec::new();
    let run = TrainConfig::new(seed)
        .with_max_env_steps(Some(2_000))
        .with_stop(StopRule::Never)
        .with_log_every_episodes(0);
    let mut eval_env = CartPole::new(CartPoleConfig::v1()).unwrap();
    let mut trainer = Trainer::new(run).on_episode(|record| {
        losses.push(record.mean_loss.unwrap_or(f32::NAN));
        Ok(())
    });
    trainer.run(&mut agent, &mut envs, &mut eval_env).unwrap();
    drop(trainer);
    losses
}

#[test]
fn the_same_seed_gives_the_same_losses() {
    let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect::<Vec<_>>();
    let first = bits(cartpole_losses(5));
    assert!(first.len() > 50, "{} episodes", first.len());
    assert_eq!(first, bits(cartpole_losses(5)));
    assert_ne!(first, bits(cartpole_losses(6)));
}

#[test]
fn gae_with_lambda_one_trains_as_n_step_returns_do() {
    let n_step = cartpole_losses_with(5, Returns::NStep);
    let gae_one = cartpole_losses_with(5, Returns::Gae { lambda: 1.0 });
    let gae = cartpole_losses_with(5, Returns::Gae { lambda: 0.9 });
    // The same targets up to rounding (A + V against the sum of rewards), so nearly the same
    // first losses; lambda 0.9 weighs the estimates otherwise.
    let close = |a: f32, b: f32| (a - b).abs() <= 1e-3 * a.abs().max(b.abs());
    assert!(
        close(n_step[0], gae_one[0]),
        "{} vs {}",
        n_step[0],
        gae_one[0]
    );
    assert!(!close(n_step[0], gae[0]), "{} vs {}", n_step[0], gae[0]);
    let bad = ActorCriticConfig::new().with_returns(Returns::Gae { lambda: 1.5 });
    assert!(matches!(
        bad.validate(),
        Err(AgentError::InvalidConfig {
            field: "returns",
            ..
        })
    ));
}

#[test]
fn invalid_settings_and_inputs_are_typed_errors() {
    let device = Device::flex();
    let field = |e: Result<ActorCritic<ActorCriticMlp>, AgentError>| match e {
        Err(AgentError::InvalidConfig { field, .. }) => field,
        Err(other) => panic!("expected InvalidConfig, got {other:?}"),
        Ok(_) => panic!("expected an error"),
    };
    let build =
        |config: ActorCriticConfig| ActorCritic::new(config, network(4, 2, 8, 0), 4, 2, &device);
    assert_eq!(
        field(build(ActorCriticConfig::new().with_gamma(-0.1))),
        "gamma"
    );
    assert_eq!(
        field(build(ActorCriticConfig::new().with_n_rollout(0))),
        "n_rollout"
    );
    assert_eq!(
        field(build(ActorCriticConfig::new().with_num_envs(0))),
        "num_envs"
    );
    assert_eq!(
        field(build(ActorCriticConfig::new().with_entropy_coef(f64::NAN))),
        "entropy_coef"
    );
    assert_eq!(
        field(ActorCritic::new(
            ActorCriticConfig::new(),
            network(4, 3, 8, 0),
            4,
            2,
            &device
        )),
        "network"
    );

    let mut agent = build(ActorCriticConfig::new().with_num_envs(2)).unwrap();
    let mut actions = Vec::new();
    assert!(matches!(
        agent.act_batch(&[0.0; 7], Mode::Explore, &mut actions),
        Err(AgentError::ObservationLength { .. })
    ));
    agent
        .act_batch(&[0.0; 8], Mode::Explore, &mut actions)
        .unwrap();
    assert_eq!(actions.len(), 2);
    // Flags for one copy in a step of two.
    let short_flags = VecTransitions {
        observations: &[0.0; 8],
        actions: &actions,
        rewards: &[1.0, 1.0],
        next_observations: &[0.0; 8],
        terminated: &[false],
        truncated: &[false, false],
    };
    assert!(matches!(
        agent.observe_batch(&short_flags),
        Err(AgentError::InvalidConfig {
            field: "num_envs",
            ..
        })
    ));
    // A single-environment transition for an agent of two copies.
    let transition = Transition {
        observation: [0.0f32; 4],
        action: 0,
        reward: 1.0,
        next_observation: [0.0; 4],
        terminated: false,
        truncated: false,
    };
    assert!(matches!(
        agent.observe(&transition),
        Err(AgentError::InvalidConfig {
            field: "num_envs",
            ..
        })
    ));
    let mut single = build(ActorCriticConfig::new().with_num_envs(1)).unwrap();
    let bad = Transition {
        action: 5,
        ..transition
    };
    assert!(matches!(
        single.observe(&bad),
        Err(AgentError::InvalidAction {
            action: 5,
            n_actions: 2
        })
    ));
}

#[test]
fn saved_agents_reload_exactly_and_bad_files_are_errors() {
    let device = Device::flex();
    let dir = std::env::temp_dir().join(format!("cinder-ac-save-{}", std::process::id()));
    let path = dir.join("agent.cinder");
    let config = ActorCriticConfig::new().with_num_envs(1).with_n_rollout(4);
    let mut trained =
        ActorCritic::new(config.clone(), network(4, 2, 16, 1), 4, 2, &device).unwrap();
    let transition = Transition {
        observation: [0.2f32, 0.1, -0.1, 0.0],
        action: 1,
        reward: 1.0,
        next_observation: [0.1; 4],
        terminated: false,
        truncated: false,
    };
    for _ in 0..40 {
        trained.observe(&transition).unwrap();
    }
    trained.save(&path).unwrap();
    let mut fresh = ActorCritic::new(config.clone(), network(4, 2, 16, 9), 4, 2, &device).unwrap();
    let probe = [0.2f32, 0.1, -0.1, 0.0];
    let untouched = fresh.action_probabilities(&probe).unwrap();
    assert!(matches!(
        fresh.load(&dir.join("missing")),
        Err(AgentError::Io { .. })
    ));
    let mut other = ActorCritic::new(config.clone(), network(4, 2, 32, 0), 4, 2, &device).unwrap();
    assert!(matches!(other.load(&path), Err(AgentError::Format { .. })));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(dir.join("cut"), &bytes[..bytes.len() - 3]).unwrap();
    assert!(matches!(
        fresh.load(&dir.join("cut")),
        Err(AgentError::Format { .. })
    ));
    assert_eq!(fresh.action_probabilities(&probe).unwrap(), untouched);
    fresh.load(&path).unwrap();
    assert_eq!(
        fresh.action_probabilities(&probe).unwrap(),
        trained.action_probabilities(&probe).unwrap()
    );
    assert_eq!(fresh.value(&probe).unwrap(), trained.value(&probe).unwrap());
    let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
    assert_eq!(
        evaluate(&mut fresh, &mut env, 2, 1).unwrap(),
        evaluate(&mut trained, &mut env, 2, 1).unwrap()
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn normalising_agents_save_their_statistics_and_refuse_files_without_them() {
    let device = Device::flex();
    let dir = std::env::temp_dir().join(format!("cinder-ac-norm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let normalising = ActorCriticConfig::new()
        .with_num_envs(4)
        .with_normalize_observations(true)
        .with_normalize_rewards(true)
        .with_seed(3);
    let mut trained =
        ActorCritic::new(normalising.clone(), network(4, 2, 16, 3), 4, 2, &device).unwrap();
    Trainer::new(common::budget_run(3, 800))
        .run(
            &mut trained,
            &mut VecEnv::from_fn(4, |_| CartPole::new(CartPoleConfig::v1())).unwrap(),
            &mut common::cartpole(),
        )
        .unwrap();
    let stats = trained.observation_normalizer().unwrap();
    assert!(stats.stats().count() > 799.0);
    trained.save(&dir.join("normalising")).unwrap();

    let probe = [1.0f32, 0.5, -0.1, 0.3];
    let mut reloaded =
        ActorCritic::new(normalising.clone(), network(4, 2, 16, 9), 4, 2, &device).unwrap();
    reloaded.load(&dir.join("normalising")).unwrap();
    assert_eq!(
        reloaded.action_probabilities(&probe).unwrap(),
        trained.action_probabilities(&probe).unwrap()
    );
    assert_eq!(
        reloaded.observation_normalizer(),
        trained.observation_normalizer()
    );

    let plain = ActorCriticConfig::new().with_num_envs(4);
    let mut raw = ActorCritic::new(plain, network(4, 2, 16, 3), 4, 2, &device).unwrap();
    assert!(matches!(
        raw.load(&dir.join("normalising")),
        Err(AgentError::Format { .. })
    ));
    raw.save(&dir.join("plain")).unwrap();
    assert!(matches!(
        reloaded.load(&dir.join("plain")),
        Err(AgentError::Format { .. })
    ));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn policy_value_networks_train_as_actor_critics_with_a_categorical_head_only() {
    let device = Device::flex();
    let separate = |space: &Space| {
        PolicyValueMlpConfig::for_space(LENGTH, space)
            .with_hidden(vec![32])
            .init(&device, 2)
            .unwrap()
    };
    let gaussian = separate(&Space::boxed(vec![-1.0; 3], vec![1.0; 3]));
    assert!(matches!(
        ActorCritic::new(ActorCriticConfig::new(), gaussian, LENGTH, 3, &device),
        Err(AgentError::InvalidConfig {
            field: "network",
            ..
        })
    ));
    // SB3's A2C networks (separate tanh MLPs) learn the corridor.
    let config = ActorCriticConfig::new()
        .with_num_envs(4)
        .with_gamma(0.9)
        .with_learning_rate(3e-3)
        .with_seed(2);
    let mut agent =
        ActorCritic::new(config, separate(&Space::discrete(3)), LENGTH, 3, &device).unwrap();
    let mut envs = VecEnv::from_fn(4, |_| Ok(Corridor::new())).unwrap();
    Trainer::new(budget_run(2, 8_000))
        .run(&mut agent, &mut envs, &mut Corridor::new())
        .unwrap();
    for position in 0..LENGTH - 1 {
        let observation = Corridor::observation_of(position);
        assert_eq!(
            agent.act(&observation, Mode::Exploit).unwrap(),
            2,
            "cell {position}"
        );
    }
}
