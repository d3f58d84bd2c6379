//! The SAC agent.

use std::path::Path;

use burn::tensor::Device;
use rand::RngExt;
use rand_distr::StandardNormal;

use super::update::{
    LOG_STD_MAX, LOG_STD_MIN, LogAlpha, SacNetworks, SacOptimizers, UpdateInputs, sac_update,
};
use super::{EntropyCoefficient, SacConfig};
use crate::agent::{Agent, Learned, Mode, VecAgent, VecTransitions};
use crate::agents::continuous::{self, ContinuousCore, ContinuousLearner, UpdateReport};
use crate::agents::critics::place_critics;
use crate::agents::file::Header;
use crate::agents::normalize::ObservationNormalizer;
use crate::agents::training::{on_worker, place, train_device};
use crate::env::{Action, Space};
use crate::error::AgentError;
use crate::memory::{AnyReplay, Batch, ReplayMemory, Transition};
use crate::nn::{ActorNetwork, ContinuousQNetwork, Mlp, Twin, probe_shapes};
use crate::rng::{SeededRng, derive_seed, seeded};

/// Soft actor-critic (Haarnoja et al. 2018) for a bounded box of actions of any dimension:
/// a tanh-squashed diagonal Gaussian actor, twin Q critics with Polyak-averaged targets, and
/// an entropy coefficient α learned toward a target entropy (or fixed), over any
/// [`ActorNetwork`] `A` (whose output is the Gaussian's means then log standard
/// deviations), any [`ContinuousQNetwork`] `Q` and any [`ReplayMemory`] `R`.
///
/// The actor works in `[-1, 1]` per component; actions are rescaled to the box's bounds when
/// sent and stored as sent (the replayed ones are mapped back). Until `learning_starts` steps
/// have been taken, exploring actions are drawn uniformly from the box. Acting uses a
/// non-autodiff copy of the actor, refreshed after each round of updates; exploiting takes
/// the squashed mean.
///
/// ```
/// use burn::tensor::Device;
/// use cinder_rl::agent::{Agent, Mode};
/// use cinder_rl::agents::{Sac, SacConfig};
/// use cinder_rl::env::Space;
///
/// # fn main() -> Result<(), cinder_rl::Error> {
/// let device = Device::flex();
/// let torque = Space::boxed(vec![-2.0], vec![2.0]);
/// let mut agent = Sac::with_mlps(SacConfig::new(), 3, torque, &[64, 64], &device)?;
/// let action: [f32; 1] = agent.act(&[1.0f32, 0.0, 0.0], Mode::Exploit)?;
/// assert!(action[0].abs() <= 2.0);
/// # Ok(())
/// # }
/// ```
pub struct Sac<A: ActorNetwork, Q: ContinuousQNetwork, R: ReplayMemory = AnyReplay> {
    pub(super) config: SacConfig,
    pub(super) actor: A,
    /// A non-autodiff copy of the actor, to act with.
    pub(super) acting: A,
    pub(super) critics: Twin<Q>,
    pub(super) critics_target: Twin<Q>,
    pub(super) log_alpha: LogAlpha,
    pub(super) optimizers: SacOptimizers,
    /// The replay memory, the counts, the normalisation, the action box and the acting
    /// generator.
    pub(super) core: ContinuousCore<R>,
    /// Draws the update's reparameterisation noise.
    pub(super) noise_rng: SeededRng,
    /// The standard normal noise of the last explored action of each copy, which the next
    /// one follows when `exploration_correlation` is positive.
    pub(super) exploration_state: Vec<f32>,
    pub(super) inner: Device,
    pub(super) updates: u64,
}

impl Sac<Mlp, Mlp> {
    /// A SAC agent with ReLU MLPs of `hidden` widths for the actor and both critics, their
    /// weights seeded from `config.seed`, and the replay memory of the config; see [`new`](Sac::new).
    pub fn with_mlps(
        config: SacConfig,
        obs_dim: usize,
        actions: Space,
        hidden: &[usize],
        device: &Device,
    ) -> Result<Self, AgentError> {
        let (actor, critics) =
            continuous::mlp_networks(obs_dim, &actions, 2, hidden, config.seed, device)?;
        Sac::new(config, actor, critics, obs_dim, actions, device)
    }
}

