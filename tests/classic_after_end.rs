//! After an episode ends, the classic-control environments refuse to step by default, and
//! with `AfterDone::Continue` step on as Gymnasium's do: the same dynamics, termination
//! judged again at every step, and the time limit reporting `truncated` at every step past it.

use cinder_rl::env::{
    Acrobot, AfterDone, ClassicConfig, Environment, MountainCar, MountainCarContinuous, Pendulum,
    PendulumConfig,
};
use cinder_rl::error::EnvError;

/// Steps `limited` (time limit `limit`, continuing after the end) and `unlimited` (no limit)
/// side by side from the same seed with the same actions for `steps` steps: every
/// observation, reward and `terminated` flag is equal bit for bit, and `limited` reports
/// `truncated` exactly from step `limit` on.
fn continues_like_gymnasium<E: Environment>(
    mut limited: E,
    mut unlimited: E,
    limit: usize,
    steps: usize,
    action: impl Fn(usize) -> E::Action,
) where
    E::Observation: AsRef<[f32]> + PartialEq + std::fmt::Debug,
{
    assert_eq!(limited.reset(Some(7)), unlimited.reset(Some(7)));
    for t in 1..=steps {
        let a = limited.step(action(t)).unwrap();
        let b = unlimited.step(action(t)).unwrap();
        assert_eq!(a.observation, b.observation, "step {t}");
        assert_eq!(a.reward.to_bits(), b.reward.to_bits(), "step {t}");
        assert_eq!(a.terminated, b.terminated, "step {t}");
        assert_eq!(a.truncated, t >= limit, "step {t}");
        assert!(!b.truncated);
    }
}

#[test]
fn every_classic_environment_steps_on_after_its_time_limit_when_asked() {
    let limit = 5;
    let classic = |config: ClassicConfig| config.with_after_done(AfterDone::Continue);
    let acrobot = |max| {
        Acrobot::new(classic(
            ClassicConfig::acrobot_v1().with_max_episode_steps(max),
        ))
        .unwrap()
    };
    continues_like_gymnasium(acrobot(Some(limit)), acrobot(None), limit, 12, |t| t % 3);
    let car = |max| {
        MountainCar::new(classic(
            ClassicConfig::mountain_car_v0().with_max_episode_steps(max),
        ))
        .unwrap()
    };
    continues_like_gymnasium(car(Some(limit)), car(None), limit, 12, |t| t % 3);
    let continuous = |max| {
        let config = ClassicConfig::mountain_car_continuous_v0().with_max_episode_steps(max);
        MountainCarContinuous::new(classic(config)).unwrap()
    };
    continues_like_gymnasium(continuous(Some(limit)), continuous(None), limit, 12, |t| {
        [t as f32 / 6.0 - 1.0]
    });
    let pendulum = |max| {
        let config = PendulumConfig::v1()
            .with_max_episode_steps(max)
            .with_after_done(AfterDone::Continue);
        Pendulum::new(config).unwrap()
    };
    continues_like_gymnasium(pendulum(Some(limit)), pendulum(None), limit, 12, |t| {
        [t as f32 / 3.0 - 2.0]
    });
}

#[test]
fn a_car_past_the_flag_terminates_again_at_every_step() {
    // Reset right of the goal: every step terminates, and stepping on is allowed.
    let config = ClassicConfig::mountain_car_v0()
        .with_reset_bounds(0.55, 0.55)
        .with_after_done(AfterDone::Continue);
    let mut car = MountainCar::new(config).unwrap();
    car.reset(Some(0));
    for _ in 0..3 {
        let step = car.step(2).unwrap();
        assert!(step.terminated && !step.truncated);
        assert_eq!(step.reward, -1.0);
    }
}

#[test]
fn by_default_a_step_after_the_end_is_an_error() {
    let mut pendulum = Pendulum::new(PendulumConfig::v1().with_max_episode_steps(Some(2))).unwrap();
    assert!(matches!(pendulum.step([0.0]), Err(EnvError::ResetNeeded)));
    pendulum.reset(Some(0));
    pendulum.step([0.0]).unwrap();
    assert!(pendulum.step([0.0]).unwrap().truncated);
    assert!(matches!(pendulum.step([0.0]), Err(EnvError::EpisodeEnded)));
    let config = ClassicConfig::mountain_car_v0().with_reset_bounds(0.55, 0.55);
    let mut car = MountainCar::new(config).unwrap();
    car.reset(Some(0));
    assert!(car.step(2).unwrap().terminated);
    assert!(matches!(car.step(2), Err(EnvError::EpisodeEnded)));
    // Continuing still needs a first reset.
    let mut fresh =
        Acrobot::new(ClassicConfig::acrobot_v1().with_after_done(AfterDone::Continue)).unwrap();
    assert!(matches!(fresh.step(0), Err(EnvError::ResetNeeded)));
}
