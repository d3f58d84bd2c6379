//! The environment registry: Gymnasium's ids, specs, environments that behave exactly as the
//! typed ones, user registrations and the errors of each misuse.

use cinder_rl::env::{
    Acrobot, Action, ActionShape, AnyEnv, AnySnapshot, CartPole, CartPoleConfig, ClassicConfig,
    Environment, MadeEnv, MountainCar, MountainCarContinuous, Pendulum, PendulumConfig, Registry,
    Render, Snapshot, Space, Step, check_env,
};
use cinder_rl::error::EnvError;
use cinder_rl::rng::{SeededRng as Rng, seeded};
use rand::RngExt;

#[test]
fn the_builtin_ids_have_gymnasiums_specs() {
    let registry = Registry::new();
    let ids: Vec<&str> = registry.ids().collect();
    assert_eq!(
        ids,
        [
            "Acrobot-v1",
            "CartPole-v0",
            "CartPole-v1",
            "MountainCar-v0",
            "MountainCarContinuous-v0",
            "Pendulum-v1"
        ]
    );
    // (id, action shape, observation values, reward threshold, time limit)
    let expected = [
        ("Acrobot-v1", ActionShape::Discrete, 6, Some(-100.0), 500),
        ("CartPole-v0", ActionShape::Discrete, 4, Some(195.0), 200),
        ("CartPole-v1", ActionShape::Discrete, 4, Some(475.0), 500),
        (
            "MountainCar-v0",
            ActionShape::Discrete,
            2,
            Some(-110.0),
            200,
        ),
        (
            "MountainCarContinuous-v0",
            ActionShape::Continuous { dim: 1 },
            2,
            Some(90.0),
            999,
        ),
        (
            "Pendulum-v1",
            ActionShape::Continuous { dim: 1 },
            3,
            None,
            200,
        ),
    ];
    for (id, action, observation_dim, threshold, limit) in expected {
        let spec = registry.spec(id).unwrap();
        assert_eq!(spec.id, id);
        assert_eq!(spec.action_space.action_shape(), action, "{id}");
        assert_eq!(spec.observation_space.flat_dim(), observation_dim, "{id}");
        assert_eq!(spec.reward_threshold, threshold, "{id}");
        assert_eq!(spec.max_episode_steps, Some(limit), "{id}");
        let made = registry.make(id).unwrap();
        let made_action = match &made {
            MadeEnv::Discrete(env) => env.action_space().action_shape(),
            MadeEnv::Continuous(env) => env.action_space().action_shape(),
        };
        assert_eq!(made_action, action, "{id}");
    }
    assert!(registry.ids().all(|id| registry.spec(id).unwrap().renders));
    // A made environment draws what the typed one draws, at its own screen size.
    let MadeEnv::Continuous(mut made) = registry.make("Pendulum-v1").unwrap() else {
        panic!("Pendulum-v1 has a box of actions")
    };
    let mut typed = Pendulum::new(PendulumConfig::v1()).unwrap();
    made.reset(Some(4));
    typed.reset(Some(4));
    made.step(vec![1.0]).unwrap();
    typed.step([1.0]).unwrap();
    assert_eq!(made.screen_size(), (500, 500));
    assert_eq!(
        made.render(500, 500).unwrap(),
        typed.render(500, 500).unwrap()
    );
}

