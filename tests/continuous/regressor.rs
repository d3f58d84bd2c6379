//! A minimal learner of continuous actions, written outside the crate on its public pieces:
//! a linear policy that explores with Gaussian noise, stores its experience in a replay
//! memory of continuous actions, and regresses towards the sampled actions that did better
//! than their batch's mean (reward-weighted regression). It saves agent files and complete
//! checkpoints, and acts for N copies at once.

use std::path::Path;

use cinder_rl::agent::{Agent, Checkpoint, Learned, Mode, VecAgent, VecTransitions};
use cinder_rl::agents::file::{Header, load_module, save_module};
use cinder_rl::archive::Archive;
use cinder_rl::burn::module::Module;
use cinder_rl::burn::optim::{GradientsParams, ModuleOptimizer, SgdConfig};
use cinder_rl::burn::store::ModuleRecord;
use cinder_rl::burn::tensor::{Bytes, Device, Tensor, TensorData};
use cinder_rl::env::{ActionShape, BoxSpace};
use cinder_rl::error::{AgentError, PolicyError};
use cinder_rl::memory::UniformReplay;
use cinder_rl::memory::{Batch, MemoryState, ObservationStorage, ReplayMemory, Transition};
use cinder_rl::nn::{Mlp, MlpConfig};
use cinder_rl::policy::{GaussianNoise, Policy};
use cinder_rl::rng::{SeededRng, seeded};
use serde::{Deserialize, Serialize};

const BATCH: usize = 32;
const LEARNING_RATE: f64 = 0.2;
const NOISE: f32 = 0.3;

/// The policy's mean action: the linear network on the acting device.
pub struct Mean<const D: usize> {
    network: Mlp,
    device: Device,
}

impl<const D: usize> Policy<[f32; D], [f32; D]> for Mean<D> {
    fn act(&mut self, observation: &[f32; D]) -> Result<[f32; D], PolicyError> {
        let input = Tensor::from_data(TensorData::new(observation.to_vec(), [1, D]), &self.device);
        let values = self.network.forward(input).into_data().try_to_vec::<f32>();
        values
            .map_err(|e| PolicyError::Source(format!("{e:?}")))?
            .try_into()
            .map_err(|v: Vec<f32>| PolicyError::Source(format!("{} values", v.len())))
    }
}

/// Reward-weighted regression of a linear policy over `D`-dimensional observations and
/// actions.
pub struct Regressor<const D: usize> {
    network: Mlp,
    optimizer: ModuleOptimizer,
    explorer: GaussianNoise<Mean<D>>,
    memory: UniformReplay,
    batch: Batch,
    sample_rng: SeededRng,
    updates: u64,
}

/// The counters and generators of a checkpoint.
#[derive(Serialize, Deserialize)]
struct Progress {
    explorer_rng: SeededRng,
    sample_rng: SeededRng,
    updates: u64,
}

impl<const D: usize> Regressor<D> {
    pub fn new(seed: u64) -> Self {
        let device = Device::flex();
        let network = MlpConfig::new(D, D)
            .with_hidden(vec![])
            .init(&device, seed)
            .unwrap();
        let bounds = BoxSpace {
            low: vec![-1.0; D],
            high: vec![1.0; D],
            shape: vec![D],
        };
        let mean = Mean {
            network: network.clone(),
            device: device.clone(),
        };
        let shape = ActionShape::Continuous { dim: D };
        Self {
            network: network.fork(&device.clone().autodiff()).train(),
            optimizer: SgdConfig::new().init(),
            explorer: GaussianNoise::new(mean, NOISE, bounds, seed + 1).unwrap(),
            memory: UniformReplay::with_actions(5_000, D, ObservationStorage::F32, shape).unwrap(),
            batch: Batch::default(),
            sample_rng: seeded(seed + 2),
            updates: 0,
        }
    }

    pub fn memory(&self) -> &UniformReplay {
        &self.memory
    }

    fn header(&self) -> Header {
        Header::continuous("reach-regressor", D, D, self.network.num_params())
    }

    fn refresh_acting_network(&mut self) {
        self.explorer.policy_mut().network = self.network.valid();
    }

    /// One regression step on a sampled batch: towards the actions that did better than the
    /// batch's mean reward, each weighted by how much better.
    fn update(&mut self) -> Result<f32, AgentError> {
        self.memory
            .sample_into(BATCH, &mut self.sample_rng, &mut self.batch)?;
        let batch = &self.batch;
        let mean_reward = batch.rewards.iter().sum::<f32>() / BATCH as f32;
        let weights: Vec<f32> = batch
            .rewards
            .iter()
            .map(|r| (r - mean_reward).max(0.0))
            .collect();
        let total: f32 = weights.iter().sum();
        if total == 0.0 {
            return Ok(0.0);
        }
        let device = self.network.devices()[0].clone();
        let tensor = |values: Vec<f32>, columns: usize| {
            Tensor::<2>::from_data(TensorData::new(values, [BATCH, columns]), &device)
        };
        let observations = tensor(batch.observations.clone(), D);
        let actions = tensor(batch.actions.require_continuous(D)?.to_vec(), D);
        let weights = tensor(weights, 1);
        let squared = (self.network.forward(observations) - actions)
            .powi_scalar(2)
            .sum_dim(1);
        let loss = (squared * weights).sum() / total;
        let loss_value = loss.clone().into_scalar::<f32>();
        let gradients = GradientsParams::from_grads(loss.backward(), &self.network);
        self.network = self
            .optimizer
            .step(LEARNING_RATE, self.network.clone(), gradients);
        Ok(loss_value)
    }
}

