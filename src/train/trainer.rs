//! The loops themselves.

use std::path::PathBuf;

use super::checkpoint::{self, Checkpoints};
use super::run::{EpisodeHook, Run, StartHook, UpdateStats};
use super::{EpisodeRecord, TrainConfig, TrainSummary};
use crate::agent::{Agent, Checkpoint, Mode, VecAgent, VecTransitions};
use crate::env::{Environment, Snapshot, VecEnv};
use crate::error::Error;
use crate::memory::Transition;

/// Runs an agent in an environment: act, step, observe (and learn), until the budget is spent
/// or the stop rule is met; then evaluates greedily.
///
/// The training environment's first reset is seeded with `derive_seed(seed, 0)`, every
/// evaluation's with `derive_seed(seed, 1)`, so a run is fixed by its seed. With
/// [`with_checkpoints`](Self::with_checkpoints) the run saves its complete state as it goes,
/// and [`resume_from`](Self::resume_from) continues such a run exactly.
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
    start_hooks: Vec<StartHook<'a>>,
    hooks: Vec<EpisodeHook<'a>>,
    checkpoints: Option<Checkpoints>,
    resume_from: Option<PathBuf>,
}

/// Where the single-environment loop starts: a fresh reset, or mid-episode after a resume.
struct Start<O> {
    observation: O,
    episode_return: f64,
    episode_length: u64,
}

impl<'a> Trainer<'a> {
    /// A trainer with the given settings.
    pub fn new(config: TrainConfig) -> Self {
        Self {
            config,
            start_hooks: Vec::new(),
            hooks: Vec::new(),
            checkpoints: None,
            resume_from: None,
        }
    }

    /// Adds a callback run once before the first step, with the run's counters: after a
    /// resume has restored the agent, the environment and the bookkeeping, so that nothing is
    /// written when a checkpoint does not fit (to open logs, trim them to the checkpoint...).
    /// An error stops the run before it steps.
    pub fn on_start(mut self, hook: impl FnMut(&TrainSummary) -> Result<(), Error> + 'a) -> Self {
        self.start_hooks.push(Box::new(hook));
        self
    }

    /// Adds a callback run with each finished episode's record (to write metrics, keep a
    /// learning curve...).
    pub fn on_episode(
        mut self,
        hook: impl FnMut(&EpisodeRecord) -> Result<(), Error> + 'a,
    ) -> Self {
        self.hooks.push(Box::new(hook));
        self
    }

    /// Saves the run's complete state as it goes (used by [`run_resumable`](Self::run_resumable)
    /// and [`run_vec_resumable`](Self::run_vec_resumable)).
    pub fn with_checkpoints(mut self, checkpoints: Checkpoints) -> Self {
        self.checkpoints = Some(checkpoints);
        self
    }

    /// Continues the run saved in the checkpoint at `path` (written by a run with the same
    /// seed) instead of starting afresh; the budget and stop rule are this trainer's.
    pub fn resume_from(mut self, path: impl Into<PathBuf>) -> Self {
        self.resume_from = Some(path.into());
        self
    }

    /// Trains `agent` on `env`, evaluating on `eval_env`, which may be of another type (the
    /// plain task when training on a shaped one); the stop rule's threshold defaults to the
    /// training environment's.
    pub fn run<E, V, A>(
        &mut self,
        agent: &mut A,
        env: &mut E,
        eval_env: &mut V,
    ) -> Result<TrainSummary, Error>
    where
        E: Environment<Action = usize>,
        A: Agent<E::Observation>,
        V: Environment<Observation = E::Observation, Action = usize>,
    {
        let mut run = Run::new(&self.config, env.reward_threshold())?;
        let start = Start {
            observation: env.reset(Some(run.env_seed())),
            episode_return: 0.0,
            episode_length: 0,
        };
        started(&mut self.start_hooks, &run)?;
        single_loop(
            &mut run,
            &mut self.hooks,
            agent,
            env,
            eval_env,
            start,
            |_, _, _, _| Ok(()),
        )?;
        run.finish(agent, eval_env)
    }

