//! Replay memories: the uniform ring buffer checked against a simple model, per-transition
//! discounts, proportional prioritized replay (sampling frequencies, importance weights,
//! priority updates, eviction) and the byte formats of both.

use std::collections::VecDeque;

use cinder_rl::env::ActionShape;
use cinder_rl::error::MemoryError;
use cinder_rl::memory::{
    AnyReplay, Batch, MemoryState, ObservationStorage, PrioritizedConfig, PrioritizedReplay,
    ReplayKind, ReplayMemory, Transition, UniformReplay,
};
use cinder_rl::policy::Linear;
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

/// The discount stored with transition `id`: a different one for each.
fn discount(id: u32) -> f32 {
    1.0 / (1.0 + id as f32)
}

/// Settings with a constant `beta`, for weights computed by hand.
fn settings(alpha: f64, beta: f64, epsilon: f64) -> PrioritizedConfig {
    PrioritizedConfig {
        alpha,
        beta: Linear::new(beta, beta, 0).unwrap(),
        epsilon,
    }
}

/// Every slot's priority, `None` past the stored ones.
fn priorities(memory: &PrioritizedReplay) -> Vec<Option<f64>> {
    (0..=memory.capacity())
        .map(|slot| memory.priority(slot))
        .collect()
}

#[test]
fn discounts_are_stored_and_returned_per_sample() {
    let mut memory = UniformReplay::new(8, DIM).unwrap();
    let plain_bytes = memory.allocated_bytes();
    assert!(memory.stores_discounts());
    assert!(!memory.holds_discounts());
    for id in 0..11 {
        memory
            .push_discounted(&transition(id), discount(id))
            .unwrap();
    }
    assert!(memory.holds_discounts());
    assert_eq!(memory.allocated_bytes(), plain_bytes + 8 * 4);
    assert_eq!(memory.get::<usize>(0), Some(transition_vec(3)));
    let mut rng = seeded(2);
    let mut seen = [false; 11];
    for _ in 0..10 {
        let batch = memory.sample(8, &mut rng).unwrap();
        assert_eq!(batch.discounts.len(), 8);
        for row in 0..8 {
            let id = batch.observations[row * DIM] as u32;
            assert!((3..11).contains(&id));
            assert_eq!(batch.discounts[row], discount(id), "row {row} (id {id})");
            assert_eq!(f64::from(batch.rewards[row]), transition(id).reward);
            seen[id as usize] = true;
        }
    }
    assert_eq!(seen.iter().filter(|&&s| s).count(), 8);
    let batch = memory.sample(8, &mut rng).unwrap();
    // A plain memory's batches carry no discounts, also in a reused batch.
    let mut plain = UniformReplay::new(8, DIM).unwrap();
    plain.push(&transition(1)).unwrap();
    let mut reused = batch.clone();
    plain.sample_into(1, &mut seeded(0), &mut reused).unwrap();
    assert_eq!(reused.batch_size, 1);
    assert!(reused.discounts.is_empty());
    assert_eq!(
        plain.allocated_bytes(),
        plain_bytes,
        "no discounts, no cost"
    );
}

/// `transition(id)` with its observations as vectors, as `get` returns them.
fn transition_vec(id: u32) -> Transition<Vec<f32>> {
    let t = transition(id);
    Transition {
        observation: t.observation.to_vec(),
        action: t.action,
        reward: t.reward,
        next_observation: t.next_observation.to_vec(),
        terminated: t.terminated,
        truncated: t.truncated,
    }
}

