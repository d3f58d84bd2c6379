//! What SAC and TD3 share around their updates: actions in a bounded box, rescaled from the
//! actor's `[-1, 1]` units; uniformly random actions until learning starts; raw experience in
//! a replay memory, normalised when replayed; the rounds of gradient updates the off-policy
//! core schedules, and the means of what they measured.

mod core;
mod learner;
mod networks;
#[cfg(test)]
pub(crate) mod test_nets;

pub(crate) use core::{ContinuousCore, CoreProgress, CoreSettings};
pub(crate) use learner::{
    ContinuousLearner, UpdateReport, act, act_one, decode, learn, observe, observe_batch,
};
pub(crate) use networks::{actor_output, mlp_networks, replay_memory};
