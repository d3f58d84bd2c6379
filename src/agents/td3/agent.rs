//! The TD3 agent.

use std::path::Path;

use burn::tensor::Device;
use rand::RngExt;
use rand_distr::StandardNormal;

use super::Td3Config;
use super::update::{Td3Networks, Td3Optimizers, UpdateInputs, td3_update};
use crate::agent::{Agent, Learned, Mode, VecAgent, VecTransitions};
use crate::agents::continuous::{self, ContinuousCore, ContinuousLearner, UpdateReport};
use crate::agents::critics::place_critics;
use crate::agents::file::Header;
use crate::agents::normalize::ObservationNormalizer;
use crate::agents::training::{on_worker, place};
use crate::env::{Action, Space};
use crate::error::AgentError;
use crate::memory::{AnyReplay, Batch, ReplayMemory, Transition};
use crate::nn::{ActorNetwork, ContinuousQNetwork, Mlp, Twin, probe_shapes};
use crate::policy::Schedule;
use crate::rng::{SeededRng, derive_seed, seeded};

/// Twin delayed deep deterministic policy gradient (Fujimoto et al. 2018) for a bounded box of
/// actions of any dimension: a deterministic actor `tanh(actor(s))`, twin Q critics, target
/// networks for both updated by Polyak averaging, the actor and the targets updated every
/// `policy_delay` critic updates, target actions smoothed by clipped Gaussian noise, and
/// Gaussian exploration noise (constant or decaying) on the actor's actions. Over any
/// [`ActorNetwork`] `A` (output: one value per action component, before the tanh), any
/// [`ContinuousQNetwork`] `Q` and any [`ReplayMemory`] `R`.
///
/// The actor works in `[-1, 1]` per component; actions are rescaled to the box's bounds when
/// sent and stored as sent. Until `learning_starts` steps have been taken, exploring actions
/// are drawn uniformly from the box.
///
/// ```
/// use burn::tensor::Device;
/// use cinder_rl::agent::{Agent, Mode};
/// use cinder_rl::agents::{Td3, Td3Config};
/// use cinder_rl::env::Space;
///
/// # fn main() -> Result<(), cinder_rl::Error> {
/// let device = Device::flex();
/// let torque = Space::boxed(vec![-2.0], vec![2.0]);
/// let mut agent = Td3::with_mlps(Td3Config::new(), 3, torque, &[64, 64], &device)?;
/// let action: Vec<f32> = agent.act(&[1.0f32, 0.0, 0.0], Mode::Exploit)?;
/// assert!(action[0].abs() <= 2.0);
/// # Ok(())
/// # }
/// ```
pub struct Td3<A: ActorNetwork, Q: ContinuousQNetwork, R: ReplayMemory = AnyReplay> {
    pub(super) config: Td3Config,
    pub(super) actor: A,
    /// A non-autodiff copy of the actor, to act with.
    pub(super) acting: A,
    pub(super) actor_target: A,
    pub(super) critics: Twin<Q>,
    pub(super) critics_target: Twin<Q>,
    pub(super) optimizers: Td3Optimizers,
    /// The replay memory, the counts, the normalisation, the action box and the acting
    /// generator.
    pub(super) core: ContinuousCore<R>,
    /// Draws the target smoothing noise.
    pub(super) noise_rng: SeededRng,
    pub(super) inner: Device,
    pub(super) updates: u64,
}

impl Td3<Mlp, Mlp> {
    /// A TD3 agent with ReLU MLPs of `hidden` widths for the actor and both critics, their
    /// weights seeded from `config.seed`, and the replay memory of the config; see [`new`](Td3::new).
    pub fn with_mlps(
        config: Td3Config,
        obs_dim: usize,
        actions: Space,
        hidden: &[usize],
        device: &Device,
    ) -> Result<Self, AgentError> {
        let (actor, critics) =
            continuous::mlp_networks(obs_dim, &actions, 1, hidden, config.seed, device)?;
        Td3::new(config, actor, critics, obs_dim, actions, device)
    }
}

impl<A: ActorNetwork, Q: ContinuousQNetwork> Td3<A, Q> {
    /// A TD3 agent training `actor` and `critics` (built on `device`, or its autodiff version)
    /// for observations of length `obs_dim` and actions in the box `actions`, with the replay
    /// memory `config.replay` chooses (uniform or prioritized) of `config.replay_capacity`
    /// transitions.
    ///
    /// An invalid configuration, an action space that is not a box with finite bounds, or
    /// networks that do not fit the spaces (the actor must map `[1, obs_dim]` to
    /// `[1, action_dim]`, each critic `[1, obs_dim]` and `[1, action_dim]` to `[1, 1]`) is an
    /// [`AgentError::InvalidConfig`].
    pub fn new(
        config: Td3Config,
        actor: A,
        critics: Twin<Q>,
        obs_dim: usize,
        actions: Space,
        device: &Device,
    ) -> Result<Self, AgentError> {
        config.validate()?;
        let memory =
            continuous::replay_memory(config.replay, config.replay_capacity, obs_dim, &actions)?;
        Self::with_memory(config, actor, critics, memory, actions, device)
    }
}

