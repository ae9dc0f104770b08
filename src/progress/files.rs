//! Files that must never be lost: atomic writes with a last-good copy, versioned JSON with
//! migrations, and damaged files moved aside instead of overwritten.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ProgressError;

/// The schema every progress file is written in. A file carries its schema number; older ones
/// are migrated on read (see [`migrate`]), newer ones are refused rather than misread.
pub const SCHEMA: u32 = 2;

/// The largest progress file read (an attempt with 500 long typed replies is under 2 MiB).
pub const MAX_PROGRESS_FILE_BYTES: usize = 16 * 1024 * 1024;

/// Why a versioned file could not be read.
#[derive(Debug)]
pub enum ReadFailure {
    /// There is no such file.
    Missing,
    /// Not valid JSON for its type: half-written, edited by hand, or damaged on disk.
    Damaged {
        /// 1-based line where the JSON went wrong.
        line: usize,
        /// 1-based column where the JSON went wrong.
        column: usize,
        /// What was wrong, as the JSON reader put it.
        message: String,
    },
    /// Written by a newer holdline; left untouched.
    TooNew(u32),
    /// The file could not be read for another reason, e.g. permissions.
    Io(std::io::Error),
}

/// Turns an I/O error from `action` on `path` into [`ProgressError::Io`], for `map_err`.
pub fn io_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> ProgressError {
    let path = path.to_path_buf();
    move |source| ProgressError::Io {
        action,
        path,
        source,
    }
}

/// Reads a JSON file written with a `schema` field, migrating older schemas first.
pub fn read_versioned<T: DeserializeOwned>(path: &Path) -> Result<T, ReadFailure> {
    let bytes = match crate::scenario::load::read_input_file(path, MAX_PROGRESS_FILE_BYTES) {
        Ok(bytes) if bytes.len() > MAX_PROGRESS_FILE_BYTES => {
            return Err(ReadFailure::Damaged {
                line: 1,
                column: 1,
                message: format!(
                    "larger than {MAX_PROGRESS_FILE_BYTES} bytes, which no progress file reaches"
                ),
            });
        }
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadFailure::Missing),
        // A pipe, device or folder where a progress file should be: damage, moved aside like
        // any other, so that it blocks nothing.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            return Err(ReadFailure::Damaged {
                line: 1,
                column: 1,
                message: e.to_string(),
            });
        }
        Err(e) => return Err(ReadFailure::Io(e)),
    };
    parse_versioned(&bytes)
}

