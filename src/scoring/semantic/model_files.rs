//! Finds the model's two files, checks them against their pinned checksums and loads them. The
//! files ship in the repository (`assets/model/all-minilm-l6-v2/`, see its README for where
//! they come from and their licence), so scoring needs no network, ever.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::encoder::Encoder;
use super::tokenizer::WordPiece;

/// Where the model lives in the repository.
pub const MODEL_DIR: &str = "assets/model/all-minilm-l6-v2";
/// The float16 weights, converted from the Python package's float32 file by
/// `scripts/convert-model`.
pub const WEIGHTS_FILE: &str = "model.f16.safetensors";
/// The tokenizer, exactly as the Python package ships it.
pub const TOKENIZER_FILE: &str = "tokenizer.json";
/// sha256 of [`WEIGHTS_FILE`].
pub const WEIGHTS_SHA256: &str = "1ecc680b2d7f9596476c59cb377afa00fbda56f85f2db3eccf9b6a962bde6125";
/// sha256 of [`TOKENIZER_FILE`] (the same as in the Python package).
pub const TOKENIZER_SHA256: &str =
    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037";
/// Overrides where the model is looked for.
pub const MODEL_DIR_ENV: &str = "HOLDLINE_MODEL_DIR";

/// Why the model could not be loaded; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// No folder holds the model files.
    #[error(
        "the scoring model was not found (looked in {looked}); run holdline from its repository folder, copy {MODEL_DIR} beside the holdline program, or set {MODEL_DIR_ENV} to the folder"
    )]
    NotFound {
        /// The folders tried, joined.
        looked: String,
    },
    /// A file could not be read.
    #[error(
        "{path}: cannot read the scoring model: {source}; check the file's permissions, or set {MODEL_DIR_ENV} to a folder holding {WEIGHTS_FILE} and {TOKENIZER_FILE}"
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A file's checksum is not the pinned one.
    #[error(
        "{path}: the checksum is {actual}, but holdline expects {expected}; the file is damaged or was replaced: restore it (in a checkout, `git checkout -- {MODEL_DIR}`; elsewhere, copy {MODEL_DIR} from the holdline release or rebuild it with scripts/convert-model)"
    )]
    Checksum {
        /// The file.
        path: PathBuf,
        /// Its sha256.
        actual: String,
        /// The pinned sha256.
        expected: &'static str,
    },
    /// The file is the right one but could not be understood (a bug, or a changed format).
    #[error(
        "{path}: {message}; the file passed its checksum, so this holdline cannot read this model: report it, and score with --rules-only meanwhile"
    )]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The loaded model: tokenizer and encoder.
#[derive(Debug)]
pub struct ModelFiles {
    /// Text to token ids.
    pub tokenizer: WordPiece,
    /// Token ids to embeddings.
    pub encoder: Encoder,
}

/// The folders the model is looked for in, in order: `$HOLDLINE_MODEL_DIR`, the working
/// folder's `assets/model/...` (a run from the repository), the same beside the program, and
/// the repository it was built from.
pub fn candidate_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os(MODEL_DIR_ENV).filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    dirs.push(PathBuf::from(MODEL_DIR));
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        dirs.push(exe_dir.join(MODEL_DIR));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(MODEL_DIR));
    dirs
}

impl ModelFiles {
    /// Loads the model from the first of [`candidate_dirs`] that holds its weights.
    pub fn load_default() -> Result<ModelFiles, ModelError> {
        let dirs = candidate_dirs();
        match dirs.iter().find(|d| d.join(WEIGHTS_FILE).is_file()) {
            Some(dir) => ModelFiles::load(dir),
            None => Err(ModelError::NotFound {
                looked: dirs
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Loads and checks the model in `dir`.
    pub fn load(dir: &Path) -> Result<ModelFiles, ModelError> {
        let tokenizer_path = dir.join(TOKENIZER_FILE);
        let tokenizer_bytes = read_checked(&tokenizer_path, TOKENIZER_SHA256)?;
        let tokenizer = WordPiece::from_tokenizer_json(&tokenizer_bytes).map_err(|message| {
            ModelError::Format {
                path: tokenizer_path,
                message,
            }
        })?;
        let weights_path = dir.join(WEIGHTS_FILE);
        let weights = read_checked(&weights_path, WEIGHTS_SHA256)?;
        let encoder =
            Encoder::from_safetensors(&weights).map_err(|message| ModelError::Format {
                path: weights_path,
                message,
            })?;
        Ok(ModelFiles { tokenizer, encoder })
    }
}

fn read_checked(path: &Path, expected: &'static str) -> Result<Vec<u8>, ModelError> {
    let bytes = std::fs::read(path).map_err(|source| ModelError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let actual = hex(&Sha256::digest(&bytes));
    if actual != expected {
        return Err(ModelError::Checksum {
            path: path.to_path_buf(),
            actual,
            expected,
        });
    }
    Ok(bytes)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_model_file_is_refused_with_what_to_do() {
        let dir = std::env::temp_dir().join(format!("holdline-model-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(TOKENIZER_FILE), b"{}").unwrap();
        let err = ModelFiles::load(&dir).unwrap_err().to_string();
        assert!(
            err.contains("checksum") && err.contains("git checkout"),
            "{err}"
        );
        std::fs::remove_file(dir.join(TOKENIZER_FILE)).unwrap();
        let err = ModelFiles::load(&dir).unwrap_err().to_string();
        assert!(err.contains("cannot read"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