impl<A: ActorNetwork, Q: ContinuousQNetwork, R: ReplayMemory> Td3<A, Q, R> {
    /// A TD3 agent that stores its experience in `memory` (any [`ReplayMemory`] of the box's
    /// actions; its observation length is the agent's); the rest is as in [`new`](Td3::new).
    /// `config.replay_capacity` is not used; `config.batch_size` and `config.learning_starts`
    /// must fit the memory's capacity.
    pub fn with_memory(
        config: Td3Config,
        actor: A,
        critics: Twin<Q>,
        memory: R,
        actions: Space,
        device: &Device,
    ) -> Result<Self, AgentError> {
        let config = config.with_replay_capacity(memory.capacity());
        config.validate()?;
        let core = ContinuousCore::new(memory, &actions, config.core_settings())?;
        let (obs_dim, dim) = (core.obs_dim, core.action_dim());
        let (actor, inner) = place(actor, obs_dim, dim, device)?;
        let acting = actor.valid();
        probe_shapes("network", obs_dim, &inner, [1, dim], |input| {
            acting.forward(input).dims()
        })?;
        let (critics, critics_target) = place_critics(critics, obs_dim, dim, device)?;
        let optimizers = Td3Optimizers {
            actor: config.optimizer.init(None),
            critics: config.optimizer.init(None),
        };
        Ok(Self {
            actor_target: acting.clone(),
            actor,
            acting,
            critics,
            critics_target,
            optimizers,
            core,
            noise_rng: seeded(derive_seed(config.seed, 5)),
            inner,
            updates: 0,
            config,
        })
    }

    /// The settings.
    pub fn config(&self) -> &Td3Config {
        &self.config
    }

    /// Gradient updates of the critics made so far (the actor's are one in `policy_delay`).
    pub fn updates(&self) -> u64 {
        self.updates
    }

    /// Transitions observed so far.
    pub fn env_steps(&self) -> u64 {
        self.core.off.env_steps
    }

    /// The replay memory.
    pub fn memory(&self) -> &R {
        &self.core.off.memory
    }

    /// The exploration noise's standard deviation now in force, in `[-1, 1]` units.
    pub fn exploration_noise(&self) -> f64 {
        self.config.exploration_noise.value(self.core.off.env_steps)
    }

    /// The actor as it acts: a non-autodiff copy, refreshed after each round of updates.
    pub fn acting_actor(&self) -> &A {
        &self.acting
    }

    /// The target actor (a plain-device copy).
    pub fn target_actor(&self) -> &A {
        &self.actor_target
    }

    /// The twin critics (training copies).
    pub fn critics(&self) -> &Twin<Q> {
        &self.critics
    }

    /// The target critics (a plain-device copy).
    pub fn target_critics(&self) -> &Twin<Q> {
        &self.critics_target
    }

    /// The running observation statistics, when the agent normalises observations.
    pub fn observation_normalizer(&self) -> Option<&ObservationNormalizer> {
        self.core.normalization.observations.as_ref()
    }

    /// One gradient update on a batch drawn from the replay memory, outside the agent's own
    /// schedule (for collect-then-train loops); it counts toward the policy delay. Returns
    /// the critics' loss before the update.
    ///
    /// Fewer stored transitions than a batch is an [`AgentError::Memory`] error.
    pub fn learn(&mut self) -> Result<f32, AgentError> {
        continuous::learn(self)
    }

    /// Writes the actor's weights, the agent's spaces and (when it normalises them) its
    /// observation statistics to `path`, atomically.
    pub fn save(&self, path: &Path) -> Result<(), AgentError> {
        self.core.save_actor(path, &self.header(), &self.acting)
    }

    /// Loads an actor saved by [`save`](Self::save) (into the actor and its target). A
    /// missing, truncated or corrupted file, or one saved for other spaces or another actor
    /// shape, is an error and leaves the agent unchanged. The critics are not in the file: a
    /// loaded agent acts as the saved one did; to continue training, restore a checkpoint
    /// ([`Checkpoint`](crate::agent::Checkpoint)).
    pub fn load(&mut self, path: &Path) -> Result<(), AgentError> {
        let header = self.header();
        self.actor = self.core.load_actor(path, &header, &self.actor)?;
        self.acting = self.actor.valid();
        self.actor_target = self.acting.clone();
        Ok(())
    }

