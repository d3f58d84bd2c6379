//! A Q-network as a source of action values for the policies.

use burn::tensor::{Device, Tensor, TensorData};

use crate::agents::normalize::ObservationNormalizer;
use crate::error::PolicyError;
use crate::nn::QNetwork;
use crate::policy::{ActionValues, argmax};

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
        }
    }

    /// The same, normalising observations with `normalizer` before the network sees them.
    pub(crate) fn with_normalizer(mut self, normalizer: Option<ObservationNormalizer>) -> Self {
        self.normalizer = normalizer;
        self
    }

    /// Normalises observations with `normalizer` from now on.
    pub(crate) fn set_normalizer(&mut self, normalizer: Option<ObservationNormalizer>) {
        self.normalizer = normalizer;
    }

    /// The action values of one observation.
    pub fn values(&self, observation: &[f32]) -> Result<Vec<f32>, PolicyError> {
        if observation.len() != self.obs_dim {
            return Err(PolicyError::Source(format!(
                "observation of length {}, the network takes {}",
                observation.len(),
                self.obs_dim
            )));
        }
        let mut input = Vec::with_capacity(self.obs_dim);
        match &self.normalizer {
            Some(normalizer) => normalizer
                .normalize_into(observation, &mut input)
                .map_err(|e| PolicyError::Source(e.to_string()))?,
            None => input.extend_from_slice(observation),
        }
        let input = Tensor::<2>::from_data(TensorData::new(input, [1, self.obs_dim]), &self.device);
        let values = self.network.forward(input);
        if values.dims() != [1, self.n_actions] {
            return Err(PolicyError::Source(format!(
                "the network returned shape {:?}, expected [1, {}]",
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
        &self.network
    }
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
