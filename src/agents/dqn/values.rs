//! A Q-network as a source of action values for the policies.

use burn::tensor::{Device, Tensor, TensorData};

use crate::error::PolicyError;
use crate::nn::QNetwork;
use crate::policy::{ActionValues, argmax};

/// A non-autodiff Q-network as an [`ActionValues`] source: what a trained
/// [`Dqn`](super::Dqn) hands out to act greedily (or epsilon-greedily) on its own.
#[derive(Debug, Clone)]
pub struct QValues<M> {
    network: M,
    obs_dim: usize,
    n_actions: usize,
    device: Device,
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
        }
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
        let input = Tensor::<2>::from_data(
            TensorData::new(observation.to_vec(), [1, self.obs_dim]),
            &self.device,
        );
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
