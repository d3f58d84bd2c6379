//! What the training examples share: command-line flags (checked at the edge), the run
//! directory (a fresh, replaced or resumed run), and what happens after training (plot, save,
//! reload, evaluate, GIF, JSON summary).

use std::path::PathBuf;
use std::process::ExitCode;

use cinder_rl::agent::Agent;
use cinder_rl::agents::read_config;
use cinder_rl::artifacts::{
    AGENT_FILE, CURVE_FILE, GIF_FILE, GifRecorder, METRICS_FILE, RunDir, RunIdentity,
    plot_learning_curve, record_episode,
};
use cinder_rl::env::{Environment, Render};
use cinder_rl::rng::derive_seed;
use cinder_rl::train::{MAX_EVAL_EPISODES, StopRule, TrainConfig, TrainSummary, evaluate};
use clap::builder::RangedU64ValueParser;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The examples allocate with mimalloc: a training step of a small network allocates and frees
/// a few hundred tensor buffers, and mimalloc serves them faster than the system allocator
/// (one DQN update at batch 32: 231 instead of 272 us on a 2-core AMD EPYC). A binary of
/// yours chooses its own allocator the same way.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The most environment steps a flag may ask for (10^12).
const MAX_STEPS: u64 = 1_000_000_000_000;

/// The flags every training example takes.
#[derive(clap::Args, Debug)]
pub struct RunFlags {
    /// Seed of the run [default: 0, or the resumed run's]
    #[arg(long)]
    pub seed: Option<u64>,
    /// Environment steps to train for, in all (a resumed run counts its earlier steps)
    #[arg(long, value_name = "N", value_parser = RangedU64ValueParser::<u64>::new().range(1..=MAX_STEPS))]
    pub max_env_steps: Option<u64>,
    /// Episodes to train for, in all
    #[arg(long, value_name = "N", value_parser = RangedU64ValueParser::<u64>::new().range(1..=MAX_STEPS))]
    pub max_episodes: Option<u64>,
    /// Directory of a fresh run [default: runs/<example>/<preset>-seed<N>, numbered -2, -3...
    /// when taken]; one that holds a run is refused unless --overwrite
    #[arg(long, value_name = "DIR", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Replace the run in --out (its files are removed once this run holds the directory)
    #[arg(long, requires = "out")]
    pub overwrite: bool,
    /// Settings preset [default: the example's first; with --resume, the saved run's]
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Episodes of the final greedy evaluation of the reloaded agent
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = RangedU64ValueParser::<usize>::new().range(0..=MAX_EVAL_EPISODES as u64))]
    pub eval_episodes: usize,
    /// Agent settings (JSON) replacing the preset's; omitted keys keep the preset's values,
    /// unknown keys are an error
    #[arg(long, value_name = "FILE.json")]
    pub config: Option<PathBuf>,
    /// Environment steps between checkpoints
    #[arg(long, value_name = "N", default_value_t = 25_000,
          value_parser = RangedU64ValueParser::<u64>::new().range(1..=MAX_STEPS))]
    pub checkpoint_every: u64,
    /// Continue the run saved in DIR (its seed, preset and settings; only budgets, evaluation
    /// and stop settings may change)
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// Train the whole budget instead of stopping when the task is solved (also to continue a
    /// resumed run that already met its stop rule)
    #[arg(long)]
    pub no_stop: bool,
}

/// `--hidden`, for the examples whose network is an MLP.
#[derive(clap::Args, Debug)]
pub struct HiddenFlag {
    /// Hidden layer widths replacing the preset's, e.g. 128,128 (each 1 to 16384; the network
    /// may have at most 2^28 parameters)
    #[arg(long, value_name = "W,W", value_delimiter = ',',
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=16_384))]
    pub hidden: Option<Vec<usize>>,
}

/// What the flags resolve to, once a resumed run's saved settings fill what they leave open.
pub struct RunPlan {
    /// The run's seed.
    pub seed: u64,
    /// The preset's name.
    pub preset: String,
    /// The saved identity of the run to resume.
    saved: Option<RunIdentity>,
}

