//! The loops themselves.

use super::run::{EpisodeHook, Run};
use super::{EpisodeRecord, TrainConfig, TrainSummary};
use crate::agent::{Agent, Mode, VecAgent, VecTransitions};
use crate::env::{Environment, VecEnv};
use crate::error::Error;
use crate::memory::Transition;

/// Runs an agent in an environment: act, step, observe (and learn), until the budget is spent
/// or the stop rule is met; then evaluates greedily.
///
/// The training environment's first reset is seeded with `derive_seed(seed, 0)`, every
/// evaluation's with `derive_seed(seed, 1)`, so a run is fixed by its seed.
///
/// ```
/// use cinder_rl::env::{CartPole, CartPoleConfig};
/// use cinder_rl::train::{StopRule, TrainConfig, Trainer};
/// # use cinder_rl::agent::{Agent, Learned, Mode};
/// # use cinder_rl::memory::Transition;
/// # struct Lean;
/// # impl Agent<[f32; 4]> for Lean {
/// #     fn act(&mut self, o: &[f32; 4], _: Mode) -> Result<usize, cinder_rl::error::AgentError> { Ok(usize::from(o[2] + 0.5 * o[3] > 0.0)) }
/// #     fn observe(&mut self, _: &Transition<[f32; 4]>) -> Result<Learned, cinder_rl::error::AgentError> { Ok(Learned::default()) }
/// #     fn save(&self, _: &std::path::Path) -> Result<(), cinder_rl::error::AgentError> { Ok(()) }
/// #     fn load(&mut self, _: &std::path::Path) -> Result<(), cinder_rl::error::AgentError> { Ok(()) }
/// # }
///
/// # fn main() -> Result<(), cinder_rl::Error> {
/// let mut agent = Lean; // any Agent: Dqn, ActorCritic, your own
/// let mut env = CartPole::new(CartPoleConfig::v1())?;
/// let mut eval_env = CartPole::new(CartPoleConfig::v1())?;
/// let mut episodes = 0;
/// let summary = Trainer::new(TrainConfig::new(0).with_stop(StopRule::solved()).with_log_every_episodes(0))
///     .on_episode(|_| {
///         episodes += 1;
///         Ok(())
///     })
///     .run(&mut agent, &mut env, &mut eval_env)?;
/// assert!(summary.solved); // the hand-written controller balances the pole
/// assert_eq!(summary.episodes, 100);
/// # Ok(())
/// # }
/// ```
pub struct Trainer<'a> {
    config: TrainConfig,
    hooks: Vec<EpisodeHook<'a>>,
}

impl<'a> Trainer<'a> {
    /// A trainer with the given settings.
    pub fn new(config: TrainConfig) -> Self {
        Self {
            config,
            hooks: Vec::new(),
        }
    }

    /// Adds a callback run with each finished episode's record (to write metrics, keep a
    /// learning curve, checkpoint...).
    pub fn on_episode(
        mut self,
        hook: impl FnMut(&EpisodeRecord) -> Result<(), Error> + 'a,
    ) -> Self {
        self.hooks.push(Box::new(hook));
        self
    }

    /// Trains `agent` on `env`, evaluating on `eval_env`.
    pub fn run<E, A>(
        &mut self,
        agent: &mut A,
        env: &mut E,
        eval_env: &mut E,
    ) -> Result<TrainSummary, Error>
    where
        E: Environment<Action = usize>,
        A: Agent<E::Observation>,
    {
        let mut run = Run::new(&self.config, env.reward_threshold())?;
        let mut observation = env.reset(Some(run.env_seed()));
        'episodes: while run.episodes_left() {
            let (mut episode_return, mut length) = (0.0, 0u64);
            loop {
                if !run.steps_left(1) {
                    break 'episodes;
                }
                let action = agent.act(&observation, Mode::Explore)?;
                let step = env.step(action)?;
                run.summary.env_steps += 1;
                length += 1;
                episode_return += step.reward;
                let transition = Transition::from_step(observation, action, step);
                run.learned(&agent.observe(&transition)?);
                if transition.done() {
                    break;
                }
                observation = transition.next_observation;
            }
            if run.episode_end(episode_return, length, &mut self.hooks, agent, eval_env)? {
                break;
            }
            observation = env.reset(None);
        }
        run.finish(agent, eval_env)
    }

    /// Trains `agent` on the N copies of `envs`, acting for all of them in one batched call per
    /// step, and evaluates on `eval_env`. Every environment step of every copy counts towards
    /// the step budget; episodes are recorded in the order they end.
    pub fn run_vec<E, A>(
        &mut self,
        agent: &mut A,
        envs: &mut VecEnv<E>,
        eval_env: &mut E,
    ) -> Result<TrainSummary, Error>
    where
        E: Environment<Action = usize>,
        E::Observation: AsRef<[f32]>,
        A: VecAgent + Agent<E::Observation>,
    {
        let mut run = Run::new(&self.config, eval_env.reward_threshold())?;
        let n = envs.num_envs() as u64;
        let mut observations = envs.reset(Some(run.env_seed()))?.to_vec();
        let mut actions = Vec::with_capacity(envs.num_envs());
        while run.episodes_left() && run.steps_left(n) {
            agent.act_batch(&observations, Mode::Explore, &mut actions)?;
            let step = envs.step(&actions)?;
            run.summary.env_steps += n;
            let learned = agent.observe_batch(&VecTransitions {
                observations: &observations,
                actions: &actions,
                rewards: step.rewards,
                next_observations: step.next_observations,
                terminated: step.terminated,
                truncated: step.truncated,
            })?;
            run.learned(&learned);
            observations.copy_from_slice(step.observations);
            let mut solved = false;
            for (_, episode) in step.episodes {
                solved |= run.episode_end(
                    episode.episode_return,
                    episode.length as u64,
                    &mut self.hooks,
                    agent,
                    eval_env,
                )?;
            }
            if solved {
                break;
            }
        }
        run.finish(agent, eval_env)
    }
}

/// Trains `agent` on `env` with `config`, evaluating on `eval_env`; see [`Trainer`].
pub fn train<E, A>(
    agent: &mut A,
    env: &mut E,
    eval_env: &mut E,
    config: TrainConfig,
) -> Result<TrainSummary, Error>
where
    E: Environment<Action = usize>,
    A: Agent<E::Observation>,
{
    Trainer::new(config).run(agent, env, eval_env)
}
