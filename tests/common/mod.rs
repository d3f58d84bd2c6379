//! Small environments for learning tests: fast, with known optimal behaviour.
#![allow(dead_code)]

pub mod frames;

use cinder_rl::agents::DqnConfig;
use cinder_rl::agents::dqn::{TargetUpdate, TrainFrequency};
use cinder_rl::env::{Environment, Space, Step};
use cinder_rl::error::EnvError;
use cinder_rl::policy::{AnySchedule, Linear};

/// A corridor of `LENGTH` cells observed one-hot; actions 0 (left), 1 (stay), 2 (right).
/// Each step costs 0.1; reaching the right end pays 1 and terminates. Episodes start in a
/// random cell and are truncated after 20 steps. The optimal action is always 2.
pub struct Corridor {
    position: usize,
    steps: usize,
    rng: cinder_rl::rng::SeededRng,
}

pub const LENGTH: usize = 5;

impl Corridor {
    pub fn new() -> Self {
        Self {
            position: 0,
            steps: 0,
            rng: cinder_rl::rng::seeded(0),
        }
    }

    pub fn observation_of(position: usize) -> Vec<f32> {
        let mut obs = vec![0.0; LENGTH];
        obs[position] = 1.0;
        obs
    }
}

impl Environment for Corridor {
    type Observation = Vec<f32>;
    type Action = usize;

    fn reset(&mut self, seed: Option<u64>) -> Vec<f32> {
        use rand::RngExt;
        if let Some(seed) = seed {
            self.rng = cinder_rl::rng::seeded(seed);
        }
        self.position = self.rng.random_range(0..LENGTH - 1);
        self.steps = 0;
        Self::observation_of(self.position)
    }

    fn step(&mut self, action: usize) -> Result<Step<Vec<f32>>, EnvError> {
        self.action_space().check(action)?;
        self.position = match action {
            0 => self.position.saturating_sub(1),
            1 => self.position,
            _ => self.position + 1,
        };
        self.steps += 1;
        let terminated = self.position == LENGTH - 1;
        let reward = if terminated { 1.0 } else { -0.1 };
        Ok(Step::new(
            Self::observation_of(self.position),
            reward,
            terminated,
            self.steps >= 20,
        ))
    }

    fn action_space(&self) -> Space {
        Space::discrete(3)
    }

    fn observation_space(&self) -> Space {
        Space::boxed(vec![0.0; LENGTH], vec![1.0; LENGTH])
    }
}

/// One state seen as the constant observation `[1]`, two actions, reward 1 every step. The
/// episode ends after `length` steps, by termination or by truncation as chosen: the value of
/// the state is `1 / (1 - gamma)` when the end is a truncation (the process goes on), and
/// less when it is a termination.
pub struct Treadmill {
    pub length: usize,
    pub terminate: bool,
    steps: usize,
}

impl Treadmill {
    pub fn new(length: usize, terminate: bool) -> Self {
        Self {
            length,
            terminate,
            steps: 0,
        }
    }
}

impl Environment for Treadmill {
    type Observation = [f32; 1];
    type Action = usize;

    fn reset(&mut self, _seed: Option<u64>) -> [f32; 1] {
        self.steps = 0;
        [1.0]
    }

    fn step(&mut self, action: usize) -> Result<Step<[f32; 1]>, EnvError> {
        self.action_space().check(action)?;
        self.steps += 1;
        let end = self.steps >= self.length;
        Ok(Step::new(
            [1.0],
            1.0,
            end && self.terminate,
            end && !self.terminate,
        ))
    }

    fn action_space(&self) -> Space {
        Space::discrete(2)
    }

    fn observation_space(&self) -> Space {
        Space::boxed(vec![1.0], vec![1.0])
    }
}

/// DQN for the small test environments: one update of 32 per step from 100 stored
/// transitions, a constant learning rate of 1e-3 on unscaled rewards, a hard target copy
/// every 100 steps, epsilon 1 -> 0.05 over 1000 steps.
pub fn dqn_test_config() -> DqnConfig {
    DqnConfig::new()
        .with_learning_rate(1e-3)
        .with_learning_rate_schedule(None)
        .with_reward_scale(1.0)
        .with_train_frequency(TrainFrequency::EverySteps {
            every: 1,
            gradient_steps: 1,
        })
        .with_learning_starts(100)
        .with_batch_size(32)
        .with_replay_capacity(5_000)
        .with_target_update(TargetUpdate::HardEverySteps(100))
        .with_exploration(AnySchedule::Linear(Linear::new(1.0, 0.05, 1_000).unwrap()))
}

/// A CartPole-v1.
pub fn cartpole() -> cinder_rl::env::CartPole {
    cinder_rl::env::CartPole::new(cinder_rl::env::CartPoleConfig::v1()).unwrap()
}

/// A DQN agent for CartPole with one hidden layer of `hidden` units (weights seeded with 5)
/// and the settings `config`, on Flex.
#[cfg(feature = "flex")]
pub fn cartpole_dqn(
    hidden: usize,
    config: DqnConfig,
) -> cinder_rl::agents::Dqn<cinder_rl::nn::Mlp> {
    let device = burn::tensor::Device::flex();
    let network = cinder_rl::nn::MlpConfig::new(4, 2)
        .with_hidden(vec![hidden])
        .init(&device, 5)
        .unwrap();
    cinder_rl::agents::Dqn::new(config, network, 4, 2, &device).unwrap()
}