/// The content of a versioned file, parsed and migrated: [`read_versioned`] without the file
/// (the fuzz targets call it on raw bytes).
pub fn parse_versioned<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ReadFailure> {
    let damaged = |e: serde_json::Error| ReadFailure::Damaged {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(damaged)?;
    let schema = match value.get("schema") {
        // Files from before schema numbers.
        None => 0,
        Some(number) => schema_number(number).ok_or_else(|| ReadFailure::Damaged {
            line: 1,
            column: 1,
            message: format!("\"schema\" must be a whole number, not {number}"),
        })?,
    };
    if schema > SCHEMA {
        return Err(ReadFailure::TooNew(schema));
    }
    migrate(&mut value, schema);
    serde_json::from_value(value).map_err(damaged)
}

/// A schema number as written: a whole number, also when written as one with a fraction of
/// zero (`3.0` is schema 3, a newer one, never schema 0). Anything else is not a schema.
fn schema_number(value: &serde_json::Value) -> Option<u32> {
    if let Some(whole) = value.as_u64() {
        return Some(u32::try_from(whole).unwrap_or(u32::MAX));
    }
    let float = value.as_f64()?;
    (float >= 0.0 && float.fract() == 0.0).then(|| {
        if float >= f64::from(u32::MAX) {
            u32::MAX
        } else {
            float as u32
        }
    })
}

/// Brings a file's JSON from `schema` up to [`SCHEMA`], one step at a time. Schema 2 is the first
/// per-trainee layout (format 1 was a single profile file, converted by the store as a whole),
/// so there are no per-file steps yet: the next schema adds its step here and a test with a
/// file in the old shape.
fn migrate(value: &mut serde_json::Value, schema: u32) {
    if let Some(object) = value.as_object_mut() {
        object.insert("schema".into(), SCHEMA.into());
    }
    let _ = schema;
}

/// Serialises `value` with the current schema number as its first field.
pub fn to_versioned_json<T: Serialize>(value: &T) -> Vec<u8> {
    let mut json = serde_json::to_value(value).expect("progress records always serialise");
    if let Some(object) = json.as_object_mut() {
        let mut with_schema = serde_json::Map::new();
        with_schema.insert("schema".into(), SCHEMA.into());
        with_schema.extend(std::mem::take(object));
        *object = with_schema;
    }
    serde_json::to_vec_pretty(&json).expect("a JSON value always serialises")
}

/// The last good copy kept beside `path`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

/// Writes `bytes` to `path` so that, whatever moment the process dies, `path` holds either the
/// old content or the new, never a mix: write a temporary file in the same folder, flush it to
/// disk, then rename it over `path` and flush the folder. With `keep_backup`, the old content
/// becomes the `.bak` copy first (by a hard link, so `path` never disappears).
pub fn write_atomic(path: &Path, bytes: &[u8], keep_backup: bool) -> Result<(), ProgressError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_error("create", dir))?;
    if keep_backup {
        // Profiles are rewritten in a small folder; temporary copies left there by processes
        // that were killed are cleared here, so they do not pile up. (Attempt folders, which
        // are large, are cleared when the trainee is opened: see `ProgressStore::lock`.)
        clear_dead_temporaries(dir, &path.file_name().unwrap_or_default().to_string_lossy());
    }
    let mut temp_name = path.file_name().unwrap_or_default().to_os_string();
    temp_name.push(format!(".tmp-{}", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let written = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(source) = written {
        let _ = fs::remove_file(&temp);
        return Err(ProgressError::Io {
            action: "write",
            path: temp,
            source,
        });
    }
    if keep_backup && path.exists() {
        let backup = backup_path(path);
        let mut link_name = backup.file_name().unwrap_or_default().to_os_string();
        link_name.push(format!(".tmp-{}", std::process::id()));
        let link = backup.with_file_name(link_name);
        let _ = fs::remove_file(&link);
        let linked = fs::hard_link(path, &link).or_else(|_| fs::copy(path, &link).map(|_| ()));
        if linked.is_ok() {
            fs::rename(&link, &backup).map_err(io_error("keep the last good copy", &backup))?;
        }
    }
    fs::rename(&temp, path).map_err(io_error("replace", path))?;
    // The rename is only durable once the folder's entry is on disk too.
    if let Ok(folder) = fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Removes `<file_name>.tmp-<pid>` and `<file_name>.bak.tmp-<pid>` files in `dir` whose process
/// no longer runs. Only where the operating system says which processes run (Linux's `/proc`);
/// elsewhere they wait for the next `ProgressStore::lock`.
fn clear_dead_temporaries(dir: &Path, file_name: &str) {
    let proc = Path::new("/proc/self");
    if !proc.exists() {
        return;
    }
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = [format!("{file_name}.tmp-"), format!("{file_name}.bak.tmp-")]
            .iter()
            .find_map(|prefix| name.strip_prefix(prefix.as_str()))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Moves a damaged file into `damaged_dir`, stamped with `now`, and returns where it went.
pub fn move_aside(path: &Path, damaged_dir: &Path, now: u64) -> Result<PathBuf, ProgressError> {
    fs::create_dir_all(damaged_dir).map_err(io_error("create", damaged_dir))?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut target = damaged_dir.join(format!("{name}.{now}"));
    let mut n = 1;
    while target.exists() {
        n += 1;
        target = damaged_dir.join(format!("{name}.{now}-{n}"));
    }
    fs::rename(path, &target).map_err(io_error("move aside", path))?;
    Ok(target)
}

/// Whether `name` is one of this module's temporary files, left behind by a process that died
/// mid-write; it holds nothing that was reported saved.
pub fn is_temporary(name: &str) -> bool {
    name.contains(".tmp-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Note {
        text: String,
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("holdline-files-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_write_keeps_the_previous_content_as_the_backup() {
        let dir = temp_dir("backup");
        let path = dir.join("note.json");
        let note = |t: &str| Note { text: t.into() };
        write_atomic(&path, &to_versioned_json(&note("one")), true).unwrap();
        write_atomic(&path, &to_versioned_json(&note("two")), true).unwrap();
        assert_eq!(read_versioned::<Note>(&path).unwrap(), note("two"));
        assert_eq!(
            read_versioned::<Note>(&backup_path(&path)).unwrap(),
            note("one")
        );
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| is_temporary(n)), "{names:?}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn truncated_newer_and_missing_files_are_told_apart() {
        let dir = temp_dir("failures");
        let path = dir.join("note.json");
        assert!(matches!(
            read_versioned::<Note>(&path),
            Err(ReadFailure::Missing)
        ));
        fs::write(&path, "{\"schema\": 2, \"text\": \"hal").unwrap();
        assert!(matches!(
            read_versioned::<Note>(&path),
            Err(ReadFailure::Damaged { line: 1, .. })
        ));
        fs::write(&path, "{\"schema\": 9, \"text\": \"from the future\"}").unwrap();
        assert!(matches!(
            read_versioned::<Note>(&path),
            Err(ReadFailure::TooNew(9))
        ));
        let moved = move_aside(&path, &dir.join("damaged"), 7).unwrap();
        assert!(moved.ends_with("damaged/note.json.7") && !path.exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_schema_written_with_a_fraction_of_zero_is_that_schema_and_any_other_is_damage() {
        let dir = temp_dir("schema-forms");
        let path = dir.join("note.json");
        fs::write(&path, "{\"schema\": 3.0, \"text\": \"newer\"}").unwrap();
        assert!(matches!(
            read_versioned::<Note>(&path),
            Err(ReadFailure::TooNew(3))
        ));
        fs::write(&path, "{\"schema\": 2.0, \"text\": \"current\"}").unwrap();
        assert_eq!(read_versioned::<Note>(&path).unwrap().text, "current");
        for odd in ["2.5", "-1", "\"2\"", "null", "1e300"] {
            fs::write(&path, format!("{{\"schema\": {odd}, \"text\": \"x\"}}")).unwrap();
            let read = read_versioned::<Note>(&path);
            let refused = matches!(read, Err(ReadFailure::Damaged { .. }))
                || matches!(read, Err(ReadFailure::TooNew(_)));
            assert!(refused, "schema {odd} was read as {read:?}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn temporaries_of_killed_processes_are_cleared_when_the_profile_is_next_written() {
        let dir = temp_dir("dead-temporaries");
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("profile.json");
        // No process has a number this large (Linux's limit is 4,194,304); process 1 always runs.
        for stale in [
            "profile.json.tmp-999999999",
            "profile.json.bak.tmp-999999998",
        ] {
            fs::write(dir.join(stale), "half").unwrap();
        }
        fs::write(dir.join("profile.json.tmp-1"), "in progress").unwrap();
        write_atomic(&path, b"{}", true).unwrap();
        let left: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| is_temporary(n))
            .collect();
        if Path::new("/proc/self").exists() {
            assert_eq!(left, ["profile.json.tmp-1"]);
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