impl<A: ActorNetwork, Q: ContinuousQNetwork> Sac<A, Q> {
    /// A SAC agent training `actor` and `critics` (built on `device`, or its autodiff version)
    /// for observations of length `obs_dim` and actions in the box `actions`, with the replay
    /// memory `config.replay` chooses (uniform or prioritized) of `config.replay_capacity`
    /// transitions.
    ///
    /// An invalid configuration, an action space that is not a box with finite bounds, or
    /// networks that do not fit the spaces (the actor must map `[1, obs_dim]` to
    /// `[1, 2 * action_dim]`, each critic `[1, obs_dim]` and `[1, action_dim]` to `[1, 1]`)
    /// is an [`AgentError::InvalidConfig`].
    pub fn new(
        config: SacConfig,
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

impl<A: ActorNetwork, Q: ContinuousQNetwork, R: ReplayMemory> Sac<A, Q, R> {
    /// A SAC agent that stores its experience in `memory` (any [`ReplayMemory`] of the box's
    /// actions; its observation length is the agent's); the rest is as in [`new`](Sac::new).
    /// `config.replay_capacity` is not used; `config.batch_size` and `config.learning_starts`
    /// must fit the memory's capacity.
    pub fn with_memory(
        config: SacConfig,
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
        probe_shapes("network", obs_dim, &inner, [1, 2 * dim], |input| {
            acting.forward(input).dims()
        })?;
        let (critics, critics_target) = place_critics(critics, obs_dim, dim, device)?;
        let alpha = match config.entropy_coefficient {
            EntropyCoefficient::Auto { initial } | EntropyCoefficient::Fixed(initial) => initial,
        };
        let optimizers = SacOptimizers {
            actor: config.optimizer.init(None),
            critics: config.optimizer.init(None),
            alpha: config.optimizer.init(None),
        };
        Ok(Self {
            log_alpha: LogAlpha::new(alpha, &train_device(device)),
            actor,
            acting,
            critics,
            critics_target,
            optimizers,
            core,
            noise_rng: seeded(derive_seed(config.seed, 5)),
            exploration_state: Vec::new(),
            inner,
            updates: 0,
            config,
        })
    }

    /// The settings.
    pub fn config(&self) -> &SacConfig {
        &self.config
    }

    /// Gradient updates made so far.
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

    /// The entropy coefficient α now in force.
    pub fn alpha(&self) -> Result<f32, AgentError> {
        self.log_alpha.alpha()
    }

    /// The entropy a learned α steers toward: the config's, else `-action_dim`.
    pub fn target_entropy(&self) -> f64 {
        self.config
            .target_entropy
            .unwrap_or(-(self.core.action_dim() as f64))
    }

    /// The actor as it acts: a non-autodiff copy, refreshed after each round of updates.
    pub fn acting_actor(&self) -> &A {
        &self.acting
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
    /// schedule (for collect-then-train loops). Returns the critics' loss before the update.
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

    /// Loads an actor saved by [`save`](Self::save). A missing, truncated or corrupted file,
    /// or one saved for other spaces or another actor shape, is an error and leaves the agent
    /// unchanged. The critics are not in the file: a loaded agent acts as the saved one did;
    /// to continue training, restore a checkpoint
    /// ([`Checkpoint`](crate::agent::Checkpoint)).
    pub fn load(&mut self, path: &Path) -> Result<(), AgentError> {
        let header = self.header();
        self.actor = self.core.load_actor(path, &header, &self.actor)?;
        self.acting = self.actor.valid();
        Ok(())
    }

    pub(super) fn header(&self) -> Header {
        Header::continuous(
            "sac",
            self.core.obs_dim,
            self.core.action_dim(),
            self.acting.num_params(),
        )
    }

    /// `count` standard normal draws of the update generator.
    fn draw_noise(&mut self, count: usize) -> Vec<f32> {
        (0..count)
            .map(|_| self.noise_rng.sample::<f32, _>(StandardNormal))
            .collect()
    }
}

impl<A: ActorNetwork, Q: ContinuousQNetwork, R: ReplayMemory> ContinuousLearner for Sac<A, Q, R> {
    type Memory = R;

    fn core(&self) -> &ContinuousCore<R> {
        &self.core
    }

    fn core_mut(&mut self) -> &mut ContinuousCore<R> {
        &mut self.core
    }

    /// `tanh(μ + σ ε)` with `ε` standard normal when exploring (white, or following the
    /// previous step's `ε` with the configured correlation), `tanh(μ)` when not.
    fn unit_actions(
        &mut self,
        input: Vec<f32>,
        rows: usize,
        explore: bool,
        out: &mut Vec<f32>,
    ) -> Result<(), AgentError> {
        let output = continuous::actor_output(&self.acting, input, rows, &self.inner)?;
        let dim = self.core.action_dim();
        let rho = self.config.exploration_correlation as f32;
        if explore && rho > 0.0 && self.exploration_state.len() != rows * dim {
            // A fresh process for another number of copies, started from its stationary law.
            self.exploration_state = (0..rows * dim)
                .map(|_| self.core.rng.sample::<f32, _>(StandardNormal))
                .collect();
        }
        let innovation = (1.0 - rho * rho).sqrt();
        for (r, row) in output.chunks_exact(2 * dim).enumerate() {
            let (mean, log_std) = row.split_at(dim);
            for (d, (&mean, &log_std)) in mean.iter().zip(log_std).enumerate() {
                let pre_tanh = if explore {
                    let std = log_std.clamp(LOG_STD_MIN, LOG_STD_MAX).exp();
                    let draw: f32 = self.core.rng.sample(StandardNormal);
                    let noise = if rho == 0.0 {
                        draw
                    } else {
                        let state = &mut self.exploration_state[r * dim + d];
                        *state = rho * *state + innovation * draw;
                        *state
                    };
                    mean + std * noise
                } else {
                    mean
                };
                out.push(pre_tanh.tanh());
            }
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
        let count = batch.batch_size * dim;
        let noise = self.draw_noise(count);
        let next_noise = self.draw_noise(count);
        let inputs = UpdateInputs {
            batch,
            units,
            noise,
            next_noise,
            update_actor: self
                .updates
                .is_multiple_of(u64::from(self.config.policy_delay)),
            update_target: self
                .updates
                .is_multiple_of(u64::from(self.config.target_update_interval)),
            learn_alpha: matches!(
                self.config.entropy_coefficient,
                EntropyCoefficient::Auto { .. }
            ),
            target_entropy: self.target_entropy() as f32,
        };
        let networks = SacNetworks {
            actor: self.actor.clone(),
            critics: self.critics.clone(),
            critics_target: self.critics_target.clone(),
            log_alpha: self.log_alpha.clone(),
        };
        let (optimizers, config, device) = (&mut self.optimizers, &self.config, &self.inner);
        let (networks, report) =
            on_worker(move || sac_update(networks, optimizers, inputs, config, device, td_errors))?;
        self.actor = networks.actor;
        self.critics = networks.critics;
        self.critics_target = networks.critics_target;
        self.log_alpha = networks.log_alpha;
        self.updates += 1;
        Ok(report)
    }

    fn updated(&mut self) {
        self.acting = self.actor.valid();
    }
}

impl<A, Q, R, O, Act> Agent<O, Act> for Sac<A, Q, R>
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
        Sac::save(self, path)
    }

    fn load(&mut self, path: &Path) -> Result<(), AgentError> {
        Sac::load(self, path)
    }
}

impl<A, Q, R, Act> VecAgent<Act> for Sac<A, Q, R>
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
