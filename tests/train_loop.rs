//! The training loop's bookkeeping with a scripted agent: budgets, stop rules, hooks,
//! evaluation and the JSON summary.

mod common;

use std::path::Path;

use cinder_rl::agent::{Agent, Learned, Metrics, Mode};
use cinder_rl::error::AgentError;
use cinder_rl::memory::Transition;
use cinder_rl::train::{EpisodeRecord, StopRule, TrainConfig, TrainSummary, Trainer};
use common::Treadmill;

/// Always takes action 0 and reports one "update" per observed step with loss = reward.
#[derive(Default)]
struct Scripted {
    observed: u64,
    exploit_calls: u64,
}

impl Agent<[f32; 1]> for Scripted {
    fn act(&mut self, _: &[f32; 1], mode: Mode) -> Result<usize, AgentError> {
        if mode == Mode::Exploit {
            self.exploit_calls += 1;
        }
        Ok(0)
    }

    fn observe(&mut self, transition: &Transition<[f32; 1]>) -> Result<Learned, AgentError> {
        self.observed += 1;
        let mut metrics = Metrics::default();
        // A metric of the agent's own: one line.
        metrics.push("observed", self.observed as f64);
        Ok(Learned {
            updates: 1,
            loss: Some(transition.reward as f32),
            epsilon: Some(0.5),
            entropy: None,
            metrics,
        })
    }

    fn save(&self, _: &Path) -> Result<(), AgentError> {
        Ok(())
    }

    fn load(&mut self, _: &Path) -> Result<(), AgentError> {
        Ok(())
    }
}

