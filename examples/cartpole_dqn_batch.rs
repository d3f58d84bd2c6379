//! Collect-then-train DQN, as in the batch-trainer tutorial. Each iteration
//!
//! 1. plays whole episodes with an epsilon-greedy policy until it has gathered `--collect`
//!    new transitions (epsilon 0.9 -> 0.05, exponential, decay 200 iterations);
//! 2. keeps `--keep` randomly chosen transitions of the older data and adds the new ones;
//! 3. shuffles them and trains `--epochs` epochs over them in batches of `--batch` (MSE loss,
//!    gamma 0.9, Adam 1e-3, a 4-256-256-2 network that is its own target);
//! 4. plays whole greedy episodes until `--eval-steps` steps and reports their mean return.
//!
//! ```text
//! cargo run --release --example cartpole_dqn_batch -- [--seed N] [--iterations N] [--collect N]
//!     [--keep N] [--epochs N] [--batch N] [--eval-steps N] [--out DIR [--overwrite]]
//! ```
//! Unlike the tutorial, truncation at 500 steps is not a terminal state (its transitions
//! bootstrap) and each episode starts from a fresh reset. Progress goes to stderr; the last
//! line on stdout is a JSON summary. The output directory receives `metrics.csv` (every
//! collected episode), `learning_curve.png`, `agent.cinder` and `episode.gif`.

use std::path::PathBuf;
use std::time::Instant;

use burn::tensor::Device;
use cinder_rl::agents::dqn::TargetUpdate;
use cinder_rl::agents::{Dqn, DqnConfig, ValueLoss};
use cinder_rl::artifacts::{
    AGENT_FILE, CURVE_FILE, GIF_FILE, GifRecorder, METRICS_FILE, MetricsWriter, RunDir,
    RunIdentity, plot_learning_curve, record_episode,
};
use cinder_rl::env::{CartPole, CartPoleConfig, Environment};
use cinder_rl::memory::{Batch, Transition};
use cinder_rl::nn::MlpConfig;
use cinder_rl::policy::{EpsilonGreedy, Exponential, Policy};
use cinder_rl::rng::{SeededRng, derive_seed, seeded};
use cinder_rl::train::{EpisodeRecord, evaluate};
use clap::Parser;
use clap::builder::RangedU64ValueParser;
use rand::seq::SliceRandom;
use serde_json::json;

/// Collect-then-train DQN on CartPole-v1, as in the batch-trainer tutorial.
#[derive(Parser, Debug)]
#[command(name = "cartpole_dqn_batch")]
struct Args {
    /// Seed of the run
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Collect-train-evaluate iterations
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = RangedU64ValueParser::<u64>::new().range(1..=1_000_000))]
    iterations: u64,
    /// New transitions gathered per iteration
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = RangedU64ValueParser::<usize>::new().range(1..=10_000_000))]
    collect: usize,
    /// Older transitions kept per iteration
    #[arg(long, value_name = "N", default_value_t = 1_000, value_parser = RangedU64ValueParser::<usize>::new().range(0..=10_000_000))]
    keep: usize,
    /// Epochs over the data per iteration
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000))]
    epochs: usize,
    /// Transitions per gradient update
    #[arg(long, value_name = "N", default_value_t = 1_000, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    batch: usize,
    /// Greedy steps played per evaluation
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = RangedU64ValueParser::<usize>::new().range(1..=10_000_000))]
    eval_steps: usize,
    /// Directory of the run [default: runs/cartpole_dqn_batch/seed<N>, numbered -2, -3... when
    /// taken]; one that holds a run is refused unless --overwrite
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace the run in --out
    #[arg(long, requires = "out")]
    overwrite: bool,
}

/// What [`play`] gathered: every transition, and each episode's (return, length).
struct Played {
    transitions: Vec<Transition<[f32; 4]>>,
    episodes: Vec<(f64, u64)>,
}

