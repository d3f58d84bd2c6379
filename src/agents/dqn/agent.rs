//! The DQN agent.

use std::path::Path;

use burn::optim::ModuleOptimizer;
use burn::tensor::Device;

use super::batch_check::check_batch;
use super::host_update::{HostLearner, host_dqn_update};
use super::update::dqn_update;
use super::{DqnConfig, QValues, ScheduleUnit, TargetUpdate};
use crate::agent::{Agent, Learned, Metrics, Mode};
use crate::agents::checks;
use crate::agents::normalization::Normalization;
use crate::agents::normalize::ObservationNormalizer;
use crate::agents::off_policy::OffPolicyCore;
use crate::agents::subnormals::without_subnormals;
use crate::agents::training::place;
use crate::env::ActionShape;
use crate::error::{AgentError, MemoryError};
use crate::memory::{AnyReplay, Batch, ReplayMemory, Transition};
use crate::nn::{QNetwork, polyak_update, probe_shapes};
use crate::policy::{AnySchedule, EpsilonGreedy, Greedy, Schedule};
use crate::rng::{derive_seed, seeded};

/// Deep Q-learning (Mnih et al. 2015) with a replay memory, a target network and, optionally,
/// double Q-learning, over any [`QNetwork`] `M`, any [`ReplayMemory`] `R` (the uniform ring
/// buffer by default) and any exploration [`Schedule`] `S` (see [`with_parts`](Dqn::with_parts)).
/// It trains on one environment or, as a [`VecAgent`](crate::agent::VecAgent), on N copies.
///
/// Acting uses a non-autodiff copy of the online network (or, with host updates, its
/// parameters on the host), refreshed after each round of updates; the target network is a
/// separate plain-device copy, updated only on its schedule and never used to act.
///
/// ```
/// use burn::tensor::Device;
/// use cinder_rl::agent::{Agent, Mode};
/// use cinder_rl::agents::{Dqn, DqnConfig};
/// use cinder_rl::nn::MlpConfig;
///
/// # fn main() -> Result<(), cinder_rl::Error> {
/// let device = Device::flex();
/// let network = MlpConfig::new(4, 2).with_hidden(vec![32]).init(&device, 0)?;
/// let mut agent = Dqn::new(DqnConfig::new().with_learning_starts(64), network, 4, 2, &device)?;
/// let action = agent.act(&[0.0f32, 0.1, -0.1, 0.0], Mode::Explore)?;
/// assert!(action < 2);
/// # Ok(())
/// # }
/// ```
pub struct Dqn<M: QNetwork, R: ReplayMemory = AnyReplay, S: Schedule = AnySchedule> {
    pub(super) config: DqnConfig,
    pub(super) online: M,
    pub(super) target: M,
    pub(super) explorer: EpsilonGreedy<QValues<M>, S>,
    pub(super) optimizer: ModuleOptimizer,
    /// The networks' parameters and Adam's state on the host, when updates run there (see
    /// [`DqnConfig::host_updates`]). `explorer` then receives the new parameters after every
    /// update; `online` and `target` keep their structure and parameter ids but not their
    /// values (read them through [`online_valid`](Self::online_valid) and
    /// [`target_network`](Self::target_network)), and `optimizer` is unused.
    pub(super) host: Option<HostLearner>,
    /// The replay memory, the sampling generator, the step and episode counts.
    pub(super) core: OffPolicyCore<R>,
    pub(super) inner: Device,
    pub(super) obs_dim: usize,
    pub(super) n_actions: usize,
    pub(super) updates: u64,
    /// Observation and reward statistics, applied when acting and to replayed batches.
    pub(super) normalization: Normalization,
    /// Set while a vectorized step stores its copies one by one: the step's statistics are
    /// added for all copies together.
    pub(super) observing_copies: bool,
}

impl<M: QNetwork> Dqn<M> {
    /// A DQN agent training `network` (built on `device`, or its autodiff version) for
    /// observations of length `obs_dim` and actions `0..n_actions`, with the replay memory
    /// (uniform or prioritized) and the exploration schedule of `config`.
    ///
    /// An invalid configuration, or a network that does not map `[1, obs_dim]` to
    /// `[1, n_actions]`, is an [`AgentError::InvalidConfig`].
    pub fn new(
        config: DqnConfig,
        network: M,
        obs_dim: usize,
        n_actions: usize,
        device: &Device,
    ) -> Result<Self, AgentError> {
        config.validate()?;
        let memory = AnyReplay::new(
            config.replay,
            config.replay_capacity,
            obs_dim,
            config.observation_storage,
            ActionShape::Discrete,
        )?;
        let exploration = config.exploration;
        Self::with_parts(config, network, memory, exploration, n_actions, device)
    }
}

