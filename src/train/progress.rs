//! The periodic progress line on stderr.

use super::EpisodeRecord;

/// Prints one progress line: episode, steps, recent mean return, exploration, loss, speed.
pub(crate) fn report(record: &EpisodeRecord, mean_return: Option<f64>, eval: Option<f64>) {
    let mut line = format!(
        "episode {:>5}  steps {:>7}  return {:>6.1}  mean100 {:>6.1}",
        record.episode,
        record.env_steps,
        record.episode_return,
        mean_return.unwrap_or(f64::NAN),
    );
    if let Some(epsilon) = record.epsilon {
        line += &format!("  eps {epsilon:.3}");
    }
    if let Some(entropy) = record.entropy {
        line += &format!("  entropy {entropy:.3}");
    }
    if let Some(loss) = record.mean_loss {
        line += &format!("  loss {loss:.4}");
    }
    for (name, value) in &record.metrics {
        line += &format!("  {name} {value:.4}");
    }
    if let Some(eval) = eval {
        line += &format!("  eval {eval:.1}");
    }
    let speed = record.env_steps as f64 / record.wall_s.max(1e-9);
    line += &format!("  {speed:>6.0} steps/s  {:.1}s", record.wall_s);
    eprintln!("{line}");
}
