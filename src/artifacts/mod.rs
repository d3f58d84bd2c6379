//! What a training run leaves behind for people to look at: per-episode metrics (CSV),
//! learning-curve plots (PNG, feature `plot`) and animated episodes (GIF, feature `gif`), and
//! the [`RunDir`] that keeps one run's files together, safe from other runs.
//!
//! Every file is written atomically or, for the metrics log, one whole line at a time.

#[cfg(feature = "gif")]
mod gif;
mod identity;
mod metrics;
#[cfg(feature = "plot")]
mod plot;
mod run_dir;

#[cfg(feature = "gif")]
pub use gif::{GifRecorder, record_episode};
pub use identity::{RUN_FORMAT, RunIdentity};
pub use metrics::{METRICS_HEADER, MetricsWriter, read_metrics};
#[cfg(feature = "plot")]
pub use plot::plot_learning_curve;
pub use run_dir::{
    AGENT_FILE, CHECKPOINT_FILE, CURVE_FILE, GIF_FILE, IDENTITY_FILE, METRICS_FILE, RunDir,
};

use std::path::Path;

use crate::error::ArtifactError;

pub(crate) fn io_error(path: &Path, source: std::io::Error) -> ArtifactError {
    ArtifactError::Io {
        path: path.to_path_buf(),
        source,
    }
}