#[test]
fn a_step_budget_ends_the_run_and_partial_episodes_are_not_counted() {
    let mut agent = Scripted::default();
    let mut records: Vec<EpisodeRecord> = Vec::new();
    let config = TrainConfig::new(0)
        .with_max_env_steps(Some(25))
        .with_stop(StopRule::Never)
        .with_log_every_episodes(0)
        .with_eval_episodes(3)
        .with_names("scripted", "treadmill");
    let summary = Trainer::new(config)
        .on_episode(|r| {
            records.push(r.clone());
            Ok(())
        })
        .run(
            &mut agent,
            &mut Treadmill::new(10, true),
            &mut Treadmill::new(10, true),
        )
        .unwrap();
    assert_eq!(
        (summary.env_steps, summary.episodes, summary.updates),
        (25, 2, 25)
    );
    assert_eq!(agent.observed, 25);
    assert_eq!(
        agent.exploit_calls, 30,
        "3 evaluation episodes of 10 greedy steps"
    );
    assert_eq!(summary.eval_mean_return, Some(10.0));
    assert_eq!(summary.mean_return_100, Some(10.0));
    assert!(!summary.solved && summary.solved_at_env_steps.is_none());
    let lengths: Vec<(u64, u64, u64)> = records
        .iter()
        .map(|r| (r.episode, r.env_steps, r.length))
        .collect();
    assert_eq!(lengths, [(1, 10, 10), (2, 20, 10)]);
    assert_eq!(records[0].mean_loss, Some(1.0));
    assert_eq!(records[0].epsilon, Some(0.5));

    let json: serde_json::Value = serde_json::from_str(&summary.to_json()).unwrap();
    for key in [
        "algorithm",
        "env",
        "seed",
        "solved",
        "episodes",
        "env_steps",
        "updates",
        "wall_s",
        "mean_return_100",
        "eval_mean_return",
        "solved_at_env_steps",
        "solved_at_wall_s",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert!(json["solved_at_env_steps"].is_null());
    assert_eq!(json["algorithm"], "scripted");

    // The agent's own metric: each episode's mean of its reports (1..=10, then 11..=20), and
    // the last in the summary line.
    assert_eq!(records[0].metrics, [("observed".to_string(), 5.5)]);
    assert_eq!(records[1].metrics, [("observed".to_string(), 15.5)]);
    assert_eq!(json["metrics"]["observed"], 15.5);
}

/// Runs the scripted agent on 10-step treadmills that end by termination or truncation.
fn run_scripted(config: TrainConfig, terminate: bool) -> TrainSummary {
    Trainer::new(config)
        .run(
            &mut Scripted::default(),
            &mut Treadmill::new(10, terminate),
            &mut Treadmill::new(10, terminate),
        )
        .unwrap()
}

#[test]
fn stop_rules_end_the_run_when_met() {
    // Returns are always 10: a mean-return rule at 10 over 5 episodes is met after 5.
    let rule = StopRule::MeanReturn {
        window: 5,
        threshold: Some(10.0),
    };
    let config = TrainConfig::new(0)
        .with_stop(rule)
        .with_log_every_episodes(0)
        .with_eval_episodes(0);
    let summary = run_scripted(config, false);
    assert!(summary.solved);
    assert_eq!(
        (summary.episodes, summary.solved_at_env_steps),
        (5, Some(50))
    );
    assert_eq!(summary.eval_mean_return, None);

    // Three successes in a row at threshold 10.
    let rule = StopRule::ConsecutiveSuccesses {
        count: 3,
        threshold: Some(10.0),
    };
    let config = TrainConfig::new(0)
        .with_stop(rule)
        .with_log_every_episodes(0)
        .with_eval_episodes(0);
    let summary = run_scripted(config, true);
    assert_eq!((summary.solved, summary.episodes), (true, 3));

    // The same rule without ending the run: the whole budget, the first solve recorded.
    let config = TrainConfig::new(0)
        .with_stop(rule)
        .with_stop_when_solved(false)
        .with_max_episodes(Some(8))
        .with_log_every_episodes(0)
        .with_eval_episodes(0);
    let summary = run_scripted(config, true);
    assert_eq!((summary.solved, summary.episodes), (true, 8));
    assert_eq!(summary.solved_at_env_steps, Some(30));
    // Without a budget such a run would never end: refused.
    let endless = TrainConfig::new(0)
        .with_max_env_steps(None)
        .with_stop_when_solved(false);
    let refused = Trainer::new(endless).run(
        &mut Scripted::default(),
        &mut Treadmill::new(3, true),
        &mut Treadmill::new(3, true),
    );
    assert!(matches!(
        refused,
        Err(cinder_rl::Error::Agent(AgentError::InvalidConfig { .. }))
    ));

    // Unreachable: the budget ends the run.
    let rule = StopRule::MeanReturn {
        window: 5,
        threshold: Some(11.0),
    };
    let config = TrainConfig::new(0)
        .with_stop(rule)
        .with_max_episodes(Some(20))
        .with_log_every_episodes(0);
    let summary = run_scripted(config, true);
    assert_eq!((summary.solved, summary.episodes), (false, 20));
}

#[test]
fn a_run_without_any_end_is_rejected_and_hook_errors_stop_it() {
    let endless = TrainConfig::new(0)
        .with_max_env_steps(None)
        .with_stop(StopRule::Never);
    let result = Trainer::new(endless).run(
        &mut Scripted::default(),
        &mut Treadmill::new(3, true),
        &mut Treadmill::new(3, true),
    );
    assert!(matches!(
        result,
        Err(cinder_rl::Error::Agent(AgentError::InvalidConfig { .. }))
    ));

    let config = TrainConfig::new(0).with_log_every_episodes(0);
    let result = Trainer::new(config)
        .on_episode(|r| {
            if r.episode == 2 {
                Err(cinder_rl::error::EnvError::EpisodeEnded.into())
            } else {
                Ok(())
            }
        })
        .run(
            &mut Scripted::default(),
            &mut Treadmill::new(3, true),
            &mut Treadmill::new(3, true),
        );
    assert!(matches!(result, Err(cinder_rl::Error::Env(_))));
}
