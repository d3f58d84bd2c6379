//! The run directory: a fresh run never touches another run, two processes never share one
//! directory, a failed resume changes no byte, stale temporary files go, a run killed while it
//! writes resumes to the straight run, and the stop rule on resume is the one given.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cinder_rl::agent::Checkpoint;
use cinder_rl::agents::Dqn;
use cinder_rl::archive::Archive;
use cinder_rl::artifacts::{CHECKPOINT_FILE, IDENTITY_FILE, METRICS_FILE, RunDir, RunIdentity};
use cinder_rl::error::{AgentError, ArtifactError, Error};
use cinder_rl::nn::Mlp;
use cinder_rl::train::{StopRule, TrainConfig, TrainSummary, Trainer, checkpoint_summary};
use common::{Balancer, budget_run, cartpole, cartpole_dqn, dqn_test_config};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cinder-run-dir-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file of `dir` with its bytes.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    match std::fs::read_dir(dir) {
        Err(_) => BTreeMap::new(),
        Ok(entries) => entries
            .map(|e| e.unwrap())
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name, std::fs::read(e.path()).unwrap())
            })
            .collect(),
    }
}

fn dqn(hidden: usize) -> Dqn<Mlp> {
    cartpole_dqn(
        hidden,
        dqn_test_config().with_learning_starts(200).with_seed(5),
    )
}

fn identity(hidden: usize) -> RunIdentity {
    RunIdentity::new("dqn", "CartPole-v1", "test", 11)
        .with_agent_config(dqn(hidden).config())
        .with_network(&[hidden])
}

fn run_config(max_env_steps: u64) -> TrainConfig {
    budget_run(11, max_env_steps)
}

/// Trains a fresh DQN of `hidden` units in `run` (or resumes it) up to `steps`.
fn train_dqn(run: &RunDir, hidden: usize, steps: u64) -> Result<TrainSummary, Error> {
    run.trainer(run_config(steps), 200)
        .run(&mut dqn(hidden), &mut cartpole(), &mut cartpole())
}

/// A fresh run in `dir` of a DQN of 16 units, trained up to `steps` and still open.
fn trained_run(dir: &Path, steps: u64) -> RunDir {
    let run = RunDir::create(dir, identity(16)).unwrap();
    train_dqn(&run, 16, steps).unwrap();
    run
}

#[test]
fn a_fresh_run_never_touches_an_existing_run() {
    let base = temp_dir("fresh");
    let first = base.join("test-seed11");
    let run = trained_run(&first, 600);
    std::fs::write(first.join("notes.txt"), b"the user's own file").unwrap();
    drop(run);
    let before = contents(&first);

    let again = RunDir::create(&first, identity(16));
    assert!(
        matches!(&again, Err(Error::Artifact(ArtifactError::RunExists { path })) if *path == first),
        "{again:?}"
    );
    let numbered = RunDir::create_numbered(&first, identity(16)).unwrap();
    assert_eq!(numbered.path(), base.join("test-seed11-2"));
    let third = RunDir::create_numbered(&first, identity(16)).unwrap();
    assert_eq!(third.path(), base.join("test-seed11-3"));
    assert_eq!(contents(&first), before, "the first run is untouched");

    // Replacing waits for the lock: while another run holds it, nothing is removed.
    let holder = RunDir::resume(&first, &identity(16)).unwrap();
    let locked = RunDir::replace(&first, identity(16));
    assert!(
        matches!(locked, Err(Error::Artifact(ArtifactError::Locked { .. }))),
        "{locked:?}"
    );
    assert_eq!(contents(&first), before);
    drop(holder);
    let replaced = RunDir::replace(&first, identity(16)).unwrap();
    let after = contents(&first);
    assert!(!after.contains_key(CHECKPOINT_FILE) && !after.contains_key(METRICS_FILE));
    assert_eq!(after["notes.txt"], b"the user's own file");
    assert_eq!(replaced.identity(), &identity(16));

    for bad in [PathBuf::new(), first.join("notes.txt")] {
        let result = RunDir::create(&bad, identity(16));
        assert!(
            matches!(
                result,
                Err(Error::Artifact(ArtifactError::InvalidPath { .. }))
            ),
            "{bad:?}: {result:?}"
        );
    }
    drop((numbered, third, replaced));
    std::fs::remove_dir_all(base).unwrap();
}

