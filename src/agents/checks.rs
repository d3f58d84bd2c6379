//! Validation of the settings DQN and actor-critic share.

use crate::agent::VecTransitions;
use crate::agents::off_policy::TrainFrequency;
use crate::error::AgentError;
use crate::memory::ReplayKind;
use crate::policy::{AnySchedule, Schedule};

fn invalid(field: &'static str, reason: String) -> Result<(), AgentError> {
    Err(AgentError::InvalidConfig { field, reason })
}

/// A discount factor in [0, 1].
pub(crate) fn gamma(gamma: f64) -> Result<(), AgentError> {
    if (0.0..=1.0).contains(&gamma) {
        Ok(())
    } else {
        invalid("gamma", format!("must be in [0, 1], got {gamma}"))
    }
}

/// The largest learning rate an agent accepts: a larger one only makes the network diverge.
pub const MAX_LEARNING_RATE: f64 = 1.0;

/// A learning rate in (0, [`MAX_LEARNING_RATE`]], and a schedule (if any) that stays there.
pub(crate) fn learning_rate(rate: f64, schedule: Option<&AnySchedule>) -> Result<(), AgentError> {
    let valid = |rate: f64| rate > 0.0 && rate <= MAX_LEARNING_RATE;
    if !valid(rate) {
        return invalid(
            "learning_rate",
            format!("must be in (0, {MAX_LEARNING_RATE}], got {rate}"),
        );
    }
    if let Some(schedule) = schedule {
        for step in [0, u64::MAX] {
            let rate = schedule.value(step);
            if !valid(rate) {
                return invalid(
                    "learning_rate_schedule",
                    format!("must stay in (0, {MAX_LEARNING_RATE}], is {rate} at step {step}"),
                );
            }
        }
    }
    Ok(())
}

/// Positive clipping limits, where set.
pub(crate) fn gradient_clipping(
    max_grad_norm: Option<f32>,
    clip_grad_value: Option<f32>,
) -> Result<(), AgentError> {
    for (field, limit) in [
        ("max_grad_norm", max_grad_norm),
        ("clip_grad_value", clip_grad_value),
    ] {
        if let Some(v) = limit
            && !(v.is_finite() && v > 0.0)
        {
            return invalid(field, format!("must be positive, got {v}"));
        }
    }
    Ok(())
}

/// An on-policy rollout of `n_rollout` steps of `num_envs` copies, each in `1..=limit`.
pub(crate) fn rollout(
    n_rollout: usize,
    max_rollout: usize,
    num_envs: usize,
    max_envs: usize,
) -> Result<(), AgentError> {
    for (field, value, limit) in [
        ("n_rollout", n_rollout, max_rollout),
        ("num_envs", num_envs, max_envs),
    ] {
        if !(1..=limit).contains(&value) {
            return invalid(field, format!("must be in 1..={limit}, got {value}"));
        }
    }
    Ok(())
}

