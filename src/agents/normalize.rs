//! Running normalisation of observations and rewards: the statistics an agent keeps (and
//! saves) so that its networks see values of unit scale whatever the environment's units.

use serde::{Deserialize, Serialize};

use crate::error::AgentError;

/// The running mean and variance of vectors of `dim` values, over every row seen so far,
/// merged batch by batch with the parallel formula of Chan, Golub and LeVeque (the order of
/// the batches changes only rounding). Like Stable-Baselines3's, it starts from a mean of 0,
/// a variance of 1 and a weight of 1e-4 rows, so early batches dominate at once.
///
/// ```
/// use cinder_rl::agents::normalize::RunningMeanStd;
///
/// let mut stats = RunningMeanStd::new(2);
/// stats.update(&[1.0, 10.0, 3.0, 30.0])?; // two rows
/// assert!((stats.mean()[0] - 2.0).abs() < 1e-3 && (stats.mean()[1] - 20.0).abs() < 1e-2);
/// assert!((stats.var()[1] - 100.0).abs() < 0.1);
/// # Ok::<(), cinder_rl::error::AgentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunningMeanStd {
    mean: Vec<f64>,
    var: Vec<f64>,
    count: f64,
}

/// The weight of the prior (mean 0, variance 1) in rows.
const PRIOR_COUNT: f64 = 1e-4;

impl RunningMeanStd {
    /// Statistics of vectors of `dim` values, before any row.
    pub fn new(dim: usize) -> Self {
        Self {
            mean: vec![0.0; dim],
            var: vec![1.0; dim],
            count: PRIOR_COUNT,
        }
    }

    /// The number of values per row.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// The running mean of each value.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The running (population) variance of each value.
    pub fn var(&self) -> &[f64] {
        &self.var
    }

    /// The rows seen, plus the prior's weight.
    pub fn count(&self) -> f64 {
        self.count
    }

    /// Checks statistics read from a file: `dim` values, finite means, finite non-negative
    /// variances and a positive count.
    pub(crate) fn check(&self, dim: usize) -> Result<(), String> {
        if self.mean.len() != dim || self.var.len() != dim {
            return Err(format!(
                "statistics of {} values, the agent observes {dim}",
                self.mean.len()
            ));
        }
        let finite = self.mean.iter().all(|m| m.is_finite())
            && self.var.iter().all(|v| v.is_finite() && *v >= 0.0);
        if !(finite && self.count.is_finite() && self.count > 0.0) {
            return Err("statistics with a mean, variance or count out of range".into());
        }
        Ok(())
    }

    /// Adds the rows of `batch` (`dim` values each, row-major). A length that is not a
    /// whole number of rows is an [`AgentError::Length`], a value that is not
    /// finite an [`AgentError::NonFinite`]; either leaves the statistics as they were.
    pub fn update(&mut self, batch: &[f32]) -> Result<(), AgentError> {
        self.check_rows(batch)?;
        let dim = self.dim();
        self.add_rows(batch.len() / dim, |j| {
            batch.iter().skip(j).step_by(dim).map(|&v| f64::from(v))
        });
        Ok(())
    }

    /// The error [`update`](Self::update) would give `batch`, if any.
    pub(crate) fn check_rows(&self, batch: &[f32]) -> Result<(), AgentError> {
        let dim = self.dim();
        if dim == 0 || !batch.len().is_multiple_of(dim) {
            return Err(AgentError::Length {
                what: "rows to normalise",
                expected: dim,
                actual: batch.len(),
            });
        }
        if batch.iter().any(|v| !v.is_finite()) {
            return Err(AgentError::NonFinite("a value to normalise"));
        }
        Ok(())
    }

    /// Merges `rows` checked rows, whose value `j` the iterator `column(j)` gives, into the
    /// statistics.
    fn add_rows<I: Iterator<Item = f64>>(&mut self, rows: usize, column: impl Fn(usize) -> I) {
        if rows == 0 {
            return;
        }
        let n = rows as f64;
        for j in 0..self.dim() {
            let batch_mean = column(j).sum::<f64>() / n;
            let batch_var = column(j).map(|v| (v - batch_mean).powi(2)).sum::<f64>() / n;
            let delta = batch_mean - self.mean[j];
            let total = self.count + n;
            self.mean[j] += delta * n / total;
            let m2 =
                self.var[j] * self.count + batch_var * n + delta * delta * self.count * n / total;
            self.var[j] = m2 / total;
        }
        self.count += n;
    }

    /// `(x - mean) / sqrt(var + epsilon)`, clipped to `[-clip, clip]`, for every row of
    /// `rows`, into `out` (cleared first). A length that is not a whole number of rows is an
    /// [`AgentError::Length`], and `out` is left empty.
    pub fn normalize_into(
        &self,
        rows: &[f32],
        epsilon: f64,
        clip: f32,
        out: &mut Vec<f32>,
    ) -> Result<(), AgentError> {
        out.clear();
        let dim = self.dim();
        if dim == 0 || !rows.len().is_multiple_of(dim) {
            return Err(AgentError::Length {
                what: "rows to normalise",
                expected: dim,
                actual: rows.len(),
            });
        }
        out.extend(rows.iter().enumerate().map(|(i, &x)| {
            let j = i % dim;
            let z = (f64::from(x) - self.mean[j]) / (self.var[j] + epsilon).sqrt();
            (z as f32).clamp(-clip, clip)
        }));
        Ok(())
    }
}