    pub(super) fn header(&self) -> Header {
        Header::continuous(
            "td3",
            self.core.obs_dim,
            self.core.action_dim(),
            self.acting.num_params(),
        )
    }
}

impl<A: ActorNetwork, Q: ContinuousQNetwork, R: ReplayMemory> ContinuousLearner for Td3<A, Q, R> {
    type Memory = R;

    fn core(&self) -> &ContinuousCore<R> {
        &self.core
    }

    fn core_mut(&mut self) -> &mut ContinuousCore<R> {
        &mut self.core
    }

    /// `clip(tanh(actor(s)) + ε, -1, 1)` with `ε ~ N(0, σ²)` when exploring, `tanh(actor(s))`
    /// when not.
    fn unit_actions(
        &mut self,
        input: Vec<f32>,
        rows: usize,
        explore: bool,
        out: &mut Vec<f32>,
    ) -> Result<(), AgentError> {
        let output = continuous::actor_output(&self.acting, input, rows, &self.inner)?;
        let std = self.exploration_noise() as f32;
        for value in output {
            let action = value.tanh();
            out.push(if explore {
                let noise: f32 = self.core.rng.sample(StandardNormal);
                (action + std * noise).clamp(-1.0, 1.0)
            } else {
                action
            });
        }
        Ok(())
    }

    fn update(
        &mut self,
        batch: &Batch,
        td_errors: Option<&mut Vec<f32>>,
    ) -> Result<UpdateReport, AgentError> {
        let dim = self.core.action_dim();
        let units = self
            .core
            .scale
            .to_units(batch.actions.require_continuous(dim)?);
        let (std, clip) = (
            self.config.target_policy_noise as f32,
            self.config.target_noise_clip as f32,
        );
        let smoothing = (0..batch.batch_size * dim)
            .map(|_| (std * self.noise_rng.sample::<f32, _>(StandardNormal)).clamp(-clip, clip))
            .collect();
        let inputs = UpdateInputs {
            batch,
            units,
            smoothing,
            // As Stable-Baselines3 counts: the actor's turn comes at the delay's multiples of
            // the updates made, this one included.
            update_actor: (self.updates + 1).is_multiple_of(u64::from(self.config.policy_delay)),
        };
        let networks = Td3Networks {
            actor: self.actor.clone(),
            actor_target: self.actor_target.clone(),
            critics: self.critics.clone(),
            critics_target: self.critics_target.clone(),
        };
        let (optimizers, config, device) = (&mut self.optimizers, &self.config, &self.inner);
        let (networks, report) =
            on_worker(move || td3_update(networks, optimizers, inputs, config, device, td_errors))?;
        self.actor = networks.actor;
        self.actor_target = networks.actor_target;
        self.critics = networks.critics;
        self.critics_target = networks.critics_target;
        self.updates += 1;
        Ok(report)
    }

    fn updated(&mut self) {
        self.acting = self.actor.valid();
    }
}

impl<A, Q, R, O, Act> Agent<O, Act> for Td3<A, Q, R>
where
    A: ActorNetwork,
    Q: ContinuousQNetwork,
    R: ReplayMemory,
    O: AsRef<[f32]>,
    Act: Action,
{
    fn act(&mut self, observation: &O, mode: Mode) -> Result<Act, AgentError> {
        continuous::act_one(self, observation.as_ref(), mode)
    }

    fn observe(&mut self, transition: &Transition<O, Act>) -> Result<Learned, AgentError> {
        continuous::observe(self, transition)
    }

    fn save(&self, path: &Path) -> Result<(), AgentError> {
        Td3::save(self, path)
    }

    fn load(&mut self, path: &Path) -> Result<(), AgentError> {
        Td3::load(self, path)
    }
}

impl<A, Q, R, Act> VecAgent<Act> for Td3<A, Q, R>
where
    A: ActorNetwork,
    Q: ContinuousQNetwork,
    R: ReplayMemory,
    Act: Action,
{
    fn act_batch(
        &mut self,
        observations: &[f32],
        mode: Mode,
        actions: &mut Vec<Act>,
    ) -> Result<(), AgentError> {
        continuous::act(self, observations, mode, actions)
    }

    fn observe_batch(&mut self, step: &VecTransitions<'_, Act>) -> Result<Learned, AgentError> {
        continuous::observe_batch(self, step)
    }
}
