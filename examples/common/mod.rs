//! What the training examples share: command-line flags, the run directory (metrics,
//! checkpoints, resumption), and what happens after training (plot, save, reload, evaluate,
//! GIF, JSON summary).

use std::path::{Path, PathBuf};

use burn::config::Config;
use cinder_rl::agent::Agent;
use cinder_rl::artifacts::{
    GifRecorder, MetricsWriter, plot_learning_curve, read_metrics, record_episode,
};
use cinder_rl::env::{Environment, Render};
use cinder_rl::rng::derive_seed;
use cinder_rl::train::{
    Checkpoints, EpisodeRecord, TrainConfig, TrainSummary, Trainer, checkpoint_summary, evaluate,
};
use serde_json::json;

/// The flags every training example takes.
pub struct RunArgs {
    /// `--seed N`
    pub seed: u64,
    /// `--max-env-steps N`
    pub max_env_steps: u64,
    /// `--max-episodes N`
    pub max_episodes: Option<u64>,
    /// `--out DIR` (default `runs/<example>/<preset>-seed<N>`, or the `--resume` directory)
    pub out: PathBuf,
    /// `--preset NAME`
    pub preset: String,
    /// `--eval-episodes N`: episodes of the final greedy evaluation of the reloaded agent.
    pub eval_episodes: usize,
    /// `--config FILE`: agent settings (JSON, as the config's `save` writes them) replacing
    /// the preset's.
    pub config: Option<PathBuf>,
    /// `--hidden 128,128`: hidden layer widths replacing the preset's.
    #[allow(dead_code)] // the pixel example builds a CNN, not an MLP
    pub hidden: Option<Vec<usize>>,
    /// `--checkpoint-every N`: environment steps between checkpoints.
    pub checkpoint_every: u64,
    /// `--resume DIR`: continue the run saved in DIR, with its seed, preset and settings.
    pub resume: bool,
}

/// The flags the options line of `--help` lists.
pub const COMMON_FLAGS: &str = "[--seed N] [--max-env-steps N] [--max-episodes N] [--out DIR] [--preset NAME]
    [--eval-episodes N] [--config FILE.json] [--hidden 128,128] [--checkpoint-every N] [--resume DIR]";

impl RunArgs {
    /// Parses the process arguments; `--help` prints `usage` and exits. With `--resume DIR`
    /// the seed, preset, hidden widths and agent settings default to the saved run's.
    pub fn parse(
        example: &str,
        default_preset: &str,
        default_steps: u64,
        usage: &str,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        use lexopt::prelude::*;
        let mut parser = lexopt::Parser::from_env();
        let (mut seed, mut out, mut preset, mut config, mut hidden, mut resume) =
            (None, None, None, None, None, None);
        let (mut max_env_steps, mut max_episodes, mut eval_episodes, mut checkpoint_every) =
            (default_steps, None, 100usize, 25_000u64);
        while let Some(arg) = parser.next()? {
            match arg {
                Long("seed") => seed = Some(parser.value()?.parse()?),
                Long("max-env-steps") => max_env_steps = parser.value()?.parse()?,
                Long("max-episodes") => max_episodes = Some(parser.value()?.parse()?),
                Long("out") => out = Some(PathBuf::from(parser.value()?)),
                Long("preset") => preset = Some(parser.value()?.string()?),
                Long("eval-episodes") => eval_episodes = parser.value()?.parse()?,
                Long("config") => config = Some(PathBuf::from(parser.value()?)),
                Long("hidden") => {
                    let widths = parser.value()?.string()?;
                    hidden = Some(
                        widths
                            .split(',')
                            .map(str::parse)
                            .collect::<Result<Vec<usize>, _>>()?,
                    );
                }
                Long("checkpoint-every") => checkpoint_every = parser.value()?.parse()?,
                Long("resume") => resume = Some(PathBuf::from(parser.value()?)),
                Long("help") | Short('h') => {
                    println!("{usage}");
                    std::process::exit(0);
                }
                _ => return Err(arg.unexpected().into()),
            }
        }
        if let Some(dir) = &resume {
            // The saved run's identity, unless overridden.
            let saved: serde_json::Value = serde_json::from_slice(
                &std::fs::read(dir.join("run.json"))
                    .map_err(|e| format!("{}: {e}", dir.join("run.json").display()))?,
            )?;
            seed = seed.or(saved["seed"].as_u64());
            preset = preset.or(saved["preset"].as_str().map(String::from));
            hidden = hidden.or(serde_json::from_value(saved["hidden"].clone()).ok());
            config = config.or(Some(dir.join("agent_config.json")));
            out = out.or(Some(dir.clone()));
        }
        let seed = seed.unwrap_or(0);
        let preset = preset.unwrap_or_else(|| default_preset.to_string());
        let out =
            out.unwrap_or_else(|| PathBuf::from(format!("runs/{example}/{preset}-seed{seed}")));
        let resume = resume.is_some();
        Ok(Self {
            seed,
            max_env_steps,
            max_episodes,
            out,
            preset,
            eval_episodes,
            config,
            hidden,
            checkpoint_every,
            resume,
        })
    }

