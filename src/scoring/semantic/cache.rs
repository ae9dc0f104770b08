//! Exemplar embeddings, computed once and kept on disk by content hash. Embedding the shipped
//! banks takes about a second on a small machine; every later start reads them back in a few
//! milliseconds. The key of an entry is a hash of the exact text, and the file is tied to the
//! model's checksum, so an edited exemplar or another model is simply a miss. A damaged or
//! foreign file is ignored (and rewritten), never an error: it only costs time.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::encoder::{DIM, Embedding};
use super::model_files::WEIGHTS_SHA256;

/// Overrides the folder the cache file is kept in.
pub const CACHE_DIR_ENV: &str = "HOLDLINE_CACHE_DIR";
const MAGIC: &[u8; 8] = b"HLEMB\x001\x00";
const KEY_BYTES: usize = 16;
const ENTRY_BYTES: usize = KEY_BYTES + DIM * 4;
/// The file keeps at most this many entries; past it, only the entries used since it was loaded
/// are written back.
const MAX_ENTRIES: usize = 50_000;

/// A content hash of an exemplar's text.
pub type Key = [u8; KEY_BYTES];

/// The key of `text`.
pub fn key(text: &str) -> Key {
    let digest = Sha256::digest(text.as_bytes());
    let mut key = [0u8; KEY_BYTES];
    key.copy_from_slice(&digest[..KEY_BYTES]);
    key
}

/// Embeddings by key, with the file they came from.
#[derive(Debug, Default)]
pub struct EmbeddingCache {
    file: Option<PathBuf>,
    entries: HashMap<Key, Embedding>,
    /// Entries added since the file was read.
    dirty: bool,
}

impl EmbeddingCache {
    /// The cache in `$HOLDLINE_CACHE_DIR`, else the platform's cache folder; in memory only when
    /// there is neither.
    pub fn open_default() -> EmbeddingCache {
        let dir = std::env::var_os(CACHE_DIR_ENV)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                directories::ProjectDirs::from("", "", "holdline")
                    .map(|d| d.cache_dir().to_path_buf())
            });
        match dir {
            Some(dir) => EmbeddingCache::open(&dir),
            None => EmbeddingCache::default(),
        }
    }

    /// The cache file in `dir`, read if it is there and readable.
    pub fn open(dir: &Path) -> EmbeddingCache {
        let file = dir.join(format!("exemplar-embeddings-{}.bin", &WEIGHTS_SHA256[..16]));
        let entries = std::fs::read(&file)
            .ok()
            .map(|bytes| parse(&bytes))
            .unwrap_or_default();
        EmbeddingCache {
            file: Some(file),
            entries,
            dirty: false,
        }
    }

    /// The embedding kept for `key`.
    pub fn get(&self, key: &Key) -> Option<&Embedding> {
        self.entries.get(key)
    }

    /// Keeps `embedding` for `key`.
    pub fn insert(&mut self, key: Key, embedding: Embedding) {
        self.entries.insert(key, embedding);
        self.dirty = true;
    }

    /// Writes the cache back if anything was added: to a temporary file, then renamed over the
    /// old one, so a crash or a second process never leaves half a file. Failure to write is
    /// not an error (the next start recomputes).
    /// Past the entry limit, only `used` (the exemplars of this run) are kept.
    pub fn save(&mut self, used: &[Key]) {
        if self.entries.len() > MAX_ENTRIES {
            let used: std::collections::HashSet<&Key> = used.iter().collect();
            self.entries.retain(|k, _| used.contains(k));
            self.dirty = true;
        }
        let Some(file) = &self.file else {
            return;
        };
        if !self.dirty {
            return;
        }
        let mut keys: Vec<&Key> = self.entries.keys().collect();
        keys.sort();
        let mut bytes = Vec::with_capacity(MAGIC.len() + keys.len() * ENTRY_BYTES);
        bytes.extend_from_slice(MAGIC);
        for k in keys {
            bytes.extend_from_slice(k);
            for v in &self.entries[k] {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
        let write = || -> std::io::Result<()> {
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = file.with_extension(format!("tmp{}", std::process::id()));
            let mut out = std::fs::File::create(&tmp)?;
            out.write_all(&bytes)?;
            out.sync_all()?;
            std::fs::rename(&tmp, file)
        };
        if write().is_ok() {
            self.dirty = false;
        }
    }
}

fn parse(bytes: &[u8]) -> HashMap<Key, Embedding> {
    let mut entries = HashMap::new();
    let Some(body) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return entries;
    };
    for chunk in body.chunks_exact(ENTRY_BYTES) {
        let mut key = [0u8; KEY_BYTES];
        key.copy_from_slice(&chunk[..KEY_BYTES]);
        let mut embedding = [0f32; DIM];
        for (v, b) in embedding.iter_mut().zip(chunk[KEY_BYTES..].chunks_exact(4)) {
            *v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        // A unit vector, as every embedding is; anything else is damage.
        let norm: f32 = embedding.iter().map(|v| v * v).sum();
        if (norm - 1.0).abs() < 1e-3 {
            entries.insert(key, embedding);
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(i: usize) -> Embedding {
        let mut e = [0f32; DIM];
        e[i] = 1.0;
        e
    }

    #[test]
    fn entries_survive_a_restart_and_damage_is_ignored() {
        let dir = std::env::temp_dir().join(format!("holdline-cache-test-{}", std::process::id()));
        let mut cache = EmbeddingCache::open(&dir);
        cache.insert(key("so sorry"), unit(3));
        cache.insert(key("calm down"), unit(7));
        cache.save(&[]);
        let again = EmbeddingCache::open(&dir);
        assert_eq!(again.get(&key("so sorry")), Some(&unit(3)));
        assert_eq!(again.get(&key("calm down")), Some(&unit(7)));
        assert_eq!(again.get(&key("calm down!")), None);

        let file = again.file.clone().unwrap();
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x40; // the last float of one entry: no longer a unit vector
        bytes.truncate(bytes.len() - 3);
        std::fs::write(&file, &bytes).unwrap();
        let damaged = EmbeddingCache::open(&dir);
        assert_eq!(damaged.entries.len(), 1);
        std::fs::write(&file, b"garbage").unwrap();
        assert!(EmbeddingCache::open(&dir).entries.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
