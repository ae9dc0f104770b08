//! Trainee progress: profiles and attempt history on disk that survive crashes and damage, and
//! the gamification (XP, levels, stars, unlocks, streaks, badges, review queue, shifts) worked
//! out from that history by rules a training programme can edit.

pub mod attempt;
pub mod certification;
pub mod cohort;
pub mod curriculum;
pub mod export;
pub mod files;
mod legacy;
pub mod lrs;
pub mod names;
mod open_trainee;
pub mod parallel;
pub mod rescore;
pub mod review;
pub mod rules;
pub mod shift;
pub mod standing;
#[cfg(test)]
mod standing_tests;
pub mod stats;
pub mod store;
#[cfg(test)]
mod store_race_tests;
#[cfg(test)]
mod store_tests;
pub mod streak;
pub mod xapi;
pub mod xapi_read;
pub mod xapi_sync;

use std::path::PathBuf;

pub use attempt::{AttemptKind, AttemptRecord, AttemptStatus};
pub use open_trainee::{OpenTrainee, UNSAVED_PREFIX};
pub use rules::ProgressRules;
pub use standing::{Standing, standing};
pub use store::{ProgressStore, Trainee, TraineeHistory, TraineeLock};

/// Why reading or writing a trainee's progress failed.
#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    /// A file or folder could not be read, written or moved.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. "read" or "replace", as in "could not {action} {path}".
        action: &'static str,
        /// The file or folder it was done to.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A progress file was written by a newer holdline, in a schema this one cannot read; the
    /// file is left as it is.
    #[error(
        "{} was written by a newer holdline (schema {schema}); update holdline to open it. The file was left as it is.",
        path.display()
    )]
    TooNew {
        /// The file that was refused.
        path: PathBuf,
        /// The schema number the file carries, above [`files::SCHEMA`].
        schema: u32,
    },
    /// The trainee's progress is locked by another holdline process.
    #[error(
        "this trainee's progress is open in another holdline window ({holder}); close it there first, so neither overwrites the other"
    )]
    InUse {
        /// Id of the trainee whose progress is locked.
        id: String,
        /// What the lock file says about its holder, e.g. "process 4242"; may be empty.
        holder: String,
    },
    /// No trainee has this id.
    #[error("there is no trainee \"{0}\"; `holdline progress` lists them")]
    NoSuchTrainee(String),
    /// A trainee name was refused; the text says why (empty, too long, hidden characters, taken).
    #[error("{0}")]
    BadName(String),
}

/// Now, in whole seconds since the Unix epoch; 0 if the clock is set before 1970.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The machine's offset from UTC now, in seconds east, from its time-zone settings.
pub fn local_offset_secs() -> i32 {
    chrono::Local::now().offset().local_minus_utc()
}

/// The calendar day of `unix_secs` at `offset_secs` from UTC, as whole days since 1970-01-01:
/// the unit streaks and reviews count in.
pub fn day_of(unix_secs: u64, offset_secs: i32) -> i64 {
    // Saturating: the seconds may come from a file someone else wrote (a cohort's exports).
    i64::try_from(unix_secs)
        .unwrap_or(i64::MAX)
        .saturating_add(i64::from(offset_secs))
        .div_euclid(86_400)
}

/// Today on the trainee's own calendar (local time), so a streak day ends at their midnight,
/// not at midnight UTC.
pub fn today() -> i64 {
    day_of(unix_now(), local_offset_secs())
}
