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
#[derive(Clone)]
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

/// A hasher's states partway through a text, each with how many of the
/// text's first bytes it had seen: a text that begins as this one did
/// need only be hashed from the last of them before it differs.
#[derive(Clone, Default)]
pub(crate) struct Prefixes(Vec<(u64, Hasher)>);

impl std::fmt::Debug for Prefixes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at: Vec<u64> = self.0.iter().map(|(at, _)| *at).collect();
        f.debug_tuple("Prefixes").field(&at).finish()
    }
}

impl Prefixes {
    /// At most this many states are kept: a piece of at most 1/64th of
    /// the text (and at least 64 KiB) is hashed again.
    const MOST: u64 = 64;

    /// How far apart the states of a text of `len` bytes are, at least
    /// `piece` bytes (the pieces the text is read in).
    pub(crate) fn stride(len: u64, piece: u64) -> u64 {
        len.div_ceil(Self::MOST)
            .max(piece)
            .next_multiple_of(piece.max(1))
    }

    /// Keep `state`, the hasher after the text's first `at` bytes.
    pub(crate) fn keep(&mut self, at: u64, state: &Hasher) {
        self.0.push((at, state.clone()));
    }

    /// The last state kept at or before `at`, and where it is; the
    /// empty hasher at 0 when none is.
    pub(crate) fn before(&self, at: u64) -> (u64, Hasher) {
        let k = self.0.partition_point(|(off, _)| *off <= at);
        match k.checked_sub(1).and_then(|k| self.0.get(k)) {
            Some((off, h)) => (*off, h.clone()),
            None => (0, Hasher::new()),
        }
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

    /// A hash resumed from a state kept partway through a text is the
    /// hash of a text that begins the same, from the last state at or
    /// before where they part.
    #[test]
    fn a_hash_resumed_from_a_kept_state_is_the_whole_hash() {
        let old: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 253) as u8).collect();
        let stride = Prefixes::stride(old.len() as u64, 65_536);
        assert_eq!(stride, 65_536, "a small text keeps a state a piece");
        assert_eq!(
            Prefixes::stride(64 << 20, 65_536),
            1 << 20,
            "at most 64 states"
        );
        let mut kept = Prefixes::default();
        let mut h = Hasher::new();
        let mut at = 0u64;
        for piece in old.chunks(65_536) {
            h.update(piece);
            at += piece.len() as u64;
            kept.keep(at, &h);
        }
        for cut in [0usize, 1, 65_535, 65_536, 65_537, 200_000, 299_999] {
            let mut new = old[..cut].to_vec();
            new.extend_from_slice(b"a change");
            new.extend_from_slice(&old[cut..]);
            let (from, mut resumed) = kept.before(cut as u64);
            assert!(
                from <= cut as u64 && cut as u64 - from < 65_536,
                "{cut}: {from}"
            );
            resumed.update(&new[from as usize..]);
            assert_eq!(resumed.digest128(), oneshot(&new), "{cut}");
        }
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
