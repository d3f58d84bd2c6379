//! The agent file: a small header (what kind of agent, for which spaces) followed by the
//! network's weights in Burn's burnpack format, with a checksum, written atomically.
//!
//! Layout: `CINDERRL` magic, format version (u32 LE), header length (u64 LE), header JSON,
//! payload length (u64 LE), payload, FNV-1a 64 checksum of everything before it (u64 LE).

use std::path::Path;

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use serde::{Deserialize, Serialize};

use crate::atomic::write_atomic;
use crate::error::AgentError;

const MAGIC: &[u8; 8] = b"CINDERRL";
const VERSION: u32 = 1;

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

fn format_error(path: &Path, reason: impl Into<String>) -> AgentError {
    AgentError::Format {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn io_error(path: &Path, source: std::io::Error) -> AgentError {
    AgentError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Serialises a header and a payload into the file layout.
pub(crate) fn encode(header: &Header, payload: &[u8]) -> Vec<u8> {
    let header = serde_json::to_vec(header).expect("a plain struct serialises");
    let mut bytes = Vec::with_capacity(8 + 4 + 8 + header.len() + 8 + payload.len() + 8);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&(header.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&header);
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(payload);
    let checksum = fnv1a(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes
}

/// Parses the file layout, checking magic, version, lengths and checksum.
pub(crate) fn decode(path: &Path, bytes: &[u8]) -> Result<(Header, Vec<u8>), AgentError> {
    let truncated = || format_error(path, "the file is truncated");
    if !bytes.starts_with(MAGIC) {
        return Err(format_error(path, "not a cinder-rl agent file"));
    }
    let (body, checksum) = bytes
        .split_at_checked(bytes.len().saturating_sub(8))
        .ok_or_else(truncated)?;
    let mut rest = body.get(MAGIC.len()..).ok_or_else(truncated)?;
    let mut take = |n: usize| -> Result<&[u8], AgentError> {
        let (head, tail) = rest.split_at_checked(n).ok_or_else(truncated)?;
        rest = tail;
        Ok(head)
    };
    let version = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(format_error(
            path,
            format!("format version {version}, this build reads {VERSION}"),
        ));
    }
    let header_len = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
    let header = take(usize::try_from(header_len).map_err(|_| truncated())?)?;
    let header: Header = serde_json::from_slice(header)
        .map_err(|e| format_error(path, format!("unreadable header: {e}")))?;
    let payload_len = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
    let payload = take(usize::try_from(payload_len).map_err(|_| truncated())?)?.to_vec();
    if !rest.is_empty() || checksum.len() != 8 {
        return Err(truncated());
    }
    if fnv1a(body) != u64::from_le_bytes(checksum.try_into().expect("8 bytes")) {
        return Err(format_error(
            path,
            "checksum mismatch: the file is corrupted",
        ));
    }
    Ok((header, payload))
}

/// Saves `module`'s weights under `header` to `path`, atomically.
pub(crate) fn save_module<M: Module>(
    path: &Path,
    header: &Header,
    module: &M,
) -> Result<(), AgentError> {
    let weights = module
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| format_error(path, format!("cannot serialise the weights: {e:?}")))?;
    write_atomic(path, &encode(header, &weights)).map_err(|e| io_error(path, e))
}

/// Reads the file at `path`, checks that its header is `expected` (kind, spaces, parameter
/// count), and loads its weights into a copy of `module`.
pub(crate) fn load_module<M: Module>(
    path: &Path,
    expected: &Header,
    module: &M,
) -> Result<M, AgentError> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
    let (header, payload) = decode(path, &bytes)?;
    if header != *expected {
        return Err(format_error(
            path,
            format!(
                "saved by a different agent or network: file has {header:?}, this agent is {expected:?}"
            ),
        ));
    }
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(payload))
        .map_err(|e| format_error(path, format!("unreadable weights: {e:?}")))?;
    module
        .clone()
        .try_load_record(record)
        .map_err(|e| format_error(path, format!("weights do not fit the network: {e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            kind: "dqn".into(),
            obs_dim: 4,
            n_actions: 2,
            num_params: 10,
        }
    }

    #[test]
    fn round_trips_and_rejects_every_truncation_and_corruption() {
        let path = Path::new("agent.bin");
        let bytes = encode(&header(), b"weights");
        assert_eq!(
            decode(path, &bytes).unwrap(),
            (header(), b"weights".to_vec())
        );
        for cut in 0..bytes.len() {
            assert!(
                decode(path, &bytes[..cut]).is_err(),
                "a file cut at {cut} bytes was accepted"
            );
        }
        for flip in 0..bytes.len() {
            let mut corrupted = bytes.clone();
            corrupted[flip] ^= 0x10;
            assert!(
                decode(path, &corrupted).is_err(),
                "a flipped byte at {flip} was accepted"
            );
        }
    }
}
