//! Pixel observations: the view CartPole's pictures give, and DQN with a CNN learning from
//! pictures on a small synthetic environment.

mod common;

use burn::tensor::Device;
use cinder_rl::agent::{Agent, Mode};
use cinder_rl::agents::dqn::{TargetUpdate, TrainFrequency};
use cinder_rl::agents::{Dqn, DqnConfig};
use cinder_rl::env::{
    CartPole, CartPoleConfig, Environment, Frame, PixelConfig, PixelFrames, PixelObservation,
    Render, Snapshot, Space, Step,
};
use cinder_rl::error::{AgentError, EnvError};
use cinder_rl::nn::CnnQNetworkConfig;
use cinder_rl::policy::{AnySchedule, Linear};
use cinder_rl::train::train;
use common::{budget_run, cnn_dqn};
use rand::RngExt;

fn cartpole_pixels(config: PixelConfig) -> PixelObservation<CartPole> {
    PixelObservation::new(CartPole::new(CartPoleConfig::v1()).unwrap(), config).unwrap()
}

/// The lecture's view of one picture at a time (no differences).
fn one_picture() -> PixelConfig {
    PixelConfig {
        frames: PixelFrames::Stack(1),
        ..PixelConfig::default()
    }
}

/// Channel 0 (red) of the `[3, h, w]` observation at row `r`, column `c`.
fn red(observation: &[f32], r: usize, c: usize) -> f32 {
    observation[r * 90 + c]
}

#[test]
fn the_lecture_view_follows_the_cart_and_shows_motion() {
    let stack = PixelConfig {
        frames: PixelFrames::Stack(2),
        ..PixelConfig::default()
    };
    let mut env = cartpole_pixels(stack);
    assert_eq!(env.shape(), [6, 40, 90]);
    let stacked = env.reset(Some(0));
    assert_eq!(
        stacked[..3 * 40 * 90],
        stacked[3 * 40 * 90..],
        "a reset repeats the first picture"
    );

    // The view follows the cart: wherever it is, the cart sits in the view's middle column.
    // Rows 40..80 of the 100-row render: the cart spans render rows 71..=78 (view 31..=38).
    for x in [-1.0, 0.0, 0.9] {
        let mut env = cartpole_pixels(one_picture());
        env.reset(Some(0));
        let mut cartpole = env.inner().clone();
        cartpole.set_state([x, 0.0, 0.0, 0.0]).unwrap();
        let mut centred = PixelObservation::new(cartpole, one_picture()).unwrap();
        let observation = centred.step(0).unwrap().observation;
        assert_eq!(
            red(&observation, 36, 45),
            0.0,
            "cart at x = {x} is in the middle of the view"
        );
        assert_eq!(red(&observation, 5, 5), 1.0, "the sky is white");
    }
    // At the edge of the track the window stops at the frame's edge instead.
    let mut cartpole = CartPole::new(CartPoleConfig::v1()).unwrap();
    cartpole.reset(Some(0));
    cartpole.set_state([2.3, 0.0, 0.0, 0.0]).unwrap();
    let mut edge = PixelObservation::new(cartpole, one_picture()).unwrap();
    let observation = edge.step(0).unwrap().observation;
    let cart_columns: Vec<usize> = (0..90)
        .filter(|&c| red(&observation, 36, c) == 0.0)
        .collect();
    assert!(cart_columns.iter().all(|&c| c > 70), "{cart_columns:?}");

    // Differences: zero after a reset, non-zero where the cart or pole moved.
    let mut env = cartpole_pixels(PixelConfig::default());
    let first = env.reset(Some(1));
    assert!(first.iter().all(|&v| v == 0.0));
    let mut moved = 0;
    for _ in 0..5 {
        let observation = env.step(1).unwrap().observation;
        assert!(observation.iter().all(|v| (-1.0..=1.0).contains(v)));
        moved += observation.iter().filter(|&&v| v != 0.0).count();
    }
    assert!(moved > 0);
    assert!(matches!(
        PixelObservation::new(
            CartPole::new(CartPoleConfig::v1()).unwrap(),
            PixelConfig {
                view_width: 0.0,
                ..PixelConfig::default()
            }
        ),
        Err(EnvError::InvalidConfig { .. })
    ));
}

#[test]
fn pixel_observations_snapshot_and_restore_exactly() {
    let mut env = cartpole_pixels(PixelConfig::default());
    env.reset(Some(2));
    env.step(0).unwrap();
    let saved = env.snapshot();
    let straight: Vec<Vec<f32>> = (0..5).map(|_| env.step(1).unwrap().observation).collect();
    let mut other = cartpole_pixels(PixelConfig::default());
    other.restore(saved).unwrap();
    let resumed: Vec<Vec<f32>> = (0..5).map(|_| other.step(1).unwrap().observation).collect();
    assert_eq!(resumed, straight);
}

/// A 12x12 picture with a dark square on the left or right; the right action names the side.
/// One step an episode; reward 1 for the right side.
struct Lamp {
    right: bool,
    rng: cinder_rl::rng::SeededRng,
}

