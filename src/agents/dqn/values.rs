//! A Q-network as a source of action values for the policies.

use std::sync::OnceLock;

use burn::tensor::{Device, Tensor, TensorData};

use crate::agents::normalize::ObservationNormalizer;
use crate::error::PolicyError;
use crate::nn::{Activations, HostMlp, HostQ, QNetwork};
use crate::policy::{ActionValues, argmax};

/// The greedy actions a network serves before it is copied to the host: copying the weights
/// costs a few greedy actions' worth, so a network that is replaced after every update or
/// two (while training) never is, one that serves many (evaluation, deployment) soon is.
const HOST_COPY_AFTER: u32 = 8;

/// A non-autodiff Q-network as an [`ActionValues`] source: what a trained
/// [`Dqn`](super::Dqn) hands out to act greedily (or epsilon-greedily) on its own. When the
/// agent normalises observations, it carries the agent's statistics and takes raw
/// observations.
#[derive(Debug, Clone)]
pub struct QValues<M> {
    network: M,
    obs_dim: usize,
    n_actions: usize,
    device: Device,
    normalizer: Option<ObservationNormalizer>,
    /// The network's host copy, made at the [`HOST_COPY_AFTER`]-th greedy action it serves,
    /// when the network has one.
    host: Option<HostMlp>,
    greedy_calls: u32,
    /// The network's current parameters on the host, when its agent updates there: values
    /// are computed from them, and `network`, which then holds only the structure, receives
    /// them on first use (in `synced`).
    params: Option<HostQ>,
    synced: OnceLock<M>,
    /// The buffers of a forward pass of `params`.
    pass: Activations,
    /// Buffers of the host copy's forward pass and of the normalised observation.
    scratch: [Vec<f32>; 2],
    input: Vec<f32>,
}

impl<M: QNetwork> QValues<M> {
    /// Wraps `network` (whose parameters live on `device`) for observations of length
    /// `obs_dim` and `n_actions` actions.
    pub fn new(network: M, obs_dim: usize, n_actions: usize, device: Device) -> Self {
        Self {
            network,
            obs_dim,
            n_actions,
            device,
            normalizer: None,
            host: None,
            greedy_calls: 0,
            params: None,
            synced: OnceLock::new(),
            pass: Activations::default(),
            scratch: Default::default(),
            input: Vec::new(),
        }
    }

    /// The same, normalising observations with `normalizer` before the network sees them.
    pub(crate) fn with_normalizer(mut self, normalizer: Option<ObservationNormalizer>) -> Self {
        self.normalizer = normalizer;
        self
    }

    /// The same, with `network` holding only the structure and `params` the parameters
    /// (ignored unless they map `obs_dim` inputs to `n_actions` outputs): values come from
    /// them on the host, and the network with them is built when it is asked for.
    pub(crate) fn with_host_params(mut self, params: Option<HostQ>) -> Self {
        self.params =
            params.filter(|p| p.input() == self.obs_dim && p.n_actions() == self.n_actions);
        self.synced = OnceLock::new();
        self
    }

    /// Takes the parameter values of `params` in place of the host parameters it holds
    /// (reusing their buffers); `false`, changing nothing, when it holds none of that
    /// network.
    pub(crate) fn update_host_params(&mut self, params: &HostQ) -> bool {
        let updated = self
            .params
            .as_mut()
            .is_some_and(|mine| mine.copy_from(params));
        if updated {
            self.synced = OnceLock::new();
        }
        updated
    }

    /// Normalises observations with `normalizer` from now on.
    pub(crate) fn set_normalizer(&mut self, normalizer: Option<ObservationNormalizer>) {
        self.normalizer = normalizer;
    }

