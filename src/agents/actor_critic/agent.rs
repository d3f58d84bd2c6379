//! The actor-critic agent.

use std::path::Path;

use burn::optim::ModuleOptimizer;
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};

use super::ActorCriticConfig;
use super::update::actor_critic_update;
use crate::agent::{Agent, Learned, Metrics, Mode, VecAgent, VecTransitions};
use crate::agents::checks;
use crate::agents::file::Header;
use crate::agents::normalization::Normalization;
use crate::agents::normalize::ObservationNormalizer;
use crate::agents::on_policy::OnPolicyCore;
use crate::agents::subnormals::without_subnormals;
use crate::agents::training::place;
use crate::env::Space;
use crate::error::{AgentError, PolicyError};
use crate::memory::Transition;
use crate::nn::{ActorCriticNetwork, probe_shapes};
use crate::policy::{argmax, sample_categorical};
use crate::rng::{SeededRng, derive_seed, seeded};

/// Advantage actor-critic over any [`ActorCriticNetwork`]: the TD actor-critic of the tutorial
/// with one environment, synchronous A2C with `num_envs` copies acting in one batched forward
/// pass.
///
/// It learns every `n_rollout` steps of every copy (with one environment driven through
/// [`Agent::observe`], also when an episode ends, as the tutorial does). Acting samples the
/// categorical policy with the agent's own seeded generator, on a non-autodiff copy of the
/// network; exploiting takes the most probable action.
///
/// ```
/// use burn::tensor::Device;
/// use cinder_rl::agent::{Agent, Mode};
/// use cinder_rl::agents::{ActorCritic, ActorCriticConfig};
/// use cinder_rl::nn::ActorCriticMlpConfig;
///
/// # fn main() -> Result<(), cinder_rl::Error> {
/// let device = Device::flex();
/// let network = ActorCriticMlpConfig::new(4, 2).init(&device, 0)?;
/// let mut agent = ActorCritic::new(ActorCriticConfig::new().with_num_envs(1), network, 4, 2, &device)?;
/// assert!(agent.act(&[0.0f32, 0.1, -0.1, 0.0], Mode::Explore)? < 2);
/// # Ok(())
/// # }
/// ```
pub struct ActorCritic<M: ActorCriticNetwork> {
    pub(super) config: ActorCriticConfig,
    pub(super) network: M,
    pub(super) acting: M,
    pub(super) optimizer: ModuleOptimizer,
    /// The rollout being collected and the step count.
    pub(super) core: OnPolicyCore,
    pub(super) rng: SeededRng,
    pub(super) inner: Device,
    pub(super) obs_dim: usize,
    pub(super) n_actions: usize,
    pub(super) updates: u64,
}

impl<M: ActorCriticNetwork> ActorCritic<M> {
    /// An actor-critic agent training `network` (built on `device`, or its autodiff version)
    /// for observations of length `obs_dim` and actions `0..n_actions`.
    ///
    /// An invalid configuration, or a network whose outputs for `[1, obs_dim]` are not
    /// `[1, n_actions]` and `[1, 1]`, is an [`AgentError::InvalidConfig`].
    pub fn new(
        config: ActorCriticConfig,
        network: M,
        obs_dim: usize,
        n_actions: usize,
        device: &Device,
    ) -> Result<Self, AgentError> {
        config.validate()?;
        if !network.categorical() {
            return Err(AgentError::InvalidConfig {
                field: "network",
                reason: "the actor-critic needs a categorical policy's logits".into(),
            });
        }
        let (network, inner) = place(network, obs_dim, n_actions, device)?;
        let acting = network.valid();
        probe_shapes(
            "network",
            obs_dim,
            &inner,
            ([1, n_actions], [1, 1]),
            |input| {
                let (logits, values) = acting.forward(input);
                (logits.dims(), values.dims())
            },
        )?;
        let optimizer = config.optimizer.init(config.clip_grad_value);
        Ok(Self {
            core: OnPolicyCore::new(
                config.num_envs,
                obs_dim,
                config.n_rollout,
                config.reward_scale,
                Space::discrete(n_actions),
                Normalization::new(
                    obs_dim,
                    config.num_envs,
                    config.gamma,
                    config.normalize_observations,
                    config.normalize_rewards,
                ),
            )?,
            rng: seeded(derive_seed(config.seed, 0)),
            network,
            acting,
            optimizer,
            inner,
            obs_dim,
            n_actions,
            updates: 0,
            config,
        })
    }

    /// The settings.
    pub fn config(&self) -> &ActorCriticConfig {
        &self.config
    }

    /// Gradient updates made so far.
    pub fn updates(&self) -> u64 {
        self.updates
    }

    /// The running observation statistics, when the agent normalises observations.
    pub fn observation_normalizer(&self) -> Option<&ObservationNormalizer> {
        self.core.normalization.observations.as_ref()
    }

    /// The network's input for the `[rows, obs_dim]` raw observations (normalised when the
    /// agent normalises).
    fn input(&self, observations: &[f32], rows: usize) -> Result<Tensor<2>, AgentError> {
        let mut input = Vec::with_capacity(observations.len());
        self.core.input(observations, &mut input)?;
        Ok(Tensor::<2>::from_data(
            TensorData::new(input, [rows, self.obs_dim]),
            &self.inner,
        ))
    }