#[test]
fn plain_and_discounted_pushes_do_not_mix() {
    let discount_error = |result: Result<(), MemoryError>| {
        matches!(
            result,
            Err(MemoryError::InvalidConfig {
                field: "discount",
                ..
            })
        )
    };
    let mut discounted = UniformReplay::new(4, DIM).unwrap();
    discounted.push_discounted(&transition(0), 0.9).unwrap();
    discounted.push_discounted(&transition(1), 0.81).unwrap();
    let before = discounted.to_bytes();
    assert!(discount_error(discounted.push(&transition(2))));
    for bad in [f32::NAN, f32::INFINITY, -0.1, 1.01] {
        assert!(discount_error(
            discounted.push_discounted(&transition(2), bad)
        ));
    }
    assert_eq!(discounted.len(), 2);
    assert_eq!(discounted.to_bytes(), before, "refusals change nothing");

    let mut plain = UniformReplay::new(4, DIM).unwrap();
    plain.push(&transition(0)).unwrap();
    let before = plain.to_bytes();
    assert!(discount_error(plain.push_discounted(&transition(1), 0.5)));
    assert_eq!(plain.to_bytes(), before);
    assert_eq!(plain.len(), 1);

    // Clearing lets the next push choose again.
    discounted.clear();
    discounted.push(&transition(5)).unwrap();
    assert!(!discounted.holds_discounts());
    assert!(
        discounted
            .sample(1, &mut seeded(0))
            .unwrap()
            .discounts
            .is_empty()
    );
    plain.clear();
    plain.push_discounted(&transition(6), 0.25).unwrap();
    assert_eq!(plain.sample(1, &mut seeded(0)).unwrap().discounts, [0.25]);
    // The bounds themselves are valid discounts.
    plain.push_discounted(&transition(7), 0.0).unwrap();
    plain.push_discounted(&transition(8), 1.0).unwrap();
}

#[test]
fn memories_without_discounts_refuse_them_by_default() {
    /// A memory that keeps only a count, with every provided method left as it is.
    struct Counter(usize);
    impl ReplayMemory for Counter {
        fn push<O: AsRef<[f32]>, A: cinder_rl::env::Action>(
            &mut self,
            _: &Transition<O, A>,
        ) -> Result<(), MemoryError> {
            self.0 += 1;
            Ok(())
        }
        fn len(&self) -> usize {
            self.0
        }
        fn capacity(&self) -> usize {
            10
        }
        fn obs_dim(&self) -> usize {
            DIM
        }
        fn sample_into<R: rand::Rng + ?Sized>(
            &self,
            _: usize,
            _: &mut R,
            _: &mut Batch,
        ) -> Result<(), MemoryError> {
            Err(MemoryError::EmptyBatch)
        }
    }
    let mut memory = Counter(0);
    assert!(!memory.stores_discounts());
    assert!(matches!(
        memory.push_discounted(&transition(0), 0.9),
        Err(MemoryError::InvalidConfig {
            field: "discount",
            ..
        })
    ));
    assert_eq!(memory.len(), 0);
}

#[test]
fn discounts_round_trip_through_bytes_and_are_validated() {
    let mut memory = UniformReplay::with_actions(
        5,
        DIM,
        ObservationStorage::F32,
        ActionShape::Continuous { dim: 2 },
    )
    .unwrap();
    for id in 0..7u32 {
        let t = transition(id);
        let step = Transition {
            observation: t.observation,
            action: [id as f32, -(id as f32)],
            reward: t.reward,
            next_observation: t.next_observation,
            terminated: t.terminated,
            truncated: t.truncated,
        };
        memory.push_discounted(&step, discount(id)).unwrap();
    }
    let bytes = memory.to_bytes();
    // The tag word (the fifth) has bit 9 set besides the continuous bit; the discounts end it.
    let tag = u64::from_le_bytes(bytes[32..40].try_into().unwrap());
    assert_eq!(tag, 512 | 256);
    let plain_len = 48 + 8 + 5 * (2 * 4 * DIM + 12 + 8);
    assert_eq!(bytes.len(), plain_len + 5 * 4);
    let restored = UniformReplay::from_bytes(&bytes).unwrap();
    assert!(restored.holds_discounts());
    assert_eq!(restored.to_bytes(), bytes);
    let (a, b) = (
        memory.sample(5, &mut seeded(4)).unwrap(),
        restored.sample(5, &mut seeded(4)).unwrap(),
    );
    assert_eq!(a, b);
    assert_eq!(a.discounts.len(), 5);
    // Slot 0 holds transition 5 (7 pushes into 5 slots).
    let first = bytes.len() - 5 * 4;
    assert_eq!(
        f32::from_le_bytes(bytes[first..first + 4].try_into().unwrap()),
        discount(5)
    );
    for bad in [1.5f32, -0.5, f32::NAN] {
        let mut corrupt = bytes.clone();
        corrupt[first..first + 4].copy_from_slice(&bad.to_le_bytes());
        assert!(matches!(
            UniformReplay::from_bytes(&corrupt),
            Err(MemoryError::Corrupt(_))
        ));
    }
    assert!(UniformReplay::from_bytes(&bytes[..bytes.len() - 4]).is_err());
    // A plain memory's bytes have no discount tag and no tail.
    let mut plain = UniformReplay::new(5, DIM).unwrap();
    plain.push(&transition(1)).unwrap();
    let plain_bytes = plain.to_bytes();
    assert_eq!(
        u64::from_le_bytes(plain_bytes[32..40].try_into().unwrap()),
        0
    );
    assert_eq!(plain_bytes.len(), 48 + 5 * (2 * 4 * DIM + 12 + 8));
}