/// Whole episodes played with `policy` until at least `min_steps` steps.
fn play<P: Policy<[f32]>>(
    env: &mut CartPole,
    policy: &mut P,
    min_steps: usize,
    seeds: &mut SeededRng,
) -> Result<Played, Box<dyn std::error::Error>> {
    let mut transitions = Vec::with_capacity(min_steps + 500);
    let mut episodes = Vec::new();
    while transitions.len() < min_steps {
        let mut observation = env.reset(Some(rand::RngExt::random(seeds)));
        let (mut episode_return, mut length) = (0.0, 0);
        loop {
            let action = policy.act(&observation)?;
            let step = env.step(action)?;
            episode_return += step.reward;
            length += 1;
            let done = step.done();
            transitions.push(Transition::from_step(observation, action, step));
            observation = step.observation;
            if done {
                break;
            }
        }
        episodes.push((episode_return, length));
    }
    Ok(Played {
        transitions,
        episodes,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let device = Device::flex();
    let network = MlpConfig::new(4, 2)
        .with_hidden(vec![256, 256])
        .init(&device, derive_seed(args.seed, 2))?;
    // The agent's own replay memory and schedules stay unused: the loop below feeds it batches.
    let config = DqnConfig::new()
        .with_gamma(0.9)
        .with_learning_rate(1e-3)
        .with_learning_rate_schedule(None)
        .with_loss(ValueLoss::Mse)
        .with_max_grad_norm(None)
        .with_double_dqn(false)
        // Copying the weights after every update makes the network its own target.
        .with_target_update(TargetUpdate::Polyak { tau: 1.0 })
        .with_reward_scale(1.0)
        .with_batch_size(args.batch)
        .with_replay_capacity(args.batch)
        .with_learning_starts(args.batch)
        .with_seed(args.seed);
    let mut agent = Dqn::new(config.clone(), network, 4, 2, &device)?;
    let exploration = Exponential::new(0.9, 0.05, 200.0)?;
    let identity = RunIdentity::new(
        "dqn-collect-then-train",
        "CartPole-v1",
        "tutorial",
        args.seed,
    )
    .with_agent_config(&config)
    .with_network(&[256, 256])
    .with_train(&serde_json::json!({
        "iterations": args.iterations, "collect": args.collect, "keep": args.keep,
        "epochs": args.epochs, "batch": args.batch, "eval_steps": args.eval_steps,
    }));
    let run = match &args.out {
        Some(out) if args.overwrite => RunDir::replace(out, identity)?,
        Some(out) => RunDir::create(out, identity)?,
        None => {
            let base = format!("runs/cartpole_dqn_batch/seed{}", args.seed);
            RunDir::create_numbered(base, identity)?
        }
    };

    let mut env = CartPole::new(CartPoleConfig::v1())?;
    let mut shuffle_rng = seeded(derive_seed(args.seed, 5));
    let mut episode_seeds = seeded(derive_seed(args.seed, 6));
    let mut metrics = MetricsWriter::create(&run.file(METRICS_FILE))?;
    let mut records = Vec::new();
    let mut data: Vec<Transition<[f32; 4]>> = Vec::new();
    let (mut env_steps, mut last_greedy, mut best_greedy) = (0u64, 0.0, f64::MIN);
    let start = Instant::now();

    for iteration in 0..args.iterations {
        // 1. Collect whole episodes with the current network, epsilon-greedy.
        let mut explorer = EpsilonGreedy::new(
            agent.q_values().clone(),
            exploration,
            derive_seed(args.seed, 1_000 + iteration),
        );
        explorer.set_step(iteration);
        let epsilon = explorer.epsilon();
        let Played {
            transitions: new,
            episodes,
        } = play(&mut env, &mut explorer, args.collect, &mut episode_seeds)?;

        // 2. Keep a random part of the older data, add the new.
        data.shuffle(&mut shuffle_rng);
        data.truncate(args.keep);
        data.extend(new);

        // 3. Epochs over the shuffled data in whole batches.
        data.shuffle(&mut shuffle_rng);
        let mut losses = Vec::new();
        for _ in 0..args.epochs {
            for chunk in data.chunks_exact(args.batch) {
                losses.push(agent.learn_batch(&Batch::from_transitions(chunk)?)?);
            }
        }
        let mean_loss =
            (!losses.is_empty()).then(|| losses.iter().sum::<f32>() / losses.len() as f32);

        for (episode_return, length) in episodes {
            env_steps += length;
            let record = EpisodeRecord {
                episode: records.len() as u64 + 1,
                env_steps,
                episode_return,
                length,
                epsilon: Some(epsilon),
                entropy: None,
                mean_loss,
                updates: agent.updates(),
                wall_s: start.elapsed().as_secs_f64(),
                metrics: Vec::new(),
            };
            metrics.write(&record)?;
            records.push(record);
        }

        // 4. Evaluate greedily.
        let greedy = play(
            &mut env,
            &mut agent.greedy_policy(),
            args.eval_steps,
            &mut episode_seeds,
        )?
        .episodes;
        last_greedy = greedy.iter().map(|(r, _)| r).sum::<f64>() / greedy.len() as f64;
        best_greedy = best_greedy.max(last_greedy);
        if iteration % 10 == 9 || iteration + 1 == args.iterations {
            eprintln!(
                "iteration {:>4}  eps {epsilon:.3}  data {:>6}  loss {:>8.4}  greedy return {last_greedy:>6.1}  {:.1}s",
                iteration + 1,
                data.len(),
                mean_loss.unwrap_or(f32::NAN),
                start.elapsed().as_secs_f64()
            );
        }
    }
    let wall_s = start.elapsed().as_secs_f64();

    let curve = run.file(CURVE_FILE);
    let title = format!("collect-then-train DQN on CartPole-v1 (seed {})", args.seed);
    plot_learning_curve(&records, env.reward_threshold(), &title, &curve)?;
    let agent_path = run.file(AGENT_FILE);
    agent.save(&agent_path)?;
    let mut reloaded = Dqn::new(
        config,
        MlpConfig::new(4, 2)
            .with_hidden(vec![256, 256])
            .init(&device, 0)?,
        4,
        2,
        &device,
    )?;
    reloaded.load(&agent_path)?;
    let evaluation = evaluate(&mut reloaded, &mut env, 100, derive_seed(args.seed, 3))?;
    let gif_path = run.file(GIF_FILE);
    let mut gif = GifRecorder::new(600, 400, 50)?;
    let gif_return = record_episode(&mut reloaded, &mut env, derive_seed(args.seed, 4), &mut gif)?;
    gif.finish(&gif_path)?;
    eprintln!(
        "saved {}; reloaded agent, greedy over 100 episodes: mean return {:.1}; wrote {}, {} (return {gif_return})",
        agent_path.display(),
        evaluation.mean_return(),
        curve.display(),
        gif_path.display()
    );
    println!(
        "{}",
        json!({
            "algorithm": "dqn-collect-then-train",
            "env": "CartPole-v1",
            "seed": args.seed,
            "iterations": args.iterations,
            "env_steps": env_steps,
            "episodes": records.len(),
            "updates": agent.updates(),
            "greedy_return_last": last_greedy,
            "greedy_return_best": best_greedy,
            "reloaded_eval_mean_return": evaluation.mean_return(),
            "wall_s": wall_s,
            "out": run.path().display().to_string(),
        })
    );
    Ok(())
}
