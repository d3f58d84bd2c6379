//! The algorithm a continuous core serves ([`ContinuousLearner`]), and what the agents do
//! around its updates: acting, storing, the rounds of updates and their means.

use crate::agent::{Learned, Metrics, Mode, VecTransitions};
use crate::agents::checks;
use crate::env::{Action, ActionRef, ActionShape};
use crate::error::{AgentError, MemoryError};
use crate::memory::{Batch, ReplayMemory, Transition};

use super::ContinuousCore;

/// What one gradient update measured: the critics' loss and named values (for the metrics).
#[derive(Debug, Clone, Default)]
pub(crate) struct UpdateReport {
    pub loss: f32,
    pub entropy: Option<f32>,
    pub values: Vec<(&'static str, f32)>,
}

/// The means of the reports of a round of updates (a value that only some updates report,
/// such as a delayed actor's loss, is the mean over those).
#[derive(Default)]
struct Means {
    updates: u32,
    loss: f32,
    entropy: (f32, u32),
    values: Vec<(&'static str, f64, u32)>,
}

impl Means {
    fn add(&mut self, report: UpdateReport) {
        self.updates += 1;
        self.loss += report.loss;
        if let Some(entropy) = report.entropy {
            self.entropy.0 += entropy;
            self.entropy.1 += 1;
        }
        for (name, value) in report.values {
            match self.values.iter_mut().find(|(n, ..)| *n == name) {
                Some((_, sum, count)) => {
                    *sum += f64::from(value);
                    *count += 1;
                }
                None => self.values.push((name, f64::from(value), 1)),
            }
        }
    }

    fn learned(self) -> Learned {
        let mut metrics = Metrics::default();
        for (name, sum, count) in self.values {
            metrics.push(name, sum / f64::from(count));
        }
        Learned {
            updates: self.updates,
            loss: (self.updates > 0).then(|| self.loss / self.updates as f32),
            epsilon: None,
            entropy: (self.entropy.1 > 0).then(|| self.entropy.0 / self.entropy.1 as f32),
            metrics,
        }
    }

    fn merge(&mut self, learned: &Learned) {
        let n = learned.updates;
        if n == 0 {
            return;
        }
        self.updates += n;
        self.loss += learned.loss.unwrap_or(0.0) * n as f32;
        if let Some(entropy) = learned.entropy {
            self.entropy.0 += entropy * n as f32;
            self.entropy.1 += n;
        }
        for (name, value) in learned.metrics.iter() {
            match self.values.iter_mut().find(|(n, ..)| *n == name) {
                Some((_, sum, count)) => {
                    *sum += value * f64::from(n);
                    *count += n;
                }
                None => self.values.push((name, value * f64::from(n), n)),
            }
        }
    }
}

/// A continuous-action off-policy algorithm: its actor and its update, on a [`ContinuousCore`].
pub(crate) trait ContinuousLearner {
    type Memory: ReplayMemory;

    fn core(&self) -> &ContinuousCore<Self::Memory>;

    fn core_mut(&mut self) -> &mut ContinuousCore<Self::Memory>;

    /// The actor's actions in `[-1, 1]` units for `rows` rows of network `input` (observations
    /// normalised when the agent normalises them), sampled or perturbed when `explore`,
    /// appended to `out`.
    fn unit_actions(
        &mut self,
        input: Vec<f32>,
        rows: usize,
        explore: bool,
        out: &mut Vec<f32>,
    ) -> Result<(), AgentError>;

    /// One gradient update on `batch` (normalised, actions as the box's values), writing the
    /// samples' absolute TD errors into `td_errors` when given.
    fn update(
        &mut self,
        batch: &Batch,
        td_errors: Option<&mut Vec<f32>>,
    ) -> Result<UpdateReport, AgentError>;

