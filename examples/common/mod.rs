//! What the training examples share: command-line flags and the JSON summary line.

use std::path::PathBuf;

use cinder_rl::agent::Agent;
use cinder_rl::env::Environment;
use cinder_rl::rng::derive_seed;
use cinder_rl::train::{TrainSummary, evaluate};

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

/// Saves the trained agent to `<out>/agent.cinder`, loads it into `reloaded` (a fresh agent
/// of the same shape), evaluates that one greedily and prints the summary line with the
/// reloaded agent's mean return.
pub fn save_reload_evaluate<E, A>(
    summary: &TrainSummary,
    trained: &A,
    mut reloaded: A,
    eval_env: &mut E,
    args: &RunArgs,
) -> Result<(), Box<dyn std::error::Error>>
where
    E: Environment<Action = usize>,
    A: Agent<E::Observation>,
{
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
    print_summary(
        summary,
        &[
            ("preset", args.preset.clone().into()),
            ("reloaded_eval_mean_return", evaluation.mean_return().into()),
            ("agent_path", agent_path.display().to_string().into()),
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