/// Steps `made` and `typed` side by side with the same seeded random actions for `steps`
/// steps (resetting both when an episode ends) and checks that every observation, reward and
/// flag is equal bit for bit.
fn same_run<E, A>(mut made: AnyEnv<A>, mut typed: E, steps: usize, action: impl Fn(&mut Rng) -> A)
where
    E: Environment,
    E::Observation: AsRef<[f32]>,
    E::Action: Action,
    A: Action,
{
    let mut rng = seeded(11);
    let bits = |o: &[f32]| o.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&made.reset(Some(5))),
        bits(typed.reset(Some(5)).as_ref())
    );
    for t in 0..steps {
        let a = action(&mut rng);
        let typed_action = E::Action::decode(a.encode()).unwrap();
        let m = made.step(a).unwrap();
        let s = typed.step(typed_action).unwrap();
        assert_eq!(
            bits(&m.observation),
            bits(s.observation.as_ref()),
            "step {t}"
        );
        assert_eq!(m.reward.to_bits(), s.reward.to_bits(), "step {t}");
        assert_eq!((m.terminated, m.truncated), (s.terminated, s.truncated));
        if m.done() {
            assert_eq!(made.reset(None), typed.reset(None).as_ref());
        }
    }
}

#[test]
fn made_environments_are_the_typed_ones_bit_for_bit() {
    let registry = Registry::new();
    let discrete =
        |n: usize| move |rng: &mut rand::rngs::Xoshiro256PlusPlus| rng.random_range(0..n);
    let torque = |rng: &mut rand::rngs::Xoshiro256PlusPlus| vec![rng.random_range(-3.0..3.0f32)];
    same_run(
        registry.make_discrete("CartPole-v1").unwrap(),
        CartPole::new(CartPoleConfig::v1()).unwrap(),
        1_000,
        discrete(2),
    );
    same_run(
        registry.make_discrete("Acrobot-v1").unwrap(),
        Acrobot::new(ClassicConfig::acrobot_v1()).unwrap(),
        1_100,
        discrete(3),
    );
    same_run(
        registry.make_discrete("MountainCar-v0").unwrap(),
        MountainCar::new(ClassicConfig::mountain_car_v0()).unwrap(),
        500,
        discrete(3),
    );
    same_run(
        registry
            .make_continuous("MountainCarContinuous-v0")
            .unwrap(),
        MountainCarContinuous::new(ClassicConfig::mountain_car_continuous_v0()).unwrap(),
        2_100,
        torque,
    );
    same_run(
        registry.make_continuous("Pendulum-v1").unwrap(),
        Pendulum::new(PendulumConfig::v1()).unwrap(),
        500,
        torque,
    );
}

#[test]
fn every_made_environment_passes_the_checker() {
    let registry = Registry::new();
    for id in registry.ids() {
        let checked = match registry.spec(id).unwrap().action_space.action_shape() {
            ActionShape::Discrete => check_env(|| registry.make_discrete(id).unwrap()),
            ActionShape::Continuous { .. } => check_env(|| registry.make_continuous(id).unwrap()),
        };
        assert!(checked.is_ok(), "{id}: {checked:?}");
    }
}

#[test]
fn snapshots_round_trip_through_json_and_refuse_another_environment() {
    let registry = Registry::new();
    let mut env = registry.make_continuous("Pendulum-v1").unwrap();
    env.reset(Some(3));
    env.step(vec![1.0]).unwrap();
    let json = serde_json::to_string(&env.snapshot()).unwrap();
    let next = env.step(vec![-2.0]).unwrap();

    let mut other = registry.make_continuous("Pendulum-v1").unwrap();
    let state: AnySnapshot = serde_json::from_str(&json).unwrap();
    other.restore(state.clone()).unwrap();
    assert_eq!(other.step(vec![-2.0]).unwrap(), next);

    let mut car = registry.make_discrete("CartPole-v1").unwrap();
    let refused = car.restore(state);
    assert!(matches!(refused, Err(EnvError::Snapshot(_))), "{refused:?}");
}

