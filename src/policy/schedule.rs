//! Schedules: a value as a function of a step count.

use serde::{Deserialize, Serialize};

use crate::error::PolicyError;

/// A value that changes with a step count (environment steps or episodes: the user of the
/// schedule decides what it counts).
pub trait Schedule {
    /// The value at `step`.
    fn value(&self, step: u64) -> f64;
}

impl<S: Schedule + ?Sized> Schedule for Box<S> {
    fn value(&self, step: u64) -> f64 {
        (**self).value(step)
    }
}

impl<S: Schedule + ?Sized> Schedule for &S {
    fn value(&self, step: u64) -> f64 {
        (**self).value(step)
    }
}

fn finite(field: &'static str, value: f64) -> Result<f64, PolicyError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(PolicyError::InvalidSchedule {
            field,
            reason: format!("must be finite, got {value}"),
        })
    }
}

/// The same value at every step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constant {
    value: f64,
}

impl Constant {
    /// A constant schedule; a value that is not finite is a [`PolicyError::InvalidSchedule`].
    pub fn new(value: f64) -> Result<Self, PolicyError> {
        Ok(Self {
            value: finite("value", value)?,
        })
    }
}

impl Schedule for Constant {
    fn value(&self, _step: u64) -> f64 {
        self.value
    }
}

/// From `start` to `end` in a straight line over `duration` steps, then `end` forever.
///
/// ```
/// use cinder_rl::policy::{Linear, Schedule};
///
/// // The minimal DQN tutorial: 8% down to 1% over 1400 episodes.
/// let epsilon = Linear::new(0.08, 0.01, 1400)?;
/// assert_eq!(epsilon.value(0), 0.08);
/// assert!((epsilon.value(700) - 0.045).abs() < 1e-12);
/// assert_eq!(epsilon.value(5000), 0.01);
/// # Ok::<(), cinder_rl::error::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Linear {
    start: f64,
    end: f64,
    duration: u64,
}

impl Linear {
    /// A linear schedule (`duration` 0 gives `end` at once); a value that is not finite is a
    /// [`PolicyError::InvalidSchedule`].
    pub fn new(start: f64, end: f64, duration: u64) -> Result<Self, PolicyError> {
        Ok(Self {
            start: finite("start", start)?,
            end: finite("end", end)?,
            duration,
        })
    }
}

impl Linear {
    /// For presets whose values are known to be valid.
    pub(crate) const fn from_parts(start: f64, end: f64, duration: u64) -> Self {
        Self {
            start,
            end,
            duration,
        }
    }
}

impl Schedule for Linear {
    fn value(&self, step: u64) -> f64 {
        if step >= self.duration {
            return self.end;
        }
        let fraction = step as f64 / self.duration as f64;
        self.start + (self.end - self.start) * fraction
    }
}

/// `end + (start - end) * exp(-step / decay)`: the PyTorch DQN tutorial's 0.9 -> 0.05 with
/// decay 200.
///
/// ```
/// use cinder_rl::policy::{Exponential, Schedule};
///
/// let epsilon = Exponential::new(0.9, 0.05, 200.0)?;
/// assert_eq!(epsilon.value(0), 0.9);
/// assert!((epsilon.value(200) - (0.05 + 0.85 / std::f64::consts::E)).abs() < 1e-12);
/// # Ok::<(), cinder_rl::error::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exponential {
    start: f64,
    end: f64,
    decay: f64,
}

impl Exponential {
    /// An exponential decay; `decay` must be positive and every value finite, else a
    /// [`PolicyError::InvalidSchedule`].
    pub fn new(start: f64, end: f64, decay: f64) -> Result<Self, PolicyError> {
        if !(decay.is_finite() && decay > 0.0) {
            return Err(PolicyError::InvalidSchedule {
                field: "decay",
                reason: format!("must be positive and finite, got {decay}"),
            });
        }
        Ok(Self {
            start: finite("start", start)?,
            end: finite("end", end)?,
            decay,
        })
    }
}

impl Schedule for Exponential {
    fn value(&self, step: u64) -> f64 {
        self.end + (self.start - self.end) * (-(step as f64) / self.decay).exp()
    }
}

/// `scale / (step + 1)`: the brain/agent/environment tutorial's `0.5 / (episode + 1)`.
///
/// ```
/// use cinder_rl::policy::{Inverse, Schedule};
///
/// let epsilon = Inverse::new(0.5)?;
/// assert_eq!(epsilon.value(0), 0.5);
/// assert_eq!(epsilon.value(4), 0.1);
/// # Ok::<(), cinder_rl::error::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inverse {
    scale: f64,
}

impl Inverse {
    /// An inverse schedule; a scale that is not finite is a [`PolicyError::InvalidSchedule`].
    pub fn new(scale: f64) -> Result<Self, PolicyError> {
        Ok(Self {
            scale: finite("scale", scale)?,
        })
    }
}

impl Inverse {
    /// For presets whose values are known to be valid.
    pub(crate) const fn from_parts(scale: f64) -> Self {
        Self { scale }
    }
}

impl Schedule for Inverse {
    fn value(&self, step: u64) -> f64 {
        self.scale / (step as f64 + 1.0)
    }
}

/// Any of the crate's schedules, as one serializable type (what configurations hold).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum AnySchedule {
    /// See [`Constant`].
    Constant(Constant),
    /// See [`Linear`].
    Linear(Linear),
    /// See [`Exponential`].
    Exponential(Exponential),
    /// See [`Inverse`].
    Inverse(Inverse),
}

impl Schedule for AnySchedule {
    fn value(&self, step: u64) -> f64 {
        match self {
            AnySchedule::Constant(s) => s.value(step),
            AnySchedule::Linear(s) => s.value(step),
            AnySchedule::Exponential(s) => s.value(step),
            AnySchedule::Inverse(s) => s.value(step),
        }
    }
}

macro_rules! into_any {
    ($($kind:ident),*) => {$(
        impl From<$kind> for AnySchedule {
            fn from(schedule: $kind) -> Self {
                AnySchedule::$kind(schedule)
            }
        }
    )*};
}
into_any!(Constant, Linear, Exponential, Inverse);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_is_monotone_and_clamped() {
        let s = Linear::new(1.0, 0.0, 10).unwrap();
        let values: Vec<f64> = (0..15).map(|t| s.value(t)).collect();
        assert!(values.windows(2).all(|w| w[1] <= w[0]));
        assert_eq!(values[5], 0.5);
        assert_eq!(values[10], 0.0);
        assert_eq!(values[14], 0.0);
        assert_eq!(Linear::new(0.3, 0.1, 0).unwrap().value(0), 0.1);
    }

    #[test]
    fn exponential_approaches_its_end() {
        let s = Exponential::new(0.9, 0.05, 200.0).unwrap();
        assert!((s.value(10_000) - 0.05).abs() < 1e-12);
        assert!(s.value(100) < s.value(99));
    }

    #[test]
    fn invalid_parameters_are_typed_errors() {
        assert!(matches!(
            Exponential::new(0.9, 0.05, 0.0),
            Err(PolicyError::InvalidSchedule { field: "decay", .. })
        ));
        assert!(matches!(
            Linear::new(f64::NAN, 0.0, 3),
            Err(PolicyError::InvalidSchedule { field: "start", .. })
        ));
        assert!(Constant::new(f64::INFINITY).is_err());
        assert!(Inverse::new(f64::NAN).is_err());
    }

    #[test]
    fn any_schedule_dispatches() {
        let any: AnySchedule = Inverse::new(0.5).unwrap().into();
        assert_eq!(any.value(1), 0.25);
    }
}
