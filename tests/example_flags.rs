//! The training examples' shared flags are checked at the edge: unknown flags, values out of
//! their documented bounds, an empty `--out` and contradictory flags are errors, `--help`
//! answers, and `--config` files are read strictly over the preset.

#[path = "../examples/common/mod.rs"]
#[allow(dead_code)]
mod example_common;

use cinder_rl::agents::DqnConfig;
use cinder_rl::artifacts::{RunDir, RunIdentity};
use cinder_rl::train::StopRule;
use clap::Parser;
use clap::error::ErrorKind;
use example_common::{HiddenFlag, RunFlags};

/// The flags of the MLP examples.
#[derive(Parser, Debug)]
struct Cli {
    #[command(flatten)]
    run: RunFlags,
    #[command(flatten)]
    hidden: HiddenFlag,
}

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("example").chain(args.iter().copied()))
}

#[test]
fn flags_out_of_bounds_or_unknown_are_errors() {
    for args in [
        &["--bogus"][..],
        &["--eval-episodes", "100000000000000"],
        &["--eval-episodes", "-1"],
        &["--hidden", "1000000000"],
        &["--hidden", "0"],
        &["--hidden", "8,,8"],
        &["--checkpoint-every", "0"],
        &["--max-env-steps", "0"],
        &["--max-episodes", "99999999999999999999"],
        &["--seed", "x"],
        &["--out", ""],
        &["--overwrite"],
        &["--out", "a", "--resume", "b"],
    ] {
        let error = parse(args).unwrap_err();
        assert_ne!(error.kind(), ErrorKind::DisplayHelp, "{args:?}");
    }
    assert_eq!(
        parse(&["--help"]).unwrap_err().kind(),
        ErrorKind::DisplayHelp
    );

    let cli = parse(&["--hidden", "64,32", "--eval-episodes", "0", "--no-stop"]).unwrap();
    assert_eq!(cli.hidden.hidden, Some(vec![64, 32]));
    assert_eq!(cli.run.eval_episodes, 0);
    assert_eq!(cli.run.checkpoint_every, 25_000);
    let plan = cli.run.plan("tuned").unwrap();
    let config = cli.run.train_config(&plan, 1_000, StopRule::solved());
    assert_eq!(
        (config.stop, config.stop_when_solved),
        (StopRule::solved(), false)
    );
    let cli = parse(&[]).unwrap();
    let config = cli.run.train_config(&plan, 1_000, StopRule::solved());
    assert_eq!(
        (config.stop, config.stop_when_solved),
        (StopRule::solved(), true)
    );
}

#[test]
fn a_config_file_is_read_strictly_over_the_preset_and_a_resume_takes_the_saved_run() {
    let dir = std::env::temp_dir().join(format!("cinder-example-flags-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let preset = DqnConfig::new().with_gamma(0.98).with_batch_size(32);

    let file = dir.join("partial.json");
    std::fs::write(&file, r#"{"learning_rate": 0.001}"#).unwrap();
    let cli = parse(&["--config", file.to_str().unwrap()]).unwrap();
    let plan = cli.run.plan("tuned").unwrap();
    let config = cli.run.agent_config(&plan, preset.clone()).unwrap();
    assert_eq!(
        (config.learning_rate, config.gamma, config.batch_size),
        (0.001, 0.98, 32)
    );
    std::fs::write(&file, r#"{"learnig_rate": 0.001}"#).unwrap();
    let error = cli.run.agent_config(&plan, preset.clone()).unwrap_err();
    assert!(error.to_string().contains("learnig_rate"), "{error}");

    // A resume takes the saved seed, preset, settings and widths unless flags say otherwise.
    let saved = preset.clone().with_gamma(0.9);
    let run_dir = dir.join("run");
    let identity = RunIdentity::new("dqn", "CartPole-v1", "minimal", 7)
        .with_agent_config(&saved)
        .with_network(&[16, 16]);
    drop(RunDir::create(&run_dir, identity).unwrap());
    let cli = parse(&["--resume", run_dir.to_str().unwrap()]).unwrap();
    let plan = cli.run.plan("tuned").unwrap();
    assert_eq!((plan.seed, plan.preset.as_str()), (7, "minimal"));
    assert_eq!(cli.run.agent_config(&plan, preset).unwrap().gamma, 0.9);
    assert_eq!(cli.run.hidden(&cli.hidden, &plan, &[128]), [16, 16]);
    std::fs::remove_dir_all(&dir).unwrap();
}
