//! The loops themselves: one environment, or N copies stepped together.

use super::run::{EpisodeHook, Run, StartHook, UpdateStats};
use super::{TrainSummary, Trainer};
use crate::agent::{Agent, Mode, VecAgent, VecTransitions};
use crate::env::{Environment, VecEnv};
use crate::error::Error;
use crate::memory::Transition;

/// Where the single-environment loop starts: a fresh reset, or mid-episode after a resume.
pub(super) struct Start<O> {
    pub(super) observation: O,
    pub(super) episode_return: f64,
    pub(super) episode_length: u64,
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
pub(super) struct EpisodeSoFar {
    pub(super) episode_return: f64,
    pub(super) episode_length: u64,
    pub(super) is_final: bool,
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
    E: Environment,
    E::Action: Clone,
    A: Agent<E::Observation, E::Action>,
    V: Environment<Observation = E::Observation, Action = E::Action>,
{
    let Start {
        mut observation,
        mut episode_return,
        mut episode_length,
    } = start;
    while run.continues(1) {
        let action = agent.act(&observation, Mode::Explore)?;
        let step = env.step(action.clone())?;
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
    E: Environment,
    E::Action: Clone,
    E::Observation: AsRef<[f32]>,
    A: VecAgent<E::Action> + Agent<E::Observation, E::Action>,
    V: Environment<Observation = E::Observation, Action = E::Action>,
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

/// Trains on one environment: a fresh run, or the one `restore` brings back (`None`: start
/// afresh), then [`single_loop`] with `after_step`, then the final evaluation.
pub(super) fn train_single<K, E, V, A>(
    trainer: &mut Trainer<'_, K>,
    agent: &mut A,
    env: &mut E,
    eval_env: &mut V,
    restore: impl FnOnce(&mut Run<'_>, &mut E, &mut A) -> Result<Option<Start<E::Observation>>, Error>,
    after_step: impl FnMut(&Run<'_>, &E, &A, EpisodeSoFar) -> Result<(), Error>,
) -> Result<TrainSummary, Error>
where
    E: Environment,
    E::Action: Clone,
    V: Environment<Observation = E::Observation, Action = E::Action>,
    A: Agent<E::Observation, E::Action>,
{
    let mut run = Run::new(&trainer.config, env.reward_threshold())?;
    let start = match restore(&mut run, env, agent)? {
        Some(start) => start,
        None => Start {
            observation: env.reset(Some(run.env_seed())),
            episode_return: 0.0,
            episode_length: 0,
        },
    };
    started(&mut trainer.start_hooks, &run)?;
    single_loop(
        &mut run,
        &mut trainer.hooks,
        agent,
        env,
        eval_env,
        start,
        after_step,
    )?;
    run.finish(agent, eval_env)
}

/// Trains on N copies: a fresh run, or the one `restore` brings back (returning `false`:
/// start afresh), then [`vec_loop`] with `after_step`, then the final evaluation.
pub(super) fn train_vec<K, E, V, A>(
    trainer: &mut Trainer<'_, K>,
    agent: &mut A,
    envs: &mut VecEnv<E>,
    eval_env: &mut V,
    restore: impl FnOnce(&mut Run<'_>, &mut VecEnv<E>, &mut A) -> Result<bool, Error>,
    after_step: impl FnMut(&Run<'_>, &VecEnv<E>, &A, bool) -> Result<(), Error>,
) -> Result<TrainSummary, Error>
where
    E: Environment,
    E::Action: Clone,
    E::Observation: AsRef<[f32]>,
    V: Environment<Observation = E::Observation, Action = E::Action>,
    A: VecAgent<E::Action> + Agent<E::Observation, E::Action>,
{
    let mut run = Run::new(&trainer.config, vec_threshold(envs))?;
    if !restore(&mut run, envs, agent)? {
        envs.reset(Some(run.env_seed()))?;
    }
    started(&mut trainer.start_hooks, &run)?;
    vec_loop(
        &mut run,
        &mut trainer.hooks,
        agent,
        envs,
        eval_env,
        after_step,
    )?;
    run.finish(agent, eval_env)
}
