//! The trainer: one entry point for one environment or N copies, with or without checkpoints.

use std::marker::PhantomData;
use std::path::PathBuf;

use super::checkpoint::Checkpoints;
use super::envs::{Envs, ResumableEnvs};
use super::run::{EpisodeHook, StartHook};
use super::{EpisodeRecord, TrainConfig, TrainSummary};
use crate::agent::Agent;
use crate::env::Environment;
use crate::error::Error;

/// Runs an agent in an environment: act, step, observe (and learn), until the budget is spent
/// or the stop rule is met; then evaluates greedily.
///
/// [`run`](Self::run) is the one entry point: it trains on one [`Environment`] or on a
/// [`VecEnv`](crate::env::VecEnv) of N copies (see [`Envs`]), and evaluates on an environment
/// that may be of another type. The training environment's first reset is seeded with
/// `derive_seed(seed, 0)`, every evaluation's with `derive_seed(seed, 1)`, so a run is fixed
/// by its seed.
///
/// With [`with_checkpoints`](Self::with_checkpoints) the run saves its complete state as it
/// goes, and [`resume_from`](Self::resume_from) continues such a run exactly; either turns the
/// trainer into a `Trainer<Resumable>`, whose `run` asks the environment for
/// [`Snapshot`](crate::env::Snapshot) and the agent for [`Checkpoint`](crate::agent::Checkpoint)
/// (see [`ResumableEnvs`]).
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
pub struct Trainer<'a, K = Plain> {
    pub(super) config: TrainConfig,
    pub(super) start_hooks: Vec<StartHook<'a>>,
    pub(super) hooks: Vec<EpisodeHook<'a>>,
    pub(super) checkpoints: Option<Checkpoints>,
    pub(super) resume_from: Option<PathBuf>,
    kind: PhantomData<K>,
}

/// A [`Trainer`] that neither checkpoints nor resumes: it trains any environment and agent.
#[derive(Debug, Clone, Copy)]
pub struct Plain;

/// A [`Trainer`] that checkpoints or resumes: it trains environments that can be saved and
/// restored, and agents whose training state can be.
#[derive(Debug, Clone, Copy)]
pub struct Resumable;

impl<'a> Trainer<'a, Plain> {
    /// A trainer with the given settings.
    pub fn new(config: TrainConfig) -> Self {
        Self {
            config,
            start_hooks: Vec::new(),
            hooks: Vec::new(),
            checkpoints: None,
            resume_from: None,
            kind: PhantomData,
        }
    }

    /// Trains `agent` on `envs` (one environment, or a [`VecEnv`](crate::env::VecEnv) of N
    /// copies for an agent that acts for all of them at once), evaluating on `eval_env`, which
    /// may be of another type (the plain task when training on a shaped one). The stop rule's
    /// threshold defaults to the training environment's. With N copies every step of every
    /// copy counts towards the step budget, and episodes are recorded in the order they end.
    pub fn run<T, V, A>(
        &mut self,
        agent: &mut A,
        envs: &mut T,
        eval_env: &mut V,
    ) -> Result<TrainSummary, Error>
    where
        T: Envs<A>,
        V: Environment<Observation = T::Observation, Action = T::Action>,
    {
        envs.train(self, agent, eval_env)
    }
}

impl<'a> Trainer<'a, Resumable> {
    /// [`Trainer::<Plain>::run`](Trainer::run), saving checkpoints as
    /// [`with_checkpoints`](Self::with_checkpoints) asks and continuing from the one
    /// [`resume_from`](Self::resume_from) names.
    pub fn run<T, V, A>(
        &mut self,
        agent: &mut A,
        envs: &mut T,
        eval_env: &mut V,
    ) -> Result<TrainSummary, Error>
    where
        T: ResumableEnvs<A>,
        V: Environment<Observation = T::Observation, Action = T::Action>,
    {
        envs.train_resumable(self, agent, eval_env)
    }
}

impl<'a, K> Trainer<'a, K> {
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

    /// Saves the run's complete state as it goes.
    pub fn with_checkpoints(self, checkpoints: Checkpoints) -> Trainer<'a, Resumable> {
        let mut trainer = self.resumable();
        trainer.checkpoints = Some(checkpoints);
        trainer
    }

    /// Continues the run saved in the checkpoint at `path` (written by a run with the same
    /// seed) instead of starting afresh; the budget and stop rule are this trainer's.
    pub fn resume_from(self, path: impl Into<PathBuf>) -> Trainer<'a, Resumable> {
        let mut trainer = self.resumable();
        trainer.resume_from = Some(path.into());
        trainer
    }

    fn resumable(self) -> Trainer<'a, Resumable> {
        Trainer {
            config: self.config,
            start_hooks: self.start_hooks,
            hooks: self.hooks,
            checkpoints: self.checkpoints,
            resume_from: self.resume_from,
            kind: PhantomData,
        }
    }
}

/// Trains `agent` on `env` with `config`, evaluating on `eval_env`; see [`Trainer`].
pub fn train<E, V, A>(
    agent: &mut A,
    env: &mut E,
    eval_env: &mut V,
    config: TrainConfig,
) -> Result<TrainSummary, Error>
where
    E: Environment,
    E::Action: Clone,
    A: Agent<E::Observation, E::Action>,
    V: Environment<Observation = E::Observation, Action = E::Action>,
{
    Trainer::new(config).run(agent, env, eval_env)
}
