//! The zoo's progress display: a bar on a terminal, the trainer's periodic lines elsewhere.

use std::io::IsTerminal;
use std::time::Instant;

use cinder_rl::train::{EpisodeRecord, StopRule, StopTracker};
use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar over the step budget with the mean return of the last `window` episodes
/// and the steps per second, drawn on stderr when it is a terminal.
pub struct Progress {
    bar: ProgressBar,
    window: usize,
    /// The recent returns, kept as the trainer keeps them (no threshold: it only averages).
    returns: StopTracker,
    /// The steps done before this process, and when it started.
    start: (u64, Instant),
}

/// Whether the bar is drawn: stderr is a terminal (else the trainer's lines keep logs
/// readable).
pub fn on_terminal() -> bool {
    std::io::stderr().is_terminal()
}

impl Progress {
    /// A bar from `done` to `budget` environment steps, averaging returns over `window`
    /// episodes.
    pub fn new(done: u64, budget: u64, window: usize) -> Self {
        let bar = ProgressBar::new(budget);
        let style =
            ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} steps {msg}")
                .map(|s| s.progress_chars("=> "))
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_position(done);
        let window = window.max(1);
        let rule = StopRule::MeanReturn {
            window,
            threshold: None,
        };
        Self {
            bar,
            window,
            returns: StopTracker::new(rule, None),
            start: (done, Instant::now()),
        }
    }

    /// Moves the bar to a finished episode's step count and shows the recent mean return.
    pub fn episode(&mut self, record: &EpisodeRecord) {
        self.returns.push(record.episode_return);
        let mean = self
            .returns
            .mean_of_last(self.window)
            .unwrap_or(record.episode_return);
        self.bar.set_position(record.env_steps);
        let (done, since) = self.start;
        let seconds = since.elapsed().as_secs_f64().max(1e-9);
        let rate = record.env_steps.saturating_sub(done) as f64 / seconds;
        self.bar.set_message(format!(
            "{rate:.0} steps/s  episode {}  mean{} {mean:.1}",
            record.episode, self.window
        ));
    }

    /// Removes the bar, leaving the terminal to the lines that follow.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
