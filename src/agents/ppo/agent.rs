//! The PPO agent.

use std::path::Path;

use burn::optim::ModuleOptimizer;
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};

use super::PpoConfig;
use super::update::{UpdateStats, ppo_update};
use crate::agent::{Agent, Learned, Metrics, Mode, VecAgent, VecTransitions};
use crate::agents::checks;
use crate::agents::continuous::decode;
use crate::agents::file::Header;
use crate::agents::normalization::Normalization;
use crate::agents::normalize::ObservationNormalizer;
use crate::agents::on_policy::OnPolicyCore;
use crate::agents::subnormals::without_subnormals;
use crate::agents::training::{place, read_values as read};
use crate::env::{Action, ActionRef, ActionShape, Space};
use crate::error::{AgentError, PolicyError};
use crate::memory::Transition;
use crate::nn::{Distribution, PolicyValueNetwork, probe_shapes};
use crate::policy::{argmax, sample_categorical, sample_diag_gaussian};
use crate::rng::{SeededRng, derive_seed, seeded};

/// Proximal policy optimisation (Schulman et al., 2017) over any [`PolicyValueNetwork`]:
/// rollouts of `n_rollout` steps of `num_envs` copies, generalized advantage estimation,
/// `n_epochs` passes of shuffled minibatches on the clipped surrogate objective.
///
/// Discrete action spaces get a categorical policy, boxes a diagonal Gaussian; a Gaussian
/// sample is clipped to the box when it is sent to the environment, while the rollout keeps
/// the unclipped sample whose log-probability the update uses. Observations are normalised
/// with running statistics (on by default), which are saved with the agent and change only
/// while training; rewards may be scaled by the running deviation of the return.
///
/// ```
/// use burn::tensor::Device;
/// use cinder_rl::agent::{Agent, Mode};
/// use cinder_rl::agents::{Ppo, PpoConfig};
/// use cinder_rl::env::Space;
/// use cinder_rl::nn::PolicyValueMlpConfig;
///
/// # fn main() -> Result<(), cinder_rl::Error> {
/// let device = Device::flex();
/// let torque = Space::boxed(vec![-2.0], vec![2.0]);
/// let network = PolicyValueMlpConfig::for_space(3, &torque).init(&device, 0)?;
/// let mut agent = Ppo::new(PpoConfig::new().with_num_envs(1), network, 3, torque, &device)?;
/// let action: Vec<f32> = agent.act(&[1.0f32, 0.0, 0.0], Mode::Explore)?;
/// assert!(action[0].abs() <= 2.0); // clipped to the box
/// # Ok(())
/// # }
/// ```
pub struct Ppo<M: PolicyValueNetwork> {
    pub(super) config: PpoConfig,
    pub(super) network: M,
    pub(super) acting: M,
    pub(super) optimizer: ModuleOptimizer,
    /// The rollout being collected, the normalisation statistics and the step count.
    pub(super) core: OnPolicyCore,
    pub(super) rng: SeededRng,
    pub(super) inner: Device,
    pub(super) obs_dim: usize,
    pub(super) actions: Space,
    pub(super) updates: u64,
    /// The last explored Gaussian samples, unclipped, and as they were sent (clipped), so
    /// that the rollout keeps the samples the policy drew.
    sampled: Vec<Vec<f32>>,
    sent: Vec<Vec<f32>>,
}

/// The acting network's output for a batch, read back to the host.
enum Read {
    Probabilities(Vec<f32>),
    Gaussian { mean: Vec<f32>, log_std: Vec<f32> },
}

