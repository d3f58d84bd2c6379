//! Reading and writing agents' training states (see [`Checkpoint`](crate::agent::Checkpoint)):
//! an [`Archive`] of networks, optimizer moments and JSON-encoded counters and generators.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::file::{
    Header, check_header, format_error, load_module_bytes, module_bytes, put_header,
};
use super::optimizer_record::restore_optimizer;
use crate::archive::Archive;
use crate::error::AgentError;

/// The name errors give a training state, which lives in memory rather than in a file.
const SOURCE: &str = "training state";

fn source() -> &'static Path {
    Path::new(SOURCE)
}

/// The error of a training state whose content is refused for `reason`.
pub(crate) fn state_error(reason: impl Into<String>) -> AgentError {
    format_error(source(), reason)
}

/// Builds a training state.
pub(crate) struct StateWriter(Archive);

impl StateWriter {
    pub fn new(header: &Header) -> Self {
        let mut archive = Archive::default();
        put_header(&mut archive, header);
        Self(archive)
    }

    pub fn module<M: Module>(mut self, name: &str, module: &M) -> Result<Self, AgentError> {
        self.0.put(name, module_bytes(module, source())?);
        Ok(self)
    }

    pub fn optimizer(
        mut self,
        name: &str,
        optimizer: &ModuleOptimizer,
    ) -> Result<Self, AgentError> {
        let bytes = optimizer.into_bytes().map_err(|e| {
            format_error(source(), format!("cannot serialise the optimizer: {e:?}"))
        })?;
        self.0.put(name, bytes.to_vec());
        Ok(self)
    }

    pub fn json<T: Serialize>(mut self, name: &str, value: &T) -> Self {
        self.0.put(
            name,
            serde_json::to_vec(value).expect("plain data serialises"),
        );
        self
    }

    pub fn bytes(mut self, name: &str, bytes: Vec<u8>) -> Self {
        self.0.put(name, bytes);
        self
    }

    pub fn finish(self) -> Vec<u8> {
        self.0.encode()
    }
}

/// Reads a training state, checking that it was written by an agent like `expected`.
pub(crate) struct StateReader(Archive);

impl StateReader {
    pub fn new(state: &[u8], expected: &Header) -> Result<Self, AgentError> {
        let archive = Archive::decode(state).map_err(|e| format_error(source(), e))?;
        check_header(&archive, expected, source())?;
        Ok(Self(archive))
    }

    pub fn bytes(&self, name: &str) -> Result<&[u8], AgentError> {
        self.0.require(name).map_err(|e| format_error(source(), e))
    }

    /// A copy of `like` with the weights stored under `name`.
    pub fn module<M: Module>(&self, name: &str, like: &M) -> Result<M, AgentError> {
        load_module_bytes(like, self.bytes(name)?, source())
    }

    /// `fresh` with the optimizer state stored under `name`, which must be a state of
    /// `network` (its parameters, shapes and kind of optimizer): checked before Burn reads it.
    pub fn optimizer<M: Module>(
        &self,
        name: &str,
        fresh: ModuleOptimizer,
        network: &M,
    ) -> Result<ModuleOptimizer, AgentError> {
        let bytes = self.bytes(name)?;
        // The checks reject every malformed state known to panic inside Burn; any other panic
        // is still turned into an error here.
        catch_unwind(AssertUnwindSafe(|| {
            restore_optimizer(bytes, fresh, network, false)
        }))
        .unwrap_or_else(|_| Err("the optimizer state made Burn fail".into()))
        .map_err(|reason| format_error(source(), format!("invalid optimizer state: {reason}")))
    }

    /// Checks that each named counter read from the state is at most
    /// [`MAX_COUNTER`](crate::agent::MAX_COUNTER).
    pub fn check_counters(&self, counters: &[(&str, u64)]) -> Result<(), AgentError> {
        match counters
            .iter()
            .find(|(_, v)| *v > crate::agent::MAX_COUNTER)
        {
            Some((name, value)) => Err(format_error(
                source(),
                format!("counter `{name}` is {value}, beyond any real run"),
            )),
            None => Ok(()),
        }
    }

    pub fn json<T: DeserializeOwned>(&self, name: &str) -> Result<T, AgentError> {
        serde_json::from_slice(self.bytes(name)?)
            .map_err(|e| format_error(source(), format!("unreadable `{name}`: {e}")))
    }
}
