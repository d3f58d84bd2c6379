//! The agent file: an [`Archive`] holding a small header (what kind of agent, for which
//! spaces) and the network's weights in Burn's burnpack format, written atomically.
//!
//! The crate's agents save and load through it, and so can agents of your own:
//! [`save_module`] and [`load_module`] give them the same checked, atomic files.

use std::path::Path;

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use serde::{Deserialize, Serialize};

use crate::archive::Archive;
use crate::env::ActionShape;
use crate::error::AgentError;

/// What an agent file says about the agent it holds: its kind, its spaces and its network's
/// size. A file loads only into an agent whose header is the same.
///
/// Files of discrete agents hold `kind`, `obs_dim`, `n_actions` and `num_params`, as they
/// always have; files of continuous agents add `action_dim` (and `n_actions` is 0), which
/// earlier versions refuse as a different agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    kind: String,
    obs_dim: usize,
    n_actions: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    action_dim: Option<usize>,
    num_params: usize,
}

impl Header {
    /// The header of an agent of `kind` over `obs_dim`-long observations and `n_actions`
    /// discrete actions, with a network of `num_params` parameters.
    pub fn discrete(kind: &str, obs_dim: usize, n_actions: usize, num_params: usize) -> Self {
        Self {
            kind: kind.into(),
            obs_dim,
            n_actions,
            action_dim: None,
            num_params,
        }
    }

    /// The header of an agent of `kind` over `obs_dim`-long observations and continuous
    /// actions of `action_dim` values, with a network of `num_params` parameters.
    pub fn continuous(kind: &str, obs_dim: usize, action_dim: usize, num_params: usize) -> Self {
        Self {
            kind: kind.into(),
            obs_dim,
            n_actions: 0,
            action_dim: Some(action_dim),
            num_params,
        }
    }

    /// The agent kind ("dqn", "actor-critic", or a kind of your own).
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The observation length.
    pub fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    /// The shape of the agent's actions.
    pub fn action_shape(&self) -> ActionShape {
        match self.action_dim {
            Some(dim) => ActionShape::Continuous { dim },
            None => ActionShape::Discrete,
        }
    }

    /// The number of discrete actions (0 for continuous ones).
    pub fn n_actions(&self) -> usize {
        self.n_actions
    }

    /// The network's parameter count.
    pub fn num_params(&self) -> usize {
        self.num_params
    }
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

/// Saves `module`'s weights under `header` to `path`, atomically: a crash mid-write leaves
/// any previous file intact.
pub fn save_module<M: Module>(path: &Path, header: &Header, module: &M) -> Result<(), AgentError> {
    save_module_with(path, header, module, Vec::new())
}

/// [`save_module`] with further named entries (an agent's normalisation statistics...).
pub(crate) fn save_module_with<M: Module>(
    path: &Path,
    header: &Header,
    module: &M,
    extras: Vec<(&str, Vec<u8>)>,
) -> Result<(), AgentError> {
    let mut archive = Archive::default();
    put_header(&mut archive, header);
    archive.put("weights", module_bytes(module, path)?);
    for (name, bytes) in extras {
        archive.put(name, bytes);
    }
    archive.write(path).map_err(|e| io_error(path, e))
}

/// Reads the file at `path`, checks that its header is `expected`, and loads its weights into
/// a copy of `module`. A missing or unreadable file is an [`AgentError::Io`]; a corrupted
/// one, one of another header, or weights that do not fit `module` an [`AgentError::Format`].
pub fn load_module<M: Module>(path: &Path, expected: &Header, module: &M) -> Result<M, AgentError> {
    load_module_with(path, expected, module).map(|(module, _)| module)
}

/// [`load_module`], returning the file's archive too for its further entries.
pub(crate) fn load_module_with<M: Module>(
    path: &Path,
    expected: &Header,
    module: &M,
) -> Result<(M, Archive), AgentError> {
    let archive = read_archive(path)?;
    check_header(&archive, expected, path)?;
    let weights = archive
        .require("weights")
        .map_err(|e| format_error(path, e))?;
    let module = load_module_bytes(module, weights, path)?;
    Ok((module, archive))
}
