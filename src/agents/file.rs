//! The agent file: an [`Archive`] holding a small header (what kind of agent, for which
//! spaces) and the network's weights in Burn's burnpack format, written atomically.

use std::path::Path;

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use serde::{Deserialize, Serialize};

use crate::archive::Archive;
use crate::error::AgentError;

/// What an agent file says about the agent it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Header {
    /// The agent kind ("dqn", "actor-critic").
    pub kind: String,
    /// The observation length.
    pub obs_dim: usize,
    /// The number of actions.
    pub n_actions: usize,
    /// The network's parameter count.
    pub num_params: usize,
}

pub(crate) fn format_error(path: &Path, reason: impl Into<String>) -> AgentError {
    AgentError::Format {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

pub(crate) fn io_error(path: &Path, source: std::io::Error) -> AgentError {
    AgentError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `module`'s weights as burnpack bytes.
pub(crate) fn module_bytes<M: Module>(module: &M, path: &Path) -> Result<Vec<u8>, AgentError> {
    let bytes = module
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| format_error(path, format!("cannot serialise the weights: {e:?}")))?;
    Ok(bytes.to_vec())
}

/// A copy of `module` with the weights of the burnpack `bytes`.
pub(crate) fn load_module_bytes<M: Module>(
    module: &M,
    bytes: &[u8],
    path: &Path,
) -> Result<M, AgentError> {
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| format_error(path, format!("unreadable weights: {e:?}")))?;
    module
        .clone()
        .try_load_record(record)
        .map_err(|e| format_error(path, format!("weights do not fit the network: {e:?}")))
}

/// Puts `header` into `archive` as JSON.
pub(crate) fn put_header(archive: &mut Archive, header: &Header) {
    archive.put(
        "header",
        serde_json::to_vec(header).expect("a plain struct serialises"),
    );
}

/// Checks that `archive`'s header is `expected` (kind, spaces, parameter count).
pub(crate) fn check_header(
    archive: &Archive,
    expected: &Header,
    path: &Path,
) -> Result<(), AgentError> {
    let header: Header = serde_json::from_slice(
        archive
            .require("header")
            .map_err(|e| format_error(path, e))?,
    )
    .map_err(|e| format_error(path, format!("unreadable header: {e}")))?;
    if header != *expected {
        return Err(format_error(
            path,
            format!(
                "saved by a different agent or network: file has {header:?}, this agent is {expected:?}"
            ),
        ));
    }
    Ok(())
}

/// Reads the archive at `path`.
pub(crate) fn read_archive(path: &Path) -> Result<Archive, AgentError> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
    Archive::decode(&bytes).map_err(|e| format_error(path, e))
}

/// Saves `module`'s weights under `header` to `path`, atomically.
pub(crate) fn save_module<M: Module>(
    path: &Path,
    header: &Header,
    module: &M,
) -> Result<(), AgentError> {
    let mut archive = Archive::default();
    put_header(&mut archive, header);
    archive.put("weights", module_bytes(module, path)?);
    archive.write(path).map_err(|e| io_error(path, e))
}

/// Reads the file at `path`, checks that its header is `expected`, and loads its weights into
/// a copy of `module`.
pub(crate) fn load_module<M: Module>(
    path: &Path,
    expected: &Header,
    module: &M,
) -> Result<M, AgentError> {
    let archive = read_archive(path)?;
    check_header(&archive, expected, path)?;
    let weights = archive
        .require("weights")
        .map_err(|e| format_error(path, e))?;
    load_module_bytes(module, weights, path)
}