#[test]
fn two_processes_never_run_in_one_directory() {
    let dir = temp_dir("lock").join("run");
    let run = trained_run(&dir, 400);
    // A second open of the directory is refused while the first holds it (the lock is the
    // operating system's, per open file, so this holds across processes too): a resume, or a
    // replacement, as locked; a fresh run because the directory holds a run.
    for attempt in [
        RunDir::resume(&dir, &identity(16)),
        RunDir::replace(&dir, identity(16)),
    ] {
        assert!(
            matches!(attempt, Err(Error::Artifact(ArtifactError::Locked { .. }))),
            "{attempt:?}"
        );
    }
    let fresh = RunDir::create(&dir, identity(16));
    assert!(
        matches!(fresh, Err(Error::Artifact(ArtifactError::RunExists { .. }))),
        "{fresh:?}"
    );
    // A directory that holds no run yet but is locked is refused as locked.
    let empty = dir.with_file_name("empty");
    let holder = RunDir::create(&empty, identity(16)).unwrap();
    std::fs::remove_file(empty.join("run.json")).unwrap();
    let locked = RunDir::create(&empty, identity(16));
    assert!(
        matches!(locked, Err(Error::Artifact(ArtifactError::Locked { .. }))),
        "{locked:?}"
    );
    drop(holder);
    // The lock goes with its holder (as it does when a process is killed).
    drop(run);
    let resumed = RunDir::resume(&dir, &identity(16)).unwrap();
    assert_eq!(train_dqn(&resumed, 16, 800).unwrap().env_steps, 800);
    drop(resumed);
    std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}

/// Replaces the agent state inside the checkpoint at `path` with `edit`'s version; the file
/// stays well-formed, checksum included.
fn craft_checkpoint(path: &Path, edit: impl FnOnce(&mut Archive)) {
    let mut checkpoint = Archive::decode(&std::fs::read(path).unwrap()).unwrap();
    let mut state = Archive::decode(checkpoint.get("agent").unwrap()).unwrap();
    edit(&mut state);
    checkpoint.put("agent", state.encode());
    std::fs::write(path, checkpoint.encode()).unwrap();
}