#[test]
fn misuse_is_a_typed_error() {
    let registry = Registry::new();
    let unknown = registry.make("Pendulum-v2").unwrap_err();
    match &unknown {
        EnvError::UnknownEnv { id, known } => {
            assert_eq!(id, "Pendulum-v2");
            assert!(known.iter().any(|k| k == "Pendulum-v1"));
        }
        other => panic!("{other:?}"),
    }
    assert!(unknown.to_string().contains("Pendulum-v1"), "{unknown}");
    assert!(matches!(
        registry.make_discrete("Pendulum-v1"),
        Err(EnvError::ActionSpaceMismatch { .. })
    ));
    assert!(matches!(
        registry.make_continuous("Acrobot-v1"),
        Err(EnvError::ActionSpaceMismatch { .. })
    ));
    // A box action of the wrong length, through a made environment.
    let mut pendulum = registry.make_continuous("Pendulum-v1").unwrap();
    pendulum.reset(Some(0));
    assert!(matches!(
        pendulum.step(vec![0.0, 1.0]),
        Err(EnvError::ActionLength {
            expected: 1,
            actual: 2
        })
    ));
    let mut acrobot = registry.make_discrete("Acrobot-v1").unwrap();
    assert!(matches!(acrobot.step(0), Err(EnvError::ResetNeeded)));
}

/// A corridor of your own: walk right from 0 to `length`.
struct Corridor {
    length: i32,
    position: i32,
}

impl Environment for Corridor {
    type Observation = [f32; 1];
    type Action = usize;

    fn reset(&mut self, _seed: Option<u64>) -> [f32; 1] {
        self.position = 0;
        [0.0]
    }

    fn step(&mut self, action: usize) -> Result<Step<[f32; 1]>, EnvError> {
        self.action_space().check(action)?;
        self.position += if action == 1 { 1 } else { -1 };
        let terminated = self.position == self.length;
        Ok(Step::new([self.position as f32], -1.0, terminated, false))
    }

    fn action_space(&self) -> Space {
        Space::discrete(2)
    }

    fn observation_space(&self) -> Space {
        Space::boxed(vec![f32::MIN], vec![f32::MAX])
    }

    fn reward_threshold(&self) -> Option<f64> {
        Some(-f64::from(self.length))
    }
}

impl Snapshot for Corridor {
    type State = i32;

    fn snapshot(&self) -> i32 {
        self.position
    }

    fn restore(&mut self, position: i32) -> Result<[f32; 1], EnvError> {
        self.position = position;
        Ok([position as f32])
    }
}

#[test]
fn users_register_their_own_environments() {
    let mut registry = Registry::new();
    let corridor = |length: i32| {
        move || {
            Ok(Corridor {
                length,
                position: 0,
            })
        }
    };
    registry.register("Corridor-v0", corridor(3)).unwrap();
    let spec = registry.spec("Corridor-v0").unwrap().clone();
    assert_eq!(spec.action_space, Space::discrete(2));
    assert_eq!(spec.observation_space.flat_dim(), 1);
    assert_eq!(spec.reward_threshold, Some(-3.0));
    assert!(!spec.renders);
    let mut env = registry.make_discrete("Corridor-v0").unwrap();
    assert!(!env.renders());
    env.reset(None);
    let steps: Vec<bool> = (0..3).map(|_| env.step(1).unwrap().terminated).collect();
    assert_eq!(steps, [false, false, true]);

    // The same id twice, or an id that is no name, is refused; the registry is unchanged.
    for id in ["Corridor-v0", "", "Long corridor-v0"] {
        let refused = registry.register(id, corridor(9));
        assert!(
            matches!(&refused, Err(EnvError::InvalidId { id: refused, .. }) if refused == id),
            "{refused:?}"
        );
    }
    assert_eq!(
        registry.spec("Corridor-v0").unwrap().reward_threshold,
        Some(-3.0)
    );
    // A constructor's error is the registration's.
    let failing = || -> Result<Corridor, EnvError> {
        Err(EnvError::InvalidConfig {
            field: "length",
            reason: "must be positive".into(),
        })
    };
    assert!(matches!(
        registry.register("Broken-v0", failing),
        Err(EnvError::InvalidConfig {
            field: "length",
            ..
        })
    ));
    assert!(registry.spec("Broken-v0").is_none());
    assert_eq!(Registry::empty().ids().count(), 0);
}
