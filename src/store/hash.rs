//! The one hash of the store: XXH3, 128 bits, default seed. It keys a
//! snapshot to the bytes of the tasks.yaml it was made from and checks a
//! snapshot's own bytes, so every caller must agree on it: snapshots on
//! disk are only read back if the same function gives the same value.
//!
//! Why twox-hash: it picks AVX2 at run time where the CPU has it, and
//! hashed a 3.9 MB store in about half the time of an SSE2-only build
//! (0.24-0.44 ms against 0.35-0.72 ms), with identical values.

use twox_hash::xxhash3_128::{RawHasher, SecretBuffer};

/// A streaming hasher whose state lives where it is declared (on the
/// stack of a helper thread too): nothing is allocated.
pub(crate) struct Hasher(RawHasher<&'static [u8; twox_hash::xxhash3_128::DEFAULT_SECRET_LENGTH]>);

impl Hasher {
    pub(crate) fn new() -> Self {
        Self(RawHasher::new(SecretBuffer::default()))
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    pub(crate) fn digest128(&self) -> u128 {
        self.0.finish_128()
    }
}

/// The hash of `bytes` in one go.
pub(crate) fn oneshot(bytes: &[u8]) -> u128 {
    twox_hash::XxHash3_128::oneshot(bytes)
}

/// The 64-bit XXH3 of `bytes` (for names and short checksums).
pub fn oneshot_64(bytes: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published XXH3 values of the empty input, and streaming in
    // pieces gives what hashing in one go gives.
    #[test]
    fn the_hash_is_the_reference_xxh3() {
        assert_eq!(oneshot_64(b""), 0x2d06_8005_38d3_94c2);
        assert_eq!(oneshot(b""), 0x99aa_06d3_0147_98d8_6001_c324_468d_497f);
        let big: Vec<u8> = (0..1_000_003u32).map(|i| (i * 31 % 251) as u8).collect();
        let mut h = Hasher::new();
        for piece in big.chunks(65_536) {
            h.update(piece);
        }
        assert_eq!(h.digest128(), oneshot(&big));
    }

    proptest::proptest! {
        // Earlier builds hashed with xxhash-rust: the same values keep
        // their snapshots and stamps valid. Lengths cross the 240-byte
        // and stripe boundaries; pieces cross the hasher's buffer.
        #[test]
        fn the_hash_agrees_with_earlier_builds(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..5_000),
            cut in 0usize..5_000,
        ) {
            proptest::prop_assert_eq!(oneshot(&bytes), xxhash_rust::xxh3::xxh3_128(&bytes));
            proptest::prop_assert_eq!(oneshot_64(&bytes), xxhash_rust::xxh3::xxh3_64(&bytes));
            let cut = cut.min(bytes.len());
            let mut h = Hasher::new();
            h.update(&bytes[..cut]);
            h.update(&bytes[cut..]);
            proptest::prop_assert_eq!(h.digest128(), xxhash_rust::xxh3::xxh3_128(&bytes));
        }
    }
}