impl<M: QNetwork, R: ReplayMemory, S: Schedule> Dqn<M, R, S> {
    /// A DQN agent that stores its experience in `memory` (any [`ReplayMemory`], yours
    /// included; its observation length is the agent's) and explores with epsilon following
    /// `exploration` (any [`Schedule`]) instead of `config.exploration`; the rest is as in
    /// [`new`](Dqn::new). `config.replay_capacity` and `config.observation_storage` are not
    /// used; `config.batch_size` and `config.learning_starts` must fit the memory's capacity.
    ///
    /// An exploration rate outside `[0, 1]` at the first or the last step is an
    /// [`AgentError::InvalidConfig`]; a memory of continuous actions a
    /// [`MemoryError::ActionShape`](crate::error::MemoryError::ActionShape).
    pub fn with_parts(
        config: DqnConfig,
        network: M,
        memory: R,
        exploration: S,
        n_actions: usize,
        device: &Device,
    ) -> Result<Self, AgentError> {
        let config = config.with_replay_capacity(memory.capacity());
        config.validate()?;
        checks::exploration(&exploration)?;
        if memory.action_shape() != ActionShape::Discrete {
            return Err(MemoryError::ActionShape {
                expected: ActionShape::Discrete,
                actual: memory.action_shape(),
            }
            .into());
        }
        let obs_dim = memory.obs_dim();
        let (online, inner) = place(network, obs_dim, n_actions, device)?;
        let acting = online.valid();
        probe_shapes("network", obs_dim, &inner, [1, n_actions], |input| {
            acting.forward(input).dims()
        })?;
        let optimizer = config.optimizer.init(config.clip_grad_value);
        let explorer = EpsilonGreedy::new(
            QValues::new(acting.clone(), obs_dim, n_actions, inner.clone()),
            exploration,
            derive_seed(config.seed, 0),
        );
        let host = HostLearner::new(&online, &acting, [obs_dim, n_actions], &config, &inner);
        let mut agent = Self {
            target: acting,
            online,
            host,
            explorer,
            optimizer,
            core: OffPolicyCore::new(
                memory,
                seeded(derive_seed(config.seed, 1)),
                config.batch_size,
                config.learning_starts,
                config.train_frequency,
            )
            .with_n_step(config.n_step, config.gamma)?,
            inner,
            obs_dim,
            n_actions,
            updates: 0,
            normalization: Normalization::new(
                obs_dim,
                1,
                config.gamma,
                config.normalize_observations,
                config.normalize_rewards,
            ),
            observing_copies: false,
            config,
        };
        agent.refresh_acting_network();
        Ok(agent)
    }

    /// The settings.
    pub fn config(&self) -> &DqnConfig {
        &self.config
    }

    /// The current exploration rate.
    pub fn epsilon(&self) -> f64 {
        self.explorer.epsilon()
    }

    /// Gradient updates made so far.
    pub fn updates(&self) -> u64 {
        self.updates
    }

    /// Transitions observed so far.
    pub fn env_steps(&self) -> u64 {
        self.core.env_steps
    }

    /// The replay memory.
    pub fn memory(&self) -> &R {
        &self.core.memory
    }

    /// The online network's action values (non-autodiff copy) for greedy use.
    pub fn q_values(&self) -> &QValues<M> {
        self.explorer.values()
    }

    /// The target network (a plain-device copy, with the parameters it has now).
    pub fn target_network(&self) -> M {
        match &self.host {
            Some(host) => host.target.write_into(self.target.clone()),
            None => self.target.clone(),
        }
    }

    /// The greedy policy of the current online network, independent of the agent.
    pub fn greedy_policy(&self) -> Greedy<QValues<M>> {
        Greedy::new(self.explorer.values().clone())
    }

    fn check_observation(&self, observation: &[f32]) -> Result<(), AgentError> {
        if observation.len() == self.obs_dim {
            Ok(())
        } else {
            Err(AgentError::ObservationLength {
                expected: self.obs_dim,
                actual: observation.len(),
            })
        }
    }

    /// One gradient update on a batch drawn from the replay memory (and a Polyak step of the
    /// target network when configured), outside the agent's own schedule: for
    /// collect-then-train loops. Returns the loss before the update.
    ///
    /// Fewer stored transitions than a batch is an [`AgentError::Memory`] error.
    pub fn learn(&mut self) -> Result<f32, AgentError> {
        let loss = self.gradient_step()?;
        self.refresh_acting_network();
        Ok(loss)
    }

