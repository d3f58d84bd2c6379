//! What a [`Trainer`] trains on: one environment, or a [`VecEnv`] of copies acted for in one
//! batched call per step.

use super::checkpoint;
use super::loops::{EpisodeSoFar, Start, train_single, train_vec};
use super::run::Run;
use super::{Plain, Resumable, TrainSummary, Trainer};
use crate::agent::{Agent, Checkpoint, VecAgent};
use crate::env::{Environment, Snapshot, VecEnv};
use crate::error::Error;

mod sealed {
    /// Only the crate's environments and vectorized environments are trained on.
    pub trait Sealed {}
}

impl<E: Environment> sealed::Sealed for E {}
impl<E: Environment> sealed::Sealed for VecEnv<E> {}

/// One environment, or a [`VecEnv`] of N copies: what [`Trainer::run`] trains an agent of type
/// `A` on. One environment takes any [`Agent`]; N copies take a [`VecAgent`], which acts for
/// all of them in one batched call per step. Implemented by the crate for every
/// [`Environment`] and every [`VecEnv`]; not for you to implement.
pub trait Envs<A>: sealed::Sealed {
    /// The observations the agent sees.
    type Observation;
    /// The actions the agent takes.
    type Action;

    /// Runs the training loop of `trainer` (called by [`Trainer::run`]).
    #[doc(hidden)]
    fn train<V>(
        &mut self,
        trainer: &mut Trainer<'_, Plain>,
        agent: &mut A,
        eval_env: &mut V,
    ) -> Result<TrainSummary, Error>
    where
        V: Environment<Observation = Self::Observation, Action = Self::Action>;
}

/// [`Envs`] whose state can be saved and restored ([`Snapshot`]), trained by an agent whose
/// state can be too ([`Checkpoint`]): what a trainer with checkpoints or a resume runs on.
pub trait ResumableEnvs<A>: Envs<A> {
    /// Runs the training loop of `trainer`, checkpointing and resuming as it says (called by
    /// [`Trainer::run`]).
    #[doc(hidden)]
    fn train_resumable<V>(
        &mut self,
        trainer: &mut Trainer<'_, Resumable>,
        agent: &mut A,
        eval_env: &mut V,
    ) -> Result<TrainSummary, Error>
    where
        V: Environment<Observation = Self::Observation, Action = Self::Action>;
}

impl<E, A> Envs<A> for E
where
    E: Environment,
    E::Action: Clone,
    A: Agent<E::Observation, E::Action>,
{
    type Observation = E::Observation;
    type Action = E::Action;

    fn train<V>(
        &mut self,
        trainer: &mut Trainer<'_, Plain>,
        agent: &mut A,
        eval_env: &mut V,
    ) -> Result<TrainSummary, Error>
    where
        V: Environment<Observation = Self::Observation, Action = Self::Action>,
    {
        let fresh = |_: &mut Run<'_>, _: &mut E, _: &mut A| Ok(None);
        train_single(trainer, agent, self, eval_env, fresh, |_, _, _, _| Ok(()))
    }
}

impl<E, A> ResumableEnvs<A> for E
where
    E: Snapshot,
    E::Action: Clone,
    A: Agent<E::Observation, E::Action> + Checkpoint,
{
    fn train_resumable<V>(
        &mut self,
        trainer: &mut Trainer<'_, Resumable>,
        agent: &mut A,
        eval_env: &mut V,
    ) -> Result<TrainSummary, Error>
    where
        V: Environment<Observation = Self::Observation, Action = Self::Action>,
    {
        let (resume_from, seed) = (trainer.resume_from.clone(), trainer.config.seed);
        let checkpoints = trainer.checkpoints.clone();
        let restore = |run: &mut Run<'_>, env: &mut E, agent: &mut A| match &resume_from {
            Some(path) => {
                let (env_state, episode_return, episode_length) =
                    checkpoint::resume(path, seed, run, agent)?;
                Ok(Some(Start {
                    observation: env.restore(env_state)?,
                    episode_return,
                    episode_length,
                }))
            }
            None => Ok(None),
        };
        let checkpoint =
            |run: &Run<'_>, env: &E, agent: &A, episode: EpisodeSoFar| match &checkpoints {
                Some(c) if c.due(run.summary.env_steps, 1, episode.is_final) => c.write(
                    seed,
                    run,
                    &env.snapshot(),
                    agent,
                    (episode.episode_return, episode.episode_length),
                ),
                _ => Ok(()),
            };
        train_single(trainer, agent, self, eval_env, restore, checkpoint)
    }
}

impl<E, A> Envs<A> for VecEnv<E>
where
    E: Environment,
    E::Observation: AsRef<[f32]>,
    E::Action: Clone,
    A: VecAgent<E::Action> + Agent<E::Observation, E::Action>,
{
    type Observation = E::Observation;
    type Action = E::Action;

    fn train<V>(
        &mut self,
        trainer: &mut Trainer<'_, Plain>,
        agent: &mut A,
        eval_env: &mut V,
    ) -> Result<TrainSummary, Error>
    where
        V: Environment<Observation = Self::Observation, Action = Self::Action>,
    {
        let fresh = |_: &mut Run<'_>, _: &mut VecEnv<E>, _: &mut A| Ok(false);
        train_vec(trainer, agent, self, eval_env, fresh, |_, _, _, _| Ok(()))
    }
}

impl<E, A> ResumableEnvs<A> for VecEnv<E>
where
    E: Snapshot,
    E::Observation: AsRef<[f32]>,
    E::Action: Clone,
    A: VecAgent<E::Action> + Agent<E::Observation, E::Action> + Checkpoint,
{
    fn train_resumable<V>(
        &mut self,
        trainer: &mut Trainer<'_, Resumable>,
        agent: &mut A,
        eval_env: &mut V,
    ) -> Result<TrainSummary, Error>
    where
        V: Environment<Observation = Self::Observation, Action = Self::Action>,
    {
        let (resume_from, seed) = (trainer.resume_from.clone(), trainer.config.seed);
        let checkpoints = trainer.checkpoints.clone();
        let restore = |run: &mut Run<'_>, envs: &mut VecEnv<E>, agent: &mut A| match &resume_from {
            Some(path) => {
                let (env_state, _, _) = checkpoint::resume(path, seed, run, agent)?;
                envs.restore(env_state)?;
                Ok(true)
            }
            None => Ok(false),
        };
        let checkpoint = |run: &Run<'_>, envs: &VecEnv<E>, agent: &A, is_final: bool| {
            let steps = envs.num_envs() as u64;
            match &checkpoints {
                Some(c) if c.due(run.summary.env_steps, steps, is_final) => {
                    c.write(seed, run, &envs.snapshot(), agent, (0.0, 0))
                }
                _ => Ok(()),
            }
        };
        train_vec(trainer, agent, self, eval_env, restore, checkpoint)
    }
}
