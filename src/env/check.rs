//! The environment checker: what an [`Environment`] of yours must do for the crate's agents,
//! memories and checkpoints to be right on it, in the spirit of Gymnasium's `check_env`.

use super::{Action, ActionRef, Environment, Snapshot, Space, Step};
use crate::error::EnvError;
use crate::rng::seeded;
use rand::RngExt;

/// Steps each check takes.
const STEPS: usize = 300;

/// Runs every check on environments from `make` (each check takes a fresh one), returning the
/// first that fails as an [`EnvError::CheckFailed`] naming the check:
///
/// - `step before reset`: stepping a fresh environment is an error;
/// - `seeded reset`: `reset(Some(s))` gives the same observation every time, also on another
///   copy, and different seeds give different episodes;
/// - `observation space`: every observation has the space's length and lies in its bounds;
/// - `time limit`: no episode runs past `max_episode_steps`, and one that reaches it is
///   truncated (or terminated);
/// - `invalid action`: an index outside a discrete space, or a NaN in a box, is an error;
/// - `snapshot`: a restored snapshot continues exactly as the original does.
///
/// Actions are drawn uniformly from the action space, seeded.
///
/// ```
/// use cinder_rl::env::{CartPole, CartPoleConfig, Pendulum, PendulumConfig, check_env};
///
/// check_env(|| CartPole::new(CartPoleConfig::v1()).unwrap())?;
/// check_env(|| Pendulum::new(PendulumConfig::v1()).unwrap())?;
/// # Ok::<(), cinder_rl::error::EnvError>(())
/// ```
pub fn check_env<E>(mut make: impl FnMut() -> E) -> Result<(), EnvError>
where
    E: Snapshot,
    E::Observation: AsRef<[f32]> + Clone,
    E::Action: Action,
{
    step_before_reset(make())?;
    seeded_reset(&mut make)?;
    observation_space(make())?;
    time_limit(make())?;
    invalid_action(make())?;
    snapshot(make())
}

fn fail(check: &'static str, reason: impl Into<String>) -> EnvError {
    EnvError::CheckFailed {
        check,
        reason: reason.into(),
    }
}

/// A uniformly random action of `space`, from `rng`.
fn random_action<A: Action>(space: &Space, rng: &mut crate::rng::SeededRng) -> Result<A, EnvError> {
    let action = match space {
        Space::Discrete(d) => A::decode(ActionRef::Index(rng.random_range(0..d.n.max(1)))),
        Space::Box(b) => {
            let values: Vec<f32> = b
                .low
                .iter()
                .zip(&b.high)
                .map(|(&lo, &hi)| {
                    let (lo, hi) = (lo.max(-1e3), hi.min(1e3));
                    lo + (hi - lo) * rng.random::<f32>()
                })
                .collect();
            A::decode(ActionRef::Values(&values))
        }
    };
    action.ok_or_else(|| {
        fail(
            "action space",
            "the action type does not fit the action space",
        )
    })
}

fn bits<O: AsRef<[f32]>>(observation: &O) -> Vec<u32> {
    observation.as_ref().iter().map(|v| v.to_bits()).collect()
}

fn step_before_reset<E: Environment>(mut env: E) -> Result<(), EnvError>
where
    E::Action: Action,
{
    let action = random_action(&env.action_space(), &mut seeded(0))?;
    match env.step(action) {
        Err(_) => Ok(()),
        Ok(_) => Err(fail(
            "step before reset",
            "a step before the first reset succeeded",
        )),
    }
}

fn seeded_reset<E: Environment>(make: &mut impl FnMut() -> E) -> Result<(), EnvError>
where
    E::Observation: AsRef<[f32]>,
{
    let (mut a, mut b) = (make(), make());
    for seed in 7..12 {
        let first = bits(&a.reset(Some(seed)));
        if bits(&a.reset(Some(seed))) != first || bits(&b.reset(Some(seed))) != first {
            return Err(fail(
                "seeded reset",
                format!("reset(Some({seed})) gave different observations"),
            ));
        }
    }
    let first = bits(&a.reset(Some(7)));
    let differ = (8..18).any(|seed| bits(&a.reset(Some(seed))) != first);
    if !differ {
        return Err(fail(
            "seeded reset",
            "ten other seeds all gave seed 7's first observation",
        ));
    }
    Ok(())
}

