//! A trainee's whole progress as one file (`<id>.holdline-export.json`), for a trainer who
//! gathers a cohort's files from a shared drive or a USB stick and builds one report from them
//! (see [`super::cohort`]). The file carries what the report needs and nothing that ties it to
//! the machine it came from.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::{ReadFailure, parse_versioned, to_versioned_json, write_atomic};
use super::{AttemptRecord, ProgressError, ProgressStore, Trainee};

/// What the file's `format` field says, so a report never mistakes another JSON file for one.
pub const EXPORT_FORMAT: &str = "holdline-trainee-export";

/// How export files are named: `<trainee id>.holdline-export.json`.
pub const EXPORT_SUFFIX: &str = ".holdline-export.json";

/// The largest export file read: far above any real trainee's (a year of daily practice is a
/// few megabytes), and small enough that one damaged or hostile file cannot exhaust memory.
pub const MAX_EXPORT_BYTES: u64 = 256 * 1024 * 1024;

/// One trainee's progress, as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraineeExport {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// When the file was written, in seconds since the Unix epoch: of two exports of one
    /// trainee, the report keeps the later.
    pub exported_at: u64,
    /// The holdline that wrote it.
    pub holdline_version: String,
    /// The exporting machine's offset from UTC, in seconds east: the trainee's calendar, for
    /// the programme day their curriculum counts from.
    pub utc_offset_secs: i32,
    /// The trainee's profile.
    pub trainee: Trainee,
    /// Every attempt that could be read, oldest first.
    pub attempts: Vec<AttemptRecord>,
    /// What could not be read when the file was written, so the trainer knows it is missing.
    #[serde(default)]
    pub notices: Vec<String>,
    /// The trainee's certification certificates, passed or not, each verifiable on its own.
    #[serde(default)]
    pub certificates: Vec<super::certification::Certificate>,
}

impl TraineeExport {
    /// The trainee `id`'s profile and history from `store`, as of `now`.
    pub fn from_store(
        store: &ProgressStore,
        id: &str,
        now: u64,
    ) -> Result<TraineeExport, ProgressError> {
        let (trainee, repaired) = store.trainee(id)?;
        let history = store.history(id)?;
        let (certificates, unread) = super::certification::all_certificates(store, id);
        Ok(TraineeExport {
            format: EXPORT_FORMAT.into(),
            exported_at: now,
            holdline_version: env!("CARGO_PKG_VERSION").into(),
            utc_offset_secs: super::local_offset_secs(),
            trainee,
            attempts: history.attempts,
            notices: repaired
                .into_iter()
                .chain(history.notices)
                .chain(unread)
                .collect(),
            certificates,
        })
    }

    /// The file name it is written under.
    pub fn file_name(&self) -> String {
        // Letters, digits, '-' and '_' only, so a hand-edited profile cannot name a path.
        let safe: String = self
            .trainee
            .id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        format!("{safe}{EXPORT_SUFFIX}")
    }

    /// Writes it to `path` atomically: a killed export leaves the old file or the new one.
    pub fn write(&self, path: &Path) -> Result<(), ProgressError> {
        write_atomic(path, &to_versioned_json(self), false)
    }
}

