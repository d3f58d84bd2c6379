//! The ready-made parts of SAC and TD3: ReLU MLPs, the uniform memory, the actor's output
//! read back for acting.

use burn::tensor::{Device, Tensor, TensorData};

use crate::agents::training::read_values;
use crate::env::Space;
use crate::error::AgentError;
use crate::memory::{AnyReplay, ObservationStorage, ReplayKind};
use crate::nn::{ActorNetwork, Mlp, MlpConfig, Twin};
use crate::rng::derive_seed;

/// The output of the acting actor `acting` (on `device`) for `rows` rows of network `input`,
/// read back to the host.
pub(crate) fn actor_output<A: ActorNetwork>(
    acting: &A,
    input: Vec<f32>,
    rows: usize,
    device: &Device,
) -> Result<Vec<f32>, AgentError> {
    let obs_dim = input.len() / rows;
    let input = Tensor::<2>::from_data(TensorData::new(input, [rows, obs_dim]), device);
    read_values(acting.forward(input))
}

/// The replay memory [`Sac::new`](crate::agents::Sac::new) and [`Td3::new`](crate::agents::Td3::new) give an
/// agent: the memory of the `kind` their config chose, of `capacity` transitions of the box's
/// actions.
pub(crate) fn replay_memory(
    kind: ReplayKind,
    capacity: usize,
    obs_dim: usize,
    actions: &Space,
) -> Result<AnyReplay, AgentError> {
    Ok(AnyReplay::new(
        kind,
        capacity,
        obs_dim,
        ObservationStorage::F32,
        actions.action_shape(),
    )?)
}

/// ReLU MLPs of `hidden` widths for an actor of `actor_outputs` outputs per action value and
/// twin critics, seeded from `seed` (actor `derive_seed(seed, 2)`, critics 3 and 4).
pub(crate) fn mlp_networks(
    obs_dim: usize,
    actions: &Space,
    actor_outputs: usize,
    hidden: &[usize],
    seed: u64,
    device: &Device,
) -> Result<(Mlp, Twin<Mlp>), AgentError> {
    let dim = actions.flat_dim();
    let actor = MlpConfig::new(obs_dim, actor_outputs * dim)
        .with_hidden(hidden.to_vec())
        .init(device, derive_seed(seed, 2))?;
    let critic = MlpConfig::new(obs_dim + dim, 1).with_hidden(hidden.to_vec());
    let critics = Twin::new(
        critic.init(device, derive_seed(seed, 3))?,
        critic.init(device, derive_seed(seed, 4))?,
    );
    Ok((actor, critics))
}
