//! The classic-control environments against Gymnasium 1.4.0, bit for bit (Acrobot-v1,
//! MountainCar-v0, MountainCarContinuous-v0, Pendulum-v1): every public case
//! is reset from its seed (the seed-sequence words, the raw draws, the reset state and
//! observation) and replayed step by step (observation, reward, flags and state after every
//! step); every row is also stepped alone from its recorded state. Columns are found by their
//! names in the files' headers (`tests/data/classic/CLASSIC_SPEC.md`, section 7).

use std::collections::HashMap;
use std::fmt::Debug;

use cinder_rl::env::{
    Acrobot, ClassicConfig, ClassicState, Environment, EpisodeClock, GymRng, MountainCar,
    MountainCarContinuous, Pendulum, PendulumConfig, Snapshot, seed_sequence_words,
};
use cinder_rl::error::EnvError;

/// One CSV record, by column name.
struct Record(HashMap<String, String>);

impl Record {
    fn text(&self, column: &str) -> &str {
        self.0
            .get(column)
            .unwrap_or_else(|| panic!("no column {column}"))
    }

    fn f64(&self, column: &str) -> f64 {
        self.text(column).parse().unwrap()
    }

    fn usize(&self, column: &str) -> usize {
        self.text(column).parse().unwrap()
    }

    fn flag(&self, column: &str) -> bool {
        self.text(column) == "1"
    }

    /// The values of the columns `prefix<name>` in header order (`s_theta`, `s_thetadot`...),
    /// leaving out the dtype column.
    fn values(&self, header: &[String], prefix: &str) -> Vec<f64> {
        header
            .iter()
            .filter(|c| c.starts_with(prefix) && !c.ends_with("dtype"))
            .map(|c| self.f64(c))
            .collect()
    }

    fn hex_words(&self, column: &str) -> Vec<u64> {
        self.text(column)
            .split_whitespace()
            .map(|w| u64::from_str_radix(w.trim_start_matches("0x"), 16).unwrap())
            .collect()
    }
}

/// A CSV file: its header and records (a quoted last field may hold commas).
fn table(text: &str) -> (Vec<String>, Vec<Record>) {
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let records = lines
        .map(|line| {
            let fields = line.splitn(header.len(), ',');
            Record(
                header
                    .iter()
                    .cloned()
                    .zip(fields.map(String::from))
                    .collect(),
            )
        })
        .collect();
    (header, records)
}

/// What the replay needs of an environment beyond [`Environment`].
trait Golden:
    Environment<Observation: AsRef<[f32]> + Debug>
    + Snapshot<State = ClassicState<Self::Values>>
    + Clone
{
    /// The state values, `[f64; N]`.
    type Values: AsRef<[f64]>
        + for<'a> TryFrom<&'a [f64], Error: Debug>
        + serde::Serialize
        + serde::de::DeserializeOwned;
    /// The cases and the steps.
    const FILES: (&'static str, &'static str);
    /// The environment a case runs in, with the case's reset options.
    fn for_case(case: &Record) -> Self;
    fn action(row: &Record) -> Self::Action;

    /// The state and its dtype (`f32` or `f64`, as the files write it), from a snapshot.
    fn get_state(&self) -> (Vec<f64>, &'static str) {
        let snapshot = self.snapshot();
        let dtype = if snapshot.float32 { "f32" } else { "f64" };
        (snapshot.state.as_ref().to_vec(), dtype)
    }

    /// Starts an episode at `state` of `dtype`, through a restored snapshot.
    fn put_state(&mut self, state: &[f64], dtype: &str) {
        let mut snapshot = self.snapshot();
        snapshot.state = state.try_into().unwrap();
        snapshot.float32 = dtype == "f32";
        snapshot.clock = EpisodeClock {
            steps: 0,
            running: true,
        };
        self.restore(snapshot).unwrap();
    }
}

impl Golden for Pendulum {
    type Values = [f64; 2];
    const FILES: (&'static str, &'static str) = (
        include_str!("data/classic/pendulum_public_cases.csv"),
        include_str!("data/classic/pendulum_public.csv"),
    );

    fn for_case(case: &Record) -> Self {
        let mut config = PendulumConfig::v1();
        if let Some([x, y]) = options(case, ["x_init", "y_init"]) {
            config = config.with_init(x, y);
        }
        Pendulum::new(config).unwrap()
    }

