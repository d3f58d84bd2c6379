//! What the training examples share: command-line flags and the JSON summary line.

use std::path::PathBuf;

use cinder_rl::agent::Agent;
use cinder_rl::artifacts::{GifRecorder, MetricsWriter, plot_learning_curve, record_episode};
use cinder_rl::env::{Environment, Render};
use cinder_rl::rng::derive_seed;
use cinder_rl::train::{EpisodeRecord, TrainSummary, Trainer, evaluate};

/// The flags every training example takes.
pub struct RunArgs {
    /// `--seed N`
    pub seed: u64,
    /// `--max-env-steps N`
    pub max_env_steps: u64,
    /// `--max-episodes N`
    pub max_episodes: Option<u64>,
    /// `--out DIR` (default `runs/<example>/<preset>-seed<N>`)
    pub out: PathBuf,
    /// `--preset NAME`
    pub preset: String,
    /// `--eval-episodes N`: episodes of the final greedy evaluation of the reloaded agent.
    pub eval_episodes: usize,
    /// `--config FILE`: agent settings (JSON, as the config's `save` writes them) replacing
    /// the preset's.
    pub config: Option<PathBuf>,
    /// `--hidden 128,128`: hidden layer widths replacing the preset's.
    pub hidden: Option<Vec<usize>>,
}

impl RunArgs {
    /// Parses the process arguments; `--help` prints `usage` and exits.
    pub fn parse(
        example: &str,
        default_preset: &str,
        default_steps: u64,
        usage: &str,
    ) -> Result<Self, lexopt::Error> {
        use lexopt::prelude::*;
        let mut parser = lexopt::Parser::from_env();
        let (mut seed, mut max_env_steps, mut out, mut preset, mut eval_episodes) = (
            0u64,
            default_steps,
            None,
            default_preset.to_string(),
            100usize,
        );
        let (mut config, mut hidden, mut max_episodes) = (None, None, None);
        while let Some(arg) = parser.next()? {
            match arg {
                Long("seed") => seed = parser.value()?.parse()?,
                Long("max-env-steps") => max_env_steps = parser.value()?.parse()?,
                Long("max-episodes") => max_episodes = Some(parser.value()?.parse()?),
                Long("out") => out = Some(PathBuf::from(parser.value()?)),
                Long("preset") => preset = parser.value()?.string()?,
                Long("eval-episodes") => eval_episodes = parser.value()?.parse()?,
                Long("config") => config = Some(PathBuf::from(parser.value()?)),
                Long("hidden") => {
                    let widths = parser.value()?.string()?;
                    let widths: Result<Vec<usize>, _> = widths.split(',').map(str::parse).collect();
                    hidden = Some(widths.map_err(|e| lexopt::Error::Custom(Box::new(e)))?);
                }
                Long("help") | Short('h') => {
                    println!("{usage}");
                    std::process::exit(0);
                }
                _ => return Err(arg.unexpected()),
            }
        }
        let out =
            out.unwrap_or_else(|| PathBuf::from(format!("runs/{example}/{preset}-seed{seed}")));
        Ok(Self {
            seed,
            max_env_steps,
            max_episodes,
            out,
            preset,
            eval_episodes,
            config,
            hidden,
        })
    }
}

/// The episode log of a run: every finished episode, kept for the learning curve and
/// appended to `<out>/metrics.csv` as it ends.
pub struct EpisodeLog {
    pub records: Vec<EpisodeRecord>,
    writer: MetricsWriter,
}

impl EpisodeLog {
    /// Starts `<out>/metrics.csv`.
    pub fn create(args: &RunArgs) -> Result<Self, cinder_rl::Error> {
        Ok(Self {
            records: Vec::new(),
            writer: MetricsWriter::create(&args.out.join("metrics.csv"))?,
        })
    }

    /// Where the log is written.
    pub fn writer_path(&self) -> &std::path::Path {
        self.writer.path()
    }

    /// A trainer whose every finished episode goes to this log.
    pub fn trainer<'a>(&'a mut self, config: cinder_rl::train::TrainConfig) -> Trainer<'a> {
        Trainer::new(config).on_episode(move |record| {
            self.records.push(*record);
            self.writer.write(record)?;
            Ok(())
        })
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
        log.writer_path().display(),
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