/// Balances CartPole by hand (push towards the side the pole falls to) and learns nothing: a
/// stand-in agent for tests of the training loop, on one environment or N copies, with
/// checkpoints (its state is empty).
pub struct Balancer;

fn balance(o: &[f32]) -> usize {
    usize::from(o[2] + 0.5 * o[3] > 0.0)
}

impl cinder_rl::agent::Agent<[f32; 4]> for Balancer {
    fn act(
        &mut self,
        o: &[f32; 4],
        _: cinder_rl::agent::Mode,
    ) -> Result<usize, cinder_rl::error::AgentError> {
        Ok(balance(o))
    }
    fn observe(
        &mut self,
        _: &cinder_rl::memory::Transition<[f32; 4]>,
    ) -> Result<cinder_rl::agent::Learned, cinder_rl::error::AgentError> {
        Ok(cinder_rl::agent::Learned::default())
    }
    fn save(&self, _: &std::path::Path) -> Result<(), cinder_rl::error::AgentError> {
        Ok(())
    }
    fn load(&mut self, _: &std::path::Path) -> Result<(), cinder_rl::error::AgentError> {
        Ok(())
    }
}

impl cinder_rl::agent::VecAgent for Balancer {
    fn act_batch(
        &mut self,
        observations: &[f32],
        _: cinder_rl::agent::Mode,
        actions: &mut Vec<usize>,
    ) -> Result<(), cinder_rl::error::AgentError> {
        actions.clear();
        actions.extend(observations.chunks_exact(4).map(balance));
        Ok(())
    }
    fn observe_batch(
        &mut self,
        _: &cinder_rl::agent::VecTransitions<'_>,
    ) -> Result<cinder_rl::agent::Learned, cinder_rl::error::AgentError> {
        Ok(cinder_rl::agent::Learned::default())
    }
}

impl cinder_rl::agent::Checkpoint for Balancer {
    fn training_state(&self) -> Result<Vec<u8>, cinder_rl::error::AgentError> {
        Ok(Vec::new())
    }
    fn restore_training_state(&mut self, _: &[u8]) -> Result<(), cinder_rl::error::AgentError> {
        Ok(())
    }
}

/// A run seeded with `seed` for exactly `steps` environment steps: no stop rule, no progress
/// lines, no final evaluation.
pub fn budget_run(seed: u64, steps: u64) -> cinder_rl::train::TrainConfig {
    cinder_rl::train::TrainConfig::new(seed)
        .with_max_env_steps(Some(steps))
        .with_stop(cinder_rl::train::StopRule::Never)
        .with_log_every_episodes(0)
        .with_eval_episodes(0)
}

/// An actor-critic agent for CartPole with one trunk layer of `hidden` units (weights seeded
/// with `seed`) and the settings `config`, on Flex.
#[cfg(feature = "flex")]
pub fn cartpole_actor_critic(
    hidden: usize,
    seed: u64,
    config: cinder_rl::agents::ActorCriticConfig,
) -> cinder_rl::agents::ActorCritic<cinder_rl::nn::ActorCriticMlp> {
    let device = burn::tensor::Device::flex();
    let network = cinder_rl::nn::ActorCriticMlpConfig::new(4, 2)
        .with_hidden(vec![hidden])
        .init(&device, seed)
        .unwrap();
    cinder_rl::agents::ActorCritic::new(config, network, 4, 2, &device).unwrap()
}

/// One exploring step, as the training loop takes it: `agent` acts on `observation`, `env`
/// steps and the agent observes the transition. Returns what the agent learned and the next
/// observation (the first of a new episode once one ends).
pub fn explore_step<E, A>(
    agent: &mut A,
    env: &mut E,
    observation: E::Observation,
) -> (cinder_rl::agent::Learned, E::Observation)
where
    E: Environment<Action = usize>,
    A: cinder_rl::agent::Agent<E::Observation>,
{
    let action = agent
        .act(&observation, cinder_rl::agent::Mode::Explore)
        .unwrap();
    let step = env.step(action).unwrap();
    let transition = cinder_rl::memory::Transition::from_step(observation, action, step);
    let learned = agent.observe(&transition).unwrap();
    let next = if transition.done() {
        env.reset(None)
    } else {
        transition.next_observation
    };
    (learned, next)
}

/// A DQN agent with the CNN `network` (weights seeded with `seed`) and the settings `config`,
/// on Flex, for observations that are the network's input pictures, flattened.
#[cfg(feature = "flex")]
pub fn cnn_dqn(
    network: cinder_rl::nn::CnnQNetworkConfig,
    seed: u64,
    config: DqnConfig,
) -> cinder_rl::agents::Dqn<cinder_rl::nn::CnnQNetwork> {
    let device = burn::tensor::Device::flex();
    let obs_dim = network.channels_in * network.height * network.width;
    let n_actions = network.n_actions;
    let network = network.init(&device, seed).unwrap();
    cinder_rl::agents::Dqn::new(config, network, obs_dim, n_actions, &device).unwrap()
}
