//! The per-episode metrics log.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::io_error;
use crate::atomic::write_atomic;
use crate::error::ArtifactError;
use crate::train::EpisodeRecord;

/// The CSV header of a metrics log; empty fields mean "not reported". The last column holds
/// the agent's further metrics as `name=value` pairs joined by `;`.
pub const METRICS_HEADER: &str =
    "episode,env_steps,return,length,epsilon,entropy,mean_loss,updates,wall_s,metrics";

/// The header of logs written before the `metrics` column; they are still read, and a resumed
/// log is rewritten with the current header.
const HEADER_WITHOUT_METRICS: &str =
    "episode,env_steps,return,length,epsilon,entropy,mean_loss,updates,wall_s";

/// Writes one CSV row per finished episode, each row flushed as it is written, so that a run
/// that stops abruptly keeps every finished episode.
///
/// ```
/// use cinder_rl::artifacts::{MetricsWriter, read_metrics};
/// use cinder_rl::train::EpisodeRecord;
///
/// # fn main() -> Result<(), cinder_rl::error::ArtifactError> {
/// let path = std::env::temp_dir().join(format!("metrics-doc-{}.csv", std::process::id()));
/// let record = EpisodeRecord {
///     episode: 1, env_steps: 20, episode_return: 20.0, length: 20, epsilon: Some(0.5),
///     entropy: None, mean_loss: Some(0.25), updates: 4, wall_s: 0.01,
///     metrics: vec![("clip_fraction".into(), 0.125)],
/// };
/// let mut writer = MetricsWriter::create(&path)?;
/// writer.write(&record)?;
/// assert_eq!(read_metrics(&path)?, vec![record]);
/// # std::fs::remove_file(&path).unwrap();
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct MetricsWriter {
    path: PathBuf,
    file: BufWriter<File>,
}

impl MetricsWriter {
    /// Starts a new log at `path` (creating its directory, replacing any old log).
    pub fn create(path: &Path) -> Result<Self, ArtifactError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        }
        let file = File::create(path).map_err(|e| io_error(path, e))?;
        let mut writer = Self {
            path: path.to_path_buf(),
            file: BufWriter::new(file),
        };
        writer.line(METRICS_HEADER)?;
        Ok(writer)
    }

    /// Continues the log at `path` after its first `keep` episodes (a resumed run): rows of
    /// later episodes, written after the checkpoint the run resumes from, are dropped. The
    /// trimmed log replaces the old one atomically, so an interruption loses no row.
    pub fn resume(path: &Path, keep: u64) -> Result<Self, ArtifactError> {
        let mut text = format!("{METRICS_HEADER}\n");
        for record in read_metrics(path)?.iter().filter(|r| r.episode <= keep) {
            text.push_str(&row(record));
            text.push('\n');
        }
        write_atomic(path, text.as_bytes()).map_err(|e| io_error(path, e))?;
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| io_error(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            file: BufWriter::new(file),
        })
    }

    /// Appends one episode's row.
    pub fn write(&mut self, record: &EpisodeRecord) -> Result<(), ArtifactError> {
        self.line(&row(record))
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn line(&mut self, line: &str) -> Result<(), ArtifactError> {
        writeln!(self.file, "{line}")
            .and_then(|()| self.file.flush())
            .map_err(|e| io_error(&self.path, e))
    }
}

/// One episode's CSV row (no line end); empty fields for what was not reported.
fn row(record: &EpisodeRecord) -> String {
    let optional = |v: Option<String>| v.unwrap_or_default();
    let metrics: Vec<String> = record
        .metrics
        .iter()
        // Names keep the log's separators out: `,`, `;`, `=` and line ends become `_`.
        .map(|(name, value)| format!("{}={value}", name.replace([',', ';', '=', '\n', '\r'], "_")))
        .collect();
    format!(
        "{},{},{},{},{},{},{},{},{},{}",
        record.episode,
        record.env_steps,
        record.episode_return,
        record.length,
        optional(record.epsilon.map(|v| v.to_string())),
        optional(record.entropy.map(|v| v.to_string())),
        optional(record.mean_loss.map(|v| v.to_string())),
        record.updates,
        record.wall_s,
        metrics.join(";"),
    )
}

/// The further metrics of a row's last field.
fn parse_metrics(field: &str) -> Result<Vec<(String, f64)>, String> {
    if field.is_empty() {
        return Ok(Vec::new());
    }
    field
        .split(';')
        .map(|pair| {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("metric {pair:?} is not name=value"))?;
            let value = value
                .parse()
                .map_err(|_| format!("unreadable metric value {value:?}"))?;
            Ok((name.to_string(), value))
        })
        .collect()
}

/// Reads a metrics log written by [`MetricsWriter`].
pub fn read_metrics(path: &Path) -> Result<Vec<EpisodeRecord>, ArtifactError> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
    let bad = |line: usize, reason: String| ArtifactError::Format {
        path: path.to_path_buf(),
        reason: format!("line {line}: {reason}"),
    };
    let mut lines = text.lines();
    let columns = match lines.next() {
        Some(METRICS_HEADER) => 10,
        Some(HEADER_WITHOUT_METRICS) => 9,
        _ => return Err(bad(1, "not a metrics log (unexpected header)".into())),
    };
    lines
        .enumerate()
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split(',').collect();
            if fields.len() != columns {
                return Err(bad(
                    i + 2,
                    format!("{} fields, expected {columns}", fields.len()),
                ));
            }
            fn parse<T: std::str::FromStr>(s: &str) -> Result<T, String> {
                s.parse().map_err(|_| format!("unreadable value {s:?}"))
            }
            fn optional<T: std::str::FromStr>(s: &str) -> Result<Option<T>, String> {
                if s.is_empty() {
                    Ok(None)
                } else {
                    parse(s).map(Some)
                }
            }
            (|| {
                Ok(EpisodeRecord {
                    episode: parse(fields[0])?,
                    env_steps: parse(fields[1])?,
                    episode_return: parse(fields[2])?,
                    length: parse(fields[3])?,
                    epsilon: optional(fields[4])?,
                    entropy: optional(fields[5])?,
                    mean_loss: optional(fields[6])?,
                    updates: parse(fields[7])?,
                    wall_s: parse(fields[8])?,
                    metrics: match fields.get(9) {
                        Some(field) => parse_metrics(field)?,
                        None => Vec::new(),
                    },
                })
            })()
            .map_err(|reason| bad(i + 2, reason))
        })
        .collect()
}