    /// The policy's action probabilities for each row of the `[rows, obs_dim]` observations,
    /// row-major.
    pub fn action_probabilities(&self, observations: &[f32]) -> Result<Vec<f32>, AgentError> {
        let rows = checks::observation_rows(observations, self.obs_dim)?;
        let input = self.input(observations, rows)?;
        let (logits, _) = self.acting.forward(input);
        softmax(logits, 1)
            .into_data()
            .try_into_vec::<f32>()
            .map_err(|e| AgentError::InvalidConfig {
                field: "network",
                reason: format!("unreadable probabilities: {e:?}"),
            })
    }

    /// The state value `V(s)` of one observation.
    pub fn value(&self, observation: &[f32]) -> Result<f32, AgentError> {
        self.check_rows(observation, 1)?;
        let (_, values) = self.acting.forward(self.input(observation, 1)?);
        Ok(values.into_scalar::<f32>())
    }

    /// Samples from (exploring) or maximises (exploiting) one row of action probabilities.
    fn choose(&mut self, probabilities: &[f32], mode: Mode) -> Result<usize, AgentError> {
        let action = match mode {
            Mode::Explore => sample_categorical(probabilities, &mut self.rng)?,
            Mode::Exploit => argmax(probabilities)
                .ok_or_else(|| PolicyError::InvalidDistribution("NaN probabilities".into()))?,
        };
        Ok(action)
    }

    fn check_rows(&self, observations: &[f32], rows: usize) -> Result<(), AgentError> {
        if observations.len() == rows * self.obs_dim {
            Ok(())
        } else {
            Err(AgentError::ObservationLength {
                expected: rows * self.obs_dim,
                actual: observations.len(),
            })
        }
    }

    /// Stores one step of every copy; learns when the rollout is full (or `episode_ended`
    /// asks for it).
    fn store(
        &mut self,
        step: &VecTransitions<'_>,
        episode_ended: bool,
    ) -> Result<Learned, AgentError> {
        if !self.core.store(step, episode_ended)? {
            return Ok(Learned::default());
        }
        let learning_rate = self.config.learning_rate_at(self.core.env_steps);
        let network = self.network.clone();
        let result = without_subnormals(|| {
            actor_critic_update(
                network,
                &mut self.optimizer,
                &self.core.rollout,
                &self.config,
                learning_rate,
                &self.inner,
            )
        });
        self.core.rollout.clear();
        let (network, stats) = result?;
        self.network = network;
        self.acting = self.network.valid();
        self.updates += 1;
        Ok(Learned {
            updates: 1,
            loss: Some(stats.loss),
            epsilon: None,
            entropy: Some(stats.entropy),
            metrics: Metrics::default(),
        })
    }

    /// Writes the network's weights, the agent's spaces and (when it normalises them) its
    /// observation statistics to `path`, atomically.
    pub fn save(&self, path: &Path) -> Result<(), AgentError> {
        self.core.save_agent(path, &self.header(), &self.acting)
    }

    /// Loads an agent saved by [`save`](Self::save). A missing, truncated or corrupted file,
    /// one saved for other spaces or another network shape, or one with observation
    /// statistics for an agent that does not normalise (or without them for one that does),
    /// is an error and leaves the agent unchanged.
    pub fn load(&mut self, path: &Path) -> Result<(), AgentError> {
        let header = self.header();
        self.network = self.core.load_agent(path, &header, &self.network)?;
        self.acting = self.network.valid();
        Ok(())
    }

    pub(super) fn header(&self) -> Header {
        Header::discrete(
            "actor-critic",
            self.obs_dim,
            self.n_actions,
            self.acting.num_params(),
        )
    }
}

impl<M: ActorCriticNetwork> VecAgent for ActorCritic<M> {
    fn act_batch(
        &mut self,
        observations: &[f32],
        mode: Mode,
        actions: &mut Vec<usize>,
    ) -> Result<(), AgentError> {
        let probabilities = self.action_probabilities(observations)?;
        actions.clear();
        for row in probabilities.chunks_exact(self.n_actions) {
            actions.push(self.choose(row, mode)?);
        }
        Ok(())
    }

    fn observe_batch(&mut self, step: &VecTransitions<'_>) -> Result<Learned, AgentError> {
        self.store(step, false)
    }
}

impl<M: ActorCriticNetwork, O: AsRef<[f32]>> Agent<O> for ActorCritic<M> {
    fn act(&mut self, observation: &O, mode: Mode) -> Result<usize, AgentError> {
        let observation = observation.as_ref();
        self.check_rows(observation, 1)?;
        let probabilities = self.action_probabilities(observation)?;
        self.choose(&probabilities, mode)
    }

    /// With one environment (`num_envs` 1): stores the transition and learns every
    /// `n_rollout` steps and at the end of every episode. An agent configured for several
    /// copies takes their steps through [`VecAgent::observe_batch`] instead.
    fn observe(&mut self, transition: &Transition<O>) -> Result<Learned, AgentError> {
        let step = VecTransitions {
            observations: transition.observation.as_ref(),
            actions: &[transition.action],
            rewards: &[transition.reward],
            next_observations: transition.next_observation.as_ref(),
            terminated: &[transition.terminated],
            truncated: &[transition.truncated],
        };
        self.store(&step, transition.done())
    }

    fn save(&self, path: &Path) -> Result<(), AgentError> {
        ActorCritic::save(self, path)
    }

    fn load(&mut self, path: &Path) -> Result<(), AgentError> {
        ActorCritic::load(self, path)
    }
}
