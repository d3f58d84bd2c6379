//! Ring-buffer semantics of the uniform replay memory, checked against a simple model.

use std::collections::VecDeque;

use cinder_rl::error::MemoryError;
use cinder_rl::memory::{ObservationStorage, ReplayMemory, Transition, UniformReplay};
use cinder_rl::rng::seeded;
use proptest::prelude::*;

const DIM: usize = 3;

/// A transition whose every field encodes `id`, so a stored row can be traced back.
fn transition(id: u32) -> Transition<[f32; DIM]> {
    let v = id as f32;
    Transition {
        observation: [v, v + 0.25, v + 0.5],
        action: (id % 5) as usize,
        reward: f64::from(id) * 0.5,
        next_observation: [-v, -v - 0.25, -v - 0.5],
        terminated: id.is_multiple_of(3),
        truncated: id.is_multiple_of(7),
    }
}

proptest! {
    #[test]
    fn holds_exactly_the_newest_capacity_transitions(capacity in 1usize..40, pushes in 0u32..200) {
        let mut memory = UniformReplay::new(capacity, DIM).unwrap();
        let mut model = VecDeque::new();
        for id in 0..pushes {
            memory.push(&transition(id)).unwrap();
            model.push_back(id);
            if model.len() > capacity {
                model.pop_front();
            }
            prop_assert_eq!(memory.len(), model.len());
        }
        prop_assert_eq!(memory.capacity(), capacity);
        for (index, &id) in model.iter().enumerate() {
            let stored = memory.get::<usize>(index).unwrap();
            let expected = transition(id);
            prop_assert_eq!(stored.observation.as_slice(), &expected.observation[..]);
            prop_assert_eq!(stored.next_observation.as_slice(), &expected.next_observation[..]);
            prop_assert_eq!(stored.action, expected.action);
            prop_assert_eq!(stored.reward, expected.reward);
            prop_assert_eq!(stored.terminated, expected.terminated);
            prop_assert_eq!(stored.truncated, expected.truncated);
        }
        prop_assert!(memory.get::<usize>(model.len()).is_none());
    }

    #[test]
    fn samples_only_stored_transitions_with_consistent_fields(
        capacity in 1usize..40,
        pushes in 1u32..120,
        batch in 1usize..40,
        seed in any::<u64>(),
    ) {
        let mut memory = UniformReplay::new(capacity, DIM).unwrap();
        for id in 0..pushes {
            memory.push(&transition(id)).unwrap();
        }
        let oldest = pushes.saturating_sub(capacity as u32);
        match memory.sample(batch, &mut seeded(seed)) {
            Err(e) => {
                prop_assert!(batch > memory.len());
                prop_assert_eq!(e, MemoryError::NotEnoughTransitions { requested: batch, stored: memory.len() });
            }
            Ok(sample) => {
                prop_assert!(batch <= memory.len());
                prop_assert_eq!(sample.batch_size, batch);
                prop_assert_eq!(sample.observations.len(), batch * DIM);
                prop_assert_eq!(sample.next_observations.len(), batch * DIM);
                for row in 0..batch {
                    let id = sample.observations[row * DIM] as u32;
                    prop_assert!((oldest..pushes).contains(&id), "evicted or unknown id {}", id);
                    let expected = transition(id);
                    prop_assert_eq!(&sample.observations[row * DIM..(row + 1) * DIM], &expected.observation[..]);
                    prop_assert_eq!(&sample.next_observations[row * DIM..(row + 1) * DIM], &expected.next_observation[..]);
                    prop_assert_eq!(sample.actions.get::<usize>(row), Some(expected.action));
                    prop_assert_eq!(f64::from(sample.rewards[row]), expected.reward);
                    prop_assert_eq!(sample.terminated[row], if expected.terminated { 1.0 } else { 0.0 });
                    prop_assert_eq!(sample.truncated[row], if expected.truncated { 1.0 } else { 0.0 });
                }
            }
        }
    }
}

#[test]
fn sampling_is_reproducible_and_covers_the_memory() {
    let mut memory = UniformReplay::new(100, DIM).unwrap();
    for id in 0..100 {
        memory.push(&transition(id)).unwrap();
    }
    let a = memory.sample(64, &mut seeded(11)).unwrap();
    let b = memory.sample(64, &mut seeded(11)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, memory.sample(64, &mut seeded(12)).unwrap());
    // 200 batches of 64 from 100 slots: every slot is drawn, none far more often than others.
    let mut counts = [0u32; 100];
    let mut rng = seeded(5);
    let mut batch = Default::default();
    for _ in 0..200 {
        memory.sample_into(64, &mut rng, &mut batch).unwrap();
        for &slot in &batch.indices {
            counts[slot] += 1;
        }
    }
    let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
    assert!(
        *min >= 80 && *max <= 200,
        "uneven sampling: {min}..{max} (expected about 128)"
    );
}

