//! A fast, unkeyed hash for the scorer's own maps: token keys, stems and context texts.
//!
//! SipHash (the standard library's default) was a visible share of a score's cost. The keys
//! here are words from the trainer's scenario or the trainee's own reply on their own machine,
//! so resistance to crafted collisions is not worth its price.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-rotate hash that takes eight bytes at a time.
#[derive(Default)]
pub struct TextHasher(u64);

impl TextHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for TextHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8-byte chunk")));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 56));
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // A multiply leaves the low bits, which pick a map's bucket, poorly mixed.
        self.0 ^ (self.0 >> 29)
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<TextHasher>>;
pub type FastSet<T> = HashSet<T, BuildHasherDefault<TextHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn equal_texts_hash_alike_and_near_texts_apart() {
        let build = BuildHasherDefault::<TextHasher>::default();
        assert_eq!(build.hash_one("refund"), build.hash_one("refund"));
        let near = ["refund", "refunds", "refund ", "rEfund", "", "a", "b"];
        let hashes: HashSet<u64> = near.iter().map(|w| build.hash_one(w)).collect();
        assert_eq!(hashes.len(), near.len());
    }
}
