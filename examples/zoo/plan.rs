//! The run plan of the zoo: the flags, the environment, the resolved settings and the solve
//! rule, and what every algorithm's run does with them.

use cinder_rl::agents::config_from_json;
use cinder_rl::artifacts::{RunDir, RunIdentity};
use cinder_rl::env::{AnyEnv, EnvSpec, Registry, VecEnv};
use cinder_rl::train::{Resumable, ResumableEnvs, TrainConfig, TrainSummary, Trainer};
use serde_json::json;

use super::Cli;
use crate::common::{self, unknown_preset};
use crate::hyperparams::Hyperparams;
use crate::progress::{self, Progress};

/// Everything a run needs besides its agent: resolved from the flags and the files.
pub struct Plan {
    /// The command line.
    pub cli: Cli,
    /// The environment's registry entry.
    pub spec: EnvSpec,
    /// The settings resolved from the files and `--set`.
    pub hyper: Hyperparams,
    /// The preset, seed and run directory the flags chose.
    pub run_plan: common::RunPlan,
    /// The training loop's settings: budget, stop rule, logging.
    pub train: TrainConfig,
    /// The number of episodes whose mean return decides "solved".
    pub window: usize,
    /// The mean return that counts as solved, if the environment has one.
    pub threshold: Option<f64>,
}

impl Plan {
    /// The agent settings: the preset's, changed by the table's `agent` settings, then by
    /// `--config` (or the resumed run's).
    pub fn agent_config<C>(&self, preset: &C) -> Result<C, Box<dyn std::error::Error>>
    where
        C: serde::Serialize + serde::de::DeserializeOwned,
    {
        let table = config_from_json(&self.hyper.agent.to_string(), preset)
            .map_err(|e| format!("{}: agent settings: {e}", self.hyper.source))?;
        self.cli.run.agent_config(&self.run_plan, table)
    }

    /// The hidden widths: --hidden, else the resumed run's, else the table's, else the
    /// preset's.
    pub fn hidden(&self, preset: &[usize]) -> Vec<usize> {
        let table = self.hyper.hidden.clone().unwrap_or_else(|| preset.to_vec());
        self.cli
            .run
            .hidden(&self.cli.hidden, &self.run_plan, &table)
    }

    /// The preset the settings name, among `all`.
    pub fn preset<P>(&self, all: Vec<P>, name: fn(&P) -> &'static str) -> Result<P, String> {
        let wanted = &self.run_plan.preset;
        let names: Vec<&'static str> = all.iter().map(name).collect();
        all.into_iter()
            .find(|p| name(p) == wanted)
            .ok_or_else(|| unknown_preset(wanted, names))
    }

    /// Opens the run directory (default `runs/zoo/<algo>-<env>/<preset>-seed<N>`) for a run
    /// of the agent settings `config` and the network `network` (its hidden widths), and a
    /// progress bar from where the run stands when stderr is a terminal.
    pub fn start<C: serde::Serialize, N: serde::Serialize + ?Sized>(
        &self,
        config: &C,
        network: &N,
    ) -> Result<(RunDir, Option<Progress>), cinder_rl::Error> {
        let identity = RunIdentity::new(
            self.cli.algo.name(),
            &self.spec.id,
            &self.run_plan.preset,
            self.run_plan.seed,
        )
        .with_agent_config(config)
        .with_network(network)
        .with_train(&self.train);
        let example = format!("zoo/{}-{}", self.cli.algo.name(), self.spec.id);
        let run = self.cli.run.open(&example, identity)?;
        let bar = self.progress(&run);
        Ok((run, bar))
    }

    /// The trainer of `run`, with a progress bar on a terminal.
    pub fn trainer<'a>(
        &self,
        run: &RunDir,
        bar: &'a mut Option<Progress>,
    ) -> Trainer<'a, Resumable> {
        let trainer = run.trainer(self.train.clone(), self.cli.run.checkpoint_every);
        match bar {
            Some(bar) => trainer.on_episode(move |record| {
                bar.episode(record);
                Ok(())
            }),
            None => trainer,
        }
    }

    /// Trains `agent` in `run` on `copies` copies of the plan's discrete environment (on the
    /// environment itself when one), evaluating on `eval_env`.
    pub fn train_discrete<A>(
        &self,
        registry: &Registry,
        run: &RunDir,
        bar: &mut Option<Progress>,
        agent: &mut A,
        copies: usize,
        eval_env: &mut AnyEnv<usize>,
    ) -> Result<TrainSummary, Box<dyn std::error::Error>>
    where
        AnyEnv<usize>: ResumableEnvs<A, Observation = Vec<f32>, Action = usize>,
        VecEnv<AnyEnv<usize>>: ResumableEnvs<A, Observation = Vec<f32>, Action = usize>,
    {
        let mut trainer = self.trainer(run, bar);
        let id = &self.spec.id;
        Ok(if copies == 1 {
            trainer.run(agent, &mut registry.make_discrete(id)?, eval_env)?
        } else {
            let mut envs = VecEnv::from_fn(copies, |_| registry.make_discrete(id))?;
            trainer.run(agent, &mut envs, eval_env)?
        })
    }

    /// A progress bar, when stderr is a terminal, from where `run` stands.
    fn progress(&self, run: &RunDir) -> Option<Progress> {
        let done = run.resumed().map_or(0, |r| r.env_steps);
        let budget = self.train.max_env_steps.unwrap_or(done);
        progress::on_terminal().then(|| Progress::new(done, budget, self.window))
    }

    /// The network's inputs (observation values) and outputs (actions).
    pub fn network_shape(&self) -> Result<(usize, usize), String> {
        let actions = self
            .spec
            .action_space
            .n()
            .ok_or("a discrete action space")?;
        Ok((self.spec.observation_space.flat_dim(), actions))
    }

    /// The observation length and the action box of a continuous-action environment.
    pub fn continuous_shape(&self) -> (usize, cinder_rl::env::Space) {
        (
            self.spec.observation_space.flat_dim(),
            self.spec.action_space.clone(),
        )
    }

    /// The summary's fields beyond [`TrainSummary`]'s.
    fn extra(&self) -> Vec<(&'static str, serde_json::Value)> {
        vec![
            ("solve_window", json!(self.window)),
            ("solve_threshold", json!(self.threshold)),
            ("hyperparams", json!(self.hyper.source)),
        ]
    }

    /// Ends the progress bar, then saves, reloads and evaluates the trained agent and writes
    /// the run's files and summary.
    pub fn finish<E, A>(
        &self,
        summary: &TrainSummary,
        run: &RunDir,
        bar: Option<Progress>,
        trained: &A,
        reloaded: A,
        eval_env: &mut E,
    ) -> Result<(), Box<dyn std::error::Error>>
    where
        E: cinder_rl::env::Environment + cinder_rl::env::Render,
        E::Action: Clone,
        A: cinder_rl::agent::Agent<E::Observation, E::Action>,
    {
        if let Some(bar) = bar {
            bar.finish();
        }
        self.cli
            .run
            .finish(summary, run, trained, reloaded, eval_env, &self.extra())
    }
}
