//! Segment trees over `f64` priorities: sums, to draw slots in proportion to their priority,
//! and minimums, for the largest importance weight.
//!
//! Each tree is an array of `2 * leaves` nodes (`leaves` the capacity rounded up to a power of
//! two): node 1 is the root, node `i` has children `2i` and `2i + 1`, and leaf `slot` is node
//! `leaves + slot`. Every inner node is recomputed from its two children whenever a leaf
//! below it changes, so a tree built from its leaves equals one that was updated leaf by leaf.

use super::alloc::try_filled;
use crate::error::MemoryError;

/// How a tree combines two children, and the value of a leaf that holds nothing.
pub(crate) trait Combine {
    /// The value of unused leaves, neutral for [`combine`](Self::combine).
    const EMPTY: f64;
    /// The value of a node from its children's.
    fn combine(left: f64, right: f64) -> f64;
}

/// Sums.
#[derive(Debug, Clone)]
pub(crate) struct Sum;

impl Combine for Sum {
    const EMPTY: f64 = 0.0;
    #[inline]
    fn combine(left: f64, right: f64) -> f64 {
        left + right
    }
}

/// Minimums.
#[derive(Debug, Clone)]
pub(crate) struct Min;

impl Combine for Min {
    const EMPTY: f64 = f64::INFINITY;
    #[inline]
    fn combine(left: f64, right: f64) -> f64 {
        left.min(right)
    }
}

/// The array and its leaf count, for any [`Combine`].
#[derive(Debug, Clone)]
pub(crate) struct Tree<C> {
    /// `2 * leaves` nodes; node 0 is unused.
    nodes: Vec<f64>,
    /// The number of leaves: a power of two.
    leaves: usize,
    /// The slots in use: `0..capacity`.
    capacity: usize,
    combine: std::marker::PhantomData<C>,
}

impl<C: Combine> Tree<C> {
    /// A tree of `capacity` (at least 1) empty slots.
    pub fn new(capacity: usize) -> Result<Self, MemoryError> {
        Self::from_leaves(capacity, &[])
    }

    /// A tree of `capacity` (at least 1) empty slots whose first leaves take `values`
    /// (at most `capacity` of them).
    pub fn from_leaves(capacity: usize, values: &[f64]) -> Result<Self, MemoryError> {
        let too_large = || MemoryError::TooLarge {
            what: "priority tree",
            bytes: capacity as u128 * 2 * size_of::<f64>() as u128,
        };
        let leaves = capacity
            .max(1)
            .checked_next_power_of_two()
            .ok_or_else(too_large)?;
        let mut nodes = try_filled(
            leaves.checked_mul(2).ok_or_else(too_large)?,
            C::EMPTY,
            "priority tree",
        )?;
        let count = values.len().min(capacity);
        nodes[leaves..leaves + count].copy_from_slice(&values[..count]);
        for node in (1..leaves).rev() {
            nodes[node] = C::combine(nodes[2 * node], nodes[2 * node + 1]);
        }
        Ok(Self {
            nodes,
            leaves,
            capacity,
            combine: std::marker::PhantomData,
        })
    }

    /// Sets `slot` (below the capacity) to `value` and recomputes the nodes above it.
    #[inline]
    pub fn set(&mut self, slot: usize, value: f64) {
        debug_assert!(slot < self.capacity);
        let mut node = self.leaves + slot;
        self.nodes[node] = value;
        while node > 1 {
            node /= 2;
            self.nodes[node] = C::combine(self.nodes[2 * node], self.nodes[2 * node + 1]);
        }
    }

    /// Sets each slot of `slots` (below the capacity) to the value at the same position of
    /// `values` (the last one for a slot given twice), then recomputes the nodes above them
    /// level by level: the slots' paths are climbed side by side, so that the memory reads
    /// of different paths overlap instead of waiting on each other.
    pub fn set_many(&mut self, slots: &[usize], values: &[f64]) {
        for (&slot, &value) in slots.iter().zip(values) {
            debug_assert!(slot < self.capacity);
            self.nodes[self.leaves + slot] = value;
        }
        let mut shift = 1;
        while self.leaves >> shift > 0 {
            for &slot in slots {
                let node = (self.leaves + slot) >> shift;
                self.nodes[node] = C::combine(self.nodes[2 * node], self.nodes[2 * node + 1]);
            }
            shift += 1;
        }
    }

