//! Pendulum-v1 against Gymnasium 1.4.0, bit for bit: every public case is reset from its seed
//! (the seed-sequence words, the raw draws, the reset state and observation) and replayed step
//! by step (observation, reward, flags and state after every step); every row is also stepped
//! alone from its recorded state.

use cinder_rl::env::{
    Environment, GymRng, Pendulum, PendulumConfig, Snapshot, seed_sequence_words,
};
use cinder_rl::error::EnvError;

const CASES: &str = include_str!("data/classic/pendulum_public_cases.csv");
const STEPS: &str = include_str!("data/classic/pendulum_public.csv");

struct Case {
    id: usize,
    seed: u64,
    init: Option<[f64; 2]>,
    steps: usize,
    total_reward: f64,
    reset_state: [f64; 2],
    reset_observation: [f32; 3],
    seed_words: Vec<u64>,
    raw_draws: Vec<u64>,
}

struct Row {
    case: usize,
    t: usize,
    state: [f64; 2],
    action: f32,
    observation: [f32; 3],
    reward: f64,
    terminated: bool,
    truncated: bool,
    next_state: [f64; 2],
}

fn hex_words(field: &str) -> Vec<u64> {
    field
        .split_whitespace()
        .map(|w| u64::from_str_radix(w.trim_start_matches("0x"), 16).unwrap())
        .collect()
}

fn cases() -> Vec<Case> {
    CASES
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.splitn(19, ',').collect();
            let init = (!f[3].is_empty()).then(|| {
                let value = |key: &str| -> f64 {
                    f[3].split(';')
                        .find_map(|kv| kv.strip_prefix(key))
                        .unwrap()
                        .parse()
                        .unwrap()
                };
                [value("x_init="), value("y_init=")]
            });
            assert_eq!(f[12], "f64");
            Case {
                id: f[0].parse().unwrap(),
                seed: f[2].parse().unwrap(),
                init,
                steps: f[6].parse().unwrap(),
                total_reward: f[9].parse().unwrap(),
                reset_state: [f[10].parse().unwrap(), f[11].parse().unwrap()],
                reset_observation: [13, 14, 15].map(|i| f[i].parse().unwrap()),
                seed_words: hex_words(f[16]),
                raw_draws: hex_words(f[17]),
            }
        })
        .collect()
}

fn rows() -> Vec<Row> {
    STEPS
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!((f[4], f[14]), ("f64", "f64"));
            Row {
                case: f[0].parse().unwrap(),
                t: f[1].parse().unwrap(),
                state: [f[2].parse().unwrap(), f[3].parse().unwrap()],
                action: f[5].parse().unwrap(),
                observation: [6, 7, 8].map(|i| f[i].parse().unwrap()),
                reward: f[9].parse().unwrap(),
                terminated: f[10] == "1",
                truncated: f[11] == "1",
                next_state: [f[12].parse().unwrap(), f[13].parse().unwrap()],
            }
        })
        .collect()
}

fn bits32(values: [f32; 3]) -> [u32; 3] {
    values.map(f32::to_bits)
}

fn bits64(values: [f64; 2]) -> [u64; 2] {
    values.map(f64::to_bits)
}

fn env_for(case: &Case) -> Pendulum {
    let config = match case.init {
        Some([x, y]) => PendulumConfig::v1().with_init(x, y),
        None => PendulumConfig::v1(),
    };
    Pendulum::new(config).unwrap()
}

#[test]
fn resets_draw_what_numpy_draws() {
    for case in cases() {
        assert_eq!(
            seed_sequence_words(case.seed).to_vec(),
            case.seed_words,
            "case {}",
            case.id
        );
        let mut rng = GymRng::seeded(case.seed);
        let draws: Vec<u64> = case.raw_draws.iter().map(|_| rng.next_u64()).collect();
        assert_eq!(draws, case.raw_draws, "case {}", case.id);

        let mut env = env_for(&case);
        let observation = env.reset(Some(case.seed));
        assert_eq!(
            bits64(env.state()),
            bits64(case.reset_state),
            "case {}",
            case.id
        );
        assert_eq!(
            bits32(observation),
            bits32(case.reset_observation),
            "case {}",
            case.id
        );
    }
}

