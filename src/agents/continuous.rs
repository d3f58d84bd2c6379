//! What SAC and TD3 share around their updates: actions in a bounded box, rescaled from the
//! actor's `[-1, 1]` units; uniformly random actions until learning starts; raw experience in
//! a replay memory, normalised when replayed; the rounds of gradient updates the off-policy
//! core schedules, and the means of what they measured.

use std::path::Path;

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};

use crate::agent::{Learned, Metrics, Mode, VecTransitions};
use crate::agents::action_scale::ActionScale;
use crate::agents::checks;
use crate::agents::file::{Header, load_module_with, save_module_with};
use crate::agents::normalization::Normalization;
use crate::agents::off_policy::{OffPolicyCore, TrainFrequency};
use crate::agents::training::read_values;
use crate::env::{Action, ActionRef, ActionShape, Space};
use crate::error::{AgentError, MemoryError};
use crate::memory::{
    Batch, MemoryState, ObservationStorage, ReplayMemory, Transition, UniformReplay,
};
use crate::nn::{ActorNetwork, Mlp, MlpConfig, Twin};
use crate::rng::{SeededRng, derive_seed, seeded};

/// The replay core, the normalisation, the action box and the acting generator of a
/// continuous-action off-policy agent.
pub(crate) struct ContinuousCore<R> {
    pub off: OffPolicyCore<R>,
    pub normalization: Normalization,
    pub scale: ActionScale,
    /// Draws the random actions before learning starts and the exploration noise.
    pub rng: SeededRng,
    pub obs_dim: usize,
    pub gamma: f64,
    pub reward_scale: f64,
    /// Environment steps acted uniformly at random before the actor takes over.
    pub random_steps: u64,
    /// Set while a vectorized step stores its copies one by one: the step's statistics are
    /// added for all copies together.
    observing_copies: bool,
}

/// The settings of SAC and TD3 that the core follows.
pub(crate) struct CoreSettings {
    pub batch_size: usize,
    pub learning_starts: usize,
    pub train_frequency: TrainFrequency,
    pub gamma: f64,
    pub reward_scale: f64,
    pub normalize_observations: bool,
    pub normalize_rewards: bool,
    pub seed: u64,
}

impl<R: ReplayMemory> ContinuousCore<R> {
    /// The core of an agent acting in the box `actions` and storing its experience in
    /// `memory`, which must hold the box's actions. Its generators are seeded from
    /// `settings.seed`: acting with `derive_seed(seed, 0)`, sampling with `derive_seed(seed, 1)`.
    pub fn new(memory: R, actions: &Space, settings: CoreSettings) -> Result<Self, AgentError> {
        let scale = ActionScale::new(actions)?;
        let expected = ActionShape::Continuous { dim: scale.dim() };
        if memory.action_shape() != expected {
            return Err(MemoryError::ActionShape {
                expected,
                actual: memory.action_shape(),
            }
            .into());
        }
        let obs_dim = memory.obs_dim();
        Ok(Self {
            off: OffPolicyCore::new(
                memory,
                seeded(derive_seed(settings.seed, 1)),
                settings.batch_size,
                settings.learning_starts,
                settings.train_frequency,
            ),
            normalization: Normalization::new(
                obs_dim,
                1,
                settings.gamma,
                settings.normalize_observations,
                settings.normalize_rewards,
            ),
            scale,
            rng: seeded(derive_seed(settings.seed, 0)),
            obs_dim,
            gamma: settings.gamma,
            reward_scale: settings.reward_scale,
            random_steps: settings.learning_starts as u64,
            observing_copies: false,
        })
    }

    /// Writes the acting actor's weights under `header` and (when the agent normalises them)
    /// the observation statistics to `path`, atomically.
    pub fn save_actor<A: Module>(
        &self,
        path: &Path,
        header: &Header,
        acting: &A,
    ) -> Result<(), AgentError> {
        save_module_with(path, header, acting, self.normalization.file_entries())
    }

    /// A copy of `actor` with the weights saved at `path` under `header`, taking the file's
    /// observation statistics. A file that does not fit changes nothing.
    pub fn load_actor<A: Module>(
        &mut self,
        path: &Path,
        header: &Header,
        actor: &A,
    ) -> Result<A, AgentError> {
        let (actor, archive) = load_module_with(path, header, actor)?;
        let observations = self
            .normalization
            .read_file_entries(&archive, self.obs_dim, path)?;
        self.normalization.observations = observations;
        Ok(actor)
    }

    /// Checks a replay memory and normalisation statistics read from a checkpoint against
    /// this core: the memory's capacity, observation length and actions, the statistics'
    /// presence and shapes.
    pub fn check_restored(
        &self,
        normalization: &Normalization,
        memory: &R,
    ) -> Result<(), AgentError>
    where
        R: MemoryState,
    {
        self.off.memory.check_fits(memory)?;
        memory.check_actions(&Space::Box(self.scale.bounds()))?;
        self.normalization
            .check(normalization, self.obs_dim, None, self.gamma)
            .map_err(|reason| AgentError::Format {
                path: "training state".into(),
                reason,
            })
    }

