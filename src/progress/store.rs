//! Where trainees' progress lives on disk: one folder per trainee with a small profile file and
//! one file per attempt. Attempts are written once and never rewritten, so a crash can at worst
//! lose the attempt being saved, never an earlier one.
//!
//! ```text
//! <data dir>/current                         id of the trainee who played last
//! <data dir>/trainees/<id>/profile.json      name and creation time (+ profile.json.bak)
//! <data dir>/trainees/<id>/attempts/*.json   one AttemptRecord each
//! <data dir>/trainees/<id>/damaged/          unreadable files, moved aside and kept
//! <data dir>/trainees/<id>/lock              held by the app that has this trainee open
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::attempt::AttemptRecord;
use super::files::{
    ReadFailure, backup_path, io_error, is_temporary, move_aside, read_versioned,
    to_versioned_json, write_atomic,
};
use super::{ProgressError, legacy, unix_now};

pub use super::names::MAX_NAME_CHARS;
use super::names::{clean_name, name_key};

/// A trainee's profile file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trainee {
    /// The folder name: made from the first name given, and kept when the trainee is renamed.
    pub id: String,
    /// The name shown for the trainee, at most [`MAX_NAME_CHARS`] characters; changed by a rename.
    pub name: String,
    /// When the trainee was created, in seconds since the Unix epoch.
    pub created_at: u64,
}

/// A trainee with every attempt that could be read, oldest first, and what went wrong reading.
#[derive(Debug, Clone, Default)]
pub struct TraineeHistory {
    /// Every attempt that could be read.
    pub attempts: Vec<AttemptRecord>,
    /// Problems found and how they were handled (a damaged file restored or moved aside), to
    /// tell the trainee.
    pub notices: Vec<String>,
}

/// Held while an app has a trainee open, so a second app cannot write the same history. The
/// operating system releases it if the process dies.
#[derive(Debug)]
pub struct TraineeLock {
    _file: fs::File,
}

/// Held while a command changes which trainees exist or what they are called (add, rename,
/// delete, the format-1 conversion) or repairs a damaged profile, so that two commands at once
/// on one data folder take turns instead of both acting on what they saw before the other
/// acted. An OS file lock on `<data dir>/store.lock`, released if the process dies. Re-entrant
/// on one thread (a rename that repairs a profile takes it once); other threads and processes
/// wait for it.
#[derive(Debug)]
pub(super) struct StoreLock {
    dir: PathBuf,
    _file: Option<fs::File>,
}

thread_local! {
    /// How deeply this thread holds each data folder's store lock.
    static STORE_LOCKS_HELD: std::cell::RefCell<std::collections::HashMap<PathBuf, usize>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        STORE_LOCKS_HELD.with(|held| {
            let mut held = held.borrow_mut();
            if let Some(depth) = held.get_mut(&self.dir) {
                *depth -= 1;
                if *depth == 0 {
                    held.remove(&self.dir);
                }
            }
        });
    }
}

/// Hidden folders inside `trainees/`: a trainee being created (`.new-*`) or deleted
/// (`.deleted-*`). Never listed as trainees.
fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// The progress data folder, holding every trainee's profile and attempts as the module shows.
#[derive(Debug, Clone)]
pub struct ProgressStore {
    dir: PathBuf,
}

impl ProgressStore {
    /// A store kept in the data folder `dir`; nothing is read or created yet.
    pub fn new(dir: impl Into<PathBuf>) -> ProgressStore {
        ProgressStore { dir: dir.into() }
    }