    fn action(row: &Record) -> [f32; 1] {
        [row.f64("action") as f32]
    }
}

impl Golden for MountainCar {
    type Values = [f64; 2];
    const FILES: (&'static str, &'static str) = (
        include_str!("data/classic/mountaincar_public_cases.csv"),
        include_str!("data/classic/mountaincar_public.csv"),
    );

    fn for_case(case: &Record) -> Self {
        let mut config = ClassicConfig::mountain_car_v0();
        if let Some([low, high]) = options(case, ["low", "high"]) {
            config = config.with_reset_bounds(low, high);
        }
        MountainCar::new(config).unwrap()
    }

    fn action(row: &Record) -> usize {
        row.usize("action")
    }
}

impl Golden for Acrobot {
    type Values = [f64; 4];
    const FILES: (&'static str, &'static str) = (
        include_str!("data/classic/acrobot_public_cases.csv"),
        include_str!("data/classic/acrobot_public.csv"),
    );

    fn for_case(case: &Record) -> Self {
        let mut config = ClassicConfig::acrobot_v1();
        if let Some([low, high]) = options(case, ["low", "high"]) {
            config = config.with_reset_bounds(low, high);
        }
        Acrobot::new(config).unwrap()
    }

    fn action(row: &Record) -> usize {
        row.usize("action")
    }
}

impl Golden for MountainCarContinuous {
    type Values = [f64; 2];
    const FILES: (&'static str, &'static str) = (
        include_str!("data/classic/mountaincar_continuous_public_cases.csv"),
        include_str!("data/classic/mountaincar_continuous_public.csv"),
    );

    fn for_case(case: &Record) -> Self {
        let mut config = ClassicConfig::mountain_car_continuous_v0();
        if let Some([low, high]) = options(case, ["low", "high"]) {
            config = config.with_reset_bounds(low, high);
        }
        MountainCarContinuous::new(config).unwrap()
    }

    fn action(row: &Record) -> [f32; 1] {
        [row.f64("action") as f32]
    }
}

/// A case's reset options `key=value;...`, in the order of `keys`.
fn options(case: &Record, keys: [&str; 2]) -> Option<[f64; 2]> {
    let options = case.text("options");
    (!options.is_empty()).then(|| {
        keys.map(|key| {
            options
                .split(';')
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .unwrap()
                .parse()
                .unwrap()
        })
    })
}

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