/// Observation normalisation as Stable-Baselines3's `VecNormalize` does it: running
/// statistics of the observations seen while training, `epsilon` 1e-8 under the square root
/// and values clipped to ±`clip` (10). Statistics change only through
/// [`update`](Self::update), so that evaluation, which does not update, sees the agent's
/// fixed view.
///
/// ```
/// use cinder_rl::agents::normalize::ObservationNormalizer;
///
/// let mut normalizer = ObservationNormalizer::new(1);
/// normalizer.update(&[100.0, 102.0, 98.0, 100.0])?;
/// let mut out = Vec::new();
/// normalizer.normalize_into(&[100.0, 200.0], &mut out)?;
/// assert!(out[0].abs() < 0.01); // at the mean (up to the prior's weight)
/// assert_eq!(out[1], 10.0); // far above the mean: clipped
/// # Ok::<(), cinder_rl::error::AgentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservationNormalizer {
    stats: RunningMeanStd,
    clip: f32,
    epsilon: f64,
}

impl ObservationNormalizer {
    /// Normalisation of observations of `dim` values, clipped to ±10.
    pub fn new(dim: usize) -> Self {
        Self {
            stats: RunningMeanStd::new(dim),
            clip: 10.0,
            epsilon: 1e-8,
        }
    }

    /// The running statistics.
    pub fn stats(&self) -> &RunningMeanStd {
        &self.stats
    }

    /// Checks a normaliser read from a file against observations of `dim` values.
    pub(crate) fn check(&self, dim: usize) -> Result<(), String> {
        self.stats.check(dim)?;
        if !(self.clip > 0.0 && self.epsilon > 0.0 && self.epsilon.is_finite()) {
            return Err("a clip or epsilon out of range".into());
        }
        Ok(())
    }

    /// Adds observations (whole rows) to the statistics; see [`RunningMeanStd::update`].
    pub fn update(&mut self, observations: &[f32]) -> Result<(), AgentError> {
        self.stats.update(observations)
    }

    /// The normalised observations (whole rows), into `out`; see
    /// [`RunningMeanStd::normalize_into`].
    pub fn normalize_into(
        &self,
        observations: &[f32],
        out: &mut Vec<f32>,
    ) -> Result<(), AgentError> {
        self.stats
            .normalize_into(observations, self.epsilon, self.clip, out)
    }
}

/// Reward normalisation as Stable-Baselines3's `VecNormalize` does it: each copy's
/// discounted return so far (`G <- gamma * G + r`, reset when its episode ends) feeds running
/// statistics, and rewards are divided by their standard deviation (plus 1e-8) and clipped
/// to ±10. The rewards keep their sign and zero; only their scale changes.
///
/// ```
/// use cinder_rl::agents::normalize::RewardNormalizer;
///
/// let mut normalizer = RewardNormalizer::new(1, 0.99);
/// let mut scaled = Vec::new();
/// for _ in 0..1000 {
///     normalizer.normalize(&[-100.0], &[false], &mut scaled)?;
/// }
/// assert!(scaled[0] < 0.0 && scaled[0] > -1.0); // large rewards, small scaled ones
/// # Ok::<(), cinder_rl::error::AgentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RewardNormalizer {
    stats: RunningMeanStd,
    returns: Vec<f64>,
    gamma: f64,
    clip: f32,
    epsilon: f64,
}

impl RewardNormalizer {
    /// Normalisation of the rewards of `copies` environments with discount `gamma`.
    pub fn new(copies: usize, gamma: f64) -> Self {
        Self {
            stats: RunningMeanStd::new(1),
            returns: vec![0.0; copies],
            gamma,
            clip: 10.0,
            epsilon: 1e-8,
        }
    }

    /// The running statistics of the discounted returns.
    pub fn stats(&self) -> &RunningMeanStd {
        &self.stats
    }

    /// The number of environment copies whose returns it follows.
    pub fn copies(&self) -> usize {
        self.returns.len()
    }

    /// Checks a normaliser read from a file against `copies` environments and discount
    /// `gamma`.
    pub(crate) fn check(&self, copies: usize, gamma: f64) -> Result<(), String> {
        self.stats.check(1)?;
        if self.returns.len() != copies || self.returns.iter().any(|g| !g.is_finite()) {
            return Err(format!(
                "returns of {} copies, the agent has {copies}",
                self.returns.len()
            ));
        }
        if self.gamma != gamma
            || !(self.clip > 0.0 && self.epsilon > 0.0 && self.epsilon.is_finite())
        {
            return Err("a discount, clip or epsilon other than the agent's".into());
        }
        Ok(())
    }

