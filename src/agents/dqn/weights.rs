//! The DQN agent's weight file: the online network, the spaces it was trained for and, when
//! the agent normalises observations, their statistics.

use std::path::Path;

use super::Dqn;
use crate::agents::file::{Header, load_module_with, save_module_with};
use crate::error::AgentError;
use crate::memory::ReplayMemory;
use crate::nn::QNetwork;
use crate::policy::Schedule;

impl<M: QNetwork, R: ReplayMemory, S: Schedule> Dqn<M, R, S> {
    /// Writes the online network's weights, the agent's spaces and (when it normalises them)
    /// its observation statistics to `path`, atomically.
    pub fn save(&self, path: &Path) -> Result<(), AgentError> {
        let extras = self.normalization.file_entries();
        save_module_with(path, &self.header(), &self.online_valid(), extras)
    }

    /// Loads weights saved by [`save`](Self::save) into the online and target networks. A
    /// missing, truncated or corrupted file, or one saved for other spaces or another network
    /// shape, is an error and leaves the agent unchanged.
    pub fn load(&mut self, path: &Path) -> Result<(), AgentError> {
        let (online, archive) = load_module_with(path, &self.header(), &self.online)?;
        self.normalization.observations =
            self.normalization
                .read_file_entries(&archive, self.obs_dim, path)?;
        self.online = online;
        self.target = self.online.valid();
        self.reload_host();
        self.refresh_acting_network();
        Ok(())
    }

    /// What a weight or checkpoint file of this agent must match: the algorithm, the spaces
    /// and the parameter count.
    pub(super) fn header(&self) -> Header {
        Header::discrete(
            "dqn",
            self.obs_dim,
            self.n_actions,
            self.online.num_params(),
        )
    }
}
