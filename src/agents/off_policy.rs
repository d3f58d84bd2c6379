//! What every off-policy agent does around its gradient update: store each transition in a
//! replay memory, count steps and episodes, decide when a round of updates is due, draw each
//! update's batch and hand the memory the TD errors it asks for. DQN is written on it; an
//! agent of continuous actions (SAC, TD3) supplies only its update.

use serde::{Deserialize, Serialize};

use super::n_step::NStepReturns;
use crate::env::Action;
use crate::error::AgentError;
use crate::memory::{Batch, ReplayMemory, Transition};
use crate::policy::{AnySchedule, Schedule};
use crate::rng::SeededRng;

/// When gradient updates happen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum TrainFrequency {
    /// `gradient_steps` updates every `every` environment steps (SB3's `train_freq` and
    /// `gradient_steps`).
    EverySteps {
        /// Environment steps between training rounds.
        every: u64,
        /// Gradient updates per round.
        gradient_steps: u32,
    },
    /// `gradient_steps` updates at the end of every episode (the minimal tutorial's 10).
    AfterEpisode {
        /// Gradient updates per episode.
        gradient_steps: u32,
    },
    /// Updates per environment step (the replay ratio) following a schedule of the
    /// environment step count `t`, so that learning can be fast while the memory is young and
    /// settle later. With `r` the schedule's value at `t`: `round(r)` updates after each step
    /// while `r >= 1`; below that, one update after each step whose count `t` is a multiple of
    /// `round(1 / r)`; none while `r` is 0. Values must not be negative.
    ///
    /// ```
    /// use cinder_rl::agents::DqnConfig;
    /// use cinder_rl::agents::dqn::TrainFrequency;
    /// use cinder_rl::policy::{AnySchedule, Linear};
    ///
    /// // Four updates per step at first, one every other step from step 10 000 on.
    /// let falling = AnySchedule::Linear(Linear::new(4.0, 0.5, 10_000)?);
    /// let config = DqnConfig::new().with_train_frequency(TrainFrequency::Ratio(falling));
    /// # Ok::<(), cinder_rl::error::PolicyError>(())
    /// ```
    Ratio(AnySchedule),
}

/// The replay memory, the sampling generator, the step and episode counts and the update
/// schedule of an off-policy agent.
pub(crate) struct OffPolicyCore<R> {
    pub memory: R,
    pub sample_rng: SeededRng,
    pub env_steps: u64,
    pub episodes: u64,
    /// Assembles n-step transitions before they are stored, when `n > 1`.
    pub n_step: Option<NStepReturns>,
    /// The environment copy whose transition is stored next (0 but in vectorized steps).
    pub copy: usize,
    batch: Batch,
    batch_size: usize,
    learning_starts: usize,
    train_frequency: TrainFrequency,
}

/// A batch drawn for one update, with room for its samples' TD errors when the memory wants
/// them; taken from the core and given back after the update (so that the update may borrow
/// the agent).
pub(crate) struct Sample {
    pub batch: Batch,
    pub td_errors: Option<Vec<f32>>,
}

impl<R: ReplayMemory> OffPolicyCore<R> {
    pub fn new(
        memory: R,
        sample_rng: SeededRng,
        batch_size: usize,
        learning_starts: usize,
        train_frequency: TrainFrequency,
    ) -> Self {
        Self {
            memory,
            sample_rng,
            env_steps: 0,
            episodes: 0,
            n_step: None,
            copy: 0,
            batch: Batch::default(),
            batch_size,
            learning_starts,
            train_frequency,
        }
    }

    /// Stores `n`-step transitions discounted by `gamma` instead of the transitions as they
    /// come, when `n > 1`. Zero steps, or more than one with a memory that does not store
    /// per-transition discounts, is an [`AgentError::InvalidConfig`].
    pub fn with_n_step(mut self, n: usize, gamma: f64) -> Result<Self, AgentError> {
        let invalid = |reason: &str| AgentError::InvalidConfig {
            field: "n_step",
            reason: reason.into(),
        };
        match n {
            0 => return Err(invalid("must be at least 1")),
            1 => self.n_step = None,
            _ if !self.memory.stores_discounts() => {
                return Err(invalid(
                    "returns over more than one step need a memory that stores each transition's discount",
                ));
            }
            _ => self.n_step = Some(NStepReturns::new(n, gamma)),
        }
        Ok(self)
    }

    /// Checks the n-step state read from a checkpoint (`None`: saved without n-step returns)
    /// against this core's.
    pub fn check_n_step(&self, saved: Option<&NStepReturns>, obs_dim: usize) -> Result<(), String> {
        match (&self.n_step, saved) {
            (None, None) => Ok(()),
            (Some(ours), Some(saved)) => saved.check(ours.n(), ours.gamma(), obs_dim),
            (Some(ours), None) => Err(format!(
                "saved with one-step returns, the agent learns {}-step returns",
                ours.n()
            )),
            (None, Some(saved)) => Err(format!(
                "saved with {}-step returns, the agent learns one-step returns",
                saved.n()
            )),
        }
    }

