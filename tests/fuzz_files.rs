//! Structure-aware fuzzing of every file reader: agent files, training states, checkpoints,
//! replay contents and metrics logs are mutated where their structure lives (entries of the
//! container swapped between agents of other shapes and kinds, removed or renamed; JSON
//! numbers and keys; burnpack parameter ids and names; replay header words; CSV fields) and
//! re-encoded with a valid checksum, then read, and, when a read succeeds, used: the agent
//! acts and learns. No case may panic (or abort, which would end this process).
//!
//! `cargo test --release` runs 3 000 cases; the long run of 100 000 is kept out of it:
//!
//! ```text
//! cargo test --release --test fuzz_files -- --ignored
//! ```
//! (`CINDER_FUZZ_CASES=N` changes its count.)

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use burn::store::burn_pack::{Reader, Writer};
use burn::tensor::Bytes;
use cinder_rl::agent::{Agent, Checkpoint, Mode};
use cinder_rl::agents::{ActorCritic, ActorCriticConfig, Dqn};
use cinder_rl::archive::Archive;
use cinder_rl::artifacts::{MetricsWriter, read_metrics};
use cinder_rl::env::{CartPole, CartPoleConfig, VecEnv};
use cinder_rl::error::Error;
use cinder_rl::memory::{ReplayMemory, UniformReplay};
use cinder_rl::nn::{ActorCriticMlp, Mlp};
use cinder_rl::rng::{SeededRng, seeded};
use cinder_rl::train::{
    Checkpoints, Resumable, TrainConfig, TrainSummary, Trainer, checkpoint_summary,
};
use common::{budget_run, cartpole, cartpole_actor_critic, cartpole_dqn, dqn_test_config};
use rand::RngExt;

fn dqn(hidden: usize) -> Dqn<Mlp> {
    let config = dqn_test_config()
        .with_replay_capacity(400)
        .with_learning_starts(50)
        .with_batch_size(16)
        .with_seed(5);
    cartpole_dqn(hidden, config)
}

fn actor_critic(hidden: usize) -> ActorCritic<ActorCriticMlp> {
    let config = ActorCriticConfig::new().with_num_envs(2).with_seed(6);
    cartpole_actor_critic(hidden, 6, config)
}

fn envs() -> VecEnv<CartPole> {
    VecEnv::from_fn(2, |_| CartPole::new(CartPoleConfig::v1())).unwrap()
}

fn run_config(steps: u64) -> TrainConfig {
    budget_run(9, steps)
}

/// Valid files of every kind, and donors of other shapes and kinds to swap parts in from.
struct Corpus {
    dir: PathBuf,
    dqn_checkpoint: Vec<u8>,
    a2c_checkpoint: Vec<u8>,
    dqn_file: Vec<u8>,
    a2c_file: Vec<u8>,
    replay: Vec<u8>,
    metrics: String,
    donors: Vec<Archive>,
}

fn file_bytes(save: impl FnOnce(&Path), path: &Path) -> Vec<u8> {
    save(path);
    std::fs::read(path).unwrap()
}

impl Corpus {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("cinder-fuzz-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let checkpoint = |name: &str| Checkpoints {
            path: dir.join(name),
            every_env_steps: 1_000,
        };
        let mut records = Vec::new();
        let mut dqn_agent = dqn(8);
        Trainer::new(run_config(300))
            .with_checkpoints(checkpoint("dqn.cinder"))
            .on_episode(|r| {
                records.push(r.clone());
                Ok(())
            })
            .run(&mut dqn_agent, &mut cartpole(), &mut cartpole())
            .unwrap();
        let mut a2c = actor_critic(8);
        Trainer::new(run_config(303))
            .with_checkpoints(checkpoint("a2c.cinder"))
            .run(&mut a2c, &mut envs(), &mut cartpole())
            .unwrap();
        let metrics_path = dir.join("metrics.csv");
        let mut writer = MetricsWriter::create(&metrics_path).unwrap();
        records.iter().for_each(|r| writer.write(r).unwrap());
        drop(writer);

