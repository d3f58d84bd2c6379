//! Fallible allocation of the large buffers memories keep, so that a request too large for
//! the machine is an error instead of an abort.

use crate::error::MemoryError;

/// A vector of `len` copies of `value`, or [`MemoryError::TooLarge`] naming `what` and the
/// bytes it needed when the allocator refuses (or the size overflows).
pub(crate) fn try_filled<T: Clone>(
    len: usize,
    value: T,
    what: &'static str,
) -> Result<Vec<T>, MemoryError> {
    let too_large = || MemoryError::TooLarge {
        what,
        bytes: len as u128 * size_of::<T>() as u128,
    };
    let mut vector = Vec::new();
    vector.try_reserve_exact(len).map_err(|_| too_large())?;
    vector.resize(len, value);
    Ok(vector)
}

/// An empty vector with room for `len` elements, or [`MemoryError::TooLarge`].
pub(crate) fn try_with_capacity<T>(len: usize, what: &'static str) -> Result<Vec<T>, MemoryError> {
    let mut vector = Vec::new();
    vector
        .try_reserve_exact(len)
        .map_err(|_| MemoryError::TooLarge {
            what,
            bytes: len as u128 * size_of::<T>() as u128,
        })?;
    Ok(vector)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impossible_request_is_an_error_with_its_size() {
        let len = usize::MAX / 8;
        assert_eq!(
            try_filled(len, 0.0f64, "replay memory"),
            Err(MemoryError::TooLarge {
                what: "replay memory",
                bytes: len as u128 * 8
            })
        );
        assert!(try_with_capacity::<u64>(len, "rollout").is_err());
        assert_eq!(try_filled(3, 1u8, "small").unwrap(), vec![1, 1, 1]);
    }
}