fn bits32(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// The state columns `prefix<name>` and their dtype, as bits.
fn state_bits(record: &Record, header: &[String], prefix: &str) -> (Vec<u64>, String) {
    let dtype = record.text(&format!("{prefix}dtype")).to_string();
    (bits(&record.values(header, prefix)), dtype)
}

fn env_state_bits<E: Golden>(env: &E) -> (Vec<u64>, String) {
    let (state, dtype) = env.get_state();
    (bits(&state), dtype.to_string())
}

/// The observation columns as `f32` bits (they hold float32 values widened exactly).
fn observation_bits(record: &Record, header: &[String], prefix: &str) -> Vec<u32> {
    let values = record.values(header, prefix);
    values.iter().map(|&v| (v as f32).to_bits()).collect()
}

fn resets_draw_what_numpy_draws<E: Golden>() {
    let (header, cases) = table(E::FILES.0);
    for case in &cases {
        let (id, seed) = (case.text("case"), case.text("seed").parse().unwrap());
        assert_eq!(
            seed_sequence_words(seed).to_vec(),
            case.hex_words("seedseq_u64x4"),
            "case {id}"
        );
        let raw = case.hex_words("reset_raw_u64");
        let mut rng = GymRng::seeded(seed);
        assert_eq!(
            raw.iter().map(|_| rng.next_u64()).collect::<Vec<_>>(),
            raw,
            "case {id}"
        );

        let mut env = E::for_case(case);
        let observation = env.reset(Some(seed));
        assert_eq!(
            env_state_bits(&env),
            state_bits(case, &header, "r_"),
            "case {id}"
        );
        assert_eq!(
            bits32(observation.as_ref()),
            observation_bits(case, &header, "ro_"),
            "case {id}"
        );
    }
}

fn every_case_replays_from_its_seed<E: Golden>() {
    let (case_header, cases) = table(E::FILES.0);
    let (header, rows) = table(E::FILES.1);
    assert_eq!(cases.len(), 20);
    for case in &cases {
        let id = case.text("case");
        let mut env = E::for_case(case);
        env.reset(Some(case.text("seed").parse().unwrap()));
        assert_eq!(env_state_bits(&env), state_bits(case, &case_header, "r_"));
        let mut total = 0.0;
        let case_rows: Vec<&Record> = rows.iter().filter(|r| r.text("case") == id).collect();
        assert_eq!(case_rows.len(), case.usize("steps"), "case {id}");
        for row in case_rows {
            let at = format!("case {id} t {}", row.text("t"));
            assert_eq!(env_state_bits(&env), state_bits(row, &header, "s_"), "{at}");
            let step = env.step(E::action(row)).unwrap();
            assert_eq!(
                bits32(step.observation.as_ref()),
                observation_bits(row, &header, "o_"),
                "{at}"
            );
            assert_eq!(step.reward.to_bits(), row.f64("reward").to_bits(), "{at}");
            let flags = (row.flag("terminated"), row.flag("truncated"));
            assert_eq!((step.terminated, step.truncated), flags, "{at}");
            assert_eq!(
                env_state_bits(&env),
                state_bits(row, &header, "ns_"),
                "{at}"
            );
            total += step.reward;
        }
        assert_eq!(
            total.to_bits(),
            case.f64("total_reward").to_bits(),
            "case {id}"
        );
        let ended = case.flag("final_terminated") || case.flag("final_truncated");
        if ended {
            let after = env.clone().step(E::action(&rows[0]));
            assert!(matches!(after, Err(EnvError::EpisodeEnded)), "case {id}");
        }
    }
}

fn every_row_steps_alone<E: Golden>() {
    let (_, cases) = table(E::FILES.0);
    let (header, rows) = table(E::FILES.1);
    let mut env = E::for_case(&cases[0]);
    for row in &rows {
        env.put_state(&row.values(&header, "s_"), row.text("s_dtype"));
        let step = env.step(E::action(row)).unwrap();
        let at = format!("case {} t {}", row.text("case"), row.text("t"));
        assert_eq!(
            bits32(step.observation.as_ref()),
            observation_bits(row, &header, "o_"),
            "{at}"
        );
        assert_eq!(step.reward.to_bits(), row.f64("reward").to_bits(), "{at}");
        assert_eq!(
            env_state_bits(&env),
            state_bits(row, &header, "ns_"),
            "{at}"
        );
    }
}

/// A snapshot taken mid-episode continues exactly, through later resets too.
fn a_restored_snapshot_continues<E: Golden>(actions: impl Fn(usize) -> E::Action) {
    let (_, cases) = table(E::FILES.0);
    let mut env = E::for_case(&cases[0]);
    env.reset(Some(3));
    for i in 0..20 {
        env.step(actions(i)).unwrap();
    }
    let saved = serde_json::to_string(&env.snapshot()).unwrap();
    let mut copy = E::for_case(&cases[0]);
    copy.restore(serde_json::from_str(&saved).unwrap()).unwrap();
    for i in 0..600 {
        match (env.step(actions(i)), copy.step(actions(i))) {
            (Ok(a), Ok(b)) => {
                assert_eq!(
                    bits32(a.observation.as_ref()),
                    bits32(b.observation.as_ref())
                );
                assert_eq!(a.reward.to_bits(), b.reward.to_bits());
            }
            (Err(_), Err(_)) => {
                let (a, b) = (env.reset(None), copy.reset(None));
                assert_eq!(bits32(a.as_ref()), bits32(b.as_ref()));
            }
            other => panic!("diverged at {i}: {other:?}"),
        }
    }
}

#[test]
fn pendulum_resets_draw_what_numpy_draws() {
    resets_draw_what_numpy_draws::<Pendulum>();
}

#[test]
fn pendulum_cases_replay_bit_for_bit_from_their_seeds() {
    every_case_replays_from_its_seed::<Pendulum>();
}

#[test]
fn pendulum_rows_step_alone_bit_for_bit() {
    every_row_steps_alone::<Pendulum>();
}

#[test]
fn pendulum_snapshots_continue_exactly() {
    a_restored_snapshot_continues::<Pendulum>(|i| [((i % 9) as f32 - 4.0) * 0.5]);
}

#[test]
fn mountain_car_resets_draw_what_numpy_draws() {
    resets_draw_what_numpy_draws::<MountainCar>();
}

#[test]
fn mountain_car_cases_replay_bit_for_bit_from_their_seeds() {
    every_case_replays_from_its_seed::<MountainCar>();
}

#[test]
fn mountain_car_rows_step_alone_bit_for_bit() {
    every_row_steps_alone::<MountainCar>();
}

#[test]
fn mountain_car_snapshots_continue_exactly() {
    a_restored_snapshot_continues::<MountainCar>(|i| (i / 7) % 3);
}

#[test]
fn mountain_car_continuous_resets_draw_what_numpy_draws() {
    resets_draw_what_numpy_draws::<MountainCarContinuous>();
}

#[test]
fn mountain_car_continuous_cases_replay_bit_for_bit_from_their_seeds() {
    every_case_replays_from_its_seed::<MountainCarContinuous>();
}

#[test]
fn mountain_car_continuous_rows_step_alone_bit_for_bit() {
    every_row_steps_alone::<MountainCarContinuous>();
}

#[test]
fn mountain_car_continuous_snapshots_continue_exactly() {
    a_restored_snapshot_continues::<MountainCarContinuous>(|i| [((i % 7) as f32 - 3.0) * 0.4]);
}

#[test]
fn acrobot_resets_draw_what_numpy_draws() {
    resets_draw_what_numpy_draws::<Acrobot>();
}

#[test]
fn acrobot_cases_replay_bit_for_bit_from_their_seeds() {
    every_case_replays_from_its_seed::<Acrobot>();
}

#[test]
fn acrobot_rows_step_alone_bit_for_bit() {
    every_row_steps_alone::<Acrobot>();
}

#[test]
fn acrobot_snapshots_continue_exactly() {
    a_restored_snapshot_continues::<Acrobot>(|i| (i / 5) % 3);
}

#[test]
fn bad_actions_and_settings_are_typed_errors() {
    let mut pendulum = Pendulum::new(PendulumConfig::v1()).unwrap();
    assert!(matches!(pendulum.step([0.0]), Err(EnvError::ResetNeeded)));
    pendulum.reset(Some(0));
    assert!(matches!(
        pendulum.step([f32::NAN]),
        Err(EnvError::NonFiniteAction { index: 0, .. })
    ));
    // Out of range is clipped, as in Gymnasium: 5 acts as 2.
    let mut other = pendulum.clone();
    assert_eq!(pendulum.step([5.0]).unwrap(), other.step([2.0]).unwrap());
    assert_eq!(pendulum.reward_threshold(), None);
    assert!(Pendulum::new(PendulumConfig::v1().with_g(f64::NAN)).is_err());
    assert!(Pendulum::new(PendulumConfig::v1().with_init(f64::INFINITY, 1.0)).is_err());
    assert!(Pendulum::new(PendulumConfig::v1().with_max_episode_steps(Some(0))).is_err());

    let mut car = MountainCar::new(ClassicConfig::mountain_car_v0()).unwrap();
    assert!(matches!(car.step(1), Err(EnvError::ResetNeeded)));
    car.reset(Some(0));
    assert!(matches!(
        car.step(3),
        Err(EnvError::InvalidAction {
            action: 3,
            n_actions: 3
        })
    ));
    assert_eq!(car.reward_threshold(), Some(-110.0));
    assert!(
        MountainCar::new(ClassicConfig::mountain_car_v0().with_reset_bounds(0.0, -1.0)).is_err()
    );
    assert!(
        MountainCar::new(ClassicConfig::mountain_car_v0().with_reset_bounds(f64::NAN, 0.0))
            .is_err()
    );

    let mut car = MountainCarContinuous::new(ClassicConfig::mountain_car_continuous_v0()).unwrap();
    car.reset(Some(0));
    assert!(matches!(
        car.step([f32::INFINITY]),
        Err(EnvError::NonFiniteAction { .. })
    ));
    assert_eq!(car.reward_threshold(), Some(90.0));
    let config = ClassicConfig::mountain_car_continuous_v0().with_max_episode_steps(Some(0));
    assert!(MountainCarContinuous::new(config).is_err());
}