    /// [`run`](Self::run), saving checkpoints when [`with_checkpoints`](Self::with_checkpoints)
    /// asks for them and continuing from one when [`resume_from`](Self::resume_from) names it.
    pub fn run_resumable<E, V, A>(
        &mut self,
        agent: &mut A,
        env: &mut E,
        eval_env: &mut V,
    ) -> Result<TrainSummary, Error>
    where
        E: Snapshot<Action = usize>,
        A: Agent<E::Observation> + Checkpoint,
        V: Environment<Observation = E::Observation, Action = usize>,
    {
        let mut run = Run::new(&self.config, env.reward_threshold())?;
        let start = match &self.resume_from {
            Some(path) => {
                let (env_state, episode_return, episode_length) =
                    checkpoint::resume(path, self.config.seed, &mut run, agent)?;
                Start {
                    observation: env.restore(env_state)?,
                    episode_return,
                    episode_length,
                }
            }
            None => Start {
                observation: env.reset(Some(run.env_seed())),
                episode_return: 0.0,
                episode_length: 0,
            },
        };
        started(&mut self.start_hooks, &run)?;
        let (checkpoints, seed) = (self.checkpoints.clone(), self.config.seed);
        single_loop(
            &mut run,
            &mut self.hooks,
            agent,
            env,
            eval_env,
            start,
            |run, env, agent, episode| match &checkpoints {
                Some(c) if c.due(run.summary.env_steps, 1, episode.is_final) => c.write(
                    seed,
                    run,
                    &env.snapshot(),
                    agent,
                    (episode.episode_return, episode.episode_length),
                ),
                _ => Ok(()),
            },
        )?;
        run.finish(agent, eval_env)
    }

    /// Trains `agent` on the N copies of `envs`, acting for all of them in one batched call per
    /// step, and evaluates on `eval_env`. Every environment step of every copy counts towards
    /// the step budget; episodes are recorded in the order they end.
    pub fn run_vec<E, V, A>(
        &mut self,
        agent: &mut A,
        envs: &mut VecEnv<E>,
        eval_env: &mut V,
    ) -> Result<TrainSummary, Error>
    where
        E: Environment<Action = usize>,
        E::Observation: AsRef<[f32]>,
        A: VecAgent + Agent<E::Observation>,
        V: Environment<Observation = E::Observation, Action = usize>,
    {
        let mut run = Run::new(&self.config, vec_threshold(envs))?;
        envs.reset(Some(run.env_seed()))?;
        started(&mut self.start_hooks, &run)?;
        vec_loop(
            &mut run,
            &mut self.hooks,
            agent,
            envs,
            eval_env,
            |_, _, _, _| Ok(()),
        )?;
        run.finish(agent, eval_env)
    }

    /// [`run_vec`](Self::run_vec) with checkpoints and resumption, as
    /// [`run_resumable`](Self::run_resumable).
    pub fn run_vec_resumable<E, V, A>(
        &mut self,
        agent: &mut A,
        envs: &mut VecEnv<E>,
        eval_env: &mut V,
    ) -> Result<TrainSummary, Error>
    where
        E: Snapshot<Action = usize>,
        E::Observation: AsRef<[f32]>,
        A: VecAgent + Agent<E::Observation> + Checkpoint,
        V: Environment<Observation = E::Observation, Action = usize>,
    {
        let mut run = Run::new(&self.config, vec_threshold(envs))?;
        match &self.resume_from {
            Some(path) => {
                let (env_state, _, _) =
                    checkpoint::resume(path, self.config.seed, &mut run, agent)?;
                envs.restore(env_state)?;
            }
            None => {
                envs.reset(Some(run.env_seed()))?;
            }
        }
        started(&mut self.start_hooks, &run)?;
        let (checkpoints, seed) = (self.checkpoints.clone(), self.config.seed);
        vec_loop(
            &mut run,
            &mut self.hooks,
            agent,
            envs,
            eval_env,
            |run, envs, agent, is_final| {
                let steps = envs.num_envs() as u64;
                match &checkpoints {
                    Some(c) if c.due(run.summary.env_steps, steps, is_final) => {
                        c.write(seed, run, &envs.snapshot(), agent, (0.0, 0))
                    }
                    _ => Ok(()),
                }
            },
        )?;
        run.finish(agent, eval_env)
    }
}