    /// The agent settings: `--config`'s file when given, else the preset's.
    pub fn agent_config<C: Config>(&self, preset: C) -> Result<C, Box<dyn std::error::Error>> {
        match &self.config {
            Some(path) => Ok(C::load(path).map_err(|e| format!("{}: {e}", path.display()))?),
            None => Ok(preset),
        }
    }

    /// Records the run's identity in `<out>` (`run.json`, `agent_config.json`) so that
    /// `--resume` can rebuild the same agent.
    pub fn record_identity<C: Config>(
        &self,
        config: &C,
        hidden: &[usize],
    ) -> Result<(), Box<dyn std::error::Error>> {
        std::fs::create_dir_all(&self.out)?;
        config.save(self.out.join("agent_config.json"))?;
        let identity = json!({ "seed": self.seed, "preset": self.preset, "hidden": hidden });
        std::fs::write(self.out.join("run.json"), identity.to_string())?;
        Ok(())
    }

    fn checkpoint_path(&self) -> PathBuf {
        self.out.join("checkpoint.cinder")
    }
}

/// The episode log of a run: every finished episode, kept for the learning curve and
/// appended to `<out>/metrics.csv` as it ends.
pub struct EpisodeLog {
    pub records: Vec<EpisodeRecord>,
    writer: MetricsWriter,
}

impl EpisodeLog {
    /// Starts `<out>/metrics.csv`, or, resuming, keeps its rows up to the checkpoint.
    pub fn open(args: &RunArgs) -> Result<Self, cinder_rl::Error> {
        let path = args.out.join("metrics.csv");
        if !args.resume {
            return Ok(Self {
                records: Vec::new(),
                writer: MetricsWriter::create(&path)?,
            });
        }
        let done = checkpoint_summary(&args.checkpoint_path())?.episodes;
        let writer = MetricsWriter::resume(&path, done)?;
        Ok(Self {
            records: read_metrics(&path)?,
            writer,
        })
    }

    /// Where the log is written.
    pub fn path(&self) -> &Path {
        self.writer.path()
    }

    /// A trainer whose every finished episode goes to this log, checkpointing into `<out>`
    /// and, with `--resume`, continuing from the checkpoint there.
    pub fn trainer<'a>(&'a mut self, config: TrainConfig, args: &RunArgs) -> Trainer<'a> {
        let trainer = Trainer::new(config)
            .on_episode(move |record| {
                self.records.push(*record);
                self.writer.write(record)?;
                Ok(())
            })
            .with_checkpoints(Checkpoints {
                path: args.checkpoint_path(),
                every_env_steps: args.checkpoint_every,
            });
        if args.resume {
            trainer.resume_from(args.checkpoint_path())
        } else {
            trainer
        }
    }
}

/// What every example does after training, in `args.out`: draws `learning_curve.png`, saves
/// the agent to `agent.cinder`, loads it into `reloaded` (a fresh agent of the same shape),
/// evaluates that one greedily, records one of its episodes as `episode.gif`, and prints the
/// summary line.
pub fn finish_run<E, A>(
    summary: &TrainSummary,
    log: &EpisodeLog,
    trained: &A,
    mut reloaded: A,
    eval_env: &mut E,
    args: &RunArgs,
) -> Result<(), Box<dyn std::error::Error>>
where
    E: Environment<Action = usize> + Render,
    A: Agent<E::Observation>,
{
    let curve = args.out.join("learning_curve.png");
    let title = format!(
        "{} on {} (seed {})",
        summary.algorithm, summary.env, summary.seed
    );
    plot_learning_curve(&log.records, eval_env.reward_threshold(), &title, &curve)?;

    let agent_path = args.out.join("agent.cinder");
    trained.save(&agent_path)?;
    reloaded.load(&agent_path)?;
    let evaluation = evaluate(
        &mut reloaded,
        eval_env,
        args.eval_episodes,
        derive_seed(args.seed, 3),
    )?;
    eprintln!(
        "saved {}; reloaded agent, greedy over {} episodes: mean return {:.1}",
        agent_path.display(),
        evaluation.returns.len(),
        evaluation.mean_return()
    );

    let gif_path = args.out.join("episode.gif");
    let mut gif = GifRecorder::new(600, 400, 50)?;
    let gif_return = record_episode(&mut reloaded, eval_env, derive_seed(args.seed, 4), &mut gif)?;
    gif.finish(&gif_path)?;
    eprintln!(
        "wrote {}, {}, {} (return {gif_return})",
        log.path().display(),
        curve.display(),
        gif_path.display()
    );
    print_summary(
        summary,
        &[
            ("preset", args.preset.clone().into()),
            ("reloaded_eval_mean_return", evaluation.mean_return().into()),
            ("out", args.out.display().to_string().into()),
        ],
    );
    Ok(())
}

/// Prints the run's summary, with extra fields, as one JSON line on stdout.
pub fn print_summary(summary: &TrainSummary, extra: &[(&str, serde_json::Value)]) {
    let mut json = serde_json::to_value(summary).expect("the summary serialises");
    if let Some(object) = json.as_object_mut() {
        for (key, value) in extra {
            object.insert((*key).to_string(), value.clone());
        }
    }
    println!("{json}");
}