        let mut dqn_other = dqn(12);
        Trainer::new(run_config(200))
            .run(&mut dqn_other, &mut cartpole(), &mut cartpole())
            .unwrap();
        let mut a2c_other = actor_critic(12);
        Trainer::new(run_config(200))
            .run(&mut a2c_other, &mut envs(), &mut cartpole())
            .unwrap();
        let state = |bytes: Vec<u8>| Archive::decode(&bytes).unwrap();
        let donors = vec![
            state(dqn_other.training_state().unwrap()),
            state(a2c_other.training_state().unwrap()),
            state(dqn(8).training_state().unwrap()),
            state(file_bytes(|p| dqn_other.save(p).unwrap(), &dir.join("d1"))),
            state(file_bytes(|p| a2c_other.save(p).unwrap(), &dir.join("d2"))),
        ];
        Self {
            dqn_checkpoint: std::fs::read(dir.join("dqn.cinder")).unwrap(),
            a2c_checkpoint: std::fs::read(dir.join("a2c.cinder")).unwrap(),
            dqn_file: file_bytes(|p| dqn_agent.save(p).unwrap(), &dir.join("d3")),
            a2c_file: file_bytes(|p| a2c.save(p).unwrap(), &dir.join("d4")),
            replay: dqn_agent.memory().to_bytes(),
            metrics: std::fs::read_to_string(&metrics_path).unwrap(),
            donors,
            dir,
        }
    }
}

const INTERESTING: [u64; 12] = [
    0,
    1,
    2,
    7,
    255,
    65_536,
    1 << 31,
    1 << 32,
    1 << 53,
    1 << 63,
    u64::MAX - 1,
    u64::MAX,
];

fn interesting(rng: &mut SeededRng) -> u64 {
    INTERESTING[rng.random_range(0..INTERESTING.len())]
}

/// A JSON value with one leaf changed, one key removed or one array resized.
fn mutate_json(value: &mut serde_json::Value, rng: &mut SeededRng) {
    use serde_json::Value;
    match value {
        Value::Object(map) if !map.is_empty() => {
            let key = map
                .keys()
                .nth(rng.random_range(0..map.len()))
                .unwrap()
                .clone();
            if rng.random_range(0..6) == 0 {
                map.remove(&key);
            } else {
                mutate_json(map.get_mut(&key).unwrap(), rng);
            }
        }
        Value::Array(items) if !items.is_empty() && rng.random_range(0..4) != 0 => {
            let i = rng.random_range(0..items.len());
            mutate_json(&mut items[i], rng);
        }
        Value::Array(items) => match rng.random_range(0..3) {
            0 => items.clear(),
            1 => items.push(Value::from(interesting(rng))),
            _ => items.truncate(items.len() / 2),
        },
        _ => {
            *value = match rng.random_range(0..6) {
                0 => Value::from(interesting(rng)),
                1 => Value::from(-(interesting(rng) as i64)),
                2 => Value::from(1e300 * (rng.random::<f64>() - 0.5)),
                3 => Value::Null,
                4 => Value::from("x"),
                _ => Value::from(rng.random::<f64>()),
            }
        }
    }
}

/// A burnpack (weights or optimizer moments) with parameter ids or names altered.
fn mutate_burnpack(bytes: &[u8], rng: &mut SeededRng) -> Option<Vec<u8>> {
    let reader = Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec())).ok()?;
    let scalars = reader.scalars().clone();
    let metadata = reader.metadata().clone();
    let mut tensors = reader.into_tensors().ok()?;
    if tensors.is_empty() {
        return None;
    }
    let i = rng.random_range(0..tensors.len());
    match rng.random_range(0..4) {
        0 => tensors[i].param_id = None,
        1 => tensors[i].param_id = Some(interesting(rng)),
        2 => tensors[i].name.push_str(".x"),
        _ => {
            let j = rng.random_range(0..tensors.len());
            let id = tensors[j].param_id;
            tensors[i].param_id = id;
        }
    }
    let mut writer = Writer::new(tensors);
    for (key, value) in &scalars {
        if rng.random_range(0..8) != 0 {
            writer = writer.with_scalar(key, *value);
        }
    }
    for (key, value) in &metadata {
        writer = writer.with_metadata(key, value);
    }
    Some(writer.into_bytes().ok()?.to_vec())
}