    /// The greedy action of one observation, as [`greedy_action`](ActionValues::greedy_action)
    /// finds it, from the network's host copy ([`QNetwork::host_copy`]) once it has served a
    /// few: a few hundred nanoseconds instead of a few microseconds for a small MLP. Its values
    /// may differ from the tensors' in the last bits, which can only change the choice
    /// between actions whose values tie to about 1e-7.
    pub(crate) fn greedy_action_mut(&mut self, observation: &[f32]) -> Result<usize, PolicyError> {
        if let Some(params) = &self.params {
            let input = normalized(&self.normalizer, observation, &mut self.input)?;
            if input.len() != self.obs_dim {
                return Err(length_error(input.len(), self.obs_dim));
            }
            params.forward(input, 1, &mut self.pass);
            return argmax(self.pass.q())
                .ok_or_else(|| PolicyError::Source("the action values are NaN".into()));
        }
        self.greedy_calls = self.greedy_calls.saturating_add(1);
        if self.greedy_calls == HOST_COPY_AFTER {
            self.host = self
                .network
                .host_copy()
                .filter(|host| host.input() == self.obs_dim && host.output() == self.n_actions);
        }
        let Some(host) = &self.host else {
            return self.greedy_action(observation);
        };
        let input = normalized(&self.normalizer, observation, &mut self.input)?;
        let values = host
            .forward(input, &mut self.scratch)
            .map_err(|e| PolicyError::Source(e.to_string()))?;
        argmax(values).ok_or_else(|| PolicyError::Source("the action values are NaN".into()))
    }

    /// The action values of one observation.
    pub fn values(&self, observation: &[f32]) -> Result<Vec<f32>, PolicyError> {
        self.values_of_rows(observation)
    }

    /// The greedy action of each observation of `observations` (rows of `obs_dim` values),
    /// from one forward pass of the network over all of them.
    pub fn greedy_actions(&self, observations: &[f32]) -> Result<Vec<usize>, PolicyError> {
        let values = self.values_of_rows(observations)?;
        values
            .chunks_exact(self.n_actions)
            .map(|row| {
                argmax(row).ok_or_else(|| PolicyError::Source("the action values are NaN".into()))
            })
            .collect()
    }

    /// The action values `[rows, n_actions]` of observations `[rows, obs_dim]`, row-major.
    fn values_of_rows(&self, observations: &[f32]) -> Result<Vec<f32>, PolicyError> {
        if observations.is_empty() || !observations.len().is_multiple_of(self.obs_dim) {
            return Err(length_error(observations.len(), self.obs_dim));
        }
        let rows = observations.len() / self.obs_dim;
        let mut input = Vec::with_capacity(observations.len());
        match &self.normalizer {
            Some(normalizer) => normalizer
                .normalize_into(observations, &mut input)
                .map_err(|e| PolicyError::Source(e.to_string()))?,
            None => input.extend_from_slice(observations),
        }
        if let Some(params) = &self.params {
            let mut pass = Activations::default();
            params.forward(&input, rows, &mut pass);
            return Ok(pass.q().to_vec());
        }
        let input =
            Tensor::<2>::from_data(TensorData::new(input, [rows, self.obs_dim]), &self.device);
        let values = self.network.forward(input);
        if values.dims() != [rows, self.n_actions] {
            return Err(PolicyError::Source(format!(
                "the network returned shape {:?}, expected [{rows}, {}]",
                values.dims(),
                self.n_actions
            )));
        }
        values
            .into_data()
            .try_into_vec::<f32>()
            .map_err(|e| PolicyError::Source(format!("unreadable action values: {e:?}")))
    }

    /// The network.
    pub fn network(&self) -> &M {
        match &self.params {
            Some(params) => self
                .synced
                .get_or_init(|| params.write_into(self.network.clone())),
            None => &self.network,
        }
    }
}

/// `observation` normalised into `buffer` by `normalizer`, or itself without one.
fn normalized<'a>(
    normalizer: &Option<ObservationNormalizer>,
    observation: &'a [f32],
    buffer: &'a mut Vec<f32>,
) -> Result<&'a [f32], PolicyError> {
    match normalizer {
        Some(normalizer) => {
            normalizer
                .normalize_into(observation, buffer)
                .map_err(|e| PolicyError::Source(e.to_string()))?;
            Ok(buffer.as_slice())
        }
        None => Ok(observation),
    }
}

fn length_error(actual: usize, expected: usize) -> PolicyError {
    PolicyError::Source(format!(
        "observation of length {actual}, the network takes {expected}"
    ))
}

impl<M: QNetwork, O: AsRef<[f32]> + ?Sized> ActionValues<O> for QValues<M> {
    fn n_actions(&self) -> usize {
        self.n_actions
    }

    fn greedy_action(&self, observation: &O) -> Result<usize, PolicyError> {
        let values = self.values(observation.as_ref())?;
        argmax(&values).ok_or_else(|| PolicyError::Source("the action values are NaN".into()))
    }
}
