//! Time limit, episode statistics and reward scaling over CartPole.

use cinder_rl::env::{AfterDone, CartPole, CartPoleConfig, Environment, EnvironmentExt, TimeLimit};
use cinder_rl::error::EnvError;

fn unlimited() -> CartPole {
    CartPole::new(CartPoleConfig::v1().with_max_episode_steps(None)).unwrap()
}

/// Balances the pole: push towards the side it leans to (and falls towards).
fn controller(obs: &[f32; 4]) -> usize {
    usize::from(obs[2] + 0.5 * obs[3] > 0.0)
}

#[test]
fn time_limit_truncates_on_the_limit_step_and_then_refuses_to_step() {
    let mut env = unlimited().with_time_limit(30).unwrap();
    let mut obs = env.reset(Some(3));
    for t in 1..=30 {
        let step = env.step(controller(&obs)).unwrap();
        assert!(!step.terminated);
        assert_eq!(step.truncated, t == 30, "t {t}");
        obs = step.observation;
    }
    assert!(matches!(env.step(0), Err(EnvError::EpisodeEnded)));
    assert_eq!(env.max_episode_steps(), Some(30));
    env.reset(None);
    assert_eq!(env.elapsed_steps(), 0);

    let mut gymnasium = TimeLimit::new(unlimited(), 2)
        .unwrap()
        .with_after_done(AfterDone::Continue);
    gymnasium.reset(Some(0));
    let flags: Vec<bool> = (0..4)
        .map(|_| gymnasium.step(1).unwrap().truncated)
        .collect();
    assert_eq!(flags, [false, true, true, true]);
    assert!(matches!(
        unlimited().with_time_limit(0),
        Err(EnvError::InvalidConfig { .. })
    ));
}

#[test]
fn episode_statistics_record_returns_lengths_and_a_running_mean() {
    let mut env = unlimited()
        .with_time_limit(100)
        .unwrap()
        .with_episode_statistics(3)
        .unwrap();
    let mut lengths = Vec::new();
    for episode in 0..5u64 {
        let mut obs = env.reset(Some(episode));
        let mut length = 0;
        loop {
            // Balance for a while, then push left until the pole falls (or time runs out).
            let action = if length < 10 * episode as usize {
                controller(&obs)
            } else {
                0
            };
            let step = env.step(action).unwrap();
            length += 1;
            obs = step.observation;
            if step.done() {
                break;
            }
        }
        lengths.push(length);
        let last = env.last_episode().unwrap();
        assert_eq!(last.length, length);
        assert_eq!(last.episode_return, length as f64);
    }
    assert_eq!(env.episodes(), 5);
    let recent: Vec<usize> = env.recent_episodes().map(|e| e.length).collect();
    assert_eq!(recent, lengths[2..]);
    let mean = lengths[2..].iter().sum::<usize>() as f64 / 3.0;
    assert_eq!(env.mean_return(), Some(mean));
    assert_eq!(env.current_return(), 0.0);
}

#[test]
fn reward_scale_scales_rewards_and_the_threshold() {
    let mut env = CartPole::new(CartPoleConfig::v1())
        .unwrap()
        .with_reward_scale(0.01)
        .unwrap();
    env.reset(Some(0));
    assert_eq!(env.step(0).unwrap().reward, 0.01);
    assert_eq!(env.reward_threshold(), Some(4.75));
    assert_eq!(env.max_episode_steps(), Some(500));
    assert!(unlimited().with_reward_scale(f64::NAN).is_err());
}