/// Loss weights that are finite and non-negative.
pub(crate) fn coefficients(coefficients: &[(&'static str, f64)]) -> Result<(), AgentError> {
    for &(field, coef) in coefficients {
        if !(coef.is_finite() && coef >= 0.0) {
            return invalid(
                field,
                format!("must be finite and non-negative, got {coef}"),
            );
        }
    }
    Ok(())
}

/// A finite reward scale.
pub(crate) fn reward_scale(scale: f64) -> Result<(), AgentError> {
    if scale.is_finite() {
        Ok(())
    } else {
        invalid("reward_scale", format!("must be finite, got {scale}"))
    }
}

/// An exploration schedule whose epsilon is a probability at its first and last step.
pub(crate) fn exploration<S: Schedule>(exploration: &S) -> Result<(), AgentError> {
    for step in [0, u64::MAX] {
        let epsilon = exploration.value(step);
        if !(0.0..=1.0).contains(&epsilon) {
            return invalid(
                "exploration",
                format!("epsilon must stay in [0, 1], is {epsilon} at step {step}"),
            );
        }
    }
    Ok(())
}

/// The number of copies of a step of N copies taken one by one (off-policy agents): its
/// actions, rewards and flags must agree in number (at least one), and its observations and
/// next observations hold that many rows of `obs_dim` values.
pub(crate) fn step_copies<A>(
    step: &VecTransitions<'_, A>,
    obs_dim: usize,
) -> Result<usize, AgentError> {
    let n = step.actions.len();
    let rows = [
        step.rewards.len(),
        step.terminated.len(),
        step.truncated.len(),
    ];
    if n == 0 || rows.iter().any(|&len| len != n) {
        return Err(AgentError::InvalidConfig {
            field: "step",
            reason: format!("{n} actions with {rows:?} rewards, terminated and truncated flags"),
        });
    }
    step_observations(step, n, obs_dim)?;
    Ok(n)
}

/// Checks that a step of `rows` copies holds `rows` whole observations and next observations.
pub(crate) fn step_observations<A>(
    step: &VecTransitions<'_, A>,
    rows: usize,
    obs_dim: usize,
) -> Result<(), AgentError> {
    let expected = rows * obs_dim;
    for observations in [step.observations, step.next_observations] {
        if observations.len() != expected {
            return Err(AgentError::ObservationLength {
                expected,
                actual: observations.len(),
            });
        }
    }
    Ok(())
}

/// The number of `obs_dim`-long rows in `observations`: at least one, and whole rows only.
pub(crate) fn observation_rows(observations: &[f32], obs_dim: usize) -> Result<usize, AgentError> {
    if observations.is_empty() || !observations.len().is_multiple_of(obs_dim) {
        return Err(AgentError::ObservationLength {
            expected: obs_dim,
            actual: observations.len(),
        });
    }
    Ok(observations.len() / obs_dim)
}

/// Returns over at least one step, and prioritized-replay settings in range.
pub(crate) fn returns_and_replay(n_step: usize, replay: &ReplayKind) -> Result<(), AgentError> {
    if n_step == 0 {
        return invalid("n_step", "must be at least 1".into());
    }
    if let ReplayKind::Prioritized(prioritized) = replay {
        prioritized.validate()?;
    }
    Ok(())
}

/// A replay memory of at least one transition that holds a batch and the transitions stored
/// before learning starts, and a train frequency of at least one step and one update.
pub(crate) fn replay(
    capacity: usize,
    batch_size: usize,
    learning_starts: usize,
    train_frequency: TrainFrequency,
) -> Result<(), AgentError> {
    if capacity == 0 {
        return invalid("replay_capacity", "must be at least 1".into());
    }
    if batch_size == 0 || batch_size > capacity {
        return invalid(
            "batch_size",
            format!("must be in 1..={capacity} (the replay capacity), got {batch_size}"),
        );
    }
    if learning_starts > capacity {
        return invalid(
            "learning_starts",
            format!("{learning_starts} exceeds the replay capacity {capacity}"),
        );
    }
    match train_frequency {
        TrainFrequency::EverySteps { every: 0, .. } => {
            invalid("train_frequency", "`every` must be at least 1".into())
        }
        TrainFrequency::EverySteps {
            gradient_steps: 0, ..
        }
        | TrainFrequency::AfterEpisode { gradient_steps: 0 } => invalid(
            "train_frequency",
            "`gradient_steps` must be at least 1".into(),
        ),
        // Every schedule is monotonic: its first value and its limit bound all the others.
        TrainFrequency::Ratio(ratio) => match [ratio.value(0), ratio.value(u64::MAX)] {
            [first, last] if first >= 0.0 && last >= 0.0 => Ok(()),
            [first, last] => invalid(
                "train_frequency",
                format!("the ratio must not be negative, goes from {first} to {last}"),
            ),
        },
        _ => Ok(()),
    }
}