    /// The value of `slot`, `None` past the capacity.
    pub fn get(&self, slot: usize) -> Option<f64> {
        (slot < self.capacity).then(|| self.nodes[self.leaves + slot])
    }

    /// The number of nodes (of `f64`), for the bytes the tree takes.
    pub fn nodes(&self) -> usize {
        self.nodes.len()
    }

    /// The combination of every leaf.
    fn root(&self) -> f64 {
        self.nodes[1]
    }
}

/// Sums of non-negative priorities (unused slots zero): their [`total`](Self::total), and
/// the slot where a running sum crosses a given mass
/// ([`find_prefix_sums`](Self::find_prefix_sums)).
pub(crate) type SumTree = Tree<Sum>;

impl SumTree {
    /// The sum of every slot.
    pub fn total(&self) -> f64 {
        self.root()
    }

    /// The slot `i` with `sum(values[..i]) <= mass < sum(values[..=i])`: a slot drawn in
    /// proportion to its value when `mass` is uniform in `[0, total)`.
    ///
    /// The slot found always holds a positive value, also when rounding puts `mass` at or
    /// past the total (then the last positive slot) or `mass` is negative or not a number
    /// (then the first); `None` only when the total is not positive.
    ///
    /// One search at a time: the reference that sampling's side-by-side
    /// [`find_prefix_sums`](Self::find_prefix_sums) is tested against.
    #[cfg(test)]
    pub fn find_prefix_sum(&self, mass: f64) -> Option<usize> {
        if self.root().is_nan() || self.root() <= 0.0 {
            return None;
        }
        // `max` turns NaN into 0, and values are never NaN, so comparisons are plain. Every
        // node visited is positive: the root is, a right child is entered only when
        // positive, and a left child either exceeds the mass left (itself at least 0) or is
        // its parent's whole sum.
        let mut mass = mass.max(0.0);
        let mut node = 1;
        while node < self.leaves {
            let left = self.nodes[2 * node];
            if mass < left || self.nodes[2 * node + 1] <= 0.0 {
                node *= 2;
            } else {
                mass -= left;
                node = 2 * node + 1;
            }
        }
        Some(node - self.leaves)
    }

    /// [`find_prefix_sum`](Self::find_prefix_sum) of each mass of `masses` into the same
    /// position of `slots` (of the same length), descending the tree side by side so that
    /// the memory reads of different searches overlap; `masses` is used up. `false` (and
    /// `slots` unchanged) when the total is not positive.
    #[inline]
    pub fn find_prefix_sums(&self, masses: &mut [f64], slots: &mut [usize]) -> bool {
        if self.root().is_nan() || self.root() <= 0.0 {
            return false;
        }
        for (mass, node) in masses.iter_mut().zip(slots.iter_mut()) {
            *mass = mass.max(0.0);
            *node = 1;
        }
        // The same steps as `find_prefix_sum`, one level at a time.
        let mut width = 1;
        while width < self.leaves {
            // Without branches: which child a search enters is a coin toss, and mispredicted
            // branches would throw away the reads in flight.
            for (mass, node) in masses.iter_mut().zip(slots.iter_mut()) {
                let (left, right) = (self.nodes[2 * *node], self.nodes[2 * *node + 1]);
                let go_right = (*mass >= left) & (right > 0.0);
                *mass -= if go_right { left } else { 0.0 };
                *node = 2 * *node + usize::from(go_right);
            }
            width *= 2;
        }
        for node in slots.iter_mut() {
            *node -= self.leaves;
        }
        true
    }
}

/// Minimums of priorities; slots never set count as `+inf`.
pub(crate) type MinTree = Tree<Min>;

