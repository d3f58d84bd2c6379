//! The vectorized environment: contiguous buffers, auto-reset that keeps the real final
//! observation, per-copy seeds.

use cinder_rl::env::{CartPole, CartPoleConfig, Environment, VecEnv};
use cinder_rl::error::EnvError;
use cinder_rl::rng::derive_seed;

fn cartpoles(n: usize) -> VecEnv<CartPole> {
    VecEnv::from_fn(n, |_| CartPole::new(CartPoleConfig::v1())).unwrap()
}

#[test]
fn each_copy_matches_a_single_environment_seeded_with_its_copy_seed() {
    let n = 4;
    let mut envs = cartpoles(n);
    let mut singles: Vec<CartPole> = (0..n)
        .map(|_| CartPole::new(CartPoleConfig::v1()).unwrap())
        .collect();
    let first = envs.reset(Some(99)).unwrap().to_vec();
    let mut current: Vec<[f32; 4]> = Vec::new();
    for (i, single) in singles.iter_mut().enumerate() {
        // Copy 0 takes the seed itself, as one environment would; the others derive theirs.
        let seed = if i == 0 {
            99
        } else {
            derive_seed(99, i as u64)
        };
        let obs = single.reset(Some(seed));
        assert_eq!(&first[i * 4..(i + 1) * 4], &obs[..]);
        current.push(obs);
    }
    // Copies get different starts.
    assert_ne!(&first[0..4], &first[4..8]);

    let mut episodes = 0;
    for t in 0..300 {
        let actions: Vec<usize> = (0..n).map(|i| (t / (i + 1)) % 2).collect();
        let step = envs.step(&actions).unwrap();
        for (i, single) in singles.iter_mut().enumerate() {
            let expected = single.step(actions[i]).unwrap();
            let row = i * 4..(i + 1) * 4;
            assert_eq!(
                &step.next_observations[row.clone()],
                &expected.observation[..],
                "t {t} copy {i}"
            );
            assert_eq!(step.rewards[i], expected.reward);
            assert_eq!(step.terminated[i], expected.terminated);
            assert_eq!(step.truncated[i], expected.truncated);
            if expected.done() {
                // The copy was reset with its own generator's next draw.
                let restart = single.reset(None);
                assert_eq!(&step.observations[row], &restart[..]);
                assert!(step.episodes.iter().any(|(copy, _)| *copy == i));
                episodes += 1;
            } else {
                assert_eq!(
                    &step.observations[row.clone()],
                    &step.next_observations[row]
                );
            }
        }
    }
    assert!(
        episodes > 10,
        "the open-loop actions end many episodes ({episodes})"
    );
}

#[test]
fn episode_summaries_add_up_the_rewards() {
    let mut envs = cartpoles(3);
    envs.reset(Some(1)).unwrap();
    let mut running = [0.0f64; 3];
    let mut checked = 0;
    for _ in 0..200 {
        let step = envs.step(&[0, 1, 0]).unwrap();
        for (sum, reward) in running.iter_mut().zip(step.rewards) {
            *sum += reward;
        }
        for (copy, summary) in step.episodes {
            assert_eq!(summary.episode_return, running[*copy]);
            assert_eq!(summary.length as f64, running[*copy]);
            assert!(summary.terminated);
            running[*copy] = 0.0;
            checked += 1;
        }
    }
    assert!(checked >= 20);
}

#[test]
fn misuse_is_a_typed_error() {
    assert!(matches!(
        VecEnv::<CartPole>::new(vec![]),
        Err(EnvError::InvalidConfig { .. })
    ));
    let mut envs = cartpoles(2);
    assert!(matches!(envs.step(&[0, 0]), Err(EnvError::ResetNeeded)));
    envs.reset(Some(0)).unwrap();
    assert!(matches!(
        envs.step(&[0]),
        Err(EnvError::ActionCount {
            expected: 2,
            actual: 1
        })
    ));
    assert!(matches!(
        envs.step(&[0, 5]),
        Err(EnvError::InvalidAction { action: 5, .. })
    ));
    // After a failed step the copies may be out of step with each other: reset first.
    assert!(matches!(envs.step(&[0, 0]), Err(EnvError::ResetNeeded)));
    envs.reset(None).unwrap();
    assert!(envs.step(&[0, 0]).is_ok());
}
