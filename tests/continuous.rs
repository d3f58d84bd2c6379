//! Continuous actions end to end: a box action space flows from the environment through the
//! replay memory, the batch, the agent, the policy, the trainer (one environment or N
//! copies), the checkpoint and the agent file, with a minimal learner written outside the
//! crate.

mod common;
#[path = "continuous/reach.rs"]
mod reach;
#[path = "continuous/regressor.rs"]
mod regressor;

use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::Dqn;
use cinder_rl::env::{Action, ActionShape, Environment, Space, VecEnv};
use cinder_rl::error::{AgentError, EnvError, MemoryError};
use cinder_rl::memory::{MemoryState, ObservationStorage, ReplayMemory, Transition, UniformReplay};
use cinder_rl::train::{Checkpoints, Trainer, evaluate};
use common::budget_run;
use reach::Reach;
use regressor::Regressor;

const D: usize = 3;

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cinder-continuous-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The mean return of the greedy policy over 100 one-step episodes.
fn greedy_return(agent: &mut Regressor<D>) -> f64 {
    evaluate(agent, &mut Reach::<D>::new(), 100, 99)
        .unwrap()
        .mean_return()
}

#[test]
fn a_minimal_learner_of_box_actions_learns_through_the_trainer() {
    let mut agent = Regressor::<D>::new(0);
    // The initial linear policy answers far from the target: a target is uniform in
    // [-1, 1]^3, so even the zero answer costs 1 on average.
    let before = greedy_return(&mut agent);
    let summary = Trainer::new(budget_run(0, 3_000))
        .run(&mut agent, &mut Reach::<D>::new(), &mut Reach::<D>::new())
        .unwrap();
    let after = greedy_return(&mut agent);
    assert_eq!(summary.env_steps, 3_000);
    assert_eq!(summary.episodes, 3_000, "one-step episodes");
    assert_eq!(
        summary.updates,
        3_000 - 31,
        "one update a step from the 32nd on"
    );
    // Seeds 0-5 reach -0.016 to -0.004 in 3,000 steps (-0.61 to -0.10 after 300).
    assert!(before < -0.5, "untrained: {before}");
    assert!(after > -0.05, "trained: {after} (untrained {before})");
    // The learner's own metric reaches the summary.
    assert_eq!(
        summary.metrics.get("updates"),
        Some(&(summary.updates as f64))
    );
}

#[test]
fn n_copies_of_a_continuous_environment_train_too() {
    let mut agent = Regressor::<D>::new(1);
    let mut envs = VecEnv::from_fn(4, |_| Ok(Reach::<D>::new())).unwrap();
    let summary = Trainer::new(budget_run(1, 3_200))
        .run(&mut agent, &mut envs, &mut Reach::<D>::new())
        .unwrap();
    assert_eq!(summary.env_steps, 3_200);
    assert_eq!(summary.episodes, 3_200);
    let after = greedy_return(&mut agent);
    assert!(after > -0.05, "trained on 4 copies: {after}");
}