/// The bytes of a memory of capacity 3, observations of 2 values and discrete actions holding
/// two transitions, written field by field as the uniform format has always laid them out.
fn old_format_bytes() -> Vec<u8> {
    let mut bytes = Vec::new();
    let word = |bytes: &mut Vec<u8>, v: u64| bytes.extend_from_slice(&v.to_le_bytes());
    let floats = |bytes: &mut Vec<u8>, values: &[f32]| {
        bytes.extend(values.iter().flat_map(|v| v.to_le_bytes()))
    };
    for v in [3, 2, 2, 2, 0] {
        word(&mut bytes, v); // capacity, obs_dim, len, next, storage tag
    }
    floats(&mut bytes, &[0.0, 0.0]); // the one-byte storage's bounds, unused
    floats(&mut bytes, &[1.0, 2.0, 3.0, 4.0, 0.0, 0.0]); // observations
    floats(&mut bytes, &[5.0, 6.0, 7.0, 8.0, 0.0, 0.0]); // next observations
    floats(&mut bytes, &[0.5, -1.0, 0.0]); // rewards
    floats(&mut bytes, &[0.0, 1.0, 0.0]); // terminated
    floats(&mut bytes, &[1.0, 0.0, 0.0]); // truncated
    for action in [2i64, 1, 0] {
        bytes.extend_from_slice(&action.to_le_bytes());
    }
    bytes
}

#[test]
fn uniform_bytes_of_the_old_format_still_read() {
    let bytes = old_format_bytes();
    let check = |memory: &UniformReplay| {
        assert_eq!(memory.len(), 2);
        assert!(!memory.holds_discounts());
        assert_eq!(
            memory.get::<usize>(0),
            Some(Transition {
                observation: vec![1.0, 2.0],
                action: 2,
                reward: 0.5,
                next_observation: vec![5.0, 6.0],
                terminated: false,
                truncated: true,
            })
        );
        assert_eq!(
            memory.get::<usize>(1),
            Some(Transition {
                observation: vec![3.0, 4.0],
                action: 1,
                reward: -1.0,
                next_observation: vec![7.0, 8.0],
                terminated: true,
                truncated: false,
            })
        );
        // Written back unchanged: plain memories keep the old layout.
        assert_eq!(memory.to_bytes(), bytes);
    };
    check(&UniformReplay::from_bytes(&bytes).unwrap());
    match AnyReplay::from_bytes(&bytes).unwrap() {
        AnyReplay::Uniform(memory) => check(&memory),
        AnyReplay::Prioritized(_) => panic!("uniform bytes read as a prioritized memory"),
    }
}