    /// Updates the statistics with one step of every copy (`rewards` and whether each
    /// copy's episode ended, `done`) and writes the scaled rewards into `out`. Rewards of
    /// another count than the copies are an [`AgentError::Length`]; a reward that
    /// is not finite an [`AgentError::NonFinite`]; either leaves the state as it was.
    pub fn normalize(
        &mut self,
        rewards: &[f32],
        done: &[bool],
        out: &mut Vec<f32>,
    ) -> Result<(), AgentError> {
        self.update(rewards, done)?;
        out.clear();
        out.extend(rewards.iter().map(|&r| self.scale(r)));
        Ok(())
    }

    /// Updates the statistics with one step of every copy, as
    /// [`normalize`](Self::normalize) does, without scaling anything: for agents that scale
    /// rewards later, when they replay them.
    pub fn update(&mut self, rewards: &[f32], done: &[bool]) -> Result<(), AgentError> {
        let copies = self.returns.len();
        if rewards.len() != copies || done.len() != copies {
            return Err(AgentError::Length {
                what: "rewards and episode ends, one per copy",
                expected: copies,
                actual: if rewards.len() == copies {
                    done.len()
                } else {
                    rewards.len()
                },
            });
        }
        if rewards.iter().any(|r| !r.is_finite()) {
            return Err(AgentError::NonFinite("a reward"));
        }
        let returns: Vec<f64> = self
            .returns
            .iter()
            .zip(rewards)
            .map(|(g, &r)| self.gamma * g + f64::from(r))
            .collect();
        self.stats.add_rows(copies, |_| returns.iter().copied());
        for ((g, new), &ended) in self.returns.iter_mut().zip(returns).zip(done) {
            *g = if ended { 0.0 } else { new };
        }
        Ok(())
    }

    /// `reward` divided by the current standard deviation of the return (plus 1e-8), clipped
    /// to ±10; the statistics do not change.
    pub fn scale(&self, reward: f32) -> f32 {
        let deviation = (self.stats.var()[0] + self.epsilon).sqrt();
        ((f64::from(reward) / deviation) as f32).clamp(-self.clip, self.clip)
    }

    /// Whether no step has been seen yet.
    pub(crate) fn is_fresh(&self) -> bool {
        self.stats.count() == PRIOR_COUNT && self.returns.iter().all(|&g| g == 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_merge_to_the_statistics_of_all_rows() {
        let rows: Vec<f32> = (0..60).map(|i| ((i * 37) % 17) as f32 - 4.0).collect();
        let mut whole = RunningMeanStd::new(3);
        whole.update(&rows).unwrap();
        let mut parts = RunningMeanStd::new(3);
        for chunk in rows.chunks(9) {
            parts.update(chunk).unwrap();
        }
        for j in 0..3 {
            let column: Vec<f64> = rows.iter().skip(j).step_by(3).map(|&v| v.into()).collect();
            let n = column.len() as f64;
            let mean = column.iter().sum::<f64>() / n;
            let var = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
            for stats in [&whole, &parts] {
                // The prior's 1e-4 rows move the figures by about 1e-5 of their size.
                assert!((stats.mean()[j] - mean).abs() < 1e-3, "{j}");
                assert!((stats.var()[j] - var).abs() < 1e-2 * var.max(1.0), "{j}");
            }
            assert!((whole.mean()[j] - parts.mean()[j]).abs() < 1e-9);
            assert!((whole.var()[j] - parts.var()[j]).abs() < 1e-9);
        }
        assert!((whole.count() - 20.0).abs() < 1e-3);
    }

    #[test]
    fn bad_rows_are_errors_that_change_nothing() {
        let mut stats = RunningMeanStd::new(2);
        let before = stats.clone();
        assert!(matches!(
            stats.update(&[1.0, 2.0, 3.0]),
            Err(AgentError::Length {
                expected: 2,
                actual: 3,
                ..
            })
        ));
        assert!(matches!(
            stats.update(&[1.0, f32::NAN]),
            Err(AgentError::NonFinite(_))
        ));
        assert_eq!(stats, before);
        let mut out = vec![1.0];
        assert!(
            stats
                .normalize_into(&[1.0, 2.0, 3.0], 1e-8, 10.0, &mut out)
                .is_err()
        );
        assert!(out.is_empty());
        assert!(
            RunningMeanStd::new(0)
                .normalize_into(&[1.0], 1e-8, 10.0, &mut out)
                .is_err()
        );
        let mut rewards = RewardNormalizer::new(2, 0.9);
        assert!(
            rewards
                .normalize(&[1.0], &[false, false], &mut out)
                .is_err()
        );
        assert_eq!(rewards, RewardNormalizer::new(2, 0.9));
    }

    #[test]
    fn returns_restart_when_an_episode_ends() {
        let mut rewards = RewardNormalizer::new(2, 0.5);
        let mut out = Vec::new();
        rewards
            .normalize(&[1.0, 1.0], &[false, true], &mut out)
            .unwrap();
        assert_eq!(rewards.returns, [1.0, 0.0]);
        rewards
            .normalize(&[1.0, 1.0], &[false, false], &mut out)
            .unwrap();
        assert_eq!(rewards.returns, [1.5, 1.0]);
        assert!(out.iter().all(|&r| r > 0.0));
    }
}