    /// One gradient update on a fresh batch; Polyak-averages the target when configured, and
    /// hands the samples' TD errors to a memory that wants them.
    fn gradient_step(&mut self) -> Result<f32, AgentError> {
        let mut sample = self.core.sample()?;
        // The memory stores rewards scaled already, and raw observations.
        let batch = self.normalization.batch(&sample.batch)?;
        let loss = self.update_on(&batch, 1.0, sample.td_errors.as_mut());
        self.core.updated(sample, loss)
    }

    /// One gradient update on `batch`, its rewards multiplied by `reward_scale`;
    /// Polyak-averages the target when configured.
    fn update_on(
        &mut self,
        batch: &Batch,
        reward_scale: f32,
        td_errors: Option<&mut Vec<f32>>,
    ) -> Result<f32, AgentError> {
        let learning_rate = self.config.learning_rate_at(self.core.env_steps);
        if let Some(host) = &mut self.host {
            let config = &self.config;
            let loss = without_subnormals(|| {
                let loss =
                    host_dqn_update(host, batch, reward_scale, config, learning_rate, td_errors)?;
                if let TargetUpdate::Polyak { tau } = config.target_update {
                    host.polyak(tau);
                }
                Ok::<_, AgentError>(loss)
            })?;
            self.updates += 1;
            return Ok(loss);
        }
        let online = self.online.clone();
        let (online, loss) = without_subnormals(|| {
            dqn_update(
                online,
                &self.target,
                &mut self.optimizer,
                batch,
                reward_scale,
                &self.config,
                learning_rate,
                &self.inner,
                td_errors,
            )
        })?;
        self.online = online;
        self.updates += 1;
        if let TargetUpdate::Polyak { tau } = self.config.target_update {
            self.target =
                polyak_update(&self.online, self.target.clone(), tau).ok_or_else(|| {
                    AgentError::InvalidConfig {
                        field: "network",
                        reason:
                            "the target network's parameters no longer match the online network's"
                                .into(),
                    }
                })?;
        }
        Ok(loss)
    }

    /// One gradient update on a batch the caller assembled (see [`Batch::from_transitions`]),
    /// instead of one drawn from the replay memory: for loops that train epochs over their own
    /// shuffled data. Rewards are multiplied by the config's `reward_scale`, as
    /// [`observe`](Agent::observe) does, and observations and rewards normalised with the
    /// statistics `observe` has gathered when the agent normalises; the target network follows its Polyak setting (hard
    /// copies stay on their step or episode schedule, which only `observe` advances). Returns
    /// the loss before the update.
    ///
    /// What it advances: the update count ([`updates`](Self::updates)) and, with Polyak
    /// averaging, the target network. What it does not: the environment-step and episode
    /// counts, and so neither the learning-rate schedule (the rate is the one at the steps
    /// [`observe`](Agent::observe) has counted) nor the exploration schedule, nor hard target
    /// copies; the replay memory is neither read nor written. A loop that wants a decaying
    /// rate or epsilon drives them itself (as `examples/cartpole_dqn_batch.rs` does epsilon).
    ///
    /// A batch of another observation length, inconsistent field lengths or an action out of
    /// range is an error, and the agent is left as it was.
    pub fn learn_batch(&mut self, batch: &Batch) -> Result<f32, AgentError> {
        check_batch(batch, self.obs_dim, self.n_actions)?;
        let loss = if self.normalization.is_active() {
            // Normalised as replayed batches are, with the statistics `observe` gathered.
            let mut scaled = batch.clone();
            for reward in &mut scaled.rewards {
                *reward = (f64::from(*reward) * self.config.reward_scale) as f32;
            }
            let normalised = self.normalization.batch(&scaled)?;
            self.update_on(&normalised, 1.0, None)?
        } else {
            self.update_on(batch, self.config.reward_scale as f32, None)?
        };
        self.refresh_acting_network();
        Ok(loss)
    }

    /// Hard target copies on their step or episode schedule.
    fn copy_target_if_due(&mut self, episode_ended: bool) {
        let due = match self.config.target_update {
            TargetUpdate::HardEverySteps(every) => self.core.env_steps.is_multiple_of(every),
            TargetUpdate::HardEveryEpisodes(every) => {
                episode_ended && self.core.episodes.is_multiple_of(every)
            }
            TargetUpdate::Polyak { .. } => false,
        };
        if due {
            // With host updates the target's tensors only hold its structure: the copy is
            // the host learner's.
            match &mut self.host {
                Some(host) => host.copy_target(),
                None => self.target = self.online.valid(),
            }
        }
    }

    /// Reads the host learner's parameters again from the networks (after a load or a
    /// restore); a network that lost its host form falls back to framework updates.
    pub(super) fn reload_host(&mut self) {
        if let Some(host) = &mut self.host
            && !host.reload(&self.online, &self.target)
        {
            self.host = None;
        }
    }