    /// The number of values of one action.
    pub fn action_dim(&self) -> usize {
        self.scale.dim()
    }

    /// Adds one step of N copies to the normalisation statistics.
    fn observe_statistics(
        &mut self,
        observations: &[f32],
        rewards: &[f64],
        done: &[bool],
    ) -> Result<(), AgentError> {
        self.normalization.observe_raw_step(
            observations,
            rewards,
            self.reward_scale,
            done,
            self.gamma,
        )
    }
}

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

/// The output of the acting actor `acting` (on `device`) for `rows` rows of network `input`,
/// read back to the host.
pub(crate) fn actor_output<A: ActorNetwork>(
    acting: &A,
    input: Vec<f32>,
    rows: usize,
    device: &Device,
) -> Result<Vec<f32>, AgentError> {
    let obs_dim = input.len() / rows;
    let input = Tensor::<2>::from_data(TensorData::new(input, [rows, obs_dim]), device);
    read_values(acting.forward(input))
}

/// The replay memory [`Sac::new`](super::Sac::new) and [`Td3::new`](super::Td3::new) give an
/// agent: the uniform ring buffer of `capacity` transitions of the box's actions.
pub(crate) fn uniform_memory(
    capacity: usize,
    obs_dim: usize,
    actions: &Space,
) -> Result<UniformReplay, AgentError> {
    Ok(UniformReplay::with_actions(
        capacity,
        obs_dim,
        ObservationStorage::F32,
        actions.action_shape(),
    )?)
}

/// ReLU MLPs of `hidden` widths for an actor of `actor_outputs` outputs per action value and
/// twin critics, seeded from `seed` (actor `derive_seed(seed, 2)`, critics 3 and 4).
pub(crate) fn mlp_networks(
    obs_dim: usize,
    actions: &Space,
    actor_outputs: usize,
    hidden: &[usize],
    seed: u64,
    device: &Device,
) -> Result<(Mlp, Twin<Mlp>), AgentError> {
    let dim = actions.flat_dim();
    let actor = MlpConfig::new(obs_dim, actor_outputs * dim)
        .with_hidden(hidden.to_vec())
        .init(device, derive_seed(seed, 2))?;
    let critic = MlpConfig::new(obs_dim + dim, 1).with_hidden(hidden.to_vec());
    let critics = Twin::new(
        critic.init(device, derive_seed(seed, 3))?,
        critic.init(device, derive_seed(seed, 4))?,
    );
    Ok((actor, critics))
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
    outcome?;
    core.observe_statistics(step.observations, step.rewards, &step.episode_ends())?;
    Ok(means.learned())
}

/// Networks of known weights for the updates' tests: one linear layer `y = x W + b`.
#[cfg(test)]
pub(crate) mod test_nets {
    use burn::module::{Module, Param};
    use burn::nn::Linear;
    use burn::tensor::{Device, Tensor, TensorData};

    use crate::memory::{ActionRows, Batch};
    use crate::nn::{ActorNetwork, ContinuousQNetwork};

    /// Two transitions of a 2-value observation and a 1-value action: the first truncated
    /// (it bootstraps), the second terminated (it does not).
    pub fn two_transitions() -> Batch {
        Batch {
            batch_size: 2,
            obs_dim: 2,
            observations: vec![0.5, -1.0, 0.2, 0.3],
            actions: ActionRows::Continuous {
                dim: 1,
                values: vec![0.4, -0.6],
            },
            rewards: vec![1.0, -2.0],
            next_observations: vec![0.1, 0.7, -0.4, 0.9],
            terminated: vec![0.0, 1.0],
            truncated: vec![1.0, 0.0],
            indices: vec![0, 1],
            weights: Vec::new(),
            discounts: Vec::new(),
        }
    }

    /// A linear map with the weights `[inputs, outputs]` (row-major) and biases given.
    #[derive(Module, Debug)]
    pub struct LinearNet {
        layer: Linear,
    }

    impl LinearNet {
        pub fn new(weight: &[f32], bias: &[f32], device: &Device) -> Self {
            let outputs = bias.len();
            let inputs = weight.len() / outputs;
            Self {
                layer: Linear {
                    weight: Param::from_tensor(Tensor::from_data(
                        TensorData::new(weight.to_vec(), [inputs, outputs]),
                        device,
                    )),
                    bias: Some(Param::from_tensor(Tensor::from_data(
                        TensorData::new(bias.to_vec(), [outputs]),
                        device,
                    ))),
                },
            }
        }
    }

    impl ActorNetwork for LinearNet {
        fn forward(&self, observations: Tensor<2>) -> Tensor<2> {
            self.layer.forward(observations)
        }
    }

    impl ContinuousQNetwork for LinearNet {
        fn forward(&self, observations: Tensor<2>, actions: Tensor<2>) -> Tensor<2> {
            self.layer
                .forward(Tensor::cat(vec![observations, actions], 1))
        }
    }
}