#[test]
fn sampling_frequencies_follow_the_priorities() {
    let config = settings(0.6, 0.4, 1e-6);
    let mut memory = PrioritizedReplay::new(6, DIM, config).unwrap();
    for id in 0..6 {
        memory.push(&transition(id)).unwrap();
    }
    let td_errors = [0.1f32, 0.5, 1.0, 2.0, 0.0, 3.0];
    memory
        .update_priorities(&[0, 1, 2, 3, 4, 5], &td_errors)
        .unwrap();
    let expected: Vec<f64> = td_errors
        .iter()
        .map(|&d| (f64::from(d) + 1e-6).powf(0.6))
        .collect();
    for (slot, &p) in expected.iter().enumerate() {
        assert_eq!(memory.priority(slot), Some(p));
    }
    let total: f64 = expected.iter().sum();
    let mut counts = [0u64; 6];
    let mut rng = seeded(17);
    let mut batch = Batch::default();
    // 200 004 draws, in batches of all 6.
    for _ in 0..33_334 {
        memory.sample_into(6, &mut rng, &mut batch).unwrap();
        for &slot in &batch.indices {
            counts[slot] += 1;
        }
    }
    let drawn = counts.iter().sum::<u64>() as f64;
    assert_eq!(drawn, 200_004.0);
    for slot in 0..6 {
        let frequency = counts[slot] as f64 / drawn;
        let probability = expected[slot] / total;
        // A binomial deviation of 200 000 draws is at most about 0.001.
        assert!(
            (frequency - probability).abs() < 0.004,
            "slot {slot}: drawn {frequency:.5}, priority share {probability:.5}"
        );
    }
    // The slot of TD error 0 keeps a priority of epsilon^alpha, about 1 in 18 000.
    assert!(counts[4] < 40, "slot 4 drawn {} times", counts[4]);
}

#[test]
fn importance_weights_match_hand_computed_values() {
    // alpha 1 and epsilon 0.5 make priorities of 1, 2, 4 and 8; beta 0.5.
    let mut memory = PrioritizedReplay::new(4, DIM, settings(1.0, 0.5, 0.5)).unwrap();
    for id in 0..4 {
        memory.push(&transition(id)).unwrap();
    }
    memory
        .update_priorities(&[0, 1, 2, 3], &[0.5, 1.5, 3.5, -7.5])
        .unwrap();
    assert_eq!(
        priorities(&memory),
        [Some(1.0), Some(2.0), Some(4.0), Some(8.0), None]
    );
    // w_i = (N P(i))^-beta / max_j w_j with N = 4, P(i) = p_i / 15, the largest w at p = 1.
    let hand = [1.0f32, 0.707_106_77, 0.5, 0.353_553_38];
    let mut seen = [false; 4];
    let mut rng = seeded(9);
    for _ in 0..20 {
        let batch = memory.sample(4, &mut rng).unwrap();
        assert_eq!(batch.weights.len(), 4);
        for (&slot, &weight) in batch.indices.iter().zip(&batch.weights) {
            let n_p = |p: f64| 4.0 * p / 15.0;
            let formula = (n_p(2f64.powi(slot as i32)).powf(-0.5) / n_p(1.0).powf(-0.5)) as f32;
            assert!((weight - hand[slot]).abs() < 1e-6, "slot {slot}: {weight}");
            assert!((weight - formula).abs() < 1e-6);
            seen[slot] = true;
            // The batch holds the slot's own transition.
            let row = batch.indices.iter().position(|&s| s == slot).unwrap();
            assert_eq!(batch.observations[row * DIM], slot as f32);
        }
    }
    assert_eq!(seen, [true; 4]);
    // Stratified: the slot of priority 8 (8/15 of the mass) fills segments 3 and 4 of 4.
    let batch = memory.sample(4, &mut seeded(1)).unwrap();
    assert_eq!(&batch.indices[2..], [3, 3]);
}