impl RunFlags {
    /// The seed and preset: the flags', else the resumed run's, else 0 and `default_preset`.
    pub fn plan(&self, default_preset: &str) -> Result<RunPlan, cinder_rl::Error> {
        let saved = match &self.resume {
            Some(dir) => Some(RunDir::read_identity(dir)?),
            None => None,
        };
        Ok(RunPlan {
            seed: self.seed.or(saved.as_ref().map(|s| s.seed)).unwrap_or(0),
            preset: self
                .preset
                .clone()
                .or(saved.as_ref().map(|s| s.preset.clone()))
                .unwrap_or_else(|| default_preset.to_string()),
            saved,
        })
    }

    /// The step budget: the flag's, else `default`.
    pub fn steps(&self, default: u64) -> u64 {
        self.max_env_steps.unwrap_or(default)
    }

    /// The training settings of the run: its seed, the [step budget](Self::steps) (of
    /// `default_steps` unless the flag says otherwise), `--max-episodes`, the stop rule
    /// (which ends the run when met, unless `--no-stop`: then the run trains its whole budget
    /// and the summary still says when the rule was first met) and a greedy evaluation of 10
    /// episodes.
    pub fn train_config(&self, plan: &RunPlan, default_steps: u64, stop: StopRule) -> TrainConfig {
        TrainConfig::new(plan.seed)
            .with_max_env_steps(Some(self.steps(default_steps)))
            .with_max_episodes(self.max_episodes)
            .with_stop(stop)
            .with_stop_when_solved(!self.no_stop)
            .with_eval_episodes(10)
    }

    /// The agent settings: `--config`'s file (read strictly over the preset's), else the
    /// resumed run's, else the preset's.
    pub fn agent_config<C: Serialize + DeserializeOwned>(
        &self,
        plan: &RunPlan,
        preset: C,
    ) -> Result<C, Box<dyn std::error::Error>> {
        if let Some(path) = &self.config {
            return Ok(read_config(path, &preset)?);
        }
        match &plan.saved {
            Some(saved) => Ok(serde_json::from_value(saved.agent_config.clone()).map_err(|e| {
                let earlier = if e.to_string().contains("missing field") {
                    " (the run was made by an earlier version, which lacked that setting: resume it with that version, or start a new run)"
                } else {
                    ""
                };
                format!("the resumed run's agent settings: {e}{earlier}")
            })?),
            None => Ok(preset),
        }
    }

    /// The network's hidden widths: `--hidden`, else the resumed run's, else the preset's.
    #[allow(dead_code)] // the pixel example builds a CNN, not an MLP
    pub fn hidden(&self, hidden: &HiddenFlag, plan: &RunPlan, preset: &[usize]) -> Vec<usize> {
        hidden
            .hidden
            .clone()
            .or_else(|| {
                plan.saved
                    .as_ref()
                    .and_then(|s| serde_json::from_value(s.network.clone()).ok())
            })
            .unwrap_or_else(|| preset.to_vec())
    }

    /// Opens the run directory: resumes `--resume`, replaces `--out` with `--overwrite`,
    /// starts in `--out`, or starts in the first free default directory.
    pub fn open(&self, example: &str, identity: RunIdentity) -> Result<RunDir, cinder_rl::Error> {
        match (&self.resume, &self.out) {
            (Some(dir), _) => RunDir::resume(dir, &identity),
            (None, Some(out)) if self.overwrite => RunDir::replace(out, identity),
            (None, Some(out)) => RunDir::create(out, identity),
            (None, None) => {
                let base = format!("runs/{example}/{}-seed{}", identity.preset, identity.seed);
                RunDir::create_numbered(base, identity)
            }
        }
    }

