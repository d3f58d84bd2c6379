//! Bring your own environment: implement `Environment` for a small grid world (5 observation
//! values, 4 actions) and run a seeded random policy through it with the crate's wrappers.
//!
//! ```text
//! cargo run --release --example custom_env -- --episodes 200 --seed 7
//! ```
//! Progress goes to stderr; the last line on stdout is a JSON summary.

use cinder_rl::env::{Environment, EnvironmentExt, Space, Step};
use cinder_rl::error::EnvError;
use cinder_rl::policy::{Policy, RandomPolicy};
use clap::Parser;
use clap::builder::RangedU64ValueParser;
use rand::RngExt;

/// A `SIZE` x `SIZE` grid; the agent starts in a random cell and must reach the goal corner.
/// Each move costs 0.01; reaching the goal pays 1 and terminates the episode.
struct GridWorld {
    row: i32,
    col: i32,
    rng: cinder_rl::rng::SeededRng,
    started: bool,
}

const SIZE: i32 = 5;
const GOAL: (i32, i32) = (SIZE - 1, SIZE - 1);

impl GridWorld {
    fn new() -> Self {
        Self {
            row: 0,
            col: 0,
            rng: cinder_rl::rng::seeded(0),
            started: false,
        }
    }

    /// Position and goal scaled to [0, 1], plus the Manhattan distance to the goal.
    fn observation(&self) -> [f32; 5] {
        let scale = (SIZE - 1) as f32;
        let distance = (GOAL.0 - self.row).abs() + (GOAL.1 - self.col).abs();
        [
            self.row as f32 / scale,
            self.col as f32 / scale,
            GOAL.0 as f32 / scale,
            GOAL.1 as f32 / scale,
            distance as f32 / (2.0 * scale),
        ]
    }
}

impl Environment for GridWorld {
    type Observation = [f32; 5];
    type Action = usize;

    fn reset(&mut self, seed: Option<u64>) -> [f32; 5] {
        if let Some(seed) = seed {
            self.rng = cinder_rl::rng::seeded(seed);
        }
        loop {
            self.row = self.rng.random_range(0..SIZE);
            self.col = self.rng.random_range(0..SIZE);
            if (self.row, self.col) != GOAL {
                break;
            }
        }
        self.started = true;
        self.observation()
    }

    fn step(&mut self, action: usize) -> Result<Step<[f32; 5]>, EnvError> {
        self.action_space().check(action)?;
        if !self.started {
            return Err(EnvError::ResetNeeded);
        }
        let (dr, dc) = [(-1, 0), (1, 0), (0, -1), (0, 1)][action];
        self.row = (self.row + dr).clamp(0, SIZE - 1);
        self.col = (self.col + dc).clamp(0, SIZE - 1);
        let terminated = (self.row, self.col) == GOAL;
        self.started = !terminated;
        let reward = if terminated { 1.0 } else { -0.01 };
        Ok(Step::new(self.observation(), reward, terminated, false))
    }

    fn action_space(&self) -> Space {
        Space::discrete(4)
    }

    fn observation_space(&self) -> Space {
        Space::boxed(vec![0.0; 5], vec![1.0; 5])
    }
}

/// Run a seeded random policy through a custom grid world with the crate's wrappers.
#[derive(Parser, Debug)]
#[command(name = "custom_env")]
struct Args {
    /// Episodes to play
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = RangedU64ValueParser::<u64>::new().range(1..=10_000_000))]
    episodes: u64,
    /// Seed of the policy and the resets
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Args { episodes, seed } = Args::parse();

    let mut env = GridWorld::new()
        .with_time_limit(50)?
        .with_episode_statistics(100)?;
    let n_actions = env.action_space().n().ok_or("discrete actions expected")?;
    let mut policy = RandomPolicy::new(n_actions, seed)?;

    let mut reached_goal = 0;
    let mut steps = 0;
    for episode in 0..episodes {
        let mut observation = env.reset(Some(cinder_rl::rng::derive_seed(seed, episode)));
        loop {
            let step = env.step(policy.act(&observation)?)?;
            steps += 1;
            observation = step.observation;
            if step.done() {
                reached_goal += usize::from(step.terminated);
                break;
            }
        }
        if (episode + 1) % 50 == 0 {
            eprintln!(
                "episode {:>4}  mean return (last 100) {:>7.3}",
                episode + 1,
                env.mean_return().unwrap_or(0.0)
            );
        }
    }
    println!(
        "{{\"env\":\"GridWorld\",\"policy\":\"random\",\"seed\":{seed},\"episodes\":{episodes},\"env_steps\":{steps},\"goal_rate\":{:.4},\"mean_return_100\":{:.4}}}",
        reached_goal as f64 / episodes.max(1) as f64,
        env.mean_return().unwrap_or(0.0)
    );
    Ok(())
}