/// The bytes of one entry, changed where their structure lives.
fn mutate_blob(name: &str, data: &mut Vec<u8>, rng: &mut SeededRng) {
    if let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(data)
        && rng.random_range(0..4) != 0
    {
        mutate_json(&mut json, rng);
        *data = serde_json::to_vec(&json).unwrap();
        return;
    }
    if Archive::decode(data).is_ok() {
        let mut inner = Archive::decode(data).unwrap();
        mutate_archive(&mut inner, &[], rng);
        *data = inner.encode();
        return;
    }
    let burnpack = matches!(
        name,
        "weights" | "online" | "target" | "network" | "optimizer"
    );
    if burnpack
        && rng.random_range(0..2) == 0
        && let Some(mutated) = mutate_burnpack(data, rng)
    {
        *data = mutated;
        return;
    }
    if data.is_empty() {
        data.push(rng.random());
        return;
    }
    match rng.random_range(0..5) {
        // A little-endian word at an aligned offset (replay header sizes, counts, actions).
        0 | 1 => {
            let words = data.len() / 8;
            let at = if words > 0 && rng.random_range(0..2) == 0 {
                8 * rng.random_range(0..words.min(6))
            } else {
                8 * rng.random_range(0..words.max(1)) % data.len().max(8)
            };
            let value = interesting(rng).to_le_bytes();
            let end = (at + 8).min(data.len());
            data[at..end].copy_from_slice(&value[..end - at]);
        }
        2 => {
            let i = rng.random_range(0..data.len());
            data[i] ^= 1 << rng.random_range(0..8);
        }
        3 => data.truncate(rng.random_range(0..data.len())),
        _ => data.extend((0..rng.random_range(1..64)).map(|_| rng.random::<u8>())),
    }
}

/// One to three structural changes to `archive`; `donors` supply entries of other agents.
fn mutate_archive(archive: &mut Archive, donors: &[Archive], rng: &mut SeededRng) {
    for _ in 0..rng.random_range(1..4) {
        let names: Vec<String> = archive.names().map(String::from).collect();
        if names.is_empty() {
            archive.put("header", b"{}".to_vec());
            continue;
        }
        let name = names[rng.random_range(0..names.len())].clone();
        match rng.random_range(0..10) {
            0 if !donors.is_empty() => {
                let donor = &donors[rng.random_range(0..donors.len())];
                if let Some(data) = donor.get(&name) {
                    archive.put(&name, data.to_vec());
                }
            }
            1 => {
                archive.remove(&name);
            }
            2 => {
                let data = archive.remove(&name).unwrap();
                archive.put(&format!("{name}2"), data);
            }
            _ => {
                let mut data = archive.get(&name).unwrap().to_vec();
                mutate_blob(&name, &mut data, rng);
                archive.put(&name, data);
            }
        }
    }
}

/// A mutated copy of the archive `bytes`: re-encoded with a valid checksum, or, now and then,
/// with raw damage the checksum catches.
fn mutated(bytes: &[u8], donors: &[Archive], rng: &mut SeededRng) -> Vec<u8> {
    let mut archive = Archive::decode(bytes).unwrap();
    mutate_archive(&mut archive, donors, rng);
    let mut out = archive.encode();
    if rng.random_range(0..20) == 0 {
        let i = rng.random_range(0..out.len());
        out[i] ^= 0x80;
    }
    out
}

fn mutated_metrics(text: &str, rng: &mut SeededRng) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for _ in 0..rng.random_range(1..4) {
        let i = rng.random_range(0..lines.len());
        let mut fields: Vec<String> = lines[i].split(',').map(String::from).collect();
        let j = rng.random_range(0..fields.len());
        match rng.random_range(0..6) {
            0 => fields[j] = interesting(rng).to_string(),
            1 => fields[j] = "1e400".into(),
            2 => fields[j] = "NaN".into(),
            3 => fields[j].clear(),
            4 => {
                fields.remove(j);
            }
            _ => fields[j] = "-1".into(),
        }
        lines[i] = fields.join(",");
    }
    lines.join("\n")
}