/// Why an export file could not be read; the report names the file and goes on.
#[derive(Debug, thiserror::Error)]
pub enum ExportReadError {
    /// The file could not be opened or read.
    #[error("cannot be read ({0})")]
    Io(std::io::Error),
    /// Bigger than [`MAX_EXPORT_BYTES`].
    #[error("is {0} bytes, more than any export holdline writes; it was left out")]
    TooBig(u64),
    /// Not JSON, or not an export's shape.
    #[error("is damaged at line {line}, column {column} ({message}); export it again")]
    Damaged {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// Written by a newer holdline.
    #[error("was written by a newer holdline (schema {0}); update holdline to read it")]
    TooNew(u32),
    /// JSON, but some other file's.
    #[error("is not a holdline export (its format is \"{0}\")")]
    NotAnExport(String),
}

/// Reads one export file.
pub fn read_export(path: &Path) -> Result<TraineeExport, ExportReadError> {
    let file = std::fs::File::open(path).map_err(ExportReadError::Io)?;
    let size = file.metadata().map_err(ExportReadError::Io)?.len();
    if size > MAX_EXPORT_BYTES {
        return Err(ExportReadError::TooBig(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_EXPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ExportReadError::Io)?;
    parse_export(&bytes)
}

/// An export file's content, parsed (the fuzz targets and tests call it on raw bytes).
pub fn parse_export(bytes: &[u8]) -> Result<TraineeExport, ExportReadError> {
    // The format tag is checked before the shape, so a stray JSON file is named as not an
    // export rather than as a damaged one.
    #[derive(Deserialize)]
    struct Tag {
        format: Option<serde_json::Value>,
    }
    if let Ok(tag) = serde_json::from_slice::<Tag>(bytes) {
        match tag.format {
            Some(serde_json::Value::String(f)) if f == EXPORT_FORMAT => {}
            Some(other) => {
                let shown = other
                    .as_str()
                    .map_or_else(|| other.to_string(), String::from);
                return Err(ExportReadError::NotAnExport(
                    shown.chars().take(60).collect(),
                ));
            }
            None => return Err(ExportReadError::NotAnExport("none".into())),
        }
    }
    match parse_versioned::<TraineeExport>(bytes) {
        Ok(export) => Ok(export),
        Err(ReadFailure::TooNew(schema)) => Err(ExportReadError::TooNew(schema)),
        Err(ReadFailure::Damaged {
            line,
            column,
            message,
        }) => Err(ExportReadError::Damaged {
            line,
            column,
            message,
        }),
        Err(ReadFailure::Io(e)) => Err(ExportReadError::Io(e)),
        Err(ReadFailure::Missing) => Err(ExportReadError::Io(std::io::Error::from(
            std::io::ErrorKind::NotFound,
        ))),
    }
}

/// Every export file under `dir`, at any depth, sorted by path (so a report is the same
/// whatever order the file system lists them in). Folders that cannot be read are named in
/// `notices`; links are not followed, so a link loop cannot trap the walk.
pub fn find_exports(dir: &Path, notices: &mut Vec<String>) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(err) => {
                notices.push(format!("{}: cannot be read ({err})", folder.display()));
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_symlink() {
                if path.to_string_lossy().ends_with(EXPORT_SUFFIX) {
                    notices.push(format!(
                        "{}: a link, not followed; copy the file itself into the folder",
                        path.display()
                    ));
                }
            } else if kind.is_file()
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(EXPORT_SUFFIX))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export(id: &str) -> TraineeExport {
        TraineeExport {
            format: EXPORT_FORMAT.into(),
            exported_at: 1_700_000_000,
            holdline_version: "0.1.0".into(),
            utc_offset_secs: 3600,
            trainee: Trainee {
                id: id.into(),
                name: "Zoë Nguyễn".into(),
                created_at: 1_699_000_000,
            },
            attempts: Vec::new(),
            notices: vec!["one attempt was damaged".into()],
            certificates: Vec::new(),
        }
    }

    #[test]
    fn an_export_reads_back_as_written() {
        let dir = super::super::store_tests::temp_dir("export-roundtrip");
        let original = export("zoe");
        let path = dir.join(original.file_name());
        original.write(&path).unwrap();
        assert_eq!(read_export(&path).unwrap(), original);
    }

    #[test]
    fn a_file_name_never_leaves_the_folder() {
        let mut e = export("../../etc/passwd");
        assert_eq!(e.file_name(), "------etc-passwd.holdline-export.json");
        e.trainee.id = "sam-2".into();
        assert_eq!(e.file_name(), "sam-2.holdline-export.json");
    }

    #[test]
    fn another_json_file_is_named_as_not_an_export() {
        let err = parse_export(br#"{"format": "something-else", "x": 1}"#).unwrap_err();
        assert!(matches!(err, ExportReadError::NotAnExport(f) if f == "something-else"));
        let err = parse_export(br#"{"schema": 2, "id": "a"}"#).unwrap_err();
        assert!(matches!(err, ExportReadError::NotAnExport(_)));
    }

    #[test]
    fn a_truncated_export_is_damaged_with_its_place() {
        let bytes = to_versioned_json(&export("zoe"));
        let err = parse_export(&bytes[..bytes.len() / 2]).unwrap_err();
        assert!(
            matches!(err, ExportReadError::Damaged { line, .. } if line > 1),
            "{err}"
        );
    }

    #[test]
    fn a_newer_schema_is_refused_not_misread() {
        let mut value: serde_json::Value =
            serde_json::from_slice(&to_versioned_json(&export("zoe"))).unwrap();
        value["schema"] = 99.into();
        let err = parse_export(&serde_json::to_vec(&value).unwrap()).unwrap_err();
        assert!(matches!(err, ExportReadError::TooNew(99)));
    }

    #[test]
    fn exports_are_found_at_any_depth_in_path_order() {
        let dir = super::super::store_tests::temp_dir("export-find");
        let deep = dir.join("site-b").join("week-2");
        std::fs::create_dir_all(&deep).unwrap();
        for path in [
            deep.join("b.holdline-export.json"),
            dir.join("a.holdline-export.json"),
            dir.join("notes.json"),
        ] {
            std::fs::write(path, "{}").unwrap();
        }
        let mut notices = Vec::new();
        let found = find_exports(&dir, &mut notices);
        assert_eq!(found.len(), 2);
        assert!(found[0].ends_with("a.holdline-export.json"));
        assert!(found[1].ends_with("site-b/week-2/b.holdline-export.json"));
        assert!(notices.is_empty());
    }
}
