//! Greedy evaluation.

use serde::Serialize;

use crate::agent::{Agent, Mode};
use crate::env::Environment;
use crate::error::Error;

/// The returns of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Each episode's return, in order.
    pub returns: Vec<f64>,
}

impl Evaluation {
    /// The mean return (0 for no episode).
    pub fn mean_return(&self) -> f64 {
        if self.returns.is_empty() {
            return 0.0;
        }
        self.returns.iter().sum::<f64>() / self.returns.len() as f64
    }
}

/// Runs `episodes` episodes with the agent exploiting (no exploration, no learning), the
/// first reset seeded with `seed`.
///
/// The environment needs a time limit (or episodes that always end): an episode is played
/// until it terminates or is truncated.
pub fn evaluate<E, A>(
    agent: &mut A,
    env: &mut E,
    episodes: usize,
    seed: u64,
) -> Result<Evaluation, Error>
where
    E: Environment,
    A: Agent<E::Observation, E::Action>,
{
    let mut returns = Vec::with_capacity(episodes.min(1024));
    for episode in 0..episodes {
        let mut observation = env.reset((episode == 0).then_some(seed));
        let mut episode_return = 0.0;
        loop {
            let action = agent.act(&observation, Mode::Exploit)?;
            let step = env.step(action)?;
            episode_return += step.reward;
            if step.done() {
                break;
            }
            observation = step.observation;
        }
        returns.push(episode_return);
    }
    Ok(Evaluation { returns })
}