#[test]
fn beta_follows_its_schedule_against_pushes() {
    let config = PrioritizedConfig {
        beta: Linear::new(0.4, 1.0, 100).unwrap(),
        ..Default::default()
    };
    let mut memory = PrioritizedReplay::new(10, DIM, config).unwrap();
    assert_eq!(memory.beta(), 0.4);
    for id in 0..50 {
        memory.push(&transition(id)).unwrap();
    }
    assert!((memory.beta() - 0.7).abs() < 1e-12);
    assert_eq!(memory.pushes(), 50);
    for id in 0..60 {
        memory.push(&transition(id)).unwrap();
    }
    assert_eq!(memory.beta(), 1.0);
    assert_eq!(memory.len(), 10);
    // A refused push counts nothing.
    let short = Transition {
        observation: vec![0.0; 1],
        action: 0,
        reward: 0.0,
        next_observation: vec![0.0; 1],
        terminated: false,
        truncated: false,
    };
    assert!(memory.push(&short).is_err());
    assert_eq!(memory.pushes(), 110);
}

/// The weight of `slot` in the first batch of 4 drawn from `memory` that holds it.
fn weight_of(memory: &PrioritizedReplay, slot: usize) -> f32 {
    let mut rng = seeded(1);
    for _ in 0..100 {
        let batch = memory.sample(4, &mut rng).unwrap();
        if let Some(row) = batch.indices.iter().position(|&s| s == slot) {
            return batch.weights[row];
        }
    }
    panic!("slot {slot} never drawn");
}

#[test]
fn new_transitions_get_the_largest_priority_and_evict_the_oldest() {
    // alpha 0.5, beta 1 and epsilon 0.25: TD errors 0, 0.75 and 3.75 give priorities 0.5,
    // 1 and 2, exactly.
    let mut memory = PrioritizedReplay::new(4, DIM, settings(0.5, 1.0, 0.25)).unwrap();
    assert_eq!(memory.max_priority(), 1.0);
    for id in 0..3 {
        memory.push(&transition(id)).unwrap();
    }
    assert_eq!(
        priorities(&memory),
        [Some(1.0), Some(1.0), Some(1.0), None, None]
    );
    // The largest priority is kept before alpha: 3.75 + 0.25 = 4, stored as 2.
    memory.update_priorities(&[1, 0], &[3.75, 0.0]).unwrap();
    assert_eq!(memory.max_priority(), 4.0);
    assert_eq!(
        priorities(&memory),
        [Some(0.5), Some(2.0), Some(1.0), None, None]
    );
    memory.push(&transition(3)).unwrap();
    assert_eq!(memory.priority(3), Some(2.0));
    // A smaller error does not lower the largest priority.
    memory.update_priorities(&[1], &[0.75]).unwrap();
    assert_eq!(memory.max_priority(), 4.0);
    assert_eq!(
        priorities(&memory),
        [Some(0.5), Some(1.0), Some(1.0), Some(2.0), None]
    );
    // The smallest priority is slot 0's 0.5: slot 2 (priority 1) weighs 0.5.
    assert_eq!(weight_of(&memory, 2), 0.5);
    // The memory is full: the next push replaces slot 0 (transition 0) and its priority.
    memory.push(&transition(4)).unwrap();
    assert_eq!(memory.len(), 4);
    assert_eq!(
        priorities(&memory),
        [Some(2.0), Some(1.0), Some(1.0), Some(2.0), None]
    );
    assert_eq!(memory.inner().get::<usize>(3), Some(transition_vec(4)));
    // Now the smallest priority is 1: slot 2 weighs 1 and slot 0 (priority 2) 0.5.
    assert_eq!(weight_of(&memory, 2), 1.0);
    assert_eq!(weight_of(&memory, 0), 0.5);
}