impl<M: PolicyValueNetwork> Ppo<M> {
    /// A PPO agent training `network` (built on `device`, or its autodiff version) for
    /// observations of length `obs_dim` and actions of `actions`.
    ///
    /// An invalid configuration, or a network whose policy for `[1, obs_dim]` is not a
    /// categorical over the space's actions (discrete) or a Gaussian of its dimension (box),
    /// with values `[1, 1]`, is an [`AgentError::InvalidConfig`].
    pub fn new(
        config: PpoConfig,
        network: M,
        obs_dim: usize,
        actions: Space,
        device: &Device,
    ) -> Result<Self, AgentError> {
        config.validate()?;
        let width = actions.n().unwrap_or_else(|| actions.flat_dim());
        let (network, inner) = place(network, obs_dim, width, device)?;
        let acting = network.valid();
        let expected = (actions.action_shape(), width, [1, 1]);
        probe_shapes("network", obs_dim, &inner, expected, |input| {
            let (policy, values) = acting.forward(input);
            let (shape, width) = policy.shape();
            let log_std_ok = match &policy {
                Distribution::Gaussian { log_std, .. } => {
                    matches!(log_std.dims(), [1, w] if w == width)
                }
                Distribution::Categorical(_) => true,
            };
            let values = if log_std_ok { values.dims() } else { [0, 0] };
            (shape, width, values)
        })?;
        let optimizer = config.optimizer.init(None);
        Ok(Self {
            core: OnPolicyCore::new(
                config.num_envs,
                obs_dim,
                config.n_rollout,
                config.reward_scale,
                actions.clone(),
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
            actions,
            updates: 0,
            sampled: Vec::new(),
            sent: Vec::new(),
            config,
        })
    }

    /// The settings.
    pub fn config(&self) -> &PpoConfig {
        &self.config
    }

    /// Gradient steps taken so far.
    pub fn updates(&self) -> u64 {
        self.updates
    }

    /// The running observation statistics, when the agent normalises observations.
    pub fn observation_normalizer(&self) -> Option<&ObservationNormalizer> {
        self.core.normalization.observations.as_ref()
    }

    /// The number of rows of the `[rows, obs_dim]` raw observations and the network's input
    /// for them (normalised when the agent normalises).
    fn input(&self, observations: &[f32]) -> Result<(usize, Tensor<2>), AgentError> {
        let rows = checks::observation_rows(observations, self.obs_dim)?;
        let mut input = Vec::with_capacity(observations.len());
        self.core.input(observations, &mut input)?;
        let data = TensorData::new(input, [rows, self.obs_dim]);
        Ok((rows, Tensor::<2>::from_data(data, &self.inner)))
    }

    /// The acting network's policy for the `[rows, obs_dim]` raw observations.
    fn policy(&self, observations: &[f32]) -> Result<(usize, Read), AgentError> {
        let (rows, input) = self.input(observations)?;
        let read = match self.acting.policy(input) {
            Distribution::Categorical(logits) => Read::Probabilities(read(softmax(logits, 1))?),
            Distribution::Gaussian { mean, log_std } => Read::Gaussian {
                mean: read(mean)?,
                log_std: read(log_std)?,
            },
        };
        Ok((rows, read))
    }

    /// The state values `V(s)` of the `[rows, obs_dim]` raw observations.
    pub fn values(&self, observations: &[f32]) -> Result<Vec<f32>, AgentError> {
        let (_, input) = self.input(observations)?;
        read(self.acting.forward(input).1)
    }

    /// One action per row of the raw observations: sampled (exploring) or the most probable
    /// (exploiting), Gaussian actions clipped to the box.
    fn choose<A: Action>(
        &mut self,
        observations: &[f32],
        mode: Mode,
        out: &mut Vec<A>,
    ) -> Result<(), AgentError> {
        let (rows, read) = self.policy(observations)?;
        out.clear();
        match read {
            Read::Probabilities(probabilities) => {
                for row in probabilities.chunks_exact(probabilities.len() / rows) {
                    let index = match mode {
                        Mode::Explore => sample_categorical(row, &mut self.rng)?,
                        Mode::Exploit => argmax(row).ok_or_else(|| {
                            PolicyError::InvalidDistribution("NaN probabilities".into())
                        })?,
                    };
                    out.push(decode(ActionRef::Index(index))?);
                }
            }
            Read::Gaussian { mean, log_std } => {
                let dim = log_std.len();
                self.sampled.resize_with(rows, Vec::new);
                self.sent.resize_with(rows, Vec::new);
                for (i, mean) in mean.chunks_exact(dim).enumerate() {
                    let sample = &mut self.sampled[i];
                    match mode {
                        Mode::Explore => {
                            sample_diag_gaussian(mean, &log_std, &mut self.rng, sample)?;
                        }
                        Mode::Exploit => {
                            sample.clear();
                            sample.extend_from_slice(mean);
                        }
                    }
                    let sent = &mut self.sent[i];
                    sent.clear();
                    sent.extend_from_slice(sample);
                    if let Space::Box(bounds) = &self.actions {
                        bounds.clip(sent);
                    }
                    out.push(decode(ActionRef::Values(sent))?);
                }
                if mode == Mode::Exploit {
                    // Only explored samples are stored in place of the actions sent.
                    self.sampled.clear();
                    self.sent.clear();
                }
            }
        }
        Ok(())
    }

    /// Stores one step of every copy (Gaussian actions as sampled) and learns when the
    /// rollout is full. A step that does not fit is an error and changes nothing.
    fn store<A: Action>(&mut self, step: &VecTransitions<'_, A>) -> Result<Learned, AgentError> {
        let full = if self.drew(step.actions) {
            self.core.store(
                &VecTransitions {
                    actions: &self.sampled,
                    observations: step.observations,
                    rewards: step.rewards,
                    next_observations: step.next_observations,
                    terminated: step.terminated,
                    truncated: step.truncated,
                },
                false,
            )?
        } else {
            self.core.store(step, false)?
        };
        self.sampled.clear();
        self.sent.clear();
        if !full {
            return Ok(Learned::default());
        }
        self.learn()
    }

    /// Whether `actions` are the clipped samples last drawn for every copy (not so for
    /// discrete actions, or actions from elsewhere): then the rollout keeps the samples.
    fn drew<A: Action>(&self, actions: &[A]) -> bool {
        actions.len() == self.sent.len()
            && actions
                .iter()
                .zip(&self.sent)
                .all(|(a, sent)| a.encode().values() == Some(sent.as_slice()))
    }

    /// One PPO update on the full rollout, which is then emptied.
    fn learn(&mut self) -> Result<Learned, AgentError> {
        let env_steps = self.core.env_steps;
        let learning_rate = self.config.learning_rate_at(env_steps);
        let clip = self.config.clip_range_at(env_steps);
        let result = without_subnormals(|| {
            ppo_update(
                self.network.clone(),
                &mut self.optimizer,
                &self.core.rollout,
                &self.config,
                learning_rate,
                clip as f32,
                &mut self.rng,
                &self.inner,
            )
        });
        self.core.rollout.clear();
        let (network, stats) = result?;
        self.network = network;
        self.acting = self.network.valid();
        self.updates += u64::from(stats.steps);
        Ok(self.learned(&stats, learning_rate, clip))
    }

    fn learned(&self, stats: &UpdateStats, learning_rate: f64, clip: f64) -> Learned {
        let mut metrics = Metrics::default();
        for (name, value) in [
            ("policy_loss", stats.policy_loss),
            ("value_loss", stats.value_loss),
            ("approx_kl", stats.approx_kl),
            ("clip_fraction", stats.clip_fraction),
            ("explained_variance", stats.explained_variance),
        ] {
            metrics.push(name, f64::from(value));
        }
        metrics.push("epochs", f64::from(stats.epochs));
        metrics.push("learning_rate", learning_rate);
        metrics.push("clip_range", clip);
        Learned {
            updates: stats.steps,
            loss: (stats.steps > 0).then_some(stats.loss),
            epsilon: None,
            entropy: Some(stats.entropy),
            metrics,
        }
    }

    /// Writes the network's weights, the agent's spaces and its observation statistics to
    /// `path`, atomically.
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
        let params = self.acting.num_params();
        match self.actions.action_shape() {
            ActionShape::Discrete => {
                Header::discrete("ppo", self.obs_dim, self.actions.n().unwrap_or(0), params)
            }
            ActionShape::Continuous { dim } => Header::continuous("ppo", self.obs_dim, dim, params),
        }
    }
}

