//! Greedy, epsilon-greedy, categorical and random policies with the crate's schedules.

use cinder_rl::error::PolicyError;
use cinder_rl::policy::{
    ActionProbabilities, ActionValues, Categorical, Constant, EpsilonGreedy, Exponential, Greedy,
    Inverse, Linear, Policy, RandomPolicy, Schedule,
};

/// Q-values from a fixed table indexed by a one-number observation.
struct Table(Vec<[f32; 3]>);

impl ActionValues<usize> for Table {
    fn n_actions(&self) -> usize {
        3
    }
    fn greedy_action(&self, state: &usize) -> Result<usize, PolicyError> {
        cinder_rl::policy::argmax(&self.0[*state])
            .ok_or_else(|| PolicyError::Source("NaN value".into()))
    }
}

fn table() -> Table {
    Table(vec![[0.0, 1.0, 0.5], [2.0, -1.0, 0.0], [0.0, 0.0, 3.0]])
}

/// How often each action is taken over `n` draws in state 0.
fn frequencies(policy: &mut impl Policy<usize>, n: usize) -> [f64; 3] {
    let mut counts = [0usize; 3];
    for _ in 0..n {
        counts[policy.act(&0).unwrap()] += 1;
    }
    counts.map(|c| c as f64 / n as f64)
}

#[test]
fn greedy_takes_the_best_action_in_every_state() {
    let mut greedy = Greedy::new(table());
    let actions: Vec<usize> = (0..3).map(|s| greedy.act(&s).unwrap()).collect();
    assert_eq!(actions, [1, 0, 2]);
    assert!(
        Greedy::new(Table(vec![[f32::NAN, 0.0, 0.0]]))
            .act(&0)
            .is_err()
    );
}

#[test]
fn epsilon_greedy_explores_at_the_scheduled_rate() {
    // epsilon 0.3: the greedy action 1 gets 0.7 + 0.3/3 = 0.8, the others 0.1 each.
    let mut policy = EpsilonGreedy::new(table(), Constant::new(0.3).unwrap(), 42);
    let f = frequencies(&mut policy, 60_000);
    assert!((f[1] - 0.8).abs() < 0.01, "{f:?}");
    assert!(
        (f[0] - 0.1).abs() < 0.01 && (f[2] - 0.1).abs() < 0.01,
        "{f:?}"
    );

    // The schedule is read at the step the owner sets.
    let mut annealed = EpsilonGreedy::new(table(), Linear::new(1.0, 0.0, 1000).unwrap(), 42);
    annealed.set_step(1000);
    assert_eq!(annealed.epsilon(), 0.0);
    assert_eq!(frequencies(&mut annealed, 1000), [0.0, 1.0, 0.0]);
    annealed.set_step(0);
    let f = frequencies(&mut annealed, 30_000);
    assert!(f.iter().all(|p| (p - 1.0 / 3.0).abs() < 0.015), "{f:?}");
}

#[test]
fn epsilon_greedy_is_reproducible_and_rejects_bad_rates() {
    let draws = |seed| {
        let mut p = EpsilonGreedy::new(table(), Constant::new(0.5).unwrap(), seed);
        (0..50).map(|_| p.act(&0).unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(draws(3), draws(3));
    assert_ne!(draws(3), draws(4));
    let mut bad = EpsilonGreedy::new(table(), Constant::new(1.5).unwrap(), 0);
    assert_eq!(bad.act(&0), Err(PolicyError::InvalidProbability(1.5)));
}

#[test]
fn tutorial_schedules_have_the_tutorials_values() {
    // max(0.01, 0.08 - 0.01 * (episode / 200))
    let linear = Linear::new(0.08, 0.01, 1400).unwrap();
    for episode in [0u64, 1, 20, 200, 777, 1399, 1400, 5000] {
        let tutorial = f64::max(0.01, 0.08 - 0.01 * (episode as f64 / 200.0));
        assert!(
            (linear.value(episode) - tutorial).abs() < 1e-15,
            "episode {episode}"
        );
    }
    // EPS_END + (EPS_START - EPS_END) * exp(-steps_done / EPS_DECAY)
    let exponential = Exponential::new(0.9, 0.05, 200.0).unwrap();
    for step in [0u64, 1, 200, 1000] {
        let tutorial = 0.05 + (0.9 - 0.05) * (-(step as f64) / 200.0).exp();
        assert_eq!(exponential.value(step), tutorial);
    }
    // 0.5 * (1 / (episode + 1))
    let inverse = Inverse::new(0.5).unwrap();
    for episode in [0u64, 1, 9, 99] {
        assert_eq!(inverse.value(episode), 0.5 * (1.0 / (episode as f64 + 1.0)));
    }
}

struct Fixed(Vec<f32>);

impl ActionProbabilities<usize> for Fixed {
    fn probabilities(&self, _: &usize, out: &mut Vec<f32>) -> Result<(), PolicyError> {
        out.clear();
        out.extend_from_slice(&self.0);
        Ok(())
    }
}

#[test]
fn categorical_samples_its_distribution() {
    let mut policy = Categorical::new(Fixed(vec![0.5, 0.2, 0.3]), 9);
    let f = frequencies(&mut policy, 60_000);
    for (p, q) in f.iter().zip([0.5, 0.2, 0.3]) {
        assert!((p - q).abs() < 0.01, "{f:?}");
    }
    let mut broken = Categorical::new(Fixed(vec![0.5, f32::NAN, 0.5]), 0);
    assert!(matches!(
        broken.act(&0),
        Err(PolicyError::InvalidDistribution(_))
    ));
    let mut zero = Categorical::new(Fixed(vec![0.0, 0.0]), 0);
    assert!(matches!(
        zero.act(&0),
        Err(PolicyError::InvalidDistribution(_))
    ));
}

#[test]
fn random_policy_is_uniform() {
    let mut policy = RandomPolicy::new(3, 1).unwrap();
    let f = frequencies(&mut policy, 60_000);
    assert!(f.iter().all(|p| (p - 1.0 / 3.0).abs() < 0.01), "{f:?}");
    assert_eq!(RandomPolicy::new(0, 1).unwrap_err(), PolicyError::NoActions);
}
