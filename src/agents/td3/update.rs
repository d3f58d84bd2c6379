//! One TD3 gradient update, written as the algorithm reads.

use burn::optim::ModuleOptimizer;
use burn::tensor::{Device, Tensor, TensorData};

use super::Td3Config;
use crate::agents::batch_tensors::BatchTensors;
use crate::agents::continuous::UpdateReport;
use crate::agents::critics::{polyak, step_critics};
use crate::agents::training::apply_gradients;
use crate::error::AgentError;
use crate::memory::Batch;
use crate::nn::{ActorNetwork, ContinuousQNetwork, Twin};

/// The networks one update changes.
pub(super) struct Td3Networks<A, Q: ContinuousQNetwork> {
    pub actor: A,
    /// A plain-device copy, Polyak-averaged toward `actor`.
    pub actor_target: A,
    pub critics: Twin<Q>,
    /// A plain-device copy, Polyak-averaged toward `critics`.
    pub critics_target: Twin<Q>,
}

/// The optimizers of the actor and of the critics.
pub(super) struct Td3Optimizers {
    pub actor: ModuleOptimizer,
    pub critics: ModuleOptimizer,
}

/// What else one update needs: the actions in `[-1, 1]` units, the target smoothing noise
/// `[batch, dim]` (drawn and clipped already), and whether the actor's turn has come.
pub(super) struct UpdateInputs<'a> {
    pub batch: &'a Batch,
    pub units: Vec<f32>,
    pub smoothing: Vec<f32>,
    pub update_actor: bool,
}

/// The deterministic actor's actions in `[-1, 1]`, `tanh(μ(s))`.
pub(super) fn actions<A: ActorNetwork>(actor: &A, s: Tensor<2>) -> Tensor<2> {
    actor.forward(s).tanh()
}

/// One TD3 update (Fujimoto et al. 2018):
///
/// ```text
/// a' = clip(μ'(s') + clip(ε, -c, c), -1, 1),  ε ~ N(0, target_policy_noise²)
/// y  = r + gamma * (1 - terminated) * min_i Q'_i(s', a')
/// critics:  Σ_i mean((Q_i(s, a) - y)^2)                 one step of their optimizer
/// every policy_delay updates:
///     actor:  -mean(Q_1(s, μ(s)))                       one step; the critics stay as they are
///     μ' <- tau * μ + (1 - tau) * μ',  Q'_i <- tau * Q_i + (1 - tau) * Q'_i
/// ```
///
/// `μ(s) = tanh(actor(s))`. Truncated transitions bootstrap like any non-terminal one. When
/// `td_errors` is given it receives `|y - Q_1(s, a)|` of every sample.
pub(super) fn td3_update<A: ActorNetwork, Q: ContinuousQNetwork>(
    networks: Td3Networks<A, Q>,
    optimizers: &mut Td3Optimizers,
    inputs: UpdateInputs<'_>,
    config: &Td3Config,
    device: &Device,
    td_errors: Option<&mut Vec<f32>>,
) -> Result<(Td3Networks<A, Q>, UpdateReport), AgentError> {
    let Td3Networks {
        mut actor,
        mut actor_target,
        mut critics,
        mut critics_target,
    } = networks;
    let batch = BatchTensors::new(inputs.batch, 1.0, device)?;
    let n = inputs.batch.batch_size;
    let dim = inputs.units.len() / n;
    let floats =
        |values: Vec<f32>| Tensor::<2>::from_data(TensorData::new(values, [n, dim]), device);
    let (s, s_next, a) = (
        batch.observations.clone(),
        batch.next_observations.clone(),
        floats(inputs.units),
    );

    // The target, from the target actor's smoothed action and the smaller target value.
    let a_next =
        (actions(&actor_target, s_next.clone()) + floats(inputs.smoothing)).clamp(-1.0, 1.0);
    let y = batch.target(critics_target.min(s_next, a_next), config.gamma);

    // Both critics toward it.
    let (stepped, measured) = step_critics(
        critics,
        &batch,
        a,
        y,
        1.0,
        &mut optimizers.critics,
        config.max_grad_norm,
        config.critic_learning_rate,
        td_errors,
    )?;
    critics = stepped;
    let mut report = measured.report();

    if inputs.update_actor {
        // The actor up the first critic's slope; then the targets follow.
        let frozen = critics.first.clone().no_grad();
        let actor_loss = frozen.forward(s.clone(), actions(&actor, s)).mean().neg();
        let (stepped, actor_loss) = apply_gradients(
            actor,
            actor_loss,
            &mut optimizers.actor,
            config.max_grad_norm,
            config.actor_learning_rate,
        )?;
        actor = stepped;
        report.values.push(("actor_loss", actor_loss));
        actor_target = polyak(&actor, actor_target, config.tau)?;
        critics_target = polyak(&critics, critics_target, config.tau)?;
    }
    Ok((
        Td3Networks {
            actor,
            actor_target,
            critics,
            critics_target,
        },
        report,
    ))
}

#[cfg(test)]
mod tests {
    use burn::module::Module;
    use burn::tensor::Device;

    use super::*;
    use crate::agents::continuous::test_nets::{LinearNet, two_transitions as batch};
    use crate::agents::training::read_values;

    const ACTOR: ([f32; 2], f32) = ([2.0, -1.5], 0.4);
    const Q1: ([f32; 3], f32) = ([1.0, -0.5, 2.0], 0.3);
    const Q2: ([f32; 3], f32) = ([-0.7, 0.8, 1.5], -0.1);