    /// `$HOLDLINE_DATA_DIR`, else the platform's data folder (`directories`), else
    /// `./holdline-data`.
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("HOLDLINE_DATA_DIR").filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        directories::ProjectDirs::from("", "", "holdline").map_or_else(
            || PathBuf::from("holdline-data"),
            |d| d.data_dir().to_path_buf(),
        )
    }

    /// The data folder this store keeps its files in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn trainees_dir(&self) -> PathBuf {
        self.dir.join("trainees")
    }

    fn trainee_dir(&self, id: &str) -> PathBuf {
        self.trainees_dir().join(id)
    }

    /// The folder trainee `id`'s files are kept in, for the parts of their progress kept
    /// beside the attempts (certificates).
    pub(crate) fn trainee_folder(&self, id: &str) -> PathBuf {
        self.trainee_dir(id)
    }

    /// The ledger of the trainee's xAPI statements that the learning record store `lrs` (its
    /// host and path) has acknowledged. One per LRS: statements a test LRS holds are still owed
    /// to the production one.
    pub fn xapi_ledger(&self, trainee_id: &str, lrs: &str) -> PathBuf {
        let tag = crate::progress::xapi::derived_uuid(&[lrs]);
        self.trainee_dir(trainee_id)
            .join(format!("xapi-acknowledged-{}.log", &tag[..8]))
    }

    /// Takes the store lock (see [`StoreLock`]), waiting for another command to finish.
    pub(super) fn exclusive(&self) -> Result<StoreLock, ProgressError> {
        let key = self.dir.clone();
        let nested = STORE_LOCKS_HELD.with(|held| {
            let mut held = held.borrow_mut();
            match held.get_mut(&key) {
                Some(depth) => {
                    *depth += 1;
                    true
                }
                None => false,
            }
        });
        if nested {
            return Ok(StoreLock {
                dir: key,
                _file: None,
            });
        }
        fs::create_dir_all(&self.dir).map_err(io_error("create", &self.dir))?;
        let path = self.dir.join("store.lock");
        let file = open_lock_file(&path)?;
        file.lock().map_err(io_error("lock", &path))?;
        STORE_LOCKS_HELD.with(|held| held.borrow_mut().insert(key.clone(), 1));
        Ok(StoreLock {
            dir: key,
            _file: Some(file),
        })
    }

    /// Every trainee, by name, and what to tell about any file that had to be repaired. A
    /// format-1 profile left from an older holdline is converted first.
    pub fn trainees(&self) -> Result<(Vec<Trainee>, Vec<String>), ProgressError> {
        let mut notices = legacy::migrate_format_1(self)?;
        let (trainees, more) = self.list()?;
        notices.extend(more);
        Ok((trainees, notices))
    }

    fn list(&self) -> Result<(Vec<Trainee>, Vec<String>), ProgressError> {
        let dir = self.trainees_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((vec![], vec![])),
            Err(source) => return Err(io_error("read", &dir)(source)),
        };
        let mut trainees = Vec::new();
        let mut notices = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_error("read", &dir))?;
            let id = entry.file_name().to_string_lossy().into_owned();
            if is_hidden(&id) || !entry.path().is_dir() {
                continue;
            }
            // One trainee's unreadable profile (from a newer holdline, or a disk error) is named
            // and left out; it must not hide everyone else.
            match self.trainee(&id) {
                Ok((trainee, notice)) => {
                    notices.extend(notice);
                    trainees.push(trainee);
                }
                Err(err) => notices.push(format!("{err} This trainee is left out of the list.")),
            }
        }
        trainees.sort_by_key(|t| (t.name.to_lowercase(), t.id.clone()));
        Ok((trainees, notices))
    }

    /// Reads a trainee's profile. If it is damaged, the last good copy is restored; if there is
    /// none, a profile named after the folder is written. Either way the damaged file is kept
    /// in `damaged/` and the returned notice says what happened. Attempts are separate files,
    /// so none is lost.
    pub fn trainee(&self, id: &str) -> Result<(Trainee, Option<String>), ProgressError> {
        let dir = self.trainee_dir(id);
        let path = dir.join("profile.json");
        if let Ok(trainee) = read_versioned::<Trainee>(&path) {
            return Ok((trainee, None));
        }
        // A repair, under the store lock: another command may be repairing the same file, or
        // may have just done so, so the file is read again once the lock is ours.
        let _guard = self.exclusive()?;
        if !dir.is_dir() {
            return Err(ProgressError::NoSuchTrainee(id.to_string()));
        }
        let failure = match read_versioned::<Trainee>(&path) {
            Ok(trainee) => return Ok((trainee, None)),
            Err(ReadFailure::Io(source)) => return Err(io_error("read", &path)(source)),
            Err(ReadFailure::TooNew(schema)) => {
                return Err(ProgressError::TooNew { path, schema });
            }
            Err(failure) => failure,
        };
        let what = match &failure {
            ReadFailure::Damaged {
                line,
                column,
                message,
            } => format!("{}:{line}:{column} was damaged ({message})", path.display()),
            _ => format!("{} was missing", path.display()),
        };
        let kept = if path.exists() {
            let moved = move_aside(&path, &dir.join("damaged"), unix_now())?;
            format!("; the damaged file is kept at {}", moved.display())
        } else {
            String::new()
        };
        let (trainee, how) = match read_versioned::<Trainee>(&backup_path(&path)) {
            Ok(good) => (good, "restored the last good copy"),
            Err(_) => (
                Trainee {
                    id: id.to_string(),
                    name: id.to_string(),
                    created_at: unix_now(),
                },
                "started a new profile named after its folder (rename it with `holdline trainee rename`)",
            ),
        };
        write_atomic(&path, &to_versioned_json(&trainee), false)?;
        let notice = format!("{what}: {how}{kept}. No attempts were lost.");
        Ok((trainee, Some(notice)))
    }

    /// Creates a trainee. Names are trimmed and must be unique, whatever their case. The
    /// trainee's folder is built under a hidden name and renamed into place, so no other
    /// command ever sees a trainee folder without its profile.
    pub fn create(&self, name: &str) -> Result<Trainee, ProgressError> {
        let _guard = self.exclusive()?;
        let name = self.check_name(name, None)?;
        let trainees = self.trainees_dir();
        fs::create_dir_all(&trainees).map_err(io_error("create", &trainees))?;
        // Left by a create that was killed half-way; nothing in it was reported saved, and no
        // one else is creating while the lock is ours.
        for entry in fs::read_dir(&trainees).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(".new-") {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        let base = slug(&name);
        let mut id = base.clone();
        let mut n = 1;
        while self.trainee_dir(&id).exists() {
            n += 1;
            id = format!("{base}-{n}");
        }
        let trainee = Trainee {
            id,
            name,
            created_at: unix_now(),
        };
        let staging = trainees.join(format!(".new-{}-{}", std::process::id(), trainee.id));
        let _ = fs::remove_dir_all(&staging);
        write_profile(&staging, &trainee)?;
        let target = self.trainee_dir(&trainee.id);
        if let Err(source) = fs::rename(&staging, &target) {
            let _ = fs::remove_dir_all(&staging);
            return Err(io_error("create", &target)(source));
        }
        if let Ok(folder) = fs::File::open(&trainees) {
            let _ = folder.sync_all();
        }
        Ok(trainee)
    }

    /// Gives trainee `id` a new name, checked like a new one; their id and folder stay the same.
    pub fn rename(&self, id: &str, name: &str) -> Result<Trainee, ProgressError> {
        let _guard = self.exclusive()?;
        if !self.trainee_dir(id).is_dir() {
            return Err(ProgressError::NoSuchTrainee(id.to_string()));
        }
        let name = self.check_name(name, Some(id))?;
        let (mut trainee, _) = self.trainee(id)?;
        trainee.name = name;
        self.write_trainee(&trainee)?;
        Ok(trainee)
    }

    /// Deletes a trainee and all their attempts, for good. Refused while an app has them open.
    pub fn delete(&self, id: &str) -> Result<(), ProgressError> {
        let _guard = self.exclusive()?;
        let dir = self.trainee_dir(id);
        if is_hidden(id) || !dir.is_dir() {
            return Err(ProgressError::NoSuchTrainee(id.to_string()));
        }
        let lock = self.lock(id)?;
        drop(lock);
        // Renamed out of sight first, so a delete killed half-way leaves no half-trainee that
        // other commands would list; the hidden remains are cleared by the next delete.
        let gone = self
            .trainees_dir()
            .join(format!(".deleted-{}-{id}", std::process::id()));
        fs::rename(&dir, &gone).map_err(io_error("delete", &dir))?;
        fs::remove_dir_all(&gone).map_err(io_error("delete", &gone))?;
        for entry in fs::read_dir(self.trainees_dir())
            .into_iter()
            .flatten()
            .flatten()
        {
            if entry.file_name().to_string_lossy().starts_with(".deleted-") {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        if self.current().as_deref() == Some(id) {
            let _ = fs::remove_file(self.dir.join("current"));
        }
        Ok(())
    }

    /// The trainee whose id or name (any case) is `key`.
    pub fn find(&self, key: &str) -> Result<Option<Trainee>, ProgressError> {
        self.trainees()?;
        self.find_listed(key)
    }

    /// [`Self::find`] without converting a format-1 profile first (the conversion uses it).
    pub(super) fn find_listed(&self, key: &str) -> Result<Option<Trainee>, ProgressError> {
        let key = key.trim();
        let (trainees, _) = self.list()?;
        Ok(trainees
            .iter()
            .find(|t| t.id == key)
            .or_else(|| {
                let key = name_key(key);
                trainees.iter().find(|t| name_key(&t.name) == key)
            })
            .cloned())
    }

    /// The id of the trainee who played last on this machine.
    pub fn current(&self) -> Option<String> {
        let id = fs::read_to_string(self.dir.join("current")).ok()?;
        let id = id.trim().to_string();
        self.trainee_dir(&id).is_dir().then_some(id)
    }

    /// Remembers `id` as the trainee who played last on this machine.
    pub fn set_current(&self, id: &str) -> Result<(), ProgressError> {
        write_atomic(&self.dir.join("current"), id.as_bytes(), false)
    }

    /// Takes the trainee's lock, or says who holds it. Temporary files left by a process that
    /// died mid-save are cleared once the lock is ours: nothing in them was reported saved.
    pub fn lock(&self, id: &str) -> Result<TraineeLock, ProgressError> {
        let dir = self.trainee_dir(id);
        // Never created here: an empty folder would be listed as a trainee with no profile.
        if is_hidden(id) || !dir.is_dir() {
            return Err(ProgressError::NoSuchTrainee(id.to_string()));
        }
        let path = dir.join("lock");
        let file = open_lock_file(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let holder = fs::read_to_string(&path).unwrap_or_default();
                return Err(ProgressError::InUse {
                    id: id.to_string(),
                    holder: holder.trim().to_string(),
                });
            }
            Err(fs::TryLockError::Error(source)) => return Err(io_error("lock", &path)(source)),
        }
        let _ = file.set_len(0);
        let _ = fs::write(&path, format!("process {}", std::process::id()));
        for folder in [dir.clone(), dir.join("attempts")] {
            for entry in fs::read_dir(&folder).into_iter().flatten().flatten() {
                if is_temporary(&entry.file_name().to_string_lossy()) {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(TraineeLock { _file: file })
    }

    /// Saves a new attempt under a fresh id (set on `record`). When this returns `Ok`, the
    /// attempt is on disk.
    pub fn save_attempt(
        &self,
        trainee_id: &str,
        record: &mut AttemptRecord,
    ) -> Result<(), ProgressError> {
        let dir = self.trainee_dir(trainee_id).join("attempts");
        fs::create_dir_all(&dir).map_err(io_error("create", &dir))?;
        let mut n = 1;
        let mut id = format!("{:012}-{n:03}", record.finished_at);
        while dir.join(format!("{id}.json")).exists() {
            n += 1;
            id = format!("{:012}-{n:03}", record.finished_at);
        }
        record.id = id;
        write_atomic(
            &dir.join(format!("{}.json", record.id)),
            &to_versioned_json(record),
            false,
        )
    }

    /// Saves an attempt converted from an older format under an id fixed by where it came from,
    /// unless a file with that id is already there: a conversion killed half-way and run again
    /// then writes each attempt exactly once.
    pub(super) fn save_converted_attempt(
        &self,
        trainee_id: &str,
        record: &mut AttemptRecord,
        id: String,
    ) -> Result<(), ProgressError> {
        let dir = self.trainee_dir(trainee_id).join("attempts");
        let path = dir.join(format!("{id}.json"));
        record.id = id;
        if path.exists() {
            return Ok(());
        }
        write_atomic(&path, &to_versioned_json(record), false)
    }

    /// Every readable attempt, oldest first. An unreadable one is moved to `damaged/` and named
    /// in a notice; one from a newer holdline is left in place and named.
    pub fn history(&self, trainee_id: &str) -> Result<TraineeHistory, ProgressError> {
        let dir = self.trainee_dir(trainee_id).join("attempts");
        let mut history = TraineeHistory::default();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(history),
            Err(source) => return Err(io_error("read", &dir)(source)),
        };
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        for path in paths {
            match read_versioned::<AttemptRecord>(&path) {
                Ok(record) => history.attempts.push(record),
                Err(ReadFailure::Missing) => {}
                Err(ReadFailure::TooNew(schema)) => history.notices.push(format!(
                    "{} was written by a newer holdline (schema {schema}); update to see it.",
                    path.display()
                )),
                Err(ReadFailure::Io(source)) => history.notices.push(format!(
                    "{}: this attempt could not be read ({source}) and is left out.",
                    path.display()
                )),
                Err(ReadFailure::Damaged {
                    line,
                    column,
                    message,
                }) => {
                    let damaged = self.trainee_dir(trainee_id).join("damaged");
                    // Moving it aside can fail (a read-only folder, `damaged` taken by a file):
                    // then it stays where it is, and is still left out, so one bad file never
                    // hides the good ones.
                    let whereabouts = match move_aside(&path, &damaged, unix_now()) {
                        Ok(moved) => format!("it was moved to {}", moved.display()),
                        Err(err) => format!("it could not be moved aside ({err}), so it stays"),
                    };
                    history.notices.push(format!(
                        "{}:{line}:{column}: this attempt could not be read ({message}); \
                         {whereabouts} and is left out.",
                        path.display()
                    ));
                }
            }
        }
        history
            .attempts
            .sort_by(|a, b| (a.finished_at, &a.id).cmp(&(b.finished_at, &b.id)));
        Ok(history)
    }

    fn write_trainee(&self, trainee: &Trainee) -> Result<(), ProgressError> {
        write_profile(&self.trainee_dir(&trainee.id), trainee)
    }

    fn check_name(&self, name: &str, renaming: Option<&str>) -> Result<String, ProgressError> {
        let name = clean_name(name).map_err(ProgressError::BadName)?;
        let key = name_key(&name);
        let (trainees, _) = self.list()?;
        if let Some(other) = trainees
            .iter()
            .find(|t| Some(t.id.as_str()) != renaming && name_key(&t.name) == key)
        {
            return Err(ProgressError::BadName(format!(
                "there is already a trainee called {}",
                other.name
            )));
        }
        Ok(name)
    }
}

/// Opens (creating if need be) a file used only for its OS lock; its content is never truncated
/// by opening, since it may name the process holding it.
fn open_lock_file(path: &Path) -> Result<fs::File, ProgressError> {
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(io_error("open", path))
}

/// Writes `trainee` as `dir/profile.json`, keeping the previous version as its last good copy.
fn write_profile(dir: &Path, trainee: &Trainee) -> Result<(), ProgressError> {
    let path = dir.join("profile.json");
    write_atomic(&path, &to_versioned_json(trainee), true)?;
    // A new profile has no previous copy: its first version is copied as its last good copy, so
    // a profile damaged before its second save still keeps its name. A copy, not a hard link,
    // so damage to one file cannot reach the other.
    let backup = backup_path(&path);
    if !backup.exists() {
        let bytes = fs::read(&path).map_err(io_error("read", &path))?;
        write_atomic(&backup, &bytes, false)?;
    }
    Ok(())
}

/// A folder name from a trainee's name: lowercase letters and digits joined by dashes.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 32 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "trainee".to_string()
    } else {
        out
    }
}