#[test]
fn refused_priority_updates_change_nothing() {
    let mut memory = PrioritizedReplay::new(8, DIM, PrioritizedConfig::default()).unwrap();
    for id in 0..5 {
        memory.push(&transition(id)).unwrap();
    }
    memory
        .update_priorities(&[0, 1, 2], &[0.5, 1.5, 2.5])
        .unwrap();
    let (before, max) = (priorities(&memory), memory.max_priority());
    let invalid = |result: Result<(), MemoryError>, name: &str| match result {
        Err(MemoryError::InvalidConfig { field, .. }) => assert_eq!(field, name),
        other => panic!("expected an invalid {name}, got {other:?}"),
    };
    // Each refusal comes after a valid, larger error that would have been written first.
    invalid(memory.update_priorities(&[3, 1], &[9.0]), "td_errors");
    invalid(memory.update_priorities(&[3, 5], &[9.0, 1.0]), "indices");
    invalid(memory.update_priorities(&[3, 8], &[9.0, 1.0]), "indices");
    invalid(
        memory.update_priorities(&[3, 1], &[9.0, f32::NAN]),
        "td_errors",
    );
    invalid(
        memory.update_priorities(&[3, 1], &[9.0, f32::INFINITY]),
        "td_errors",
    );
    // A priority that overflows: alpha 10 on an error of 1e38.
    let mut steep = PrioritizedReplay::new(8, DIM, settings(10.0, 1.0, 1e-6)).unwrap();
    steep.push(&transition(0)).unwrap();
    invalid(steep.update_priorities(&[0], &[1e38]), "td_errors");
    assert_eq!(steep.priority(0), Some(1.0));
    assert_eq!(priorities(&memory), before);
    assert_eq!(memory.max_priority(), max);
    // Empty updates are fine and change nothing either.
    memory.update_priorities(&[], &[]).unwrap();
    assert_eq!(priorities(&memory), before);
}

#[test]
fn prioritized_sampling_errors_match_the_uniform_memory() {
    let mut memory = PrioritizedReplay::new(8, DIM, PrioritizedConfig::default()).unwrap();
    assert_eq!(
        memory.sample(1, &mut seeded(0)),
        Err(MemoryError::NotEnoughTransitions {
            requested: 1,
            stored: 0
        })
    );
    memory.push(&transition(0)).unwrap();
    assert_eq!(
        memory.sample(0, &mut seeded(0)),
        Err(MemoryError::EmptyBatch)
    );
    assert_eq!(
        memory.sample(2, &mut seeded(0)),
        Err(MemoryError::NotEnoughTransitions {
            requested: 2,
            stored: 1
        })
    );
    let bad = PrioritizedConfig {
        alpha: -1.0,
        ..Default::default()
    };
    assert!(matches!(
        PrioritizedReplay::new(8, DIM, bad),
        Err(MemoryError::InvalidConfig { field: "alpha", .. })
    ));
    assert!(matches!(
        PrioritizedReplay::new(0, DIM, PrioritizedConfig::default()),
        Err(MemoryError::InvalidConfig {
            field: "capacity",
            ..
        })
    ));
}

/// A prioritized memory of one-byte observations, continuous actions and discounts, with
/// varied priorities, that has wrapped around.
fn varied_prioritized() -> PrioritizedReplay {
    let storage = ObservationStorage::U8 {
        low: -1.0,
        high: 50.0,
    };
    let shape = ActionShape::Continuous { dim: 2 };
    let config = PrioritizedConfig {
        alpha: 0.7,
        beta: Linear::new(0.4, 1.0, 30).unwrap(),
        epsilon: 1e-3,
    };
    let mut memory = PrioritizedReplay::with_actions(10, DIM, storage, shape, config).unwrap();
    for id in 0..13u32 {
        let t = transition(id);
        let step = Transition {
            observation: t.observation,
            action: [id as f32 * 0.5, 1.0],
            reward: t.reward,
            next_observation: t.observation,
            terminated: t.terminated,
            truncated: t.truncated,
        };
        memory.push_discounted(&step, discount(id)).unwrap();
        if id % 3 == 2 {
            let batch = memory.sample(3, &mut seeded(u64::from(id))).unwrap();
            let errors: Vec<f32> = batch
                .indices
                .iter()
                .map(|&s| s as f32 * 0.7 - 2.0)
                .collect();
            memory.update_priorities(&batch.indices, &errors).unwrap();
        }
    }
    memory
}