    /// What every example does after training, in the run directory: draws the learning
    /// curve (when an episode finished), saves the agent, loads it into `reloaded` (a fresh
    /// agent of the same shape), evaluates that one greedily over `--eval-episodes`, records
    /// one of its episodes as a GIF, and prints the summary line with `extra` fields. A
    /// resumed run that had nothing left to do says so and writes nothing.
    pub fn finish<E, A>(
        &self,
        summary: &TrainSummary,
        run: &RunDir,
        trained: &A,
        mut reloaded: A,
        eval_env: &mut E,
        extra: &[(&str, serde_json::Value)],
    ) -> Result<(), Box<dyn std::error::Error>>
    where
        E: Environment + Render,
        E::Action: Clone,
        A: Agent<E::Observation, E::Action>,
    {
        if nothing_to_do(run, summary, extra) {
            return Ok(());
        }
        let seed = summary.seed;
        let records = run.records()?;
        let mut written = vec![METRICS_FILE];
        if records.is_empty() {
            eprintln!("no episode finished within the budget, so there is no learning curve");
        } else {
            let title = format!("{} on {} (seed {seed})", summary.algorithm, summary.env);
            let curve = run.file(CURVE_FILE);
            plot_learning_curve(&records, eval_env.reward_threshold(), &title, &curve)?;
            written.push(CURVE_FILE);
        }

        let agent_path = run.file(AGENT_FILE);
        trained.save(&agent_path)?;
        reloaded.load(&agent_path)?;
        let evaluation = evaluate(
            &mut reloaded,
            eval_env,
            self.eval_episodes,
            derive_seed(seed, 3),
        )?;
        eprintln!(
            "saved {}; reloaded agent, greedy over {} episodes: mean return {:.1}",
            agent_path.display(),
            evaluation.returns.len(),
            evaluation.mean_return()
        );

        let gif_path = run.file(GIF_FILE);
        let (width, height) = eval_env.screen_size();
        let mut gif = GifRecorder::new(width, height, 50)?;
        let gif_return = record_episode(&mut reloaded, eval_env, derive_seed(seed, 4), &mut gif)?;
        gif.finish(&gif_path)?;
        written.push(GIF_FILE);
        eprintln!(
            "wrote {} in {} (the GIF's episode returned {gif_return})",
            written.join(", "),
            run.path().display()
        );
        let eval_mean = (self.eval_episodes > 0).then(|| evaluation.mean_return());
        let mut fields = vec![
            ("preset", run.identity().preset.clone().into()),
            ("reloaded_eval_mean_return", eval_mean.into()),
            ("out", run.path().display().to_string().into()),
        ];
        fields.extend_from_slice(extra);
        print_summary(summary, &fields);
        Ok(())
    }
}

/// The error for a preset name that is not among `names`.
pub fn unknown_preset<'a>(name: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    format!("unknown preset {name:?}; presets: {}", names.join(", "))
}

/// Whether the resumed run had nothing left to do (its stop rule was already met, or its
/// budget spent); says so on stderr and prints the summary line.
fn nothing_to_do(
    run: &RunDir,
    summary: &TrainSummary,
    extra: &[(&str, serde_json::Value)],
) -> bool {
    let Some(resumed) = run.resumed() else {
        return false;
    };
    if summary.env_steps != resumed.env_steps {
        return false;
    }
    let why = if resumed.solved {
        format!(
            "it met its stop rule at {} steps (--no-stop with a larger --max-env-steps trains on)",
            resumed.solved_at_env_steps.unwrap_or(0)
        )
    } else {
        "its budget is spent: give a larger --max-env-steps or --max-episodes".into()
    };
    eprintln!(
        "nothing to do: the run in {} has {} steps and {why}; its files are unchanged",
        run.path().display(),
        resumed.env_steps
    );
    let mut fields = vec![("out", run.path().display().to_string().into())];
    fields.extend_from_slice(extra);
    print_summary(summary, &fields);
    true
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

/// Runs an example's body; an error is printed as its message (not its debug form) and the
/// process exits with status 1.
pub fn exit_on_error(body: fn() -> Result<(), Box<dyn std::error::Error>>) -> ExitCode {
    match body() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
