//! A checksummed container of named byte blobs: the format of agent files and training
//! checkpoints. Public so that tools can list and inspect what a file holds; the entries'
//! contents are the writers' own (JSON headers, Burn's burnpack weights, raw arrays).
//!
//! Layout: `CINDERRL` magic, format version (u32 LE), entry count (u32 LE), then per entry
//! its name length (u32 LE), name (UTF-8), data length (u64 LE) and data; last, the FNV-1a 64
//! checksum of everything before it (u64 LE).

use std::path::Path;

use crate::atomic::write_atomic;

const MAGIC: &[u8; 8] = b"CINDERRL";
const VERSION: u32 = 2;

/// Named blobs, in insertion order.
///
/// ```
/// use cinder_rl::archive::Archive;
///
/// let mut archive = Archive::default();
/// archive.put("header", b"{}".to_vec());
/// let bytes = archive.encode();
/// let decoded = Archive::decode(&bytes).unwrap();
/// assert_eq!(decoded.names().collect::<Vec<_>>(), ["header"]);
/// assert!(Archive::decode(&bytes[..bytes.len() - 1]).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Archive {
    entries: Vec<(String, Vec<u8>)>,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Archive {
    /// Adds (or replaces) the entry `name`.
    pub fn put(&mut self, name: &str, data: Vec<u8>) {
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = data,
            None => self.entries.push((name.to_string(), data)),
        }
    }

    /// The entry `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.as_slice())
    }

    /// The entries' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// Removes the entry `name`, returning its data.
    pub fn remove(&mut self, name: &str) -> Option<Vec<u8>> {
        let index = self.entries.iter().position(|(n, _)| n == name)?;
        Some(self.entries.remove(index).1)
    }

    /// The entry `name`, or an error naming it.
    pub fn require(&self, name: &str) -> Result<&[u8], String> {
        self.get(name).ok_or_else(|| format!("no `{name}` entry"))
    }

    /// The bytes of the archive.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(
            32 + self
                .entries
                .iter()
                .map(|(n, d)| n.len() + d.len() + 12)
                .sum::<usize>(),
        );
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        for (name, data) in &self.entries {
            bytes.extend_from_slice(&(name.len() as u32).to_le_bytes());
            bytes.extend_from_slice(name.as_bytes());
            bytes.extend_from_slice(&(data.len() as u64).to_le_bytes());
            bytes.extend_from_slice(data);
        }
        let checksum = fnv1a(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        bytes
    }

    /// Parses archive bytes, checking magic, version, lengths and checksum; the error says
    /// what is wrong.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        if !bytes.starts_with(MAGIC) {
            return Err("not a cinder-rl file".into());
        }
        let truncated = || "the file is truncated".to_string();
        let (body, checksum) = bytes
            .split_at_checked(bytes.len().saturating_sub(8))
            .ok_or_else(truncated)?;
        let mut rest = body.get(MAGIC.len()..).ok_or_else(truncated)?;
        let mut take = |n: usize| -> Result<&[u8], String> {
            let (head, tail) = rest.split_at_checked(n).ok_or_else(truncated)?;
            rest = tail;
            Ok(head)
        };
        let u32_at = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes"));
        let version = u32_at(take(4)?);
        if version != VERSION {
            return Err(format!(
                "format version {version}, this build reads {VERSION}"
            ));
        }
        let count = u32_at(take(4)?);
        let mut archive = Archive::default();
        for _ in 0..count {
            let name_len = u32_at(take(4)?) as usize;
            let name = String::from_utf8(take(name_len)?.to_vec())
                .map_err(|_| "an entry name is not UTF-8".to_string())?;
            let data_len = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
            let data = take(usize::try_from(data_len).map_err(|_| truncated())?)?.to_vec();
            archive.entries.push((name, data));
        }
        if !rest.is_empty() || checksum.len() != 8 {
            return Err(truncated());
        }
        if fnv1a(body) != u64::from_le_bytes(checksum.try_into().expect("8 bytes")) {
            return Err("checksum mismatch: the file is corrupted".into());
        }
        Ok(archive)
    }

    /// Writes the archive to `path`, atomically.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        write_atomic(path, &self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_every_truncation_and_corruption() {
        let mut archive = Archive::default();
        archive.put("header", b"{\"kind\":\"dqn\"}".to_vec());
        archive.put("weights", vec![1, 2, 3, 4, 5]);
        archive.put("weights", vec![9, 8, 7]);
        let bytes = archive.encode();
        let decoded = Archive::decode(&bytes).unwrap();
        assert_eq!(decoded, archive);
        assert_eq!(decoded.get("weights"), Some(&[9u8, 8, 7][..]));
        assert!(decoded.require("optimizer").is_err());
        for cut in 0..bytes.len() {
            assert!(
                Archive::decode(&bytes[..cut]).is_err(),
                "a file cut at {cut} bytes was accepted"
            );
        }
        for flip in 0..bytes.len() {
            let mut corrupted = bytes.clone();
            corrupted[flip] ^= 0x10;
            assert!(
                Archive::decode(&corrupted).is_err(),
                "a flipped byte at {flip} was accepted"
            );
        }
    }
}