/// Writes a mutation of `checkpoint` to `path` and resumes from it with `run`, `more` steps
/// past the steps the file says it holds (past 300 when that cannot be read); returns whether
/// the run went through.
fn resumes_mutated(
    path: &Path,
    checkpoint: &[u8],
    rng: &mut SeededRng,
    more: u64,
    run: impl FnOnce(&mut Trainer<'_, Resumable>) -> Result<TrainSummary, Error>,
) -> bool {
    std::fs::write(path, mutated(checkpoint, &[], rng)).unwrap();
    let steps = checkpoint_summary(path).map_or(300, |s| s.env_steps);
    let mut trainer = Trainer::new(run_config(steps.saturating_add(more))).resume_from(path);
    run(&mut trainer).is_ok()
}

/// Restores `agent` from a mutation (with parts of `donors`) of the agent state in
/// `checkpoint` and, if that succeeds, uses it with `exercise`; returns whether it was read.
fn restores_mutated<A: Checkpoint>(
    mut agent: A,
    checkpoint: &[u8],
    donors: &[Archive],
    rng: &mut SeededRng,
    exercise: impl FnOnce(&mut A),
) -> bool {
    let checkpoint = Archive::decode(checkpoint).unwrap();
    let state = mutated(checkpoint.get("agent").unwrap(), donors, rng);
    let read = agent.restore_training_state(&state).is_ok();
    if read {
        exercise(&mut agent);
    }
    read
}

/// Whether `agent` loads the file at `path` and then acts.
fn loads_and_acts(mut agent: impl Agent<[f32; 4]>, path: &Path) -> bool {
    agent.load(path).is_ok() && agent.act(&[0.1, 0.0, -0.1, 0.0], Mode::Exploit).is_ok()
}

/// Reads one mutated file of the kind `case % KINDS` and, if the read succeeds, uses it;
/// returns whether it was read.
fn run_case(corpus: &Corpus, case: u64, rng: &mut SeededRng) -> bool {
    let path = corpus.dir.join(format!("case-{}", case % 4));
    let write = |bytes: &[u8]| std::fs::write(&path, bytes).unwrap();
    match case % KINDS {
        0 => resumes_mutated(&path, &corpus.dqn_checkpoint, rng, 4, |t| {
            t.run(&mut dqn(8), &mut cartpole(), &mut cartpole())
        }),
        1 => resumes_mutated(&path, &corpus.a2c_checkpoint, rng, 10, |t| {
            t.run(&mut actor_critic(8), &mut envs(), &mut cartpole())
        }),
        2 => restores_mutated(
            dqn(8),
            &corpus.dqn_checkpoint,
            &corpus.donors,
            rng,
            |agent| {
                let _ = agent.act(&[0.1, 0.0, -0.1, 0.0], Mode::Explore);
                let _ = agent.learn();
            },
        ),
        3 => restores_mutated(
            actor_critic(8),
            &corpus.a2c_checkpoint,
            &corpus.donors,
            rng,
            |agent| {
                let _ = Trainer::new(run_config(10)).run(agent, &mut envs(), &mut cartpole());
            },
        ),
        4 => {
            let (bytes, dqn_kind) = if rng.random_range(0..2) == 0 {
                (&corpus.dqn_file, true)
            } else {
                (&corpus.a2c_file, false)
            };
            write(&mutated(bytes, &corpus.donors, rng));
            if dqn_kind {
                loads_and_acts(dqn(8), &path)
            } else {
                loads_and_acts(actor_critic(8), &path)
            }
        }
        5 => {
            let mut bytes = corpus.replay.clone();
            mutate_blob("replay", &mut bytes, rng);
            match UniformReplay::from_bytes(&bytes) {
                Ok(memory) => memory.len() < 8 || memory.sample(8, &mut seeded(case)).is_ok(),
                Err(_) => false,
            }
        }
        _ => {
            write(mutated_metrics(&corpus.metrics, rng).as_bytes());
            let read = read_metrics(&path).is_ok();
            let _ = MetricsWriter::resume(&path, rng.random_range(0..40));
            read
        }
    }
}

/// The kinds of file: DQN and A2C checkpoints, their training states, agent files, replay
/// contents, metrics logs.
const KINDS: u64 = 7;

/// Runs `cases` cases: none may panic, and of each kind some mutated files must be read (the
/// mutations are not all caught by the checksum) and some refused.
fn fuzz(name: &str, cases: u64, seed: u64) {
    let corpus = Corpus::new(name);
    let mut rng = seeded(seed);
    let mut panics = Vec::new();
    let mut read = [0u64; KINDS as usize];
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for case in 0..cases {
        let mut case_rng = seeded(rng.random());
        let outcome = catch_unwind(AssertUnwindSafe(|| run_case(&corpus, case, &mut case_rng)));
        if let Ok(true) = outcome {
            read[(case % KINDS) as usize] += 1;
        }
        if let Err(payload) = outcome {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panics.push((case, message));
        }
    }
    std::panic::set_hook(hook);
    std::fs::remove_dir_all(&corpus.dir).unwrap();
    let per_kind = cases / KINDS;
    eprintln!("{cases} cases, read per kind (of {per_kind}): {read:?}");
    assert!(
        panics.is_empty(),
        "{} of {cases} cases panicked, e.g. {:?}",
        panics.len(),
        &panics[..panics.len().min(5)]
    );
    assert!(
        read.iter().all(|&n| n > 0 && n < per_kind),
        "each kind must be read sometimes and refused sometimes: {read:?} of {per_kind}"
    );
}

#[test]
fn mutated_files_are_errors_or_usable_never_panics() {
    fuzz("short", 3_000, 1);
}

#[test]
#[ignore = "the long run: cargo test --release --test fuzz_files -- --ignored"]
fn a_hundred_thousand_mutated_files() {
    let cases = std::env::var("CINDER_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    fuzz("long", cases, 2);
}