    /// The online network's current parameters on the plain device (the host learner's, when
    /// updates run there).
    pub(super) fn online_valid(&self) -> M {
        match &self.host {
            // The target has the online network's structure and parameter ids.
            Some(host) => host.online.write_into(self.target.clone()),
            None => self.online.valid(),
        }
    }

    pub(super) fn refresh_acting_network(&mut self) {
        // With host updates, the acting network takes the host parameters (into the buffers
        // it has, after the first time) and builds its tensors only when asked for them.
        if let Some(host) = &self.host
            && self.explorer.values_mut().update_host_params(&host.online)
        {
            self.explorer
                .values_mut()
                .set_normalizer(self.normalization.observations.clone());
            return;
        }
        let (network, params) = match &self.host {
            Some(host) => (self.target.clone(), Some(host.online.clone())),
            None => (self.online.valid(), None),
        };
        *self.explorer.values_mut() =
            QValues::new(network, self.obs_dim, self.n_actions, self.inner.clone())
                .with_normalizer(self.normalization.observations.clone())
                .with_host_params(params);
    }

    /// The running observation statistics, when the agent normalises observations.
    pub fn observation_normalizer(&self) -> Option<&ObservationNormalizer> {
        self.normalization.observations.as_ref()
    }

    /// Adds one step of N copies to the normalisation statistics (see
    /// [`Normalization::observe_step`]) and hands the new observation statistics to the
    /// acting network.
    pub(super) fn observe_statistics(
        &mut self,
        observations: &[f32],
        rewards: &[f64],
        done: &[bool],
    ) -> Result<(), AgentError> {
        if !self.normalization.is_active() {
            return Ok(());
        }
        self.normalization.observe_raw_step(
            observations,
            rewards,
            self.config.reward_scale,
            done,
            self.config.gamma,
        )?;
        if self.normalization.observations.is_some() {
            self.explorer
                .values_mut()
                .set_normalizer(self.normalization.observations.clone());
        }
        Ok(())
    }
}

impl<M: QNetwork, R: ReplayMemory, S: Schedule, O: AsRef<[f32]>> Agent<O> for Dqn<M, R, S> {
    fn act(&mut self, observation: &O, mode: Mode) -> Result<usize, AgentError> {
        let observation = observation.as_ref();
        self.check_observation(observation)?;
        let action = match mode {
            Mode::Explore => match self.explorer.explore(self.n_actions)? {
                Some(action) => action,
                None => self.explorer.values_mut().greedy_action_mut(observation)?,
            },
            Mode::Exploit => self.explorer.values_mut().greedy_action_mut(observation)?,
        };
        Ok(action)
    }

    fn observe(&mut self, transition: &Transition<O>) -> Result<Learned, AgentError> {
        if transition.action >= self.n_actions {
            return Err(AgentError::InvalidAction {
                action: transition.action,
                n_actions: self.n_actions,
            });
        }
        // Checked before anything is stored; added to the statistics once stored (a
        // vectorized step adds all its copies at once instead).
        if !self.observing_copies {
            self.normalization
                .check_step(transition.observation.as_ref(), 1)?;
        }
        let episode_ended = self.core.store(&Transition {
            observation: transition.observation.as_ref(),
            action: transition.action,
            reward: transition.reward * self.config.reward_scale,
            next_observation: transition.next_observation.as_ref(),
            terminated: transition.terminated,
            truncated: transition.truncated,
        })?;
        if !self.observing_copies {
            self.observe_statistics(
                transition.observation.as_ref(),
                &[transition.reward],
                &[transition.done()],
            )?;
        }

        let gradient_steps = self.core.due_updates(episode_ended);
        let mut loss_sum = 0.0;
        for _ in 0..gradient_steps {
            loss_sum += self.gradient_step()?;
        }
        self.copy_target_if_due(episode_ended);
        if gradient_steps > 0 {
            self.refresh_acting_network();
        }
        self.explorer.set_step(match self.config.exploration_unit {
            ScheduleUnit::EnvSteps => self.core.env_steps,
            ScheduleUnit::Episodes => self.core.episodes,
        });
        Ok(Learned {
            updates: gradient_steps,
            loss: (gradient_steps > 0).then(|| loss_sum / gradient_steps as f32),
            epsilon: Some(self.explorer.epsilon()),
            entropy: None,
            metrics: Metrics::default(),
        })
    }

    fn save(&self, path: &Path) -> Result<(), AgentError> {
        Dqn::save(self, path)
    }

    fn load(&mut self, path: &Path) -> Result<(), AgentError> {
        Dqn::load(self, path)
    }
}
