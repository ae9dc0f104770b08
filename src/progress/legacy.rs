//! Format 1, the single `profile.json` of the first app build: converted once into the
//! per-trainee layout, its attempts kept as summaries (format 1 stored no replies).

use std::collections::BTreeMap;
use std::fs;

use serde::Deserialize;

use super::attempt::{AttemptKind, AttemptRecord, AttemptStatus};
use super::files::{io_error, move_aside};
use super::store::ProgressStore;
use super::{ProgressError, unix_now};
use crate::scenario::model::EndingKind;
use crate::session::Outcome;
use crate::session::mood::Mood;

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
pub fn migrate_format_1(store: &ProgressStore) -> Result<Vec<String>, ProgressError> {
    let path = store.dir().join("profile.json");
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
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
    let trainee = match store.find_listed(&old.name)? {
        Some(existing) => existing,
        None => store.create(&old.name)?,
    };
    for attempt in &old.attempts {
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
                stars: attempt.stars,
                turns: 0,
            }),
            utc_offset_secs: 0,
            legacy: true,
        };
        store.save_attempt(&trainee.id, &mut record)?;
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