#[test]
fn a_continuous_run_resumed_from_its_checkpoint_equals_the_straight_run() {
    let dir = scratch("resume");
    let checkpoint = dir.join("checkpoint.cinder");
    let run = |agent: &mut Regressor<D>, steps: u64, resume: bool| {
        let trainer = Trainer::new(budget_run(5, steps)).with_checkpoints(Checkpoints {
            path: checkpoint.clone(),
            every_env_steps: 100,
        });
        let mut trainer = if resume {
            trainer.resume_from(&checkpoint)
        } else {
            trainer
        };
        trainer
            .run(agent, &mut Reach::<D>::new(), &mut Reach::<D>::new())
            .unwrap()
    };
    let mut straight = Regressor::<D>::new(5);
    let straight_summary = Trainer::new(budget_run(5, 600))
        .run(
            &mut straight,
            &mut Reach::<D>::new(),
            &mut Reach::<D>::new(),
        )
        .unwrap();

    let mut first = Regressor::<D>::new(5);
    run(&mut first, 300, false);
    let mut resumed = Regressor::<D>::new(5);
    let resumed_summary = run(&mut resumed, 600, true);

    assert_eq!(resumed_summary.env_steps, straight_summary.env_steps);
    assert_eq!(resumed_summary.updates, straight_summary.updates);
    assert_eq!(resumed.memory().to_bytes(), straight.memory().to_bytes());
    for seed in 0..20 {
        let observation = Reach::<D>::new().reset(Some(seed));
        assert_eq!(
            resumed.act(&observation, Mode::Exploit).unwrap(),
            straight.act(&observation, Mode::Exploit).unwrap()
        );
        assert_eq!(
            resumed.act(&observation, Mode::Explore).unwrap(),
            straight.act(&observation, Mode::Explore).unwrap(),
            "the exploration noise continues too"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_agent_file_of_a_continuous_learner_records_its_action_shape() {
    let dir = scratch("file");
    let path = dir.join("agent.cinder");
    let mut agent = Regressor::<D>::new(2);
    Trainer::new(budget_run(2, 300))
        .run(&mut agent, &mut Reach::<D>::new(), &mut Reach::<D>::new())
        .unwrap();
    agent.save(&path).unwrap();

    let mut loaded = Regressor::<D>::new(9);
    loaded.load(&path).unwrap();
    for seed in 0..10 {
        let observation = Reach::<D>::new().reset(Some(seed));
        assert_eq!(
            loaded.act(&observation, Mode::Exploit).unwrap(),
            agent.act(&observation, Mode::Exploit).unwrap()
        );
    }
    let archive = cinder_rl::archive::Archive::decode(&std::fs::read(&path).unwrap()).unwrap();
    let header: serde_json::Value = serde_json::from_slice(archive.get("header").unwrap()).unwrap();
    assert_eq!(header["action_dim"], 3);
    assert_eq!(header["n_actions"], 0);

    // A learner of another action dimension, or a discrete agent, refuses the file.
    let wrong_dim = Regressor::<2>::new(0).load(&path);
    assert!(
        matches!(wrong_dim, Err(AgentError::Format { .. })),
        "{wrong_dim:?}"
    );
    let mut dqn = common::cartpole_dqn(8, common::dqn_test_config());
    let discrete = Agent::<[f32; 4]>::load(&mut dqn, &path);
    assert!(
        matches!(discrete, Err(AgentError::Format { .. })),
        "{discrete:?}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn memories_of_continuous_actions_of_any_dimension_keep_them_exactly() {
    let shape = ActionShape::Continuous { dim: 5 };
    let mut memory = UniformReplay::with_actions(8, 2, ObservationStorage::F32, shape).unwrap();
    for i in 0..11 {
        let action: Vec<f32> = (0..5).map(|j| i as f32 + 0.1 * j as f32).collect();
        memory
            .push(&Transition {
                observation: [i as f32, 0.0],
                action,
                reward: -f64::from(i),
                next_observation: [0.0, i as f32],
                terminated: i % 3 == 0,
                truncated: false,
            })
            .unwrap();
    }
    // The three oldest were evicted.
    let oldest = memory.get::<Vec<f32>>(0).unwrap();
    assert_eq!(oldest.action, [3.0, 3.1, 3.2, 3.3, 3.4]);
    assert_eq!(
        memory.get::<[f32; 5]>(7).unwrap().action,
        [10.0, 10.1, 10.2, 10.3, 10.4]
    );
    assert!(memory.get::<usize>(0).is_none(), "not an index");
    assert!(memory.get::<[f32; 4]>(0).is_none(), "not four values");

    let batch = memory.sample(6, &mut cinder_rl::rng::seeded(3)).unwrap();
    let values = batch.actions.require_continuous(5).unwrap();
    for (row, &slot) in batch.indices.iter().enumerate() {
        let stored = memory.get::<Vec<f32>>((slot + 8 - 3) % 8).unwrap();
        assert_eq!(&values[row * 5..(row + 1) * 5], stored.action.as_slice());
        assert_eq!(batch.observations[row * 2], stored.observation[0]);
    }
    assert!(batch.actions.require_discrete().is_err());

    // A checkpoint of the memory keeps the actions bit for bit, and checks them against a
    // space.
    let restored = UniformReplay::from_bytes(&memory.to_bytes()).unwrap();
    assert_eq!(restored.to_bytes(), memory.to_bytes());
    assert_eq!(restored.action_shape(), shape);
    restored
        .check_actions(&Space::boxed(vec![-1.0; 5], vec![1.0; 5]))
        .unwrap();
    assert!(matches!(
        restored.check_actions(&Space::discrete(4)),
        Err(MemoryError::ActionShape { .. })
    ));

    // Wrong shapes are refused and change nothing.
    let before = memory.to_bytes();
    let wrong = Transition {
        observation: [0.0f32; 2],
        action: vec![1.0f32; 4],
        reward: 0.0,
        next_observation: [0.0f32; 2],
        terminated: false,
        truncated: false,
    };
    assert_eq!(
        memory.push(&wrong),
        Err(MemoryError::ActionShape {
            expected: shape,
            actual: ActionShape::Continuous { dim: 4 },
        })
    );
    let index = Transition {
        observation: [0.0f32; 2],
        action: 2usize,
        reward: 0.0,
        next_observation: [0.0f32; 2],
        terminated: false,
        truncated: false,
    };
    assert!(memory.push(&index).is_err());
    assert_eq!(memory.to_bytes(), before);
    assert!(matches!(
        UniformReplay::with_actions(
            8,
            2,
            ObservationStorage::F32,
            ActionShape::Continuous { dim: 0 }
        ),
        Err(MemoryError::InvalidConfig {
            field: "action_dim",
            ..
        })
    ));
}

#[test]
fn dqn_refuses_a_memory_of_continuous_actions() {
    let shape = ActionShape::Continuous { dim: 2 };
    let memory = UniformReplay::with_actions(100, 4, ObservationStorage::F32, shape).unwrap();
    let network = cinder_rl::nn::MlpConfig::new(4, 2)
        .init(&cinder_rl::burn::tensor::Device::flex(), 0)
        .unwrap();
    let result = Dqn::with_parts(
        common::dqn_test_config(),
        network,
        memory,
        cinder_rl::policy::Constant::new(0.1).unwrap(),
        2,
        &cinder_rl::burn::tensor::Device::flex(),
    );
    assert!(matches!(
        result,
        Err(AgentError::Memory(MemoryError::ActionShape {
            expected: ActionShape::Discrete,
            ..
        }))
    ));
}

#[test]
fn box_actions_are_checked_where_they_meet_the_environment() {
    let mut env = Reach::<2>::new();
    env.reset(Some(0));
    assert!(matches!(
        env.step([f32::NAN, 0.0]),
        Err(EnvError::NonFiniteAction { index: 0, .. })
    ));
    let space = env.action_space();
    assert!(matches!(
        space.check_values(&[0.0; 3]),
        Err(EnvError::ActionLength {
            expected: 2,
            actual: 3
        })
    ));
    assert!(matches!(
        space.check(1),
        Err(EnvError::ActionSpaceMismatch { .. })
    ));
    assert!(usize::fit(&space).is_err());
    assert_eq!(
        <[f32; 2]>::fit(&space).unwrap(),
        ActionShape::Continuous { dim: 2 }
    );
    assert!(<[f32; 3]>::fit(&space).is_err());
    assert!(matches!(
        Space::try_boxed(vec![0.0, 1.0], vec![1.0]),
        Err(EnvError::InvalidBounds(_))
    ));
    assert!(Space::try_boxed(vec![2.0], vec![1.0]).is_err());
    assert!(Space::try_boxed(vec![f32::NAN], vec![1.0]).is_err());
    // Out of bounds is clipped by the environment, as Gymnasium's box tasks do.
    env.reset(Some(0));
    let far = env.step([5.0, 5.0]).unwrap().reward;
    env.reset(Some(0));
    let edge = env.step([1.0, 1.0]).unwrap().reward;
    assert_eq!(far, edge);
}