impl<const D: usize> Agent<[f32; D], [f32; D]> for Regressor<D> {
    fn act(&mut self, observation: &[f32; D], mode: Mode) -> Result<[f32; D], AgentError> {
        Ok(match mode {
            Mode::Explore => self.explorer.act(observation)?,
            Mode::Exploit => self.explorer.policy_mut().act(observation)?,
        })
    }

    fn observe(
        &mut self,
        transition: &Transition<[f32; D], [f32; D]>,
    ) -> Result<Learned, AgentError> {
        self.memory.push(transition)?;
        if self.memory.len() < BATCH {
            return Ok(Learned::default());
        }
        let loss = self.update()?;
        self.updates += 1;
        self.refresh_acting_network();
        let mut learned = Learned {
            updates: 1,
            loss: Some(loss),
            ..Learned::default()
        };
        learned.metrics.push("updates", self.updates as f64);
        Ok(learned)
    }

    fn save(&self, path: &Path) -> Result<(), AgentError> {
        save_module(path, &self.header(), &self.network.valid())
    }

    fn load(&mut self, path: &Path) -> Result<(), AgentError> {
        self.network = load_module(path, &self.header(), &self.network)?;
        self.refresh_acting_network();
        Ok(())
    }
}

impl<const D: usize> VecAgent<[f32; D]> for Regressor<D> {
    fn act_batch(
        &mut self,
        observations: &[f32],
        mode: Mode,
        actions: &mut Vec<[f32; D]>,
    ) -> Result<(), AgentError> {
        actions.clear();
        for row in observations.chunks_exact(D) {
            actions.push(self.act(&row.try_into().unwrap(), mode)?);
        }
        Ok(())
    }

    fn observe_batch(
        &mut self,
        step: &VecTransitions<'_, [f32; D]>,
    ) -> Result<Learned, AgentError> {
        let mut learned = Learned::default();
        for (i, &action) in step.actions.iter().enumerate() {
            let row = |rows: &[f32]| rows[i * D..(i + 1) * D].try_into().unwrap();
            let copy = self.observe(&Transition {
                observation: row(step.observations),
                action,
                reward: step.rewards[i],
                next_observation: row(step.next_observations),
                terminated: step.terminated[i],
                truncated: step.truncated[i],
            })?;
            learned.updates += copy.updates;
            learned.loss = copy.loss.or(learned.loss);
        }
        Ok(learned)
    }
}

fn bad(reason: impl std::fmt::Display) -> AgentError {
    AgentError::Format {
        path: "checkpoint".into(),
        reason: reason.to_string(),
    }
}

/// SGD without momentum keeps no state: the weights, the memory and the generators are the
/// whole training state.
impl<const D: usize> Checkpoint for Regressor<D> {
    fn training_state(&self) -> Result<Vec<u8>, AgentError> {
        let mut archive = Archive::default();
        let weights = self
            .network
            .valid()
            .into_record()
            .into_bytes()
            .map_err(|e| bad(format!("{e:?}")))?;
        archive.put("weights", weights.to_vec());
        archive.put("replay", self.memory.to_bytes());
        let progress = Progress {
            explorer_rng: self.explorer.rng().clone(),
            sample_rng: self.sample_rng.clone(),
            updates: self.updates,
        };
        archive.put("progress", serde_json::to_vec(&progress).map_err(bad)?);
        Ok(archive.encode())
    }

    fn restore_training_state(&mut self, state: &[u8]) -> Result<(), AgentError> {
        let archive = Archive::decode(state).map_err(bad)?;
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(
            archive.require("weights").map_err(bad)?.to_vec(),
        ))
        .map_err(|e| bad(format!("{e:?}")))?;
        let network = self
            .network
            .clone()
            .try_load_record(record)
            .map_err(|e| bad(format!("{e:?}")))?;
        let memory = UniformReplay::from_bytes(archive.require("replay").map_err(bad)?)?;
        self.memory.check_fits(&memory)?;
        let progress: Progress =
            serde_json::from_slice(archive.require("progress").map_err(bad)?).map_err(bad)?;
        self.network = network;
        self.memory = memory;
        self.explorer.set_rng(progress.explorer_rng);
        self.sample_rng = progress.sample_rng;
        self.updates = progress.updates;
        self.refresh_acting_network();
        Ok(())
    }
}