impl<M: PolicyValueNetwork, A: Action> VecAgent<A> for Ppo<M> {
    fn act_batch(
        &mut self,
        observations: &[f32],
        mode: Mode,
        actions: &mut Vec<A>,
    ) -> Result<(), AgentError> {
        self.choose(observations, mode, actions)
    }

    fn observe_batch(&mut self, step: &VecTransitions<'_, A>) -> Result<Learned, AgentError> {
        self.store(step)
    }
}

impl<M: PolicyValueNetwork, O: AsRef<[f32]>, A: Action> Agent<O, A> for Ppo<M> {
    fn act(&mut self, observation: &O, mode: Mode) -> Result<A, AgentError> {
        let observation = observation.as_ref();
        if observation.len() != self.obs_dim {
            return Err(AgentError::ObservationLength {
                expected: self.obs_dim,
                actual: observation.len(),
            });
        }
        let mut actions = Vec::with_capacity(1);
        self.choose(observation, mode, &mut actions)?;
        Ok(actions.pop().expect("one row, one action"))
    }

    /// With one environment (`num_envs` 1): stores the transition and learns every
    /// `n_rollout` steps. An agent configured for several copies takes their steps through
    /// [`VecAgent::observe_batch`] instead.
    fn observe(&mut self, transition: &Transition<O, A>) -> Result<Learned, AgentError> {
        let step = VecTransitions {
            observations: transition.observation.as_ref(),
            actions: std::slice::from_ref(&transition.action),
            rewards: &[transition.reward],
            next_observations: transition.next_observation.as_ref(),
            terminated: &[transition.terminated],
            truncated: &[transition.truncated],
        };
        self.store(&step)
    }