#[test]
fn a_failed_resume_leaves_every_byte_as_it_was() {
    let base = temp_dir("failed-resume");
    let template = base.join("template");
    let run = trained_run(&template, 700);
    drop(run);
    // A temporary file a killed writer left: a failed resume must not remove it either.
    std::fs::write(
        template.join(".checkpoint.cinder.tmp-4242"),
        b"half a checkpoint",
    )
    .unwrap();
    // A trained agent of another shape, whose optimizer has moments to swap in.
    let mut other = dqn(24);
    Trainer::new(run_config(400))
        .run(&mut other, &mut cartpole(), &mut cartpole())
        .unwrap();
    let other_state = other.training_state().unwrap();

    type Corruption = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Corruption, usize)> = vec![
        (
            "no run.json",
            Box::new(|d| std::fs::remove_file(d.join(IDENTITY_FILE)).unwrap()),
            16,
        ),
        (
            "no checkpoint",
            Box::new(|d| std::fs::remove_file(d.join(CHECKPOINT_FILE)).unwrap()),
            16,
        ),
        (
            "corrupted checkpoint",
            Box::new(|d| {
                let path = d.join(CHECKPOINT_FILE);
                let mut bytes = std::fs::read(&path).unwrap();
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x40;
                std::fs::write(path, bytes).unwrap();
            }),
            16,
        ),
        (
            "optimizer of another network",
            Box::new(move |d| {
                let foreign = Archive::decode(&other_state).unwrap();
                craft_checkpoint(&d.join(CHECKPOINT_FILE), |state| {
                    state.put("optimizer", foreign.get("optimizer").unwrap().to_vec())
                })
            }),
            16,
        ),
        (
            "replayed actions out of range",
            Box::new(|d| {
                craft_checkpoint(&d.join(CHECKPOINT_FILE), |state| {
                    let mut replay = state.get("replay").unwrap().to_vec();
                    // The actions are the last array, one i64 per slot of the 5000: make
                    // the first one 7 (of 2 actions).
                    let at = replay.len() - 8 * 5_000;
                    replay[at..at + 8].copy_from_slice(&7i64.to_le_bytes());
                    state.put("replay", replay);
                })
            }),
            16,
        ),
        (
            "counter near 2^64",
            Box::new(|d| {
                craft_checkpoint(&d.join(CHECKPOINT_FILE), |state| {
                    let mut progress: serde_json::Value =
                        serde_json::from_slice(state.get("progress").unwrap()).unwrap();
                    progress["env_steps"] = (u64::MAX - 3).into();
                    state.put("progress", serde_json::to_vec(&progress).unwrap());
                })
            }),
            16,
        ),
        (
            "run counter near 2^64",
            Box::new(|d| {
                let path = d.join(CHECKPOINT_FILE);
                let mut checkpoint = Archive::decode(&std::fs::read(&path).unwrap()).unwrap();
                let mut run: serde_json::Value =
                    serde_json::from_slice(checkpoint.get("run").unwrap()).unwrap();
                run["run"]["summary"]["env_steps"] = (u64::MAX - 3).into();
                checkpoint.put("run", serde_json::to_vec(&run).unwrap());
                std::fs::write(path, checkpoint.encode()).unwrap();
            }),
            16,
        ),
        (
            "metrics log shorter than the checkpoint",
            Box::new(|d| {
                let path = d.join(METRICS_FILE);
                let text = std::fs::read_to_string(&path).unwrap();
                let kept: Vec<&str> = text.lines().take(3).collect();
                std::fs::write(path, kept.join("\n") + "\n").unwrap();
            }),
            16,
        ),
        (
            "run.json of an earlier version, without a lock file",
            Box::new(|d| {
                std::fs::remove_file(d.join(".lock")).unwrap();
                std::fs::write(
                    d.join(IDENTITY_FILE),
                    br#"{"seed":11,"preset":"test","hidden":[16]}"#,
                )
                .unwrap()
            }),
            16,
        ),
        ("another network", Box::new(|_| {}), 24),
    ];
    for (name, corrupt, hidden) in cases {
        let dir = base.join(name.replace(' ', "-"));
        std::fs::create_dir_all(&dir).unwrap();
        for (file, bytes) in contents(&template) {
            std::fs::write(dir.join(file), bytes).unwrap();
        }
        corrupt(&dir);
        let before = contents(&dir);
        let result =
            RunDir::resume(&dir, &identity(hidden)).and_then(|run| train_dqn(&run, hidden, 1_400));
        assert!(result.is_err(), "{name}: resumed");
        assert_eq!(
            contents(&dir),
            before,
            "{name}: {result:?} changed the directory"
        );
    }

    // Another preset, and a directory in use, fail the same way.
    let before = contents(&template);
    let other_preset = RunIdentity {
        preset: "other".into(),
        ..identity(16)
    };
    let mismatch = RunDir::resume(&template, &other_preset);
    match mismatch {
        Err(Error::Artifact(ArtifactError::Mismatch { differences, .. })) => {
            assert_eq!(differences, ["preset: saved \"test\", given \"other\""]);
        }
        other => panic!("{other:?}"),
    }
    let other_kind = RunIdentity {
        algorithm: "actor-critic".into(),
        env: "CartPole-v0".into(),
        ..identity(16)
    };
    match RunDir::resume(&template, &other_kind) {
        Err(Error::Artifact(ArtifactError::Mismatch { differences, .. })) => {
            assert_eq!(differences.len(), 2, "{differences:?}");
            assert!(differences[0].starts_with("algorithm") && differences[1].starts_with("env"));
        }
        other => panic!("{other:?}"),
    }
    let holder = RunDir::resume(&template, &identity(16)).unwrap();
    assert!(matches!(
        RunDir::resume(&template, &identity(16)),
        Err(Error::Artifact(ArtifactError::Locked { .. }))
    ));
    drop(holder);
    assert!(RunDir::resume(base.join("missing"), &identity(16)).is_err());
    assert!(!base.join("missing").exists());
    assert_eq!(contents(&template), before);
    std::fs::remove_dir_all(base).unwrap();
}

