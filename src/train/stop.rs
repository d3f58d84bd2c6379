//! Deciding when a run is solved.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::StopRule;

/// Tracks recent episode returns and says when a [`StopRule`] is met.
///
/// ```
/// use cinder_rl::train::{StopRule, StopTracker};
///
/// let rule = StopRule::ConsecutiveSuccesses { count: 3, threshold: Some(195.0) };
/// let mut tracker = StopTracker::new(rule, None);
/// let solved: Vec<bool> = [200.0, 199.0, 20.0, 196.0, 200.0, 195.0]
///     .into_iter()
///     .map(|r| tracker.push(r))
///     .collect();
/// assert_eq!(solved, [false, false, false, false, false, true]);
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StopTracker {
    rule: StopRule,
    /// `None`: no threshold, so the rule is never met.
    threshold: Option<f64>,
    window: VecDeque<f64>,
    window_len: usize,
    streak: usize,
}

impl StopTracker {
    /// A tracker for `rule`; `env_threshold` stands in where the rule names no threshold (a
    /// rule that needs one and finds none is never met).
    pub fn new(rule: StopRule, env_threshold: Option<f64>) -> Self {
        let (window_len, threshold) = match rule {
            StopRule::Never => (100, None),
            // The last 100 are kept for the summary's `mean_return_100` whatever the window.
            StopRule::MeanReturn { window, threshold } => {
                (window.max(100), threshold.or(env_threshold))
            }
            StopRule::ConsecutiveSuccesses { count, threshold } => {
                (count.max(100), threshold.or(env_threshold))
            }
        };
        Self {
            rule,
            threshold,
            // The window fills as episodes end; only a small one is allocated up front.
            window: VecDeque::with_capacity(window_len.min(1024)),
            window_len: window_len.max(1),
            streak: 0,
        }
    }

    /// A tracker for `rule` that has seen the returns `earlier` tracked (the last ones it
    /// kept): how a resumed run applies a stop rule other than the one it was saved with.
    pub fn continued(rule: StopRule, env_threshold: Option<f64>, earlier: &StopTracker) -> Self {
        let mut tracker = Self::new(rule, env_threshold);
        for &episode_return in &earlier.window {
            tracker.push(episode_return);
        }
        tracker
    }

    /// Records a finished episode's return; `true` when the rule is met.
    pub fn push(&mut self, episode_return: f64) -> bool {
        if self.window.len() == self.window_len {
            self.window.pop_front();
        }
        self.window.push_back(episode_return);
        let success = self.threshold.is_some_and(|t| episode_return >= t);
        self.streak = if success { self.streak + 1 } else { 0 };
        self.is_met()
    }

    /// Whether the rule is met by the episodes recorded so far.
    pub fn is_met(&self) -> bool {
        match self.rule {
            StopRule::Never => false,
            StopRule::MeanReturn { window, .. } => {
                self.window.len() >= window
                    && self
                        .threshold
                        .zip(self.mean_of_last(window))
                        .is_some_and(|(t, m)| m >= t)
            }
            StopRule::ConsecutiveSuccesses { count, .. } => self.streak >= count,
        }
    }

    /// The mean return of the last 100 episodes (of all so far, before 100 ended).
    pub fn mean_return(&self) -> Option<f64> {
        self.mean_of_last(100)
    }

    /// The mean return of the last `n` episodes (of all so far, before `n` ended; of the last
    /// 100 or the rule's window at most, which is all the tracker keeps).
    pub fn mean_of_last(&self, n: usize) -> Option<f64> {
        let kept = self.window.len();
        let n = n.min(kept);
        (n > 0).then(|| self.window.iter().skip(kept - n).sum::<f64>() / n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_return_needs_a_full_window_at_the_threshold() {
        let mut tracker = StopTracker::new(StopRule::solved(), Some(475.0));
        for _ in 0..99 {
            assert!(!tracker.push(475.0), "fewer than 100 episodes never solve");
        }
        assert!(tracker.push(475.0), "a mean of exactly 475 solves");
        assert!(
            !tracker.push(474.0),
            "one episode short drags the mean under"
        );
        assert_eq!(tracker.mean_return(), Some((99.0 * 475.0 + 474.0) / 100.0));
    }

    #[test]
    fn a_rule_without_any_threshold_is_never_met() {
        let mut tracker = StopTracker::new(StopRule::solved(), None);
        assert!((0..200).all(|_| !tracker.push(1e9)));
        let mut never = StopTracker::new(StopRule::Never, Some(0.0));
        assert!((0..200).all(|_| !never.push(1.0)));
    }

    #[test]
    fn a_short_window_decides_while_the_summary_mean_covers_100_episodes() {
        let rule = StopRule::MeanReturn {
            window: 10,
            threshold: Some(-200.0),
        };
        let mut tracker = StopTracker::new(rule, None);
        let early: Vec<bool> = (0..95).map(|_| tracker.push(-1000.0)).collect();
        assert!(early.iter().all(|&met| !met));
        let late: Vec<bool> = (0..10).map(|_| tracker.push(-150.0)).collect();
        // Met once the last 10 average -150; the 100-episode mean still holds 90 bad ones.
        assert_eq!(late.iter().position(|&met| met), Some(9));
        assert_eq!(tracker.mean_of_last(10), Some(-150.0));
        assert_eq!(
            tracker.mean_return(),
            Some((90.0 * -1000.0 + 10.0 * -150.0) / 100.0)
        );
    }
}