/// The reward threshold of a vectorized environment's copies: the stop rule judges training
/// episodes, so it takes the training environment's threshold, with one copy or N.
fn vec_threshold<E: Environment>(envs: &VecEnv<E>) -> Option<f64>
where
    E::Observation: AsRef<[f32]>,
    E::Action: Clone,
{
    envs.envs().first().and_then(Environment::reward_threshold)
}

/// Runs the start hooks with the run's counters.
fn started(hooks: &mut [StartHook<'_>], run: &Run<'_>) -> Result<(), Error> {
    hooks.iter_mut().try_for_each(|hook| hook(&run.summary))
}

/// The partial episode at a checkpoint.
struct EpisodeSoFar {
    episode_return: f64,
    episode_length: u64,
    is_final: bool,
}

/// Act, step, observe, until the budget is spent or the stop rule is met; `after_step` runs
/// after every step (with `is_final` after the last).
fn single_loop<E, V, A>(
    run: &mut Run<'_>,
    hooks: &mut [EpisodeHook<'_>],
    agent: &mut A,
    env: &mut E,
    eval_env: &mut V,
    start: Start<E::Observation>,
    mut after_step: impl FnMut(&Run<'_>, &E, &A, EpisodeSoFar) -> Result<(), Error>,
) -> Result<(), Error>
where
    E: Environment<Action = usize>,
    A: Agent<E::Observation>,
    V: Environment<Observation = E::Observation, Action = usize>,
{
    let Start {
        mut observation,
        mut episode_return,
        mut episode_length,
    } = start;
    while run.continues(1) {
        let action = agent.act(&observation, Mode::Explore)?;
        let step = env.step(action)?;
        run.summary.env_steps += 1;
        episode_length += 1;
        episode_return += step.reward;
        let transition = Transition::from_step(observation, action, step);
        run.learned(&agent.observe(&transition)?);
        let mut solved = false;
        observation = if transition.done() {
            let stats = run.take_stats();
            solved = run.episode_end(
                episode_return,
                episode_length,
                &stats,
                hooks,
                agent,
                eval_env,
            )?;
            (episode_return, episode_length) = (0.0, 0);
            env.reset(None)
        } else {
            transition.next_observation
        };
        let is_final = solved || !run.episodes_left() || !run.steps_left(1);
        after_step(
            run,
            env,
            agent,
            EpisodeSoFar {
                episode_return,
                episode_length,
                is_final,
            },
        )?;
        if solved {
            break;
        }
    }
    Ok(())
}

/// The N-copy loop; `after_step` runs after every step (with `true` after the last).
fn vec_loop<E, V, A>(
    run: &mut Run<'_>,
    hooks: &mut [EpisodeHook<'_>],
    agent: &mut A,
    envs: &mut VecEnv<E>,
    eval_env: &mut V,
    mut after_step: impl FnMut(&Run<'_>, &VecEnv<E>, &A, bool) -> Result<(), Error>,
) -> Result<(), Error>
where
    E: Environment<Action = usize>,
    E::Observation: AsRef<[f32]>,
    A: VecAgent + Agent<E::Observation>,
    V: Environment<Observation = E::Observation, Action = usize>,
{
    let n = envs.num_envs() as u64;
    let mut observations = envs.observations().to_vec();
    let mut actions = Vec::with_capacity(envs.num_envs());
    while run.continues(n) {
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
        // Only when episodes end: otherwise the reports go on adding up.
        let stats = if step.episodes.is_empty() {
            UpdateStats::default()
        } else {
            run.take_stats()
        };
        for (_, episode) in step.episodes {
            solved |= run.episode_end(
                episode.episode_return,
                episode.length as u64,
                &stats,
                hooks,
                agent,
                eval_env,
            )?;
        }
        let is_final = solved || !run.episodes_left() || !run.steps_left(n);
        after_step(run, envs, agent, is_final)?;
        if solved {
            break;
        }
    }
    Ok(())
}

/// Trains `agent` on `env` with `config`, evaluating on `eval_env`; see [`Trainer`].
pub fn train<E, V, A>(
    agent: &mut A,
    env: &mut E,
    eval_env: &mut V,
    config: TrainConfig,
) -> Result<TrainSummary, Error>
where
    E: Environment<Action = usize>,
    A: Agent<E::Observation>,
    V: Environment<Observation = E::Observation, Action = usize>,
{
    Trainer::new(config).run(agent, env, eval_env)
}