impl Environment for Lamp {
    type Observation = [f32; 1];
    type Action = usize;

    fn reset(&mut self, seed: Option<u64>) -> [f32; 1] {
        if let Some(seed) = seed {
            self.rng = cinder_rl::rng::seeded(seed);
        }
        self.right = self.rng.random();
        [f32::from(u8::from(self.right))]
    }

    fn step(&mut self, action: usize) -> Result<Step<[f32; 1]>, EnvError> {
        self.action_space().check(action)?;
        let reward = if (action == 1) == self.right {
            1.0
        } else {
            0.0
        };
        Ok(Step::new([0.0], reward, true, false))
    }

    fn action_space(&self) -> Space {
        Space::discrete(2)
    }

    fn observation_space(&self) -> Space {
        Space::boxed(vec![0.0], vec![1.0])
    }
}

impl Render for Lamp {
    fn render_into(&self, frame: &mut Frame) {
        frame.fill([255, 255, 255]);
        let left = if self.right { 7 } else { 1 };
        frame.fill_rect(left, 4, 4, 4, [0, 0, 0]);
    }
}

fn lamp_view() -> PixelConfig {
    PixelConfig {
        render_width: 12,
        render_height: 12,
        supersample: 1,
        crop_top: 0.0,
        crop_bottom: 1.0,
        view_width: 1.0,
        grayscale: true,
        frames: PixelFrames::Stack(1),
    }
}

#[test]
fn supersampled_pixels_are_block_means_rounded_to_8_bit_levels() {
    // Rendered at 24x24, the lamp's square covers columns 1..=4 and rows 4..=7; each observed
    // pixel is the mean of a 2x2 block, so the blocks it half covers are mid-grey.
    let mut view = PixelObservation::new(
        Lamp {
            right: false,
            rng: cinder_rl::rng::seeded(0),
        },
        PixelConfig {
            supersample: 2,
            ..lamp_view()
        },
    )
    .unwrap();
    let picture = view.step(0).unwrap().observation;
    let row = |r: usize| picture[r * 12..r * 12 + 4].to_vec();
    let (half, white) = (128.0 / 255.0, 1.0);
    assert_eq!(row(1), [white; 4]);
    assert_eq!(row(2), [half, 0.0, half, white]);
    assert_eq!(row(3), [half, 0.0, half, white]);
    assert_eq!(row(4), [white; 4]);
    for (supersample, render_width) in [(0, 150), (65, 150), (2, usize::MAX / 2 + 1)] {
        assert!(matches!(
            PixelObservation::new(
                CartPole::new(CartPoleConfig::v1()).unwrap(),
                PixelConfig {
                    supersample,
                    render_width,
                    ..PixelConfig::default()
                }
            ),
            Err(EnvError::InvalidConfig { .. })
        ));
    }
    assert!(matches!(
        Frame::new(usize::MAX, 2),
        Err(EnvError::InvalidConfig { .. })
    ));
}

#[test]
fn supersampling_shows_small_pole_angles_that_plain_pixels_miss() {
    let small_view = |supersample| PixelConfig {
        render_width: 75,
        render_height: 50,
        supersample,
        grayscale: true,
        frames: PixelFrames::Stack(1),
        ..PixelConfig::default()
    };
    // The picture of the pole at `angle`, the cart at rest in the middle. The first step moves
    // neither the cart nor the pole: their velocities start at zero.
    let picture = |supersample, angle| {
        let mut cartpole = CartPole::new(CartPoleConfig::v1()).unwrap();
        cartpole.reset(Some(0));
        cartpole.set_state([0.0, 0.0, angle, 0.0]).unwrap();
        let mut env = PixelObservation::new(cartpole, small_view(supersample)).unwrap();
        env.step(0).unwrap().observation
    };
    // Pictures of the pole at every tenth of a degree from -3 to 3 degrees: the 15.6-pixel
    // pole's tip moves by 0.03 of a pixel a step.
    let angles: Vec<f64> = (-30..=30).map(|i| f64::from(i) / 10.0).collect();
    let distinct = |supersample| {
        let mut pictures: Vec<Vec<f32>> = angles
            .iter()
            .map(|a| picture(supersample, a.to_radians()))
            .collect();
        pictures.dedup();
        pictures.len()
    };
    let (plain, smooth) = (distinct(1), distinct(8));
    eprintln!("distinct pictures of 61 angles: {plain} plain, {smooth} supersampled");
    assert!(smooth >= 4 * plain, "{plain} plain, {smooth} supersampled");
    // Block means are rounded to 8-bit levels, which byte storage keeps exactly.
    assert!(
        picture(8, 1.0_f64.to_radians())
            .iter()
            .all(|&v| f32::from((v * 255.0).round() as u8) / 255.0 == v)
    );
}