#[test]
fn every_public_case_replays_bit_for_bit_from_its_seed() {
    let rows = rows();
    let cases = cases();
    assert_eq!(cases.len(), 20);
    for case in &cases {
        let mut env = env_for(case);
        env.reset(Some(case.seed));
        let mut total = 0.0;
        let case_rows: Vec<&Row> = rows.iter().filter(|r| r.case == case.id).collect();
        assert_eq!(case_rows.len(), case.steps);
        for row in case_rows {
            assert_eq!(
                bits64(env.state()),
                bits64(row.state),
                "case {} t {}",
                case.id,
                row.t
            );
            let step = env.step([row.action]).unwrap();
            let at = format!("case {} t {}", case.id, row.t);
            assert_eq!(bits32(step.observation), bits32(row.observation), "{at}");
            assert_eq!(step.reward.to_bits(), row.reward.to_bits(), "{at}");
            assert_eq!(
                (step.terminated, step.truncated),
                (row.terminated, row.truncated),
                "{at}"
            );
            assert_eq!(bits64(env.state()), bits64(row.next_state), "{at}");
            total += step.reward;
        }
        assert_eq!(
            total.to_bits(),
            case.total_reward.to_bits(),
            "case {}",
            case.id
        );
        // Every case runs to the time limit, after which stepping is an error.
        assert!(matches!(env.step([0.0]), Err(EnvError::EpisodeEnded)));
    }
}

#[test]
fn every_row_steps_alone_from_its_recorded_state() {
    let mut env = Pendulum::new(PendulumConfig::v1().with_max_episode_steps(None)).unwrap();
    for row in rows() {
        env.set_state(row.state);
        let step = env.step([row.action]).unwrap();
        assert_eq!(
            bits32(step.observation),
            bits32(row.observation),
            "case {} t {}",
            row.case,
            row.t
        );
        assert_eq!(step.reward.to_bits(), row.reward.to_bits());
        assert_eq!(bits64(env.state()), bits64(row.next_state));
    }
}

#[test]
fn a_restored_snapshot_continues_identically() {
    let mut env = Pendulum::new(PendulumConfig::v1()).unwrap();
    env.reset(Some(3));
    for _ in 0..50 {
        env.step([1.0]).unwrap();
    }
    let saved = serde_json::to_string(&env.snapshot()).unwrap();
    let mut copy = Pendulum::new(PendulumConfig::v1()).unwrap();
    copy.restore(serde_json::from_str(&saved).unwrap()).unwrap();
    for i in 0..200 {
        let action = [((i % 9) as f32 - 4.0) * 0.5];
        match (env.step(action), copy.step(action)) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Err(_)) => {
                // Both reach the time limit together; both reset from their generators.
                assert_eq!(env.reset(None), copy.reset(None));
            }
            other => panic!("diverged: {other:?}"),
        }
    }
}

#[test]
fn bad_actions_and_settings_are_typed_errors() {
    let mut env = Pendulum::new(PendulumConfig::v1()).unwrap();
    assert!(matches!(env.step([0.0]), Err(EnvError::ResetNeeded)));
    env.reset(Some(0));
    assert!(matches!(
        env.step([f32::NAN]),
        Err(EnvError::NonFiniteAction { index: 0, .. })
    ));
    // Out of range is clipped, as in Gymnasium: 5 acts as 2.
    let mut other = env.clone();
    assert_eq!(
        env.step([5.0]).unwrap().observation,
        other.step([2.0]).unwrap().observation
    );
    assert_eq!(env.reward_threshold(), None);
    assert!(Pendulum::new(PendulumConfig::v1().with_g(f64::NAN)).is_err());
    assert!(Pendulum::new(PendulumConfig::v1().with_init(f64::INFINITY, 1.0)).is_err());
    assert!(Pendulum::new(PendulumConfig::v1().with_max_episode_steps(Some(0))).is_err());
}