impl MinTree {
    /// The smallest value set (`+inf` when none is).
    pub fn min(&self) -> f64 {
        self.root()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The slot a linear scan finds for `mass`, skipping zero slots as the tree does.
    fn scan(values: &[f64], mass: f64) -> usize {
        let mut running = 0.0;
        for (slot, &v) in values.iter().enumerate() {
            running += v;
            if mass < running && v > 0.0 {
                return slot;
            }
        }
        values.iter().rposition(|&v| v > 0.0).unwrap()
    }

    proptest! {
        #[test]
        fn sums_minimums_and_prefix_search_match_a_linear_scan(
            capacity in 1usize..70,
            updates in proptest::collection::vec((0usize..70, 0u32..1000), 1..120),
            fractions in proptest::collection::vec(0.0f64..1.0, 1..40),
        ) {
            let mut sums = SumTree::new(capacity).unwrap();
            let mut mins = MinTree::new(capacity).unwrap();
            // Integer-valued priorities sum exactly, so the scan and the tree agree exactly.
            let mut values = vec![0.0; capacity];
            for &(slot, value) in &updates {
                let slot = slot % capacity;
                let value = f64::from(value);
                values[slot] = value;
                sums.set(slot, value);
                mins.set(slot, value);
            }
            let touched: Vec<usize> = updates.iter().map(|&(s, _)| s % capacity).collect();
            let total: f64 = values.iter().sum();
            prop_assert_eq!(sums.total(), total);
            let min = touched.iter().map(|&s| values[s]).fold(f64::INFINITY, f64::min);
            prop_assert_eq!(mins.min(), min);
            for (slot, &v) in values.iter().enumerate() {
                prop_assert_eq!(sums.get(slot), Some(v));
            }
            prop_assert_eq!(sums.get(capacity), None);
            if total == 0.0 {
                prop_assert_eq!(sums.find_prefix_sum(0.0), None);
            } else {
                for &f in &fractions {
                    let mass = (f * total).floor();
                    let slot = sums.find_prefix_sum(mass).unwrap();
                    prop_assert_eq!(slot, scan(&values, mass), "mass {}", mass);
                    prop_assert!(values[slot] > 0.0);
                }
                // At and past the top end: the last positive slot, never an empty one.
                let last = values.iter().rposition(|&v| v > 0.0).unwrap();
                for mass in [total, total * 1.5, f64::INFINITY] {
                    prop_assert_eq!(sums.find_prefix_sum(mass), Some(last));
                }
                let first = values.iter().position(|&v| v > 0.0).unwrap();
                for mass in [-1.0, f64::NAN, 0.0] {
                    prop_assert_eq!(sums.find_prefix_sum(mass), Some(first));
                }
            }
            // Side by side, the searches find the same slots.
            if total > 0.0 {
                let mut masses: Vec<f64> = fractions.iter().map(|f| f * total * 1.1).collect();
                let expected: Vec<usize> =
                    masses.iter().map(|&m| sums.find_prefix_sum(m).unwrap()).collect();
                let mut slots = vec![usize::MAX; masses.len()];
                prop_assert!(sums.find_prefix_sums(&mut masses, &mut slots));
                prop_assert_eq!(slots, expected);
            }
            // Updates side by side give the trees of updates one by one.
            let (slots, new_values): (Vec<usize>, Vec<f64>) = updates
                .iter()
                .map(|&(slot, value)| (slot % capacity, f64::from(value)))
                .unzip();
            let mut side_sums = SumTree::new(capacity).unwrap();
            let mut side_mins = MinTree::new(capacity).unwrap();
            side_sums.set_many(&slots, &new_values);
            side_mins.set_many(&slots, &new_values);
            prop_assert_eq!(&side_sums.nodes, &sums.nodes);
            prop_assert_eq!(&side_mins.nodes, &mins.nodes);
            // A tree built from its leaves equals the one updated leaf by leaf.
            let rebuilt = SumTree::from_leaves(capacity, &values).unwrap();
            prop_assert_eq!(&rebuilt.nodes, &sums.nodes);
        }
    }

    #[test]
    fn rounding_never_lands_on_an_unused_slot() {
        // Three slots of 0.1 in a tree of four leaves: 0.1 + 0.1 + 0.1 rounds above 0.3.
        let sums = SumTree::from_leaves(3, &[0.1, 0.1, 0.1]).unwrap();
        assert_eq!(sums.total(), 0.1 + 0.1 + 0.1);
        assert_eq!(sums.find_prefix_sum(sums.total()), Some(2));
        assert_eq!(sums.find_prefix_sum(0.25), Some(2));
        assert_eq!(sums.find_prefix_sum(0.15), Some(1));
        assert_eq!(sums.find_prefix_sum(0.05), Some(0));
        let mins = MinTree::from_leaves(3, &[0.3, 0.2]).unwrap();
        assert_eq!(mins.min(), 0.2);
        assert_eq!(MinTree::new(5).unwrap().min(), f64::INFINITY);
    }
}