#[test]
fn dqn_with_a_cnn_learns_from_pictures() {
    let lamp = || {
        PixelObservation::new(
            Lamp {
                right: false,
                rng: cinder_rl::rng::seeded(0),
            },
            lamp_view(),
        )
        .unwrap()
    };
    let (mut env, mut eval_env) = (lamp(), lamp());
    assert_eq!(env.shape(), [1, 12, 12]);
    let network = CnnQNetworkConfig::new(1, 12, 12, 2)
        .with_channels(vec![8])
        .with_kernel(4)
        .with_stride(2)
        .with_batch_norm(false);
    let config = DqnConfig::new()
        .with_gamma(0.0)
        .with_learning_rate(3e-3)
        .with_learning_rate_schedule(None)
        .with_reward_scale(1.0)
        .with_batch_size(32)
        .with_learning_starts(64)
        .with_replay_capacity(2_000)
        .with_train_frequency(TrainFrequency::EverySteps {
            every: 1,
            gradient_steps: 1,
        })
        .with_target_update(TargetUpdate::HardEverySteps(50))
        .with_exploration(AnySchedule::Linear(Linear::new(1.0, 0.05, 300).unwrap()))
        .with_seed(1);
    let mut agent = cnn_dqn(network, 1, config);
    let run = budget_run(1, 800).with_eval_episodes(100);
    let summary = train(&mut agent, &mut env, &mut eval_env, run).unwrap();
    assert!(
        summary.eval_mean_return.unwrap() >= 0.95,
        "greedy accuracy {:?}",
        summary.eval_mean_return
    );
    // The CNN reads the picture, not a shortcut: both sides are answered correctly.
    for right in [false, true] {
        let lamp_env = Lamp {
            right,
            rng: cinder_rl::rng::seeded(0),
        };
        let mut view = PixelObservation::new(lamp_env, lamp_view()).unwrap();
        let picture = view.step(0).unwrap().observation;
        assert_eq!(
            agent.act(&picture, Mode::Exploit).unwrap(),
            usize::from(right)
        );
    }
    assert!(matches!(
        CnnQNetworkConfig::new(1, 4, 4, 2).init(&Device::flex(), 0),
        Err(AgentError::InvalidConfig { .. })
    ));
}

/// Losses of 20 updates of a CNN DQN, on a thread pool of `threads` threads: Flex spreads
/// convolutions and matrix products over the pool.
fn cnn_losses(threads: usize) -> Vec<f32> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let device = Device::flex();
        let shape = [3, 20, 45];
        let obs: usize = shape.iter().product();
        let network = CnnQNetworkConfig::new(3, 20, 45, 2)
            .with_channels(vec![16, 32])
            .with_kernel(3)
            .init(&device, 3)
            .unwrap();
        let config = DqnConfig::new()
            .with_batch_size(32)
            .with_learning_starts(200)
            .with_replay_capacity(200)
            .with_seed(3);
        let mut agent = Dqn::new(config, network, obs, 2, &device).unwrap();
        let mut rng = cinder_rl::rng::seeded(4);
        for i in 0..200 {
            let mut picture = || (0..obs).map(|_| rng.random::<f32>()).collect::<Vec<f32>>();
            let transition = cinder_rl::memory::Transition {
                observation: picture(),
                action: i % 2,
                reward: 1.0,
                next_observation: picture(),
                terminated: i % 20 == 19,
                truncated: false,
            };
            agent.observe(&transition).unwrap();
        }
        (0..20).map(|_| agent.learn().unwrap()).collect()
    })
}

#[test]
fn cnn_updates_do_not_depend_on_the_number_of_threads() {
    let one = cnn_losses(1);
    assert!(one.iter().all(|loss| loss.is_finite() && *loss > 0.0));
    assert_eq!(one, cnn_losses(3), "1 thread against 3");
}

#[test]
fn grey_pictures_are_8_bit_levels_that_byte_storage_keeps_exactly() {
    use cinder_rl::memory::{ObservationStorage, ReplayMemory, Transition, UniformReplay};
    let grey = PixelConfig {
        grayscale: true,
        frames: PixelFrames::Stack(2),
        ..PixelConfig::default()
    };
    let mut env = cartpole_pixels(grey);
    let first = env.reset(Some(4));
    let next = env.step(0).unwrap().observation;
    assert!(
        first
            .iter()
            .chain(&next)
            .all(|&v| f32::from((v * 255.0).round() as u8) / 255.0 == v)
    );
    assert!(
        first.iter().any(|&v| v > 0.0 && v < 1.0),
        "the pole's grey level is in between"
    );
    let mut memory = UniformReplay::with_storage(
        4,
        first.len(),
        ObservationStorage::U8 {
            low: 0.0,
            high: 1.0,
        },
    )
    .unwrap();
    let transition = Transition {
        observation: first,
        action: 0,
        reward: 1.0,
        next_observation: next,
        terminated: false,
        truncated: false,
    };
    memory.push(&transition).unwrap();
    assert_eq!(memory.get(0).unwrap(), transition);
}
