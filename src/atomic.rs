//! All-or-nothing file writes.

use std::io::Write;
use std::path::{Path, PathBuf};

/// What the name of a temporary file holds between the target's name and the writer's process
/// id: `.<name>.tmp-<pid>`.
const TEMPORARY: &str = ".tmp-";

/// Whether `name` is the name of a temporary file [`write_atomic`] makes.
pub(crate) fn is_temporary(name: &str) -> bool {
    name.starts_with('.')
        && name.rsplit_once(TEMPORARY).is_some_and(|(target, pid)| {
            target.len() > 1 && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
        })
}

/// Writes `bytes` to `path` so that readers see either the old file or the whole new one: a
/// temporary file in the same directory (created if missing), flushed to disk, then renamed
/// over `path`. On failure the temporary file is removed and `path` is untouched.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"))?
        .to_string_lossy();
    let temporary = dir.join(format!(".{name}{TEMPORARY}{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        // Make the rename itself durable.
        std::fs::File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_file_and_leaves_nothing_behind() {
        let dir = std::env::temp_dir().join(format!("cinder-atomic-{}", std::process::id()));
        let path = dir.join("nested").join("file.bin");
        write_atomic(&path, b"first version, longer").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let entries: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(entries.len(), 1, "no temporary file is left behind");
        assert!(write_atomic(&dir, b"a directory cannot be replaced").is_err());
        assert!(is_temporary(".checkpoint.cinder.tmp-4242"));
        assert!(!is_temporary("checkpoint.cinder"));
        assert!(!is_temporary(".lock"));
        assert!(!is_temporary(".checkpoint.cinder.tmp-"));
        assert!(!is_temporary(".x.tmp-12a"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