    /// Stores `transition` (or, with n-step returns, the n-step transitions it completes) and
    /// counts its step (and its episode, when it ended one). Returns whether it ended an
    /// episode.
    pub fn store<O: AsRef<[f32]>, A: Action>(
        &mut self,
        transition: &Transition<O, A>,
    ) -> Result<bool, AgentError> {
        match &mut self.n_step {
            None => self.memory.push(transition)?,
            Some(n_step) => n_step.push(self.copy, transition, &mut self.memory)?,
        }
        self.env_steps += 1;
        let episode_ended = transition.done();
        if episode_ended {
            self.episodes += 1;
        }
        Ok(episode_ended)
    }

    /// How many gradient updates are due after the transition just stored: none before the
    /// memory holds `learning_starts` transitions (and a batch), then as the train frequency
    /// says.
    pub fn due_updates(&self, episode_ended: bool) -> u32 {
        let ready = self.memory.len() >= self.learning_starts.max(self.batch_size);
        match self.train_frequency {
            TrainFrequency::EverySteps {
                every,
                gradient_steps,
            } if ready && self.env_steps.is_multiple_of(every) => gradient_steps,
            TrainFrequency::AfterEpisode { gradient_steps } if ready && episode_ended => {
                gradient_steps
            }
            TrainFrequency::Ratio(ratio) if ready => updates_at_ratio(ratio, self.env_steps),
            _ => 0,
        }
    }

    /// Draws the next update's batch (reusing the core's buffers).
    pub fn sample(&mut self) -> Result<Sample, AgentError> {
        let mut batch = std::mem::take(&mut self.batch);
        let drawn = self
            .memory
            .sample_into(self.batch_size, &mut self.sample_rng, &mut batch);
        let td_errors = self.memory.wants_td_errors().then(Vec::new);
        match drawn {
            Ok(()) => Ok(Sample { batch, td_errors }),
            Err(e) => {
                self.batch = batch;
                Err(e.into())
            }
        }
    }

    /// Takes back `sample`'s buffers after an update that failed, handing the memory nothing.
    pub fn give_back(&mut self, sample: Sample) {
        self.batch = sample.batch;
    }

    /// Takes back `sample` after its update, whose result is `loss`, handing the memory the
    /// samples' TD errors when it wants them; returns the loss.
    pub fn updated(
        &mut self,
        sample: Sample,
        loss: Result<f32, AgentError>,
    ) -> Result<f32, AgentError> {
        let loss = loss.and_then(|loss| match &sample.td_errors {
            Some(errors) => self
                .memory
                .update_priorities(&sample.batch.indices, errors)
                .map(|()| loss)
                .map_err(AgentError::from),
            None => Ok(loss),
        });
        self.batch = sample.batch;
        loss
    }
}

/// The updates due after environment step `t` at the replay ratio `ratio` (see
/// [`TrainFrequency::Ratio`]).
fn updates_at_ratio(ratio: AnySchedule, t: u64) -> u32 {
    let r = ratio.value(t);
    if r >= 1.0 {
        // `as` saturates: a ratio beyond u32 is u32::MAX updates.
        r.round() as u32
    } else if r > 0.0 {
        u32::from(t.is_multiple_of((1.0 / r).round() as u64))
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Constant, Linear};

    fn updates(ratio: AnySchedule, steps: std::ops::Range<u64>) -> Vec<u32> {
        steps.map(|t| updates_at_ratio(ratio, t)).collect()
    }

    #[test]
    fn a_ratio_gives_its_rounded_updates_per_step_or_an_update_every_rounded_inverse() {
        let constant = |r| AnySchedule::Constant(Constant::new(r).unwrap());
        assert_eq!(updates(constant(2.6), 1..4), [3, 3, 3]);
        assert_eq!(updates(constant(1.0), 1..4), [1, 1, 1]);
        assert_eq!(updates(constant(0.7), 1..4), [1, 1, 1]);
        assert_eq!(updates(constant(0.25), 1..9), [0, 0, 0, 1, 0, 0, 0, 1]);
        assert_eq!(updates(constant(0.3), 1..7), [0, 0, 1, 0, 0, 1]);
        assert_eq!(updates(constant(0.0), 0..4), [0, 0, 0, 0]);
        // 4 -> 0.5 over 8 steps: 4, 3.5625, 3.125, 2.6875, 2.25, 1.8125, 1.375, 0.9375, then 0.5.
        let falling = AnySchedule::Linear(Linear::new(4.0, 0.5, 8).unwrap());
        assert_eq!(
            updates(falling, 0..13),
            [4, 4, 3, 3, 2, 2, 1, 1, 1, 0, 1, 0, 1]
        );
    }
}
