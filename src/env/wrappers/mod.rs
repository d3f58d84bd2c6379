//! Wrappers: environments that change another environment's behaviour and pass the rest
//! through.
//!
//! ```
//! use cinder_rl::env::{CartPole, CartPoleConfig, Environment, EnvironmentExt};
//!
//! # fn main() -> Result<(), cinder_rl::error::EnvError> {
//! let mut env = CartPole::new(CartPoleConfig::v1().with_max_episode_steps(None))?
//!     .with_time_limit(50)?
//!     .with_episode_statistics(100)?;
//! env.reset(Some(1));
//! while !env.step(0)?.done() {}
//! let episode = env.last_episode().unwrap();
//! assert_eq!(episode.episode_return, episode.length as f64);
//! # Ok(())
//! # }
//! ```

mod episode_statistics;
mod reward_scale;
mod time_limit;

pub use episode_statistics::{EpisodeStatistics, EpisodeSummary};
pub use reward_scale::RewardScale;
pub use time_limit::TimeLimit;

use super::Environment;
use crate::error::EnvError;

/// Builder-style wrapping, available on every [`Environment`].
pub trait EnvironmentExt: Environment + Sized {
    /// Truncates episodes after `max_episode_steps` steps; see [`TimeLimit`].
    fn with_time_limit(self, max_episode_steps: usize) -> Result<TimeLimit<Self>, EnvError> {
        TimeLimit::new(self, max_episode_steps)
    }

    /// Records each episode's return and length; see [`EpisodeStatistics`].
    fn with_episode_statistics(self, window: usize) -> Result<EpisodeStatistics<Self>, EnvError> {
        EpisodeStatistics::new(self, window)
    }

    /// Multiplies every reward by `scale`; see [`RewardScale`].
    fn with_reward_scale(self, scale: f64) -> Result<RewardScale<Self>, EnvError> {
        RewardScale::new(self, scale)
    }
}

impl<E: Environment> EnvironmentExt for E {}

/// Checks a setting that counts something and must be at least 1: zero is an
/// [`EnvError::InvalidConfig`] of `field`.
fn check_at_least_one(field: &'static str, value: usize) -> Result<(), EnvError> {
    if value == 0 {
        return Err(EnvError::InvalidConfig {
            field,
            reason: "must be at least 1".into(),
        });
    }
    Ok(())
}

/// Passes the trait's descriptive methods through to `self.inner`: the spaces and the reward
/// threshold, or only the spaces (`forward_spaces!(spaces)`) for a wrapper that changes the
/// threshold.
macro_rules! forward_spaces {
    () => {
        forward_spaces!(spaces);

        fn reward_threshold(&self) -> Option<f64> {
            self.inner.reward_threshold()
        }
    };
    (spaces) => {
        fn action_space(&self) -> $crate::env::Space {
            self.inner.action_space()
        }

        fn observation_space(&self) -> $crate::env::Space {
            self.inner.observation_space()
        }
    };
}
use forward_spaces;

/// Access to the `inner` environment of a wrapper.
macro_rules! inner_access {
    ($wrapper:ident) => {
        impl<E: $crate::env::Environment> $wrapper<E> {
            /// The wrapped environment.
            pub fn inner(&self) -> &E {
                &self.inner
            }

            /// The wrapped environment, mutably (to change its settings between episodes).
            pub fn inner_mut(&mut self) -> &mut E {
                &mut self.inner
            }

            /// Unwraps the environment.
            pub fn into_inner(self) -> E {
                self.inner
            }
        }
    };
}
use inner_access;

/// Wrappers draw what their inner environment draws.
macro_rules! forward_render {
    ($($wrapper:ident),*) => {$(
        impl<E: $crate::env::Environment + $crate::env::Render> $crate::env::Render for $wrapper<E> {
            fn render_into(&self, frame: &mut $crate::env::Frame) {
                self.inner().render_into(frame)
            }
        }
    )*};
}
forward_render!(TimeLimit, RewardScale, EpisodeStatistics);