#[test]
fn a_resume_applies_the_stop_rule_it_is_given() {
    let dir = temp_dir("stop-rule").join("run");
    let identity = RunIdentity::new("balancer", "CartPole-v1", "test", 11);
    let rule = StopRule::MeanReturn {
        window: 5,
        threshold: Some(400.0),
    };
    let train = |run: &RunDir, config: TrainConfig| {
        run.trainer(config, 1_000)
            .run(&mut Balancer, &mut cartpole(), &mut cartpole())
            .unwrap()
    };

    // Stopped by its rule after 5 episodes of 500 steps.
    let run = RunDir::create(&dir, identity.clone()).unwrap();
    let solved = train(&run, run_config(100_000).with_stop(rule));
    assert!(solved.solved);
    assert_eq!((solved.episodes, solved.env_steps), (5, 2_500));
    drop(run);
    let before = contents(&dir);

    // Resumed under the same rule: nothing more to do, no file changes.
    let run = RunDir::resume(&dir, &identity).unwrap();
    let again = train(&run, run_config(100_000).with_stop(rule));
    assert_eq!((again.episodes, again.env_steps), (5, 2_500));
    drop(run);
    assert_eq!(contents(&dir), before);

    // Resumed under another rule: it goes on to the budget, and a second trainer of the
    // same `RunDir` continues where the first stopped.
    let run = RunDir::resume(&dir, &identity).unwrap();
    let more = train(&run, run_config(3_000).with_stop(StopRule::Never));
    assert_eq!((more.episodes, more.env_steps), (6, 3_000));
    let more = train(&run, run_config(4_000).with_stop(StopRule::Never));
    assert_eq!((more.episodes, more.env_steps), (8, 4_000));
    assert_eq!(run.records().unwrap().len(), 8);
    drop(run);

    // And a rule the earlier episodes already meet stops it at once.
    let run = RunDir::resume(&dir, &identity).unwrap();
    let met = train(&run, run_config(100_000).with_stop(rule));
    assert_eq!(met.env_steps, 4_000);
    drop(run);
    std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}

#[test]
fn divergence_stops_the_run_and_keeps_its_last_checkpoint() {
    let dir = temp_dir("diverged").join("run");
    let run = RunDir::create(&dir, identity(16)).unwrap();
    // Rewards of 1e12 make the first update's squared TD error about 1e24: finite, and garbage.
    let config = dqn_test_config().with_reward_scale(1e12).with_seed(5);
    let mut agent = cartpole_dqn(16, config);
    let result =
        run.trainer(run_config(1_000), 50)
            .run(&mut agent, &mut cartpole(), &mut cartpole());
    assert!(
        matches!(result, Err(Error::Agent(AgentError::Diverged(loss))) if loss > 1e10),
        "{result:?}"
    );
    // The first update comes at step 100 (learning starts); the checkpoint of step 50 stays.
    let kept = checkpoint_summary(&dir.join(CHECKPOINT_FILE)).unwrap();
    assert_eq!(kept.env_steps, 50);
    drop(run);
    std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}
