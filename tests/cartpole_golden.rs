//! CartPole against Gymnasium 1.4.0's recorded trajectories, bit for bit.

use cinder_rl::env::{AfterDone, CartPole, CartPoleConfig, Environment};
use cinder_rl::error::EnvError;

/// One recorded step: the state before, the action, and what Gymnasium returned.
#[derive(Debug)]
struct Row {
    case: u32,
    t: usize,
    state: [f64; 4],
    action: usize,
    next_state: [f64; 4],
    reward: f64,
    terminated: bool,
    truncated: bool,
}

fn load(name: &str) -> Vec<Row> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "case,t,x,x_dot,theta,theta_dot,action,next_x,next_x_dot,next_theta,next_theta_dot,reward,terminated,truncated"
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 14, "{line}");
            let num = |i: usize| f[i].parse::<f64>().unwrap();
            let flag = |i: usize| match f[i] {
                "0" => false,
                "1" => true,
                other => panic!("bad flag {other}"),
            };
            Row {
                case: f[0].parse().unwrap(),
                t: f[1].parse().unwrap(),
                state: [num(2), num(3), num(4), num(5)],
                action: f[6].parse().unwrap(),
                next_state: [num(7), num(8), num(9), num(10)],
                reward: num(11),
                terminated: flag(12),
                truncated: flag(13),
            }
        })
        .collect()
}

/// The rows of each case, in order.
fn cases(rows: &[Row]) -> Vec<&[Row]> {
    rows.chunk_by(|a, b| a.case == b.case).collect()
}

fn bits(state: [f64; 4]) -> [u64; 4] {
    state.map(f64::to_bits)
}

/// Steps every case from each recorded state and demands the recorded outcome exactly.
/// Returns the number of steps checked.
fn check_per_step(rows: &[Row], config: CartPoleConfig) -> usize {
    let mut checked = 0;
    for case in cases(rows) {
        let mut env = CartPole::new(config.clone()).unwrap();
        env.reset(Some(0));
        for (i, row) in case.iter().enumerate() {
            assert_eq!(row.t, i, "case {} rows out of order", row.case);
            env.set_state(row.state).unwrap();
            let step = env.step(row.action).unwrap();
            let at = format!("case {} t {}", row.case, row.t);
            assert_eq!(
                bits(env.state()),
                bits(row.next_state),
                "{at}: {:?}",
                env.state()
            );
            assert_eq!(step.observation, row.next_state.map(|v| v as f32), "{at}");
            assert_eq!(step.reward.to_bits(), row.reward.to_bits(), "{at}: reward");
            assert_eq!(step.terminated, row.terminated, "{at}: terminated");
            assert_eq!(step.truncated, row.truncated, "{at}: truncated");
            checked += 1;
        }
    }
    checked
}

/// Replays each case from its first state only (no state is re-imposed), demanding every
/// recorded state exactly: any last-bit difference would grow along the trajectory.
fn check_replay(rows: &[Row], config: CartPoleConfig) {
    for case in cases(rows) {
        let mut env = CartPole::new(config.clone()).unwrap();
        env.reset(None);
        env.set_state(case[0].state).unwrap();
        for row in case {
            assert_eq!(
                bits(env.state()),
                bits(row.state),
                "case {} t {}",
                row.case,
                row.t
            );
            let step = env.step(row.action).unwrap();
            assert_eq!(
                (step.terminated, step.truncated),
                (row.terminated, row.truncated)
            );
        }
        assert_eq!(bits(env.state()), bits(case.last().unwrap().next_state));
    }
}

#[test]
fn public_v1_cases_match_bit_for_bit() {
    let rows = load("cartpole_public.csv");
    assert_eq!(check_per_step(&rows, CartPoleConfig::v1()), 1701);
    check_replay(&rows, CartPoleConfig::v1());
    assert_eq!(cases(&rows).len(), 20);
}

/// The cases that start where `reset(seed=N)` does, as `(N, state)`: the description names the
/// seed and the columns `x0..theta_dot0` hold the state.
fn seeded_reset_cases() -> Vec<(u64, [f64; 4])> {
    let path = format!(
        "{}/tests/data/cartpole_public_cases.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let seed = line.split("reset(seed=").nth(1)?.split(')').next()?;
            let f: Vec<&str> = line.split(',').collect();
            let v = |i: usize| f[i].parse::<f64>().unwrap();
            Some((seed.parse().unwrap(), [v(2), v(3), v(4), v(5)]))
        })
        .collect()
}