#[test]
fn prioritized_bytes_round_trip_to_identical_samples() {
    let memory = varied_prioritized();
    let bytes = memory.to_bytes();
    assert_eq!(&bytes[..8], b"CINDPER1");
    let restored = PrioritizedReplay::from_bytes(&bytes).unwrap();
    memory.check_fits(&restored).unwrap();
    assert_eq!(restored.to_bytes(), bytes);
    assert_eq!(priorities(&restored), priorities(&memory));
    assert_eq!(restored.max_priority(), memory.max_priority());
    assert_eq!(restored.beta(), memory.beta());
    assert_eq!(restored.config(), memory.config());
    let (mut a, mut b) = (seeded(21), seeded(21));
    for batch_size in [1, 5, 10, 7] {
        let x = memory.sample(batch_size, &mut a).unwrap();
        let y = restored.sample(batch_size, &mut b).unwrap();
        assert_eq!(x, y);
        assert_eq!(x.discounts.len(), batch_size);
        assert_eq!(x.weights.len(), batch_size);
    }
    // Through AnyReplay too, which tells the kinds apart by the magic.
    let any = AnyReplay::from_bytes(&bytes).unwrap();
    assert!(matches!(any, AnyReplay::Prioritized(_)));
    assert_eq!(any.kind(), ReplayKind::Prioritized(*memory.config()));
    assert_eq!(
        any.sample(6, &mut seeded(3)).unwrap(),
        memory.sample(6, &mut seeded(3)).unwrap()
    );
    // Other settings, or another kind, do not fit.
    let other = PrioritizedReplay::with_actions(
        10,
        DIM,
        memory.inner().storage(),
        memory.action_shape(),
        PrioritizedConfig::default(),
    )
    .unwrap();
    assert!(matches!(
        other.check_fits(&restored),
        Err(MemoryError::Corrupt(_))
    ));
    let uniform = AnyReplay::from(memory.inner().clone());
    match uniform.check_fits(&any) {
        Err(MemoryError::Corrupt(reason)) => {
            assert!(
                reason.contains("prioritized") && reason.contains("uniform"),
                "{reason}"
            )
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

/// Writes `value` over the 8 bytes at `at`.
fn overwrite(bytes: &[u8], at: usize, value: [u8; 8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    bytes[at..at + 8].copy_from_slice(&value);
    bytes
}

#[test]
fn invalid_prioritized_bytes_are_named_errors() {
    let memory = varied_prioritized();
    let bytes = memory.to_bytes();
    let settings_len = u64::from_le_bytes(bytes[8..16].try_into().unwrap()) as usize;
    let pushes_at = 16 + settings_len;
    let (max_at, capacity_at, leaves_at) = (pushes_at + 8, pushes_at + 16, pushes_at + 24);
    assert_eq!(
        u64::from_le_bytes(bytes[pushes_at..max_at].try_into().unwrap()),
        13
    );
    let corrupt = |bytes: Vec<u8>| {
        assert!(
            matches!(
                PrioritizedReplay::from_bytes(&bytes),
                Err(MemoryError::Corrupt(_))
            ),
            "accepted"
        );
    };
    let mut magic = bytes.clone();
    magic[7] = b'2';
    corrupt(magic);
    let json = String::from_utf8(bytes[16..pushes_at].to_vec()).unwrap();
    let negative = json.replace("\"alpha\":0.7", "\"alpha\":-0.7");
    assert_ne!(negative, json);
    let mut bad_settings = bytes[..16].to_vec();
    bad_settings[8..16].copy_from_slice(&(negative.len() as u64).to_le_bytes());
    bad_settings.extend_from_slice(negative.as_bytes());
    bad_settings.extend_from_slice(&bytes[pushes_at..]);
    corrupt(bad_settings);
    corrupt(overwrite(&bytes, 8, u64::MAX.to_le_bytes()));
    corrupt(overwrite(&bytes, pushes_at, 9u64.to_le_bytes()));
    for max in [0.5f64, f64::NAN, f64::INFINITY] {
        corrupt(overwrite(&bytes, max_at, max.to_le_bytes()));
    }
    corrupt(overwrite(&bytes, capacity_at, 9u64.to_le_bytes()));
    corrupt(overwrite(&bytes, capacity_at, u64::MAX.to_le_bytes()));
    for priority in [0.0f64, -1.0, f64::NAN, f64::INFINITY] {
        corrupt(overwrite(&bytes, leaves_at + 8 * 4, priority.to_le_bytes()));
    }
    // A slot holding nothing must have priority 0.
    let mut young = PrioritizedReplay::new(4, DIM, PrioritizedConfig::default()).unwrap();
    young.push(&transition(0)).unwrap();
    let young_bytes = young.to_bytes();
    let young_leaves = young_bytes.len() - young.inner().to_bytes().len() - 4 * 8;
    PrioritizedReplay::from_bytes(&young_bytes).unwrap();
    corrupt(overwrite(
        &young_bytes,
        young_leaves + 8,
        1f64.to_le_bytes(),
    ));
}

proptest! {
    #[test]
    fn truncated_or_altered_prioritized_bytes_never_panic(
        cut in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let bytes = varied_prioritized().to_bytes();
        let cut = cut.index(bytes.len());
        prop_assert!(PrioritizedReplay::from_bytes(&bytes[..cut]).is_err());
        prop_assert!(AnyReplay::from_bytes(&bytes[..cut]).is_err());
        let mut altered = bytes.clone();
        for (at, value) in &flips {
            altered[at.index(bytes.len())] ^= value | 1;
        }
        // Anything may be refused or read; what reads must sample without failing.
        if let Ok(memory) = PrioritizedReplay::from_bytes(&altered) {
            let batch = memory.sample(memory.len(), &mut seeded(0)).unwrap();
            prop_assert!(batch.weights.iter().all(|&w| w > 0.0 && w <= 1.0));
        }
        let _ = AnyReplay::from_bytes(&altered);
    }
}

#[test]
fn any_replay_builds_either_kind_and_delegates() {
    let storage = ObservationStorage::F32;
    let uniform =
        AnyReplay::new(ReplayKind::Uniform, 5, DIM, storage, ActionShape::Discrete).unwrap();
    assert!(!uniform.wants_td_errors());
    assert_eq!(uniform.kind(), ReplayKind::Uniform);
    let kind = ReplayKind::Prioritized(settings(0.5, 1.0, 0.01));
    let mut prioritized = AnyReplay::new(kind, 5, DIM, storage, ActionShape::Discrete).unwrap();
    assert!(prioritized.wants_td_errors() && prioritized.stores_discounts());
    for id in 0..3 {
        prioritized
            .push_discounted(&transition(id), discount(id))
            .unwrap();
    }
    assert!(prioritized.push(&transition(3)).is_err());
    prioritized.update_priorities(&[0, 1], &[3.0, 0.0]).unwrap();
    assert!(prioritized.update_priorities(&[3], &[1.0]).is_err());
    let AnyReplay::Prioritized(inner) = &prioritized else {
        panic!("a prioritized kind built another memory");
    };
    let priority = inner.priority(0).unwrap();
    assert!((priority - 3.01f64.sqrt()).abs() < 1e-12, "{priority}");
    assert!((inner.priority(1).unwrap() - 0.1).abs() < 1e-12);
    assert_eq!(
        (
            prioritized.len(),
            prioritized.capacity(),
            prioritized.obs_dim()
        ),
        (3, 5, DIM)
    );
    assert_eq!(
        prioritized.transitions().get::<usize>(2),
        Some(transition_vec(2))
    );
    let batch = prioritized.sample(3, &mut seeded(0)).unwrap();
    assert_eq!(batch.weights.len(), 3);
    for (row, &slot) in batch.indices.iter().enumerate() {
        assert_eq!(batch.discounts[row], discount(slot as u32));
    }
    assert!(matches!(
        AnyReplay::new(kind, 0, DIM, storage, ActionShape::Discrete),
        Err(MemoryError::InvalidConfig { .. })
    ));
    let json = serde_json::to_string(&kind).unwrap();
    assert_eq!(serde_json::from_str::<ReplayKind>(&json).unwrap(), kind);
    assert_eq!(
        serde_json::from_str::<ReplayKind>("\"Uniform\"").unwrap(),
        ReplayKind::Uniform
    );
    assert!(serde_json::from_str::<ReplayKind>("\"Ranked\"").is_err());
}