#[test]
fn bad_requests_are_typed_errors() {
    assert!(matches!(
        UniformReplay::new(0, 4),
        Err(MemoryError::InvalidConfig {
            field: "capacity",
            ..
        })
    ));
    assert!(matches!(
        UniformReplay::new(10, 0),
        Err(MemoryError::InvalidConfig {
            field: "obs_dim",
            ..
        })
    ));
    let mut memory = UniformReplay::new(10, DIM).unwrap();
    let short = Transition {
        observation: vec![0.0; 2],
        action: 0,
        reward: 0.0,
        next_observation: vec![0.0; 3],
        terminated: false,
        truncated: false,
    };
    assert_eq!(
        memory.push(&short),
        Err(MemoryError::ObservationLength {
            expected: DIM,
            actual: 2
        })
    );
    assert!(memory.is_empty());
    assert_eq!(
        memory.sample(1, &mut seeded(0)),
        Err(MemoryError::NotEnoughTransitions {
            requested: 1,
            stored: 0
        })
    );
    memory.push(&transition(1)).unwrap();
    assert_eq!(
        memory.sample(0, &mut seeded(0)),
        Err(MemoryError::EmptyBatch)
    );
}

#[test]
fn a_cartpole_transition_costs_52_bytes() {
    let capacity = 50_000;
    let mut memory = UniformReplay::new(capacity, 4).unwrap();
    let before = memory.allocated_bytes();
    assert_eq!(before, 52 * capacity);
    for id in 0..2 * capacity as u32 {
        memory
            .push(&Transition {
                observation: [id as f32; 4],
                action: 1,
                reward: 1.0,
                next_observation: [0.0; 4],
                terminated: false,
                truncated: false,
            })
            .unwrap();
    }
    assert_eq!(
        memory.allocated_bytes(),
        before,
        "pushing never reallocates"
    );
}

#[test]
fn byte_storage_keeps_pictures_exactly_and_differences_within_half_a_level() {
    let d = 300;
    let picture =
        |k: usize| -> Vec<f32> { (0..d).map(|i| ((i * 7 + k) % 256) as f32 / 255.0).collect() };
    let mut pictures = UniformReplay::with_storage(
        10,
        d,
        ObservationStorage::U8 {
            low: 0.0,
            high: 1.0,
        },
    )
    .unwrap();
    assert_eq!(pictures.allocated_bytes(), 10 * (2 * d + 20));
    let difference: Vec<f32> = (0..d).map(|i| (i as f32 / d as f32) * 2.0 - 1.0).collect();
    let mut differences = UniformReplay::with_storage(
        10,
        d,
        ObservationStorage::U8 {
            low: -1.0,
            high: 1.0,
        },
    )
    .unwrap();
    for k in 0..12 {
        let t = Transition {
            observation: picture(k),
            action: k % 2,
            reward: 1.0,
            next_observation: picture(k + 1),
            terminated: false,
            truncated: false,
        };
        pictures.push(&t).unwrap();
        differences
            .push(&Transition {
                observation: difference.clone(),
                next_observation: difference.clone(),
                ..t
            })
            .unwrap();
    }
    let oldest = pictures.get::<usize>(0).unwrap();
    assert_eq!(
        oldest.observation,
        picture(2),
        "12 pushes into 10 slots: the oldest is the third"
    );
    assert_eq!(oldest.next_observation, picture(3));
    let stored = differences.get::<usize>(9).unwrap().observation;
    let worst = stored
        .iter()
        .zip(&difference)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst <= 1.0 / 255.0 + 1e-6, "quantisation error {worst}");

    // Checkpoint bytes round-trip both storages.
    for memory in [&pictures, &differences] {
        let restored = UniformReplay::from_bytes(&memory.to_bytes()).unwrap();
        assert_eq!(restored.storage(), memory.storage());
        assert_eq!(restored.get::<usize>(3), memory.get(3));
        assert_eq!(
            restored.sample(5, &mut seeded(1)).unwrap(),
            memory.sample(5, &mut seeded(1)).unwrap()
        );
    }
    let plain = UniformReplay::new(10, 3).unwrap();
    assert!(UniformReplay::from_bytes(&plain.to_bytes()[..40]).is_err());
    assert!(matches!(
        UniformReplay::with_storage(
            10,
            3,
            ObservationStorage::U8 {
                low: 1.0,
                high: 1.0
            }
        ),
        Err(MemoryError::InvalidConfig {
            field: "observation_storage",
            ..
        })
    ));
}
