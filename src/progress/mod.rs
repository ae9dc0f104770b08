//! A trainee's profile on disk: their name, best stars per scenario and a summary of every
//! finished attempt. Saves are atomic (write a temporary file, flush it to disk, rename over
//! the old one), so a crash mid-save leaves the previous profile intact; a profile that cannot
//! be read is moved aside, never overwritten.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::session::Outcome;

/// The profile file format; bumped when a field changes meaning.
pub const PROFILE_FORMAT: u32 = 1;

const PROFILE_FILE: &str = "profile.json";

/// One finished attempt, as the library and reports need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptSummary {
    pub scenario_id: String,
    pub seed: u64,
    pub ending_id: String,
    pub overall: u8,
    pub stars: u8,
    pub passed: bool,
    /// Seconds since the Unix epoch when the attempt finished.
    pub finished_at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub format: u32,
    pub name: String,
    /// Best stars per scenario id.
    #[serde(default)]
    pub best_stars: BTreeMap<String, u8>,
    #[serde(default)]
    pub attempts: Vec<AttemptSummary>,
}

impl Profile {
    pub fn new(name: &str) -> Profile {
        Profile {
            format: PROFILE_FORMAT,
            name: name.trim().to_string(),
            best_stars: BTreeMap::new(),
            attempts: Vec::new(),
        }
    }

    pub fn best_stars(&self, scenario_id: &str) -> u8 {
        self.best_stars.get(scenario_id).copied().unwrap_or(0)
    }

    /// Records a finished attempt and keeps the best stars.
    pub fn record(&mut self, scenario_id: &str, seed: u64, outcome: &Outcome, finished_at: u64) {
        self.attempts.push(AttemptSummary {
            scenario_id: scenario_id.to_string(),
            seed,
            ending_id: outcome.ending_id.clone(),
            overall: outcome.overall,
            stars: outcome.stars,
            passed: outcome.passed,
            finished_at,
        });
        let best = self.best_stars.entry(scenario_id.to_string()).or_default();
        *best = (*best).max(outcome.stars);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}:{line}:{column}: the profile is damaged ({message}); it was moved to {} and a fresh one started",
        path.display(),
        moved_to.display()
    )]
    Damaged {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
        moved_to: PathBuf,
    },
}

/// Where profiles live. One directory per installation (or per `--data-dir`).
#[derive(Debug, Clone)]
pub struct ProfileStore {
    dir: PathBuf,
}

impl ProfileStore {
    pub fn new(dir: impl Into<PathBuf>) -> ProfileStore {
        ProfileStore { dir: dir.into() }
    }

    /// `$HOLDLINE_DATA_DIR`, else the platform's data directory, else `./holdline-data`.
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("HOLDLINE_DATA_DIR").filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        let platform = std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share"))
            });
        platform.map_or_else(|| PathBuf::from("holdline-data"), |d| d.join("holdline"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn profile_path(&self) -> PathBuf {
        self.dir.join(PROFILE_FILE)
    }

    /// The saved profile, or `None` when there is none yet. A damaged file is moved aside
    /// (so nothing is lost) and reported as [`ProgressError::Damaged`].
    pub fn load(&self) -> Result<Option<Profile>, ProgressError> {
        let path = self.profile_path();
        let text = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ProgressError::Io {
                    action: "read",
                    path,
                    source,
                });
            }
        };
        match serde_json::from_slice::<Profile>(&text) {
            Ok(profile) => Ok(Some(profile)),
            Err(e) => {
                let moved_to = self
                    .dir
                    .join(format!("{PROFILE_FILE}.damaged-{}", unix_now()));
                fs::rename(&path, &moved_to).map_err(|source| ProgressError::Io {
                    action: "move aside the damaged profile",
                    path: path.clone(),
                    source,
                })?;
                Err(ProgressError::Damaged {
                    path,
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                    moved_to,
                })
            }
        }
    }

    /// Writes the profile atomically: the old file stays until the new one is complete.
    pub fn save(&self, profile: &Profile) -> Result<(), ProgressError> {
        let io = |action: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| ProgressError::Io {
                action,
                path,
                source,
            }
        };
        fs::create_dir_all(&self.dir).map_err(io("create", &self.dir))?;
        let path = self.profile_path();
        let temp = self.dir.join(format!("{PROFILE_FILE}.tmp"));
        let json = serde_json::to_vec_pretty(profile).expect("a profile always serialises");
        let mut file = fs::File::create(&temp).map_err(io("create", &temp))?;
        file.write_all(&json).map_err(io("write", &temp))?;
        file.sync_all().map_err(io("flush", &temp))?;
        drop(file);
        fs::rename(&temp, &path).map_err(io("replace", &path))?;
        Ok(())
    }
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("holdline-progress-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_saved_profile_loads_back() {
        let store = ProfileStore::new(temp_dir("roundtrip"));
        assert!(store.load().unwrap().is_none());
        let mut profile = Profile::new("  Sam  ");
        profile.best_stars.insert("late-parcel".into(), 2);
        store.save(&profile).unwrap();
        let loaded = store.load().unwrap().unwrap();
        assert_eq!(loaded.name, "Sam");
        assert_eq!(loaded.best_stars("late-parcel"), 2);
        assert_eq!(loaded.best_stars("other"), 0);
        fs::remove_dir_all(store.dir()).unwrap();
    }

    #[test]
    fn a_damaged_profile_is_moved_aside_not_lost() {
        let store = ProfileStore::new(temp_dir("damaged"));
        fs::create_dir_all(store.dir()).unwrap();
        fs::write(store.dir().join(PROFILE_FILE), "{\"format\": 1, \"name\": ").unwrap();
        let err = store.load().unwrap_err();
        let ProgressError::Damaged { line, moved_to, .. } = &err else {
            panic!("expected Damaged, got {err}");
        };
        assert_eq!(*line, 1);
        assert_eq!(
            fs::read_to_string(moved_to).unwrap(),
            "{\"format\": 1, \"name\": ",
            "the damaged bytes are kept"
        );
        assert!(err.to_string().contains("moved to"));
        assert!(
            store.load().unwrap().is_none(),
            "a fresh start after moving it"
        );
        fs::remove_dir_all(store.dir()).unwrap();
    }
}