#[test]
fn seeded_resets_start_where_gymnasium_does() {
    let cases = seeded_reset_cases();
    assert_eq!(
        cases.iter().map(|c| c.0).collect::<Vec<_>>(),
        [42, 123, 7, 5]
    );
    let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
    for (seed, state) in cases {
        let observation = env.reset(Some(seed));
        assert_eq!(bits(env.state()), bits(state), "reset(seed={seed})");
        assert_eq!(observation, state.map(|v| v as f32));
    }
}

#[test]
fn v0_truncates_at_200_bit_for_bit() {
    let rows = load("cartpole_v0_truncation.csv");
    assert_eq!(check_per_step(&rows, CartPoleConfig::v0()), 200);
    check_replay(&rows, CartPoleConfig::v0());
    let last = rows.last().unwrap();
    assert!(last.truncated && last.t == 199);
}

#[test]
fn stepping_after_termination_matches_gymnasium_when_asked_to() {
    let gymnasium = CartPoleConfig::v1().with_after_done(AfterDone::Continue);
    let rows = load("cartpole_after_termination.csv");
    assert_eq!(check_per_step(&rows, gymnasium.clone()), 30);
    check_replay(&rows, gymnasium.clone());
    let rows = load("cartpole_after_termination_sb.csv");
    let sutton_barto = gymnasium.with_sutton_barto_reward(true);
    assert_eq!(check_per_step(&rows, sutton_barto.clone()), 30);
    check_replay(&rows, sutton_barto);
}

#[test]
fn stepping_after_the_episode_ended_is_an_error_by_default() {
    let rows = load("cartpole_public.csv");
    // Case 3 terminates after 9 steps; case 15 is truncated at 500.
    for case in [3, 15] {
        let steps: Vec<&Row> = rows.iter().filter(|r| r.case == case).collect();
        let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
        env.reset(Some(0));
        env.set_state(steps[0].state).unwrap();
        for row in &steps {
            env.step(row.action).unwrap();
        }
        assert!(
            matches!(env.step(0), Err(EnvError::EpisodeEnded)),
            "case {case}"
        );
        env.reset(None);
        assert!(env.step(0).is_ok(), "reset starts a new episode");
    }
}

#[test]
fn continuing_after_truncation_keeps_reporting_truncated() {
    let rows = load("cartpole_public.csv");
    let steps: Vec<&Row> = rows.iter().filter(|r| r.case == 15).collect();
    let config = CartPoleConfig::v1().with_after_done(AfterDone::Continue);
    let mut env = CartPole::new(config).unwrap();
    env.reset(Some(0));
    env.set_state(steps[0].state).unwrap();
    for row in &steps {
        env.step(row.action).unwrap();
    }
    assert!(env.step(0).unwrap().truncated);
    assert_eq!(env.elapsed_steps(), 501);
}

#[test]
fn invalid_actions_and_missing_resets_are_errors() {
    let mut env = CartPole::new(CartPoleConfig::v1()).unwrap();
    assert!(matches!(env.step(0), Err(EnvError::ResetNeeded)));
    env.reset(Some(1));
    assert!(matches!(
        env.step(2),
        Err(EnvError::InvalidAction {
            action: 2,
            n_actions: 2
        })
    ));
    assert!(matches!(
        env.set_state([0.0, f64::NAN, 0.0, 0.0]),
        Err(EnvError::InvalidConfig { .. })
    ));
    assert!(
        env.step(1).is_ok(),
        "an invalid action does not end the episode"
    );
}

#[test]
fn observation_space_matches_gymnasium() {
    let env = CartPole::new(CartPoleConfig::v1()).unwrap();
    let cinder_rl::env::Space::Box(space) = env.observation_space() else {
        panic!("CartPole observations are a box");
    };
    assert_eq!(f64::from(space.high[0]), 4.800000190734863);
    assert_eq!(f64::from(space.high[2]), 0.41887903213500977);
    assert_eq!(space.high[1], f32::INFINITY);
    assert_eq!(f64::from(space.low[0]), -4.800000190734863);
    assert_eq!(env.action_space().n(), Some(2));
    assert_eq!(env.reward_threshold(), Some(475.0));
    assert_eq!(
        CartPole::new(CartPoleConfig::v0())
            .unwrap()
            .max_episode_steps(),
        Some(200)
    );
}
