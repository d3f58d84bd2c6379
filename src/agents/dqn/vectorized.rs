//! DQN over N environment copies.

use super::Dqn;
use crate::agent::{Agent, Learned, Mode, VecAgent, VecTransitions};
use crate::agents::checks;
use crate::error::AgentError;
use crate::memory::{ReplayMemory, Transition};
use crate::nn::QNetwork;
use crate::policy::Schedule;

/// DQN over N environment copies: one forward pass chooses the actions of all copies, and
/// each copy's step is one environment step, taken in copy order exactly as
/// [`Agent::observe`] takes it (it counts towards the train frequency, the target schedule
/// and the exploration schedule), so one copy gives the numbers of the single-environment
/// loop. The update ratio is the train frequency's: `gradient_steps` updates every `every`
/// environment steps of all copies together (SB3's `train_freq` counts steps of the vector
/// instead: `every = train_freq * n_envs` reproduces it).
impl<M: QNetwork, R: ReplayMemory, S: Schedule> VecAgent for Dqn<M, R, S> {
    fn act_batch(
        &mut self,
        observations: &[f32],
        mode: Mode,
        actions: &mut Vec<usize>,
    ) -> Result<(), AgentError> {
        checks::observation_rows(observations, self.obs_dim)?;
        actions.clear();
        // One forward pass for all copies; then each copy's epsilon draw, in copy order, as
        // `act` draws it.
        let greedy = self.explorer.values().greedy_actions(observations)?;
        for action in greedy {
            actions.push(match mode {
                Mode::Exploit => action,
                Mode::Explore => self.explorer.explore(self.n_actions)?.unwrap_or(action),
            });
        }
        Ok(())
    }

    /// A step whose fields disagree in length is an error before anything is stored; an
    /// invalid action stops at its copy, after the copies before it were taken in.
    fn observe_batch(&mut self, step: &VecTransitions<'_>) -> Result<Learned, AgentError> {
        let d = self.obs_dim;
        let n = checks::step_copies(step, d)?;
        let observe_copy = |agent: &mut Self, i: usize| {
            Agent::<&[f32]>::observe(
                agent,
                &Transition {
                    observation: &step.observations[i * d..(i + 1) * d],
                    action: step.actions[i],
                    reward: step.rewards[i],
                    next_observation: &step.next_observations[i * d..(i + 1) * d],
                    terminated: step.terminated[i],
                    truncated: step.truncated[i],
                },
            )
        };
        if n == 1 {
            // The single-environment report, bit for bit.
            return observe_copy(self, 0);
        }
        let (mut learned, mut loss_sum) = (Learned::default(), 0.0);
        // The copies' observations and rewards join the normalisation statistics together,
        // once all are stored.
        self.normalization.check_step(step.observations, n)?;
        self.observing_copies = true;
        let mut outcome = Ok(());
        for i in 0..n {
            self.core.copy = i;
            match observe_copy(self, i) {
                Ok(copy) => {
                    learned.updates += copy.updates;
                    loss_sum += copy.loss.unwrap_or(0.0) * copy.updates as f32;
                    learned.epsilon = copy.epsilon;
                }
                Err(error) => {
                    outcome = Err(error);
                    break;
                }
            }
        }
        self.observing_copies = false;
        self.core.copy = 0;
        outcome?;
        self.observe_statistics(step.observations, step.rewards, &step.episode_ends())?;
        learned.loss = (learned.updates > 0).then(|| loss_sum / learned.updates as f32);
        Ok(learned)
    }
}