/// `STEPS` random steps from `reset(Some(seed))`, resetting when an episode ends; `visit`
/// sees every observation and every step with the episode's length so far.
fn roll<E: Environment>(
    env: &mut E,
    seed: u64,
    mut visit: impl FnMut(Option<&Step<E::Observation>>, &E::Observation, usize) -> Result<(), EnvError>,
) -> Result<(), EnvError>
where
    E::Action: Action,
{
    let mut rng = seeded(seed);
    visit(None, &env.reset(Some(seed)), 0)?;
    let mut length = 0;
    for _ in 0..STEPS {
        let step = env.step(random_action(&env.action_space(), &mut rng)?)?;
        length += 1;
        visit(Some(&step), &step.observation, length)?;
        if step.done() {
            length = 0;
            visit(None, &env.reset(None), 0)?;
        }
    }
    Ok(())
}

fn observation_space<E: Environment>(mut env: E) -> Result<(), EnvError>
where
    E::Observation: AsRef<[f32]>,
    E::Action: Action,
{
    let space = env.observation_space();
    roll(&mut env, 1, |_, observation, _| {
        let values = observation.as_ref();
        let inside = match &space {
            Space::Box(b) => b.contains(values),
            Space::Discrete(_) => true,
        };
        if inside {
            Ok(())
        } else {
            Err(fail(
                "observation space",
                format!("{values:?} is outside {space:?}"),
            ))
        }
    })
}

fn time_limit<E: Environment>(mut env: E) -> Result<(), EnvError>
where
    E::Action: Action,
{
    let Some(limit) = env.max_episode_steps() else {
        return Ok(());
    };
    roll(&mut env, 2, |step, _, length| match step {
        Some(_) if length > limit => Err(fail(
            "time limit",
            format!("an episode ran {length} steps, past its limit of {limit}"),
        )),
        Some(step) if length == limit && !step.done() => Err(fail(
            "time limit",
            format!("step {limit} of an episode with that limit was not truncated"),
        )),
        _ => Ok(()),
    })
}

fn invalid_action<E: Environment>(mut env: E) -> Result<(), EnvError>
where
    E::Action: Action,
{
    env.reset(Some(3));
    let invalid = match env.action_space() {
        Space::Discrete(d) => E::Action::decode(ActionRef::Index(d.n)),
        Space::Box(b) => E::Action::decode(ActionRef::Values(&vec![f32::NAN; b.flat_dim()])),
    };
    let Some(invalid) = invalid else {
        return Err(fail(
            "action space",
            "the action type does not fit the action space",
        ));
    };
    match env.step(invalid) {
        Err(_) => Ok(()),
        Ok(_) => Err(fail(
            "invalid action",
            "an action outside the action space was taken",
        )),
    }
}

fn snapshot<E: Snapshot>(mut env: E) -> Result<(), EnvError>
where
    E::Observation: AsRef<[f32]> + Clone,
    E::Action: Action,
{
    let space = env.action_space();
    let mut rng = seeded(4);
    env.reset(Some(4));
    for _ in 0..5 {
        if env.step(random_action(&space, &mut rng)?)?.done() {
            env.reset(None);
        }
    }
    let saved = env.snapshot();
    let replay =
        |env: &mut E, rng: &mut crate::rng::SeededRng| -> Result<Vec<(Vec<u32>, u64)>, EnvError> {
            let mut trace = Vec::new();
            for _ in 0..STEPS {
                let step = env.step(random_action(&space, rng)?)?;
                trace.push((bits(&step.observation), step.reward.to_bits()));
                if step.done() {
                    trace.push((bits(&env.reset(None)), 0));
                }
            }
            Ok(trace)
        };
    let original = replay(&mut env, &mut rng.clone())?;
    env.restore(saved)?;
    if replay(&mut env, &mut rng)? != original {
        return Err(fail(
            "snapshot",
            "a restored snapshot continued differently",
        ));
    }
    Ok(())
}