    fn save(&self, path: &Path) -> Result<(), AgentError> {
        Ppo::save(self, path)
    }

    fn load(&mut self, path: &Path) -> Result<(), AgentError> {
        Ppo::load(self, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::ActionRows;
    use crate::nn::{PolicyHead, PolicyValueMlp, PolicyValueMlpConfig};

    /// A PPO agent for a 1-d box of `[-0.1, 0.1]` whose Gaussian starts with a standard
    /// deviation of e: nearly every sample lies outside the box.
    fn wide() -> Ppo<PolicyValueMlp> {
        let device = Device::flex();
        let head = PolicyHead::Gaussian {
            dim: 1,
            log_std_init: 1.0,
        };
        let network = PolicyValueMlpConfig::new(2, head).init(&device, 0).unwrap();
        let config = PpoConfig::new().with_num_envs(1).with_n_rollout(100);
        Ppo::new(
            config,
            network,
            2,
            Space::boxed(vec![-0.1], vec![0.1]),
            &device,
        )
        .unwrap()
    }

    fn explore(agent: &mut Ppo<PolicyValueMlp>, action: Option<[f32; 1]>) -> [f32; 1] {
        let observation = [0.5f32, -0.5];
        let sent: [f32; 1] = agent.act(&observation, Mode::Explore).unwrap();
        let transition = Transition {
            observation,
            action: action.unwrap_or(sent),
            reward: 0.0,
            next_observation: observation,
            terminated: false,
            truncated: false,
        };
        agent.observe(&transition).unwrap();
        sent
    }

    fn stored(agent: &Ppo<PolicyValueMlp>) -> Vec<f32> {
        match &agent.core.rollout.actions {
            ActionRows::Continuous { values, .. } => values.clone(),
            ActionRows::Discrete(_) => panic!("box actions"),
        }
    }

    #[test]
    fn the_rollout_keeps_the_unclipped_samples_of_the_actions_sent() {
        let mut agent = wide();
        let sent: Vec<f32> = (0..20).map(|_| explore(&mut agent, None)[0]).collect();
        let kept = stored(&agent);
        assert!(
            sent.iter().all(|a| a.abs() <= 0.1),
            "sent clipped: {sent:?}"
        );
        assert!(
            kept.iter().any(|a| a.abs() > 0.1),
            "kept unclipped: {kept:?}"
        );
        for (sent, kept) in sent.iter().zip(&kept) {
            assert_eq!(*sent, kept.clamp(-0.1, 0.1));
        }
        // An action other than the one the agent chose is stored as it was taken.
        explore(&mut agent, Some([0.05]));
        assert_eq!(stored(&agent).last(), Some(&0.05));
    }
}