    fn networks(device: &Device) -> Td3Networks<LinearNet, LinearNet> {
        let actor = LinearNet::new(&ACTOR.0, &[ACTOR.1], device);
        let critics = Twin::new(
            LinearNet::new(&Q1.0, &[Q1.1], device),
            LinearNet::new(&Q2.0, &[Q2.1], device),
        );
        Td3Networks {
            actor_target: actor.valid(),
            actor,
            critics_target: critics.valid(),
            critics,
        }
    }

    fn linear(w: &[f32], b: f32, x: &[f64]) -> f64 {
        x.iter().zip(w).map(|(x, &w)| x * f64::from(w)).sum::<f64>() + f64::from(b)
    }

    #[test]
    fn the_target_smooths_the_target_action_and_takes_the_smaller_twin() {
        let device = Device::flex().autodiff();
        let config = Td3Config::new().with_gamma(0.9);
        let mut optimizers = Td3Optimizers {
            actor: config.optimizer.init(None),
            critics: config.optimizer.init(None),
        };
        let batch = batch();
        // The second sample's noise pushes its action past -1: it is clipped to the box.
        let smoothing = vec![-0.3f32, -0.5];
        let inputs = UpdateInputs {
            batch: &batch,
            units: vec![0.4, -0.6],
            smoothing: smoothing.clone(),
            update_actor: false,
        };
        let mut td_errors = Vec::new();
        td3_update(
            networks(&device),
            &mut optimizers,
            inputs,
            &config,
            &Device::flex(),
            Some(&mut td_errors),
        )
        .unwrap();
        for i in 0..2 {
            let s: Vec<f64> = batch.observations[2 * i..2 * i + 2]
                .iter()
                .map(|&v| v.into())
                .collect();
            let s_next: Vec<f64> = batch.next_observations[2 * i..2 * i + 2]
                .iter()
                .map(|&v| v.into())
                .collect();
            let a_next = (linear(&ACTOR.0, ACTOR.1, &s_next).tanh() + f64::from(smoothing[i]))
                .clamp(-1.0, 1.0);
            let x_next: Vec<f64> = s_next.iter().copied().chain([a_next]).collect();
            let q_next = linear(&Q1.0, Q1.1, &x_next).min(linear(&Q2.0, Q2.1, &x_next));
            let not_terminated = 1.0 - f64::from(batch.terminated[i]);
            let y = f64::from(batch.rewards[i]) + 0.9 * not_terminated * q_next;
            let x: Vec<f64> = s
                .iter()
                .copied()
                .chain([f64::from([0.4f32, -0.6][i])])
                .collect();
            let expected = (y - linear(&Q1.0, Q1.1, &x)).abs();
            assert!(
                (f64::from(td_errors[i]) - expected).abs() < 1e-4,
                "sample {i}: {} vs {expected}",
                td_errors[i]
            );
        }
        assert!(
            linear(&ACTOR.0, ACTOR.1, &[-0.4, 0.9]).tanh() - 0.5 < -1.0,
            "the second action is clipped"
        );
    }

    #[test]
    fn the_actor_and_the_targets_move_only_on_the_actor_s_turn() {
        let device = Device::flex().autodiff();
        let config = Td3Config::new();
        let mut optimizers = Td3Optimizers {
            actor: config.optimizer.init(None),
            critics: config.optimizer.init(None),
        };
        let batch = batch();
        let probe =
            || Tensor::<2>::from_data(TensorData::new(vec![0.3f32, -0.2], [1, 2]), &Device::flex());
        let outputs = |networks: &Td3Networks<LinearNet, LinearNet>| {
            let actor =
                read_values(ActorNetwork::forward(&networks.actor.valid(), probe())).unwrap();
            let actor_target =
                read_values(ActorNetwork::forward(&networks.actor_target, probe())).unwrap();
            let a = Tensor::<2>::from_data(TensorData::new(vec![0.5f32], [1, 1]), &Device::flex());
            let critic = read_values(ContinuousQNetwork::forward(
                &networks.critics.valid().first,
                probe(),
                a.clone(),
            ))
            .unwrap();
            let critic_target = read_values(ContinuousQNetwork::forward(
                &networks.critics_target.first,
                probe(),
                a,
            ))
            .unwrap();
            [actor[0], actor_target[0], critic[0], critic_target[0]]
        };
        let step = |networks, update_actor, optimizers: &mut Td3Optimizers| {
            let inputs = UpdateInputs {
                batch: &batch,
                units: vec![0.4, -0.6],
                smoothing: vec![0.0, 0.0],
                update_actor,
            };
            td3_update(networks, optimizers, inputs, &config, &Device::flex(), None)
                .unwrap()
                .0
        };
        let start = networks(&device);
        let before = outputs(&start);
        let critics_only = step(start, false, &mut optimizers);
        let after_critics = outputs(&critics_only);
        assert_eq!(after_critics[0], before[0], "actor unchanged");
        assert_eq!(after_critics[1], before[1], "target actor unchanged");
        assert_ne!(after_critics[2], before[2], "critic stepped");
        assert_eq!(after_critics[3], before[3], "target critic unchanged");
        let all = outputs(&step(critics_only, true, &mut optimizers));
        for (i, name) in ["actor", "target actor", "critic", "target critic"]
            .iter()
            .enumerate()
        {
            assert_ne!(all[i], after_critics[i], "{name} moved on the actor's turn");
        }
    }
}
