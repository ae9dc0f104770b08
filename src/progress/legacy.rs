//! Format 1, the single `profile.json` of the first app build: converted once into the
//! per-trainee layout, its attempts kept as summaries (format 1 stored no replies).

use std::collections::BTreeMap;
use std::fs;

use serde::Deserialize;

use super::attempt::{AttemptKind, AttemptRecord, AttemptStatus};
use super::files::{MAX_PROGRESS_FILE_BYTES, io_error, move_aside};
use super::store::ProgressStore;
use super::{ProgressError, unix_now};
use crate::scenario::load::read_input_file;
use crate::scenario::model::EndingKind;
use crate::scenario::mood::Mood;
use crate::session::Outcome;

#[derive(Debug, Deserialize)]
struct ProfileV1 {
    format: u32,
    name: String,
    #[serde(default)]
    #[allow(dead_code)]
    best_stars: BTreeMap<String, u8>,
    #[serde(default)]
    attempts: Vec<AttemptV1>,
}

#[derive(Debug, Deserialize)]
struct AttemptV1 {
    scenario_id: String,
    seed: u64,
    ending_id: String,
    overall: u8,
    stars: u8,
    passed: bool,
    finished_at: u64,
}

/// Converts `<data dir>/profile.json` if there is one, and renames it to
/// `profile.json.format-1` so it is kept but never converted twice. Returns what to tell the
/// trainee.
///
/// Safe to kill at any moment and to run from two commands at once: it runs under the store
/// lock (the second command waits, then finds the file already converted), the trainee is found
/// by name before one is created, and each old attempt is written under an id fixed by its
/// position in the old file, so a rerun finishes the job without writing any attempt twice.
pub fn migrate_format_1(store: &ProgressStore) -> Result<Vec<String>, ProgressError> {
    let path = store.dir().join("profile.json");
    if fs::symlink_metadata(&path).is_err() {
        return Ok(vec![]);
    }
    let _guard = store.exclusive()?;
    let bytes = match read_input_file(&path, MAX_PROGRESS_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            let moved = move_aside(&path, &store.dir().join("damaged"), unix_now())?;
            return Ok(vec![format!(
                "{} is not an old profile ({e}); it was moved to {}.",
                path.display(),
                moved.display()
            )]);
        }
        Err(source) => return Err(io_error("read", &path)(source)),
    };
    let old = match serde_json::from_slice::<ProfileV1>(&bytes) {
        Ok(old) if old.format == 1 => old,
        Ok(old) => {
            let moved = move_aside(&path, &store.dir().join("damaged"), unix_now())?;
            return Ok(vec![format!(
                "{} has an unknown format {}; it was moved to {} and left alone.",
                path.display(),
                old.format,
                moved.display()
            )]);
        }
        Err(e) => {
            let moved = move_aside(&path, &store.dir().join("damaged"), unix_now())?;
            return Ok(vec![format!(
                "{}:{}:{}: the old profile could not be read ({e}); it was moved to {}.",
                path.display(),
                e.line(),
                e.column(),
                moved.display()
            )]);
        }
    };
    let name = usable_name(&old.name);
    let trainee = match store.find_listed(&name)? {
        Some(existing) => existing,
        None => store.create(&name)?,
    };
    for (index, attempt) in old.attempts.iter().enumerate() {
        let mut record = AttemptRecord {
            id: String::new(),
            kind: AttemptKind::Scenario,
            status: AttemptStatus::Finished,
            scenario_id: attempt.scenario_id.clone(),
            scenario_version: 0,
            channel: None,
            industry: None,
            tier: None,
            seed: attempt.seed,
            started_at: attempt.finished_at,
            finished_at: attempt.finished_at,
            starting_mood: Mood::default(),
            turns: vec![],
            outcome: Some(Outcome {
                ending_id: attempt.ending_id.clone(),
                // Format 1 kept no ending kind; a pass needs a resolved ending.
                kind: if attempt.passed {
                    EndingKind::Resolved
                } else {
                    EndingKind::Escalated
                },
                text: String::new(),
                empathy: attempt.overall,
                accuracy: attempt.overall,
                deescalation: attempt.overall,
                overall: attempt.overall,
                passed: attempt.passed,
                critical: Vec::new(),
                stars: attempt.stars,
                turns: 0,
            }),
            utc_offset_secs: 0,
            legacy: true,
        };
        let id = format!("{:012}-f1-{index:05}", attempt.finished_at);
        store.save_converted_attempt(&trainee.id, &mut record, id)?;
    }
    let kept = store.dir().join("profile.json.format-1");
    fs::rename(&path, &kept).map_err(io_error("rename", &path))?;
    store.set_current(&trainee.id)?;
    Ok(vec![format!(
        "Your progress was moved to the new layout: {} attempts for {}. The old file is kept at {}.",
        old.attempts.len(),
        trainee.name,
        kept.display()
    )])
}

/// A name the new layout accepts for the old profile's: format 1 checked none, so a long name is
/// cut to the longest allowed, and a blank or invisible one becomes "Trainee" (rename it
/// afterwards with `holdline trainee rename`).
fn usable_name(old: &str) -> String {
    let visible: String = old.chars().filter(|c| !c.is_control()).collect();
    let cut: String = visible
        .trim()
        .chars()
        .take(super::names::MAX_NAME_CHARS)
        .collect();
    super::names::clean_name(&cut).unwrap_or_else(|_| "Trainee".to_string())
}