    /// After a round of updates: refresh what acting uses.
    fn updated(&mut self);
}

/// The action of type `A` for a chosen action, or an error when `A` cannot hold it.
pub(crate) fn decode<A: Action>(action: ActionRef<'_>) -> Result<A, AgentError> {
    A::decode(action).ok_or_else(|| {
        AgentError::Memory(MemoryError::ActionShape {
            expected: action.shape(),
            actual: match action {
                ActionRef::Index(_) => ActionShape::Continuous { dim: 0 },
                ActionRef::Values(_) => ActionShape::Discrete,
            },
        })
    })
}

/// One action per row of the raw `observations`: uniformly random while exploring before
/// `random_steps` steps, else the actor's (explored or deterministic), in the box's values.
pub(crate) fn act<L: ContinuousLearner, A: Action>(
    agent: &mut L,
    observations: &[f32],
    mode: Mode,
    out: &mut Vec<A>,
) -> Result<(), AgentError> {
    let core = agent.core();
    let rows = checks::observation_rows(observations, core.obs_dim)?;
    let dim = core.action_dim();
    let mut values = Vec::with_capacity(rows * dim);
    if mode == Mode::Explore && core.off.env_steps < core.random_steps {
        let core = agent.core_mut();
        core.scale.sample(rows, &mut core.rng, &mut values);
    } else {
        let mut input = Vec::with_capacity(observations.len());
        core.normalization.input(observations, &mut input)?;
        let mut units = Vec::with_capacity(rows * dim);
        agent.unit_actions(input, rows, mode == Mode::Explore, &mut units)?;
        agent.core().scale.to_box(&units, &mut values);
    }
    out.clear();
    for row in values.chunks_exact(dim) {
        out.push(decode(ActionRef::Values(row))?);
    }
    Ok(())
}

/// The action for one raw `observation`, as [`act`] chooses it.
pub(crate) fn act_one<L: ContinuousLearner, A: Action>(
    agent: &mut L,
    observation: &[f32],
    mode: Mode,
) -> Result<A, AgentError> {
    let obs_dim = agent.core().obs_dim;
    if observation.len() != obs_dim {
        return Err(AgentError::ObservationLength {
            expected: obs_dim,
            actual: observation.len(),
        });
    }
    let mut actions = Vec::with_capacity(1);
    act(agent, observation, mode, &mut actions)?;
    Ok(actions.pop().expect("one row, one action"))
}

/// One update on a batch drawn from the memory, outside the schedule; returns its loss.
pub(crate) fn learn<L: ContinuousLearner>(agent: &mut L) -> Result<f32, AgentError> {
    let loss = update_once(agent)?.loss;
    agent.updated();
    Ok(loss)
}

/// One update on a batch drawn from the memory (normalised when the agent normalises), the
/// batch handed back to the core whatever the outcome.
fn update_once<L: ContinuousLearner>(agent: &mut L) -> Result<UpdateReport, AgentError> {
    let core = agent.core_mut();
    let mut sample = core.off.sample()?;
    // The memory keeps raw observations (rewards scaled already).
    let batch = match core.normalization.batch(&sample.batch) {
        Ok(batch) => batch,
        Err(e) => {
            core.off.give_back(sample);
            return Err(e);
        }
    };
    let report = agent.update(&batch, sample.td_errors.as_mut());
    drop(batch);
    let core = agent.core_mut();
    match report {
        Ok(report) => {
            core.off.updated(sample, Ok(report.loss))?;
            Ok(report)
        }
        Err(e) => {
            core.off.give_back(sample);
            Err(e)
        }
    }
}

/// Stores `transition` (its reward scaled), adds it to the normalisation statistics and runs
/// the round of updates the schedule says is due.
pub(crate) fn observe<L: ContinuousLearner, O: AsRef<[f32]>, A: Action>(
    agent: &mut L,
    transition: &Transition<O, A>,
) -> Result<Learned, AgentError> {
    let core = agent.core_mut();
    let observation = transition.observation.as_ref();
    if let Some(values) = transition.action.encode().values()
        && let Some(bad) = values.iter().find(|v| !v.is_finite())
    {
        return Err(AgentError::InvalidConfig {
            field: "action",
            reason: format!("an action value is {bad}"),
        });
    }
    // Checked before anything is stored; added to the statistics once stored (a vectorized
    // step adds all its copies at once instead).
    if !core.observing_copies {
        core.normalization.check_step(observation, 1)?;
    }
    let episode_ended = core.off.store(&Transition {
        observation,
        action: transition.action.clone(),
        reward: transition.reward * core.reward_scale,
        next_observation: transition.next_observation.as_ref(),
        terminated: transition.terminated,
        truncated: transition.truncated,
    })?;
    if !core.observing_copies {
        core.observe_statistics(observation, &[transition.reward], &[transition.done()])?;
    }

    let due = core.off.due_updates(episode_ended);
    let mut means = Means::default();
    for _ in 0..due {
        means.add(update_once(agent)?);
    }
    if due > 0 {
        agent.updated();
    }
    Ok(means.learned())
}

/// Takes in one step of N copies, each as [`observe`] takes a transition, in copy order; the
/// copies' observations and rewards join the normalisation statistics together.
pub(crate) fn observe_batch<L: ContinuousLearner, A: Action>(
    agent: &mut L,
    step: &VecTransitions<'_, A>,
) -> Result<Learned, AgentError> {
    let d = agent.core().obs_dim;
    let n = checks::step_copies(step, d)?;
    let observe_copy = |agent: &mut L, i: usize| {
        observe(
            agent,
            &Transition {
                observation: &step.observations[i * d..(i + 1) * d],
                action: step.actions[i].clone(),
                reward: step.rewards[i],
                next_observation: &step.next_observations[i * d..(i + 1) * d],
                terminated: step.terminated[i],
                truncated: step.truncated[i],
            },
        )
    };
    if n == 1 {
        return observe_copy(agent, 0);
    }
    agent
        .core()
        .normalization
        .check_step(step.observations, n)?;
    agent.core_mut().observing_copies = true;
    let mut means = Means::default();
    let mut outcome = Ok(());
    for i in 0..n {
        agent.core_mut().off.copy = i;
        match observe_copy(agent, i) {
            Ok(learned) => means.merge(&learned),
            Err(error) => {
                outcome = Err(error);
                break;
            }
        }
    }
    let core = agent.core_mut();
    core.observing_copies = false;
    core.off.copy = 0;
    outcome?;
    core.observe_statistics(step.observations, step.rewards, &step.episode_ends())?;
    Ok(means.learned())
}
